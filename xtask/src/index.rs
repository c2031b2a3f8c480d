//! The docs site's page index, `llms.txt`: a Markdown list of `- [Title](URL): description`
//! lines naming every page of the site.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use tavus_openapi::PagePath;

use crate::page_error::PageError;

/// One link of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// The link text, such as `Delete Document`.
    pub title: String,
    /// The link target as written, such as
    /// `https://docs.tavus.io/api-reference/documents/delete-document.md`.
    pub url: String,
}

/// The pages `llms.txt` lists, in the order it lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageIndex {
    /// Every link found in a list item.
    pub entries: Vec<IndexEntry>,
}

impl PageIndex {
    /// Reads the index's Markdown; `origin` (its URL, usually) names it in errors.
    ///
    /// Links are found by a CommonMark parser, and only links inside list items count, so
    /// prose that mentions a URL is not taken for a page.
    pub fn parse(markdown: &str, origin: &str) -> Result<Self, PageError> {
        if crate::page::looks_like_html(markdown) {
            return Err(PageError::HtmlInsteadOfMarkdown {
                origin: origin.to_owned(),
            });
        }
        let mut entries = Vec::new();
        let mut depth_in_items = 0usize;
        let mut link: Option<IndexEntry> = None;
        for event in Parser::new(markdown) {
            match event {
                Event::Start(Tag::Item) => depth_in_items += 1,
                Event::End(TagEnd::Item) => depth_in_items = depth_in_items.saturating_sub(1),
                Event::Start(Tag::Link { dest_url, .. }) if depth_in_items > 0 => {
                    link = Some(IndexEntry {
                        title: String::new(),
                        url: dest_url.to_string(),
                    });
                }
                Event::Text(text) | Event::Code(text) => {
                    if let Some(link) = link.as_mut() {
                        link.title.push_str(&text);
                    }
                }
                Event::End(TagEnd::Link) => entries.extend(link.take()),
                _ => {}
            }
        }
        if entries.is_empty() {
            return Err(PageError::EmptyIndex {
                origin: origin.to_owned(),
            });
        }
        Ok(Self { entries })
    }

    /// The API reference pages the index lists (links under `/api-reference/`), each once,
    /// and the links under `/api-reference/` of other hosts.
    ///
    /// A link is on the site when it is relative (`/api-reference/x.md`) or its host is one
    /// of `site_hosts` (compared without case; the port is not compared). A link to another
    /// host is not a page of the site whatever its path says: it is never fetched (from
    /// the site or anywhere else) nor vendored, and is returned in
    /// [`ReferencePages::elsewhere`] so that callers can say it was skipped.
    ///
    /// Links elsewhere on the site (guides, the full `openapi.yaml`) are not reference
    /// pages and are left out. A link under `/api-reference/` on the site that is not a
    /// usable page path, for example one whose `..` segments would put its vendored file
    /// outside `openapi/`, is an error naming the link.
    pub fn reference_pages(
        &self,
        origin: &str,
        site_hosts: &[&str],
    ) -> Result<ReferencePages, PageError> {
        let mut found = ReferencePages::default();
        for entry in &self.entries {
            if !site_path(&entry.url).starts_with("api-reference/") {
                continue;
            }
            if let Some(host) = link_host(&entry.url)
                && !site_hosts.iter().any(|h| h.eq_ignore_ascii_case(&host))
            {
                if !found.elsewhere.iter().any(|e| e.url == entry.url) {
                    found.elsewhere.push(entry.clone());
                }
                continue;
            }
            let page = PagePath::parse(&entry.url, origin)?;
            if !found.pages.contains(&page) {
                found.pages.push(page);
            }
        }
        Ok(found)
    }
}

/// What [`PageIndex::reference_pages`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferencePages {
    /// The reference pages of the site, in index order, each once.
    pub pages: Vec<PagePath>,
    /// Links under `/api-reference/` whose host is not the site's, each once.
    pub elsewhere: Vec<IndexEntry>,
}

/// The host a link names, lower case, without user info or port: `None` for a link
/// relative to the site. `https://docs.tavus.io@evil.example/x` is `evil.example`, as a
/// browser or HTTP client would read it.
pub fn link_host(url: &str) -> Option<String> {
    let rest = match url.strip_prefix("//") {
        Some(rest) => rest,
        None => url.split_once("://")?.1,
    };
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(ipv6) => ipv6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    Some(host.to_ascii_lowercase())
}

/// `https://host/a/b.md` → `a/b.md`; `//host/a/b.md` → `a/b.md`; `/a/b.md` → `a/b.md`.
pub(crate) fn site_path(url: &str) -> &str {
    let after_host = url
        .strip_prefix("//")
        .or_else(|| url.split_once("://").map(|(_, rest)| rest));
    let without_host = match after_host {
        Some(rest) => rest.find('/').map_or("", |i| &rest[i..]),
        None => url,
    };
    without_host.trim_start_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "# Tavus\n\n## Docs\n\n\
        See [the blog](https://docs.tavus.io/api-reference/not-a-list-item.md) too.\n\n\
        - [Introduction](https://docs.tavus.io/sections/introduction.md): Start here.\n\
        - [Authentication](https://docs.tavus.io/api-reference/authentication.md): Keys.\n\
        - [Delete `Document`](https://docs.tavus.io/api-reference/documents/delete-document.md): Delete one.\n\
        - [Again](/api-reference/documents/delete-document.md): the same page, site-relative.\n\n\
        ## OpenAPI Specs\n\n- [openapi](https://docs.tavus.io/openapi.yaml)\n";

    #[test]
    fn lists_links_in_list_items_only() {
        let index = PageIndex::parse(INDEX, "llms.txt").unwrap();
        assert_eq!(index.entries.len(), 5);
        assert_eq!(index.entries[2].title, "Delete Document");
        assert_eq!(index.entries[4].url, "https://docs.tavus.io/openapi.yaml");
    }

    const SITE: &[&str] = &["docs.tavus.io"];

    #[test]
    fn reference_pages_are_those_under_api_reference_once_each() {
        let index = PageIndex::parse(INDEX, "llms.txt").unwrap();
        let found = index.reference_pages("llms.txt", SITE).unwrap();
        assert_eq!(found.elsewhere, []);
        let names: Vec<&str> = found.pages.iter().map(PagePath::as_str).collect();
        assert_eq!(
            names,
            [
                "api-reference/authentication",
                "api-reference/documents/delete-document"
            ]
        );
    }

    #[test]
    fn an_entry_that_would_leave_openapi_is_an_error_naming_it() {
        let text = "- [Evil](https://docs.tavus.io/api-reference/../../etc/passwd.md): x\n";
        let index = PageIndex::parse(text, "https://d/llms.txt").unwrap();
        let err = index
            .reference_pages("https://d/llms.txt", SITE)
            .unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("https://d/llms.txt: "), "{message}");
        assert!(message.contains("etc/passwd"), "{message}");
    }

    /// A link to another host is not a page of the site, whatever its path: it is set
    /// apart (once), never taken for the site's page of that path.
    #[test]
    fn links_to_other_hosts_are_set_apart() {
        let text = "- [Evil](https://evil.example/api-reference/x/y.md): x\n\
            - [Again](https://evil.example/api-reference/x/y.md): x\n\
            - [Userinfo](https://docs.tavus.io@evil.example/api-reference/x/z.md): x\n\
            - [Scheme-relative](//evil.example/api-reference/x/w.md): x\n\
            - [Upper](https://DOCS.Tavus.io:443/api-reference/x/v.md): x\n\
            - [Mirror](http://127.0.0.1:8080/api-reference/x/u.md): x\n\
            - [Relative](/api-reference/x/t.md): x\n\
            - [Guide](https://evil.example/guides/x.md): x\n";
        let index = PageIndex::parse(text, "llms.txt").unwrap();
        let found = index
            .reference_pages("llms.txt", &["docs.tavus.io", "127.0.0.1"])
            .unwrap();
        let pages: Vec<&str> = found.pages.iter().map(PagePath::as_str).collect();
        assert_eq!(
            pages,
            [
                "api-reference/x/v",
                "api-reference/x/u",
                "api-reference/x/t"
            ]
        );
        let elsewhere: Vec<&str> = found.elsewhere.iter().map(|e| e.url.as_str()).collect();
        assert_eq!(
            elsewhere,
            [
                "https://evil.example/api-reference/x/y.md",
                "https://docs.tavus.io@evil.example/api-reference/x/z.md",
                "//evil.example/api-reference/x/w.md",
            ]
        );
    }

    #[test]
    fn html_and_empty_indexes_are_refused() {
        let html = PageIndex::parse("<!DOCTYPE html><html></html>", "i").unwrap_err();
        assert!(matches!(html, PageError::HtmlInsteadOfMarkdown { .. }));
        let empty = PageIndex::parse("# Nothing here\n", "i").unwrap_err();
        assert!(matches!(empty, PageError::EmptyIndex { .. }));
    }
}
