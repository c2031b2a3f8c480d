//! The vendored copies under `openapi/`, and how each one names the page it came from.

use std::fmt;
use std::path::{Path, PathBuf};

use openapiv3::OpenAPI;

use crate::{SpecError, merge, parse_document};

/// A reference page's place on the docs site, such as
/// `api-reference/documents/delete-document`.
///
/// It maps one-to-one to the page's URL (`<base>/<path>.md`) and to its vendored file
/// (`openapi/<path>.yaml`), so either names the other. Only paths under
/// `api-reference/` made of plain segments are accepted: nothing a page index says can
/// make a vendored file land outside `openapi/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PagePath(String);

impl PagePath {
    /// Reads a page path from a page URL (`https://docs.tavus.io/api-reference/x/y.md`),
    /// a site path (`/api-reference/x/y.md`) or a bare path (`api-reference/x/y`).
    pub fn parse(text: &str, origin: &str) -> Result<Self, SpecError> {
        let bad = |reason| SpecError::BadPagePath {
            origin: origin.to_owned(),
            path: text.to_owned(),
            reason,
        };
        let without_host = match text.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
            None => text,
        };
        let path = without_host.trim_start_matches('/');
        let path = path.strip_suffix(".md").unwrap_or(path);
        if path.contains(['?', '#']) {
            return Err(bad("a page path has no query or fragment"));
        }
        let segments: Vec<&str> = path.split('/').collect();
        if segments.first() != Some(&"api-reference") || segments.len() < 2 {
            return Err(bad("API reference pages live under /api-reference/"));
        }
        for segment in &segments {
            if segment.is_empty() || *segment == "." || *segment == ".." {
                return Err(bad("empty, `.` and `..` segments would leave openapi/"));
            }
            if !segment
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            {
                return Err(bad("segments are lower-case letters, digits, `-` and `_`"));
            }
        }
        Ok(Self(path.to_owned()))
    }

    /// The path itself, such as `api-reference/documents/delete-document`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The page's vendored file under a vendored directory.
    pub fn vendored_file(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.yaml", self.0))
    }
}

impl fmt::Display for PagePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One vendored file: the OpenAPI block of one upstream page.
#[derive(Debug, Clone)]
pub struct VendoredFile {
    /// The page it was copied from.
    pub page: PagePath,
    /// Where it is on disk.
    pub file: PathBuf,
    /// Its text, exactly as vendored.
    pub text: String,
    /// Its text, parsed.
    pub document: OpenAPI,
}

/// Every vendored file of a directory, and the one document they merge into.
#[derive(Debug, Clone)]
pub struct VendoredSpec {
    /// The vendored files, sorted by page path.
    pub files: Vec<VendoredFile>,
    /// All files merged into one OpenAPI document.
    pub document: OpenAPI,
}

impl VendoredFile {
    /// Reads and parses every `*.yaml` file under `dir`, sorted by path, without merging
    /// them: for tools that look at each file on its own, such as the one that repairs a
    /// vendored set that no longer merges.
    pub fn load_all(dir: impl AsRef<Path>) -> Result<Vec<Self>, SpecError> {
        let dir = dir.as_ref();
        let mut paths = Vec::new();
        collect_yaml(dir, &mut paths)?;
        paths.sort();
        if paths.is_empty() {
            return Err(SpecError::NoVendoredFiles {
                dir: dir.to_owned(),
            });
        }
        paths
            .into_iter()
            .map(|file| read_vendored(dir, file))
            .collect()
    }
}

impl VendoredSpec {
    /// Reads, parses and merges every `*.yaml` file under `dir`.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, SpecError> {
        let files = VendoredFile::load_all(dir)?;
        let document = merge(
            files
                .iter()
                .map(|f| (f.file.display().to_string(), &f.document)),
        )?;
        Ok(Self { files, document })
    }
}

fn read_vendored(dir: &Path, file: PathBuf) -> Result<VendoredFile, SpecError> {
    let origin = file.display().to_string();
    let text = std::fs::read_to_string(&file).map_err(|source| SpecError::Io {
        path: file.clone(),
        source,
    })?;
    let relative = file.strip_prefix(dir).unwrap_or(&file).with_extension("");
    let relative = relative.to_string_lossy().replace('\\', "/");
    let page = PagePath::parse(&relative, &origin)?;
    let document = parse_document(&text, &origin)?;
    Ok(VendoredFile {
        page,
        file,
        text,
        document,
    })
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SpecError> {
    let io = |source| SpecError::Io {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths_map_urls_and_files_one_to_one() {
        let page = PagePath::parse(
            "https://docs.tavus.io/api-reference/documents/delete-document.md",
            "t",
        )
        .unwrap();
        assert_eq!(page.as_str(), "api-reference/documents/delete-document");
        assert_eq!(
            page.vendored_file(Path::new("openapi")),
            Path::new("openapi/api-reference/documents/delete-document.yaml")
        );
        assert_eq!(PagePath::parse(page.as_str(), "t").unwrap(), page);
    }

    #[test]
    fn paths_that_would_leave_openapi_are_refused() {
        for bad in [
            "https://docs.tavus.io/api-reference/../../etc/passwd.md",
            "/api-reference/./x.md",
            "api-reference//x",
            "/sections/introduction.md",
            "https://docs.tavus.io/openapi.yaml",
            "api-reference/x/Y.md",
            "api-reference/x/a b.md",
            "api-reference/x/y.md?z",
            "api-reference\\..\\x",
        ] {
            let err = PagePath::parse(bad, "llms.txt").unwrap_err();
            assert!(err.to_string().starts_with("llms.txt: "), "{bad}: {err}");
        }
    }
}
