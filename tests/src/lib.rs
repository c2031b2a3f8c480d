//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository root")
        .to_owned()
}

/// The copy of the docs site snapshot the tests use as upstream (see `fixtures/README.md`).
pub fn docs_snapshot() -> PathBuf {
    repo_root().join("tests/fixtures/tavus-docs")
}
