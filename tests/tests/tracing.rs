//! The `tracing` feature: every call leaves a span with its operation, method, path, status
//! and duration, retries leave events in it, and the API key is never recorded.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpmock::Method::DELETE;
use httpmock::MockServer;
use tavus_api::{ApiKey, Client, RetryPolicy};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

const KEY: &str = "tvs-traced-key-77e1";

/// What a span or event recorded: its name and its fields, as text.
#[derive(Debug, Clone, Default)]
struct Recorded {
    name: String,
    fields: BTreeMap<String, String>,
    events: Vec<Recorded>,
}

impl Visit for Recorded {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.fields
            .insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.fields
            .insert(field.name().to_owned(), value.to_owned());
    }
}

/// Keeps every closed span, with the events tavus-api recorded inside it (reqwest's and
/// hyper's own events are left out).
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Recorded>>>);

impl<S: Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut recorded = Recorded {
            name: attrs.metadata().name().to_owned(),
            ..Recorded::default()
        };
        attrs.record(&mut recorded);
        ctx.span(id).unwrap().extensions_mut().insert(recorded);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let span = ctx.span(id).unwrap();
        values.record(span.extensions_mut().get_mut::<Recorded>().unwrap());
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut recorded = Recorded {
            name: event.metadata().name().to_owned(),
            ..Recorded::default()
        };
        event.record(&mut recorded);
        let ours = event.metadata().target().starts_with("tavus_api");
        if let Some(span) = ctx.event_span(event).filter(|_| ours) {
            let mut extensions = span.extensions_mut();
            extensions
                .get_mut::<Recorded>()
                .unwrap()
                .events
                .push(recorded);
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let span = ctx.span(&id).unwrap();
        let recorded = span.extensions_mut().remove::<Recorded>().unwrap();
        self.0.lock().unwrap().push(recorded);
    }
}

/// Runs `call` with a capturing subscriber on this thread (`#[tokio::test]` polls the call
/// on the test's own thread) and returns the request spans it closed.
async fn spans_of<F: Future>(call: F) -> Vec<Recorded> {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    {
        let _guard = tracing::subscriber::set_default(subscriber);
        call.await;
    }
    let spans = capture.0.lock().unwrap().clone();
    spans
        .into_iter()
        .filter(|s| s.name == "tavus_api.request")
        .collect()
}

fn client(base_url: String) -> Client {
    Client::builder(ApiKey::new(KEY).unwrap())
        .base_url(base_url)
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(20)))
        .build()
        .unwrap()
}

fn assert_no_key(spans: &[Recorded]) {
    let text = format!("{spans:?}");
    assert!(!text.contains(KEY), "the API key was recorded: {text}");
}

#[tokio::test]
async fn a_call_leaves_one_span_with_operation_method_path_status_and_duration() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/documents/d1");
            then.status(204).delay(Duration::from_millis(60));
        })
        .await;
    let client = client(server.base_url());
    let spans = spans_of(async {
        client
            .delete_document()
            .document_id("d1")
            .send()
            .await
            .unwrap();
    })
    .await;

    assert_eq!(spans.len(), 1, "{spans:?}");
    let fields = &spans[0].fields;
    assert_eq!(fields["operation_id"], "deleteDocument");
    assert_eq!(fields["http.request.method"], "DELETE");
    assert_eq!(fields["url.path"], "/v2/documents/d1");
    assert_eq!(fields["http.response.status_code"], "204");
    let duration: u64 = fields["duration_ms"].parse().unwrap();
    assert!(
        duration >= 60,
        "the server took 60 ms, the span says {duration}"
    );
    assert!(!fields.contains_key("error"), "{fields:?}");
    assert_no_key(&spans);
}

#[tokio::test]
async fn retries_are_events_in_the_one_span() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE);
            then.status(503).up_to_n_times(1);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(DELETE);
            then.status(204);
        })
        .await;
    let client = client(server.base_url());
    let spans = spans_of(async {
        client
            .delete_document()
            .document_id("d2")
            .send()
            .await
            .unwrap();
    })
    .await;

    assert_eq!(spans.len(), 1, "{spans:?}");
    assert_eq!(spans[0].fields["http.response.status_code"], "204");
    let retries = &spans[0].events;
    assert_eq!(retries.len(), 1, "{retries:?}");
    assert_eq!(retries[0].fields["status"], "503");
    assert_eq!(retries[0].fields["attempt"], "1");
    // The span covers the whole call: the wait before the retry included.
    let wait: u64 = retries[0].fields["wait_ms"].parse().unwrap();
    let duration: u64 = spans[0].fields["duration_ms"].parse().unwrap();
    assert!(duration >= wait, "span {duration} ms, wait {wait} ms");
    assert_no_key(&spans);
}

#[tokio::test]
async fn a_failed_call_records_the_error_and_no_status() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let client = client(format!("http://127.0.0.1:{port}"));
    let spans = spans_of(async {
        client
            .delete_document()
            .document_id("d3")
            .send()
            .await
            .unwrap_err();
    })
    .await;

    assert_eq!(spans.len(), 1, "{spans:?}");
    let fields = &spans[0].fields;
    assert!(fields["error"].contains("connect"), "{fields:?}");
    assert!(!fields.contains_key("http.response.status_code"));
    assert_eq!(
        spans[0].events.len(),
        2,
        "two retries after refused connections"
    );
    assert_no_key(&spans);
}
