//! Reading the docs site the same way for `drift` and `update`: the reference pages
//! `llms.txt` lists, the OpenAPI block of one page, and the pages that have none.

use openapiv3::OpenAPI;
use serde::Serialize;
use tavus_openapi::PagePath;

use crate::index::PageIndex;
use crate::page::OpenApiBlock;

use crate::Error;
use crate::fetch::Fetcher;

/// The API reference pages the site's `llms.txt` lists, and its links to reference pages
/// on other hosts, which are skipped: a link to another host is not a page of the site,
/// and fetching it from the site (or from that host) would vendor what the site does not say.
pub(crate) async fn reference_pages(
    fetcher: &Fetcher,
) -> Result<(Vec<PagePath>, Vec<SkippedPage>), Error> {
    let location = fetcher.site().location("llms.txt");
    let index = PageIndex::parse(&fetcher.fetch(location.clone()).await?.text, &location)?;
    let hosts = fetcher.site().hosts();
    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let found = index.reference_pages(&location, &hosts)?;
    let skipped = found
        .elsewhere
        .into_iter()
        .map(|entry| SkippedPage {
            reason: format!(
                "links to {}, not to the docs site ({}), so not fetched",
                crate::index::link_host(&entry.url).unwrap_or_default(),
                hosts.join(", ")
            ),
            page: entry.url,
        })
        .collect();
    Ok((found.pages, skipped))
}

/// Fetches `pages` and reads each one's OpenAPI block and the document it holds: for each
/// page, its URL and what was read (or why nothing was). The pages the site redirected are
/// added to `redirects`.
pub(crate) async fn read_pages(
    fetcher: &Fetcher,
    pages: &[PagePath],
    redirects: &mut Vec<RedirectedPage>,
) -> Vec<(String, Result<(OpenApiBlock, OpenAPI), Error>)> {
    let fetched = fetcher.fetch_pages(pages).await;
    let mut read = Vec::new();
    for (page, fetched) in pages.iter().zip(fetched) {
        let url = fetcher.site().page_location(page);
        let block = fetched.map_err(Error::from).and_then(|fetched| {
            if let Some(location) = fetched.redirected_to.clone() {
                let (page, url) = (page.to_string(), url.clone());
                redirects.push(RedirectedPage {
                    page,
                    url,
                    location,
                });
            }
            // An error names where the text came from.
            let origin = fetched.redirected_to.as_deref().unwrap_or(&url);
            let block = OpenApiBlock::extract(&fetched.text, origin)?;
            let document = tavus_openapi::parse_document(&block.yaml, origin)
                .map_err(crate::PageError::from)?;
            Ok((block, document))
        });
        read.push((url, block));
    }
    read
}

/// A page the site answered with a redirect to another of its URLs: its block was read
/// there. Named in reports, since a page that moved may be another page now.
#[derive(Debug, Clone, Serialize)]
pub struct RedirectedPage {
    /// The page, such as `api-reference/videos/get-video`.
    pub page: String,
    /// Its URL on the site.
    pub url: String,
    /// Where the site redirected it to (after every redirect).
    pub location: String,
}

/// An index entry that is neither vendored nor compared: a page without an OpenAPI block,
/// or a link to a reference page on another host.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedPage {
    /// The page (`api-reference/authentication`), or the link as the index has it when it
    /// points to another host.
    pub page: String,
    /// Why it was skipped, in a few words.
    pub reason: String,
}

impl SkippedPage {
    /// `page` has no OpenAPI block (such as `api-reference/authentication`).
    pub(crate) fn not_an_operation_page(page: &PagePath) -> Self {
        Self {
            page: page.to_string(),
            reason: "no OpenAPI block, so not an operation page".into(),
        }
    }
}
