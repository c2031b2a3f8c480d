//! Deletes a document, lists documents by tag, and starts a conversation with a replica,
//! on tavus-api. `TAVUS_API_KEY` is the key; `TAVUS_BASE_URL` (default
//! https://tavusapi.com) the server. Usage: on-tavus-api <document_id> <replica_id>

use tavus_api::{Client, DEFAULT_BASE_URL};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(document_id), Some(replica_id)) = (args.next(), args.next()) else {
        return Err("usage: on-tavus-api <document_id> <replica_id>".into());
    };
    let base = std::env::var("TAVUS_BASE_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.into());
    let client = Client::builder(tavus_api::ApiKey::from_env()?)
        .base_url(base)
        .build()?;

    client
        .delete_document()
        .document_id(&document_id)
        .send()
        .await?;
    println!("deleted {document_id}");

    let list = client
        .list_documents()
        .limit(10)
        .page(0)
        .tags("docs")
        .send()
        .await?
        .into_inner();
    println!("{} of {:?} documents", list.data.len(), list.total_count);
    for document in &list.data {
        println!(
            "  {:?} {:?} {:?}",
            document.document_id, document.document_name, document.status
        );
    }

    let conversation = client
        .create_conversation()
        .body_map(|body| {
            body.replica_id(replica_id)
                .conversation_name("build cost".to_owned())
        })
        .send()
        .await?
        .into_inner();
    println!(
        "conversation {:?}: join at {:?}",
        conversation.conversation_id, conversation.conversation_url
    );
    Ok(())
}
