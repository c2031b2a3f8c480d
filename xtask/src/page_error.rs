//! Why a docs page or the site's page index could not be read.

/// A page of the docs site (or its `llms.txt` index) that is not what the xtask reads.
/// Each names the page.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// A page has no fenced OpenAPI block.
    #[error(
        "{origin}: no OpenAPI block (a fence opened with ````yaml <method> <path>) on the page"
    )]
    NoOpenApiBlock {
        /// The page.
        origin: String,
    },
    /// A page has more than one OpenAPI block, so which one to vendor is unclear.
    #[error("{origin}: {count} OpenAPI blocks on one page; expected exactly one")]
    SeveralOpenApiBlocks {
        /// The page.
        origin: String,
        /// How many were found.
        count: usize,
    },
    /// The OpenAPI block is not closed: the page was cut off.
    #[error("{origin}: the OpenAPI block `{info}` is never closed; the page looks truncated")]
    UnclosedBlock {
        /// The page.
        origin: String,
        /// The block's opening info string.
        info: String,
    },
    /// The page looks like HTML, not the Markdown export of a reference page.
    #[error(
        "{origin}: got an HTML page where the Markdown export of a reference page was expected"
    )]
    HtmlInsteadOfMarkdown {
        /// The page.
        origin: String,
    },
    /// The page index lists no pages at all.
    #[error(
        "{origin}: the page index lists no pages (expected `- [Title](URL): description` lines)"
    )]
    EmptyIndex {
        /// The index.
        origin: String,
    },
    /// The page's block is not a usable OpenAPI 3.0 document.
    #[error(transparent)]
    Spec(#[from] tavus_openapi::SpecError),
}
