//! The vendored spec is the upstream pages' OpenAPI blocks, byte for byte.

use integration_tests::{docs_snapshot, repo_root};
use tavus_openapi::VendoredSpec;
use xtask::page::OpenApiBlock;

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

/// Two vendored pages with one `operationId`: what the build script loads fails naming the
/// id and both files, not with a message about a schema the adaptations make from it.
#[test]
fn an_operation_id_in_two_files_fails_the_build_naming_both() {
    let temp = integration_tests::temp_copy(&repo_root().join("openapi"));
    let get_video = temp
        .path()
        .join("api-reference/video-request/get-video.yaml");
    let get_videos = temp
        .path()
        .join("api-reference/video-request/get-videos.yaml");
    let text = std::fs::read_to_string(&get_video).unwrap();
    assert!(text.contains("operationId: getVideo\n"));
    std::fs::write(
        &get_video,
        text.replacen("operationId: getVideo\n", "operationId: listVideos\n", 1),
    )
    .unwrap();
    let err = tavus_openapi::build_script::load_for_progenitor(temp.path()).unwrap_err();
    let message = err.to_string();
    for expect in [
        format!("cannot merge {}", get_videos.display()),
        format!(
            "operationId `listVideos` of GET /v2/videos is already the operationId of GET /v2/videos/{{video_id}} in {}",
            get_video.display()
        ),
    ] {
        assert!(
            message.contains(&expect),
            "expected `{expect}` in {message}"
        );
    }
}
