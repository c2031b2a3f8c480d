//! `cargo xtask drift` and `update` watching the callbacks guide page against a local
//! stand-in for docs.tavus.io: each kind of change to its events and examples is reported
//! under its `callback-*` rule, and `update` re-vendors it verbatim.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use integration_tests::{
    DocsServer, docs_snapshot, repo_root, temp_copy, vendored_snapshot, xtask,
};
use serde_json::Value;

const PAGE: &str = "sections/webhooks-and-callbacks";

/// `openapi/` (every operation page of the snapshot) and `guides/` (the repository's
/// vendored callbacks page) side by side, made once; each test works on a copy.
fn vendored_root() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let temp = temp_copy(vendored_snapshot());
        let guide = temp.path().join(format!("guides/{PAGE}.md"));
        std::fs::create_dir_all(guide.parent().unwrap()).unwrap();
        std::fs::copy(repo_root().join(format!("guides/{PAGE}.md")), guide).unwrap();
        temp
    })
    .path()
}

struct Setup {
    docs: tempfile::TempDir,
    vendored: tempfile::TempDir,
    server: DocsServer,
}

impl Setup {
    fn new() -> Self {
        let docs = temp_copy(&docs_snapshot());
        let vendored = temp_copy(vendored_root());
        let server = DocsServer::start(docs.path());
        Self {
            docs,
            vendored,
            server,
        }
    }

    fn upstream_page(&self) -> PathBuf {
        self.docs.path().join(format!("{PAGE}.md"))
    }

    fn vendored_page(&self) -> PathBuf {
        self.vendored.path().join(format!("guides/{PAGE}.md"))
    }

    fn openapi(&self) -> String {
        self.vendored.path().join("openapi").display().to_string()
    }

    fn edit_upstream(&self, from: &str, to: &str) {
        let file = self.upstream_page();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(from), "the page has no `{from}`");
        std::fs::write(file, text.replacen(from, to, 1)).unwrap();
    }

    fn run(&self, command: &str, extra: &[&str]) -> integration_tests::XtaskRun {
        let dir = self.openapi();
        let base = [
            command,
            "--docs-url",
            self.server.url(),
            "--openapi-dir",
            &dir,
            "--retries",
            "0",
        ];
        xtask(&[&base[..], extra].concat())
    }

    fn drift_json(&self) -> (u8, Value) {
        let run = self.run("drift", &["--format", "json"]);
        assert!(run.status < 2, "{run:?}");
        (run.status, serde_json::from_str(&run.stdout).unwrap())
    }
}

/// The status and `(rule, location)` of each change of the callbacks page in a report.
fn page_changes(report: &Value) -> (String, Vec<(String, String)>) {
    let pages = report["pages"].as_array().unwrap();
    let page = pages
        .iter()
        .find(|p| p["page"] == PAGE)
        .unwrap_or_else(|| panic!("{PAGE} not in {report:#}"));
    let changes = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["rule"].as_str().unwrap().to_owned(),
                c["location"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (page["status"].as_str().unwrap().to_owned(), changes)
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn the_vendored_page_matching_upstream_is_no_drift_and_is_counted() {
    let setup = Setup::new();
    let (status, report) = setup.drift_json();
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(report["summary"]["unchanged_pages"], 36);
}

#[test]
fn events_values_and_examples_added_removed_and_changed() {
    let setup = Setup::new();
    setup.edit_upstream(
        "* **application.perception\\_analysis**:",
        "* **application.sentiment\\_ready**: Fired when the sentiment is summarised.\n\
         * **application.perception\\_analysis**:",
    );
    setup.edit_upstream(
        "  * `daily_room_has_been_deleted`\n",
        "  * `daily_room_has_been_deleted`\n  * `replica_crashed`\n",
    );
    setup.edit_upstream("  * `end_conversation_endpoint_hit`\n", "");
    setup.edit_upstream("\"duration\": 14", "\"duration\": \"14s\"");
    setup.edit_upstream(
        "```json system.replica_joined",
        "```json system.replica_ready",
    );
    let (status, report) = setup.drift_json();
    assert_eq!(status, 1);
    let (page_status, changes) = page_changes(&report);
    assert_eq!(page_status, "changed");
    assert_eq!(
        changes,
        pairs(&[
            ("callback-value-added", "event `system.shutdown`"),
            ("callback-value-removed", "event `system.shutdown`"),
            (
                "callback-event-added",
                "event `application.sentiment_ready`"
            ),
            ("callback-example-added", "example `system.replica_ready`"),
            (
                "callback-example-changed",
                "example `application.recording_ready`"
            ),
            (
                "callback-example-removed",
                "example `system.replica_joined`"
            ),
        ])
    );
    let messages = report.to_string();
    assert!(
        messages.contains("lists a new value `replica_crashed`"),
        "{messages}"
    );
    assert!(
        messages.contains("the JSON differs at properties.duration"),
        "{messages}"
    );
    assert_eq!(report["summary"]["unchanged_pages"], 35);
}

#[test]
fn an_event_removed_and_an_example_broken_are_major_and_the_example_wire_breaking() {
    let setup = Setup::new();
    setup.edit_upstream(
        "* **system.replica\\_joined**: This is fired when the replica becomes ready for a conversation.\n",
        "",
    );
    setup.edit_upstream(
        "\"error_message\": \"There was an issue",
        "\"error_message\": There was an issue",
    );
    let (_, report) = setup.drift_json();
    let (_, changes) = page_changes(&report);
    assert_eq!(
        changes,
        pairs(&[
            ("callback-event-removed", "event `system.replica_joined`"),
            (
                "callback-example-changed",
                "example `Replica Training Error`"
            ),
        ])
    );
    assert!(
        report
            .to_string()
            .contains("no longer valid JSON as published")
    );
    assert_eq!(report["semver"], "major");
    for (rule, wire, rust) in [
        ("callback-event-removed", "compatible", "stops-compiling"),
        ("callback-example-changed", "breaking", "stops-compiling"),
    ] {
        let change = report["pages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["page"] == PAGE)
            .flat_map(|p| p["changes"].as_array().unwrap())
            .find(|c| c["rule"] == rule)
            .unwrap();
        assert_eq!(
            (&change["wire"], &change["rust"]),
            (&wire.into(), &rust.into())
        );
    }
    for fail_on in ["wire-breaking", "major", "stops-compiling"] {
        assert_eq!(setup.run("drift", &["--fail-on", fail_on]).status, 1);
    }
}

#[test]
fn other_text_and_reformatted_examples_are_documentation() {
    let setup = Setup::new();
    setup.edit_upstream("Additional webhooks coming soon.", "More webhooks soon.");
    // The same JSON value, laid out differently, is not an example change.
    setup.edit_upstream("\"duration\": 14", "\"duration\":14");
    let (status, report) = setup.drift_json();
    assert_eq!(status, 1);
    let (_, changes) = page_changes(&report);
    assert_eq!(changes, pairs(&[("callback-page-text-changed", "")]));
    assert_eq!(report["summary"]["wire"]["none"], 1);
    assert_eq!(report["semver"], "patch");
    for fail_on in ["wire-breaking", "major", "stops-compiling"] {
        assert_eq!(setup.run("drift", &["--fail-on", fail_on]).status, 0);
    }
}

#[test]
fn a_page_gone_upstream_is_reported_and_a_missing_copy_is_new() {
    let setup = Setup::new();
    std::fs::remove_file(setup.upstream_page()).unwrap();
    let (_, report) = setup.drift_json();
    assert_eq!(
        page_changes(&report),
        ("gone".to_owned(), pairs(&[("callback-page-removed", "")]))
    );

    let setup = Setup::new();
    std::fs::remove_file(setup.vendored_page()).unwrap();
    let (_, report) = setup.drift_json();
    let (status, changes) = page_changes(&report);
    assert_eq!(status, "new");
    assert_eq!(changes.len(), 5);
    assert!(
        changes
            .iter()
            .all(|(rule, _)| rule == "callback-event-added")
    );
    let run = setup.run("update", &["--add-new"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(run.stdout.contains("added"), "{}", run.stdout);
    assert_eq!(
        std::fs::read(setup.vendored_page()).unwrap(),
        std::fs::read(setup.upstream_page()).unwrap()
    );

    // A new page with no event the check recognises is still new drift.
    let setup = Setup::new();
    std::fs::remove_file(setup.vendored_page()).unwrap();
    std::fs::write(setup.upstream_page(), "# Webhooks and Callbacks\n\nSoon.\n").unwrap();
    let (status, report) = setup.drift_json();
    assert_eq!(status, 1, "{report}");
    assert_eq!(
        page_changes(&report),
        (
            "new".to_owned(),
            pairs(&[("callback-page-text-changed", "")])
        )
    );
}

#[test]
fn without_a_guides_directory_the_page_is_not_watched() {
    let setup = Setup::new();
    std::fs::remove_dir_all(setup.vendored.path().join("guides")).unwrap();
    setup.edit_upstream("Additional webhooks coming soon.", "More webhooks soon.");
    let (status, report) = setup.drift_json();
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(report["summary"]["unchanged_pages"], 35);
    assert_eq!(setup.server.hits(&format!("/{PAGE}.md")), 0);
}

#[test]
fn update_revendors_the_page_verbatim_alone_or_with_the_others() {
    let setup = Setup::new();
    setup.edit_upstream("\"duration\": 14", "\"duration\": 15");
    let delete = "api-reference/documents/delete-document";
    let api_upstream = setup.docs.path().join(format!("{delete}.md"));
    let text = std::fs::read_to_string(&api_upstream).unwrap();
    std::fs::write(
        &api_upstream,
        text.replacen("summary: Delete Document", "summary: Remove Document", 1),
    )
    .unwrap();
    let api_vendored = setup.vendored.path().join(format!("openapi/{delete}.yaml"));
    let api_before = std::fs::read(&api_vendored).unwrap();

    // Named alone: only the guide page is written.
    let run = setup.run("update", &[PAGE]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stdout.starts_with("updated ") && run.stdout.contains(PAGE),
        "{}",
        run.stdout
    );
    assert_eq!(
        std::fs::read(setup.vendored_page()).unwrap(),
        std::fs::read(setup.upstream_page()).unwrap()
    );
    assert_eq!(std::fs::read(&api_vendored).unwrap(), api_before);

    // Without names: every drifted page, the guide included.
    setup.edit_upstream("\"duration\": 15", "\"duration\": 16");
    let run = setup.run("update", &[]);
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(
        std::fs::read(setup.vendored_page()).unwrap(),
        std::fs::read(setup.upstream_page()).unwrap()
    );
    assert_ne!(std::fs::read(&api_vendored).unwrap(), api_before);
    let (status, report) = setup.drift_json();
    assert_eq!(status, 0, "{report:#}");
}

#[test]
fn a_failed_update_leaves_the_vendored_page_as_it_was() {
    let setup = Setup::new();
    setup.edit_upstream("\"duration\": 14", "\"duration\": 15");
    let before = std::fs::read(setup.vendored_page()).unwrap();
    // An OpenAPI page that is not OpenAPI fails the update after the guide was fetched.
    let broken = setup
        .docs
        .path()
        .join("api-reference/documents/delete-document.md");
    std::fs::write(&broken, "# Delete Document\n\nno block here\n").unwrap();
    let run = setup.run("update", &[]);
    assert_eq!(run.status, 2, "{run:?}");
    assert_eq!(std::fs::read(setup.vendored_page()).unwrap(), before);
}
