//! `cargo xtask`: keeps `openapi/` in step with the Tavus API reference on docs.tavus.io.
//!
//! - [`drift`] compares `openapi/` with upstream; [`diff`] explains each difference and
//!   [`rules`] classifies it; [`report`] prints the result as text, JSON or Markdown;
//! - [`update`] re-vendors pages, verbatim and all-or-nothing;
//! - [`fetch`] reads pages from the site with bounded concurrency, timeouts and retries;
//! - [`page`] and [`index`] read a reference page's OpenAPI block and the site's `llms.txt`;
//! - [`site`] says where the site is (a URL, or a local copy laid out at its paths);
//! - [`callbacks`] watches the guide page of the callback bodies (drift and update);
//! - [`cli`] is the command line that `src/main.rs` runs.
#![forbid(unsafe_code)]
// No `missing_docs`: the xtask is not published, and the lint made fields restate their
// names ("The page's URL."); items whose name does not say it all still have docs.

pub mod callbacks;
pub mod cli;
pub mod diff;
pub mod drift;
mod error;
pub mod fetch;
pub mod index;
pub mod page;
mod page_error;

pub use page_error::PageError;
pub mod report;
pub mod rules;
pub mod site;
mod text_diff;
pub mod update;
mod upstream;

pub use error::Error;
