//! Upstream reference pages: the Markdown export of a docs.tavus.io API reference page,
//! and the fenced OpenAPI block it ends with.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::page_error::PageError;

/// The fenced OpenAPI block of a reference page, opened by a line such as
/// ```` ````yaml delete /v2/documents/{document_id} ````.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenApiBlock {
    /// The HTTP method named in the fence's info string, lower case.
    pub method: String,
    /// The API path named in the fence's info string.
    pub path: String,
    /// The block's text exactly as it stands between the fences, byte for byte.
    pub yaml: String,
}

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl OpenApiBlock {
    /// Finds the one OpenAPI block in a page's Markdown.
    ///
    /// The block is found by a CommonMark parser, so fences inside other code blocks or
    /// quoted text are not mistaken for it; its text is sliced from the page so that it is
    /// kept byte for byte.
    pub fn extract(markdown: &str, origin: &str) -> Result<Self, PageError> {
        if looks_like_html(markdown) {
            return Err(PageError::HtmlInsteadOfMarkdown {
                origin: origin.to_owned(),
            });
        }
        let mut blocks = Vec::new();
        let mut open: Option<(String, String, String, std::ops::Range<usize>)> = None;
        let mut content: Option<std::ops::Range<usize>> = None;
        for (event, range) in Parser::new(markdown).into_offset_iter() {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                    open = operation_of(&info).map(|(m, p)| (info.to_string(), m, p, range));
                    content = None;
                }
                Event::Text(_) if open.is_some() => {
                    let start = content.as_ref().map_or(range.start, |c| c.start);
                    content = Some(start..range.end);
                }
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((info, method, path, whole)) = open.take() {
                        let yaml = content.take().map_or("", |c| &markdown[c]);
                        blocks.push((info, method, path, yaml.to_owned(), whole));
                    }
                }
                _ => {}
            }
        }
        match blocks.len() {
            0 => Err(PageError::NoOpenApiBlock {
                origin: origin.to_owned(),
            }),
            1 => {
                let (info, method, path, yaml, whole) = blocks.remove(0);
                if !is_closed(&markdown[whole]) {
                    return Err(PageError::UnclosedBlock {
                        origin: origin.to_owned(),
                        info,
                    });
                }
                Ok(Self { method, path, yaml })
            }
            count => Err(PageError::SeveralOpenApiBlocks {
                origin: origin.to_owned(),
                count,
            }),
        }
    }
}

/// `yaml delete /v2/documents/{document_id}` → `("delete", "/v2/documents/{document_id}")`.
fn operation_of(info: &str) -> Option<(String, String)> {
    let mut words = info.split_whitespace();
    let (lang, method, path) = (words.next()?, words.next()?, words.next()?);
    let method = method.to_ascii_lowercase();
    (lang == "yaml" && HTTP_METHODS.contains(&method.as_str()) && path.starts_with('/'))
        .then(|| (method, path.to_owned()))
}

/// A fenced block runs to the end of the document when its closing fence is missing;
/// a closed one ends with a fence line of the same character as it opened with.
fn is_closed(block: &str) -> bool {
    let fence_char = block.trim_start().chars().next().unwrap_or('`');
    let opening = block
        .trim_start()
        .chars()
        .take_while(|c| *c == fence_char)
        .count();
    let Some(last) = block.trim_end().lines().last() else {
        return false;
    };
    let last = last.trim();
    block.trim_end().lines().count() > 1
        && last.len() >= opening
        && last.chars().all(|c| c == fence_char)
}

pub(crate) fn looks_like_html(text: &str) -> bool {
    let head = text.trim_start().get(..64).unwrap_or(text.trim_start());
    let head = head.to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(block_body: &str) -> String {
        format!(
            "# Delete Document\n\nText.\n\n````yaml delete /v2/documents/{{document_id}}\n{block_body}````\n"
        )
    }

    #[test]
    fn extracts_the_block_verbatim() {
        let body = "openapi: 3.0.3\ninfo:\n  title: x   \n\n  version: '1'\n";
        let block = OpenApiBlock::extract(&page(body), "p").unwrap();
        assert_eq!(block.yaml, body);
        assert_eq!(block.method, "delete");
        assert_eq!(block.path, "/v2/documents/{document_id}");
    }

    #[test]
    fn ignores_other_code_blocks_and_quoted_fences() {
        let md = format!(
            "```yaml\nnot: this\n```\n\n```bash\n````yaml get /x\n```\n\n{}",
            page("openapi: 3.0.3\n")
        );
        let block = OpenApiBlock::extract(&md, "p").unwrap();
        assert_eq!(block.yaml, "openapi: 3.0.3\n");
    }

    #[test]
    fn a_page_without_a_block_is_an_error_naming_it() {
        let err = OpenApiBlock::extract("# Authentication\n\nUse a key.\n", "https://x/auth.md")
            .unwrap_err();
        assert!(matches!(err, PageError::NoOpenApiBlock { .. }));
        assert!(
            err.to_string()
                .starts_with("https://x/auth.md: no OpenAPI block")
        );
    }

    #[test]
    fn a_truncated_page_is_an_error() {
        let cut = "# T\n\n````yaml get /v2/x\nopenapi: 3.0.3\npaths:\n";
        let err = OpenApiBlock::extract(cut, "p").unwrap_err();
        assert!(matches!(err, PageError::UnclosedBlock { .. }), "{err}");
    }

    #[test]
    fn html_is_refused() {
        let err =
            OpenApiBlock::extract("<!DOCTYPE html><html><body>hi</body></html>", "p").unwrap_err();
        assert!(matches!(err, PageError::HtmlInsteadOfMarkdown { .. }));
    }

    #[test]
    fn two_blocks_are_ambiguous() {
        let md = format!("{}\n{}", page("a: 1\n"), page("b: 2\n"));
        let err = OpenApiBlock::extract(&md, "p").unwrap_err();
        assert!(matches!(
            err,
            PageError::SeveralOpenApiBlocks { count: 2, .. }
        ));
    }

    #[test]
    fn an_empty_block_extracts_as_empty_text() {
        let block = OpenApiBlock::extract(&page(""), "p").unwrap();
        assert_eq!(block.yaml, "");
    }
}
