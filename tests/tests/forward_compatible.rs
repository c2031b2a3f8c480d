//! What Tavus sends or accepts beyond the vendored spec reaches the caller and the server
//! (issue 11): undeclared properties are kept both ways, enum values the spec does not
//! list decode and can be sent, booleans sent as strings decode, and decoding then
//! re-encoding a body loses nothing.

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::{Value, json};
use tavus_api::{Client, ErrorExt, LenientBool, types};

fn client(server: &MockServer) -> Client {
    integration_tests::client_sending_once(&server.base_url())
}

/// A video as Tavus sends it today: fields the vendored page does not declare
/// (`replica_id`, `generation_progress`, a nested object), and one nested in `data`.
fn newer_video() -> Value {
    json!({
        "video_id": "v1",
        "video_name": "Intro",
        "status": "generating",
        "replica_id": "r9",
        "generation_progress": "42/100",
        "created_at": "Mon, 30 Nov 2026 10:00:00 GMT",
        "brand_new": {"nested": [1, "two", {"three": null}]},
        "data": {"script": "Hello", "unheard_of": true}
    })
}

#[tokio::test]
async fn undeclared_response_properties_are_kept_and_written_back() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/videos/v1");
            then.status(200).json_body(newer_video());
        })
        .await;
    let video = client(&server)
        .get_video()
        .video_id("v1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(video.video_id.as_deref(), Some("v1"));
    assert_eq!(video.extra["replica_id"], "r9");
    assert_eq!(video.extra["generation_progress"], "42/100");
    assert_eq!(video.extra["brand_new"]["nested"][1], "two");
    let data = video.data.as_ref().unwrap();
    assert_eq!(data.extra["unheard_of"], true);
    assert!(
        !video.extra.contains_key("video_id"),
        "declared stay fields"
    );
    // Decoding and encoding again gives back exactly what was sent.
    assert_eq!(serde_json::to_value(&video).unwrap(), newer_video());
}

#[tokio::test]
async fn a_persona_with_a_boolean_sent_as_a_string_decodes() {
    // As in a documented persona example: `tts_emotion_control: "false"`, where the spec
    // says boolean. With `bool`, the whole response failed to decode.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/personas/p1");
            then.status(200).json_body(json!({"data": [{
                "persona_id": "p1",
                "layers": {"tts": {"tts_engine": "cartesia", "tts_emotion_control": "false"}},
            }]}));
        })
        .await;
    let persona = client(&server)
        .get_persona()
        .persona_id("p1")
        .send()
        .await
        .unwrap()
        .into_inner();
    let tts = persona.data[0]
        .layers
        .as_ref()
        .unwrap()
        .tts
        .as_ref()
        .unwrap();
    assert_eq!(tts.tts_emotion_control, Some(LenientBool(false)));
    assert!(matches!(
        tts.tts_engine,
        Some(types::GetPersonaResponseDataItemLayersTtsTtsEngine::Known(
            types::GetPersonaResponseDataItemLayersTtsTtsEngineKnown::Cartesia
        ))
    ));
}

#[tokio::test]
async fn enum_values_newer_than_the_spec_decode_and_can_be_sent() {
    let server = MockServer::start_async().await;
    let sent = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/personas").json_body(json!({
                "system_prompt": "Be brief.",
                "layers": {"tts": {"tts_engine": "tomorrows-engine", "tts_emotion_control": true}},
            }));
            then.status(200)
                .json_body(json!({"persona_id": "p2", "persona_name": "New"}));
        })
        .await;
    let tts = types::CreatePersonaBodyLayersTts::builder()
        .tts_engine(types::CreatePersonaBodyLayersTtsTtsEngine::Other(
            "tomorrows-engine".into(),
        ))
        .tts_emotion_control(true);
    // An optional property takes its value or an `Option` of it; a nested object is built
    // by its own builder and converted (`try_into`), which checks its required properties.
    let layers = types::CreatePersonaBodyLayers::builder()
        .tts(types::CreatePersonaBodyLayersTts::try_from(tts).unwrap());
    client(&server)
        .create_persona()
        .body_map(|body| {
            body.system_prompt("Be brief.".to_owned())
                .layers(types::CreatePersonaBodyLayers::try_from(layers).unwrap())
        })
        .send()
        .await
        .unwrap();
    assert_eq!(sent.calls_async().await, 1);

    // And in a response: the unknown value is kept as it came.
    let engine: types::GetPersonaResponseDataItemLayersTtsTtsEngine =
        serde_json::from_value(json!("tomorrows-engine")).unwrap();
    assert_eq!(
        engine,
        types::GetPersonaResponseDataItemLayersTtsTtsEngine::Other("tomorrows-engine".into())
    );
}

#[tokio::test]
async fn a_request_can_carry_a_property_the_spec_does_not_list() {
    let server = MockServer::start_async().await;
    let sent = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/conversations")
                .json_body(json!({"persona_id": "p1", "pal_id": "pal-7"}));
            then.status(200)
                .json_body(json!({"conversation_id": "c1", "status": "active"}));
        })
        .await;
    let mut newer = serde_json::Map::new();
    newer.insert("pal_id".into(), json!("pal-7"));
    let conversation = client(&server)
        .create_conversation()
        .body_map(|body| body.persona_id("p1".to_owned()).extra(newer))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sent.calls_async().await, 1);
    assert_eq!(conversation.conversation_id.as_deref(), Some("c1"));
}

#[tokio::test]
async fn a_body_built_without_its_extra_map_is_sent() {
    // typify's builders required the map of undeclared properties to be set
    // (`tavus_openapi::code::default_flattened_maps`): a body built the documented way
    // failed before sending.
    let server = MockServer::start_async().await;
    let sent = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/documents")
                .json_body(json!({"document_url": "https://example.com/a.pdf"}));
            then.status(200).json_body(json!({"document_id": "d1"}));
        })
        .await;
    client(&server)
        .create_document()
        .body_map(|body| body.document_url("https://example.com/a.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.calls_async().await, 1);
}

#[tokio::test]
async fn a_required_value_left_unset_fails_before_anything_is_sent() {
    // What the drift rules call `fails-before-sending` (a new required parameter or
    // body property): the call compiles, and `send` refuses it without a request.
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({}));
        })
        .await;
    let client = client(&server);
    let no_id = client.delete_document().send().await.unwrap_err();
    assert_eq!(no_id.kind(), tavus_api::ErrorKind::InvalidRequest);
    assert!(no_id.to_string().contains("document_id"), "{no_id}");
    let no_url = client
        .create_document()
        .body_map(|body| body.document_name("x".to_owned()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(no_url.kind(), tavus_api::ErrorKind::InvalidRequest);
    assert!(no_url.to_string().contains("document_url"), "{no_url}");
    assert_eq!(anything.calls_async().await, 0);
}
