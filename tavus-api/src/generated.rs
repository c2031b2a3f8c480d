//! The client progenitor generates from the vendored spec (see `build.rs`), the route
//! table the hooks check requests against, and the methods of [`crate::Client`], which
//! forward to progenitor's client. Nothing here is written by hand.
#![allow(missing_docs, unused_imports, clippy::all, clippy::pedantic)]
// progenitor's `Client::new(.., ClientSettings)` is `pub` on a type no caller can name or
// obtain (`crate::Client` keeps it in a private field): what makes the builder the only
// way to a client.
#![allow(private_interfaces)]

use crate::hooks::Route;

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
include!(concat!(env!("OUT_DIR"), "/routes.rs"));
include!(concat!(env!("OUT_DIR"), "/client.rs"));

#[cfg(test)]
mod tests {
    /// Cargo reruns the build script when what it printed says so: exactly the lines
    /// `tavus_openapi::build_script::RERUN_DIRECTIVES` (whose behaviour
    /// `tests/tests/build_script.rs` proves on a small crate), not a line more from the
    /// generator. Cargo keeps what the script printed in `output` next to its `OUT_DIR`.
    #[test]
    fn the_build_script_told_cargo_only_when_to_rerun_it() {
        let output = std::path::Path::new(env!("OUT_DIR")).with_file_name("output");
        let printed = std::fs::read_to_string(&output).unwrap_or_else(|e| {
            panic!(
                "cannot read what the build script printed, {}: {e}; has cargo moved it?",
                output.display()
            )
        });
        assert_eq!(
            printed,
            "cargo::rerun-if-changed=build.rs\ncargo::rerun-if-changed=openapi\n"
        );
    }
}
