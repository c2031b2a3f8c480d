#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod callbacks;
mod client;
mod error;
mod generated;
mod hooks;
mod lenient;
pub mod paging;
mod retry;
#[cfg(feature = "tracing")]
mod trace;

pub(crate) use client::ClientSettings;
pub use client::{
    API_KEY_ENV, ApiKey, Client, ClientBuilder, ConfigError, DEFAULT_BASE_URL,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT, USER_AGENT,
};
pub use error::{Error, ErrorExt, ErrorKind};
pub use generated::{ByteStream, ResponseValue, builder, types};
pub use lenient::LenientBool;
pub use retry::RetryPolicy;
