//! Deletes a document by id.
//!
//! ```text
//! TAVUS_API_KEY=... cargo run --example delete_document -- <document_id> [--base-url URL]
//! ```
//!
//! `--base-url` points it at another server, such as a local mock.

use std::process::ExitCode;

use tavus_api::{ClientBuilder, ErrorExt};

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut id, mut base_url) = (None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--base-url" => base_url = args.next(),
            "-h" | "--help" => return usage(),
            _ if id.is_none() => id = Some(arg),
            _ => return usage(),
        }
    }
    let Some(id) = id else { return usage() };

    let builder = match ClientBuilder::from_env() {
        Ok(builder) => builder,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let builder = match base_url {
        Some(url) => builder.base_url(url),
        None => builder,
    };
    let client = match builder.build() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match client.delete_document().document_id(&id).send().await {
        Ok(_) => {
            println!("deleted document {id}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error ({:?}): {e}", e.kind());
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: delete_document <document_id> [--base-url URL]  (reads TAVUS_API_KEY)");
    ExitCode::from(2)
}
