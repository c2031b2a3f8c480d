//! Generates typed `httpmock` helpers for `tavus-api` from the same vendored files in
//! `openapi/`, through the same pipeline as `tavus-api`'s build script: load and adapt
//! the spec (`tavus-openapi`), generate with progenitor, format, write to `OUT_DIR`.

use std::path::Path;
use std::process::ExitCode;

use progenitor_impl::{GenerationSettings, Generator};

fn main() -> ExitCode {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=openapi");
    match generate(
        Path::new("openapi"),
        Path::new(&std::env::var_os("OUT_DIR").unwrap()),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn generate(spec_dir: &Path, out_dir: &Path) -> Result<(), String> {
    let vendored = tavus_openapi::VendoredSpec::load(spec_dir).map_err(|e| e.to_string())?;
    let spec =
        tavus_openapi::adapt::for_progenitor(vendored.document).map_err(|e| e.to_string())?;

    // progenitor names types from the spec alone (tavus-api's build script patches and
    // replaces none), so the helpers refer to the very `tavus_api::types` the client has.
    let tokens = Generator::new(&GenerationSettings::new())
        .httpmock(&spec, "tavus_api")
        .map_err(|e| {
            format!(
                "progenitor cannot generate httpmock helpers from {}: {e}",
                spec_dir.display()
            )
        })?;
    let code = prettyplease::unparse(&syn::parse2(tokens).map_err(|e| e.to_string())?);
    let path = out_dir.join("httpmock.rs");
    std::fs::write(&path, code).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
