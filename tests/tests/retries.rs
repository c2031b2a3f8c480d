//! The retry policy against httpmock: what is sent again, when, and when the client stops.
//! Waits are kept to tens of milliseconds; time is only checked as a lower bound (a sleep
//! never ends early), never as an upper one.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use httpmock::Method::{DELETE, POST};
use httpmock::MockServer;
use tavus_api::types::CreateConversationBody;
use tavus_api::{ApiKey, Client, ErrorExt, ErrorKind, RetryPolicy};

fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(40))
        .max_elapsed(Duration::from_secs(5))
}

fn client(base_url: String, policy: RetryPolicy) -> Client {
    Client::builder(ApiKey::new("tvs-retry-key").unwrap())
        .base_url(base_url)
        .retry(policy)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_503_then_a_204_succeeds() {
    let server = MockServer::start_async().await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/documents/d1");
            then.status(503).up_to_n_times(1);
        })
        .await;
    let deleted = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/documents/d1");
            then.status(204);
        })
        .await;
    let response = client(server.base_url(), quick())
        .delete_document()
        .document_id("d1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    unavailable.assert_calls_async(1).await;
    deleted.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_429_waits_as_long_as_retry_after_says() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(DELETE);
            then.status(429).header("retry-after", "1").up_to_n_times(1);
        })
        .await;
    let deleted = server
        .mock_async(|when, then| {
            when.method(DELETE);
            then.status(204);
        })
        .await;
    let started = Instant::now();
    client(server.base_url(), quick())
        .delete_document()
        .document_id("d1")
        .send()
        .await
        .unwrap();
    // The backoff alone would have waited at most 40 ms.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    limited.assert_calls_async(1).await;
    deleted.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_retry_after_date_beyond_max_elapsed_returns_the_429() {
    let server = MockServer::start_async().await;
    let in_an_hour = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    let limited = server
        .mock_async(|when, then| {
            when.method(DELETE);
            then.status(429).header("retry-after", in_an_hour);
        })
        .await;
    let err = client(server.base_url(), quick())
        .delete_document()
        .document_id("d1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429), "{err}");
    limited.assert_calls_async(1).await;
}

#[tokio::test]
async fn attempts_are_capped_and_the_last_answer_returned() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(DELETE);
            then.status(500).body("still down");
        })
        .await;
    let err = client(server.base_url(), quick().max_attempts(4))
        .delete_document()
        .document_id("d1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedStatus);
    assert_eq!(err.body(), Some(&b"still down"[..]));
    failing.assert_calls_async(4).await;
}

#[tokio::test]
async fn no_retries_sends_once() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(DELETE);
            then.status(503);
        })
        .await;
    let client = Client::builder(ApiKey::new("tvs-retry-key").unwrap())
        .base_url(server.base_url())
        .no_retries()
        .build()
        .unwrap();
    client
        .delete_document()
        .document_id("d1")
        .send()
        .await
        .unwrap_err();
    failing.assert_calls_async(1).await;
}

#[tokio::test]
async fn final_statuses_are_not_retried() {
    let server = MockServer::start_async().await;
    let missing = server
        .mock_async(|when, then| {
            when.method(DELETE);
            then.status(404)
                .json_body(serde_json::json!({ "message": "no" }));
        })
        .await;
    let err = client(server.base_url(), quick())
        .delete_document()
        .document_id("d1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    missing.assert_calls_async(1).await;
}

/// Nothing listens on the port for the first attempt; a server starts there before
/// the retry, which then succeeds.
#[tokio::test]
async fn a_refused_connection_is_retried() {
    let port = free_port();
    // Built first: loading TLS roots must not delay the first attempt past the server's start.
    let client = client(format!("http://127.0.0.1:{port}"), late_policy());
    let late_server = serve_once_later(port, "204 No Content", "");
    let started = Instant::now();
    let response = client
        .delete_document()
        .document_id("d1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "a retry happened"
    );
    let received = late_server.join().unwrap();
    assert!(
        received.starts_with("DELETE /v2/documents/d1 "),
        "{received}"
    );
}

/// Creating a conversation is a `POST`: the server may have acted on it, so its 503 comes
/// back as it is, after one attempt, even with `Retry-After: 0`.
#[tokio::test]
async fn a_post_answered_503_is_not_sent_again() {
    let server = MockServer::start_async().await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/conversations");
            then.status(503).header("retry-after", "0");
        })
        .await;
    let err = client(server.base_url(), quick())
        .create_conversation()
        .body(conversation())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err}");
    unavailable.assert_calls_async(1).await;
}

/// A `POST` that found nothing listening never reached a server: sending it again is safe.
#[tokio::test]
async fn a_post_whose_connection_was_refused_is_sent_again() {
    let port = free_port();
    let client = client(format!("http://127.0.0.1:{port}"), late_policy());
    let late_server = serve_once_later(port, "200 OK", r#"{"conversation_id":"c1"}"#);
    let started = Instant::now();
    let created = client
        .create_conversation()
        .body(conversation())
        .send()
        .await
        .unwrap();
    assert_eq!(created.conversation_id.as_deref(), Some("c1"));
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "a retry happened"
    );
    let received = late_server.join().unwrap();
    assert!(
        received.starts_with("POST /v2/conversations "),
        "{received}"
    );
}

/// A connection that breaks after the request went out is sent again for a `DELETE`, up to
/// the policy's attempts, and ends as a communication error.
#[tokio::test]
async fn a_connection_broken_mid_request_is_retried_for_a_delete() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let requests = received.clone();
    // Left running (detached): it must not hold the test up if fewer attempts come.
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut request = [0u8; 4096];
            let read = stream.read(&mut request).unwrap();
            let request = String::from_utf8_lossy(&request[..read]).into_owned();
            requests.lock().unwrap().push(request);
            // Dropped without an answer: the connection closes mid-request.
        }
    });
    let err = client(format!("http://127.0.0.1:{port}"), quick().max_attempts(3))
        .delete_document()
        .document_id("d1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Communication, "{err}");
    let requests = received.lock().unwrap().clone();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert!(
        requests
            .iter()
            .all(|r| r.starts_with("DELETE /v2/documents/d1 "))
    );
}

fn conversation() -> tavus_api::types::builder::CreateConversationBody {
    CreateConversationBody::builder().replica_id("r79e1c033f".to_owned())
}

/// The first retry waits 200-400 ms: by then [`serve_once_later`]'s server is usually up,
/// and the later attempts leave a loaded machine a few seconds more.
fn late_policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(10)
        .initial_backoff(Duration::from_millis(400))
        .max_backoff(Duration::from_millis(400))
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    let probe = TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// A server that starts listening on `port` 100 ms from now, answers one request with
/// `status` and a JSON `body`, and returns the request it read.
fn serve_once_later(port: u16, status: &'static str, body: &'static str) -> JoinHandle<String> {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 4096];
        let read = stream.read(&mut request).unwrap();
        let answer = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(answer.as_bytes()).unwrap();
        String::from_utf8_lossy(&request[..read]).into_owned()
    })
}
