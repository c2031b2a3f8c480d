//! What both build scripts that generate from `openapi/` (the client in `tavus-api`, the
//! mock helpers in `tavus-api-httpmock`) do around their own generation.

use std::path::Path;
use std::process::ExitCode;

use openapiv3::OpenAPI;

use crate::{SpecError, VendoredSpec, adapt};

/// A build script's `main`: tells cargo to rerun the script only when `openapi/` or the
/// script changes, runs `generate` with `openapi` and `OUT_DIR`, and fails the build with
/// `generate`'s message when it fails.
pub fn run(generate: impl FnOnce(&Path, &Path) -> Result<(), String>) -> ExitCode {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=openapi");
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        eprintln!("error: OUT_DIR is not set: this runs as a cargo build script");
        return ExitCode::FAILURE;
    };
    match generate(Path::new("openapi"), Path::new(&out_dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The vendored spec under `spec_dir`, merged into one document and adapted for
/// progenitor ([`adapt::for_progenitor`]): what both build scripts generate from.
pub fn load_for_progenitor(spec_dir: &Path) -> Result<OpenAPI, SpecError> {
    adapt::for_progenitor(VendoredSpec::load(spec_dir)?.document)
}

/// Writes a generated file, naming it when it cannot.
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
