//! The drift report's Rust verdicts, proven by compiling (issue 11, item 5).
//!
//! Each case applies one representative change to a copy of the vendored spec, generates
//! the client from it through the very pipeline of the build script
//! (`tavus_openapi::build_script::generate_client`), and puts that client, with the
//! hand-written layer of `tavus-api`, in a scratch workspace beside a fixed caller
//! (`tests/fixtures/verdicts/caller.rs`, written the way the README teaches). One
//! `cargo check --keep-going` builds every case, sharing the dependencies. The test then
//! asserts, for every case, that the drift report's Rust verdict for the change says
//! "stops compiling" exactly when the caller does not compile, and that it is the verdict
//! the case expects.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use integration_tests::repo_root;
use serde_json::{Value, json};

use xtask::rules::Rust as RustVerdict;

/// One representative change: what it does to the spec, and what the drift report must
/// say it does to code written the documented way.
struct Case {
    name: &'static str,
    edit: fn(&Path),
    expected: RustVerdict,
}

fn cases() -> Vec<Case> {
    use RustVerdict::{Compiles, FailsBeforeSending, StopsCompiling};
    let case = |name, edit, expected| Case {
        name,
        edit,
        expected,
    };
    vec![
        case("unchanged", |_| {}, Compiles),
        case(
            "new-optional-query-parameter",
            |dir| {
                edit(dir, "documents/get-documents", |op| {
                    push(
                        &mut op["parameters"],
                        json!({"in": "query", "name": "newest_first", "schema": {"type": "boolean"}}),
                    );
                })
            },
            Compiles,
        ),
        case(
            "new-required-query-parameter",
            |dir| {
                edit(dir, "documents/get-documents", |op| {
                    push(
                        &mut op["parameters"],
                        json!({"in": "query", "name": "workspace_id", "required": true, "schema": {"type": "string"}}),
                    );
                })
            },
            FailsBeforeSending,
        ),
        case(
            "new-optional-request-property",
            |dir| {
                edit(dir, "documents/create-document", |op| {
                    body(op)["properties"]["language"] = json!({"type": "string"});
                })
            },
            Compiles,
        ),
        case(
            "new-required-request-property",
            |dir| {
                edit(dir, "documents/create-document", |op| {
                    let body = body(op);
                    body["properties"]["language"] = json!({"type": "string"});
                    push(&mut body["required"], json!("language"));
                })
            },
            FailsBeforeSending,
        ),
        case(
            "request-property-removed",
            |dir| {
                edit(dir, "documents/create-document", |op| {
                    remove(&mut body(op)["properties"], "document_name");
                })
            },
            StopsCompiling,
        ),
        case(
            "request-property-retyped",
            |dir| {
                edit(dir, "documents/create-document", |op| {
                    body(op)["properties"]["document_name"] = json!({"type": "integer"});
                })
            },
            StopsCompiling,
        ),
        case(
            "response-property-removed",
            |dir| {
                edit(dir, "video-request/get-video", |op| {
                    remove(&mut success(op)["properties"], "video_name");
                })
            },
            StopsCompiling,
        ),
        case(
            "response-property-retyped",
            |dir| {
                edit(dir, "video-request/get-video", |op| {
                    success(op)["properties"]["status"] = json!({"type": "integer"});
                })
            },
            StopsCompiling,
        ),
        case(
            "request-enum-value-added",
            |dir| {
                edit(dir, "documents/get-documents", |op| {
                    let sort = op["parameters"]
                        .as_array_mut()
                        .unwrap()
                        .iter_mut()
                        .find(|p| p["name"] == "sort")
                        .unwrap();
                    push(&mut sort["schema"]["enum"], json!("relevance"));
                })
            },
            Compiles,
        ),
        case(
            "response-enum-value-added",
            |dir| {
                edit(dir, "personas/get-persona", |op| {
                    let engine = find_key(success(op), "tts_engine").unwrap();
                    push(&mut engine["enum"], json!("tomorrows-engine"));
                })
            },
            Compiles,
        ),
        case(
            "path-parameter-renamed",
            |dir| {
                edit_document(dir, "documents/delete-document", |doc| {
                    let paths = doc["paths"].as_object_mut().unwrap();
                    let item = paths.remove("/v2/documents/{document_id}").unwrap();
                    paths.insert("/v2/documents/{id}".into(), item);
                    let op = operation(doc);
                    op["parameters"][0]["name"] = json!("id");
                })
            },
            StopsCompiling,
        ),
        case(
            "success-status-changed",
            |dir| {
                edit(dir, "documents/delete-document", |op| {
                    let responses = op["responses"].as_object_mut().unwrap();
                    let no_content = responses.remove("204").unwrap();
                    responses.insert("200".into(), no_content);
                })
            },
            Compiles,
        ),
        case(
            "operation-added",
            |dir| {
                let from = page_file(dir, "documents/delete-document");
                let mut doc = read(&from);
                let paths = doc["paths"].as_object_mut().unwrap();
                let item = paths.remove("/v2/documents/{document_id}").unwrap();
                paths.insert("/v2/documents/{document_id}/archive".into(), item);
                let op = operation(&mut doc);
                op["operationId"] = json!("archiveDocument");
                let item = doc["paths"]["/v2/documents/{document_id}/archive"]
                    .as_object_mut()
                    .unwrap();
                let delete = item.remove("delete").unwrap();
                item.insert("post".into(), delete);
                write(&page_file(dir, "documents/archive-document"), &doc);
            },
            Compiles,
        ),
        case(
            "operation-removed",
            |dir| std::fs::remove_file(page_file(dir, "video-request/delete-video")).unwrap(),
            StopsCompiling,
        ),
    ]
}

/// Ignored by `cargo test`, which must stay fast: it compiles fifteen clients (about a
/// minute warm, three cold on 2 cores). `.ci/run` runs it on its own with `--ignored`.
#[test]
#[ignore = "compiles fifteen regenerated clients; .ci/run runs it with --ignored"]
fn rust_verdicts_say_stops_compiling_exactly_when_the_caller_stops_compiling() {
    let scratch = repo_root().join("target/verdicts-compile");
    let workspace = scratch.join("workspace");
    let _ = std::fs::remove_dir_all(&workspace);
    std::fs::create_dir_all(&workspace).unwrap();
    let vendored = tavus_openapi::VendoredSpec::load(repo_root().join("openapi"))
        .unwrap()
        .document;

    let cases = cases();
    let mut verdicts = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let spec_dir = workspace.join(format!("spec-{i}"));
        copy_dir(&repo_root().join("openapi"), &spec_dir);
        (case.edit)(&spec_dir);
        let changed = tavus_openapi::VendoredSpec::load(&spec_dir)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name))
            .document;
        let changes = xtask::diff::diff_documents(&vendored, &changed);
        assert_eq!(
            changes.is_empty(),
            case.name == "unchanged",
            "{}: {changes:#?}",
            case.name
        );
        let verdict = changes
            .iter()
            .map(|c| c.rule().rust())
            .max()
            .unwrap_or(RustVerdict::Compiles);
        verdicts.push((verdict, changes));
        let client = tavus_openapi::build_script::generate_client(&spec_dir)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        write_case(&workspace, i, &client);
    }
    write_workspace(&workspace, cases.len());

    let checked = check(&workspace, &scratch.join("target"));
    assert!(
        !checked.compiled.is_empty(),
        "cargo check of {} compiled nothing; it said:\n{}",
        workspace.display(),
        checked.stderr
    );
    let mut wrong = Vec::new();
    for (i, (case, (verdict, changes))) in cases.iter().zip(&verdicts).enumerate() {
        let client = format!("client-{i}");
        assert!(
            checked.compiled.contains(&client),
            "{}: the client generated from the changed spec does not compile (a generator \
             or adaptation bug, not a verdict); {}/{client}:\n{}",
            case.name,
            workspace.display(),
            checked.first_error.get(&client).map_or("", String::as_str)
        );
        let caller_compiles = checked.compiled.contains(&format!("caller-{i}"));
        let rules: Vec<&str> = changes.iter().map(|c| c.rule().id()).collect();
        if (*verdict == RustVerdict::StopsCompiling) == caller_compiles || *verdict != case.expected
        {
            wrong.push(format!(
                "{}: rules {rules:?} say {verdict:?} (expected {:?}), and the caller {}",
                case.name,
                case.expected,
                if caller_compiles {
                    "compiles".to_owned()
                } else {
                    let caller = format!("caller-{i}");
                    let error = checked.first_error.get(&caller).map_or("", String::as_str);
                    format!("does not compile:\n{error}")
                }
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// What `cargo check` of the scratch workspace gave, each crate as far as it goes.
struct Checked {
    /// The directories (`client-<i>`, `caller-<i>`) of the packages whose library compiled.
    compiled: BTreeSet<String>,
    /// The first compiler error of each directory that has one.
    first_error: BTreeMap<String, String>,
    /// What cargo itself wrote to stderr (a resolution failure shows only there).
    stderr: String,
}

/// `cargo check` of the whole scratch workspace, each crate as far as it goes.
fn check(workspace: &Path, target_dir: &Path) -> Checked {
    let output = Command::new(env!("CARGO"))
        .args([
            "check",
            "--workspace",
            "--keep-going",
            "--offline",
            "--message-format=json",
        ])
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    let directory = |m: &Value| -> Option<String> {
        let manifest = Path::new(m["manifest_path"].as_str()?);
        Some(manifest.parent()?.file_name()?.to_str()?.to_owned())
    };
    let mut checked = Checked {
        compiled: BTreeSet::new(),
        first_error: BTreeMap::new(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    for message in String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
    {
        let Some(directory) = directory(&message) else {
            continue;
        };
        if message["reason"] == "compiler-artifact" && message["target"]["kind"][0] == "lib" {
            checked.compiled.insert(directory);
        } else if message["reason"] == "compiler-message"
            && message["message"]["level"] == "error"
            && let Some(rendered) = message["message"]["rendered"].as_str()
        {
            checked
                .first_error
                .entry(directory)
                .or_insert_with(|| rendered.to_owned());
        }
    }
    checked
}

/// The client of case `i` (`client-<i>`, the hand-written layer of `tavus-api` with the
/// generated code as its build script's output) and its caller (`caller-<i>`).
fn write_case(
    workspace: &Path,
    i: usize,
    generated: &tavus_openapi::build_script::GeneratedClient,
) {
    let tavus_api = repo_root().join("tavus-api");
    let client = workspace.join(format!("client-{i}"));
    copy_dir(&tavus_api.join("src"), &client.join("src"));
    std::fs::copy(tavus_api.join("README.md"), client.join("README.md")).unwrap();
    generated.write_to(&client).unwrap();
    std::fs::write(
        client.join("build.rs"),
        "fn main() {\n    let out = std::path::PathBuf::from(std::env::var_os(\"OUT_DIR\").unwrap());\n    for file in [\"codegen.rs\", \"routes.rs\", \"client.rs\"] {\n        std::fs::copy(file, out.join(file)).unwrap();\n    }\n}\n",
    )
    .unwrap();
    let manifest = std::fs::read_to_string(tavus_api.join("Cargo.toml")).unwrap();
    std::fs::write(client.join("Cargo.toml"), client_manifest(&manifest, i)).unwrap();

    let caller = workspace.join(format!("caller-{i}"));
    std::fs::create_dir_all(caller.join("src")).unwrap();
    std::fs::copy(
        repo_root().join("tests/fixtures/verdicts/caller.rs"),
        caller.join("src/lib.rs"),
    )
    .unwrap();
    std::fs::write(
        caller.join("Cargo.toml"),
        format!(
            "[package]\nname = \"caller-{i}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\ntavus-api = {{ package = \"tavus-api-case-{i}\", path = \"../client-{i}\" }}\n"
        ),
    )
    .unwrap();
}

/// `tavus-api`'s manifest for case `i`: its dependencies and features as they are,
/// without TLS by default (nothing here makes a connection, and aws-lc would double the
/// time), without the build-dependencies (the code is generated already) or the
/// dev-dependencies.
fn client_manifest(manifest: &str, i: usize) -> String {
    let mut out = String::new();
    let mut section = String::new();
    for line in manifest.lines() {
        if line.starts_with('[') {
            section = line.to_owned();
        }
        if section == "[build-dependencies]" || section == "[dev-dependencies]" {
            continue;
        }
        let line = match line {
            "name = \"tavus-api\"" => format!("name = \"tavus-api-case-{i}\"\npublish = false"),
            "default = [\"rustls\"]" => "default = []".to_owned(),
            _ if line.starts_with("include = ") => continue,
            _ => line.to_owned(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("\n[lib]\nname = \"tavus_api\"\n");
    out
}

/// The scratch workspace: every case's client and caller, the repository's workspace
/// dependencies and package fields (which the clients' manifests inherit), and its
/// lockfile, so that nothing is resolved anew and nothing is fetched.
fn write_workspace(workspace: &Path, cases: usize) {
    let root = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let inherited = &root[root.find("[workspace.package]").unwrap()..];
    let inherited = inherited.replace("path = \"", &format!("path = \"{}/", repo_root().display()));
    let members: Vec<String> = (0..cases)
        .flat_map(|i| [format!("\"client-{i}\""), format!("\"caller-{i}\"")])
        .collect();
    std::fs::write(
        workspace.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n{inherited}",
            members.join(", ")
        ),
    )
    .unwrap();
    std::fs::copy(repo_root().join("Cargo.lock"), workspace.join("Cargo.lock")).unwrap();
}

/// The file of the vendored page `page` (such as `documents/get-documents`) under `dir`.
fn page_file(dir: &Path, page: &str) -> PathBuf {
    dir.join(format!("api-reference/{page}.yaml"))
}

fn read(file: &Path) -> Value {
    let text = std::fs::read_to_string(file).unwrap();
    serde_norway::from_str(&text).unwrap()
}

fn write(file: &Path, document: &Value) {
    std::fs::write(file, serde_norway::to_string(document).unwrap()).unwrap();
}

/// Changes the document of a vendored page.
fn edit_document(dir: &Path, page: &str, change: impl FnOnce(&mut Value)) {
    let file = page_file(dir, page);
    let mut document = read(&file);
    change(&mut document);
    write(&file, &document);
}

/// Changes the one operation of a vendored page.
fn edit(dir: &Path, page: &str, change: impl FnOnce(&mut Value)) {
    edit_document(dir, page, |document| change(operation(document)));
}

/// The one operation of a page's document.
fn operation(document: &mut Value) -> &mut Value {
    let (_, item) = document["paths"]
        .as_object_mut()
        .unwrap()
        .iter_mut()
        .next()
        .unwrap();
    item.as_object_mut()
        .unwrap()
        .iter_mut()
        .find(|(key, _)| key.as_str() != "parameters")
        .map(|(_, op)| op)
        .unwrap()
}

fn body(operation: &mut Value) -> &mut Value {
    &mut operation["requestBody"]["content"]["application/json"]["schema"]
}

fn success(operation: &mut Value) -> &mut Value {
    &mut operation["responses"]["200"]["content"]["application/json"]["schema"]
}

fn push(list: &mut Value, value: Value) {
    if list.is_null() {
        *list = json!([]);
    }
    list.as_array_mut().unwrap().push(value);
}

fn remove(object: &mut Value, key: &str) {
    assert!(
        object.as_object_mut().unwrap().remove(key).is_some(),
        "{key}"
    );
}

/// The first value under the key `key`, depth first.
fn find_key<'a>(value: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    match value {
        Value::Object(object) => {
            if object.contains_key(key) {
                return object.get_mut(key);
            }
            object.values_mut().find_map(|v| find_key(v, key))
        }
        Value::Array(items) => items.iter_mut().find_map(|v| find_key(v, key)),
        _ => None,
    }
}

fn copy_dir(from: &Path, to: &Path) {
    xtask::update::copy_tree(from, to).expect("copy a directory tree");
}
