//! The vendored spec is the upstream pages' OpenAPI blocks, byte for byte.

use integration_tests::{docs_snapshot, repo_root};
use tavus_openapi::{OpenApiBlock, VendoredSpec};

#[test]
fn every_vendored_file_is_its_page_block_verbatim() {
    let spec = VendoredSpec::load(repo_root().join("openapi")).unwrap();
    assert!(!spec.files.is_empty());
    for file in &spec.files {
        let page = docs_snapshot().join(format!("{}.md", file.page));
        let markdown = std::fs::read_to_string(&page).unwrap_or_else(|e| {
            panic!(
                "{} names no snapshot page {}: {e}",
                file.file.display(),
                page.display()
            )
        });
        let block = OpenApiBlock::extract(&markdown, &page.display().to_string()).unwrap();
        assert!(
            block.yaml == file.text,
            "{} differs from the OpenAPI block of {}",
            file.file.display(),
            page.display()
        );
    }
}

#[test]
fn delete_document_is_vendored_at_its_page_path() {
    let file = repo_root().join("openapi/api-reference/documents/delete-document.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let page =
        std::fs::read_to_string(docs_snapshot().join("api-reference/documents/delete-document.md"))
            .unwrap();
    let fence = "````yaml delete /v2/documents/{document_id}\n";
    let start = page.find(fence).unwrap() + fence.len();
    let end = start + page[start..].find("\n````").unwrap() + 1;
    assert_eq!(text, &page[start..end]);
}
