//! Receives the callbacks Tavus POSTs and prints each event.
//!
//! ```text
//! TAVUS_CALLBACK_TOKEN=$(openssl rand -hex 32) cargo run --example callback_server -- \
//!     [--listen 127.0.0.1:8000] [--public-url https://1234567890.ngrok-free.app] \
//!     [--replica <replica_id>]
//! ```
//!
//! It prints the `callback_url` to give to `create_conversation` (or `create_replica`,
//! `generate_video`): `<public-url>/tavus/callbacks/<token>`. Tavus must reach it, so on
//! a laptop put a tunnel such as `ngrok http 8000` in front and pass its URL as
//! `--public-url`. With `--replica`, it also creates a conversation with that replica
//! whose `callback_url` is this server (this needs `TAVUS_API_KEY`), and prints the URL
//! to join it; its events arrive here as the conversation goes on.
//!
//! Tavus does not sign callbacks, so the secret token in the URL is what keeps strangers
//! from posting fake events: a request whose token does not match (compared in constant
//! time) gets a 404 and is not read. Keep the token out of logs, and use a new one if it
//! leaks.

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use tavus_api::callbacks::{Callback, ConversationEvent, DecodeError, MAX_BODY_SIZE, tokens_match};

/// The environment variable holding the secret token.
const TOKEN_ENV: &str = "TAVUS_CALLBACK_TOKEN";
/// Shorter tokens can be guessed; `openssl rand -hex 32` gives 64 characters.
const MIN_TOKEN_LEN: usize = 32;

/// The routes: `POST /tavus/callbacks/{token}`, answering once the body is read (Tavus
/// waits for the answer, so the work an event starts belongs in a queue or a task).
pub fn app(token: String) -> Router {
    Router::new()
        .route("/tavus/callbacks/{token}", post(receive))
        .with_state(token)
}

async fn receive(
    State(expected): State<String>,
    Path(presented): Path<String>,
    body: Body,
) -> StatusCode {
    // The token first, then the body: a stranger's request is answered unread.
    if !tokens_match(expected.as_bytes(), presented.as_bytes()) {
        // As if the route did not exist: nothing tells a prober it found something.
        return StatusCode::NOT_FOUND;
    }
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_SIZE).await else {
        return StatusCode::PAYLOAD_TOO_LARGE;
    };
    match Callback::from_slice(&body) {
        Ok(callback) => {
            println!("{}", describe(&callback));
            StatusCode::OK
        }
        // A body of a known callback with a field this crate does not expect: keep it
        // (here, print it) rather than lose the event.
        Err(e @ DecodeError::Invalid { .. }) => {
            eprintln!("callback not fully understood: {e}");
            if let Some(mut body) = e.body().cloned() {
                // The callback URL, secret token and all, stays out of the output.
                if let Some(fields) = body.as_object_mut() {
                    fields.remove("webhook_url");
                }
                println!("raw callback: {body}");
            }
            StatusCode::OK
        }
        Err(e) => {
            eprintln!("refused a callback: {e}");
            StatusCode::BAD_REQUEST
        }
    }
}

/// One line per event.
pub fn describe(callback: &Callback) -> String {
    match callback {
        Callback::Conversation(c) => {
            let what = match &c.event {
                ConversationEvent::ReplicaJoined(_) => "the replica joined".to_owned(),
                ConversationEvent::Shutdown(s) => match &s.shutdown_reason {
                    Some(reason) => format!("the room shut down: {reason}"),
                    None => "the room shut down".to_owned(),
                },
                ConversationEvent::TranscriptionReady(t) => {
                    format!("transcript ready, {} messages", t.transcript.len())
                }
                ConversationEvent::RecordingReady(r) => format!("recording at {}", r.s3_key),
                ConversationEvent::PerceptionAnalysis(p) => {
                    format!("perception analysis, {} characters", p.analysis.len())
                }
                other => format!("{} (not typed yet): {other:?}", c.event_type),
            };
            format!("conversation {}: {what}", c.conversation_id)
        }
        Callback::ReplicaTraining(r) => match &r.error_message {
            Some(error) => format!("replica {}: training failed: {error}", r.replica_id),
            None => format!("replica {}: training {:?}", r.replica_id, r.status),
        },
        Callback::Video(v) => format!(
            "video {}: {:?} {}",
            v.video_id,
            v.status,
            v.hosted_url.as_deref().unwrap_or("")
        ),
        Callback::Other(fields) => {
            let names: Vec<&str> = fields.keys().map(String::as_str).collect();
            format!("another callback, with fields {names:?}")
        }
        other => format!("another callback: {other:?}"),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut listen, mut public_url, mut replica) = ("127.0.0.1:8000".to_owned(), None, None);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--listen", Some(value)) => listen = value,
            ("--public-url", Some(value)) => public_url = Some(value),
            ("--replica", Some(value)) => replica = Some(value),
            _ => return usage(),
        }
    }
    let token = match std::env::var(TOKEN_ENV) {
        Ok(token)
            if token.len() >= MIN_TOKEN_LEN && token.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            token
        }
        _ => {
            eprintln!(
                "error: set {TOKEN_ENV} to a secret of at least {MIN_TOKEN_LEN} letters and \
                 digits, for example: export {TOKEN_ENV}=$(openssl rand -hex 32)"
            );
            return ExitCode::from(2);
        }
    };
    let address: SocketAddr = match listen.parse() {
        Ok(address) => address,
        Err(e) => {
            eprintln!("error: --listen {listen}: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {address}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let base = public_url.unwrap_or_else(|| format!("http://{address}"));
    let callback_url = format!("{}/tavus/callbacks/{token}", base.trim_end_matches('/'));
    println!("listening on {address}; callback_url: {callback_url}");
    if let Some(replica) = replica {
        create_conversation(replica, callback_url).await;
    }
    if let Err(e) = axum::serve(listener, app(token)).await {
        eprintln!("error: the server stopped: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Starts a conversation whose events come to `callback_url`.
async fn create_conversation(replica_id: String, callback_url: String) {
    let client = match tavus_api::Client::from_env() {
        Ok(client) => client,
        Err(e) => return eprintln!("cannot create a conversation: {e}"),
    };
    let created = client
        .create_conversation()
        .body_map(|body| {
            body.replica_id(replica_id)
                .callback_url(callback_url)
                .conversation_name("tavus-api callback example".to_owned())
        })
        .send()
        .await;
    match created {
        Ok(created) => {
            let conversation = created.into_inner();
            println!(
                "conversation {}: join at {}",
                conversation.conversation_id.as_deref().unwrap_or("?"),
                conversation.conversation_url.as_deref().unwrap_or("?")
            );
        }
        Err(e) => eprintln!("cannot create a conversation: {e}"),
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: {TOKEN_ENV}=<secret> cargo run --example callback_server -- \
         [--listen ADDR] [--public-url URL] [--replica REPLICA_ID]"
    );
    ExitCode::from(2)
}
