//! What both build scripts that generate from `openapi/` (the client in `tavus-api`, the
//! mock helpers in `tavus-api-httpmock`) do around their own generation, and the whole of
//! `tavus-api`'s generation ([`generate_client`]).

use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use openapiv3::OpenAPI;
use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle};

use crate::{SpecError, VendoredSpec, adapt, code, routes, settings};

/// The lines [`run`] prints to cargo, and all it prints to stdout: rerun the build script
/// only when `openapi/` (any file under it) or the script itself changes, not on every
/// edit of the package, which is cargo's default for a script that names nothing.
///
/// Public so that a test can give these very lines to cargo in a small crate of its own
/// and watch when cargo reruns it, without building the codegen stack.
pub const RERUN_DIRECTIVES: &str =
    "cargo::rerun-if-changed=build.rs\ncargo::rerun-if-changed=openapi\n";

/// A build script's `main`: tells cargo to rerun the script only when `openapi/` or the
/// script changes ([`RERUN_DIRECTIVES`]), runs `generate` with `openapi` and `OUT_DIR`,
/// and fails the build with `generate`'s message when it fails.
pub fn run(generate: impl FnOnce(&Path, &Path) -> Result<(), String>) -> ExitCode {
    let out_dir = std::env::var_os("OUT_DIR");
    // `println!` and `eprintln!` panic when they cannot write; so does this.
    let succeeded = run_with(
        out_dir.as_deref(),
        generate,
        &mut io::stdout(),
        &mut io::stderr(),
    )
    .expect("a build script writes to cargo's stdout and stderr");
    if succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// [`run`] with its environment and output passed in, so that a test sees exactly what it
/// tells cargo; whether the build may go on. (A `bool`, not an `ExitCode`: comparing
/// those needs a newer Rust than the crates' 1.88.)
fn run_with(
    out_dir: Option<&OsStr>,
    generate: impl FnOnce(&Path, &Path) -> Result<(), String>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<bool> {
    stdout.write_all(RERUN_DIRECTIVES.as_bytes())?;
    let Some(out_dir) = out_dir else {
        writeln!(
            stderr,
            "error: OUT_DIR is not set: this runs as a cargo build script"
        )?;
        return Ok(false);
    };
    match generate(Path::new("openapi"), Path::new(out_dir)) {
        Ok(()) => Ok(true),
        Err(message) => {
            writeln!(stderr, "error: {message}")?;
            Ok(false)
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
    /// The methods of `crate::Client`, which keeps progenitor's client private and
    /// forwards to it ([`code::client_forwarders`]): `client.rs`.
    pub client: String,
}

impl GeneratedClient {
    /// Each file's name, as `tavus-api/src/generated.rs` includes it, with its text.
    pub fn files(&self) -> [(&'static str, &str); 3] {
        [
            ("codegen.rs", &self.code),
            ("routes.rs", &self.routes),
            ("client.rs", &self.client),
        ]
    }

    /// Writes [the files](GeneratedClient::files) into `dir`, naming one that cannot be
    /// written.
    pub fn write_to(&self, dir: &Path) -> Result<(), String> {
        self.files()
            .into_iter()
            .try_for_each(|(name, text)| write(&dir.join(name), text))
    }
}

/// `tavus-api`'s client, generated from the vendored spec under `spec_dir`: load and adapt
/// the spec, generate with progenitor, adapt the code ([`code`]), format.
///
/// The code refers to these items of `tavus-api`, the crate that includes it:
/// `crate::ClientSettings` (the per-client settings its hooks read), `crate::hooks::encode_path`,
/// `crate::error::attach`, `crate::Error`, `crate::LenientBool`, and `crate::Client` with a
/// field `generated` holding progenitor's client. It is a library function, not the build
/// script's own, so that `xtask update` checks a new vendored set and the build-script
/// benchmark times this very pipeline.
pub fn generate_client(spec_dir: &Path) -> Result<GeneratedClient, String> {
    let spec = load_for_progenitor(spec_dir).map_err(|e| e.to_string())?;
    let dir = spec_dir.display();
    let generate = |settings: &GenerationSettings| -> Result<syn::File, String> {
        let tokens = Generator::new(settings)
            .generate_tokens(&spec)
            .map_err(|e| format!("progenitor cannot generate a client from {dir}: {e}"))?;
        syn::parse2(tokens).map_err(|e| {
            format!("progenitor's client for {dir} is not a Rust file ({e}): a progenitor bug")
        })
    };

    let mut settings = GenerationSettings::new();
    settings
        // `client.list_documents().limit(10).send()`: a parameter or a body property
        // added upstream is a new setter, not a new argument that breaks every call.
        .with_interface(InterfaceStyle::Builder)
        .with_hooks(HooksMode::Expected)
        // Per-client settings the hooks read through `ClientInfo::inner`.
        .with_inner_type(quote::quote!(crate::ClientSettings))
        .with_derive("PartialEq");
    adapt::lenient_booleans(&mut settings, "crate::LenientBool");
    // A first generation names the types; the second marks them all.
    let names = settings::type_names(&generate(&settings)?);
    settings::non_exhaustive_types(&mut settings, names.iter().map(String::as_str));
    let mut generated = generate(&settings)?;

    let routes = routes::routes(&spec);
    let forwarders = adapt_code(&mut generated, &routes).map_err(|e| e.to_string())?;
    Ok(GeneratedClient {
        code: prettyplease::unparse(&generated),
        routes: routes::rust_source(&routes),
        client: prettyplease::unparse(&forwarders),
    })
}

/// Applies every adaptation of the generated code ([`code`]), in order, and renders the
/// public client's methods.
fn adapt_code(
    generated: &mut syn::File,
    routes: &[routes::OperationRoute],
) -> Result<syn::File, SpecError> {
    let encoder = syn::parse_quote!(crate::hooks::encode_path);
    code::encode_path_parameters_with(generated, &encoder)?;
    code::default_flattened_maps(generated)?;
    let (attach, error) = (
        syn::parse_quote!(crate::error::attach),
        syn::parse_quote!(crate::Error),
    );
    code::return_errors_through(generated, &attach, &error, routes.len())?;
    code::check_method_names(generated, routes.iter().map(|r| r.method_name.as_str()))?;
    let client = syn::parse_quote!(crate::Client);
    code::link_builders_to(generated, &client, routes.len())?;
    code::client_forwarders(generated, &client, routes.len())
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// What `run_with` returned and wrote, and what it gave `generate`.
    struct Ran {
        succeeded: bool,
        stdout: String,
        stderr: String,
        generate_got: Option<(String, String)>,
    }

    fn run_with_out_dir(out_dir: Option<&str>, result: Result<(), String>) -> Ran {
        let generate_got = RefCell::new(None);
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let succeeded = run_with(
            out_dir.map(OsStr::new),
            |spec_dir, out_dir| {
                *generate_got.borrow_mut() = Some((
                    spec_dir.display().to_string(),
                    out_dir.display().to_string(),
                ));
                result
            },
            &mut stdout,
            &mut stderr,
        )
        .unwrap();
        Ran {
            succeeded,
            stdout: String::from_utf8(stdout).unwrap(),
            stderr: String::from_utf8(stderr).unwrap(),
            generate_got: generate_got.into_inner(),
        }
    }

    #[test]
    fn tells_cargo_the_rerun_directives_and_nothing_else() {
        let ran = run_with_out_dir(Some("/out"), Ok(()));
        assert!(ran.succeeded);
        assert_eq!(ran.stdout, RERUN_DIRECTIVES);
        assert_eq!(ran.stderr, "");
        assert_eq!(
            ran.generate_got,
            Some(("openapi".to_owned(), "/out".to_owned()))
        );
        // Cargo reads one directive a line; `build.rs` and `openapi` are relative to the
        // package, where cargo runs the script.
        assert_eq!(
            RERUN_DIRECTIVES.lines().collect::<Vec<_>>(),
            [
                "cargo::rerun-if-changed=build.rs",
                "cargo::rerun-if-changed=openapi"
            ]
        );
    }

    #[test]
    fn a_failed_generation_fails_the_build_with_its_message() {
        let ran = run_with_out_dir(
            Some("/out"),
            Err("openapi/a.yaml: malformed YAML: at line 2".to_owned()),
        );
        assert!(!ran.succeeded);
        // The directives come first all the same: a fix of the spec must rerun the script.
        assert_eq!(ran.stdout, RERUN_DIRECTIVES);
        assert_eq!(
            ran.stderr,
            "error: openapi/a.yaml: malformed YAML: at line 2\n"
        );
    }

    #[test]
    fn without_out_dir_it_fails_before_generating() {
        let ran = run_with_out_dir(None, Ok(()));
        assert!(!ran.succeeded);
        assert_eq!(ran.stdout, RERUN_DIRECTIVES);
        assert!(ran.stderr.contains("OUT_DIR is not set"), "{}", ran.stderr);
        assert_eq!(ran.generate_got, None);
    }
}
