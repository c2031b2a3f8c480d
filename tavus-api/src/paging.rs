//! Every item of a list operation as one [`Stream`], fetching page after page.
//!
//! The list operations (`list_conversations`, `list_documents`, `get_guardrails`,
//! `get_objectives`, `list_replicas`, `list_videos`) take `page` and `limit` and answer
//! one page: `data` and `total_count`. [`every_item`] asks for pages in turn and yields
//! their items, so a caller can read a whole list without counting pages.

use std::future::Future;

use futures_core::Stream;
use futures_util::stream;
/// The traits that read a stream (`try_collect`, `try_next`, `next`), re-exported so that
/// reading [`every_item`] needs no dependency beyond this crate.
pub use futures_util::{StreamExt, TryStreamExt};

use crate::{Error, ResponseValue, types};

/// A page of a list operation: its items, and how many there are in all.
pub trait ListPage {
    /// What the list holds.
    type Item;
    /// The page's items, in order.
    fn into_items(self) -> Vec<Self::Item>;
    /// How many items the whole list holds, when the server says.
    fn total_count(&self) -> Option<i64>;
}

macro_rules! list_page {
    ($($page:ident => $item:ident),* $(,)?) => {$(
        impl ListPage for types::$page {
            type Item = types::$item;
            fn into_items(self) -> Vec<Self::Item> {
                self.data
            }
            fn total_count(&self) -> Option<i64> {
                self.total_count
            }
        }
    )*};
}

list_page! {
    ListConversationsResponse => ListConversationsResponseDataItem,
    ListDocumentsResponse => ListDocumentsResponseDataItem,
    GetGuardrailsResponse => GetGuardrailsResponseDataItem,
    GetObjectivesResponse => GetObjectivesResponseDataItem,
    ListReplicasResponse => ListReplicasResponseDataItem,
    ListVideosResponse => ListVideosResponseDataItem,
}

/// Every item of a list, asking for `limit` items a page, from page `first_page` on.
///
/// `list_page` makes the call for one page number; it is where filters go. The pages
/// do not agree on numbering (`list_documents` counts from 0, `get_objectives` from 1),
/// so the first page is the caller's to give. The stream ends after the page that
/// brings the items seen to `total_count`, or, when the server does not say
/// `total_count`, after an empty page or one shorter than `limit`. The first error
/// ends it too, after yielding the error. The stream is not `Unpin`: collect it
/// (`TryStreamExt::try_collect`) or pin it (`std::pin::pin!`) to call `next`.
///
/// ```no_run
/// use tavus_api::paging::TryStreamExt;
/// # async fn run(client: tavus_api::Client) -> Result<(), tavus_api::Error<tavus_api::types::ListDocumentsError>> {
/// let documents: Vec<_> = tavus_api::paging::every_item(0, 50, |page| {
///     client.list_documents(Some(50), None, Some(page), None, None, None)
/// })
/// .try_collect()
/// .await?;
/// # Ok(()) }
/// ```
pub fn every_item<P, E, F, Fut>(
    first_page: i64,
    limit: i64,
    list_page: F,
) -> impl Stream<Item = Result<P::Item, Error<E>>>
where
    P: ListPage,
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<ResponseValue<P>, Error<E>>>,
{
    let start = Cursor {
        page: first_page,
        seen: 0,
        done: false,
        list_page,
    };
    stream::try_unfold(start, move |mut cursor| async move {
        if cursor.done {
            return Ok::<_, Error<E>>(None);
        }
        let page = (cursor.list_page)(cursor.page).await?.into_inner();
        let total = page.total_count();
        let items = page.into_items();
        cursor.seen += items.len() as i64;
        cursor.page += 1;
        cursor.done = match total {
            Some(total) => items.is_empty() || cursor.seen >= total,
            None => (items.len() as i64) < limit.max(1),
        };
        Ok(Some((stream::iter(items.into_iter().map(Ok)), cursor)))
    })
    .try_flatten()
}

struct Cursor<F> {
    page: i64,
    seen: i64,
    done: bool,
    list_page: F,
}
