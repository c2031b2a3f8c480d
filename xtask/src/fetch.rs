//! Fetching pages from the docs site: bounded concurrency, a timeout per request, and
//! retries on 408, 429, 5xx, timeouts, connection errors and bodies cut off, by the retry
//! policy of `tavus-api`'s client ([`tavus_retry`]: backoff with jitter, `Retry-After` in
//! seconds or as a date, and a time budget).
//!
//! Redirects are followed only within the site (same scheme, host and port as
//! `--docs-url`), and the page says where it was found; a redirect to another host is an
//! error, since what is there is not the site's page.
//!
//! ```no_run
//! # async fn demo() -> Result<(), xtask::fetch::FetchError> {
//! use xtask::fetch::{FetchOptions, Fetcher};
//! use xtask::site::DocsSite;
//!
//! let page = tavus_openapi::PagePath::parse("api-reference/documents/get-document", "demo").unwrap();
//! let fetcher = Fetcher::new(DocsSite::Http("https://docs.tavus.io".into()), FetchOptions::default())?;
//! for result in fetcher.fetch_pages(&[page]).await {
//!     println!("{} bytes", result?.text.len());
//! }
//! # Ok(()) }
//! ```

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use tavus_openapi::PagePath;
use tavus_retry::{Outcome, RetryPolicy, is_retryable_error, is_transient, retry_after};

use crate::site::DocsSite;

/// How pages are fetched.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// How many requests may be in flight at once (at least 1). The default, 24, fetches
    /// the 35 operation pages in two waves: within twice one page's response time (see
    /// BENCHMARKS.md), while over HTTP/2 it is still one connection to the docs site.
    pub concurrency: usize,
    /// The limit for one request, connection and body included.
    pub timeout: Duration,
    /// How many times a request is retried after a 408, a 429, a 5xx, a timeout, a
    /// connection error or a body cut off; so a request is tried at most `retries + 1`
    /// times, and no retry starts more than [`retry_budget`] after the first attempt.
    pub retries: u32,
    /// The scale of the wait before the first retry; each further retry waits about twice
    /// as long (with jitter, as [`RetryPolicy`] says). A `Retry-After` replaces it.
    pub backoff: Duration,
    /// Whether to draw a progress line on stderr (only sensible on a terminal).
    pub progress: bool,
}

/// No retry starts more than this long after a request's first attempt, with the default
/// options, so a misbehaving server cannot stall a CI job for hours: a `Retry-After`
/// asking for a wait past it ends retrying. It leaves room for the default 3 retries of
/// requests that each time out.
pub const RETRY_BUDGET: Duration = Duration::from_secs(90);

/// How long after a request's first attempt its retries may start: [`RETRY_BUDGET`], or
/// more when `--timeout` and `--retries` ask for more, so that every retry asked for
/// fits even when each attempt times out and waits the longest backoff.
pub fn retry_budget(options: &FetchOptions) -> Duration {
    let per_retry = options
        .timeout
        .saturating_add(RetryPolicy::DEFAULT_MAX_BACKOFF);
    RETRY_BUDGET.max(per_retry.saturating_mul(options.retries))
}

/// How many redirects within the site one page may go through.
pub const MAX_REDIRECTS: usize = 5;

/// A page's text, and where it was read from when the site redirected the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The body.
    pub text: String,
    /// The URL the body came from, when the site redirected the request there (always a
    /// URL of the site: a redirect elsewhere is [`FetchError::OffSiteRedirect`]).
    pub redirected_to: Option<String>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            concurrency: 24,
            timeout: Duration::from_secs(20),
            retries: 3,
            backoff: Duration::from_millis(250),
            progress: false,
        }
    }
}

/// The most a page or `llms.txt` may hold: reference pages are tens of kilobytes, and a
/// server that sends more (or never stops) must not fill memory.
pub const MAX_PAGE_SIZE: usize = 16 * 1024 * 1024;

/// Why a page or the index could not be fetched. Each names the URL (or local file) in
/// `url`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    /// The server (or local copy) has no such page.
    #[error("{url}: not found (404)")]
    NotFound { url: String },
    /// The server answered with an error status, after retries where they apply.
    #[error("{url}: HTTP {status} (after {attempts} attempt{})", plural(*attempts as usize))]
    Status {
        url: String,
        /// The last status received.
        status: u16,
        /// How many requests were made.
        attempts: u32,
    },
    /// No usable answer: connection refused or reset, timed out, or the body was cut off.
    #[error("{url}: {problem} (after {attempts} attempt{})", plural(*attempts as usize))]
    Transport {
        url: String,
        /// What went wrong on the last attempt.
        problem: String,
        /// How many requests were made.
        attempts: u32,
    },
    /// The server sent an HTML page (a login wall, an error page, the site's web view)
    /// where the Markdown export of a page was expected.
    #[error("{url}: got an HTML page (Content-Type: {content_type}) where Markdown was expected")]
    Html {
        url: String,
        /// The Content-Type received.
        content_type: String,
    },
    /// The body is larger than any page of the site should be; reading stopped there.
    #[error(
        "{url}: the body is larger than {limit} bytes, more than any page of the docs should be"
    )]
    TooLarge {
        url: String,
        /// The limit, [`MAX_PAGE_SIZE`].
        limit: usize,
    },
    /// The body is not UTF-8 text.
    #[error("{url}: the body is not UTF-8 text")]
    NotText { url: String },
    /// A file of a local copy could not be read.
    #[error("cannot read {url}: {problem}")]
    File {
        /// The file.
        url: String,
        /// What the operating system said.
        problem: String,
    },
    /// The site redirected the request to another host (or scheme or port): the page is
    /// not read from there, as the site no longer vouches for what is served.
    #[error(
        "{url}: redirected ({status}) to {location}, which is not on the docs site {site}; \
         if the docs have moved there, check that host and pass it as --docs-url"
    )]
    OffSiteRedirect {
        /// The page's URL on the site.
        url: String,
        /// The redirect's status.
        status: u16,
        /// Where the site redirected to.
        location: String,
        /// The docs site's base URL.
        site: String,
    },
    /// The site kept redirecting (a loop, most likely).
    #[error("{url}: more than {MAX_REDIRECTS} redirects (the last to {location})")]
    TooManyRedirects {
        /// The page's URL on the site.
        url: String,
        /// The last redirect's target.
        location: String,
    },
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Fetches pages and the index from one docs site.
#[derive(Debug, Clone)]
pub struct Fetcher {
    site: DocsSite,
    options: FetchOptions,
    retry: RetryPolicy,
    client: reqwest::Client,
}

impl Fetcher {
    /// A fetcher for `site`.
    pub fn new(site: DocsSite, options: FetchOptions) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .user_agent(concat!("tavus-api-xtask/", env!("CARGO_PKG_VERSION")))
            // Followed by hand (`get_following`): a redirect to another host must fail, and
            // one within the site must be reported.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        let retry = RetryPolicy::default()
            .max_attempts(options.retries.saturating_add(1))
            .initial_backoff(options.backoff)
            .max_elapsed(retry_budget(&options));
        Ok(Self {
            site,
            options,
            retry,
            client,
        })
    }

    /// The site this fetcher reads.
    pub fn site(&self) -> &DocsSite {
        &self.site
    }

    /// Fetches the Markdown of each page, at most `concurrency` at a time; the results are
    /// in the order of `pages`.
    pub async fn fetch_pages(&self, pages: &[PagePath]) -> Vec<Result<Fetched, FetchError>> {
        let done = AtomicUsize::new(0);
        let total = pages.len();
        let results = futures_util::stream::iter(pages)
            .map(|page| async {
                let result = self.fetch(self.site.page_location(page)).await;
                let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                if self.options.progress {
                    eprint!("\rfetching pages: {done}/{total}");
                    let _ = std::io::stderr().flush();
                }
                result
            })
            // `--concurrency` refuses 0; this guards other callers, as 0 would never finish.
            .buffered(self.options.concurrency.max(1))
            .collect()
            .await;
        if self.options.progress && total > 0 {
            eprintln!();
        }
        results
    }

    /// Fetches one file of the site by its location (a URL, or a file of a local copy).
    pub async fn fetch(&self, location: String) -> Result<Fetched, FetchError> {
        match &self.site {
            DocsSite::Dir(_) => read_file(location).map(|text| Fetched {
                text,
                redirected_to: None,
            }),
            DocsSite::Http(base) => self.get_following(base, location).await,
        }
    }

    /// Gets `url`, following redirects that stay on the site `base`.
    async fn get_following(&self, base: &str, url: String) -> Result<Fetched, FetchError> {
        let mut current = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let attempt = |attempt: tavus_retry::Attempt| self.get_once(&current, attempt.number);
            match tavus_retry::retry(&self.retry, attempt, |_, _, _| {}).await? {
                Got::Body(text) => {
                    let redirected_to = (current != url).then_some(current);
                    return Ok(Fetched {
                        text,
                        redirected_to,
                    });
                }
                Got::Redirect { status, location } => {
                    if !same_site(base, &location) {
                        return Err(FetchError::OffSiteRedirect {
                            url,
                            status,
                            location,
                            site: base.to_owned(),
                        });
                    }
                    current = location;
                }
            }
        }
        Err(FetchError::TooManyRedirects {
            url,
            location: current,
        })
    }

    async fn get_once(&self, url: &str, attempts: u32) -> Outcome<Result<Got, FetchError>> {
        let failed = |e: reqwest::Error| {
            let retryable = is_retryable_error(&Method::GET, &e);
            let result = Err(FetchError::Transport {
                url: url.to_owned(),
                problem: describe(e),
                attempts,
            });
            if retryable {
                Outcome::Retryable {
                    result,
                    retry_after: None,
                }
            } else {
                Outcome::Final(result)
            }
        };
        let mut response = match self.client.get(url).send().await {
            Ok(response) => response,
            Err(e) => return failed(e),
        };
        let status = response.status();
        if status.is_redirection()
            && let Some(location) = redirect_target(url, &response)
        {
            return Outcome::Final(Ok(Got::Redirect {
                status: status.as_u16(),
                location,
            }));
        }
        if status == StatusCode::NOT_FOUND {
            return Outcome::Final(Err(FetchError::NotFound {
                url: url.to_owned(),
            }));
        }
        if !status.is_success() {
            let result = Err(FetchError::Status {
                url: url.to_owned(),
                status: status.as_u16(),
                attempts,
            });
            if is_transient(status) {
                return Outcome::Retryable {
                    result,
                    retry_after: retry_after(&response),
                };
            }
            return Outcome::Final(result);
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if content_type.to_ascii_lowercase().starts_with("text/html") {
            return Outcome::Final(Err(FetchError::Html {
                url: url.to_owned(),
                content_type: content_type.to_owned(),
            }));
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > MAX_PAGE_SIZE => {
                    return Outcome::Final(Err(FetchError::TooLarge {
                        url: url.to_owned(),
                        limit: MAX_PAGE_SIZE,
                    }));
                }
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => return failed(e),
            }
        }
        Outcome::Final(
            String::from_utf8(body)
                .map(Got::Body)
                .map_err(|_| FetchError::NotText {
                    url: url.to_owned(),
                }),
        )
    }
}

/// What one URL answered: a body, or a redirect to follow (or not).
enum Got {
    Body(String),
    Redirect { status: u16, location: String },
}

/// A redirect's `Location`, resolved against the URL that answered; `None` without a
/// usable one (the response is then an error status like any other).
fn redirect_target(url: &str, response: &reqwest::Response) -> Option<String> {
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)?
        .to_str()
        .ok()?;
    Some(
        reqwest::Url::parse(url)
            .ok()?
            .join(location)
            .ok()?
            .to_string(),
    )
}

/// Whether `url` is on the site whose base URL is `base`: same scheme, host and port.
fn same_site(base: &str, url: &str) -> bool {
    let origin = |u: &str| {
        let u = reqwest::Url::parse(u).ok()?;
        Some((
            u.scheme().to_owned(),
            u.host_str()?.to_owned(),
            u.port_or_known_default(),
        ))
    };
    matches!((origin(base), origin(url)), (Some(a), Some(b)) if a == b)
}

/// What went wrong, then reqwest's error with its causes ([`tavus_retry::error_chain`], as
/// the client tells them) without the URL, which the message names already.
fn describe(error: reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else if error.is_body() || error.is_decode() {
        "the body was cut off before its end"
    } else {
        "request failed"
    };
    format!("{what}: {}", tavus_retry::error_chain(&error.without_url()))
}

fn read_file(path: String) -> Result<String, FetchError> {
    match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| FetchError::NotText { url: path }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(FetchError::NotFound { url: path })
        }
        Err(e) => Err(FetchError::File {
            url: path,
            problem: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_budget_fits_every_retry_asked_for() {
        let defaults = FetchOptions::default();
        assert_eq!(retry_budget(&defaults), RETRY_BUDGET);
        // 3 × (20 s + 8 s) fits in the default budget; 5 × (60 s + 8 s) needs 340 s.
        let patient = FetchOptions {
            timeout: Duration::from_secs(60),
            retries: 5,
            ..defaults
        };
        assert_eq!(retry_budget(&patient), Duration::from_secs(340));
    }
}
