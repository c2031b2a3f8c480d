//! The Tavus OpenAPI spec as the build sees it: the vendored copies of the reference
//! pages' OpenAPI blocks, the one document they merge into, the adaptations that document
//! needs before `progenitor` can generate a faithful client ([`adapt`]), and the few the
//! generated code needs after ([`code`]).
//!
//! It is what `tavus-api`'s build script needs, and no more: reading the docs site's pages
//! and index is the xtask's business. The xtask also reads vendored files and merges
//! through this crate, so a vendored file is named and a spec merged the same way in both.
//!
//! ```no_run
//! let spec = tavus_openapi::VendoredSpec::load("openapi")?;
//! let for_progenitor = tavus_openapi::adapt::for_progenitor(spec.document.clone())?;
//! # Ok::<(), tavus_openapi::SpecError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod adapt;
pub mod build_script;
pub mod code;
mod error;
mod merge;
mod parse;
pub mod routes;
pub mod settings;
mod vendored;

pub use error::SpecError;
pub use merge::{merge, parameter_location};
pub use parse::parse_document;
pub use vendored::{PagePath, VendoredFile, VendoredSpec};
