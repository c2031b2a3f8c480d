use std::path::PathBuf;

/// Everything that can be wrong with a page, a vendored file or the merged spec.
///
/// Each variant names where the problem is (`origin` is a file path or a URL) so the
/// message alone tells a user which input to look at.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// A vendored file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The vendored directory holds no OpenAPI files at all.
    #[error("no vendored OpenAPI files (*.yaml) under {}; run `cargo xtask update --add-new` to vendor pages", dir.display())]
    NoVendoredFiles {
        /// The directory searched.
        dir: PathBuf,
    },
    /// A path cannot name a vendored page (it would leave `openapi/`, or is not a page path).
    #[error("{origin}: `{path}` is not a usable page path: {reason}")]
    BadPagePath {
        /// Where the path came from.
        origin: String,
        /// The offending path.
        path: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The text is not YAML.
    #[error("{origin}: malformed YAML: {message}")]
    Yaml {
        /// The file or URL.
        origin: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The text is YAML, but not an OpenAPI 3.0 document.
    #[error("{origin}: not an OpenAPI 3.0 document: {found}")]
    NotOpenApi3 {
        /// The file or URL.
        origin: String,
        /// What was found instead.
        found: String,
    },
    /// The text claims OpenAPI 3.0 but does not have its shape.
    #[error("{origin}: invalid OpenAPI 3.0 at `{at}`: {message}")]
    InvalidOpenApi {
        /// The file or URL.
        origin: String,
        /// The path into the document where reading failed.
        at: String,
        /// What was wrong there.
        message: String,
    },
    /// Two inputs define the same operation, or disagree on something shared.
    #[error("cannot merge {origin}: {message}")]
    Conflict {
        /// The input that conflicts with one read before it.
        origin: String,
        /// What conflicts, naming both sides.
        message: String,
    },
    /// The spec cannot be adapted for the generator.
    #[error("cannot adapt the spec for progenitor: {0}")]
    Adapt(String),
}
