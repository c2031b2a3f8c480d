//! `tavus_api::callbacks` against the guide page it is typed from: every JSON example of
//! the vendored page decodes to the event it shows (or, for the one that is not JSON as
//! published, fails as documented), and no input, however broken, makes decoding panic.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use integration_tests::{docs_snapshot, repo_root};
use proptest::prelude::*;
use serde_json::{Value, json};
use tavus_api::callbacks::{
    Callback, ConversationCallback, ConversationEvent, DecodeError, MessageType, Role,
    ShutdownReason, TrainingStatus, VideoStatus,
};
use xtask::callbacks::{CallbacksPage, Example};

fn page() -> CallbacksPage {
    let file = repo_root().join("guides/sections/webhooks-and-callbacks.md");
    CallbacksPage::parse(&std::fs::read_to_string(file).unwrap())
}

fn example(page: &CallbacksPage, name: &str) -> Example {
    page.example(name)
        .unwrap_or_else(|| panic!("the page has no example `{name}`"))
        .clone()
}

fn decode(example: &Example) -> Callback {
    Callback::from_slice(example.text.as_bytes())
        .unwrap_or_else(|e| panic!("example `{}` (line {}): {e}", example.name, example.line))
}

fn conversation(page: &CallbacksPage, name: &str) -> ConversationCallback {
    match decode(&example(page, name)) {
        Callback::Conversation(c) => c,
        other => panic!("example `{name}` is not a conversation callback: {other:?}"),
    }
}

fn at(seconds: u64, micros: u64) -> Option<SystemTime> {
    Some(UNIX_EPOCH + Duration::from_secs(seconds) + Duration::from_micros(micros))
}

/// The examples this file checks, in page order. A new example upstream fails this test
/// until it is added (the drift check reports it as `callback-example-added`).
const EXAMPLES: &[&str] = &[
    "Structure",
    "system.replica_joined",
    "system.shutdown",
    "application.transcription_ready",
    "application.recording_ready",
    "application.perception_analysis",
    "Replica Training Completed",
    "Replica Training Error",
    "Video Generation Completed",
    "Video Generation Error",
];

/// The examples that are not valid JSON as published, and why.
///
/// - `Replica Training Completed`: `"status": "ready",` is followed by `}`; JSON allows no
///   trailing comma. Tavus's servers send JSON, so the real body has no such comma.
const INVALID_AS_PUBLISHED: &[&str] = &["Replica Training Completed"];

#[test]
fn the_vendored_page_is_the_fixture_copy_byte_for_byte() {
    let vendored = std::fs::read(repo_root().join("guides/sections/webhooks-and-callbacks.md"));
    let fixture = std::fs::read(docs_snapshot().join("sections/webhooks-and-callbacks.md"));
    assert_eq!(vendored.unwrap(), fixture.unwrap());
}

#[test]
fn every_example_is_checked_here() {
    let page = page();
    let names: Vec<&str> = page.examples.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, EXAMPLES);
    for example in &page.examples {
        let valid = example.json().is_ok();
        assert_eq!(
            valid,
            !INVALID_AS_PUBLISHED.contains(&example.name.as_str()),
            "example `{}` (line {})",
            example.name,
            example.line
        );
    }
}

#[test]
fn the_structure_example_is_an_event_of_unknown_type() {
    // Every value is a placeholder: `<event_type>` is not an event this crate knows.
    let c = conversation(&page(), "Structure");
    assert_eq!(c.conversation_id, "<conversation_id>");
    assert_eq!(c.event_type, "<event_type>");
    assert_eq!(
        c.event,
        ConversationEvent::Other(json!({"replica_id": "<replica_id>"}))
    );
    assert_eq!(
        c.message_type,
        Some(MessageType::Other("<system/application>".into()))
    );
    assert_eq!(c.webhook_url.as_deref(), Some("<webhook_url>"));
    let timestamp = c.timestamp.unwrap();
    assert_eq!(timestamp.as_str(), "<timestamp>");
    assert_eq!(timestamp.to_system_time(), None);
    assert!(c.extra.is_empty());
}

#[test]
fn system_callbacks() {
    let page = page();
    let joined = conversation(&page, "system.replica_joined");
    let ConversationEvent::ReplicaJoined(properties) = &joined.event else {
        panic!("{:?}", joined.event);
    };
    assert_eq!(properties.replica_id.as_deref(), Some("<replica_id>"));
    assert!(properties.extra.is_empty());
    assert_eq!(joined.message_type, Some(MessageType::System));
    // 2025-07-11T06:45:47.472000Z
    let timestamp = joined.timestamp.unwrap();
    assert_eq!(timestamp.to_system_time(), at(1_752_216_347, 472_000));
    assert!(timestamp.has_offset());

    let shutdown = conversation(&page, "system.shutdown");
    let ConversationEvent::Shutdown(properties) = &shutdown.event else {
        panic!("{:?}", shutdown.event);
    };
    assert_eq!(
        properties.shutdown_reason,
        Some(ShutdownReason::ParticipantLeftTimeout)
    );
    assert_eq!(properties.replica_id.as_deref(), Some("<replica_id>"));
    assert_eq!(
        shutdown.timestamp.unwrap().to_system_time(),
        at(1_752_216_517, 564_961)
    );
}

#[test]
fn every_shutdown_reason_the_page_lists_is_known() {
    let page = page();
    let shutdown = page
        .events
        .iter()
        .find(|e| e.name == "system.shutdown")
        .unwrap();
    assert_eq!(shutdown.values.len(), 8);
    for reason in &shutdown.values {
        let parsed = ShutdownReason::parse(reason);
        assert!(
            !matches!(parsed, ShutdownReason::Other(_)),
            "`{reason}` is listed on the page but not typed"
        );
        assert_eq!(&parsed.to_string(), reason);
    }
}

#[test]
fn every_event_the_page_lists_is_typed() {
    for event in page().events {
        let body = json!({
            "event_type": event.name,
            "conversation_id": "c1",
            "properties": {"transcript": [], "s3_key": "k", "analysis": "a"}
        });
        let Callback::Conversation(c) = Callback::from_value(body).unwrap() else {
            panic!("{}", event.name);
        };
        assert!(
            !matches!(c.event, ConversationEvent::Other(_)),
            "`{}` is listed on the page but decodes as Other",
            event.name
        );
    }
}

#[test]
fn application_callbacks() {
    let page = page();
    let transcript = conversation(&page, "application.transcription_ready");
    let ConversationEvent::TranscriptionReady(properties) = &transcript.event else {
        panic!("{:?}", transcript.event);
    };
    let messages = &properties.transcript;
    assert_eq!(messages.len(), 11);
    assert_eq!(messages[0].role, Role::System);
    assert!(
        messages[0]
            .content
            .as_deref()
            .unwrap()
            .starts_with("You are in a live video conference call with a user.")
    );
    let roles: Vec<&Role> = messages[1..].iter().map(|m| &m.role).collect();
    for (i, role) in roles.iter().enumerate() {
        let expected = if i % 2 == 0 {
            Role::User
        } else {
            Role::Assistant
        };
        assert_eq!(**role, expected, "message {}", i + 1);
    }
    assert_eq!(messages[1].content.as_deref(), Some("Hi."));
    assert_eq!(
        messages[10].content.as_deref(),
        Some(
            "NLP is really cool, lots of possibilities there. No problem, it was great \
             chatting with you, have a good one, bye."
        )
    );
    assert_eq!(transcript.message_type, Some(MessageType::Application));

    let recording = conversation(&page, "application.recording_ready");
    let ConversationEvent::RecordingReady(properties) = &recording.event else {
        panic!("{:?}", recording.event);
    };
    assert_eq!(properties.s3_key, "<s3_key>");
    assert_eq!(properties.bucket_name.as_deref(), Some("<bucket_name>"));
    assert_eq!(properties.duration, Some(14.0));
    // This example alone has no replica_id, and a typo in its conversation_id, kept as sent.
    assert_eq!(properties.replica_id, None);
    assert_eq!(recording.conversation_id, "<conversation_id>>");
    assert_eq!(
        recording.timestamp.unwrap().to_system_time(),
        at(1_750_316_118, 137_386)
    );

    let perception = conversation(&page, "application.perception_analysis");
    let ConversationEvent::PerceptionAnalysis(properties) = &perception.event else {
        panic!("{:?}", perception.event);
    };
    assert!(
        properties
            .analysis
            .starts_with("Here's a summary of the visual observations taken during the video call")
    );
    assert!(properties.analysis.contains("\n*   **User Appearance:**"));
    assert_eq!(properties.replica_id, None);
}

/// The published example has a trailing comma; the body Tavus sends is JSON.
#[test]
fn replica_training_completed_is_not_json_as_published() {
    let published = example(&page(), "Replica Training Completed");
    let err = Callback::from_slice(published.text.as_bytes()).unwrap_err();
    assert!(matches!(err, DecodeError::NotJson { .. }), "{err}");
    assert!(err.to_string().contains("trailing comma"), "{err}");

    let fixed = published.text.replace("\"ready\",\n}", "\"ready\"\n}");
    assert_ne!(
        fixed, published.text,
        "the trailing comma moved: {published:?}"
    );
    let Callback::ReplicaTraining(replica) = Callback::from_slice(fixed.as_bytes()).unwrap() else {
        panic!("not a replica training callback");
    };
    assert_eq!(replica.replica_id, "rxxxxxxxxx");
    assert_eq!(replica.status, TrainingStatus::Ready);
    assert_eq!(replica.error_message, None);
}

#[test]
fn replica_training_error() {
    let Callback::ReplicaTraining(replica) = decode(&example(&page(), "Replica Training Error"))
    else {
        panic!("not a replica training callback");
    };
    assert_eq!(replica.replica_id, "rxxxxxxxxx");
    assert_eq!(replica.status, TrainingStatus::Error);
    assert!(
        replica
            .error_message
            .unwrap()
            .starts_with("There was an issue processing your training video.")
    );
    assert!(replica.extra.is_empty());
}

#[test]
fn video_generation_callbacks() {
    let page = page();
    let Callback::Video(ready) = decode(&example(&page, "Video Generation Completed")) else {
        panic!("not a video callback");
    };
    assert_eq!(ready.video_id, "1e30440cf9");
    assert_eq!(ready.status, VideoStatus::Ready);
    assert_eq!(ready.replica_id.as_deref(), Some("r79e1c033f"));
    assert_eq!(ready.generation_progress.as_deref(), Some("100/100"));
    assert_eq!(
        ready.hosted_url.as_deref(),
        Some("https://videos.tavus.io/video/1e30440cf9")
    );
    assert!(
        ready
            .download_url
            .unwrap()
            .ends_with("high.mp4?download=1e30440cf9")
    );
    assert!(ready.stream_url.unwrap().ends_with(".m3u8"));
    assert_eq!(
        ready.data.unwrap().script.as_deref(),
        Some("Hello this is a test to give examples of callbacks")
    );
    // "2024-08-28 15:27:40.824457": no offset, read as UTC.
    let created = ready.created_at.unwrap();
    assert_eq!(created.to_system_time(), at(1_724_858_860, 824_457));
    assert!(!created.has_offset());
    assert_eq!(
        ready.updated_at.unwrap().to_system_time(),
        at(1_724_858_959, 802_670)
    );
    assert!(ready.extra.is_empty());

    let Callback::Video(error) = decode(&example(&page, "Video Generation Error")) else {
        panic!("not a video callback");
    };
    assert_eq!(error.video_id, "c9b85a6d36");
    assert_eq!(error.status, VideoStatus::Error);
    assert_eq!(error.download_url, None);
    assert_eq!(error.stream_url, None);
    assert_eq!(error.error_details, None);
    assert_eq!(error.generation_progress.as_deref(), Some("0/100"));
    assert!(
        error
            .status_details
            .unwrap()
            .starts_with("An error occurred while generating this request.")
    );
}

/// The valid examples, as parsed JSON objects, for the property tests.
fn valid_examples() -> Vec<Value> {
    page()
        .examples
        .iter()
        .filter_map(|e| e.json().ok())
        .collect()
}

/// An error message says what is wrong without repeating the body.
fn assert_short(err: &DecodeError) {
    let message = err.to_string();
    assert!(!message.is_empty());
    assert!(message.len() < 400, "{} bytes: {message}", message.len());
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every place in a JSON value, as a list of steps (object key or array index).
fn places(value: &Value, here: Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let mut path = here.clone();
                path.push(key.clone());
                places(child, path, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let mut path = here.clone();
                path.push(i.to_string());
                places(child, path, out);
            }
        }
        _ => {}
    }
    out.push(here);
}

fn replace_at(value: &mut Value, path: &[String], with: Value) {
    let Some((first, rest)) = path.split_first() else {
        *value = with;
        return;
    };
    let child = match value {
        Value::Object(map) => map.get_mut(first),
        Value::Array(items) => first.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    };
    if let Some(child) = child {
        replace_at(child, rest, with);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary bytes: an error or a callback, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Err(err) = Callback::from_slice(&body) {
            assert_short(&err);
        }
    }

    /// A valid example cut short, or with bytes flipped or inserted: an error that says
    /// so, never a panic.
    #[test]
    fn broken_examples_never_panic(
        which in 0usize..9,
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        insert in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        let examples = valid_examples();
        let text = examples[which % examples.len()].to_string().into_bytes();
        let truncated = &text[..cut.index(text.len())];
        let err = Callback::from_slice(truncated).unwrap_err();
        prop_assert!(matches!(err, DecodeError::NotJson { .. }), "{}", err);
        assert_short(&err);

        let mut mutated = text.clone();
        for (at, byte) in &flips {
            let i = at.index(mutated.len());
            mutated[i] = *byte;
        }
        let i = cut.index(mutated.len());
        mutated.splice(i..i, insert.iter().copied());
        if let Err(err) = Callback::from_slice(&mutated) {
            assert_short(&err);
        }
    }

    /// A valid example with any one value replaced by any JSON value (wrong types
    /// included): a callback, or an error naming the field that keeps the whole body.
    #[test]
    fn examples_with_wrong_types_never_lose_the_body(
        which in 0usize..9,
        place in any::<prop::sample::Index>(),
        with in any_json(),
    ) {
        let examples = valid_examples();
        let mut body = examples[which % examples.len()].clone();
        let mut all = Vec::new();
        places(&body, Vec::new(), &mut all);
        let path = all[place.index(all.len())].clone();
        replace_at(&mut body, &path, with);
        let text = body.to_string();
        // Parsed back, as the decoder will: a float need not survive the round trip.
        let body: Value = serde_json::from_str(&text).unwrap();
        match Callback::from_slice(text.as_bytes()) {
            Ok(_) => {}
            Err(err @ DecodeError::Invalid { .. }) => {
                prop_assert_eq!(err.body(), Some(&body));
                assert_short(&err);
            }
            Err(DecodeError::NotAnObject { .. }) => prop_assert!(path.is_empty()),
            Err(err) => prop_assert!(false, "valid JSON read as {}", err),
        }
    }
}

#[test]
fn a_body_over_the_limit_is_refused_unread() {
    let body = vec![b' '; tavus_api::callbacks::MAX_BODY_SIZE + 1];
    let err = Callback::from_slice(&body).unwrap_err();
    assert!(matches!(err, DecodeError::TooLarge { .. }), "{err}");
}
