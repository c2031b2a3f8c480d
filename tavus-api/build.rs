//! Generates the Tavus client from the vendored OpenAPI files in `openapi/`.
//!
//! A pipeline, no logic: load and adapt the spec (`tavus-openapi`), generate with
//! progenitor, adapt the code (`tavus_openapi::code`), format, write to `OUT_DIR`.
//! Cargo reruns it only when a file under `openapi/` or this script changes (or
//! `tavus-openapi` is rebuilt).

use std::path::Path;
use std::process::ExitCode;

use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle};

fn main() -> ExitCode {
    tavus_openapi::build_script::run(generate)
}

// `pub(crate)`: the build-script benchmark (`benches/`) times this very function.
pub(crate) fn generate(spec_dir: &Path, out_dir: &Path) -> Result<(), String> {
    let spec =
        tavus_openapi::build_script::load_for_progenitor(spec_dir).map_err(|e| e.to_string())?;

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
    let routes = tavus_openapi::routes::routes(&spec);
    let mut code: syn::File = syn::parse2(tokens).map_err(|e| {
        format!(
            "progenitor's client for {} is not a Rust file ({e}): a progenitor bug",
            spec_dir.display()
        )
    })?;
    tavus_openapi::code::encode_path_parameters_with(
        &mut code,
        &syn::parse_quote!(crate::hooks::encode_path),
    )
    .and_then(|()| {
        tavus_openapi::code::return_errors_through(
            &mut code,
            &syn::parse_quote!(crate::error::attach),
            &syn::parse_quote!(crate::Error),
            routes.len(),
        )
    })
    .and_then(|()| {
        let names = routes.iter().map(|r| r.method_name.as_str());
        tavus_openapi::code::check_method_names(&code, names)
    })
    .map_err(|e| e.to_string())?;
    let code = prettyplease::unparse(&code);
    let routes = tavus_openapi::routes::rust_source(&routes);

    tavus_openapi::build_script::write(&out_dir.join("codegen.rs"), &code)?;
    tavus_openapi::build_script::write(&out_dir.join("routes.rs"), &routes)
}
