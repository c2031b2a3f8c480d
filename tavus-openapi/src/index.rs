//! The docs site's page index, `llms.txt`: a Markdown list of `- [Title](URL): description`
//! lines naming every page of the site.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::{PagePath, SpecError};

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
    pub fn parse(markdown: &str, origin: &str) -> Result<Self, SpecError> {
        if crate::page::looks_like_html(markdown) {
            return Err(SpecError::HtmlInsteadOfMarkdown {
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
            return Err(SpecError::EmptyIndex {
                origin: origin.to_owned(),
            });
        }
        Ok(Self { entries })
    }

    /// The API reference pages the index lists (links under `/api-reference/`), each once.
    ///
    /// Links elsewhere on the site (guides, the full `openapi.yaml`) are not reference
    /// pages and are left out. A link under `/api-reference/` that is not a usable page
    /// path, for example one whose `..` segments would put its vendored file outside
    /// `openapi/`, is an error naming the link.
    pub fn reference_pages(&self, origin: &str) -> Result<Vec<PagePath>, SpecError> {
        let mut pages: Vec<PagePath> = Vec::new();
        for entry in &self.entries {
            if !site_path(&entry.url).starts_with("api-reference/") {
                continue;
            }
            let page = PagePath::parse(&entry.url, origin)?;
            if !pages.contains(&page) {
                pages.push(page);
            }
        }
        Ok(pages)
    }
}

/// `https://host/a/b.md` → `a/b.md`; `/a/b.md` → `a/b.md`.
fn site_path(url: &str) -> &str {
    let without_host = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
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

    #[test]
    fn reference_pages_are_those_under_api_reference_once_each() {
        let index = PageIndex::parse(INDEX, "llms.txt").unwrap();
        let pages = index.reference_pages("llms.txt").unwrap();
        let names: Vec<&str> = pages.iter().map(PagePath::as_str).collect();
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
        let err = index.reference_pages("https://d/llms.txt").unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("https://d/llms.txt: "), "{message}");
        assert!(message.contains("etc/passwd"), "{message}");
    }

    #[test]
    fn html_and_empty_indexes_are_refused() {
        let html = PageIndex::parse("<!DOCTYPE html><html></html>", "i").unwrap_err();
        assert!(matches!(html, SpecError::HtmlInsteadOfMarkdown { .. }));
        let empty = PageIndex::parse("# Nothing here\n", "i").unwrap_err();
        assert!(matches!(empty, SpecError::EmptyIndex { .. }));
    }
}
