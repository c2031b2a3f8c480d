//! When cargo reruns the build scripts that generate from `openapi/`, and what a bad
//! vendored file makes them say.
//!
//! Cargo decides when to rerun a build script from the `cargo::rerun-if-changed` lines the
//! script prints, which are [`RERUN_DIRECTIVES`] (`tavus_openapi::build_script::run`
//! prints exactly those: its unit tests, and `tavus-api`'s test of what its build script
//! told cargo). So the rerun behaviour is proved here on a crate of our own with no
//! dependencies that prints those very lines and is laid out like `tavus-api` (an
//! `openapi` symlink to the workspace's `openapi/`): it builds in about a second, where
//! rebuilding `tavus-api` and its code generator took a minute and a half.
#![cfg(unix)]

use std::path::PathBuf;
use std::process::Command;

use integration_tests::{repo_root, temp_copy};
use tavus_openapi::build_script::{RERUN_DIRECTIVES, load_for_progenitor};

/// A vendored file the tests edit, as deep under `openapi/` as the real ones are.
const VENDORED: &str = "api-reference/documents/delete-document.yaml";

#[test]
fn cargo_reruns_the_build_script_only_for_spec_changes() {
    let fixture = Fixture::new();

    let first = fixture.check();
    assert!(first.ok, "the fixture must build:\n{}", first.stderr);
    assert_eq!(fixture.script_runs(), 1, "{}", first.stderr);

    let noop = fixture.check();
    assert!(noop.ok, "{}", noop.stderr);
    assert_eq!(
        fixture.script_runs(),
        1,
        "a no-op rebuild ran the build script:\n{}",
        noop.stderr
    );

    fixture.append("crate/src/lib.rs", "\n// an edit that is not the spec\n");
    let edited = fixture.check();
    assert!(edited.ok, "{}", edited.stderr);
    assert!(
        edited.stderr.contains("--crate-name fixture "),
        "the edit was not rebuilt:\n{}",
        edited.stderr
    );
    assert_eq!(
        fixture.script_runs(),
        1,
        "editing a non-spec file ran the build script:\n{}",
        edited.stderr
    );

    // Through the workspace's `openapi/`, not the crate's symlink to it: the edits
    // `cargo xtask update` makes.
    fixture.append(&format!("openapi/{VENDORED}"), "# a spec change\n");
    let respec = fixture.check();
    assert!(respec.ok, "{}", respec.stderr);
    assert_eq!(
        fixture.script_runs(),
        2,
        "a spec change did not rerun the build script:\n{}",
        respec.stderr
    );

    fixture.write(
        "openapi/api-reference/documents/a-new-page.yaml",
        "# a newly vendored page\n",
    );
    let added = fixture.check();
    assert!(added.ok, "{}", added.stderr);
    assert_eq!(
        fixture.script_runs(),
        3,
        "a newly vendored file did not rerun the build script:\n{}",
        added.stderr
    );

    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::remove_file(fixture.path(&format!("openapi/{VENDORED}"))).unwrap();
    let removed = fixture.check();
    assert!(removed.ok, "{}", removed.stderr);
    assert_eq!(
        fixture.script_runs(),
        4,
        "removing a vendored file did not rerun the build script:\n{}",
        removed.stderr
    );
}

/// What the build scripts pass to `run` when a vendored file is not YAML: the message
/// `run` fails the build with (its unit tests) names the file as the script sees it,
/// under the spec directory it was given, and the problem.
#[test]
fn a_malformed_vendored_file_is_named_with_the_problem() {
    let spec = temp_copy(&repo_root().join("openapi"));
    let file = spec.path().join(VENDORED);
    std::fs::write(&file, "openapi: 3.0.3\npaths: [\n").unwrap();
    let message = load_for_progenitor(spec.path()).unwrap_err().to_string();
    let expect = format!("{}: malformed YAML", file.display());
    assert!(
        message.contains(&expect),
        "expected `{expect}` in {message}"
    );
}

#[test]
fn a_swagger_2_vendored_file_is_named_with_the_problem() {
    let spec = temp_copy(&repo_root().join("openapi"));
    let file = spec.path().join(VENDORED);
    std::fs::write(
        &file,
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
    )
    .unwrap();
    let message = load_for_progenitor(spec.path()).unwrap_err().to_string();
    let expect = format!(
        "{}: not an OpenAPI 3.0 document: a Swagger 2.0 document",
        file.display()
    );
    assert!(
        message.contains(&expect),
        "expected `{expect}` in {message}"
    );
}

/// A temporary directory laid out like the workspace: `openapi/` with a vendored file, and
/// in `crate/` a package with an `openapi` symlink to it, like `tavus-api`, whose build
/// script prints [`RERUN_DIRECTIVES`] and counts its runs in `runs`.
struct Fixture {
    dir: tempfile::TempDir,
}

struct Outcome {
    ok: bool,
    stderr: String,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Fixture { dir };
        fixture.write(&format!("openapi/{VENDORED}"), "openapi: 3.0.3\n");
        fixture.write("crate/src/lib.rs", "//! A fixture.\n");
        fixture.write(
            "crate/Cargo.toml",
            "[package]\nname = \"fixture\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             # Not a member of whatever workspace the temporary directory is in.\n[workspace]\n",
        );
        let runs = fixture.path("runs");
        fixture.write(
            "crate/build.rs",
            &format!(
                "use std::io::Write;\n\
                 fn main() {{\n    \
                     print!({RERUN_DIRECTIVES:?});\n    \
                     let mut runs = std::fs::OpenOptions::new().create(true).append(true).open({runs:?}).unwrap();\n    \
                     runs.write_all(b\"ran\\n\").unwrap();\n\
                 }}\n"
            ),
        );
        std::os::unix::fs::symlink("../openapi", fixture.path("crate/openapi")).unwrap();
        fixture
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    /// `cargo check -v`, offline, in a target directory of the fixture's own.
    fn check(&self) -> Outcome {
        let output = Command::new(env!("CARGO"))
            .args(["check", "-v", "--offline"])
            .current_dir(self.path("crate"))
            .env("CARGO_TARGET_DIR", self.path("target"))
            // Not the flags or wrapper this test was built with: a plain build.
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("RUSTC_WRAPPER")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .output()
            .expect("cargo runs");
        Outcome {
            ok: output.status.success(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// How many times cargo has run the build script.
    fn script_runs(&self) -> usize {
        std::fs::read_to_string(self.path("runs")).map_or(0, |runs| runs.lines().count())
    }

    fn append(&self, file: &str, text: &str) {
        let before = std::fs::read_to_string(self.path(file)).unwrap();
        self.write(file, &(before + text));
    }

    fn write(&self, file: &str, text: &str) {
        let path = self.path(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        // Cargo compares modification times; make sure the new one is later.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(path, text).unwrap();
    }
}
