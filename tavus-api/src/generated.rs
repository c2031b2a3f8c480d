//! The client progenitor generates from the vendored spec (see `build.rs`), and the
//! route table the hooks check requests against. Nothing here is written by hand.
#![allow(missing_docs, clippy::all, clippy::pedantic)]

use crate::hooks::Route;

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
include!(concat!(env!("OUT_DIR"), "/routes.rs"));
