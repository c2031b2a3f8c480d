//! Where the docs are read from: the live site, a mirror, or a local copy laid out at the
//! site's paths.

use std::fmt;
use std::path::PathBuf;

use tavus_openapi::PagePath;

/// The docs site the xtask reads pages and `llms.txt` from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocsSite {
    /// A site served over HTTP(S), such as `https://docs.tavus.io`.
    Http(String),
    /// A local directory laid out at the site's paths
    /// (`api-reference/<group>/<page>.md`, `llms.txt`).
    Dir(PathBuf),
}

/// The default `--docs-url`.
pub const DEFAULT_DOCS_URL: &str = "https://docs.tavus.io";

impl DocsSite {
    /// Reads `--docs-url`: an `http://` or `https://` base URL, or a local directory.
    pub fn parse(text: &str) -> Result<Self, String> {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let base = text.trim_end_matches('/');
            if base.contains(['?', '#']) {
                return Err(format!(
                    "--docs-url {text}: a base URL has no query or fragment"
                ));
            }
            return Ok(Self::Http(base.to_owned()));
        }
        if lower.contains("://") {
            return Err(format!(
                "--docs-url {text}: expected an http(s) URL or a local directory"
            ));
        }
        let dir = PathBuf::from(text);
        if !dir.is_dir() {
            return Err(format!(
                "--docs-url {text}: not an http(s) URL and not a directory"
            ));
        }
        Ok(Self::Dir(dir))
    }

    /// Where a file of the site (`llms.txt`, `<page>.md`) is read from: its URL, or its
    /// file in the local copy.
    pub fn location(&self, path: &str) -> String {
        match self {
            Self::Http(base) => format!("{}/{path}", base.trim_end_matches('/')),
            Self::Dir(dir) => dir.join(path).display().to_string(),
        }
    }

    /// Where a page is read from.
    pub fn page_location(&self, page: &PagePath) -> String {
        self.location(&format!("{page}.md"))
    }

    /// The hosts whose links in `llms.txt` are pages of this site: docs.tavus.io, whose
    /// index (and every copy of it) names its pages by absolute URL, and the host of
    /// `--docs-url` when it is a URL (a staging site's index names its own host).
    pub fn hosts(&self) -> Vec<String> {
        let host = |url: &str| reqwest::Url::parse(url).ok()?.host_str().map(str::to_owned);
        let mut hosts: Vec<String> = host(DEFAULT_DOCS_URL).into_iter().collect();
        if let Self::Http(base) = self
            && let Some(own) = host(base)
            && !hosts.contains(&own)
        {
            hosts.push(own);
        }
        hosts
    }
}

impl fmt::Display for DocsSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http(base) => f.write_str(base),
            Self::Dir(dir) => write!(f, "{}", dir.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_directories() {
        let page = PagePath::parse("api-reference/documents/get-document", "t").unwrap();
        let http = DocsSite::parse("http://127.0.0.1:8/docs/").unwrap();
        assert_eq!(
            http.page_location(&page),
            "http://127.0.0.1:8/docs/api-reference/documents/get-document.md"
        );
        assert_eq!(
            http.location("llms.txt"),
            "http://127.0.0.1:8/docs/llms.txt"
        );
        assert_eq!(http.hosts(), ["docs.tavus.io", "127.0.0.1"]);
        let dir = DocsSite::parse(env!("CARGO_MANIFEST_DIR")).unwrap();
        assert!(dir.location("llms.txt").ends_with("xtask/llms.txt"));
        assert_eq!(dir.hosts(), ["docs.tavus.io"]);
    }

    #[test]
    fn other_schemes_and_missing_directories_are_refused() {
        assert!(DocsSite::parse("ftp://x").unwrap_err().contains("ftp://x"));
        assert!(
            DocsSite::parse("/no/such/dir")
                .unwrap_err()
                .contains("not a directory")
        );
    }
}
