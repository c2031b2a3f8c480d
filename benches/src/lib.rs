//! Helpers for the benchmarks in `benches/` (see `BENCHMARKS.md` at the repository root):
//! the statistics the reports are made of. The server they measure against is the
//! workspace's one local server, `local-server`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod stats;

pub use stats::{load_average, percentile, ratio, verdict};
