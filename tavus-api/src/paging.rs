//! Every item of a list operation as one [`Stream`], fetching page after page.
//!
//! The list operations (`list_conversations`, `list_documents`, `get_guardrails`,
//! `get_objectives`, `list_replicas`, `list_videos`) take `page` and `limit` and answer
//! one page: `data` and `total_count`. [`Paginate::items`] on any of their builders asks
//! for pages in turn, from the list's own first page, and yields their items:
//!
//! ```no_run
//! use tavus_api::paging::{Paginate, TryStreamExt};
//! # async fn run(client: tavus_api::Client) -> Result<(), tavus_api::Error<tavus_api::types::ListDocumentsError>> {
//! let documents: Vec<_> = client.list_documents().limit(50).tags("docs").items().try_collect().await?;
//! # Ok(()) }
//! ```

use std::future::Future;

use futures_core::Stream;
use futures_util::stream;
/// The traits that read a stream (`try_collect`, `try_next`, `next`), re-exported so that
/// reading [`Paginate::items`] needs no dependency beyond this crate.
pub use futures_util::{StreamExt, TryStreamExt};

use crate::{Error, ResponseValue, builder, types};

/// A page of a list operation: its items, and how many there are in all.
pub trait ListPage {
    /// What the list holds.
    type Item: Clone + PartialEq;
    /// The page's items, in order.
    fn into_items(self) -> Vec<Self::Item>;
    /// How many items the whole list holds, when the server says.
    fn total_count(&self) -> Option<i64>;
}

/// The builder of a list operation, which [`Paginate::items`] sends once a page.
///
/// Implemented for the builder of every list operation of the API; its constants come
/// from the spec (a test holds them to the vendored descriptions).
pub trait ListOperation: Clone {
    /// The number of the list's first page: `list_documents` counts from 0 ("0-based,
    /// default: 0"), the others from 1 ("Default is 1"; `list_replicas` does not say,
    /// and is taken to count like the others).
    const FIRST_PAGE: i64;
    /// The operation's method name, such as `list_documents`, which errors name.
    const OPERATION: &'static str;
    /// One page of the list.
    type Page: ListPage;
    /// The operation's documented error body.
    type Error;
    /// The builder asking for page `page`.
    fn with_page(self, page: i64) -> Self;
    /// Sends the request for the page the builder asks for.
    fn fetch(self) -> impl Future<Output = Result<ResponseValue<Self::Page>, Error<Self::Error>>>;
}

/// Every item of a list, page after page: [`items`](Paginate::items) on a list
/// operation's builder.
pub trait Paginate: ListOperation {
    /// Every item of the list the builder describes (its filters, its `limit` as the page
    /// size), asking for one page at a time from the list's first page
    /// ([`ListOperation::FIRST_PAGE`]; a `page` set on the builder is replaced).
    ///
    /// The stream ends after the page that brings the items seen to `total_count`, or,
    /// when the server does not say `total_count`, after an empty page or one shorter than
    /// the first. A page equal to the one before it also ends it, unyielded: a server that
    /// ignores `page` would otherwise send the same page for ever; when `total_count` said
    /// more items were to come, the stream yields an error after the items it has, since
    /// the list was cut short. (A server that invents
    /// new items for ever is a list without end: bound it with `StreamExt::take`.) The
    /// first error ends it too, after yielding the error. The stream is not `Unpin`:
    /// collect it (`TryStreamExt::try_collect`) or pin it (`std::pin::pin!`) to call
    /// `next`.
    fn items(
        self,
    ) -> impl Stream<Item = Result<<Self::Page as ListPage>::Item, Error<Self::Error>>> {
        let start = Cursor {
            operation: self,
            page: Self::FIRST_PAGE,
            seen: 0,
            page_size: None,
            previous: None,
            done: false,
        };
        stream::try_unfold(start, |mut cursor| async move {
            if cursor.done {
                return Ok(None);
            }
            let page = cursor
                .operation
                .clone()
                .with_page(cursor.page)
                .fetch()
                .await?
                .into_inner();
            let total = page.total_count();
            let items = page.into_items();
            if cursor.previous.as_ref() == Some(&items) && !items.is_empty() {
                return match total {
                    Some(total) if cursor.seen < total => Err(repeated_page(
                        Self::OPERATION,
                        cursor.page,
                        cursor.seen,
                        total,
                    )),
                    _ => Ok(None),
                };
            }
            let count = items.len() as i64;
            cursor.seen += count;
            cursor.page += 1;
            let page_size = *cursor.page_size.get_or_insert(count);
            cursor.done = match total {
                Some(total) => count == 0 || cursor.seen >= total,
                None => count == 0 || count < page_size,
            };
            cursor.previous = (!cursor.done).then(|| items.clone());
            Ok(Some((stream::iter(items.into_iter().map(Ok)), cursor)))
        })
        .try_flatten()
    }
}

impl<T: ListOperation> Paginate for T {}

/// The error of a list whose server sent page `page` equal to the one before, though its
/// `total_count` said more items were to come.
fn repeated_page<E>(operation: &'static str, page: i64, seen: i64, total: i64) -> Error<E> {
    let text = format!(
        "page {page} repeated page {} after {seen} of the {total} items `total_count` \
         promised, so the list was cut short: the server seems to ignore `page`",
        page - 1
    );
    crate::error::found(operation, text)
}

struct Cursor<O, I> {
    operation: O,
    page: i64,
    seen: i64,
    /// How many items the first page held.
    page_size: Option<i64>,
    /// The items of the page before, to tell a server that repeats a page.
    previous: Option<Vec<I>>,
    done: bool,
}

macro_rules! list_operations {
    ($($operation:ident $method:literal, $first_page:literal: $page:ident => $item:ident, $error:ident;)*) => {$(
        impl ListPage for types::$page {
            type Item = types::$item;
            fn into_items(self) -> Vec<Self::Item> {
                self.data
            }
            fn total_count(&self) -> Option<i64> {
                self.total_count
            }
        }

        impl ListOperation for builder::$operation<'_> {
            const FIRST_PAGE: i64 = $first_page;
            const OPERATION: &'static str = $method;
            type Page = types::$page;
            type Error = types::$error;
            fn with_page(self, page: i64) -> Self {
                self.page(page)
            }
            fn fetch(
                self,
            ) -> impl Future<Output = Result<ResponseValue<Self::Page>, Error<Self::Error>>> {
                self.send()
            }
        }
    )*};
}

list_operations! {
    ListConversations "list_conversations", 1: ListConversationsResponse => ListConversationsResponseDataItem, ListConversationsError;
    ListDocuments "list_documents", 0: ListDocumentsResponse => ListDocumentsResponseDataItem, ListDocumentsError;
    GetGuardrails "get_guardrails", 1: GetGuardrailsResponse => GetGuardrailsResponseDataItem, GetGuardrailsError;
    GetObjectives "get_objectives", 1: GetObjectivesResponse => GetObjectivesResponseDataItem, GetObjectivesError;
    ListReplicas "list_replicas", 1: ListReplicasResponse => ListReplicasResponseDataItem, ListReplicasError;
    ListVideos "list_videos", 1: ListVideosResponse => ListVideosResponseDataItem, ListVideosError;
}

/// The first page of each list operation, as the vendored spec says, so that paging
/// follows when Tavus renumbers a list.
#[cfg(test)]
mod tests {
    use super::*;

    /// The description of `operation_id`'s `page` parameter in the vendored spec, read as
    /// the build reads the spec (an operation without one has an empty description).
    fn page_description(operation_id: &str) -> String {
        use openapiv3::ReferenceOr;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi");
        let spec = tavus_openapi::VendoredSpec::load(&dir).unwrap().document;
        let (_, _, operation) = spec
            .operations()
            .find(|(_, _, op)| op.operation_id.as_deref() == Some(operation_id))
            .unwrap_or_else(|| panic!("no vendored operation {operation_id}"));
        let page = operation
            .parameters
            .iter()
            .find_map(|parameter| match parameter {
                ReferenceOr::Item(p) if p.parameter_data_ref().name == "page" => {
                    Some(p.parameter_data_ref())
                }
                _ => None,
            });
        let page = page.unwrap_or_else(|| panic!("{operation_id} has no page parameter"));
        page.description.clone().unwrap_or_default()
    }

    /// `FIRST_PAGE` as the description of the `page` parameter says, or `None`.
    fn documented_first_page(description: &str) -> Option<i64> {
        if description.contains("0-based") || description.contains("default: 0") {
            Some(0)
        } else if description.contains("Default is 1") {
            Some(1)
        } else {
            None
        }
    }

    #[test]
    fn first_pages_are_the_documented_ones() {
        let table = [
            ("listConversations", builder::ListConversations::FIRST_PAGE),
            ("listDocuments", builder::ListDocuments::FIRST_PAGE),
            ("getGuardrails", builder::GetGuardrails::FIRST_PAGE),
            ("getObjectives", builder::GetObjectives::FIRST_PAGE),
            ("listVideos", builder::ListVideos::FIRST_PAGE),
        ];
        for (operation, first_page) in table {
            let description = page_description(operation);
            assert_eq!(
                documented_first_page(&description),
                Some(first_page),
                "{operation}: {description:?}"
            );
        }
        // Undocumented: taken as 1, like the rest of the v2 lists. The day the page says,
        // this fails and the table follows.
        let replicas = page_description("listReplicas");
        assert_eq!(documented_first_page(&replicas), None, "{replicas:?}");
        assert_eq!(builder::ListReplicas::FIRST_PAGE, 1);
    }
}
