#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// What progenitor generates from the vendored spec (see `build.rs`); never edited by
/// hand. Its wrapper types and methods carry no doc comments of their own: each method is
/// named for the operation, parameter or documented response it matches.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/httpmock.rs"));
}

pub use generated::{MockServerExt, operations};
