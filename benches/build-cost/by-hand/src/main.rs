//! Deletes a document, lists documents by tag, and starts a conversation with a replica,
//! on reqwest and serde by hand. `TAVUS_API_KEY` is the key; `TAVUS_BASE_URL` (default
//! https://tavusapi.com) the server. Usage: by-hand <document_id> <replica_id>

use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct ListDocuments<'a> {
    limit: i64,
    page: i64,
    tags: &'a str,
}

#[derive(Deserialize)]
struct Document {
    document_id: Option<String>,
    document_name: Option<String>,
    status: Option<String>,
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct DocumentList {
    #[serde(default)]
    data: Vec<Document>,
    total_count: Option<i64>,
}

#[derive(Serialize)]
struct CreateConversation<'a> {
    replica_id: &'a str,
    conversation_name: &'a str,
}

#[derive(Deserialize)]
struct Conversation {
    conversation_id: Option<String>,
    conversation_url: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(document_id), Some(replica_id)) = (args.next(), args.next()) else {
        return Err("usage: by-hand <document_id> <replica_id>".into());
    };
    let key = std::env::var("TAVUS_API_KEY")?;
    let base = std::env::var("TAVUS_BASE_URL").unwrap_or_else(|_| "https://tavusapi.com".into());
    let mut headers = reqwest::header::HeaderMap::new();
    let mut key = reqwest::header::HeaderValue::from_str(&key)?;
    key.set_sensitive(true);
    headers.insert("x-api-key", key);
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .build()?;

    client
        .delete(format!("{base}/v2/documents/{document_id}"))
        .send()
        .await?
        .error_for_status()?;
    println!("deleted {document_id}");

    let list: DocumentList = client
        .get(format!("{base}/v2/documents"))
        .query(&ListDocuments {
            limit: 10,
            page: 0,
            tags: "docs",
        })
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    println!("{} of {:?} documents", list.data.len(), list.total_count);
    for document in &list.data {
        println!(
            "  {:?} {:?} {:?} (+{} fields)",
            document.document_id,
            document.document_name,
            document.status,
            document.other.len()
        );
    }

    let conversation: Conversation = client
        .post(format!("{base}/v2/conversations"))
        .json(&CreateConversation {
            replica_id: &replica_id,
            conversation_name: "build cost",
        })
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    println!(
        "conversation {:?}: join at {:?}",
        conversation.conversation_id, conversation.conversation_url
    );
    Ok(())
}
