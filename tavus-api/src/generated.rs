//! The client progenitor generates from the vendored spec (see `build.rs`), and the
//! route table the hooks check requests against. Nothing here is written by hand.
// `unused_mut`: without the `api-version` header (`tavus_openapi::code`), a method with no
// header parameters never appends to its `mut header_map`.
#![allow(missing_docs, unused_mut, clippy::all, clippy::pedantic)]

use crate::hooks::Route;

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
include!(concat!(env!("OUT_DIR"), "/routes.rs"));
