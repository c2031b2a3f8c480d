//! `cargo xtask drift` against a local stand-in for docs.tavus.io serving modified copies
//! of the real pages: each kind of change is found and classified, new and gone pages
//! are reported, and every kind of bad upstream input fails the check with status 2.

use std::path::{Path, PathBuf};
use std::time::Duration;

use integration_tests::{DocsServer, Reply, docs_snapshot, temp_copy, vendored_snapshot, xtask};
use serde_json::Value;
use xtask::rules::Rule;

/// A site and a vendored directory to modify, and the server in front of the site.
struct Setup {
    docs: tempfile::TempDir,
    vendored: tempfile::TempDir,
    server: DocsServer,
}

impl Setup {
    fn new() -> Self {
        let docs = temp_copy(&docs_snapshot());
        let vendored = temp_copy(vendored_snapshot());
        let server = DocsServer::start(docs.path());
        Self {
            docs,
            vendored,
            server,
        }
    }

    fn openapi(&self) -> PathBuf {
        self.vendored.path().join("openapi")
    }

    /// Replaces `from` by `to` in a page upstream.
    fn edit_upstream(&self, page: &str, from: &str, to: &str) {
        edit(&self.docs.path().join(format!("{page}.md")), from, to);
    }

    /// Replaces `from` by `to` in a vendored file (to test a change in the other direction).
    fn edit_vendored(&self, page: &str, from: &str, to: &str) {
        edit(&self.openapi().join(format!("{page}.yaml")), from, to);
    }

    fn drift(&self, extra: &[&str]) -> integration_tests::XtaskRun {
        let dir = self.openapi().display().to_string();
        let args = [
            &[
                "drift",
                "--docs-url",
                self.server.url(),
                "--openapi-dir",
                &dir,
            ][..],
            extra,
        ]
        .concat();
        xtask(&args)
    }

    fn drift_json(&self) -> (u8, Value) {
        let run = self.drift(&["--format", "json", "--retries", "0"]);
        assert!(run.status < 2, "{run:?}");
        (run.status, serde_json::from_str(&run.stdout).unwrap())
    }
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{} has no `{from}`", file.display());
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

/// The `(rule, location)` of every change of `page` in a JSON report, after checking
/// that the report's verdicts are those of the rules table.
fn changes(report: &Value, page: &str) -> Vec<(String, String)> {
    verdicts_agree(report);
    let pages = report["pages"].as_array().unwrap();
    let entry = pages
        .iter()
        .find(|p| p["page"] == page)
        .unwrap_or_else(|| panic!("{page} not in {report:#}"));
    entry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["rule"].as_str().unwrap().to_owned(),
                c["location"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Every change of a JSON report carries its rule's `wire`, `rust` and `semver`, and the
/// report's `semver` is the greatest of them (`null` without changes).
fn verdicts_agree(report: &Value) {
    assert_eq!(report["schema_version"], 2, "{report:#}");
    let mut greatest = None;
    for change in report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["changes"].as_array().unwrap())
    {
        let rule = Rule::ALL
            .iter()
            .find(|r| change["rule"] == r.id())
            .unwrap_or_else(|| panic!("unknown rule in {change:#}"));
        assert_eq!(change["wire"], rule.wire().id(), "{change:#}");
        assert_eq!(change["rust"], rule.rust().id(), "{change:#}");
        assert_eq!(change["semver"], rule.semver().id(), "{change:#}");
        assert!(change.get("severity").is_none(), "{change:#}");
        greatest = greatest.max(Some(rule.semver()));
    }
    assert_eq!(
        report["semver"],
        greatest.map_or(Value::Null, |s| s.id().into()),
        "{report:#}"
    );
}

const LIST_DOCUMENTS: &str = "api-reference/documents/get-documents";
const CREATE_DOCUMENT: &str = "api-reference/documents/create-document";
const DELETE_DOCUMENT: &str = "api-reference/documents/delete-document";
const GET_GUARDRAILS: &str = "api-reference/guardrails/get-guardrails";

/// One modification of a real page and exactly the changes it must produce.
struct Case {
    page: &'static str,
    upstream: bool,
    from: &'static str,
    to: &'static str,
    expect: &'static [(&'static str, &'static str)],
}

const fn up(
    page: &'static str,
    from: &'static str,
    to: &'static str,
    expect: &'static [(&'static str, &'static str)],
) -> Case {
    Case {
        page,
        upstream: true,
        from,
        to,
        expect,
    }
}

const PAGE_PARAM: &str = "        - in: query\n          name: page\n";

const CASES: &[Case] = &[
    // Parameters.
    up(
        LIST_DOCUMENTS,
        PAGE_PARAM,
        "        - in: query\n          name: cursor\n          schema:\n            type: string\n        - in: query\n          name: page\n",
        &[("new-optional-request-parameter", "query parameter `cursor`")],
    ),
    up(
        LIST_DOCUMENTS,
        PAGE_PARAM,
        "        - in: query\n          name: cursor\n          required: true\n          schema:\n            type: string\n        - in: query\n          name: page\n",
        &[("new-required-request-parameter", "query parameter `cursor`")],
    ),
    up(
        LIST_DOCUMENTS,
        "        - in: query\n          name: status\n          schema:\n            type: string\n          description: Filter documents by status\n",
        "",
        &[("request-parameter-removed", "query parameter `status`")],
    ),
    up(
        LIST_DOCUMENTS,
        "name: name_or_uuid",
        "name: search",
        &[(
            "request-parameter-renamed",
            "query parameter `name_or_uuid`",
        )],
    ),
    up(
        LIST_DOCUMENTS,
        "          name: tags\n",
        "          name: tags\n          required: true\n",
        &[(
            "request-parameter-became-required",
            "query parameter `tags`",
        )],
    ),
    up(
        DELETE_DOCUMENT,
        "          required: true\n",
        "          required: false\n",
        &[(
            "request-parameter-became-optional",
            "path parameter `document_id`",
        )],
    ),
    up(
        LIST_DOCUMENTS,
        "            type: integer\n          description: 'Number of documents",
        "            type: string\n          description: 'Number of documents",
        &[("request-parameter-type-changed", "query parameter `limit`")],
    ),
    up(
        LIST_DOCUMENTS,
        "              - ascending\n",
        "              - ascending\n              - random\n",
        &[(
            "request-parameter-enum-value-added",
            "query parameter `sort`",
        )],
    ),
    up(
        LIST_DOCUMENTS,
        "              - descending\n",
        "",
        &[(
            "request-parameter-enum-value-removed",
            "query parameter `sort`",
        )],
    ),
    // Request properties.
    up(
        CREATE_DOCUMENT,
        "                document_name:\n",
        "                language:\n                  type: string\n                document_name:\n",
        &[("new-optional-request-property", "request body `language`")],
    ),
    up(
        CREATE_DOCUMENT,
        "                - document_url\n",
        "                - document_url\n                - document_name\n",
        &[(
            "request-property-became-required",
            "request body `document_name`",
        )],
    ),
    up(
        CREATE_DOCUMENT,
        "              required:\n                - document_url\n",
        "",
        &[(
            "request-property-became-optional",
            "request body `document_url`",
        )],
    ),
    up(
        CREATE_DOCUMENT,
        "                callback_url:\n                  type: string\n                  description: >-\n                    Optional URL that will receive status updates about the\n                    document processing\n                  example: https://your-server.com/webhook\n",
        "",
        &[("request-property-removed", "request body `callback_url`")],
    ),
    up(
        CREATE_DOCUMENT,
        "                    depth:\n                      type: integer\n",
        "                    depth:\n                      type: string\n",
        &[(
            "request-property-type-changed",
            "request body `crawl.depth`",
        )],
    ),
    up(
        CREATE_DOCUMENT,
        "                document_name:\n                  type: string\n",
        "                document_name:\n                  type: string\n                  nullable: true\n",
        &[(
            "request-property-became-nullable",
            "request body `document_name`",
        )],
    ),
    up(
        CREATE_DOCUMENT,
        "                      minimum: 1\n                      maximum: 10\n",
        "                      minimum: 2\n                      maximum: 10\n",
        &[(
            "request-property-constraint-changed",
            "request body `crawl.depth`",
        )],
    ),
    // Response properties and statuses.
    up(
        LIST_DOCUMENTS,
        "                  total_count:\n                    type: integer\n                    description: Total number of documents matching the filter criteria\n                    example: 42\n",
        "",
        &[(
            "response-property-removed",
            "response 200 body `total_count`",
        )],
    ),
    up(
        LIST_DOCUMENTS,
        "                        crawl_count:\n                          type: integer\n",
        "                        crawl_count:\n                          type: string\n",
        &[(
            "response-property-type-changed",
            "response 200 body `data[].crawl_count`",
        )],
    ),
    up(
        LIST_DOCUMENTS,
        "                        status:\n                          type: string\n",
        "                        status:\n                          type: string\n                          nullable: true\n",
        &[(
            "response-property-became-nullable",
            "response 200 body `data[].status`",
        )],
    ),
    up(
        LIST_DOCUMENTS,
        "                        progress:\n                          type: string\n                          nullable: true\n",
        "                        progress:\n                          type: string\n",
        &[(
            "response-property-became-not-nullable",
            "response 200 body `data[].progress`",
        )],
    ),
    up(
        LIST_DOCUMENTS,
        "                  total_count:\n",
        "                  next_page:\n                    type: integer\n                  total_count:\n",
        &[("response-property-added", "response 200 body `next_page`")],
    ),
    up(
        GET_GUARDRAILS,
        "                          - visual\n",
        "                          - visual\n                          - gestural\n",
        &[(
            "response-property-enum-value-added",
            "response 200 body `data.modality`",
        )],
    ),
    up(
        GET_GUARDRAILS,
        "                          - visual\n",
        "",
        &[(
            "response-property-enum-value-removed",
            "response 200 body `data.modality`",
        )],
    ),
    up(
        DELETE_DOCUMENT,
        "        '404':\n",
        "        '202':\n          description: Accepted\n        '404':\n",
        &[("response-success-status-added", "response 202")],
    ),
    up(
        DELETE_DOCUMENT,
        "        '204':\n          description: NO CONTENT - Document deleted successfully\n",
        "",
        &[("response-success-status-removed", "response 204")],
    ),
    up(
        DELETE_DOCUMENT,
        "        '204':\n          description: NO CONTENT - Document deleted successfully\n",
        "        '200':\n          description: Deleted\n",
        &[
            ("response-success-status-removed", "response 204"),
            ("response-success-status-added", "response 200"),
        ],
    ),
    up(
        DELETE_DOCUMENT,
        "        '204':\n          description: NO CONTENT - Document deleted successfully\n",
        "        '200':\n          description: Deleted\n          content:\n            application/json:\n              schema:\n                type: object\n",
        &[
            ("response-success-status-removed", "response 204"),
            ("response-success-status-added", "response 200"),
            ("response-media-type-added", "response 204 → 200 body"),
        ],
    ),
    up(
        DELETE_DOCUMENT,
        "        '404':\n",
        "        '429':\n          description: Too Many Requests\n        '404':\n",
        &[("response-non-success-status-added", "response 429")],
    ),
    up(
        LIST_DOCUMENTS,
        "        '400':\n          description: Bad Request\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  error:\n                    type: string\n                    description: The error message\n                    example: 'Invalid request: limit must be a positive integer'\n",
        "",
        &[("response-non-success-status-removed", "response 400")],
    ),
    // Operations.
    up(
        DELETE_DOCUMENT,
        "  /v2/documents/{document_id}:\n",
        "  /v2/docs/{document_id}:\n",
        &[("endpoint-removed", ""), ("endpoint-added", "")],
    ),
    up(
        DELETE_DOCUMENT,
        "  /v2/documents/{document_id}:\n    delete:\n      tags:\n        - Documents\n      summary: Delete Document\n      description: |\n        Delete a document and its associated data using its unique identifier.\n      operationId: deleteDocument\n      parameters:\n        - in: path\n          name: document_id\n",
        "  /v2/documents/{id}:\n    delete:\n      tags:\n        - Documents\n      summary: Delete Document\n      description: |\n        Delete a document and its associated data using its unique identifier.\n      operationId: deleteDocument\n      parameters:\n        - in: path\n          name: id\n",
        &[("path-parameter-renamed", "path")],
    ),
    up(
        DELETE_DOCUMENT,
        "operationId: deleteDocument",
        "operationId: removeDocument",
        &[("api-operation-id-updated", "operationId")],
    ),
    up(
        DELETE_DOCUMENT,
        "      operationId: deleteDocument\n",
        "      operationId: deleteDocument\n      deprecated: true\n",
        &[("endpoint-deprecated", "")],
    ),
    // Vendor extensions: documentation unless the generator reads them.
    up(
        DELETE_DOCUMENT,
        "      operationId: deleteDocument\n",
        "      operationId: deleteDocument\n      x-mint:\n        href: /documents/delete\n",
        &[("documentation-changed", "")],
    ),
    up(
        DELETE_DOCUMENT,
        "      operationId: deleteDocument\n",
        "      operationId: deleteDocument\n      x-dropshot-pagination:\n        required: []\n",
        &[("operation-changed", "")],
    ),
    up(
        LIST_DOCUMENTS,
        "          name: tags\n",
        "          name: tags\n          x-internal: true\n",
        &[("documentation-changed", "query parameter `tags`")],
    ),
    up(
        DELETE_DOCUMENT,
        "        '204':\n          description: NO CONTENT - Document deleted successfully\n",
        "        '204':\n          description: NO CONTENT - Document deleted successfully\n          x-note: gone\n",
        &[("documentation-changed", "response 204")],
    ),
    // Text only.
    up(
        DELETE_DOCUMENT,
        "summary: Delete Document",
        "summary: Remove a Document",
        &[("documentation-changed", "summary")],
    ),
    up(
        LIST_DOCUMENTS,
        "description: Filter documents by status",
        "description: Filter documents by processing status",
        &[("documentation-changed", "query parameter `status`")],
    ),
    up(
        LIST_DOCUMENTS,
        "                          description: Crawl depth setting\n",
        "                          description: How deep the crawl went\n",
        &[(
            "documentation-changed",
            "response 200 body `data[].crawl_config.depth`",
        )],
    ),
    up(
        DELETE_DOCUMENT,
        "summary: Delete Document",
        "summary: 'Delete Document'",
        &[("text-reformatted", "")],
    ),
];

/// The reverse direction of some rules needs the vendored copy changed instead.
const VENDORED_CASES: &[Case] = &[
    Case {
        page: LIST_DOCUMENTS,
        upstream: false,
        from: "              schema:\n                type: object\n                properties:\n                  data:\n",
        to: "              schema:\n                type: object\n                required:\n                  - data\n                properties:\n                  data:\n",
        expect: &[(
            "response-property-became-optional",
            "response 200 body `data`",
        )],
    },
    Case {
        page: DELETE_DOCUMENT,
        upstream: false,
        from: "      operationId: deleteDocument\n",
        to: "      operationId: deleteDocument\n      deprecated: true\n",
        expect: &[("endpoint-reactivated", "")],
    },
    Case {
        page: CREATE_DOCUMENT,
        upstream: false,
        from: "                document_name:\n                  type: string\n",
        to: "                document_name:\n                  type: string\n                  nullable: true\n",
        expect: &[(
            "request-property-became-not-nullable",
            "request body `document_name`",
        )],
    },
];

#[test]
fn each_kind_of_change_is_found_and_classified() {
    for case in CASES.iter().chain(VENDORED_CASES) {
        let setup = Setup::new();
        if case.upstream {
            setup.edit_upstream(case.page, case.from, case.to);
        } else {
            setup.edit_vendored(case.page, case.from, case.to);
        }
        let (status, report) = setup.drift_json();
        assert_eq!(status, 1, "{}: {report:#}", case.to);
        let mut found = changes(&report, case.page);
        let mut expected: Vec<(String, String)> = case
            .expect
            .iter()
            .map(|(r, l)| (r.to_string(), l.to_string()))
            .collect();
        found.sort();
        expected.sort();
        assert_eq!(found, expected, "editing `{}` → `{}`", case.from, case.to);
        assert_eq!(report["pages"].as_array().unwrap().len(), 1, "{report:#}");
    }
}

#[test]
fn no_drift_exits_0_and_says_so() {
    let setup = Setup::new();
    let run = setup.drift(&[]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stdout
            .starts_with("No drift: all 35 vendored pages match"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("skipped api-reference/authentication"));
    assert!(!run.stdout.contains('\x1b'), "no colour off a terminal");
    let (status, report) = setup.drift_json();
    assert_eq!(status, 0);
    assert_eq!(report["schema_version"], 2);
    assert_eq!(report["semver"], Value::Null);
    assert_eq!(report["summary"]["unchanged_pages"], 35);
    assert_eq!(report["pages"], Value::Array(vec![]));
}

const FAIL_ON: [&str; 4] = ["any", "wire-breaking", "major", "stops-compiling"];

/// The exit status under each `--fail-on` value, in the order of [`FAIL_ON`].
fn statuses(setup: &Setup) -> [u8; 4] {
    FAIL_ON.map(|value| {
        let run = setup.drift(&["--fail-on", value]);
        assert!(run.status < 2, "{run:?}");
        run.status
    })
}

/// Each `--fail-on` value counts its own changes, and the report's bump is the greatest
/// of its changes'.
#[test]
fn fail_on_chooses_which_verdict_counts_and_the_bump_is_the_greatest() {
    let setup = Setup::new();
    // Documentation only: a patch.
    setup.edit_upstream(
        DELETE_DOCUMENT,
        "summary: Delete Document",
        "summary: Remove",
    );
    assert_eq!(statuses(&setup), [1, 0, 0, 0]);
    assert_eq!(setup.drift_json().1["semver"], "patch");
    // A success status an old client does not expect: wire-breaking, but it compiles.
    setup.edit_upstream(
        DELETE_DOCUMENT,
        "        '404':\n",
        "        '202':\n          description: Accepted\n        '404':\n",
    );
    assert_eq!(statuses(&setup), [1, 1, 0, 0]);
    assert_eq!(setup.drift_json().1["semver"], "minor");
    // A new required query parameter: `send()` fails until it is set, a major change
    // that still compiles.
    setup.edit_upstream(
        LIST_DOCUMENTS,
        PAGE_PARAM,
        "        - in: query\n          name: cursor\n          required: true\n          schema:\n            type: string\n        - in: query\n          name: page\n",
    );
    assert_eq!(statuses(&setup), [1, 1, 1, 0]);
    let (_, report) = setup.drift_json();
    verdicts_agree(&report);
    assert_eq!(report["semver"], "major");
    assert_eq!(
        report["summary"]["wire"],
        serde_json::json!({"breaking": 2, "compatible": 0, "none": 1})
    );
    assert_eq!(
        report["summary"]["rust"],
        serde_json::json!({"stops-compiling": 0, "fails-before-sending": 1, "compiles": 2})
    );

    // A renamed method stops compiling, and the wire does not see it.
    let setup = Setup::new();
    setup.edit_upstream(
        DELETE_DOCUMENT,
        "operationId: deleteDocument",
        "operationId: removeDocument",
    );
    assert_eq!(statuses(&setup), [1, 0, 1, 1]);
    assert_eq!(setup.drift_json().1["semver"], "major");
}

#[test]
fn the_text_and_markdown_reports_show_the_verdicts_and_the_bump() {
    let setup = Setup::new();
    setup.edit_upstream(
        DELETE_DOCUMENT,
        "summary: Delete Document",
        "summary: Remove",
    );
    let text = setup.drift(&[]);
    assert_eq!(text.status, 1);
    assert!(
        text.stdout.contains("needs a patch release"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(
            "  patch  wire none        rust compiles              DELETE /v2/documents/{document_id}: summary:"
        ),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("cargo xtask update"),
        "{}",
        text.stdout
    );

    setup.edit_upstream(CREATE_DOCUMENT, "                - document_url\n", "");
    setup.edit_upstream(LIST_DOCUMENTS, "name: name_or_uuid", "name: search");
    let text = setup.drift(&[]);
    assert!(
        text.stdout.starts_with(&format!(
            "Spec drift against {}: the regenerated crate needs a major release \
             (3 changed, 0 new, 0 gone, 32 unchanged pages).\n\
             Wire (clients already built): 1 breaking, 1 compatible, 1 none (documentation). \
             Rust (code using the regenerated crate): 2 stops compiling, 0 fails before sending, \
             1 compiles.\n",
            setup.server.url()
        )),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(
            "  major  wire breaking    rust stops-compiling       GET /v2/documents: query parameter `name_or_uuid`: renamed to `search` [request-parameter-renamed]"
        ),
        "{}",
        text.stdout
    );
    let markdown = setup.drift(&["--format", "markdown"]);
    assert_eq!(markdown.status, 1);
    assert!(markdown.stdout.starts_with("## Tavus API spec drift"));
    assert!(
        markdown
            .stdout
            .contains("| **major** | 1 | 1 | 1 | 2 | 0 | 1 |"),
        "{}",
        markdown.stdout
    );
    for line in [
        "- **major**, wire **breaking**, Rust **stops-compiling**: GET /v2/documents: query parameter `name_or_uuid`: renamed to `search` (`request-parameter-renamed`)",
        "- **major**, wire compatible, Rust **stops-compiling**: POST /v2/documents: request body `document_url`: now optional (`request-property-became-optional`)",
        "- patch, wire none, Rust compiles: DELETE /v2/documents/{document\\_id}: summary: ",
    ] {
        assert!(
            markdown.stdout.contains(line),
            "{line}\n{}",
            markdown.stdout
        );
    }

    // One check, two forms (the drift workflow's Markdown report and its bump): the JSON
    // written beside the Markdown is the report `--format json` prints.
    let json_file = setup.docs.path().join("drift.json");
    let json_path = json_file.display().to_string();
    let both = setup.drift(&["--format", "markdown", "--json-out", &json_path]);
    assert_eq!(both.status, 1);
    assert_eq!(both.stdout, markdown.stdout);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    assert_eq!(written, setup.drift_json().1);
    assert_eq!(written["semver"], "major");
    let unwritable = setup.docs.path().join("no-such-dir").join("drift.json");
    let unwritable = unwritable.display().to_string();
    let failed = setup.drift(&["--json-out", &unwritable]);
    assert_eq!(failed.status, 2, "{failed:?}");
    assert!(failed.stderr.contains("cannot write"), "{failed:?}");
}

/// A change in a field no rule reads, or in the document's default `security`, is not
/// reformatting: it is wire-breaking, so `--fail-on wire-breaking` fails, while a
/// text-only change fails none of the gates but `any`.
#[test]
fn changes_no_rule_explains_are_not_passed_off_as_reformatting() {
    let setup = Setup::new();
    setup.edit_upstream(
        DELETE_DOCUMENT,
        "summary: Delete Document",
        "summary: 'Delete Document'",
    );
    assert_eq!(statuses(&setup), [1, 0, 0, 0]);

    let cases: &[(&str, &str, &str, (&str, &str))] = &[
        (
            DELETE_DOCUMENT,
            "security:\n  - apiKey: []\n",
            "",
            ("api-security-updated", "security"),
        ),
        (
            LIST_DOCUMENTS,
            "          name: tags\n",
            "          name: tags\n          style: pipeDelimited\n",
            (
                "unclassified-change",
                "paths./v2/documents.get.parameters[5].style",
            ),
        ),
    ];
    for (page, from, to, (rule, location)) in cases {
        let setup = Setup::new();
        setup.edit_upstream(page, from, to);
        let (status, report) = setup.drift_json();
        assert_eq!(status, 1, "{report:#}");
        assert_eq!(
            changes(&report, page),
            [(rule.to_string(), location.to_string())],
            "{report:#}"
        );
        assert_eq!(report["summary"]["wire"]["breaking"], 1, "{report:#}");
        let run = setup.drift(&["--fail-on", "wire-breaking"]);
        assert_eq!(run.status, 1, "{run:?}");
        assert!(!run.stdout.contains("text-reformatted"), "{}", run.stdout);
    }
}

#[test]
fn new_and_gone_pages_are_reported() {
    let setup = Setup::new();
    // A new upstream operation, listed in the index.
    let page = setup
        .docs
        .path()
        .join("api-reference/documents/archive-document.md");
    let original =
        std::fs::read_to_string(setup.docs.path().join(format!("{DELETE_DOCUMENT}.md"))).unwrap();
    std::fs::write(
        &page,
        original
            .replace(
                "````yaml delete /v2/documents/{document_id}",
                "````yaml post /v2/documents/{document_id}/archive",
            )
            .replace(
                "  /v2/documents/{document_id}:\n    delete:",
                "  /v2/documents/{document_id}/archive:\n    post:",
            )
            .replace(
                "operationId: deleteDocument",
                "operationId: archiveDocument",
            ),
    )
    .unwrap();
    let index = setup.docs.path().join("llms.txt");
    edit(
        &index,
        "- [Get Document]",
        "- [Archive Document](https://docs.tavus.io/api-reference/documents/archive-document.md): Archive one\n- [Get Document]",
    );
    // A vendored page gone upstream: 404, and no longer in the index.
    std::fs::remove_file(
        setup
            .docs
            .path()
            .join("api-reference/video-request/delete-video.md"),
    )
    .unwrap();
    let text = std::fs::read_to_string(&index).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.contains("video-request/delete-video.md"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&index, without).unwrap();

    let (status, report) = setup.drift_json();
    assert_eq!(status, 1);
    assert_eq!(report["summary"]["new_pages"], 1, "{report:#}");
    assert_eq!(report["summary"]["gone_pages"], 1, "{report:#}");
    let new = &report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "new")
        .unwrap();
    assert_eq!(new["page"], "api-reference/documents/archive-document");
    assert_eq!(
        new["changes"][0]["operation"],
        "POST /v2/documents/{document_id}/archive"
    );
    let gone = report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "gone")
        .unwrap();
    assert_eq!(gone["page"], "api-reference/video-request/delete-video");
    assert_eq!(gone["changes"][0]["rule"], "endpoint-removed");
    assert_eq!(gone["changes"][0]["wire"], "breaking");
    assert_eq!(gone["changes"][0]["rust"], "stops-compiling");
    assert_eq!(gone["changes"][0]["semver"], "major");
    assert_eq!(new["changes"][0]["semver"], "minor");
    verdicts_agree(&report);
    assert_eq!(report["semver"], "major");
}

/// Each vendored file is compared with its page on its own, so a vendored set that no
/// longer merges is still checked, and the page that breaks it is reported.
#[test]
fn a_vendored_set_that_does_not_merge_is_still_checked() {
    let setup = Setup::new();
    // get-video now also defines GET /v2/videos, which get-videos defines.
    setup.edit_vendored(
        "api-reference/video-request/get-video",
        "  /v2/videos/{video_id}:\n    get:",
        "  /v2/videos:\n    get:",
    );
    assert!(tavus_openapi::VendoredSpec::load(setup.openapi()).is_err());
    let (status, report) = setup.drift_json();
    assert_eq!(status, 1, "{report:#}");
    let pages: Vec<&str> = report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["page"].as_str().unwrap())
        .collect();
    assert_eq!(
        pages,
        ["api-reference/video-request/get-video"],
        "{report:#}"
    );
    assert!(!changes(&report, "api-reference/video-request/get-video").is_empty());
}

/// Runs a check that must fail: status 2, nothing on stdout, the error names `expect`.
fn assert_check_fails(setup: &Setup, extra: &[&str], expect: &str) {
    let run = setup.drift(&[&["--format", "json"][..], extra].concat());
    assert_eq!(run.status, 2, "{run:?}");
    assert_eq!(run.stdout, "", "a failed check prints no report");
    assert!(
        run.stderr.contains(expect),
        "expected `{expect}` in: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

const GET_VIDEO: &str = "/api-reference/video-request/get-video.md";

#[test]
fn bad_upstream_input_fails_the_check_naming_the_url() {
    let setup = Setup::new();
    let url = format!("{}{GET_VIDEO}", setup.server.url());

    setup.server.script(GET_VIDEO, vec![Reply::Status(404)]);
    assert_check_fails(&setup, &[], &format!("{url}: not found (404)"));

    setup.server.script(GET_VIDEO, vec![Reply::Status(503)]);
    assert_check_fails(
        &setup,
        &["--retries", "2"],
        &format!("{url}: HTTP 503 (after 3 attempts)"),
    );

    setup.server.script(
        GET_VIDEO,
        vec![Reply::Body(
            "text/html",
            "<!DOCTYPE html><html><body>Docs</body></html>".into(),
        )],
    );
    assert_check_fails(&setup, &[], &format!("{url}: got an HTML page"));
    // Known as HTML by its Content-Type alone, or by its text alone.
    setup.server.script(
        GET_VIDEO,
        vec![Reply::Body(
            "text/html; charset=utf-8",
            "# Looks like Markdown\n".into(),
        )],
    );
    assert_check_fails(&setup, &[], "(Content-Type: text/html; charset=utf-8)");
    setup.server.script(
        GET_VIDEO,
        vec![Reply::Body(
            "text/plain",
            "<!doctype html><html></html>".into(),
        )],
    );
    assert_check_fails(&setup, &[], &format!("{url}: got an HTML page where"));

    // A page larger than any page should be: reading stops at the bound.
    setup.server.script(
        GET_VIDEO,
        vec![Reply::Body(
            "text/markdown",
            "#".repeat(xtask::fetch::MAX_PAGE_SIZE + 1),
        )],
    );
    assert_check_fails(
        &setup,
        &[],
        &format!("{url}: the body is larger than 16777216 bytes"),
    );

    setup.server.script(
        GET_VIDEO,
        vec![Reply::Body(
            "text/markdown",
            "# Get Video\n\nMoved to a new page.\n".into(),
        )],
    );
    assert_check_fails(&setup, &[], &format!("{url}: no OpenAPI block"));

    // The older, non-OpenAPI layout of these blocks: a bare operation, no `openapi:` field.
    setup.server.script(
        GET_VIDEO,
        vec![Reply::Body(
            "text/markdown",
            "# Get Video\n\n````yaml get /v2/videos/{video_id}\nget:\n  summary: Get Video\n  responses: {}\n````\n".into(),
        )],
    );
    assert_check_fails(&setup, &[], &format!("{url}: not an OpenAPI 3.0 document"));

    setup.server.script(
        GET_VIDEO,
        vec![Reply::Body(
            "text/markdown",
            "# Get Video\n\n````yaml get /v2/videos/{video_id}\nopenapi: 3.0.3\npaths: [\n````\n"
                .into(),
        )],
    );
    assert_check_fails(&setup, &[], &format!("{url}: malformed YAML"));

    let page =
        std::fs::read_to_string(docs_snapshot().join(GET_VIDEO.trim_start_matches('/'))).unwrap();
    setup.server.script(
        GET_VIDEO,
        vec![Reply::Truncated(page[..page.len() / 2].to_owned())],
    );
    assert_check_fails(
        &setup,
        &["--retries", "0"],
        &format!("{url}: the body was cut off"),
    );

    // A truncated page served whole (a short Content-Length) is caught by the page parser.
    setup.server.script(
        GET_VIDEO,
        vec![Reply::Body(
            "text/markdown",
            page[..page.len() - 20].to_owned(),
        )],
    );
    assert_check_fails(&setup, &[], "looks truncated");
}

#[test]
fn an_index_entry_escaping_openapi_or_an_index_that_fails_to_load_fails_the_check() {
    let setup = Setup::new();
    edit(
        &setup.docs.path().join("llms.txt"),
        "- [Get Document]",
        "- [Sneaky](https://docs.tavus.io/api-reference/../../../etc/passwd.md): x\n- [Get Document]",
    );
    assert_check_fails(&setup, &[], "etc/passwd");
    setup.server.script("/llms.txt", vec![Reply::Status(500)]);
    assert_check_fails(&setup, &["--retries", "0"], "/llms.txt: HTTP 500");
}

#[test]
fn transient_failures_are_retried() {
    let setup = Setup::new();
    setup.server.script(
        GET_VIDEO,
        vec![
            Reply::Status(503),
            Reply::Hangup,
            Reply::StatusRetryAfter(429, 1),
            Reply::Slow(Duration::ZERO),
        ],
    );
    let run = setup.drift(&["--retries", "3"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(setup.server.hits(GET_VIDEO), 4);

    // A request that takes longer than --timeout is a failure naming the URL, then retried.
    setup
        .server
        .script(GET_VIDEO, vec![Reply::Slow(Duration::from_secs(10))]);
    // Were the request not cut, the page would be served after 10 s and the check pass.
    let run = setup.drift(&["--timeout", "0.3", "--retries", "1"]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(
        run.stderr.contains("timed out (after 2 attempts)"),
        "{}",
        run.stderr
    );
}

#[test]
fn pages_are_fetched_concurrently_but_no_more_than_asked() {
    let setup = Setup::new();
    setup.server.delay_every_answer(Duration::from_millis(100));
    let run = setup.drift(&["--concurrency", "3"]);
    assert_eq!(run.status, 0, "{run:?}");
    let most = setup.server.most_in_flight();
    assert!((2..=3).contains(&most), "{most} requests at once");
    // The index and each of the 36 API reference pages it lists (35 vendored, plus
    // authentication, new and without a block), each exactly once.
    assert_eq!(setup.server.hits("/llms.txt"), 1);
    assert_eq!(setup.server.hits(GET_VIDEO), 1);
    let mut pages = Vec::new();
    let mut dirs = vec![setup.docs.path().join("api-reference")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let relative = path.strip_prefix(setup.docs.path()).unwrap();
                pages.push(format!(
                    "/{}",
                    relative.to_string_lossy().replace('\\', "/")
                ));
            }
        }
    }
    assert_eq!(pages.len(), 36);
    for page in &pages {
        assert_eq!(setup.server.hits(page), 1, "{page}");
    }
}

#[test]
fn bad_command_lines_exit_2() {
    // A local site wherever a site is used, so no run can reach the network whatever is
    // checked first.
    let docs = docs_snapshot().display().to_string();
    let docs = docs.as_str();
    for args in [
        &["drift", "--docs-url", docs, "--format", "yaml"][..],
        &["drift", "--docs-url", docs, "--fail-on", "some"][..],
        // Schema version 2 has no single "breaking": say which axis.
        &["drift", "--docs-url", docs, "--fail-on", "breaking"][..],
        &["drift", "--docs-url", "ftp://docs.tavus.io"][..],
        &["drift", "--docs-url", docs, "--timeout", "0"][..],
        &["frobnicate"][..],
    ] {
        let run = xtask(args);
        assert_eq!(run.status, 2, "{args:?}: {run:?}");
        assert!(!run.stderr.is_empty());
    }
    // 0 pages at a time is refused by the parser, with a message saying why.
    let run = xtask(&["drift", "--docs-url", "/no/such/site", "--concurrency", "0"]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("invalid value '0' for '--concurrency <N>': must be at least 1"),
        "{}",
        run.stderr
    );
}

/// A link in `llms.txt` to another host is not a page of the site, even under
/// `/api-reference/` and even though the site has a page at that path: it is reported as
/// skipped, never fetched, never taken for a new page.
#[test]
fn index_links_to_other_hosts_are_skipped_and_not_fetched() {
    let setup = Setup::new();
    let evil = "https://evil.example/api-reference/documents/archive-document.md";
    let original =
        std::fs::read_to_string(setup.docs.path().join(format!("{DELETE_DOCUMENT}.md"))).unwrap();
    // Were the link taken as the site's own page, this would be a new operation.
    std::fs::write(
        setup
            .docs
            .path()
            .join("api-reference/documents/archive-document.md"),
        original
            .replace(
                "````yaml delete /v2/documents/{document_id}",
                "````yaml post /v2/documents/{document_id}/archive",
            )
            .replace(
                "  /v2/documents/{document_id}:\n    delete:",
                "  /v2/documents/{document_id}/archive:\n    post:",
            )
            .replace(
                "operationId: deleteDocument",
                "operationId: archiveDocument",
            ),
    )
    .unwrap();
    edit(
        &setup.docs.path().join("llms.txt"),
        "- [Get Document]",
        &format!(
            "- [Archive Document]({evil}): Archive one\n\
             - [Sneaky](https://docs.tavus.io@evil.example/api-reference/documents/archive-document.md): x\n\
             - [Get Document]"
        ),
    );
    let (status, report) = setup.drift_json();
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(report["pages"], Value::Array(vec![]), "{report:#}");
    let skipped: Vec<(&str, &str)> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["page"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    for url in [
        evil,
        "https://docs.tavus.io@evil.example/api-reference/documents/archive-document.md",
    ] {
        let (_, reason) = skipped
            .iter()
            .find(|(page, _)| *page == url)
            .unwrap_or_else(|| panic!("{url} not skipped: {report:#}"));
        assert!(
            reason.contains("links to evil.example, not to the docs site"),
            "{reason}"
        );
    }
    assert_eq!(
        setup
            .server
            .hits("/api-reference/documents/archive-document.md"),
        0
    );
    let run = setup.drift(&[]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stdout
            .contains(&format!("skipped {evil}: links to evil.example")),
        "{}",
        run.stdout
    );

    // Nor does `update --add-new` vendor it.
    let openapi = setup.openapi();
    let dir = openapi.display().to_string();
    let run = xtask(&[
        "update",
        "--add-new",
        "--docs-url",
        setup.server.url(),
        "--openapi-dir",
        &dir,
    ]);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stdout
            .contains(&format!("skipped    {evil}: links to evil.example")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("up to date"), "{}", run.stdout);
    assert!(
        !openapi
            .join("api-reference/documents/archive-document.yaml")
            .exists()
    );
}

/// A redirect to another host is not followed: what is there is not the site's page, and
/// reading it would pass off another server's text as upstream. The error names both URLs.
#[test]
fn a_redirect_to_another_host_fails_the_check_naming_both_urls() {
    let setup = Setup::new();
    // Another server with the same pages: were the redirect followed, there would be no drift.
    let elsewhere = DocsServer::start(setup.docs.path());
    let url = format!("{}{GET_VIDEO}", setup.server.url());
    let location = format!("{}{GET_VIDEO}", elsewhere.url());
    setup
        .server
        .script(GET_VIDEO, vec![Reply::Redirect(302, location.clone())]);
    assert_check_fails(
        &setup,
        &[],
        &format!(
            "{url}: redirected (302) to {location}, which is not on the docs site {}",
            setup.server.url()
        ),
    );
    assert_eq!(elsewhere.hits(GET_VIDEO), 0);

    // So is one of the index.
    setup
        .server
        .script(GET_VIDEO, vec![Reply::Slow(Duration::ZERO)]);
    let index = format!("{}/llms.txt", elsewhere.url());
    setup
        .server
        .script("/llms.txt", vec![Reply::Redirect(301, index.clone())]);
    assert_check_fails(&setup, &[], &format!("redirected (301) to {index}"));
}

/// A redirect within the site is followed, and the report says so: a page answered by
/// another page of the site is not silently "that endpoint removed, another added".
#[test]
fn a_redirect_within_the_site_is_named_in_the_report() {
    let setup = Setup::new();
    let url = format!("{}{GET_VIDEO}", setup.server.url());
    let location = format!(
        "{}/api-reference/video-request/get-videos.md",
        setup.server.url()
    );
    // A relative Location, resolved against the page's URL.
    setup.server.script(
        GET_VIDEO,
        vec![Reply::Redirect(
            302,
            "/api-reference/video-request/get-videos.md".into(),
        )],
    );
    let (status, report) = setup.drift_json();
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(
        report["redirects"],
        serde_json::json!([{
            "page": "api-reference/video-request/get-video",
            "url": url,
            "location": location,
        }]),
        "{report:#}"
    );
    let text = setup.drift(&[]);
    assert!(
        text.stdout
            .contains(&format!("  {url}\n  redirected to {location}\n")),
        "{}",
        text.stdout
    );
    let markdown = setup.drift(&["--format", "markdown"]);
    assert!(
        markdown
            .stdout
            .contains(&format!("Redirected to `{location}`.")),
        "{}",
        markdown.stdout
    );

    // A redirect to the page itself never ends, and is an error, not a hang.
    setup
        .server
        .script(GET_VIDEO, vec![Reply::Redirect(302, GET_VIDEO.into())]);
    assert_check_fails(&setup, &[], &format!("{url}: more than 5 redirects"));
}

/// The Markdown report is posted by a bot: upstream text in it must not mention anyone,
/// link an issue, or leave a code span open for the rest of the line.
#[test]
fn upstream_text_in_the_markdown_report_is_neutralised() {
    let setup = Setup::new();
    setup.edit_upstream(
        DELETE_DOCUMENT,
        "summary: Delete Document",
        "summary: \"Delete `Document, cc @octocat, fixes #12\"",
    );
    let run = setup.drift(&["--format", "markdown"]);
    assert_eq!(run.status, 1, "{run:?}");
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("- patch"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert_eq!(
        line,
        "- patch, wire none, Rust compiles: DELETE /v2/documents/{document\\_id}: summary: summary changed: \
         Delete \\[-Document-\\] {+\\`Document, cc @&#8203;octocat, fixes #&#8203;12+} \
         (`documentation-changed`)"
    );
}
