//! Generates typed `httpmock` helpers for `tavus-api` from the same vendored files in
//! `openapi/`, through the same pipeline as `tavus-api`'s build script: load and adapt
//! the spec (`tavus-openapi`), generate with progenitor, format, write to `OUT_DIR`.

use std::path::Path;
use std::process::ExitCode;

use progenitor_impl::{GenerationSettings, Generator};

fn main() -> ExitCode {
    tavus_openapi::build_script::run(generate)
}

fn generate(spec_dir: &Path, out_dir: &Path) -> Result<(), String> {
    let spec =
        tavus_openapi::build_script::load_for_progenitor(spec_dir).map_err(|e| e.to_string())?;

    // progenitor names types from the spec alone (tavus-api's build script renames none:
    // its settings only add attributes and read booleans as `LenientBool`), so the helpers
    // refer to the very `tavus_api::types` the client has. Their own parameters stay plain
    // (`hard(true)`, `limit(10)`), as the client's builders take them.
    let tokens = Generator::new(&GenerationSettings::new())
        .httpmock(&spec, "tavus_api")
        .map_err(|e| {
            format!(
                "progenitor cannot generate httpmock helpers from {}: {e}",
                spec_dir.display()
            )
        })?;
    let code = syn::parse2(tokens).map_err(|e| {
        format!(
            "progenitor's httpmock helpers for {} are not a Rust file ({e}): a progenitor bug",
            spec_dir.display()
        )
    })?;
    tavus_openapi::build_script::write(&out_dir.join("httpmock.rs"), &prettyplease::unparse(&code))
}
