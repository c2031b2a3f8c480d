//! Every operation against a local server, with data from its own page.
//!
//! For each of the 35 operations, one row says which page it comes from, what the
//! server must receive (method, path, query string; the JSON body is the page's
//! request example) and how a caller makes the call. The runner then serves the page's
//! first success response, built from the page's examples, and checks the request the
//! server received and that the typed result, written back as JSON, is exactly what was
//! served: every field arrived, with its value. It does the same with the page's first
//! documented error response.

use std::future::Future;
use std::pin::Pin;

use integration_tests::exchange::{Outcome, Received, Stub, outcome};
use integration_tests::pages::{Page, without_nulls};
use integration_tests::repo_root;
use serde_json::Value;
use tavus_api::{Client, ErrorKind, types};

/// One operation: its page, the request it must send, and a call as a caller writes it.
struct Case {
    page: &'static str,
    sends: Received,
    call: Call,
}

/// A call of one generated operation builder, with the request body (if any) from the page.
type Call = for<'a> fn(&'a Client, &'a Page) -> Pin<Box<dyn Future<Output = Outcome> + 'a>>;

/// `call!(|client, page| client.method().arg(value).send())`: the call, its result read
/// as an [`Outcome`].
macro_rules! call {
    (|$client:ident, $page:ident| $call:expr) => {{
        fn call<'a>(
            $client: &'a Client,
            $page: &'a Page,
        ) -> Pin<Box<dyn Future<Output = Outcome> + 'a>> {
            Box::pin(async move { outcome($call.await) })
        }
        call
    }};
}

fn case(page: &'static str, sends: Received, call: Call) -> Case {
    Case { page, sends, call }
}

fn get(path: &str) -> Received {
    Received::new("GET", path)
}
fn post(path: &str) -> Received {
    Received::new("POST", path)
}
fn patch(path: &str) -> Received {
    Received::new("PATCH", path)
}
fn delete(path: &str) -> Received {
    Received::new("DELETE", path)
}

fn cases() -> Vec<Case> {
    use types::{
        CreateConversationBody, CreateDocumentBody, CreateGuardrailsBody, CreateObjectivesBody,
        CreatePersonaBody, CreateReplicaBody, GenerateVideoBody, ListDocumentsSortKnown,
        ListReplicasReplicaTypeKnown, PatchDocumentBody, PatchGuardrailsBodyItem,
        PatchObjectiveBodyItem, PatchPersonaBodyItem, RecrawlDocumentBody, RenameReplicaBody,
        RenameVideoBody,
    };
    vec![
        // conversations
        case(
            "conversations/get-conversations",
            get("/v2/conversations").query("limit=10&page=1&status=active"),
            call!(|c, _p| c.list_conversations().limit(10).page(1).status("active").send()),
        ),
        case(
            "conversations/create-conversation",
            post("/v2/conversations"),
            call!(|c, p| c
                .create_conversation()
                .body(p.typed_request_body::<CreateConversationBody>())
                .send()),
        ),
        case(
            "conversations/get-conversation",
            get("/v2/conversations/c123456"),
            call!(|c, _p| c.get_conversation().conversation_id("c123456").send()),
        ),
        case(
            "conversations/delete-conversation",
            delete("/v2/conversations/c123456").query("hard=true"),
            call!(|c, _p| c.delete_conversation().conversation_id("c123456").hard(true).send()),
        ),
        case(
            "conversations/end-conversation",
            post("/v2/conversations/c123456/end"),
            call!(|c, _p| c.end_conversation().conversation_id("c123456").send()),
        ),
        // documents
        case(
            "documents/get-documents",
            get("/v2/documents").query(
                "limit=10&name_or_uuid=Example+Docs&page=0&sort=descending&status=ready&tags=important%2Cmeeting",
            ),
            call!(|c, _p| c
                .list_documents()
                .limit(10)
                .name_or_uuid("Example Docs")
                .page(0)
                .sort(ListDocumentsSortKnown::Descending)
                .status("ready")
                .tags("important,meeting")
                .send()),
        ),
        case(
            "documents/create-document",
            post("/v2/documents"),
            call!(|c, p| c
                .create_document()
                .body(p.typed_request_body::<CreateDocumentBody>())
                .send()),
        ),
        case(
            "documents/get-document",
            get("/v2/documents/d8-5c71baca86fc"),
            call!(|c, _p| c.get_document().document_id("d8-5c71baca86fc").send()),
        ),
        case(
            "documents/delete-document",
            delete("/v2/documents/d8-5c71baca86fc"),
            call!(|c, _p| c.delete_document().document_id("d8-5c71baca86fc").send()),
        ),
        case(
            "documents/patch-document",
            patch("/v2/documents/d8-5c71baca86fc"),
            call!(|c, p| c
                .patch_document()
                .document_id("d8-5c71baca86fc")
                .body(p.typed_request_body::<PatchDocumentBody>())
                .send()),
        ),
        case(
            "documents/recrawl-document",
            post("/v2/documents/d8-5c71baca86fc/recrawl"),
            call!(|c, p| c
                .recrawl_document()
                .document_id("d8-5c71baca86fc")
                .body(p.typed_request_body::<RecrawlDocumentBody>())
                .send()),
        ),
        // guardrails
        case(
            "guardrails/get-guardrails-list",
            get("/v2/guardrails").query("limit=10&page=1"),
            call!(|c, _p| c.get_guardrails().limit(10).page(1).send()),
        ),
        case(
            "guardrails/create-guardrails",
            post("/v2/guardrails"),
            call!(|c, p| c
                .create_guardrails()
                .body(p.typed_request_body::<CreateGuardrailsBody>())
                .send()),
        ),
        case(
            "guardrails/get-guardrails",
            get("/v2/guardrails/g12345"),
            call!(|c, _p| c.get_guardrail().guardrails_id("g12345").send()),
        ),
        case(
            "guardrails/delete-guardrails",
            delete("/v2/guardrails/g12345"),
            call!(|c, _p| c.delete_guardrails().guardrails_id("g12345").send()),
        ),
        case(
            "guardrails/patch-guardrails",
            patch("/v2/guardrails/g12345"),
            call!(|c, p| c
                .patch_guardrails()
                .guardrails_id("g12345")
                .body(p.typed_request_body::<Vec<PatchGuardrailsBodyItem>>())
                .send()),
        ),
        // objectives
        case(
            "objectives/get-objectives-list",
            get("/v2/objectives").query("limit=10&page=1"),
            call!(|c, _p| c.get_objectives().limit(10).page(1).send()),
        ),
        case(
            "objectives/create-objectives",
            post("/v2/objectives"),
            call!(|c, p| c
                .create_objectives()
                .body(p.typed_request_body::<CreateObjectivesBody>())
                .send()),
        ),
        case(
            "objectives/get-objectives",
            get("/v2/objectives/o12345"),
            call!(|c, _p| c.get_objective().objectives_id("o12345").send()),
        ),
        case(
            "objectives/delete-objectives",
            delete("/v2/objectives/o12345"),
            call!(|c, _p| c.delete_objective().objectives_id("o12345").send()),
        ),
        case(
            "objectives/patch-objectives",
            patch("/v2/objectives/o12345"),
            call!(|c, p| c
                .patch_objective()
                .objectives_id("o12345")
                .body(p.typed_request_body::<Vec<PatchObjectiveBodyItem>>())
                .send()),
        ),
        // personas
        case(
            "personas/create-persona",
            post("/v2/personas"),
            call!(|c, p| c
                .create_persona()
                .body(p.typed_request_body::<CreatePersonaBody>())
                .send()),
        ),
        case(
            "personas/get-persona",
            get("/v2/personas/pf3073f2dcc1"),
            call!(|c, _p| c.get_persona().persona_id("pf3073f2dcc1").send()),
        ),
        case(
            "personas/delete-persona",
            delete("/v2/personas/pf3073f2dcc1"),
            call!(|c, _p| c.delete_persona().persona_id("pf3073f2dcc1").send()),
        ),
        case(
            "personas/patch-persona",
            patch("/v2/personas/pf3073f2dcc1"),
            call!(|c, p| c
                .patch_persona()
                .persona_id("pf3073f2dcc1")
                .body(p.typed_request_body::<Vec<PatchPersonaBodyItem>>())
                .send()),
        ),
        // replicas
        case(
            "phoenix-replica-model/get-replicas",
            get("/v2/replicas").query(
                "limit=10&page=1&replica_ids=re1074c227%2Cr243eed46c&replica_type=user&verbose=true",
            ),
            call!(|c, _p| c
                .list_replicas()
                .limit(10)
                .page(1)
                .replica_ids("re1074c227,r243eed46c")
                .replica_type(ListReplicasReplicaTypeKnown::User)
                .verbose(true)
                .send()),
        ),
        case(
            "phoenix-replica-model/create-replica",
            post("/v2/replicas"),
            call!(|c, p| c
                .create_replica()
                .body(p.typed_request_body::<CreateReplicaBody>())
                .send()),
        ),
        case(
            "phoenix-replica-model/get-replica",
            get("/v2/replicas/r783537ef5").query("verbose=true"),
            call!(|c, _p| c.get_replica().replica_id("r783537ef5").verbose(true).send()),
        ),
        case(
            "phoenix-replica-model/delete-replica",
            delete("/v2/replicas/rf3073f2dcc1").query("hard=false"),
            call!(|c, _p| c.delete_replica().replica_id("rf3073f2dcc1").hard(false).send()),
        ),
        case(
            "phoenix-replica-model/patch-replica-name",
            patch("/v2/replicas/rf3073f2dcc1/name"),
            call!(|c, p| c
                .rename_replica()
                .replica_id("rf3073f2dcc1")
                .body(p.typed_request_body::<RenameReplicaBody>())
                .send()),
        ),
        // videos
        case(
            "video-request/get-videos",
            get("/v2/videos").query("limit=10&page=1"),
            call!(|c, _p| c.list_videos().limit(10).page(1).send()),
        ),
        case(
            "video-request/create-video",
            post("/v2/videos"),
            call!(|c, p| c
                .generate_video()
                .body(p.typed_request_body::<GenerateVideoBody>())
                .send()),
        ),
        case(
            "video-request/get-video",
            get("/v2/videos/8a4f94e736").query("verbose=true"),
            call!(|c, _p| c.get_video().video_id("8a4f94e736").verbose(true).send()),
        ),
        case(
            "video-request/delete-video",
            delete("/v2/videos/8a4f94e736").query("hard=true"),
            call!(|c, _p| c.delete_video().video_id("8a4f94e736").hard(true).send()),
        ),
        case(
            "video-request/patch-video-name",
            patch("/v2/videos/8a4f94e736/name"),
            call!(|c, p| c
                .rename_video()
                .video_id("8a4f94e736")
                .body(p.typed_request_body::<RenameVideoBody>())
                .send()),
        ),
    ]
}

/// Serves `status` and `body`, makes the case's call, and says what differs from what
/// the page documents, if anything.
async fn check(
    case: &Case,
    page: &Page,
    status: u16,
    body: Value,
    expected: Outcome,
) -> Vec<String> {
    let stub = Stub::answering(status, &body).await;
    let got = (case.call)(&stub.client(), page).await;
    let mut sends = case.sends.clone();
    if page.has_request_body() {
        sends.body = without_nulls(&page.request_body());
    }
    let mut problems = Vec::new();
    let received = stub.the_request();
    if received != sends {
        problems.push(format!(
            "{} ({status}): the server received\n{received:#?}\ninstead of\n{sends:#?}",
            page.name
        ));
    }
    let got = normalized(got);
    if got != expected {
        problems.push(format!(
            "{} ({status}): the caller got\n{got:#?}\ninstead of\n{expected:#?}",
            page.name
        ));
    }
    problems
}

fn normalized(outcome: Outcome) -> Outcome {
    match outcome {
        Outcome::Success { status, body } => Outcome::Success {
            status,
            body: without_nulls(&body),
        },
        Outcome::Failure { kind, status, body } => Outcome::Failure {
            kind,
            status,
            body: without_nulls(&body),
        },
    }
}

#[tokio::test]
async fn every_operation_sends_its_request_and_reads_its_page_examples() {
    let problems = every_operation_serving(|body| body.clone()).await;
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Every response keeps what the page does not declare: each object of the page's
/// success and error examples gains a property the spec does not know, and the typed
/// result, written back, is exactly what was served (issue 11: nothing dropped).
#[tokio::test]
async fn every_operation_keeps_properties_the_spec_does_not_declare() {
    let problems = every_operation_serving(with_undeclared).await;
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Runs every case against its page's first success response and first documented
/// error response, each body passed through `serve` first, and expects the caller to
/// get exactly what was served.
async fn every_operation_serving(serve: fn(&Value) -> Value) -> Vec<String> {
    let mut problems = Vec::new();
    for case in cases() {
        let page = Page::load(case.page);
        let (status, body) = page.success();
        let body = serve(&body);
        let expected = Outcome::Success {
            status,
            body: without_nulls(&body),
        };
        problems.extend(check(&case, &page, status, body, expected).await);

        let (status, body) = page.error();
        let body = serve(&body);
        let expected = Outcome::Failure {
            kind: ErrorKind::Api,
            status: Some(status),
            body: without_nulls(&body),
        };
        problems.extend(check(&case, &page, status, body, expected).await);
    }
    problems
}

/// `value` with a property no page declares added to every object in it.
fn with_undeclared(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut object: serde_json::Map<String, Value> = object
                .iter()
                .map(|(k, v)| (k.clone(), with_undeclared(v)))
                .collect();
            // A string: some objects are maps of strings (`next_conditional_objectives`),
            // where any other value would rightly fail. Nested JSON in an undeclared
            // property: `tests/tests/forward_compatible.rs`.
            object.insert("added_after_vendoring".into(), "kept".into());
            Value::Object(object)
        }
        Value::Array(items) => Value::Array(items.iter().map(with_undeclared).collect()),
        other => other.clone(),
    }
}

#[test]
fn the_table_covers_every_vendored_operation() {
    let vendored = tavus_openapi::VendoredSpec::load(repo_root().join("openapi")).unwrap();
    let mut pages: Vec<String> = vendored
        .files
        .iter()
        .map(|f| {
            f.page
                .as_str()
                .trim_start_matches("api-reference/")
                .to_owned()
        })
        .collect();
    let mut tested: Vec<String> = cases().iter().map(|c| c.page.to_owned()).collect();
    pages.sort();
    tested.sort();
    assert_eq!(tested, pages);
    assert_eq!(pages.len(), 35);
}
