//! Lists every document in the account, page after page, with the paging helper.
//!
//! ```text
//! TAVUS_API_KEY=... cargo run --example list_documents -- [--base-url URL]
//! ```
//!
//! `items()` (from `tavus_api::paging::Paginate`) asks for one page at a time, from the
//! list's own first page, and yields the items, so the loop below never counts pages.
//! `--base-url` points it at another server, such as a local mock.

use std::process::ExitCode;

use tavus_api::paging::{Paginate, TryStreamExt};
use tavus_api::{ClientBuilder, ErrorExt};

/// Documents per page.
const PAGE_SIZE: i64 = 50;

#[tokio::main]
async fn main() -> ExitCode {
    let base_url = match std::env::args().skip(1).collect::<Vec<_>>().as_slice() {
        [] => None,
        [flag, url] if flag == "--base-url" => Some(url.clone()),
        _ => return usage(),
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

    let documents = client.list_documents().limit(PAGE_SIZE).items();
    let mut documents = std::pin::pin!(documents);
    let mut count = 0;
    loop {
        match documents.try_next().await {
            Ok(Some(document)) => {
                count += 1;
                let show = |field: Option<String>| field.unwrap_or_else(|| "-".to_owned());
                println!(
                    "{}\t{}\t{}",
                    show(document.document_id),
                    show(document.status),
                    show(document.document_name)
                );
            }
            Ok(None) => break,
            Err(e) => {
                eprintln!("error after {count} documents ({:?}): {e}", e.kind());
                return ExitCode::FAILURE;
            }
        }
    }
    eprintln!("{count} documents");
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: list_documents [--base-url URL]  (reads TAVUS_API_KEY)");
    ExitCode::from(2)
}
