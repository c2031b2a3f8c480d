//! tavus-api's build script, run by cargo itself on a copy of the workspace: it reruns
//! only when the vendored spec (or the script) changes, and a bad vendored file fails the
//! build with a message naming the file and the problem.
//!
//! The copy is checked with `--offline` in a target directory of its own under `target/`,
//! kept between runs, so the test needs no network and is quick once that directory is warm.
#![cfg(unix)]

use std::path::Path;
use std::process::Command;

use integration_tests::repo_root;

const VENDORED: &str = "openapi/api-reference/documents/delete-document.yaml";

#[test]
fn build_script_reruns_only_for_spec_changes_and_names_bad_files() {
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&repo_root(), copy.path());
    let workspace = Workspace(copy.path());

    let first = workspace.check();
    assert!(first.ok, "a clean checkout must build:\n{}", first.stderr);

    let noop = workspace.check();
    assert!(
        noop.ok && !noop.ran_build_script(),
        "a no-op rebuild ran the build script:\n{}",
        noop.stderr
    );

    workspace.append(
        "tavus-api/src/client.rs",
        "\n// an edit that is not the spec\n",
    );
    let edited = workspace.check();
    assert!(edited.ok, "{}", edited.stderr);
    assert!(
        edited.stderr.contains("Checking tavus-api"),
        "the edit was not rebuilt:\n{}",
        edited.stderr
    );
    assert!(
        !edited.ran_build_script(),
        "editing a non-spec file ran the build script:\n{}",
        edited.stderr
    );

    workspace.append(VENDORED, "# a spec change\n");
    let respec = workspace.check();
    assert!(
        respec.ok && respec.ran_build_script(),
        "a spec change did not rerun the build script:\n{}",
        respec.stderr
    );

    workspace.write(VENDORED, "openapi: 3.0.3\npaths: [\n");
    let malformed = workspace.check();
    assert!(!malformed.ok);
    assert!(
        malformed
            .stderr
            .contains(&format!("{VENDORED}: malformed YAML")),
        "the failure does not name the file and the problem:\n{}",
        malformed.stderr
    );

    workspace.write(
        VENDORED,
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
    );
    let swagger = workspace.check();
    assert!(!swagger.ok);
    assert!(
        swagger.stderr.contains(&format!(
            "{VENDORED}: not an OpenAPI 3.0 document: a Swagger 2.0 document"
        )),
        "{}",
        swagger.stderr
    );
}

struct Workspace<'a>(&'a Path);

struct Outcome {
    ok: bool,
    stderr: String,
}

impl Outcome {
    /// `cargo -v` prints `Running `…/build/tavus-api-<hash>/build-script-build`` when it
    /// runs the script, and nothing of the kind when it is fresh.
    fn ran_build_script(&self) -> bool {
        self.stderr.lines().any(|line| {
            line.contains("Running `")
                && line.split("/build/tavus-api-").nth(1).is_some_and(|rest| {
                    rest.split_once('/').is_some_and(|(hash, tail)| {
                        hash.bytes().all(|b| b.is_ascii_hexdigit())
                            && tail.starts_with("build-script-build")
                    })
                })
        })
    }
}

impl Workspace<'_> {
    fn check(&self) -> Outcome {
        let output = Command::new(env!("CARGO"))
            .args(["check", "-v", "--offline", "--locked", "-p", "tavus-api"])
            .current_dir(self.0)
            .env(
                "CARGO_TARGET_DIR",
                repo_root().join("target/build-script-test"),
            )
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs");
        Outcome {
            ok: output.status.success(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn append(&self, file: &str, text: &str) {
        let before = std::fs::read_to_string(self.0.join(file)).unwrap();
        self.write(file, &(before + text));
    }

    fn write(&self, file: &str, text: &str) {
        // Cargo compares modification times; make sure the new one is later.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(self.0.join(file), text).unwrap();
    }
}

/// Copies the repository without its build output and history, keeping symlinks (the
/// `tavus-api/openapi` link is how the crate sees the vendored spec).
fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let (source, dest) = (entry.path(), to.join(&name));
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&source).unwrap(), &dest).unwrap();
        } else if kind.is_dir() {
            std::fs::create_dir(&dest).unwrap();
            copy_tree(&source, &dest);
        } else {
            std::fs::copy(&source, &dest).unwrap();
        }
    }
}
