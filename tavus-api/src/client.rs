//! Building a [`Client`]: the API key, the base URL, timeouts, retries and the `User-Agent`.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};

use crate::RetryPolicy;

/// The Tavus API's base URL, used unless [`ClientBuilder::base_url`] says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://tavusapi.com";
/// The environment variable [`Client::from_env`] reads the API key from.
pub const API_KEY_ENV: &str = "TAVUS_API_KEY";
/// How long connecting may take, unless [`ClientBuilder::connect_timeout`] says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request may take, unless [`ClientBuilder::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest success body a client reads, unless [`ClientBuilder::max_response_size`]
/// says otherwise: Tavus answers with small JSON documents, and a body over this is
/// refused (kind [`ErrorKind::BodyTooLarge`](crate::ErrorKind::BodyTooLarge)) while it is
/// read, before it fills memory.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 8 * 1024 * 1024;
/// The `User-Agent` every request carries: this crate's name and version.
pub const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

const API_KEY_HEADER: &str = "x-api-key";

/// A Tavus API key, sent as the `x-api-key` header.
///
/// It never shows: its `Debug` is `ApiKey(<redacted>)`, it has no `Display`, and the
/// header it becomes is marked sensitive, so HTTP-level logging redacts it too.
#[derive(Clone)]
pub struct ApiKey(HeaderValue);

impl ApiKey {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Wraps a key; it must be non-empty and valid as an HTTP header value.
    pub fn new(key: impl AsRef<str>) -> Result<Self, ConfigError> {
        let key = key.as_ref().trim();
        if key.is_empty() {
            return Err(ConfigError::EmptyApiKey);
        }
        let mut value = HeaderValue::from_str(key).map_err(|_| ConfigError::InvalidApiKey)?;
        value.set_sensitive(true);
        Ok(Self(value))
    }

    /// Reads the key from `TAVUS_API_KEY`.
    pub fn from_env() -> Result<Self, ConfigError> {
        match std::env::var(API_KEY_ENV) {
            Ok(key) if key.trim().is_empty() => Err(ConfigError::EmptyApiKey),
            Ok(key) => Self::new(key),
            Err(std::env::VarError::NotPresent) => Err(ConfigError::MissingApiKey),
            Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::InvalidApiKey),
        }
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Why a [`Client`] could not be built. No variant holds or prints the API key, nor a
/// password in a base URL.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `TAVUS_API_KEY` is not set.
    #[error(
        "{API_KEY_ENV} is not set: set it to your Tavus API key (create one at https://platform.tavus.io/api-keys)"
    )]
    MissingApiKey,
    /// The API key is empty or only white space.
    #[error(
        "the Tavus API key is empty: set {API_KEY_ENV} (or pass ApiKey::new) to your Tavus API key"
    )]
    EmptyApiKey,
    /// The API key holds characters an HTTP header cannot carry.
    #[error(
        "the Tavus API key holds characters an HTTP header cannot carry (control characters or non-ASCII); check {API_KEY_ENV} for stray characters"
    )]
    InvalidApiKey,
    /// The base URL is not an absolute `http` or `https` URL without query or fragment.
    #[error(
        "base URL `{url}` is not usable: {reason}; give ClientBuilder::base_url an absolute http or https URL such as {DEFAULT_BASE_URL}"
    )]
    InvalidBaseUrl {
        /// The URL given, with any `user:password@` shown as `***@`.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be set up (for example, TLS initialisation failed).
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

/// The same text as `Display`: a `main` that returns the error through `?` prints `Debug`,
/// and should say what to do as well.
impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What a [`Client`] was built with beyond its HTTP client: its retries, its response
/// size limit, its key and its base URL's path. Private: progenitor's client reads it through its hooks.
#[derive(Debug, Clone)]
pub(crate) struct ClientSettings {
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_size: usize,
    /// Kept to take the key out of error bodies a server echoes it into (`Debug` hides it).
    pub(crate) api_key: ApiKey,
    /// The base URL's path without its trailing `/` (`""` for `https://tavusapi.com`,
    /// `/tavus` for `https://proxy/tavus`): what every request path starts with, and
    /// where the operation's own path begins (`hooks::check_path`).
    pub(crate) base_path: String,
}

/// Configures a [`Client`]: the API key is required, everything else has a default.
///
/// ```
/// use std::time::Duration;
/// let client = tavus_api::Client::builder(tavus_api::ApiKey::new("my-key")?)
///     .base_url("http://127.0.0.1:8080")
///     .timeout(Duration::from_secs(5))
///     .build()?;
/// assert_eq!(client.base_url(), "http://127.0.0.1:8080");
/// # Ok::<(), tavus_api::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    api_key: ApiKey,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_size: usize,
}

impl ClientBuilder {
    /// Starts from the defaults with the given key.
    pub fn new(api_key: ApiKey) -> Self {
        Self {
            api_key,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
        }
    }

    /// Starts from the defaults with the key in `TAVUS_API_KEY`.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self::new(ApiKey::from_env()?))
    }

    /// Sends requests to another server (a proxy, a mock) instead of [`DEFAULT_BASE_URL`].
    /// A path prefix is kept; a trailing `/` is dropped.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Bounds how long connecting may take (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Bounds how long a whole request may take, body included (default [`DEFAULT_TIMEOUT`]).
    /// Each attempt gets the whole timeout; [`RetryPolicy::max_elapsed`] bounds retries.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets when failed requests are sent again (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Bounds the size of a success response's body, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_SIZE`]). Reading stops at the bound, and the call fails with
    /// kind [`ErrorKind::BodyTooLarge`](crate::ErrorKind::BodyTooLarge). Of an error
    /// status's body, at most 64 KiB are kept, whatever this says.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Sends every request once: same as `.retry(RetryPolicy::never())`.
    pub fn no_retries(self) -> Self {
        self.retry(RetryPolicy::never())
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let base_url = checked_base_url(&self.base_url)?;
        let base_path = base_url.path().trim_end_matches('/').to_owned();
        install_ring_provider();
        let mut headers = HeaderMap::new();
        headers.insert(API_KEY_HEADER, self.api_key.0.clone());
        let http = reqwest::Client::builder()
            .default_headers(headers)
            // The key travels in a custom header, which reqwest would keep on a redirect to
            // another origin, and a redirect within the origin would act on another
            // resource than the one the path check passed: follow none. A 3xx reaches the
            // caller as an error that names where it pointed.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .build()
            .map_err(ConfigError::Http)?;
        let settings = ClientSettings {
            retry: self.retry,
            max_response_size: self.max_response_size,
            api_key: self.api_key,
            base_path,
        };
        // progenitor appends each operation's path, which starts with `/`.
        let base_url = base_url.as_str().trim_end_matches('/');
        Ok(Client {
            generated: crate::generated::Client::new_with_client(base_url, http, settings),
        })
    }
}

/// With `rustls-ring` as the only TLS feature, reqwest has rustls but no crypto provider
/// of its own, and its `build` panics unless one is installed process-wide: install ring,
/// unless the application has installed a provider already (its choice wins).
#[cfg(all(
    feature = "rustls-ring",
    not(feature = "rustls"),
    not(feature = "native-tls")
))]
fn install_ring_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Fails only if another thread installed one in between, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// reqwest brings its own provider (aws-lc-rs with `rustls`) or uses native TLS.
#[cfg(not(all(
    feature = "rustls-ring",
    not(feature = "rustls"),
    not(feature = "native-tls")
)))]
fn install_ring_provider() {}

fn checked_base_url(url: &str) -> Result<reqwest::Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        url: without_credentials(url),
        reason: reason.to_owned(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL has no query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("credentials go in the API key, not the URL"));
    }
    Ok(parsed)
}

/// `url` with any `user:password@` replaced by `***@`, so that an error about a base URL
/// never shows a password. It works on the text as given, since the URL it is asked about
/// may not parse: everything before the last `@` of the authority is hidden.
fn without_credentials(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    // Everything up to the last `@`, even one past a `/`, `?` or `#`: a password may hold
    // those, and hiding part of a path in an error message costs nothing.
    match rest.rfind('@') {
        Some(at) => format!("{scheme}***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// A client of the Tavus API: one method per operation, each returning a builder of the
/// call (`client.delete_document().document_id("d1").send().await`).
///
/// Only [`Client::builder`] and [`Client::from_env`] make one, so every client has an API
/// key, timeouts, no redirects and a checked base URL. (progenitor's own client, which
/// this wraps, has public constructors without any of that: it stays private.) Cloning is
/// cheap and shares the connection pool.
///
/// There is no other way to one: no constructor,
///
/// ```compile_fail
/// let client = tavus_api::Client::new("https://elsewhere.example");
/// ```
///
/// and no way to name or reach progenitor's client, which holds the settings:
///
/// ```compile_fail
/// fn unwrap(client: tavus_api::Client) { let _ = client.generated; }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) generated: crate::generated::Client,
}

impl Client {
    /// The base URL requests go to, such as `https://tavusapi.com`.
    pub fn base_url(&self) -> &str {
        progenitor_client::ClientInfo::baseurl(&self.generated)
    }

    /// A client with the default settings and the API key in `TAVUS_API_KEY`.
    pub fn from_env() -> Result<Self, ConfigError> {
        ClientBuilder::from_env()?.build()
    }

    /// A builder for a client with the given API key.
    pub fn builder(api_key: ApiKey) -> ClientBuilder {
        ClientBuilder::new(api_key)
    }
}

#[cfg(test)]
mod tests {
    use progenitor_client::ClientInfo;

    use super::*;

    #[test]
    fn api_keys_are_checked_and_never_shown() {
        assert!(matches!(ApiKey::new("  "), Err(ConfigError::EmptyApiKey)));
        let err = ApiKey::new("sk-secret\nInjected: 1").unwrap_err();
        assert!(matches!(err, ConfigError::InvalidApiKey));
        assert!(!format!("{err} {err:?}").contains("sk-secret"));
        let key = ApiKey::new("sk-secret").unwrap();
        assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
    }

    /// `--no-default-features --features rustls-ring`: reqwest has no provider of its own,
    /// and `build` must install ring rather than let reqwest panic.
    #[cfg(feature = "rustls-ring")]
    #[test]
    fn a_client_builds_with_rustls_ring() {
        let client = Client::builder(ApiKey::new("key").unwrap())
            .base_url("https://tavusapi.com")
            .build();
        assert!(client.is_ok(), "{:?}", client.err());
        if cfg!(not(any(feature = "rustls", feature = "native-tls"))) {
            let provider = rustls::crypto::CryptoProvider::get_default().expect("a provider");
            // ring's key exchange groups, none of aws-lc-rs's post-quantum ones.
            let groups: Vec<_> = provider.kx_groups.iter().map(|g| g.name()).collect();
            assert_eq!(
                groups,
                rustls::crypto::ring::default_provider()
                    .kx_groups
                    .iter()
                    .map(|g| g.name())
                    .collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn base_urls_are_checked_and_normalised() {
        for (given, base_url, base_path) in [
            ("http://127.0.0.1:1", "http://127.0.0.1:1", ""),
            ("http://127.0.0.1:1/", "http://127.0.0.1:1", ""),
            ("https://h/prefix/", "https://h/prefix", "/prefix"),
            ("https://h/a b", "https://h/a%20b", "/a%20b"),
        ] {
            let client = Client::builder(ApiKey::new("k").unwrap())
                .base_url(given)
                .build()
                .unwrap();
            assert_eq!(client.base_url(), base_url);
            assert_eq!(client.generated.inner().base_path, base_path, "{given}");
        }
        for bad in ["tavusapi.com", "ftp://h", "https://h/?a=1"] {
            let err = checked_base_url(bad).unwrap_err().to_string();
            assert!(err.starts_with(&format!("base URL `{bad}`")), "{err}");
        }
    }

    #[test]
    fn base_url_errors_never_show_credentials() {
        for (bad, shown) in [
            ("http://user:secret@host", "http://***@host"),
            ("https://user:secret@h/prefix?q", "https://***@h/prefix?q"),
            ("http://a@b:secret@h:99/x", "http://***@h:99/x"),
            ("http://user:secret@ho st/", "http://***@ho st/"),
            ("user:secret@host", "***@host"),
            ("https://user:se#cret@h/x", "https://***@h/x"),
            ("https://user:se/cr?et@h", "https://***@h"),
        ] {
            let err = checked_base_url(bad).unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(!text.contains("secret"), "{text}");
            assert!(text.contains(shown), "{text}");
        }
    }
}
