//! `cargo xtask drift`: compares every vendored page with its upstream page, finds pages
//! `llms.txt` lists that are not vendored yet and vendored pages that are gone upstream.
//!
//! A check that cannot see all of upstream fails (exit status 2) instead of reporting a
//! partial result: a failed fetch is never "no drift", and never drift either.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tavus_openapi::{PagePath, VendoredFile};

use crate::PageError;

use crate::Error;
use crate::diff::{Change, diff_documents, unclassified, whole_page};
use crate::fetch::{FetchError, Fetcher};
use crate::rules::{Rule, Rust, Semver, Wire};
pub use crate::upstream::{RedirectedPage, SkippedPage};
use crate::upstream::{read_pages, reference_pages};

/// The version of the JSON layout (`schema_version`): 2 since changes carry `wire`,
/// `rust` and `semver` verdicts instead of one `severity`.
pub const SCHEMA_VERSION: u32 = 2;

/// Everything the check found. Serialised as the `--format json` report (see
/// `xtask/DRIFT.md` for the schema).
#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    /// The version of this JSON layout; it changes only when a field changes meaning or is
    /// removed.
    pub schema_version: u32,
    /// The docs site checked.
    pub docs_url: String,
    /// The bump the regenerated crate needs: the greatest of its changes'; `None` (`null`)
    /// when nothing changed.
    pub semver: Option<Semver>,
    /// How many changes of each verdict, and how many pages in each state.
    pub summary: Summary,
    /// Pages that differ from upstream (changed, new or gone), in page order.
    pub pages: Vec<PageDrift>,
    /// Index entries neither vendored nor compared: pages that are not operation pages,
    /// and links to reference pages on other hosts.
    pub skipped: Vec<SkippedPage>,
    /// Pages the site redirected to another of its URLs, where their block was read.
    pub redirects: Vec<RedirectedPage>,
}

/// Counts for the report's headline.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Changes by wire verdict.
    pub wire: WireCounts,
    /// Changes by Rust verdict.
    pub rust: RustCounts,
    /// Vendored pages identical to upstream.
    pub unchanged_pages: usize,
    /// Vendored pages that differ from upstream.
    pub changed_pages: usize,
    /// Upstream operation pages not vendored yet.
    pub new_pages: usize,
    /// Vendored pages gone upstream.
    pub gone_pages: usize,
}

/// How many changes have each wire verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WireCounts {
    /// An existing client may not talk correctly to the server any more.
    pub breaking: usize,
    /// The API changed; an existing client keeps working.
    pub compatible: usize,
    /// Only documentation changed.
    pub none: usize,
}

/// How many changes have each Rust verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct RustCounts {
    /// Code written the documented way may stop compiling.
    pub stops_compiling: usize,
    /// Calls that worked may fail before sending.
    pub fails_before_sending: usize,
    /// Code keeps compiling and working.
    pub compiles: usize,
}

/// How a page differs from upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PageStatus {
    /// Vendored, and upstream's block is different.
    Changed,
    /// Upstream, listed in `llms.txt`, not vendored.
    New,
    /// Vendored, but no longer upstream (404, and not in `llms.txt`).
    Gone,
}

/// One page's drift.
#[derive(Debug, Clone, Serialize)]
pub struct PageDrift {
    /// The page, such as `api-reference/documents/get-document`.
    pub page: String,
    /// Its upstream URL (or file, for a local copy of the site).
    pub url: String,
    /// Its vendored file (where it is, or would be).
    pub file: PathBuf,
    /// Changed, new or gone.
    pub status: PageStatus,
    /// The changes, in the order they were found.
    pub changes: Vec<Change>,
}

/// Which changes make the check fail (exit status 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any change, documentation and text reformatting included.
    Any,
    /// A change an existing client may not survive (wire verdict `breaking`).
    WireBreaking,
    /// A change that needs a major release: code may stop compiling, or calls fail
    /// before sending.
    Major,
    /// A change that may stop code written the documented way from compiling.
    StopsCompiling,
}

impl DriftReport {
    /// Every change, page by page.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.pages.iter().flat_map(|p| &p.changes)
    }

    /// Whether the report holds drift that counts under `fail_on`.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        // A page is only reported with changes, so `any` is "a page differs".
        self.changes().any(|change| match fail_on {
            FailOn::Any => true,
            FailOn::WireBreaking => change.wire == Wire::Breaking,
            FailOn::Major => change.semver == Semver::Major,
            FailOn::StopsCompiling => change.rust == Rust::StopsCompiling,
        })
    }
}

/// Runs the check of `openapi_dir` against the fetcher's site.
pub async fn check(openapi_dir: &Path, fetcher: &Fetcher) -> Result<DriftReport, Error> {
    // Each file is compared on its own, so the set need not merge to be checked.
    let vendored = VendoredFile::load_all(openapi_dir)?;
    let (listed, elsewhere) = reference_pages(fetcher).await?;
    let new: Vec<PagePath> = listed
        .iter()
        .filter(|page| !vendored.iter().any(|f| &f.page == *page))
        .cloned()
        .collect();
    let pages: Vec<PagePath> = vendored.iter().map(|f| f.page.clone()).chain(new).collect();
    let mut report = DriftReport {
        schema_version: SCHEMA_VERSION,
        docs_url: fetcher.site().to_string(),
        semver: None,
        summary: Summary::default(),
        pages: Vec::new(),
        skipped: elsewhere,
        redirects: Vec::new(),
    };
    let mut errors = Vec::new();
    let read = read_pages(fetcher, &pages, &mut report.redirects).await;
    for (page, (url, read)) in pages.iter().zip(read) {
        let vendored_file = vendored.iter().find(|f| &f.page == page);
        let (file, status, changes) = match (read, vendored_file) {
            (Err(Error::Fetch(FetchError::NotFound { .. })), Some(file))
                if !listed.contains(page) =>
            {
                let message = "the page is gone upstream";
                let changes = whole_page(&file.document, Rule::EndpointRemoved, message);
                (file.file.clone(), PageStatus::Gone, changes)
            }
            (Ok((block, _)), Some(file)) if block.yaml == file.text => {
                report.summary.unchanged_pages += 1;
                continue;
            }
            (Ok((_, document)), Some(file)) => {
                let mut changes = diff_documents(&file.document, &document);
                if changes.is_empty() {
                    // No rule matched: only the text changed if the documents are equal as
                    // values; otherwise the change is one no rule reads, and is not harmless.
                    changes
                        .push(unclassified(&file.document, &document).unwrap_or_else(reformatted));
                }
                (file.file.clone(), PageStatus::Changed, changes)
            }
            (Ok((_, document)), None) => {
                let changes = whole_page(&document, Rule::EndpointAdded, "a new upstream page");
                (page.vendored_file(openapi_dir), PageStatus::New, changes)
            }
            (Err(Error::Page(PageError::NoOpenApiBlock { .. })), None) => {
                report
                    .skipped
                    .push(SkippedPage::not_an_operation_page(page));
                continue;
            }
            (Err(e), _) => {
                errors.push(e);
                continue;
            }
        };
        report.pages.push(PageDrift {
            page: page.to_string(),
            url,
            file,
            status,
            changes,
        });
    }
    if let Err(e) = crate::callbacks::watch(openapi_dir, fetcher, &mut report).await {
        errors.push(e);
    }
    Error::all(errors)?;
    report.pages.sort_by(|a, b| a.page.cmp(&b.page));
    report.summary = summarise(&report);
    report.semver = report.changes().map(|c| c.semver).max();
    Ok(report)
}

/// The block's text differs but the documents are equal as values: the vendored copy is no
/// longer verbatim.
fn reformatted() -> Change {
    Change::new(
        Rule::TextReformatted,
        None,
        "",
        "the block's text changed without changing its meaning (formatting, key order)",
    )
}

fn summarise(report: &DriftReport) -> Summary {
    let wire = |verdict| report.changes().filter(|c| c.wire == verdict).count();
    let rust = |verdict| report.changes().filter(|c| c.rust == verdict).count();
    let pages = |status| report.pages.iter().filter(|p| p.status == status).count();
    Summary {
        wire: WireCounts {
            breaking: wire(Wire::Breaking),
            compatible: wire(Wire::Compatible),
            none: wire(Wire::None),
        },
        rust: RustCounts {
            stops_compiling: rust(Rust::StopsCompiling),
            fails_before_sending: rust(Rust::FailsBeforeSending),
            compiles: rust(Rust::Compiles),
        },
        unchanged_pages: report.summary.unchanged_pages,
        changed_pages: pages(PageStatus::Changed),
        new_pages: pages(PageStatus::New),
        gone_pages: pages(PageStatus::Gone),
    }
}
