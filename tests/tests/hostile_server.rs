//! The client against servers that misbehave on purpose: redirects elsewhere, bodies that
//! never end, bodies cut off, answers that are not what the operation documents. The key
//! stays home, memory stays bounded, and every error says what happened.

use httpmock::Method::{DELETE, POST};
use httpmock::MockServer;
use integration_tests::client_sending_once;
use local_server::{Body, LocalServer};
use tavus_api::{ApiKey, Client, ErrorExt, ErrorKind, types};

const KEY: &str = "tvs-test-key";

/// A server that answers every request with `status`, `headers` and the body pieces
/// `body(0)`, `body(1)`, ... until `None`, whatever the headers promise, counting what it
/// managed to send before the client stopped reading (`body_bytes_sent`).
fn misbehaving(
    status: u16,
    headers: &[(&'static str, &'static str)],
    body: fn(usize) -> Option<Vec<u8>>,
) -> LocalServer {
    let headers = headers.to_vec();
    LocalServer::start(move |_| {
        let mut response = http::Response::builder().status(status);
        for (name, value) in &headers {
            response = response.header(*name, *value);
        }
        response
            .body(Body::chunks(move |n| body(n).map(Into::into)))
            .unwrap()
    })
    .unwrap()
}

const MIB: usize = 1024 * 1024;

fn limited_client(base_url: &str, limit: usize) -> Client {
    Client::builder(ApiKey::new(KEY).unwrap())
        .base_url(base_url)
        .no_retries()
        .max_response_size(limit)
        .build()
        .unwrap()
}

#[tokio::test]
async fn redirects_are_not_followed_to_another_origin_or_resource() {
    let api = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let stolen = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(serde_json::json!({}));
        })
        .await;
    let same_origin_other = api
        .mock_async(|when, then| {
            when.path("/v2/videos/someone-else");
            then.status(204);
        })
        .await;
    for status in [301, 302, 303, 307, 308] {
        for target in [
            elsewhere.url("/v2/documents/d1"),
            api.url("/v2/videos/someone-else"),
        ] {
            let redirect = api
                .mock_async(|when, then| {
                    when.any_request();
                    then.status(status).header("location", &target);
                })
                .await;
            let client = client_sending_once(&api.base_url());
            let deleted = client
                .delete_document()
                .document_id("d1")
                .send()
                .await
                .unwrap_err();
            let created = client
                .create_conversation()
                .body_map(|body| body.replica_id("r1".to_owned()))
                .send()
                .await
                .unwrap_err();
            for err in [deleted.to_string(), created.to_string()] {
                assert!(err.contains(&format!("{status}")), "{err}");
                assert!(err.contains("follows no redirects"), "{err}");
                assert!(err.contains(&target), "{err}");
                assert!(!err.contains(KEY), "{err}");
            }
            assert_eq!(deleted.kind(), ErrorKind::UnexpectedStatus);
            assert_eq!(deleted.status().map(|s| s.as_u16()), Some(status));
            redirect.assert_calls_async(2).await;
            redirect.delete_async().await;
        }
    }
    stolen.assert_calls_async(0).await;
    same_origin_other.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_huge_declared_body_is_refused_before_it_is_read() {
    let server = misbehaving(
        200,
        &[
            ("content-type", "application/json"),
            ("content-length", "2000000000"),
        ],
        |n| (n < 200).then(|| vec![b' '; MIB]),
    );
    let err = limited_client(server.base_url(), MIB)
        .get_document()
        .document_id("d1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge);
    assert_eq!(err.body(), None, "a body over the limit was not kept");
    let text = err.to_string();
    assert!(text.contains("get_document"), "{text}");
    assert!(text.contains("1048576 bytes"), "{text}");
    assert!(text.contains("max_response_size"), "{text}");
    // Loopback buffers take a few MiB whoever reads; 200 MiB were on offer.
    assert!(
        server.body_bytes_sent() < 32 * MIB,
        "the server sent {}",
        server.body_bytes_sent()
    );
}

#[tokio::test]
async fn an_endless_chunked_body_is_cut_at_the_limit() {
    // No `Content-Length`: the server sends it chunked.
    let server = misbehaving(200, &[("content-type", "application/json")], |n| {
        (n < 200).then(|| vec![b' '; MIB])
    });
    let err = limited_client(server.base_url(), 2 * MIB)
        .get_document()
        .document_id("d1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge);
    assert!(
        server.body_bytes_sent() < 32 * MIB,
        "the server sent {}",
        server.body_bytes_sent()
    );
}

#[tokio::test]
async fn an_error_keeps_at_most_64_kib_of_a_huge_body() {
    let server = misbehaving(
        500,
        &[
            ("content-type", "text/plain"),
            ("content-length", "104857600"),
        ],
        |n| (n < 100).then(|| vec![b'x'; MIB]),
    );
    let err = limited_client(server.base_url(), 8 * MIB)
        .get_document()
        .document_id("d1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedStatus);
    assert_eq!(err.body().map(<[u8]>::len), Some(64 * 1024));
    let text = err.to_string();
    assert!(text.contains("500 Internal Server Error"), "{text}");
    assert!(
        text.contains("a body of more than 65536 bytes, cut there"),
        "{text}"
    );
    assert!(text.len() < 600, "the text shows an excerpt only: {text}");
    assert!(
        server.body_bytes_sent() < 32 * MIB,
        "the server sent {}",
        server.body_bytes_sent()
    );
}

#[tokio::test]
async fn a_body_cut_off_midway_is_a_communication_error() {
    let server = misbehaving(
        200,
        &[
            ("content-type", "application/json"),
            ("content-length", "100"),
        ],
        |n| (n == 0).then(|| b"{\"document".to_vec()),
    );
    let err = client_sending_once(server.base_url())
        .get_document()
        .document_id("d1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Communication);
    let text = err.to_string();
    assert!(
        text.starts_with("get_document: the connection failed"),
        "{text}"
    );
}

#[tokio::test]
async fn error_texts_say_what_happened_and_never_show_the_key() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/documents/undocumented");
            then.status(502)
                .body("upstream said: <html>bad gateway</html>");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/documents/proxy");
            then.status(401)
                .header("content-type", "text/html")
                .body("<html>401 Authorization Required</html>");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/documents/gone");
            then.status(404)
                .json_body(serde_json::json!({"message": "Document not found"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/documents/echo");
            then.status(400).body(format!(
                "bad request; you sent x-api-key: {KEY}\nuser-agent: ..."
            ));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/conversations");
            then.status(200).body("not json at all");
        })
        .await;
    let client = client_sending_once(&server.base_url());
    let texts = |err: &dyn std::error::Error| (format!("{err}"), format!("{err:?}"));

    let undocumented = client
        .delete_document()
        .document_id("undocumented")
        .send()
        .await
        .unwrap_err();
    let (display, debug) = texts(&undocumented);
    assert_eq!(display, debug, "? out of main prints Debug");
    assert_eq!(
        display,
        "delete_document: Tavus answered 502 Bad Gateway, which delete_document does not \
         document: upstream said: <html>bad gateway</html>"
    );

    let proxy = client
        .delete_document()
        .document_id("proxy")
        .send()
        .await
        .unwrap_err();
    assert_eq!(proxy.kind(), ErrorKind::InvalidBody);
    assert!(proxy.is_authentication_failure());
    let (display, _) = texts(&proxy);
    assert!(display.contains("401 Unauthorized"), "{display}");
    assert!(display.contains("401 Authorization Required"), "{display}");

    let gone = client
        .delete_document()
        .document_id("gone")
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::Api);
    assert!(!gone.is_authentication_failure());
    assert_eq!(
        texts(&gone).0,
        r#"delete_document: Tavus answered 404 Not Found: {"message":"Document not found"}"#
    );

    let garbled = client
        .create_conversation()
        .body(types::CreateConversationBody::builder())
        .send()
        .await
        .unwrap_err();
    assert_eq!(garbled.kind(), ErrorKind::InvalidBody);
    let (display, _) = texts(&garbled);
    assert!(
        display
            .starts_with("create_conversation: Tavus answered 200 OK with a body that is not JSON"),
        "{display}"
    );
    assert!(display.ends_with(": not json at all"), "{display}");

    let refused = client_sending_once("http://127.0.0.1:1")
        .delete_document()
        .document_id("d1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Connect);
    let (display, _) = texts(&refused);
    assert!(
        display.starts_with("delete_document: could not connect: "),
        "{display}"
    );
    assert!(display.to_lowercase().contains("refused"), "{display}");

    // A server that echoes the request into its error page cannot make the key show.
    let echo = client
        .delete_document()
        .document_id("echo")
        .send()
        .await
        .unwrap_err();
    let (display, _) = texts(&echo);
    assert!(display.contains("x-api-key: <redacted>"), "{display}");
    let body = String::from_utf8_lossy(echo.body().unwrap()).into_owned();
    assert!(!body.contains(KEY), "{body}");

    for err in [&undocumented, &proxy, &gone, &refused, &echo] {
        let (display, debug) = texts(err);
        assert!(!display.contains(KEY) && !debug.contains(KEY), "{debug}");
    }
}

#[test]
fn configuration_errors_print_what_to_do_through_debug_too() {
    let err = Client::builder(ApiKey::new(KEY).unwrap())
        .base_url("http://user:secret@127.0.0.1:1")
        .build()
        .unwrap_err();
    let debug = format!("{err:?}");
    assert_eq!(debug, err.to_string());
    assert!(!debug.contains("secret"), "{debug}");
    assert!(debug.contains("ClientBuilder::base_url"), "{debug}");
}

#[tokio::test]
async fn a_documented_error_cut_at_64_kib_says_it_was_cut() {
    let server = misbehaving(
        404,
        &[
            ("content-type", "application/json"),
            ("content-length", "100014"),
        ],
        |n| match n {
            0 => Some(b"{\"message\": \"".to_vec()),
            1 => Some(vec![b'x'; 100_000]),
            2 => Some(b"\"}".to_vec()),
            _ => None,
        },
    );
    let err = client_sending_once(server.base_url())
        .delete_document()
        .document_id("d1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidBody);
    let text = err.to_string();
    assert!(
        text.contains("only its first 65536 bytes were kept"),
        "{text}"
    );
}
