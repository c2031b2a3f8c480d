//! `cargo xtask update`: copies the OpenAPI blocks of upstream pages into `openapi/`,
//! verbatim and all-or-nothing.
//!
//! Everything is fetched and checked first: each block must be an OpenAPI 3.0 document and
//! the whole vendored set must still merge. Then a complete new copy of the vendored
//! directory is written beside it, the client is generated from that copy by the build
//! script's own pipeline (`tavus_openapi::build_script::generate_client`: load, merge,
//! adapt, generate), and only if that succeeds is the copy swapped in with two renames:
//! what `update` writes, `cargo build` builds. On any failure before the swap `openapi/`
//! is left as it was.

use std::path::{Path, PathBuf};

use openapiv3::OpenAPI;
use tavus_openapi::{PagePath, SpecError, VendoredFile};

use crate::PageError;
use crate::page::OpenApiBlock;

use crate::Error;
use crate::fetch::{FetchError, Fetcher};
pub use crate::upstream::{RedirectedPage, SkippedPage};
use crate::upstream::{read_pages, reference_pages};

/// What an update did.
#[derive(Debug, Clone, Default)]
pub struct UpdateSummary {
    /// Files written, in page order.
    pub changes: Vec<VendoredChange>,
    /// Pages fetched whose block is byte for byte the vendored file.
    pub unchanged: Vec<PagePath>,
    /// Index entries that were not vendored, and why (no OpenAPI block, another host).
    pub skipped: Vec<SkippedPage>,
    /// Pages the site redirected to another of its URLs, where their block was read.
    pub redirects: Vec<RedirectedPage>,
}

/// One vendored file written by an update.
#[derive(Debug, Clone)]
pub struct VendoredChange {
    /// The page.
    pub page: PagePath,
    /// The file written.
    pub file: PathBuf,
    /// The operation its block describes, such as `DELETE /v2/documents/{document_id}`.
    pub operation: String,
    /// Whether the file is new.
    pub added: bool,
}

/// A page fetched and checked, ready to vendor.
struct CheckedPage {
    page: PagePath,
    url: String,
    block: OpenApiBlock,
    document: OpenAPI,
}

/// Runs an update of `openapi_dir` from the fetcher's site: re-vendors `pages`, or when
/// there are none every vendored page whose upstream block changed; with `add_new`, also
/// vendors the API reference pages `llms.txt` lists that are not vendored yet.
pub async fn update(
    openapi_dir: &Path,
    fetcher: &Fetcher,
    pages: &[PagePath],
    add_new: bool,
) -> Result<UpdateSummary, Error> {
    let vendored = load_vendored(openapi_dir)?;
    if vendored.is_empty() && pages.is_empty() && !add_new {
        // Nothing to re-vendor and nothing asked for: most likely a mistyped directory,
        // which must not pass for "up to date".
        return Err(Error::Usage(format!(
            "{}: no vendored pages there (the directory is missing or empty); check \
             --openapi-dir, or pass --add-new to vendor the API reference pages for the first time",
            openapi_dir.display()
        )));
    }
    let is_vendored = |page: &PagePath| vendored.iter().any(|f| &f.page == page);
    // Each page once, in the order first named: a page named twice (perhaps in two
    // spellings) would otherwise be fetched twice and conflict with itself in the merge.
    let mut wanted: Vec<PagePath> = Vec::new();
    for page in pages {
        if !wanted.contains(page) {
            wanted.push(page.clone());
        }
    }
    if wanted.is_empty() {
        wanted.extend(vendored.iter().map(|f| f.page.clone()));
    }
    let mut summary = UpdateSummary::default();
    let new_pages: Vec<PagePath> = if add_new {
        let (listed, elsewhere) = reference_pages(fetcher).await?;
        summary.skipped.extend(elsewhere);
        listed
            .into_iter()
            .filter(|page| !is_vendored(page) && !wanted.contains(page))
            .collect()
    } else {
        Vec::new()
    };

    let checked = fetch_and_check(fetcher, &vendored, &wanted, &new_pages, &mut summary).await?;
    let changed: Vec<CheckedPage> = checked
        .into_iter()
        .filter(|page| {
            let same = vendored
                .iter()
                .any(|f| f.page == page.page && f.text == page.block.yaml);
            if same {
                summary.unchanged.push(page.page.clone());
            }
            !same
        })
        .collect();
    if changed.is_empty() {
        return Ok(summary);
    }
    check_merge(openapi_dir, &vendored, &changed)?;
    let writes: Vec<(PathBuf, &str)> = changed
        .iter()
        .map(|c| (c.page.vendored_file(Path::new("")), c.block.yaml.as_str()))
        .collect();
    replace_dir(openapi_dir, &writes, &mut |staged| {
        check_build(staged, openapi_dir, &changed)
    })?;
    summary.changes = changed
        .iter()
        .map(|c| VendoredChange {
            page: c.page.clone(),
            file: c.page.vendored_file(openapi_dir),
            operation: format!("{} {}", c.block.method.to_uppercase(), c.block.path),
            added: !is_vendored(&c.page),
        })
        .collect();
    Ok(summary)
}

/// The vendored files; none when the directory is missing or empty (a fresh checkout, which
/// only `--add-new` or named pages may fill).
fn load_vendored(openapi_dir: &Path) -> Result<Vec<VendoredFile>, Error> {
    if !openapi_dir.exists() {
        return Ok(Vec::new());
    }
    // The files alone: a set that no longer merges is what an update may be run to repair,
    // and only the set it writes has to merge (see `check_merge`).
    match VendoredFile::load_all(openapi_dir) {
        Ok(files) => Ok(files),
        Err(SpecError::NoVendoredFiles { .. }) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// Fetches `wanted` and `new_pages`; every failure is collected so one run reports them
/// all. A new page without an OpenAPI block (such as `api-reference/authentication`) is
/// not an operation page: it is skipped, not an error.
async fn fetch_and_check(
    fetcher: &Fetcher,
    vendored: &[VendoredFile],
    wanted: &[PagePath],
    new_pages: &[PagePath],
    summary: &mut UpdateSummary,
) -> Result<Vec<CheckedPage>, Error> {
    let pages: Vec<PagePath> = wanted.iter().chain(new_pages).cloned().collect();
    let read = read_pages(fetcher, &pages, &mut summary.redirects).await;
    let mut checked = Vec::new();
    let mut errors = Vec::new();
    for (page, (url, read)) in pages.into_iter().zip(read) {
        match read {
            Ok((block, document)) => checked.push(CheckedPage {
                page,
                url,
                block,
                document,
            }),
            Err(Error::Fetch(e @ FetchError::NotFound { .. })) => {
                errors.push(match vendored.iter().find(|f| f.page == page) {
                    Some(file) => Error::GoneUpstream {
                        source: e,
                        file: file.file.clone(),
                    },
                    None => e.into(),
                })
            }
            Err(Error::Page(PageError::NoOpenApiBlock { .. })) if new_pages.contains(&page) => {
                summary
                    .skipped
                    .push(SkippedPage::not_an_operation_page(&page));
            }
            Err(e) => errors.push(e),
        }
    }
    Error::all(errors)?;
    Ok(checked)
}

/// The vendored set after the update must merge, as the build will merge it. The set is
/// taken file by file, as [`replace_dir`] will write it: every vendored file the update
/// does not overwrite, and every block it writes. Checked before anything is written, so
/// that a conflict (an operation or an `operationId` defined twice, ...) names the files
/// under `openapi_dir` and the page URLs; [`check_build`] then runs the whole build
/// pipeline on the written copy.
fn check_merge(
    openapi_dir: &Path,
    vendored: &[VendoredFile],
    changed: &[CheckedPage],
) -> Result<(), Error> {
    let written: Vec<PathBuf> = changed
        .iter()
        .map(|c| c.page.vendored_file(openapi_dir))
        .collect();
    let kept = vendored
        .iter()
        .filter(|f| !written.contains(&f.file))
        .map(|f| (f.file.display().to_string(), &f.document));
    let fresh = changed.iter().map(|c| (c.url.clone(), &c.document));
    tavus_openapi::merge(kept.chain(fresh))?;
    Ok(())
}

/// Generates the client from `staged`, the copy about to become `openapi_dir`, as the
/// build script does (`tavus_openapi::build_script::generate_client`): a set that merges
/// can still fail the build (an operation without an `operationId`, a schema the
/// adaptations or progenitor cannot take), and the update must not write it.
fn check_build(staged: &Path, openapi_dir: &Path, changed: &[CheckedPage]) -> Result<(), Error> {
    let generated = tavus_openapi::build_script::generate_client(staged);
    generated.map(drop).map_err(|message| Error::WouldNotBuild {
        // The staged copy is what `openapi_dir` would have become: name it so.
        message: message.replace(
            &staged.display().to_string(),
            &openapi_dir.display().to_string(),
        ),
        pages: changed.iter().map(|c| c.url.clone()).collect(),
    })
}

/// Writes a full new copy of `openapi_dir` with `writes` applied (paths relative to it),
/// runs `check` on the copy, then swaps it in. Until the swap, `openapi_dir` is untouched.
fn replace_dir(
    openapi_dir: &Path,
    writes: &[(PathBuf, &str)],
    check: &mut dyn FnMut(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let target = resolve(openapi_dir)?;
    let parent = target.parent().unwrap_or(Path::new("."));
    let staging = tempfile::Builder::new()
        .prefix(".openapi-update-")
        .tempdir_in(parent)
        .map_err(|source| Error::write(parent, source))?;
    let fresh = staging.path().join("openapi");
    if target.exists() {
        copy_tree(&target, &fresh)?;
    }
    for (relative, text) in writes {
        let file = fresh.join(relative);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
        }
        // Synced before the swap: after a crash, openapi/ is the old set or the new one,
        // never a file cut short.
        std::fs::File::create(&file)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()).and(f.sync_all()))
            .map_err(|e| Error::write(&file, e))?;
    }
    check(&fresh)?;
    swap_in(&target, &fresh, staging, &mut |from, to| {
        std::fs::rename(from, to)
    })
}

/// The real directory behind `openapi_dir` (it may be reached through a symlink), so the
/// swap replaces the directory and not the link.
fn resolve(openapi_dir: &Path) -> Result<PathBuf, Error> {
    if openapi_dir.exists() {
        return openapi_dir
            .canonicalize()
            .map_err(|e| Error::write(openapi_dir, e));
    }
    let absolute = std::path::absolute(openapi_dir).map_err(|e| Error::write(openapi_dir, e))?;
    match absolute.parent() {
        Some(parent) if parent.is_dir() => Ok(absolute),
        _ => Err(Error::Usage(format!(
            "{}: the vendored directory's parent does not exist",
            openapi_dir.display()
        ))),
    }
}

/// Moves `target` into `staging` and `fresh` into its place. If the second move fails the
/// first is undone; if even that fails, `staging` is kept (not deleted with the previous
/// directory in it) and the error says where the previous directory is.
fn swap_in(
    target: &Path,
    fresh: &Path,
    staging: tempfile::TempDir,
    rename: &mut dyn FnMut(&Path, &Path) -> std::io::Result<()>,
) -> Result<(), Error> {
    let previous = staging.path().join("previous");
    let had_target = target.exists();
    if had_target {
        rename(target, &previous).map_err(|e| Error::write(target, e))?;
    }
    if let Err(e) = rename(fresh, target) {
        if had_target {
            // Put the old directory back so a failed update changes nothing.
            if let Err(restore) = rename(&previous, target) {
                // Its only copy is inside `staging` now: dropping `staging` would delete it.
                let kept = staging.keep();
                return Err(Error::NotRestored {
                    target: target.to_owned(),
                    previous: kept.join("previous"),
                    source: e,
                    restore,
                });
            }
        }
        return Err(Error::write(target, e));
    }
    Ok(())
}

/// Copies the directory tree `from` into `to` (created if missing), naming the file when
/// one cannot be copied. The integration tests copy their fixtures with it too.
pub fn copy_tree(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(to).map_err(|e| Error::write(to, e))?;
    let entries = std::fs::read_dir(from).map_err(|e| Error::write(from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::write(from, e))?;
        let (source, dest) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            copy_tree(&source, &dest)?;
        } else {
            std::fs::copy(&source, &dest).map_err(|e| Error::write(&dest, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A staging directory, a `target` with one file in it and a `fresh` copy beside it.
    fn setup() -> (tempfile::TempDir, PathBuf, PathBuf, tempfile::TempDir) {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("openapi");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("a.yaml"), "old").unwrap();
        let staging = tempfile::tempdir_in(root.path()).unwrap();
        let fresh = staging.path().join("openapi");
        std::fs::create_dir(&fresh).unwrap();
        std::fs::write(fresh.join("a.yaml"), "new").unwrap();
        (root, target, fresh, staging)
    }

    #[test]
    fn a_failed_swap_puts_the_previous_directory_back() {
        let (_root, target, fresh, staging) = setup();
        let mut calls = 0;
        let err = swap_in(&target, &fresh, staging, &mut |from, to| {
            calls += 1;
            match calls {
                2 => Err(std::io::Error::other("disk full")),
                _ => std::fs::rename(from, to),
            }
        })
        .unwrap_err();
        assert!(matches!(err, Error::Write { .. }), "{err}");
        assert_eq!(
            std::fs::read_to_string(target.join("a.yaml")).unwrap(),
            "old"
        );
    }

    /// When the previous directory cannot be put back, it must survive where the error
    /// says it is, not be deleted with the staging directory.
    #[test]
    fn a_previous_directory_that_cannot_be_put_back_is_kept_and_named() {
        let (_root, target, fresh, staging) = setup();
        let staging_dir = staging.path().to_owned();
        let mut calls = 0;
        let err = swap_in(&target, &fresh, staging, &mut |from, to| {
            calls += 1;
            match calls {
                1 => std::fs::rename(from, to),
                _ => Err(std::io::Error::other("disk full")),
            }
        })
        .unwrap_err();
        let Error::NotRestored { previous, .. } = &err else {
            panic!("{err}");
        };
        assert_eq!(previous, &staging_dir.join("previous"));
        assert_eq!(
            std::fs::read_to_string(previous.join("a.yaml")).unwrap(),
            "old"
        );
        let message = err.to_string();
        assert!(
            message.contains(&previous.display().to_string()),
            "{message}"
        );
        assert!(message.contains(&target.display().to_string()), "{message}");
        assert!(message.contains("move it back"), "{message}");
        std::fs::remove_dir_all(staging_dir).unwrap();
    }
}
