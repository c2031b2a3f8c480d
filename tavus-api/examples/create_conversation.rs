//! Starts a conversation with a replica and prints the URL to join it.
//!
//! ```text
//! TAVUS_API_KEY=... cargo run --example create_conversation -- <replica_id> [--persona <persona_id>] [--base-url URL]
//! ```
//!
//! Creating a conversation is a `POST`: the client sends it again only when no connection
//! could be made, never after the server may have received it, so a failure here never
//! leaves two conversations behind. `--base-url` points it at another server, such as a
//! local mock.

use std::process::ExitCode;

use tavus_api::{ClientBuilder, ErrorExt};

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut replica_id, mut persona_id, mut base_url) = (None, None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--persona" => persona_id = args.next(),
            "--base-url" => base_url = args.next(),
            "-h" | "--help" => return usage(),
            _ if replica_id.is_none() => replica_id = Some(arg),
            _ => return usage(),
        }
    }
    let Some(replica_id) = replica_id else {
        return usage();
    };

    let client = match ClientBuilder::from_env().and_then(|builder| match base_url {
        Some(url) => builder.base_url(url).build(),
        None => builder.build(),
    }) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let created = client
        .create_conversation()
        .body_map(|body| {
            body.replica_id(replica_id)
                .persona_id(persona_id)
                .conversation_name("tavus-api example".to_owned())
        })
        .send()
        .await;
    match created {
        Ok(created) => {
            let conversation = created.into_inner();
            let id = conversation.conversation_id.as_deref().unwrap_or("?");
            match conversation.conversation_url {
                Some(url) => println!("conversation {id}: join at {url}"),
                None => println!("conversation {id} created; the answer holds no URL"),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error ({:?}): {e}", e.kind());
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: create_conversation <replica_id> [--persona <persona_id>] [--base-url URL]  (reads TAVUS_API_KEY)"
    );
    ExitCode::from(2)
}
