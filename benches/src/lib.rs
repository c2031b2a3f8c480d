//! Helpers for the benchmarks in `benches/` (see `BENCHMARKS.md` at the repository root):
//! a local HTTP server to measure against, and the statistics the reports are made of.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod server;
mod stats;

pub use server::{Answer, LocalServer};
pub use stats::{load_average, percentile, ratio};
