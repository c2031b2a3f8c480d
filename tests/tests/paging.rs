//! `paging::every_item` across several pages of a local server: which pages it asks
//! for, what it yields, and where it stops.

use std::pin::pin;

use futures_util::{StreamExt, TryStreamExt};
use httpmock::Method::GET;
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};
use tavus_api::paging::every_item;
use tavus_api::{Client, ErrorExt, ErrorKind};

fn client(server: &MockServer) -> Client {
    integration_tests::client_sending_once(&server.base_url())
}

/// Serves `page` of `path` (with `limit`) as `data` holding `ids`, plus `extra` fields.
async fn serve_page<'a>(
    server: &'a MockServer,
    path: &str,
    page: i64,
    limit: i64,
    ids: &[&str],
    extra: Value,
) -> Mock<'a> {
    let mut body = json!({ "data": ids.iter().map(|id| json!({ "document_id": id, "video_id": id })).collect::<Vec<_>>() });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path)
                .query_param("page", page.to_string())
                .query_param("limit", limit.to_string());
            then.status(200).json_body(body);
        })
        .await
}

#[tokio::test]
async fn stops_when_total_count_items_have_arrived() {
    let server = MockServer::start_async().await;
    let total = json!({ "total_count": 5 });
    let pages = [
        serve_page(&server, "/v2/documents", 0, 2, &["d1", "d2"], total.clone()).await,
        serve_page(&server, "/v2/documents", 1, 2, &["d3", "d4"], total.clone()).await,
        serve_page(&server, "/v2/documents", 2, 2, &["d5"], total.clone()).await,
    ];
    let beyond = serve_page(&server, "/v2/documents", 3, 2, &[], total).await;
    let client = client(&server);
    let documents: Vec<_> = every_item(0, 2, |page| {
        client.list_documents(Some(2), None, Some(page), None, None, Some("docs"))
    })
    .try_collect()
    .await
    .unwrap();
    let ids: Vec<_> = documents
        .iter()
        .map(|d| d.document_id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["d1", "d2", "d3", "d4", "d5"]);
    for page in pages {
        assert_eq!(page.calls_async().await, 1);
    }
    assert_eq!(beyond.calls_async().await, 0);
}

#[tokio::test]
async fn total_count_wins_over_a_page_shorter_than_asked() {
    // The server may send fewer items than `limit`; with a total to go by, that is
    // not the end.
    let server = MockServer::start_async().await;
    let total = json!({ "total_count": 3 });
    for (page, id) in [(1, "v1"), (2, "v2"), (3, "v3")] {
        serve_page(&server, "/v2/videos", page, 10, &[id], total.clone()).await;
    }
    let client = client(&server);
    let videos: Vec<_> = every_item(1, 10, |page| client.list_videos(Some(10), Some(page)))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(videos.len(), 3);
    assert_eq!(videos[2].video_id.as_deref(), Some("v3"));
}

#[tokio::test]
async fn without_total_count_a_short_page_is_the_last() {
    let server = MockServer::start_async().await;
    let first = serve_page(&server, "/v2/videos", 1, 2, &["v1", "v2"], json!({})).await;
    let short = serve_page(&server, "/v2/videos", 2, 2, &["v3"], json!({})).await;
    let beyond = serve_page(&server, "/v2/videos", 3, 2, &["v4"], json!({})).await;
    let client = client(&server);
    let videos: Vec<_> = every_item(1, 2, |page| client.list_videos(Some(2), Some(page)))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(videos.len(), 3);
    assert_eq!(
        (first.calls_async().await, short.calls_async().await),
        (1, 1)
    );
    assert_eq!(beyond.calls_async().await, 0);
}

#[tokio::test]
async fn without_total_count_full_pages_end_at_an_empty_one() {
    let server = MockServer::start_async().await;
    serve_page(&server, "/v2/videos", 1, 1, &["v1"], json!({})).await;
    serve_page(&server, "/v2/videos", 2, 1, &["v2"], json!({})).await;
    let empty = serve_page(&server, "/v2/videos", 3, 1, &[], json!({})).await;
    let client = client(&server);
    let count = every_item(1, 1, |page| client.list_videos(Some(1), Some(page)))
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(count, 2);
    assert_eq!(empty.calls_async().await, 1);
}

#[tokio::test]
async fn an_error_is_yielded_after_the_items_before_it_and_ends_the_stream() {
    let server = MockServer::start_async().await;
    serve_page(
        &server,
        "/v2/videos",
        1,
        1,
        &["v1"],
        json!({ "total_count": 3 }),
    )
    .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/videos").query_param("page", "2");
            then.status(401)
                .json_body(json!({ "message": "Invalid access token" }));
        })
        .await;
    let client = client(&server);
    let mut videos = pin!(every_item(1, 1, |page| client.list_videos(Some(1), Some(page))));
    let first = videos.next().await.unwrap().unwrap();
    assert_eq!(first.video_id.as_deref(), Some("v1"));
    let err = videos.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert!(videos.next().await.is_none());
}
