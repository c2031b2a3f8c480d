//! Reading the docs site the same way for `drift` and `update`: the reference pages
//! `llms.txt` lists, the OpenAPI block of one page, and the pages that have none.

use openapiv3::OpenAPI;
use serde::{Serialize, Serializer};
use tavus_openapi::{OpenApiBlock, PageIndex, PagePath, SpecError};

use crate::Error;
use crate::fetch::Fetcher;

/// The API reference pages the site's `llms.txt` lists.
pub(crate) async fn reference_pages(fetcher: &Fetcher) -> Result<Vec<PagePath>, Error> {
    let location = fetcher.site().index_location();
    let index = PageIndex::parse(&fetcher.fetch_index().await?, &location)?;
    Ok(index.reference_pages(&location)?)
}

/// A page's one OpenAPI block and the document it holds; `url` names the page in errors.
pub(crate) fn read_page(markdown: &str, url: &str) -> Result<(OpenApiBlock, OpenAPI), SpecError> {
    let block = OpenApiBlock::extract(markdown, url)?;
    let document = tavus_openapi::parse_document(&block.yaml, url)?;
    Ok((block, document))
}

/// An index page that has no OpenAPI block, so is neither vendored nor compared.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedPage {
    /// The page.
    #[serde(serialize_with = "as_text")]
    pub page: PagePath,
    /// Why it was skipped, in a few words.
    pub reason: String,
}

impl SkippedPage {
    /// `page` has no OpenAPI block (such as `api-reference/authentication`).
    pub(crate) fn not_an_operation_page(page: PagePath) -> Self {
        Self {
            page,
            reason: "no OpenAPI block, so not an operation page".into(),
        }
    }
}

fn as_text<S: Serializer>(page: &PagePath, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(page)
}
