//! Reading the docs site the same way for `drift` and `update`: the reference pages
//! `llms.txt` lists, and the OpenAPI block of one page.

use openapiv3::OpenAPI;
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
