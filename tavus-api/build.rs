//! Generates the Tavus client from the vendored OpenAPI files in `openapi/`, with
//! `tavus_openapi::build_script::generate_client` (load and adapt the spec, generate with
//! progenitor, adapt the code, format), and writes it to `OUT_DIR`. Cargo reruns it only
//! when a file under `openapi/` or this script changes (or `tavus-openapi` is rebuilt).

use std::process::ExitCode;

use tavus_openapi::build_script::{generate_client, run};

fn main() -> ExitCode {
    run(|spec_dir, out_dir| generate_client(spec_dir)?.write_to(out_dir))
}
