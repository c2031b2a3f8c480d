//! What both build scripts that generate from `openapi/` (the client in `tavus-api`, the
//! mock helpers in `tavus-api-httpmock`) do around their own generation, and the whole of
//! `tavus-api`'s generation ([`generate_client`]).

use std::path::Path;
use std::process::ExitCode;

use openapiv3::OpenAPI;
use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle};

use crate::{SpecError, VendoredSpec, adapt, code, routes};

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

/// What `tavus-api`'s build script writes to `OUT_DIR`, as Rust source.
#[derive(Debug, Clone)]
pub struct GeneratedClient {
    /// The client progenitor generates, adapted ([`code`]) and formatted: `codegen.rs`.
    pub code: String,
    /// The route table the client's hooks check requests against
    /// ([`routes::rust_source`]): `routes.rs`.
    pub routes: String,
}

/// `tavus-api`'s client, generated from the vendored spec under `spec_dir`: load and adapt
/// the spec, generate with progenitor, adapt the code ([`code`]), format.
///
/// The code refers to these items of `tavus-api`, the crate that includes it:
/// `crate::ClientSettings` (the per-client settings its hooks read), `crate::hooks::encode_path`,
/// `crate::error::attach` and `crate::Error`. It is a library function, not the build
/// script's own, so that `xtask update` checks a new vendored set and the build-script
/// benchmark times this very pipeline.
pub fn generate_client(spec_dir: &Path) -> Result<GeneratedClient, String> {
    let spec = load_for_progenitor(spec_dir).map_err(|e| e.to_string())?;

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_hooks(HooksMode::Expected)
        // Per-client settings the hooks read through `ClientInfo::inner`.
        .with_inner_type(quote::quote!(crate::ClientSettings))
        .with_derive("PartialEq");
    let tokens = Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| {
            format!(
                "progenitor cannot generate a client from {}: {e}",
                spec_dir.display()
            )
        })?;
    let routes = routes::routes(&spec);
    let mut generated: syn::File = syn::parse2(tokens).map_err(|e| {
        format!(
            "progenitor's client for {} is not a Rust file ({e}): a progenitor bug",
            spec_dir.display()
        )
    })?;
    code::encode_path_parameters_with(
        &mut generated,
        &syn::parse_quote!(crate::hooks::encode_path),
    )
    .and_then(|()| {
        code::return_errors_through(
            &mut generated,
            &syn::parse_quote!(crate::error::attach),
            &syn::parse_quote!(crate::Error),
            routes.len(),
        )
    })
    .and_then(|()| {
        let names = routes.iter().map(|r| r.method_name.as_str());
        code::check_method_names(&generated, names)
    })
    .map_err(|e| e.to_string())?;
    Ok(GeneratedClient {
        code: prettyplease::unparse(&generated),
        routes: routes::rust_source(&routes),
    })
}
