//! Property tests of the page parsers: whatever the docs site sends, they answer with a
//! block or an error, never a panic, and never a block that is not the page's own text.

use proptest::prelude::*;
use xtask::PageError;
use xtask::index::PageIndex;
use xtask::page::OpenApiBlock;

/// Lines a YAML block may hold: anything that cannot close a four-backtick fence.
fn block_line() -> impl Strategy<Value = String> {
    "[ a-zA-Z0-9:'\"{}\\[\\],#>*&!|%@`~_./-]{0,60}".prop_filter("no closing fence", |line| {
        !line.trim_start().starts_with("````")
    })
}

fn block_body() -> impl Strategy<Value = String> {
    proptest::collection::vec(block_line(), 0..20)
        .prop_map(|lines| lines.into_iter().map(|l| l + "\n").collect::<String>())
}

/// Markdown a page may have around its block: prose, lists, quotes, other code blocks.
fn prose() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[a-zA-Z ,.]{0,40}\n".boxed(),
            "> [a-zA-Z ]{0,20}\n".boxed(),
            "- \\[[a-z]{1,8}\\]\\(https://x/[a-z]{1,8}\\.md\\)\n".boxed(),
            "```bash\ncurl [a-z]{0,10}\n```\n".boxed(),
            "\n".boxed(),
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

fn page(before: &str, body: &str, after: &str) -> String {
    format!("{before}\n````yaml get /v2/videos/{{video_id}}\n{body}````\n{after}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = OpenApiBlock::extract(&text, "page");
        if let Ok(index) = PageIndex::parse(&text, "llms.txt") {
            let _ = index.reference_pages("llms.txt", &["docs.tavus.io"]);
        }
    }

    #[test]
    fn markdown_like_text_never_panics(text in "[`~ a-z\\n>*#\\[\\]()-]{0,300}") {
        let _ = OpenApiBlock::extract(&text, "page");
        let _ = PageIndex::parse(&text, "llms.txt");
    }

    #[test]
    fn the_block_comes_back_byte_for_byte(
        before in prose(), body in block_body(), after in prose()
    ) {
        let block = OpenApiBlock::extract(&page(&before, &body, &after), "page").unwrap();
        prop_assert_eq!(block.yaml, body);
        prop_assert_eq!(block.method, "get");
        prop_assert_eq!(block.path, "/v2/videos/{video_id}");
    }

    #[test]
    fn a_page_cut_before_its_closing_fence_is_never_a_block(
        before in prose(), body in block_body(), cut in any::<prop::sample::Index>()
    ) {
        let whole = page(&before, &body, "");
        let closed_at = whole.rfind("````").unwrap() + 4;
        let cut = cut.index(closed_at);
        let result = OpenApiBlock::extract(&whole[..cut], "page");
        prop_assert!(
            matches!(
                result,
                Err(PageError::UnclosedBlock { .. }) | Err(PageError::NoOpenApiBlock { .. })
            ),
            "cut at {} of {:?} gave {:?}", cut, whole, result
        );
    }
}
