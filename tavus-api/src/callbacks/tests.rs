//! The decoding rules on small hand-made bodies; every example of the callbacks page is
//! decoded by `tests/tests/callbacks.rs`.

use serde_json::json;

use super::*;

fn decode(value: Value) -> Result<Callback, DecodeError> {
    Callback::from_slice(value.to_string().as_bytes())
}

fn envelope(event_type: &str, properties: Value) -> Value {
    json!({
        "properties": properties,
        "conversation_id": "c1",
        "webhook_url": "https://example.com/hook",
        "event_type": event_type,
        "message_type": "system",
        "timestamp": "2025-07-11T06:45:47.472000Z"
    })
}

fn conversation_event(value: Value) -> ConversationCallback {
    match decode(value).unwrap() {
        Callback::Conversation(c) => c,
        other => panic!("not a conversation callback: {other:?}"),
    }
}

#[test]
fn an_unknown_event_type_keeps_its_properties_and_envelope() {
    let c = conversation_event(envelope(
        "application.sentiment_ready",
        json!({"score": [1, 2], "replica_id": "r1"}),
    ));
    assert_eq!(c.event_type, "application.sentiment_ready");
    assert_eq!(
        c.event,
        ConversationEvent::Other(json!({"score": [1, 2], "replica_id": "r1"}))
    );
    assert_eq!(c.conversation_id, "c1");
    assert_eq!(c.message_type, Some(MessageType::System));
    assert!(c.extra.is_empty(), "{:?}", c.extra);
}

#[test]
fn unknown_properties_and_envelope_fields_are_kept_in_extra() {
    let mut body = envelope(
        "system.replica_joined",
        json!({"replica_id": "r1", "joined_after_ms": 812}),
    );
    body["region"] = json!("eu-west-1");
    let c = conversation_event(body);
    let ConversationEvent::ReplicaJoined(joined) = &c.event else {
        panic!("{:?}", c.event);
    };
    assert_eq!(joined.replica_id.as_deref(), Some("r1"));
    assert_eq!(joined.extra.get("joined_after_ms"), Some(&json!(812)));
    assert_eq!(c.extra.get("region"), Some(&json!("eu-west-1")));
    assert_eq!(c.extra.len(), 1);
}

#[test]
fn shutdown_reasons_in_both_spellings_and_unknown_ones() {
    for (text, reason) in [
        ("max_call_duration reached", ShutdownReason::MaxCallDuration),
        (
            "participant_left_timeout",
            ShutdownReason::ParticipantLeftTimeout,
        ),
        (
            "participant_absent_timeout reached",
            ShutdownReason::ParticipantAbsentTimeout,
        ),
        (
            "internal error occurred at step x",
            ShutdownReason::InternalError { step: "x".into() },
        ),
        (
            "room_exploded",
            ShutdownReason::Other("room_exploded".into()),
        ),
    ] {
        let c = conversation_event(envelope(
            "system.shutdown",
            json!({"replica_id": "r1", "shutdown_reason": text}),
        ));
        let ConversationEvent::Shutdown(s) = c.event else {
            panic!("{text}: {:?}", c.event);
        };
        assert_eq!(s.shutdown_reason, Some(reason.clone()), "{text}");
        assert_eq!(ShutdownReason::parse(&reason.to_string()), reason);
    }
}

#[test]
fn a_transcript_message_may_have_null_content_and_other_roles() {
    let c = conversation_event(envelope(
        "application.transcription_ready",
        json!({"transcript": [
            {"role": "assistant", "content": null, "tool_calls": [{"id": "t1"}]},
            {"role": "tool", "content": "42"}
        ]}),
    ));
    let ConversationEvent::TranscriptionReady(t) = c.event else {
        panic!("{:?}", c.event);
    };
    assert_eq!(t.transcript[0].role, Role::Assistant);
    assert_eq!(t.transcript[0].content, None);
    assert_eq!(
        t.transcript[0].extra.get("tool_calls"),
        Some(&json!([{"id": "t1"}]))
    );
    assert_eq!(t.transcript[1].role, Role::Other("tool".into()));
}

#[test]
fn wrong_types_name_the_field_and_keep_the_body() {
    let body = envelope(
        "application.transcription_ready",
        json!({"transcript": [{"role": "user", "content": "hi"}, {"role": 7}]}),
    );
    let err = decode(body.clone()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "conversation callback `application.transcription_ready`: \
         `properties.transcript[1].role` should be a string, but is a JSON number"
    );
    assert_eq!(err.body(), Some(&body));

    let err = decode(envelope("system.shutdown", json!({"shutdown_reason": 5}))).unwrap_err();
    assert!(
        err.to_string()
            .contains("`properties.shutdown_reason` should be a string"),
        "{err}"
    );
    let err = decode(envelope("system.shutdown", json!([1]))).unwrap_err();
    assert!(
        err.to_string()
            .contains("`properties` should be an object, but is a JSON array"),
        "{err}"
    );
}

#[test]
fn missing_fields_the_page_always_has_are_errors() {
    let err = decode(envelope("application.transcription_ready", json!({}))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "conversation callback `application.transcription_ready`: `properties.transcript` is missing"
    );
    let mut body = envelope("system.replica_joined", json!({}));
    body.as_object_mut().unwrap().remove("conversation_id");
    let err = decode(body).unwrap_err();
    assert!(
        err.to_string().contains("`conversation_id` is missing"),
        "{err}"
    );
    let err = decode(json!({"video_id": "v1"})).unwrap_err();
    assert_eq!(err.to_string(), "video callback: `status` is missing");
}

#[test]
fn bodies_are_classified_by_their_fields() {
    let replica = decode(json!({"replica_id": "r1", "status": "training_paused"})).unwrap();
    let Callback::ReplicaTraining(r) = replica else {
        panic!("{replica:?}");
    };
    assert_eq!(r.status, TrainingStatus::Other("training_paused".into()));

    let video = decode(json!({"video_id": "v1", "replica_id": "r1", "status": "ready"})).unwrap();
    assert!(matches!(video, Callback::Video(ref v) if v.status == VideoStatus::Ready));

    let document = json!({"document_id": "d1", "status": "ready"});
    assert_eq!(
        decode(document.clone()).unwrap(),
        Callback::Other(document.as_object().unwrap().clone())
    );
}

#[test]
fn bodies_that_are_not_json_objects_say_what_they_are() {
    let err = Callback::from_slice(b"[1, 2]").unwrap_err();
    assert_eq!(
        err.to_string(),
        "callback body is a JSON array, not an object"
    );
    let err = Callback::from_slice(b"").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("callback body is not JSON: EOF")
    );
    let err =
        Callback::from_slice(b"{\"event_type\": \"system.shutdown\",\n  \"x\": tru").unwrap_err();
    assert!(matches!(err, DecodeError::NotJson { .. }), "{err}");
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn a_huge_body_is_refused_before_parsing_and_excerpts_stay_short() {
    let err = Callback::from_slice_with_limit(b"{}", 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "callback body is 2 bytes, more than the limit of 1 bytes"
    );
    let mut body = vec![b'a'; 1_000_000];
    body.extend_from_slice(b"\x00\xff garbage");
    let err = Callback::from_slice(&body).unwrap_err();
    assert!(err.to_string().len() < 300, "{err}");
    let deep = "[".repeat(100_000);
    let err = Callback::from_slice(deep.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
}

#[test]
fn deserialize_reads_the_same_way() {
    let body = envelope("system.replica_joined", json!({"replica_id": "r1"}));
    let through_serde: Callback = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(through_serde, decode(body).unwrap());
    let err = serde_json::from_value::<Callback>(json!({"video_id": 3})).unwrap_err();
    assert!(
        err.to_string().contains("`video_id` should be a string"),
        "{err}"
    );
}

#[test]
fn tokens_match_only_when_equal() {
    assert!(!tokens_match(b"", b""), "an empty secret lets nobody in");
    assert!(tokens_match(b"abc", b"abc"));
    assert!(!tokens_match(b"abc", b"abd"));
    assert!(!tokens_match(b"abc", b"ab"));
    assert!(!tokens_match(b"abc", b"abcd"));
}

#[test]
fn a_huge_event_type_is_cut_short_in_messages() {
    let event_type = "x".repeat(100_000);
    let body = json!({"event_type": event_type, "conversation_id": 5});
    let err = decode(body).unwrap_err();
    let message = err.to_string();
    assert!(message.len() < 200, "{message}");
    assert!(message.contains("... (100000 bytes)"), "{message}");
    assert!(
        message.contains("`conversation_id` should be a string"),
        "{message}"
    );
}
