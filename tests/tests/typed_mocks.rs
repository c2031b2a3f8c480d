//! tavus-api-httpmock's generated helpers, used the way a user's own tests would use them:
//! the request side pins the operation and its parameters, the response side answers a
//! documented status with its typed body, and the client reads it back.

use httpmock::MockServer;
use tavus_api::types::{
    self, CreateConversationBody, CreateConversationResponse, DeleteDocumentError,
};
use tavus_api::{Client, ErrorExt, ErrorKind};
use tavus_api_httpmock::MockServerExt;

fn client(server: &MockServer) -> Client {
    integration_tests::client_sending_once(&server.base_url())
}

#[tokio::test]
async fn a_typed_mock_matches_its_operation_and_parameter_only() {
    let server = MockServer::start_async().await;
    let deleted = server.delete_document(|when, then| {
        when.document_id("d8-5c71baca86fc");
        then.no_content();
    });
    let client = client(&server);

    let response = client
        .delete_document()
        .document_id("d8-5c71baca86fc")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    // Another id, or another method on the same path, is not this mock's request.
    let other = client
        .delete_document()
        .document_id("another-id")
        .send()
        .await
        .unwrap_err();
    assert_eq!(other.status().map(|s| s.as_u16()), Some(404), "{other}");
    let get = reqwest::get(server.url("/v2/documents/d8-5c71baca86fc"))
        .await
        .unwrap();
    assert_eq!(get.status(), 404);

    deleted.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_typed_error_answer_reaches_the_client_typed() {
    let server = MockServer::start_async().await;
    let refused = server.delete_document(|when, then| {
        when.document_id("d1");
        then.unauthorized(
            &DeleteDocumentError::builder()
                .message("Invalid access token".to_owned())
                .try_into()
                .unwrap(),
        );
    });

    let err = client(&server)
        .delete_document()
        .document_id("d1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    let Ok(body) = err.into_error_response() else {
        panic!("not a typed error")
    };
    assert_eq!(body.message.as_deref(), Some("Invalid access token"));
    refused.assert_async().await;
}

#[tokio::test]
async fn a_typed_mock_matches_the_request_body_and_answers_a_typed_body() {
    let server = MockServer::start_async().await;
    let standup: CreateConversationBody = CreateConversationBody::builder()
        .replica_id("r79e1c033f".to_owned())
        .conversation_name("standup".to_owned())
        .try_into()
        .unwrap();
    let c123: CreateConversationResponse = CreateConversationResponse::builder()
        .conversation_id("c123".to_owned())
        .conversation_url("https://tavus.daily.co/c123".to_owned())
        .try_into()
        .unwrap();
    let created = server.create_conversation(|when, then| {
        when.body(&standup);
        then.ok(&c123);
    });
    let client = client(&server);

    let answer = client
        .create_conversation()
        .body(standup.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.conversation_id.as_deref(), Some("c123"));
    assert_eq!(
        answer.conversation_url.as_deref(),
        Some("https://tavus.daily.co/c123")
    );
    // Another body is another request.
    let retro =
        types::builder::CreateConversationBody::from(standup).conversation_name("retro".to_owned());
    let err = client
        .create_conversation()
        .body(retro)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
    created.assert_calls_async(1).await;
}
