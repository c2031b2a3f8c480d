//! `Paginate::items` across several pages of a local server: which pages it asks for
//! (from each list's own first page), the query it sends with each, what it yields, and
//! where it stops.
//!
//! Every page is served only to a request whose query string is exactly the one
//! expected, so a `limit` sent twice, a `page` the builder set, or a filter left out
//! reaches no page and fails the test.

use std::pin::pin;

use futures_util::{StreamExt, TryStreamExt};
use httpmock::Method::GET;
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};
use tavus_api::paging::Paginate;
use tavus_api::{Client, ErrorExt, ErrorKind};

fn client(server: &MockServer) -> Client {
    integration_tests::client_sending_once(&server.base_url())
}

/// Serves `GET path?query`, for exactly that query string, as `data` holding `ids`, plus
/// `extra` fields.
async fn serve_page<'a>(
    server: &'a MockServer,
    path: &str,
    query: &str,
    ids: &[&str],
    extra: Value,
) -> Mock<'a> {
    let mut body = json!({ "data": ids.iter().map(|id| json!({ "document_id": id, "video_id": id })).collect::<Vec<_>>() });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let query = query.to_owned();
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path)
                .is_true(move |request| request.uri().query() == Some(query.as_str()));
            then.status(200).json_body(body);
        })
        .await
}

#[tokio::test]
async fn list_documents_starts_at_page_0_and_stops_when_total_count_items_have_arrived() {
    let server = MockServer::start_async().await;
    let total = json!({ "total_count": 5 });
    let path = "/v2/documents";
    let pages = [
        serve_page(
            &server,
            path,
            "limit=2&page=0&tags=docs",
            &["d1", "d2"],
            total.clone(),
        )
        .await,
        serve_page(
            &server,
            path,
            "limit=2&page=1&tags=docs",
            &["d3", "d4"],
            total.clone(),
        )
        .await,
        serve_page(
            &server,
            path,
            "limit=2&page=2&tags=docs",
            &["d5"],
            total.clone(),
        )
        .await,
    ];
    let beyond = serve_page(&server, path, "limit=2&page=3&tags=docs", &[], total).await;
    let client = client(&server);
    let documents: Vec<_> = client
        .list_documents()
        .limit(2)
        .tags("docs")
        .items()
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
    // not the end. `list_videos` counts its pages from 1.
    let server = MockServer::start_async().await;
    let total = json!({ "total_count": 3 });
    for (query, id) in [
        ("limit=10&page=1", "v1"),
        ("limit=10&page=2", "v2"),
        ("limit=10&page=3", "v3"),
    ] {
        serve_page(&server, "/v2/videos", query, &[id], total.clone()).await;
    }
    let client = client(&server);
    let videos: Vec<_> = client
        .list_videos()
        .limit(10)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(videos.len(), 3);
    assert_eq!(videos[2].video_id.as_deref(), Some("v3"));
}

#[tokio::test]
async fn without_total_count_a_short_page_is_the_last() {
    let server = MockServer::start_async().await;
    let path = "/v2/videos";
    let first = serve_page(&server, path, "limit=2&page=1", &["v1", "v2"], json!({})).await;
    let short = serve_page(&server, path, "limit=2&page=2", &["v3"], json!({})).await;
    let beyond = serve_page(&server, path, "limit=2&page=3", &["v4"], json!({})).await;
    let client = client(&server);
    let videos: Vec<_> = client
        .list_videos()
        .limit(2)
        .items()
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
    let path = "/v2/videos";
    serve_page(&server, path, "limit=1&page=1", &["v1"], json!({})).await;
    serve_page(&server, path, "limit=1&page=2", &["v2"], json!({})).await;
    let empty = serve_page(&server, path, "limit=1&page=3", &[], json!({})).await;
    let client = client(&server);
    let count = client
        .list_videos()
        .limit(1)
        .items()
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(count, 2);
    assert_eq!(empty.calls_async().await, 1);
}

#[tokio::test]
async fn without_a_limit_none_is_sent_and_the_first_page_sets_the_size() {
    // The server's own page size: a page shorter than the first is the last.
    let server = MockServer::start_async().await;
    let path = "/v2/documents";
    serve_page(&server, path, "page=0", &["d1", "d2"], json!({})).await;
    serve_page(&server, path, "page=1", &["d3", "d4"], json!({})).await;
    let short = serve_page(&server, path, "page=2", &["d5"], json!({})).await;
    let beyond = serve_page(&server, path, "page=3", &["d6"], json!({})).await;
    let client = client(&server);
    let documents: Vec<_> = client.list_documents().items().try_collect().await.unwrap();
    assert_eq!(documents.len(), 5);
    assert_eq!(short.calls_async().await, 1);
    assert_eq!(beyond.calls_async().await, 0);
}

#[tokio::test]
async fn a_page_set_on_the_builder_is_replaced_not_sent_twice() {
    let server = MockServer::start_async().await;
    let total = json!({ "total_count": 2 });
    let path = "/v2/videos";
    let pages = [
        serve_page(&server, path, "limit=1&page=1", &["v1"], total.clone()).await,
        serve_page(&server, path, "limit=1&page=2", &["v2"], total.clone()).await,
    ];
    let asked = serve_page(&server, path, "limit=1&page=7", &["v7"], total).await;
    let client = client(&server);
    let videos: Vec<_> = client
        .list_videos()
        .page(7)
        .limit(1)
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = videos
        .iter()
        .map(|v| v.video_id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["v1", "v2"]);
    for page in pages {
        assert_eq!(page.calls_async().await, 1);
    }
    assert_eq!(asked.calls_async().await, 0);
}

/// Every list asks first for its own first page: `list_documents` counts from 0, the
/// others from 1. An empty first page ends the list.
#[tokio::test]
async fn every_list_starts_at_its_own_first_page() {
    let server = MockServer::start_async().await;
    let client = client(&server);
    let empty = json!({ "total_count": 0 });
    let mut firsts = Vec::new();
    for (path, query) in [
        ("/v2/conversations", "limit=5&page=1"),
        ("/v2/documents", "limit=5&page=0"),
        ("/v2/guardrails", "limit=5&page=1"),
        ("/v2/objectives", "limit=5&page=1"),
        ("/v2/replicas", "limit=5&page=1"),
        ("/v2/videos", "limit=5&page=1"),
    ] {
        firsts.push((
            path,
            serve_page(&server, path, query, &[], empty.clone()).await,
        ));
    }
    let counts = [
        count(client.list_conversations().limit(5)).await,
        count(client.list_documents().limit(5)).await,
        count(client.get_guardrails().limit(5)).await,
        count(client.get_objectives().limit(5)).await,
        count(client.list_replicas().limit(5)).await,
        count(client.list_videos().limit(5)).await,
    ];
    assert_eq!(counts, [0; 6]);
    for (path, first) in firsts {
        assert_eq!(first.calls_async().await, 1, "{path}");
    }
}

/// How many items `list` yields; panics on an error.
async fn count<L>(list: L) -> usize
where
    L: Paginate,
    L::Error: serde::Serialize,
{
    list.items()
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap()
}

#[tokio::test]
async fn an_error_is_yielded_after_the_items_before_it_and_ends_the_stream() {
    let server = MockServer::start_async().await;
    serve_page(
        &server,
        "/v2/videos",
        "limit=1&page=1",
        &["v1"],
        json!({ "total_count": 3 }),
    )
    .await;
    let refused = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/videos").query_param("page", "2");
            then.status(401)
                .json_body(json!({ "message": "Invalid access token" }));
        })
        .await;
    let client = client(&server);
    let mut videos = pin!(client.list_videos().limit(1).items());
    let first = videos.next().await.unwrap().unwrap();
    assert_eq!(first.video_id.as_deref(), Some("v1"));
    let err = videos.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert!(videos.next().await.is_none());
    assert_eq!(refused.calls_async().await, 1);
}

#[tokio::test]
async fn a_request_that_cannot_be_built_is_the_only_item() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({ "data": [] }));
        })
        .await;
    let client = client(&server);
    // 2^63 is no `i64`: the builder keeps the error, and sending gives it back.
    let mut videos = pin!(client.list_videos().limit(1u64 << 63).items());
    let err = videos.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    assert!(videos.next().await.is_none());
    assert_eq!(any.calls_async().await, 0, "nothing may reach the server");
}

#[tokio::test]
async fn a_server_that_ignores_page_cannot_make_the_stream_endless() {
    // Whatever `page` says, the same full page, and a total that never arrives: the
    // stream ends at the first repeat instead of asking for ever.
    for extra in [json!({}), json!({ "total_count": 1_000_000 })] {
        let server = MockServer::start_async().await;
        let same = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/videos");
                then.status(200).json_body({
                    let mut body = json!({ "data": [{ "video_id": "v1" }, { "video_id": "v2" }] });
                    body.as_object_mut()
                        .unwrap()
                        .extend(extra.as_object().unwrap().clone());
                    body
                });
            })
            .await;
        let client = client(&server);
        let results: Vec<_> = client.list_videos().limit(2).items().collect().await;
        let ids: Vec<_> = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|v| v.video_id.as_deref())
            .collect();
        assert_eq!(ids, [Some("v1"), Some("v2")], "{extra}");
        assert_eq!(same.calls_async().await, 2, "{extra}");
        // Without a total, a repeat is the end; with one the repeat falls short of, the
        // list was cut short, and the stream says so after the items it has.
        match extra.get("total_count") {
            None => assert_eq!(results.len(), 2, "{extra}"),
            Some(_) => {
                assert_eq!(results.len(), 3, "{extra}");
                let err = results[2].as_ref().unwrap_err();
                assert_eq!(err.kind(), ErrorKind::Other);
                assert_eq!(
                    err.to_string(),
                    "list_videos: page 2 repeated page 1 after 2 of the 1000000 items \
                     `total_count` promised, so the list was cut short: the server seems to \
                     ignore `page`"
                );
            }
        }
    }
}
