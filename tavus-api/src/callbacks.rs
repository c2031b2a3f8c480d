//! Typed bodies of the callbacks Tavus POSTs to a `callback_url`.
//!
//! Three operations take a `callback_url`: [`create_conversation`], [`create_replica`] and
//! [`generate_video`]. Tavus then POSTs JSON to it, as documented (by example only) on the
//! guide page [Webhooks and Callbacks]. [`Callback::from_slice`] turns the bytes of such a
//! request body into a [`Callback`]:
//!
//! ```
//! use tavus_api::callbacks::{Callback, ConversationEvent};
//!
//! let body = br#"{
//!     "properties": {"replica_id": "r79e1c033f", "shutdown_reason": "participant_left_timeout"},
//!     "conversation_id": "c123456",
//!     "webhook_url": "https://example.com/tavus",
//!     "event_type": "system.shutdown",
//!     "message_type": "system",
//!     "timestamp": "2025-07-11T06:48:37.564961Z"
//! }"#;
//! match Callback::from_slice(body)? {
//!     Callback::Conversation(c) => match &c.event {
//!         ConversationEvent::Shutdown(s) => {
//!             println!("{} ended: {:?}", c.conversation_id, s.shutdown_reason)
//!         }
//!         other => println!("{}: {}", c.conversation_id, c.event_type),
//!     },
//!     other => println!("another callback: {other:?}"),
//! }
//! # Ok::<(), tavus_api::callbacks::DecodeError>(())
//! ```
//!
//! # Which callback a body is
//!
//! The bodies carry no common kind field, so a body is read by the fields it has:
//!
//! 1. with `event_type`: a [`ConversationCallback`] (the page's "Conversation Callbacks",
//!    all of which share that envelope);
//! 2. else with `video_id`: a [`VideoCallback`] (video generation, ready or error);
//! 3. else with `replica_id` and `status`: a [`ReplicaTrainingCallback`];
//! 4. any other JSON object: [`Callback::Other`], holding the object as sent (Tavus may add
//!    callbacks, and `create_document` also takes a `callback_url` the page does not cover).
//!
//! # Forward compatibility
//!
//! The page says more callbacks are coming, so nothing new is an error: an unknown
//! `event_type` is [`ConversationEvent::Other`] with the raw `properties`, an unknown
//! shutdown reason is [`ShutdownReason::Other`], an unknown status or role is the enum's
//! `Other(String)`, and every struct keeps the fields it does not declare in its `extra`
//! map. Timestamps are kept as sent beside their parsed form ([`Timestamp`]).
//!
//! What is an error ([`DecodeError`]): a body larger than the limit, a body that is not
//! JSON or not a JSON object, and a field this module declares holding the wrong JSON type
//! (`"shutdown_reason": 5`) or missing where the page always has it (`conversation_id`,
//! the transcript of `application.transcription_ready`). In the last case the error still
//! holds the parsed body ([`DecodeError::body`]), so the event is never lost.
//!
//! # Security
//!
//! Tavus does not sign its callbacks: anyone who knows the URL can POST a body that
//! decodes. Put an unguessable token in the `callback_url` and compare it with
//! [`tokens_match`] (constant time) before trusting a body; the crate README and
//! `examples/callback_server.rs` show how.
//!
//! [`create_conversation`]: crate::Client::create_conversation
//! [`create_replica`]: crate::Client::create_replica
//! [`generate_video`]: crate::Client::generate_video
//! [Webhooks and Callbacks]: https://docs.tavus.io/sections/webhooks-and-callbacks

use std::fmt;

use serde_json::{Map, Value};

mod timestamp;

pub use timestamp::Timestamp;

/// The largest body [`Callback::from_slice`] reads: 8 MiB. The longest callback is the
/// transcript of a conversation (its system prompt and every turn), which stays far below
/// this; a larger body is refused with [`DecodeError::TooLarge`] before it is parsed.
/// Servers should refuse bodies above it before buffering them.
pub const MAX_BODY_SIZE: usize = 8 * 1024 * 1024;

/// How much of the body an error message shows around the place JSON parsing failed, in
/// bytes on each side.
const EXCERPT_RADIUS: usize = 24;

/// One callback body, typed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Callback {
    /// A conversation event (from `create_conversation`'s `callback_url`).
    Conversation(ConversationCallback),
    /// The end of a replica's training (from `create_replica`'s `callback_url`).
    ReplicaTraining(ReplicaTrainingCallback),
    /// The end of a video's generation (from `generate_video`'s `callback_url`).
    Video(VideoCallback),
    /// A JSON object that is none of the above, as sent: a callback this crate does not
    /// know yet.
    Other(Map<String, Value>),
}

impl Callback {
    /// Reads a request body of at most [`MAX_BODY_SIZE`] bytes.
    pub fn from_slice(body: &[u8]) -> Result<Self, DecodeError> {
        Self::from_slice_with_limit(body, MAX_BODY_SIZE)
    }

    /// Reads a request body of at most `limit` bytes.
    pub fn from_slice_with_limit(body: &[u8], limit: usize) -> Result<Self, DecodeError> {
        if body.len() > limit {
            return Err(DecodeError::TooLarge {
                len: body.len(),
                limit,
            });
        }
        let value: Value = serde_json::from_slice(body).map_err(|error| DecodeError::NotJson {
            excerpt: excerpt(body, &error),
            error,
        })?;
        Self::from_value(value)
    }

    /// Reads a body already parsed as JSON (by a web framework's JSON extractor, say).
    pub fn from_value(value: Value) -> Result<Self, DecodeError> {
        let Value::Object(map) = value else {
            return Err(DecodeError::NotAnObject {
                found: json_type(&value),
            });
        };
        let decoded = if map.contains_key("event_type") {
            conversation(&map).map(Self::Conversation)
        } else if map.contains_key("video_id") {
            video(&map).map(Self::Video)
        } else if map.contains_key("replica_id") && map.contains_key("status") {
            replica_training(&map).map(Self::ReplicaTraining)
        } else {
            return Ok(Self::Other(map));
        };
        decoded.map_err(|invalid| DecodeError::Invalid {
            callback: invalid.callback,
            path: invalid.path,
            problem: invalid.problem,
            body: Box::new(Value::Object(map)),
        })
    }
}

impl<'de> serde::Deserialize<'de> for Callback {
    /// The same reading as [`Callback::from_value`], for `serde_json::from_slice` or a web
    /// framework's `Json<Callback>` extractor (without [`MAX_BODY_SIZE`]: bound the body
    /// there).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(value).map_err(serde::de::Error::custom)
    }
}

/// The envelope every conversation callback shares, and its event. Its `Debug` hides
/// `webhook_url`: that is the callback URL, secret token included.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ConversationCallback {
    /// The conversation the event belongs to.
    pub conversation_id: String,
    /// The event's type as sent, such as `system.shutdown`; [`Self::event`] has it typed.
    pub event_type: String,
    /// `system` or `application`.
    pub message_type: Option<MessageType>,
    /// The `callback_url` the event was sent to.
    pub webhook_url: Option<String>,
    /// When the event happened.
    pub timestamp: Option<Timestamp>,
    /// The event, with its `properties` typed.
    pub event: ConversationEvent,
    /// Envelope fields this type does not declare, as sent.
    pub extra: Map<String, Value>,
}

impl std::fmt::Debug for ConversationCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConversationCallback")
            .field("conversation_id", &self.conversation_id)
            .field("event_type", &self.event_type)
            .field("message_type", &self.message_type)
            .field(
                "webhook_url",
                &self.webhook_url.as_ref().map(|_| "<redacted>"),
            )
            .field("timestamp", &self.timestamp)
            .field("event", &self.event)
            .field("extra", &self.extra)
            .finish()
    }
}

/// The two categories of conversation callbacks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageType {
    /// `system`: the replica joined, the room shut down.
    System,
    /// `application`: transcript, recording, perception analysis.
    Application,
    /// A value the page does not list, as sent.
    Other(String),
}

impl MessageType {
    fn parse(text: String) -> Self {
        match text.as_str() {
            "system" => Self::System,
            "application" => Self::Application,
            _ => Self::Other(text),
        }
    }
}

/// A conversation event, by its `event_type`, with its typed `properties`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ConversationEvent {
    /// `system.replica_joined`: the replica is ready for the conversation.
    ReplicaJoined(ReplicaJoined),
    /// `system.shutdown`: the room shut down.
    Shutdown(Shutdown),
    /// `application.transcription_ready`: the conversation ended; here is its transcript.
    TranscriptionReady(TranscriptionReady),
    /// `application.recording_ready`: a recording is in your S3 bucket.
    RecordingReady(RecordingReady),
    /// `application.perception_analysis`: the summary of what the replica saw (personas
    /// with `raven-0` perception).
    PerceptionAnalysis(PerceptionAnalysis),
    /// An `event_type` the page does not document: its `properties` as sent (`Null` when
    /// absent); the envelope's `event_type` says which.
    Other(Value),
}

/// The `properties` of `system.replica_joined`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReplicaJoined {
    /// The replica that joined.
    pub replica_id: Option<String>,
    /// Properties this type does not declare, as sent.
    pub extra: Map<String, Value>,
}

/// The `properties` of `system.shutdown`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Shutdown {
    /// The conversation's replica.
    pub replica_id: Option<String>,
    /// Why the room shut down.
    pub shutdown_reason: Option<ShutdownReason>,
    /// Properties this type does not declare, as sent.
    pub extra: Map<String, Value>,
}

/// Why a conversation's room shut down: the reasons the page lists.
///
/// The page lists some reasons with a trailing ` reached` (`max_call_duration reached`)
/// while its example sends `participant_left_timeout` without one; both spellings are
/// read as the same reason.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ShutdownReason {
    /// `max_call_duration reached`.
    MaxCallDuration,
    /// `participant_left_timeout reached`: every participant left.
    ParticipantLeftTimeout,
    /// `participant_absent_timeout reached`: no participant ever joined.
    ParticipantAbsentTimeout,
    /// `bot_could_not_join_meeting_it_was_probably_ended`.
    BotCouldNotJoinMeeting,
    /// `daily_room_has_been_deleted`.
    DailyRoomDeleted,
    /// `exception_encountered_during_conversation_startup`.
    StartupException,
    /// `end_conversation_endpoint_hit`: `end_conversation` was called.
    EndConversationEndpointHit,
    /// `internal error occurred at step <step>`.
    InternalError {
        /// The step named after `at step`.
        step: String,
    },
    /// A reason the page does not list, as sent.
    Other(String),
}

impl ShutdownReason {
    /// Reads a `shutdown_reason` value.
    pub fn parse(text: &str) -> Self {
        if let Some(step) = text.strip_prefix("internal error occurred at step ") {
            return Self::InternalError {
                step: step.to_owned(),
            };
        }
        match text.strip_suffix(" reached").unwrap_or(text) {
            "max_call_duration" => Self::MaxCallDuration,
            "participant_left_timeout" => Self::ParticipantLeftTimeout,
            "participant_absent_timeout" => Self::ParticipantAbsentTimeout,
            "bot_could_not_join_meeting_it_was_probably_ended" => Self::BotCouldNotJoinMeeting,
            "daily_room_has_been_deleted" => Self::DailyRoomDeleted,
            "exception_encountered_during_conversation_startup" => Self::StartupException,
            "end_conversation_endpoint_hit" => Self::EndConversationEndpointHit,
            _ => Self::Other(text.to_owned()),
        }
    }
}

impl fmt::Display for ShutdownReason {
    /// The reason as the page lists it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Self::MaxCallDuration => "max_call_duration reached",
            Self::ParticipantLeftTimeout => "participant_left_timeout reached",
            Self::ParticipantAbsentTimeout => "participant_absent_timeout reached",
            Self::BotCouldNotJoinMeeting => "bot_could_not_join_meeting_it_was_probably_ended",
            Self::DailyRoomDeleted => "daily_room_has_been_deleted",
            Self::StartupException => "exception_encountered_during_conversation_startup",
            Self::EndConversationEndpointHit => "end_conversation_endpoint_hit",
            Self::InternalError { step } => {
                return write!(f, "internal error occurred at step {step}");
            }
            Self::Other(text) => text,
        };
        f.write_str(text)
    }
}

/// The `properties` of `application.transcription_ready`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TranscriptionReady {
    /// The conversation's replica.
    pub replica_id: Option<String>,
    /// The whole conversation, system prompt first.
    pub transcript: Vec<TranscriptMessage>,
    /// Properties this type does not declare, as sent.
    pub extra: Map<String, Value>,
}

/// One message of a transcript.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TranscriptMessage {
    /// Who said it.
    pub role: Role,
    /// What was said; `None` when sent as `null` or absent (as chat formats do for a
    /// message that only calls a tool, whose call is then in `extra`).
    pub content: Option<String>,
    /// Fields this type does not declare, as sent.
    pub extra: Map<String, Value>,
}

/// The author of a transcript message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// The system prompt.
    System,
    /// The person in the conversation.
    User,
    /// The replica.
    Assistant,
    /// A role the page does not show, as sent.
    Other(String),
}

impl Role {
    fn parse(text: String) -> Self {
        match text.as_str() {
            "system" => Self::System,
            "user" => Self::User,
            "assistant" => Self::Assistant,
            _ => Self::Other(text),
        }
    }
}

/// The `properties` of `application.recording_ready`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RecordingReady {
    /// The key of the recording in the bucket.
    pub s3_key: String,
    /// The bucket.
    pub bucket_name: Option<String>,
    /// The recording's length in seconds (the page shows a whole number; a fraction is
    /// read too).
    pub duration: Option<f64>,
    /// The conversation's replica (the page's example has none).
    pub replica_id: Option<String>,
    /// Properties this type does not declare, as sent.
    pub extra: Map<String, Value>,
}

/// The `properties` of `application.perception_analysis`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PerceptionAnalysis {
    /// The summary, in Markdown.
    pub analysis: String,
    /// The conversation's replica.
    pub replica_id: Option<String>,
    /// Properties this type does not declare, as sent.
    pub extra: Map<String, Value>,
}

/// The end of a replica's training.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReplicaTrainingCallback {
    /// The replica.
    pub replica_id: String,
    /// `ready` or `error`.
    pub status: TrainingStatus,
    /// Why training failed, with status `error`.
    pub error_message: Option<String>,
    /// Fields this type does not declare, as sent.
    pub extra: Map<String, Value>,
}

/// How a replica's training ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrainingStatus {
    /// `ready`: the replica can be used.
    Ready,
    /// `error`: see `error_message`.
    Error,
    /// A status the page does not show, as sent.
    Other(String),
}

/// The end of a video's generation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VideoCallback {
    /// The video.
    pub video_id: String,
    /// `ready` or `error`.
    pub status: VideoStatus,
    /// The video's name.
    pub video_name: Option<String>,
    /// The replica that speaks in it.
    pub replica_id: Option<String>,
    /// A readable status; with status `error`, the error message.
    pub status_details: Option<String>,
    /// More about an error (`null` in the page's examples, so its shape is unknown: kept
    /// as sent).
    pub error_details: Option<Value>,
    /// Progress as sent, such as `100/100`.
    pub generation_progress: Option<String>,
    /// The MP4 download, once ready.
    pub download_url: Option<String>,
    /// The HLS stream, once ready.
    pub stream_url: Option<String>,
    /// The video's page on Tavus.
    pub hosted_url: Option<String>,
    /// What the video was made from.
    pub data: Option<VideoData>,
    /// When the request was made (the page shows no offset: see [`Timestamp`]).
    pub created_at: Option<Timestamp>,
    /// When the video last changed.
    pub updated_at: Option<Timestamp>,
    /// Fields this type does not declare, as sent.
    pub extra: Map<String, Value>,
}

/// How a video's generation ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VideoStatus {
    /// `ready`: the URLs are set.
    Ready,
    /// `error`: see `status_details`.
    Error,
    /// A status the page does not show, as sent.
    Other(String),
}

/// The `data` of a video callback: the request the video was made from.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VideoData {
    /// The script, for a video made from text.
    pub script: Option<String>,
    /// Fields this type does not declare, as sent.
    pub extra: Map<String, Value>,
}

/// Why a body could not be read as a callback. Messages say what was wrong and where,
/// and never repeat more than a short excerpt of the body; `Debug` prints the same (the
/// body holds the callback URL with its secret token).
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The body is larger than the limit; it was not parsed.
    #[error("callback body is {len} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// The body's length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The body is not JSON (or is cut off, or nests deeper than 128 levels).
    #[error("callback body is not JSON: {error}{}", near(excerpt))]
    NotJson {
        /// serde_json's error: what, with line and column.
        #[source]
        error: serde_json::Error,
        /// The body around the place parsing failed, escaped and at most a few dozen
        /// bytes each side.
        excerpt: String,
    },
    /// The body is JSON but not an object.
    #[error("callback body is a JSON {found}, not an object")]
    NotAnObject {
        /// The JSON type it is, such as `array`.
        found: &'static str,
    },
    /// The body is a JSON object of a known callback, but a field is missing or has the
    /// wrong type.
    #[error("{callback}: `{path}` {problem}")]
    Invalid {
        /// Which callback the body was read as, such as
        /// ``conversation callback `system.shutdown` ``.
        callback: String,
        /// The field, such as `properties.transcript[3].role`.
        path: String,
        /// What is wrong with it.
        problem: Problem,
        /// The whole body, parsed, so the event is not lost.
        body: Box<Value>,
    },
}

impl std::fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl DecodeError {
    /// The body as parsed JSON, when it was a JSON object ([`DecodeError::Invalid`]).
    pub fn body(&self) -> Option<&Value> {
        match self {
            Self::Invalid { body, .. } => Some(body),
            _ => None,
        }
    }
}

/// What is wrong with one field of a callback body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The field is absent or `null`, where every callback of its kind has it.
    Missing,
    /// The field has another JSON type.
    WrongType {
        /// What this module reads, such as `a string`.
        expected: &'static str,
        /// The JSON type found, such as `number`.
        found: &'static str,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("is missing"),
            Self::WrongType { expected, found } => {
                write!(f, "should be {expected}, but is a JSON {found}")
            }
        }
    }
}

/// Whether a token presented by a request (from the callback URL's path, say) equals the
/// expected one, comparing every byte whatever the first difference, so the time taken
/// tells an attacker nothing about how much of a guess was right. (Only the lengths can
/// be learnt; use tokens of a fixed length.)
///
/// ```
/// use tavus_api::callbacks::tokens_match;
///
/// assert!(tokens_match(b"3f9c0e7d1a", b"3f9c0e7d1a"));
/// assert!(!tokens_match(b"3f9c0e7d1a", b"3f9c0e7d1b"));
/// assert!(!tokens_match(b"3f9c0e7d1a", b""));
/// assert!(!tokens_match(b"", b""));
/// ```
pub fn tokens_match(expected: &[u8], presented: &[u8]) -> bool {
    // An empty secret would let every empty token in.
    if expected.is_empty() || expected.len() != presented.len() {
        return false;
    }
    let difference = expected
        .iter()
        .zip(presented)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    // black_box keeps the optimiser from turning the fold into an early-exit comparison.
    std::hint::black_box(difference) == 0
}

fn near(excerpt: &str) -> String {
    if excerpt.is_empty() {
        String::new()
    } else {
        format!(", near `{excerpt}`")
    }
}

/// The body around serde_json's error position, escaped, at most [`EXCERPT_RADIUS`] bytes
/// each side.
fn excerpt(body: &[u8], error: &serde_json::Error) -> String {
    // serde_json counts lines from 1 and columns (in bytes) from 1, or 0 at a line's start.
    let mut line_start = 0;
    for _ in 1..error.line() {
        match body[line_start..].iter().position(|&b| b == b'\n') {
            Some(i) => line_start += i + 1,
            None => break,
        }
    }
    let at = (line_start + error.column().saturating_sub(1)).min(body.len());
    let start = at.saturating_sub(EXCERPT_RADIUS);
    let end = at.saturating_add(EXCERPT_RADIUS).min(body.len());
    String::from_utf8_lossy(&body[start..end])
        .escape_debug()
        .to_string()
}

/// `text` for an error message: whole when short, else its start and how much was cut,
/// so a hostile body cannot make a message huge.
fn bounded(text: &str) -> String {
    const SHOWN: usize = 64;
    match text.char_indices().nth(SHOWN) {
        None => text.escape_debug().to_string(),
        Some((end, _)) => format!("{}... ({} bytes)", text[..end].escape_debug(), text.len()),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A field that could not be read, before it becomes a [`DecodeError::Invalid`].
struct Invalid {
    callback: String,
    path: String,
    problem: Problem,
}

/// Reads the fields of one JSON object, remembering which were read so the rest can go
/// to `extra`, and naming each field by its path in errors.
struct Fields<'a> {
    map: &'a Map<String, Value>,
    path: String,
    callback: &'a str,
    read: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    fn new(map: &'a Map<String, Value>, path: impl Into<String>, callback: &'a str) -> Self {
        Self {
            map,
            path: path.into(),
            callback,
            read: Vec::new(),
        }
    }

    fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn invalid(&self, key: &str, problem: Problem) -> Invalid {
        Invalid {
            callback: self.callback.to_owned(),
            path: self.path_of(key),
            problem,
        }
    }

    fn wrong_type(&self, key: &str, expected: &'static str, found: &Value) -> Invalid {
        self.invalid(
            key,
            Problem::WrongType {
                expected,
                found: json_type(found),
            },
        )
    }

    /// The field's value; `null` counts as absent.
    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.read.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn string(&mut self, key: &'static str) -> Result<Option<String>, Invalid> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong_type(key, "a string", other)),
        }
    }

    fn required_string(&mut self, key: &'static str) -> Result<String, Invalid> {
        self.string(key)?
            .ok_or_else(|| self.invalid(key, Problem::Missing))
    }

    fn number(&mut self, key: &'static str) -> Result<Option<f64>, Invalid> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(other) => Err(self.wrong_type(key, "a number", other)),
        }
    }

    fn timestamp(&mut self, key: &'static str) -> Result<Option<Timestamp>, Invalid> {
        Ok(self.string(key)?.map(Timestamp::parse))
    }

    /// An object field; absent or `null` reads as an empty object.
    fn object(&mut self, key: &'static str) -> Result<&'a Map<String, Value>, Invalid> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        match self.get(key) {
            None => Ok(EMPTY.get_or_init(Map::new)),
            Some(Value::Object(map)) => Ok(map),
            Some(other) => Err(self.wrong_type(key, "an object", other)),
        }
    }

    /// The fields not read, as sent.
    fn extra(self) -> Map<String, Value> {
        self.map
            .iter()
            .filter(|(key, _)| !self.read.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()
    }
}

fn conversation(map: &Map<String, Value>) -> Result<ConversationCallback, Invalid> {
    let mut envelope = Fields::new(map, "", "conversation callback");
    let event_type = envelope.required_string("event_type")?;
    let callback = format!("conversation callback `{}`", bounded(&event_type));
    envelope.callback = &callback;
    let conversation_id = envelope.required_string("conversation_id")?;
    let message_type = envelope.string("message_type")?.map(MessageType::parse);
    let webhook_url = envelope.string("webhook_url")?;
    let timestamp = envelope.timestamp("timestamp")?;
    let event = match event_type.as_str() {
        "system.replica_joined" => {
            let mut p = Fields::new(envelope.object("properties")?, "properties", &callback);
            ConversationEvent::ReplicaJoined(ReplicaJoined {
                replica_id: p.string("replica_id")?,
                extra: p.extra(),
            })
        }
        "system.shutdown" => {
            let mut p = Fields::new(envelope.object("properties")?, "properties", &callback);
            ConversationEvent::Shutdown(Shutdown {
                replica_id: p.string("replica_id")?,
                shutdown_reason: p
                    .string("shutdown_reason")?
                    .map(|r| ShutdownReason::parse(&r)),
                extra: p.extra(),
            })
        }
        "application.transcription_ready" => {
            let mut p = Fields::new(envelope.object("properties")?, "properties", &callback);
            ConversationEvent::TranscriptionReady(TranscriptionReady {
                replica_id: p.string("replica_id")?,
                transcript: transcript(&mut p, &callback)?,
                extra: p.extra(),
            })
        }
        "application.recording_ready" => {
            let mut p = Fields::new(envelope.object("properties")?, "properties", &callback);
            ConversationEvent::RecordingReady(RecordingReady {
                s3_key: p.required_string("s3_key")?,
                bucket_name: p.string("bucket_name")?,
                duration: p.number("duration")?,
                replica_id: p.string("replica_id")?,
                extra: p.extra(),
            })
        }
        "application.perception_analysis" => {
            let mut p = Fields::new(envelope.object("properties")?, "properties", &callback);
            ConversationEvent::PerceptionAnalysis(PerceptionAnalysis {
                analysis: p.required_string("analysis")?,
                replica_id: p.string("replica_id")?,
                extra: p.extra(),
            })
        }
        // An event this crate does not know: its properties whatever their shape.
        _ => ConversationEvent::Other(envelope.get("properties").cloned().unwrap_or_default()),
    };
    // `properties` was read by every arm above (typed, or kept raw).
    envelope.read.push("properties");
    Ok(ConversationCallback {
        conversation_id,
        event_type,
        message_type,
        webhook_url,
        timestamp,
        event,
        extra: envelope.extra(),
    })
}

fn transcript(p: &mut Fields<'_>, callback: &str) -> Result<Vec<TranscriptMessage>, Invalid> {
    let items = match p.get("transcript") {
        None => return Err(p.invalid("transcript", Problem::Missing)),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(p.wrong_type("transcript", "an array", other)),
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let path = format!("properties.transcript[{i}]");
            let Value::Object(map) = item else {
                return Err(Invalid {
                    callback: callback.to_owned(),
                    path,
                    problem: Problem::WrongType {
                        expected: "an object",
                        found: json_type(item),
                    },
                });
            };
            let mut m = Fields::new(map, path, callback);
            Ok(TranscriptMessage {
                role: Role::parse(m.required_string("role")?),
                content: m.string("content")?,
                extra: m.extra(),
            })
        })
        .collect()
}

fn replica_training(map: &Map<String, Value>) -> Result<ReplicaTrainingCallback, Invalid> {
    let mut f = Fields::new(map, "", "replica training callback");
    Ok(ReplicaTrainingCallback {
        replica_id: f.required_string("replica_id")?,
        status: match f.required_string("status")?.as_str() {
            "ready" => TrainingStatus::Ready,
            "error" => TrainingStatus::Error,
            other => TrainingStatus::Other(other.to_owned()),
        },
        error_message: f.string("error_message")?,
        extra: f.extra(),
    })
}

fn video(map: &Map<String, Value>) -> Result<VideoCallback, Invalid> {
    let mut f = Fields::new(map, "", "video callback");
    let video_id = f.required_string("video_id")?;
    let status = match f.required_string("status")?.as_str() {
        "ready" => VideoStatus::Ready,
        "error" => VideoStatus::Error,
        other => VideoStatus::Other(other.to_owned()),
    };
    let data = match f.get("data") {
        None => None,
        Some(Value::Object(data)) => {
            let mut d = Fields::new(data, "data", "video callback");
            Some(VideoData {
                script: d.string("script")?,
                extra: d.extra(),
            })
        }
        Some(other) => return Err(f.wrong_type("data", "an object", other)),
    };
    Ok(VideoCallback {
        video_id,
        status,
        video_name: f.string("video_name")?,
        replica_id: f.string("replica_id")?,
        status_details: f.string("status_details")?,
        error_details: f.get("error_details").cloned(),
        generation_progress: f.string("generation_progress")?,
        download_url: f.string("download_url")?,
        stream_url: f.string("stream_url")?,
        hosted_url: f.string("hosted_url")?,
        data,
        created_at: f.timestamp("created_at")?,
        updated_at: f.timestamp("updated_at")?,
        extra: f.extra(),
    })
}

#[cfg(test)]
mod tests;
