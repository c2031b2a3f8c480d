//! `delete_document` against httpmock: what the server receives, and how every answer
//! (and every failure to get one) reaches the caller.

use std::time::Duration;

use httpmock::Method::DELETE;
use httpmock::MockServer;
use tavus_api::{ApiKey, Client, ErrorExt, ErrorKind};

const KEY: &str = "tvs-test-key-3f9a1c";

fn client(server: &MockServer) -> Client {
    client_at(&server.base_url())
}

fn client_at(base_url: &str) -> Client {
    Client::builder(ApiKey::new(KEY).unwrap())
        .base_url(base_url)
        .build()
        .unwrap()
}

#[tokio::test]
async fn sends_delete_with_key_user_agent_and_no_api_version() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/v2/documents/d1a2b3")
                .header("x-api-key", KEY)
                .header("user-agent", tavus_api::USER_AGENT)
                .header_missing("api-version");
            then.status(204).header("x-request-id", "r-7e1");
        })
        .await;
    let response = client(&server)
        .delete_document()
        .document_id("d1a2b3")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(response.headers()["x-request-id"], "r-7e1");
    mock.assert_async().await;
    assert!(tavus_api::USER_AGENT.starts_with("tavus-api/"));
}

#[tokio::test]
async fn ids_are_sent_as_one_path_segment() {
    let server = MockServer::start_async().await;
    let cases = [
        ("a/b", "/v2/documents/a%2Fb"),
        ("a?b=1", "/v2/documents/a%3Fb=1"),
        ("a#b", "/v2/documents/a%23b"),
        ("100%", "/v2/documents/100%25"),
        ("%2e%2e", "/v2/documents/%252e%252e"),
        ("a b", "/v2/documents/a%20b"),
        ("dokumént-ü", "/v2/documents/dokum%C3%A9nt-%C3%BC"),
        ("...", "/v2/documents/..."),
        ("..a", "/v2/documents/..a"),
        // URL parsing reads `\` as `/`: unencoded, these would reach /v2/documents/a/b
        // and /v2/documents/y.
        ("a\\b", "/v2/documents/a%5Cb"),
        (
            "x\\..\\..\\documents\\y",
            "/v2/documents/x%5C..%5C..%5Cdocuments%5Cy",
        ),
    ];
    for (id, path) in cases {
        let mock = server
            .mock_async(|when, then| {
                when.method(DELETE).path(path);
                then.status(204);
            })
            .await;
        client(&server)
            .delete_document()
            .document_id(id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{id:?}: {e}"));
        assert_eq!(mock.calls_async().await, 1, "{id:?} should reach {path}");
        mock.delete_async().await;
    }
}

#[tokio::test]
async fn ids_that_would_change_the_path_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(204);
        })
        .await;
    for (id, reason) in [
        ("", "would send it to /v2/documents/ instead"),
        (".", "would send it to /v2/documents/ instead"),
        ("..", "would send it to /v2/ instead"),
    ] {
        let err = client(&server)
            .delete_document()
            .document_id(id)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{id:?}: {err}");
        let message = err.to_string();
        assert!(
            message.contains("deleteDocument /v2/documents/{document_id} not sent"),
            "{message}"
        );
        assert!(message.contains(reason), "{id:?}: {message}");
    }
    assert_eq!(any.calls_async().await, 0, "nothing may reach the server");
}

/// Behind a proxy at a path (`https://proxy/tavus`), requests go below that path, and the
/// path check compares what follows it: an id that would climb out is still refused.
#[tokio::test]
async fn a_base_url_with_a_path_prefixes_every_request_and_is_checked_below_it() {
    let server = MockServer::start_async().await;
    let below_prefix = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/tavus/v2/documents/a%2Fb");
            then.status(204);
        })
        .await;
    let elsewhere = server
        .mock_async(|_, then| {
            then.status(204);
        })
        .await;
    for base_url in ["/tavus", "/tavus/"] {
        let client = client_at(&format!("{}{base_url}", server.base_url()));
        let sent = client.delete_document().document_id("a/b").send().await;
        assert_eq!(sent.unwrap().status(), 204, "{base_url}");
        for id in ["", ".", ".."] {
            let err = client
                .delete_document()
                .document_id(id)
                .send()
                .await
                .unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::InvalidRequest,
                "{base_url} {id:?}: {err}"
            );
        }
    }
    assert_eq!(below_prefix.calls_async().await, 2);
    assert_eq!(
        elsewhere.calls_async().await,
        0,
        "nothing else may reach the server"
    );
}

#[tokio::test]
async fn documented_errors_are_typed_with_status_and_message() {
    let server = MockServer::start_async().await;
    for (status, message) in [(401, "Invalid access token"), (404, "Document not found")] {
        let id = format!("doc-{status}");
        server
            .mock_async(|when, then| {
                when.method(DELETE).path(format!("/v2/documents/{id}"));
                then.status(status)
                    .header("content-type", "application/json")
                    .header("x-request-id", "r-5b2")
                    .json_body(serde_json::json!({ "message": message }));
            })
            .await;
        let err = client(&server)
            .delete_document()
            .document_id(&id)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Api);
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        let Ok(body) = err.into_error_response() else {
            panic!("{status}: not a typed error")
        };
        // The body was read whole and the response rebuilt around it; headers and all.
        assert_eq!(body.headers()["x-request-id"], "r-5b2");
        assert_eq!(body.into_inner().message.as_deref(), Some(message));
    }
}

#[tokio::test]
async fn undocumented_statuses_keep_status_and_raw_body() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE);
            then.status(500).body("upstream exploded");
        })
        .await;
    let err = client(&server)
        .delete_document()
        .document_id("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedStatus);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(err.body(), Some(&b"upstream exploded"[..]));
}

#[tokio::test]
async fn non_json_and_empty_error_bodies_keep_status_and_text() {
    let server = MockServer::start_async().await;
    for (status, body) in [(401, "<html>Unauthorized</html>"), (404, "")] {
        let id = format!("doc-{status}");
        server
            .mock_async(|when, then| {
                when.method(DELETE).path(format!("/v2/documents/{id}"));
                then.status(status).body(body);
            })
            .await;
        let err = client(&server)
            .delete_document()
            .document_id(&id)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidBody, "{status}: {err}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.body(), Some(body.as_bytes()));
    }
}

#[tokio::test]
async fn a_slow_server_times_out_every_attempt() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|_, then| {
            then.status(204).delay(Duration::from_secs(3));
        })
        .await;
    let quick_retries = tavus_api::RetryPolicy::default()
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(40));
    let client = Client::builder(ApiKey::new(KEY).unwrap())
        .base_url(server.base_url())
        .timeout(Duration::from_millis(200))
        .retry(quick_retries)
        .build()
        .unwrap();
    let err = client
        .delete_document()
        .document_id("slow")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    // A DELETE is idempotent: each timed-out attempt is sent again, up to the default 3.
    slow.assert_calls_async(3).await;
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = Client::builder(ApiKey::new(KEY).unwrap())
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let err = client
        .delete_document()
        .document_id("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
}

#[tokio::test]
async fn the_key_never_shows_in_debug_or_errors() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/documents/unauth");
            then.status(401)
                .json_body(serde_json::json!({ "message": "no" }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/v2/documents/boom");
            then.status(500).body("boom");
        })
        .await;
    let builder = Client::builder(ApiKey::new(KEY).unwrap()).base_url(server.base_url());
    let client = builder.clone().build().unwrap();
    let mut shown = vec![
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{:?}", ApiKey::new(KEY).unwrap()),
    ];
    for id in ["unauth", "boom", "", ".."] {
        let err = client
            .delete_document()
            .document_id(id)
            .send()
            .await
            .unwrap_err();
        shown.push(format!("{err} | {err:?} | {err:#}"));
    }
    for text in shown {
        assert!(!text.contains(KEY), "the key leaked: {text}");
    }
}
