//! What can stop the xtask. Every variant's message names the page, URL or file involved.

use std::path::{Path, PathBuf};

use tavus_openapi::SpecError;

use crate::fetch::FetchError;

/// Why a check or an update could not be done (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A page or the index could not be fetched.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// A vendored file or the merged spec is not usable.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// A page or the index is not usable.
    #[error(transparent)]
    Page(#[from] crate::PageError),
    /// A vendored page is not found upstream.
    #[error(
        "{source}; if the operation is gone for good, delete {} (`cargo xtask drift` reports gone pages)",
        file.display()
    )]
    GoneUpstream {
        /// The 404.
        source: FetchError,
        /// The vendored file of the page.
        file: PathBuf,
    },
    /// The vendored set an update would write fails `tavus-api`'s build script.
    #[error(
        "with the pages this update would vendor ({}), the client would not build: {message}",
        pages.join(", ")
    )]
    WouldNotBuild {
        /// The build script's message, naming files as they would be under `openapi/`.
        message: String,
        /// The upstream pages the update would have written.
        pages: Vec<String>,
    },
    /// Several pages failed; all of them are listed so one run shows every problem.
    #[error("{} pages failed:{}", .0.len(), .0.iter().map(|e| format!("\n  - {e}")).collect::<String>())]
    Pages(Vec<Error>),
    /// A file under the vendored directory could not be written or moved.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// An update could not swap its new copy of the vendored directory in, nor move the
    /// previous one back: the previous directory is left where it was moved to.
    #[error(
        "cannot move the updated copy to {}: {source}; moving the previous directory back \
         also failed ({restore}). The previous {} is now at {}: move it back by hand \
         (mv {} {}) before anything else",
        target.display(),
        target.display(),
        previous.display(),
        previous.display(),
        target.display()
    )]
    NotRestored {
        /// The vendored directory, now missing.
        target: PathBuf,
        /// Where its previous contents are.
        previous: PathBuf,
        /// Why the updated copy could not be moved in.
        source: std::io::Error,
        /// Why the previous directory could not be moved back.
        restore: std::io::Error,
    },
    /// The report could not be printed.
    #[error("cannot print the report: {0}")]
    Output(std::io::Error),
    /// The command line is not usable (a flag's value, a page name).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Folds the errors of a run that collects them all: none is `Ok`, one is itself, and
    /// several are [`Error::Pages`].
    pub(crate) fn all(mut errors: Vec<Error>) -> Result<(), Error> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Pages(errors)),
        }
    }

    pub(crate) fn write(path: &Path, source: std::io::Error) -> Self {
        Self::Write {
            path: path.to_owned(),
            source,
        }
    }
}
