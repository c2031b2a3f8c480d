//! The Tavus OpenAPI spec as this workspace sees it: upstream reference pages, the
//! vendored copies of their OpenAPI blocks, the one document they merge into, the
//! adaptations that document needs before `progenitor` can generate a faithful client
//! ([`adapt`]), and the few the generated code needs after ([`code`]).
//!
//! `tavus-api`'s build script and the `xtask` drift tool both go through this crate, so
//! a page is read, a vendored file is named and a spec is merged the same way in both.
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
pub mod index;
mod merge;
pub mod page;
mod parse;
pub mod routes;
mod vendored;

pub use error::SpecError;
pub use index::{IndexEntry, PageIndex, ReferencePages};
pub use merge::{merge, parameter_location};
pub use page::OpenApiBlock;
pub use parse::parse_document;
pub use vendored::{PagePath, VendoredFile, VendoredSpec};
