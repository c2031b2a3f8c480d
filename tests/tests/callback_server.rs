//! The router of `tavus-api/examples/callback_server.rs`, on 127.0.0.1: it takes a
//! callback only with the right token in its URL, and reads every example of the page.

#[allow(dead_code)]
#[path = "../../tavus-api/examples/callback_server.rs"]
mod callback_server;

use integration_tests::repo_root;
use xtask::callbacks::CallbacksPage;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, callback_server::app(TOKEN.to_owned()))
            .await
            .unwrap()
    });
    format!("http://{address}/tavus/callbacks")
}

async fn post(url: &str, body: &str) -> u16 {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn only_the_right_token_is_heard() {
    let base = start().await;
    let body = r#"{"event_type": "system.replica_joined", "conversation_id": "c1"}"#;
    assert_eq!(post(&format!("{base}/{TOKEN}"), body).await, 200);
    // Same length, last byte wrong; shorter; longer; none.
    let wrong = format!("{}0", &TOKEN[..TOKEN.len() - 1]);
    assert_eq!(post(&format!("{base}/{wrong}"), body).await, 404);
    assert_eq!(post(&format!("{base}/{}", &TOKEN[1..]), body).await, 404);
    assert_eq!(post(&format!("{base}/{TOKEN}x"), body).await, 404);
    assert_eq!(post(&format!("{base}/"), body).await, 404);
    assert_eq!(post(&base, body).await, 404);
}

#[tokio::test]
async fn every_valid_example_is_taken_and_broken_bodies_refused() {
    let base = start().await;
    let url = format!("{base}/{TOKEN}");
    let page =
        std::fs::read_to_string(repo_root().join("guides/sections/webhooks-and-callbacks.md"));
    for example in CallbacksPage::parse(&page.unwrap()).examples {
        let expected = if example.json().is_ok() { 200 } else { 400 };
        assert_eq!(
            post(&url, &example.text).await,
            expected,
            "{}",
            example.name
        );
    }
    // A known callback with a field of the wrong type is still taken (and printed raw).
    let odd = r#"{"video_id": "v1", "status": 3}"#;
    assert_eq!(post(&url, odd).await, 200);
    assert_eq!(post(&url, "{\"event_type\": ").await, 400);
}

#[tokio::test]
async fn a_wrong_token_is_answered_before_the_body_is_read() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let base = start().await;
    let address = base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    // A body of 100 MB is promised and never sent: only an answer that does not wait for
    // it arrives.
    let head = "POST /tavus/callbacks/wrong-token HTTP/1.1\r\nhost: x\r\n\
                content-type: application/json\r\ncontent-length: 100000000\r\n\r\n{";
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = [0u8; 12];
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_exact(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "no answer while the body was pending");
    assert_eq!(&answer, b"HTTP/1.1 404");
}
