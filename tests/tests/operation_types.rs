//! What the generated types let a caller write and read, for the shapes the pages
//! make tricky: 304 beside a JSON 200, error bodies of different shapes, enums that
//! gain values, a choice between a script and an audio file, JSON Patch `remove`,
//! lists without declared items, string maps and free-form objects.

use integration_tests::exchange::{Outcome, Received, Stub, outcome};
use serde_json::json;
use tavus_api::types::{
    self, GenerateVideoBody,
    GetPersonaResponseDataItemLayersPerceptionPerceptionModel as PerceptionModel,
    GetPersonaResponseDataItemLayersPerceptionPerceptionModelKnown as KnownPerceptionModel,
};
use tavus_api::{ErrorExt, ErrorKind};

fn replace(path: &str, value: &str) -> types::PatchObjectiveBodyItem {
    types::PatchObjectiveBodyItem::builder()
        .op(types::PatchObjectiveBodyItemOpKnown::Replace)
        .path(path)
        .value(json!(value))
        .try_into()
        .unwrap()
}

#[tokio::test]
async fn a_304_from_a_patch_is_not_modified_for_all_three_patch_operations() {
    let stub = Stub::answering(304, &serde_json::Value::Null).await;
    let client = stub.client();
    let guardrails: types::PatchGuardrailsBodyItem = types::PatchGuardrailsBodyItem::builder()
        .op(types::PatchGuardrailsBodyItemOpKnown::Remove)
        .path("/data/0/callback_url")
        .try_into()
        .unwrap();
    let persona: types::PatchPersonaBodyItem = types::PatchPersonaBodyItem::builder()
        .op(types::PatchPersonaBodyItemOpKnown::Replace)
        .path("/persona_name")
        .value("Wellness Advisor".to_owned())
        .try_into()
        .unwrap();
    let errors = [
        client
            .patch_guardrails()
            .guardrails_id("g1")
            .body(vec![guardrails])
            .send()
            .await
            .map(|_| ())
            .unwrap_err()
            .kind(),
        client
            .patch_objective()
            .objectives_id("o1")
            .body(vec![replace("/objective_name", "same")])
            .send()
            .await
            .map(|_| ())
            .unwrap_err()
            .kind(),
        client
            .patch_persona()
            .persona_id("p1")
            .body(vec![persona])
            .send()
            .await
            .map(|_| ())
            .unwrap_err()
            .kind(),
    ];
    assert_eq!(errors, [ErrorKind::NotModified; 3]);
}

#[tokio::test]
async fn a_json_200_from_a_patch_is_typed_and_a_bodiless_200_is_unit() {
    let stub = Stub::answering(200, &json!({"message": "Objective updated successfully"})).await;
    let updated = stub
        .client()
        .patch_objective()
        .objectives_id("o1")
        .body(vec![replace("/objective_name", "new")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.message.as_deref(),
        Some("Objective updated successfully")
    );

    let stub = Stub::answering(200, &serde_json::Value::Null).await;
    let ended = stub
        .client()
        .end_conversation()
        .conversation_id("c1")
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 200);
    let () = ended.into_inner();
}

#[tokio::test]
async fn error_bodies_of_either_shape_are_readable() {
    for (status, body) in [
        (400, json!({"error": "Invalid patch operation"})),
        (401, json!({"message": "Invalid access token"})),
    ] {
        let stub = Stub::answering(status, &body).await;
        let err = stub
            .client()
            .patch_guardrails()
            .guardrails_id("g1")
            .body(Vec::<types::PatchGuardrailsBodyItem>::new())
            .send()
            .await
            .unwrap_err();
        let Ok(response) = err.into_error_response() else {
            panic!("{status}: not a documented error")
        };
        assert_eq!(response.status(), status);
        let error = response.into_inner();
        assert_eq!(
            (error.error.as_deref(), error.message.as_deref()),
            (body["error"].as_str(), body["message"].as_str())
        );
    }
}

#[tokio::test]
async fn a_remove_patch_is_sent_without_a_value() {
    let stub = Stub::answering(200, &serde_json::Value::Null).await;
    // JSON Patch gives `remove` no value, and the page's own example sends none
    // (`tavus_openapi::adapt::allow_remove_without_value`).
    let remove: types::PatchPersonaBodyItem = types::PatchPersonaBodyItem::builder()
        .op(types::PatchPersonaBodyItemOpKnown::Remove)
        .path("/layers/stt/hotwords")
        .try_into()
        .expect("a remove operation needs no value");
    stub.client()
        .patch_persona()
        .persona_id("p1")
        .body(vec![remove])
        .send()
        .await
        .unwrap();
    assert_eq!(
        stub.the_request().body,
        json!([{"op": "remove", "path": "/layers/stt/hotwords"}])
    );
}

fn persona_with(perception_model: &str) -> serde_json::Value {
    json!({"data": [{
        "persona_id": "p5317866",
        "layers": {
            "perception": {"perception_model": perception_model},
            "llm": {
                "tools": [{"type": "function", "function": {"name": "get_current_weather"}}],
                "headers": {"Authorization": "Bearer your-api-key"},
                "extra_body": {"temperature": 0.7}
            }
        }
    }]})
}

#[tokio::test]
async fn response_enums_read_documented_values_typed_and_new_ones_as_text() {
    for (sent, read) in [
        (
            "raven-0",
            PerceptionModel::Known(KnownPerceptionModel::Raven0),
        ),
        ("off", PerceptionModel::Known(KnownPerceptionModel::Off)),
        ("raven-1", PerceptionModel::Other("raven-1".into())),
    ] {
        let stub = Stub::answering(200, &persona_with(sent)).await;
        let persona = stub
            .client()
            .get_persona()
            .persona_id("p5317866")
            .send()
            .await
            .unwrap()
            .into_inner();
        let perception = persona.data[0]
            .layers
            .as_ref()
            .unwrap()
            .perception
            .as_ref()
            .unwrap();
        assert_eq!(perception.perception_model.as_ref(), Some(&read), "{sent}");
        assert_eq!(read.to_string(), sent);
    }
}

#[tokio::test]
async fn lists_without_items_and_free_form_objects_keep_any_json() {
    let stub = Stub::answering(200, &persona_with("basic")).await;
    let persona = stub
        .client()
        .get_persona()
        .persona_id("p5317866")
        .send()
        .await
        .unwrap()
        .into_inner();
    let llm = persona.data[0]
        .layers
        .as_ref()
        .unwrap()
        .llm
        .as_ref()
        .unwrap();
    assert_eq!(
        llm.tools,
        [json!({"type": "function", "function": {"name": "get_current_weather"}})]
    );
    assert_eq!(llm.headers["Authorization"], "Bearer your-api-key");
    assert_eq!(llm.extra_body["temperature"], 0.7);
}

#[tokio::test]
async fn string_maps_and_nullable_fields_are_typed() {
    let stub = Stub::answering(
        200,
        &json!({"data": {
            "objective_name": "ask_if_new_patient",
            "next_conditional_objectives": {"new_patient_intake_process": "If new"}
        }}),
    )
    .await;
    let objective = stub
        .client()
        .get_objective()
        .objectives_id("o12345")
        .send()
        .await
        .unwrap()
        .into_inner();
    let data = objective.data.unwrap();
    assert_eq!(
        data.next_conditional_objectives["new_patient_intake_process"],
        "If new"
    );
    assert_eq!(
        stub.the_request(),
        Received::new("GET", "/v2/objectives/o12345")
    );

    let stub = Stub::answering(
        200,
        &json!({"document_id": "d1", "progress": null, "crawl_config": null, "crawl_count": 3}),
    )
    .await;
    let document = stub
        .client()
        .get_document()
        .document_id("d1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            document.progress,
            document.crawl_config,
            document.crawl_count
        ),
        (None, None, Some(3))
    );
}

#[tokio::test]
async fn a_video_is_generated_from_a_script_or_from_an_audio_file() {
    // A choice between two shapes (`oneOf`) is an enum whose variants hold a struct each
    // (`tavus_openapi::adapt::name_one_of_alternatives`), built by its own builder.
    let from_text: GenerateVideoBody = types::GenerateVideoBodyGenerateFromText::builder()
        .replica_id("r665388ec672")
        .script("Hi, this is my first video.")
        .video_name("My First Video".to_owned())
        .properties(
            types::GenerateVideoBodyProperties::try_from(
                types::GenerateVideoBodyProperties::builder().start_with_wave(false),
            )
            .unwrap(),
        )
        .try_into()
        .map(GenerateVideoBody::Text)
        .unwrap();
    let from_audio = GenerateVideoBody::from(
        types::GenerateVideoBodyGenerateFromAudioFile::try_from(
            types::GenerateVideoBodyGenerateFromAudioFile::builder()
                .replica_id("r665388ec672")
                .audio_url("https://example.com/hello.wav")
                .fast(true),
        )
        .unwrap(),
    );
    for (body, sent) in [
        (
            from_text,
            json!({"replica_id": "r665388ec672", "script": "Hi, this is my first video.", "video_name": "My First Video", "properties": {"start_with_wave": false}}),
        ),
        (
            from_audio,
            json!({"replica_id": "r665388ec672", "audio_url": "https://example.com/hello.wav", "fast": true}),
        ),
    ] {
        let stub = Stub::answering(200, &json!({"video_id": "abcd123", "status": "queued"})).await;
        let video = outcome(stub.client().generate_video().body(body).send().await);
        assert_eq!(
            video,
            Outcome::Success {
                status: 200,
                body: json!({"video_id": "abcd123", "status": "queued"})
            }
        );
        assert_eq!(stub.the_request().body, sent);
    }
}
