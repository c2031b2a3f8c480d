//! `cargo xtask update` against the docs snapshot, served by a local stand-in site or read
//! as a local directory: pages are vendored verbatim, and a failure changes nothing.

use std::path::{Path, PathBuf};

use integration_tests::{
    DocsServer, Reply, docs_snapshot, repo_openapi, snapshot, temp_copy, xtask,
};
use tavus_openapi::PagePath;
use xtask::page::OpenApiBlock;

/// Every operation page of the snapshot (every page with an OpenAPI block).
fn operation_pages(docs: &Path) -> Vec<(PagePath, String)> {
    let mut pages = Vec::new();
    let mut dirs = vec![docs.join("api-reference")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let markdown = std::fs::read_to_string(&path).unwrap();
            let Ok(block) = OpenApiBlock::extract(&markdown, "fixture") else {
                continue;
            };
            let relative = path
                .strip_prefix(docs)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            pages.push((PagePath::parse(&relative, "fixture").unwrap(), block.yaml));
        }
    }
    pages.sort();
    pages
}

fn openapi_arg(openapi: &Path) -> String {
    openapi.display().to_string()
}

/// A temporary copy of the repository's `openapi/`, as the directory `openapi` inside it.
fn vendored_copy() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let openapi = temp.path().join("openapi");
    let copy = temp_copy(&repo_openapi());
    std::fs::rename(copy.path(), &openapi).unwrap();
    (temp, openapi)
}

fn edit_page(docs: &Path, page: &str, from: &str, to: &str) {
    let file = docs.join(format!("{page}.md"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{page} has no `{from}`");
    std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
}

/// The repository's `openapi/` cut down to one page, so adding the others is tested
/// whatever the repository has vendored.
fn one_page_vendored() -> (tempfile::TempDir, PathBuf) {
    let (temp, openapi) = vendored_copy();
    let keep = openapi.join("api-reference/documents/delete-document.yaml");
    for file in snapshot(&openapi).into_keys() {
        let file = openapi.join(file);
        if file != keep {
            std::fs::remove_file(file).unwrap();
        }
    }
    assert!(keep.is_file());
    (temp, openapi)
}

#[test]
fn add_new_vendors_every_operation_page_verbatim_from_a_site() {
    let server = DocsServer::start(&docs_snapshot());
    let (_temp, openapi) = one_page_vendored();
    let run = xtask(&[
        "update",
        "--add-new",
        "--docs-url",
        server.url(),
        "--openapi-dir",
        &openapi_arg(&openapi),
    ]);
    assert_eq!(run.status, 0, "{run:?}");
    let pages = operation_pages(&docs_snapshot());
    assert_eq!(pages.len(), 35);
    for (page, block) in &pages {
        let vendored = std::fs::read_to_string(page.vendored_file(&openapi)).unwrap();
        assert_eq!(&vendored, block, "{page} is not the block byte for byte");
    }
    assert_eq!(
        snapshot(&openapi).len(),
        35,
        "only operation pages are vendored"
    );
    assert!(
        run.stdout
            .contains("skipped    api-reference/authentication: no OpenAPI block"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("(34 added, 0 updated)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Next: run `cargo build`"),
        "{}",
        run.stdout
    );
    assert_eq!(server.hits("/llms.txt"), 1);

    let again = xtask(&[
        "update",
        "--add-new",
        "--docs-url",
        server.url(),
        "--openapi-dir",
        &openapi_arg(&openapi),
    ]);
    assert_eq!(again.status, 0, "{again:?}");
    assert!(again.stdout.contains("up to date"), "{}", again.stdout);
}

#[test]
fn docs_url_may_be_a_local_copy_of_the_site() {
    let (_temp, openapi) = one_page_vendored();
    let docs = docs_snapshot();
    let run = xtask(&[
        "update",
        "--add-new",
        "--docs-url",
        &docs.display().to_string(),
        "--openapi-dir",
        &openapi_arg(&openapi),
    ]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stdout.contains("(34 added, 0 updated)"),
        "{}",
        run.stdout
    );
    for (page, block) in operation_pages(&docs) {
        assert_eq!(
            std::fs::read_to_string(page.vendored_file(&openapi)).unwrap(),
            block
        );
    }
    assert_eq!(snapshot(&openapi).len(), 35);
}

#[test]
fn named_pages_are_revendored_in_any_spelling_and_only_drifted_pages_without_names() {
    let docs = temp_copy(&docs_snapshot());
    let server = DocsServer::start(docs.path());
    let (_temp, openapi) = vendored_copy();
    let dir = openapi_arg(&openapi);
    let base = ["--docs-url", server.url(), "--openapi-dir", &dir];
    let add = xtask(&[&["update", "--add-new"][..], &base].concat());
    assert_eq!(add.status, 0, "{add:?}");

    edit_page(
        docs.path(),
        "api-reference/documents/delete-document",
        "summary: Delete Document",
        "summary: Delete One Document",
    );
    edit_page(
        docs.path(),
        "api-reference/video-request/get-video",
        "operationId: getVideo",
        "operationId: getVideo\n      deprecated: true",
    );
    edit_page(
        docs.path(),
        "api-reference/documents/get-document",
        "summary: Get Document",
        "summary: Get One Document",
    );
    edit_page(
        docs.path(),
        "api-reference/guardrails/get-guardrails",
        "summary: Get Guardrails (One Set)",
        "summary: Get One Set of Guardrails",
    );
    // A page URL, a site path and a bare page path.
    let named = xtask(
        &[
            &[
                "update",
                "https://docs.tavus.io/api-reference/documents/delete-document.md",
                "/api-reference/documents/get-document.md",
                "api-reference/guardrails/get-guardrails",
            ][..],
            &base,
        ]
        .concat(),
    );
    assert_eq!(named.status, 0, "{named:?}");
    assert!(
        named.stdout.contains("updated") && named.stdout.contains("delete-document.yaml"),
        "{}",
        named.stdout
    );
    assert!(
        named.stdout.contains("(0 added, 3 updated)"),
        "{}",
        named.stdout
    );
    assert!(!named.stdout.contains("get-video"), "{}", named.stdout);
    for (page, summary) in [
        (
            "api-reference/documents/delete-document",
            "Delete One Document",
        ),
        ("api-reference/documents/get-document", "Get One Document"),
        (
            "api-reference/guardrails/get-guardrails",
            "Get One Set of Guardrails",
        ),
    ] {
        let page = PagePath::parse(page, "t").unwrap();
        let vendored = std::fs::read_to_string(page.vendored_file(&openapi)).unwrap();
        assert!(vendored.contains(&format!("summary: {summary}")), "{page}");
    }

    let drifted = xtask(&[&["update"][..], &base].concat());
    assert_eq!(drifted.status, 0, "{drifted:?}");
    assert!(
        drifted
            .stdout
            .contains("get-video.yaml  (GET /v2/videos/{video_id})"),
        "{}",
        drifted.stdout
    );
    assert!(
        drifted.stdout.contains("unchanged  34 pages"),
        "{}",
        drifted.stdout
    );
    assert!(
        drifted.stdout.contains("(0 added, 1 updated)"),
        "{}",
        drifted.stdout
    );
}

#[test]
fn a_page_named_twice_is_vendored_once() {
    let docs = temp_copy(&docs_snapshot());
    let (_temp, openapi) = vendored_copy();
    let dir = openapi_arg(&openapi);
    let docs_url = docs.path().display().to_string();
    let base = [
        "--docs-url",
        docs_url.as_str(),
        "--openapi-dir",
        dir.as_str(),
    ];
    assert_eq!(
        xtask(&[&["update", "--add-new"][..], &base].concat()).status,
        0
    );
    edit_page(
        docs.path(),
        "api-reference/documents/delete-document",
        "summary: Delete Document",
        "summary: Delete One Document",
    );
    let run = xtask(
        &[
            &[
                "update",
                "api-reference/documents/delete-document",
                "/api-reference/documents/delete-document.md",
                "api-reference/documents/delete-document",
            ][..],
            &base,
        ]
        .concat(),
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stdout.contains("Vendored 1 page from") && run.stdout.contains("(0 added, 1 updated)"),
        "{}",
        run.stdout
    );
    let delete = PagePath::parse("api-reference/documents/delete-document", "t").unwrap();
    let vendored = std::fs::read_to_string(delete.vendored_file(&openapi)).unwrap();
    assert!(vendored.contains("summary: Delete One Document"));
}

/// Runs an update that must fail, and checks `openapi/` did not change at all.
///
/// It starts from one vendored page (delete-document), so every run below has other pages
/// to write: an update that wrote any of them before every check passed would leave
/// `openapi/` changed.
fn assert_fails_untouched(server: &DocsServer, args: &[&str], expect: &str) {
    let (_temp, openapi) = one_page_vendored();
    let before = snapshot(&openapi);
    assert_eq!(before.len(), 1);
    let dir = openapi_arg(&openapi);
    let run = xtask(
        &[
            &["update"][..],
            args,
            &[
                "--docs-url",
                server.url(),
                "--openapi-dir",
                &dir,
                "--retries",
                "0",
            ],
        ]
        .concat(),
    );
    assert_eq!(run.status, 2, "{run:?}");
    assert!(
        run.stderr.contains(expect),
        "expected `{expect}` in {}",
        run.stderr
    );
    assert_eq!(snapshot(&openapi), before, "openapi/ changed on failure");
    let parent = openapi.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(parent).unwrap().collect();
    assert_eq!(
        leftovers.len(),
        1,
        "staging left behind in {}",
        parent.display()
    );
}

#[test]
fn any_failure_leaves_openapi_untouched() {
    // One page of many missing: the 33 others that --add-new fetched are not vendored either.
    let docs = temp_copy(&docs_snapshot());
    let server = DocsServer::start(docs.path());
    server.script(
        "/api-reference/personas/get-persona.md",
        vec![Reply::Status(404)],
    );
    assert_fails_untouched(
        &server,
        &["--add-new"],
        &format!(
            "{}/api-reference/personas/get-persona.md: not found",
            server.url()
        ),
    );

    // A malformed block on one page: nor are the pages that parsed.
    let docs = temp_copy(&docs_snapshot());
    edit_page(
        docs.path(),
        "api-reference/video-request/get-videos",
        "paths:\n",
        "paths: [\n",
    );
    let server = DocsServer::start(docs.path());
    assert_fails_untouched(
        &server,
        &["--add-new"],
        "api-reference/video-request/get-videos.md: malformed YAML",
    );

    // Two pages that define the same operation cannot both be vendored, and the pages
    // that do not conflict are not vendored without them.
    let docs = temp_copy(&docs_snapshot());
    edit_page(
        docs.path(),
        "api-reference/video-request/get-video",
        "  /v2/videos/{video_id}:\n    get:",
        "  /v2/videos:\n    get:",
    );
    let server = DocsServer::start(docs.path());
    assert_fails_untouched(
        &server,
        &["--add-new"],
        "GET /v2/videos is already defined by",
    );

    // A named page without an OpenAPI block is an error, not a skip: the other page named
    // with it, new and valid, is not vendored either.
    let server = DocsServer::start(&docs_snapshot());
    assert_fails_untouched(
        &server,
        &[
            "api-reference/video-request/get-videos",
            "api-reference/authentication",
        ],
        "api-reference/authentication.md: no OpenAPI block",
    );
}

#[test]
fn bad_page_names_and_docs_urls_are_usage_errors() {
    let (_temp, openapi) = vendored_copy();
    let dir = openapi_arg(&openapi);
    // A local site, so the run stays offline whatever is checked first.
    let docs = docs_snapshot().display().to_string();
    let run = xtask(&[
        "update",
        "api-reference/../../etc/passwd",
        "--docs-url",
        &docs,
        "--openapi-dir",
        &dir,
    ]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(
        run.stderr.contains("would leave openapi/"),
        "{}",
        run.stderr
    );
    let run = xtask(&[
        "update",
        "--docs-url",
        "/no/such/site",
        "--openapi-dir",
        &dir,
    ]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.stderr.contains("/no/such/site"), "{}", run.stderr);
}

/// A missing or empty --openapi-dir (a typo, most likely) is not "up to date": without
/// --add-new or named pages there is nothing to do, which is a usage error.
#[test]
fn a_missing_or_empty_openapi_dir_without_add_new_is_a_usage_error() {
    let temp = tempfile::tempdir().unwrap();
    let docs = docs_snapshot().display().to_string();
    let empty = temp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for dir in [temp.path().join("opneapi"), empty] {
        let run = xtask(&[
            "update",
            "--docs-url",
            &docs,
            "--openapi-dir",
            &openapi_arg(&dir),
        ]);
        assert_eq!(run.status, 2, "{run:?}");
        assert_eq!(run.stdout, "", "{run:?}");
        assert!(
            run.stderr.contains(&openapi_arg(&dir)) && run.stderr.contains("--add-new"),
            "{}",
            run.stderr
        );
    }
    assert!(!temp.path().join("opneapi").exists());
    assert_eq!(
        std::fs::read_dir(temp.path().join("empty"))
            .unwrap()
            .count(),
        0
    );

    // With --add-new, the same missing directory is a first vendoring.
    let fresh = temp.path().join("opneapi");
    let run = xtask(&[
        "update",
        "--add-new",
        "--docs-url",
        &docs,
        "--openapi-dir",
        &openapi_arg(&fresh),
    ]);
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(snapshot(&fresh).len(), 35);
}

#[test]
fn a_vendored_page_gone_upstream_says_which_file_to_delete() {
    let docs = temp_copy(&docs_snapshot());
    let (_temp, openapi) = vendored_copy();
    let dir = openapi_arg(&openapi);
    let docs_url = docs.path().display().to_string();
    let base = [
        "--docs-url",
        docs_url.as_str(),
        "--openapi-dir",
        dir.as_str(),
    ];
    assert_eq!(
        xtask(&[&["update", "--add-new"][..], &base].concat()).status,
        0
    );
    std::fs::remove_file(docs.path().join("api-reference/video-request/get-video.md")).unwrap();
    let before = snapshot(&openapi);
    let run = xtask(&[&["update"][..], &base].concat());
    assert_eq!(run.status, 2, "{run:?}");
    let file = openapi.join("api-reference/video-request/get-video.yaml");
    assert!(
        run.stderr.contains(&format!("delete {}", file.display())),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Nothing under"), "{}", run.stderr);
    assert_eq!(snapshot(&openapi), before);
}

/// Update is the tool that repairs a vendored set, so a set that does not merge must not
/// stop it from starting: only the set it would write has to merge.
#[test]
fn a_vendored_set_that_does_not_merge_can_be_repaired() {
    let docs = temp_copy(&docs_snapshot());
    let (_temp, openapi) = vendored_copy();
    let dir = openapi_arg(&openapi);
    let server = DocsServer::start(docs.path());
    let base = ["--docs-url", server.url(), "--openapi-dir", dir.as_str()];
    // get-video now also defines GET /v2/videos, which get-videos defines.
    let get_video = openapi.join("api-reference/video-request/get-video.yaml");
    let get_videos = openapi.join("api-reference/video-request/get-videos.yaml");
    let text = std::fs::read_to_string(&get_video).unwrap();
    let broken = text.replacen(
        "  /v2/videos/{video_id}:\n    get:",
        "  /v2/videos:\n    get:",
        1,
    );
    assert_ne!(broken, text);
    std::fs::write(&get_video, &broken).unwrap();
    assert!(tavus_openapi::VendoredSpec::load(&openapi).is_err());

    // Re-vendoring another page starts, and refuses the result, which still does not
    // merge, naming both files.
    edit_page(
        docs.path(),
        "api-reference/documents/delete-document",
        "summary: Delete Document",
        "summary: Delete One Document",
    );
    let before = snapshot(&openapi);
    let run = xtask(
        &[
            &["update", "api-reference/documents/delete-document"][..],
            &base,
        ]
        .concat(),
    );
    assert_eq!(run.status, 2, "{run:?}");
    assert_eq!(
        server.hits("/api-reference/documents/delete-document.md"),
        1,
        "the update did not start"
    );
    for expect in [
        format!("cannot merge {}", get_videos.display()),
        format!(
            "GET /v2/videos is already defined by {}",
            get_video.display()
        ),
    ] {
        assert!(
            run.stderr.contains(&expect),
            "expected `{expect}` in {}",
            run.stderr
        );
    }
    assert_eq!(snapshot(&openapi), before, "openapi/ changed on failure");

    // Re-vendoring the broken page repairs the set.
    let run = xtask(
        &[
            &["update", "api-reference/video-request/get-video"][..],
            &base,
        ]
        .concat(),
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stdout.contains("(0 added, 1 updated)"),
        "{}",
        run.stdout
    );
    assert_eq!(std::fs::read_to_string(&get_video).unwrap(), text);
    tavus_openapi::VendoredSpec::load(&openapi).unwrap();
}

/// The update of `get-video` after vendoring every page and replacing `from` by `to` in
/// that page upstream: a refusal, checked to leave `openapi/` as it was. Returns what the
/// update printed, the site's URL and the vendored directory.
fn refused_update_of_get_video(
    from: &str,
    to: &str,
) -> (
    integration_tests::XtaskRun,
    String,
    tempfile::TempDir,
    PathBuf,
) {
    let docs = temp_copy(&docs_snapshot());
    let (temp, openapi) = vendored_copy();
    let dir = openapi_arg(&openapi);
    let server = DocsServer::start(docs.path());
    let base = ["--docs-url", server.url(), "--openapi-dir", dir.as_str()];
    assert_eq!(
        xtask(&[&["update", "--add-new"][..], &base].concat()).status,
        0
    );
    let page = "api-reference/video-request/get-video";
    edit_page(docs.path(), page, from, to);
    let before = snapshot(&openapi);
    let run = xtask(&[&["update", page][..], &base].concat());
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.stderr.contains("Nothing under"), "{}", run.stderr);
    assert_eq!(snapshot(&openapi), before, "openapi/ changed on failure");
    (run, server.url().to_owned(), temp, openapi)
}

/// A page whose `operationId` another vendored page already has merges path by path, but
/// the generated client would have two methods of one name: the update refuses it, naming
/// the id, the page and the vendored file that has it, and writes nothing.
#[test]
fn an_operation_id_another_page_has_is_refused_naming_both() {
    let (run, site, _temp, openapi) =
        refused_update_of_get_video("operationId: getVideo", "operationId: listVideos");
    let get_videos = openapi.join("api-reference/video-request/get-videos.yaml");
    for expect in [
        format!("cannot merge {site}/api-reference/video-request/get-video.md"),
        "operationId `listVideos` of GET /v2/videos/{video_id}".to_owned(),
        format!("GET /v2/videos in {}", get_videos.display()),
    ] {
        assert!(
            run.stderr.contains(&expect),
            "expected `{expect}` in {}",
            run.stderr
        );
    }
}

/// A set that merges can still fail the build; the update runs the build script's own
/// pipeline on the copy it would swap in, and refuses it with the build's message.
#[test]
fn a_set_that_merges_but_would_not_build_is_refused() {
    // Without an operationId progenitor has no name for the method.
    let (run, site, _temp, openapi) =
        refused_update_of_get_video("      operationId: getVideo\n", "");
    for expect in [
        format!(
            "with the pages this update would vendor ({site}/api-reference/video-request/get-video.md), the client would not build"
        ),
        "GET /v2/videos/{video_id} has no operationId".to_owned(),
    ] {
        assert!(
            run.stderr.contains(&expect),
            "expected `{expect}` in {}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains(".openapi-update-"), "{}", run.stderr);
    let parent = openapi.parent().unwrap();
    assert_eq!(
        std::fs::read_dir(parent).unwrap().count(),
        1,
        "staging left behind in {}",
        parent.display()
    );
}
