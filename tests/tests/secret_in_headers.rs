//! Why every operation returns `tavus_api::Error` rather than progenitor's error
//! (`tavus_openapi::code::return_errors_through`): progenitor's prints every response
//! header, so a server or proxy that echoes the request's `x-api-key` into a header would
//! put the key into the caller's logs. Ours never prints headers.

use httpmock::Method::DELETE;
use httpmock::MockServer;

const KEY: &str = "tvs-test-key";

#[tokio::test]
async fn a_key_echoed_in_a_response_header_never_shows() {
    let server = MockServer::start_async().await;
    for (id, status) in [("documented", 400), ("undocumented", 418)] {
        server
            .mock_async(|when, then| {
                when.method(DELETE).path(format!("/v2/documents/{id}"));
                then.status(status)
                    .header("x-echo-api-key", KEY)
                    .header("content-type", "application/json")
                    .body(r#"{"error": "no"}"#);
            })
            .await;
    }
    let client = integration_tests::client_sending_once(&server.base_url());
    for id in ["documented", "undocumented"] {
        let err = client
            .delete_document()
            .document_id(id)
            .send()
            .await
            .unwrap_err();
        for text in [err.to_string(), format!("{err:?}"), format!("{err:#}")] {
            assert!(!text.contains(KEY), "{id}: the key leaked: {text}");
        }
        // What the adaptation keeps users from: progenitor's own error prints it.
        let generated = err.into_generated();
        assert!(generated.to_string().contains(KEY), "{id}: {generated}");
    }
}
