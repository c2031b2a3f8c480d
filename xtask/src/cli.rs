//! The command line: `cargo xtask drift ...` and `cargo xtask update ...`.
//!
//! [`run`] takes its arguments and output streams as parameters so the integration tests
//! run the real command in-process and read what it printed.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use tavus_openapi::PagePath;

use crate::Error;
use crate::callbacks;
use crate::drift::{FailOn, check};
use crate::fetch::{FetchOptions, Fetcher, plural};
use crate::report::{Format, render};
use crate::site::{DEFAULT_DOCS_URL, DocsSite};
use crate::update::{UpdateSummary, update};

/// Exit status: the command did what was asked (for `drift`: no drift that counts).
pub const SUCCESS: u8 = 0;
/// Exit status of `drift`: upstream differs from `openapi/` in a way `--fail-on` counts.
pub const DRIFT: u8 = 1;
/// Exit status: the command itself failed (bad input, a failed fetch, a write error).
pub const FAILED: u8 = 2;

/// What the output streams are attached to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal {
    /// Whether stdout may be coloured.
    pub colour: bool,
    /// Whether a progress line may be drawn on stderr.
    pub progress: bool,
}

#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    about = "Keeps openapi/ in step with the Tavus API reference pages"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compares openapi/ with the docs site and explains every difference.
    ///
    /// Exit status: 0 no drift (that --fail-on counts), 1 drift, 2 the check failed.
    Drift {
        /// How to print the report.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Which drift makes the exit status 1: any change, a wire-breaking one, one that
        /// needs a major release, or one that may stop callers' code from compiling.
        #[arg(long, value_enum, default_value_t = FailOn::Any)]
        fail_on: FailOn,
        /// Also write the report as JSON to FILE: the same check, from the same fetch, as
        /// the printed report (CI keeps a readable report and reads the bump from JSON).
        #[arg(long, value_name = "FILE")]
        json_out: Option<PathBuf>,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Re-vendors pages into openapi/, verbatim and all-or-nothing.
    ///
    /// With PAGEs, re-vendors those; without, re-vendors every vendored page whose
    /// upstream block changed. `--add-new` also vendors the API reference pages llms.txt
    /// lists that are not vendored yet.
    Update {
        /// Pages to re-vendor: a page URL, a site path (`/api-reference/x/y.md`) or
        /// `api-reference/x/y`.
        pages: Vec<String>,
        /// Also vendor the operation pages llms.txt lists that are not vendored yet.
        #[arg(long)]
        add_new: bool,
        #[command(flatten)]
        site: SiteArgs,
    },
}

/// Where to read the docs from and where the vendored files are.
#[derive(Debug, Args)]
struct SiteArgs {
    /// The docs site: an http(s) base URL, or a local directory laid out at the site's
    /// paths (api-reference/<group>/<page>.md, llms.txt).
    #[arg(long, value_name = "URL|DIR", default_value = DEFAULT_DOCS_URL)]
    docs_url: String,
    /// The vendored OpenAPI directory.
    #[arg(long, value_name = "DIR", default_value_os_t = default_openapi_dir())]
    openapi_dir: PathBuf,
    /// How many pages to fetch at once (at least 1).
    #[arg(
        long,
        value_name = "N",
        default_value_t = FetchOptions::default().concurrency,
        value_parser = at_least_one
    )]
    concurrency: usize,
    /// Seconds one request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = FetchOptions::default().timeout.as_secs_f64())]
    timeout: f64,
    /// How often to retry a request after a 408, a 429, a 5xx, a timeout, a connection
    /// error or a body cut off (within 90 s of the first attempt, or longer when
    /// --timeout and --retries need it).
    #[arg(long, value_name = "N", default_value_t = FetchOptions::default().retries)]
    retries: u32,
}

/// `--concurrency`: 0 would fetch nothing, ever, so it is refused here (clap's range
/// message would print `usize::MAX` as the upper bound).
fn at_least_one(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (pages fetched at once)".to_owned()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// `openapi/` of this workspace, wherever the command is run from; relative to the current
/// directory when it is inside it, so reports name files the way a user would.
fn default_openapi_dir() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = xtask.parent().unwrap_or(xtask).join("openapi");
    std::env::current_dir()
        .ok()
        .and_then(|cwd| dir.strip_prefix(cwd).ok().map(Path::to_owned))
        .filter(|relative| !relative.as_os_str().is_empty())
        .unwrap_or(dir)
}

impl SiteArgs {
    fn fetcher(&self, terminal: Terminal) -> Result<Fetcher, Error> {
        let site = DocsSite::parse(&self.docs_url).map_err(Error::Usage)?;
        if !(self.timeout.is_finite() && self.timeout > 0.0) {
            return Err(Error::Usage(format!(
                "--timeout {}: expected a positive number of seconds",
                self.timeout
            )));
        }
        let options = FetchOptions {
            concurrency: self.concurrency,
            timeout: Duration::from_secs_f64(self.timeout),
            retries: self.retries,
            progress: terminal.progress,
            ..FetchOptions::default()
        };
        Ok(Fetcher::new(site, options)?)
    }
}

/// Runs the command line `args` (program name first), printing to `out` and `err`;
/// returns the exit status.
pub fn run<I, T>(args: I, terminal: Terminal, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let rendered = e.render();
            if e.use_stderr() {
                let _ = write!(err, "{rendered}");
                return FAILED;
            }
            let _ = write!(out, "{rendered}");
            return SUCCESS;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = writeln!(err, "error: cannot start the async runtime: {e}");
            return FAILED;
        }
    };
    let result = match cli.command {
        Command::Drift {
            format,
            fail_on,
            json_out,
            site,
        } => runtime
            .block_on(run_drift(format, fail_on, json_out, site, terminal, out))
            .map_err(|e| e.to_string()),
        Command::Update {
            pages,
            add_new,
            site,
        } => {
            let openapi_dir = site.openapi_dir.clone();
            runtime
                .block_on(run_update(pages, add_new, site, terminal, out))
                .map_err(|e| match e {
                    // The vendored directory did change: the error says where it went.
                    Error::NotRestored { .. } => e.to_string(),
                    _ => format!("{e}\nNothing under {} was changed.", openapi_dir.display()),
                })
        }
    };
    match result {
        Ok(status) => status,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            FAILED
        }
    }
}

async fn run_drift(
    format: Format,
    fail_on: FailOn,
    json_out: Option<PathBuf>,
    site: SiteArgs,
    terminal: Terminal,
    out: &mut dyn Write,
) -> Result<u8, Error> {
    let fetcher = site.fetcher(terminal)?;
    let report = check(&site.openapi_dir, &fetcher).await?;
    if let Some(path) = json_out {
        let json = render(&report, Format::Json, false);
        std::fs::write(&path, json).map_err(|e| Error::write(&path, e))?;
    }
    let colour = terminal.colour && format == Format::Text;
    out.write_all(render(&report, format, colour).as_bytes())
        .map_err(Error::Output)?;
    Ok(if report.fails(fail_on) {
        DRIFT
    } else {
        SUCCESS
    })
}

async fn run_update(
    pages: Vec<String>,
    add_new: bool,
    site: SiteArgs,
    terminal: Terminal,
    out: &mut dyn Write,
) -> Result<u8, Error> {
    let fetcher = site.fetcher(terminal)?;
    let plan = callbacks::plan(pages, add_new);
    let pages = plan
        .api_pages
        .iter()
        .map(|page| PagePath::parse(page, "command line"))
        .collect::<Result<Vec<_>, _>>()?;
    // The callbacks guide is fetched first and written last, so a failure anywhere before
    // leaves it (and openapi/) as it was.
    let guide = match plan.mode {
        Some(mode) => {
            let guides = callbacks::guides_dir(&site.openapi_dir);
            callbacks::update(&guides, &fetcher, mode).await?
        }
        None => None,
    };
    if plan.api_update {
        let summary = update(&site.openapi_dir, &fetcher, &pages, add_new).await?;
        // openapi/ is written: say so before the guide is, so that a failure to write the
        // guide cannot hide what did change. A closed stdout must not fail the update.
        let _ = print_update(&summary, &fetcher, &site.openapi_dir, out);
    }
    if let Some(guide) = &guide {
        guide.write()?;
        let _ = callbacks::print_written(guide, out);
    }
    Ok(SUCCESS)
}

fn print_update(
    summary: &UpdateSummary,
    fetcher: &Fetcher,
    openapi_dir: &Path,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let site = fetcher.site();
    for skipped in &summary.skipped {
        writeln!(out, "skipped    {}: {}", skipped.page, skipped.reason)?;
    }
    for redirect in &summary.redirects {
        writeln!(
            out,
            "redirected {}: {} -> {} (its block was read there)",
            redirect.page, redirect.url, redirect.location
        )?;
    }
    if !summary.unchanged.is_empty() {
        writeln!(
            out,
            "unchanged  {} page{} already match {site}",
            summary.unchanged.len(),
            plural(summary.unchanged.len())
        )?;
    }
    if summary.changes.is_empty() {
        writeln!(
            out,
            "{} is up to date with {site}; nothing to do.",
            openapi_dir.display()
        )?;
        return Ok(());
    }
    for change in &summary.changes {
        let verb = if change.added { "added" } else { "updated" };
        writeln!(
            out,
            "{verb:<10} {}  ({})",
            change.file.display(),
            change.operation
        )?;
    }
    let added = summary.changes.iter().filter(|c| c.added).count();
    writeln!(
        out,
        "\nVendored {} page{} from {site} ({added} added, {} updated).",
        summary.changes.len(),
        plural(summary.changes.len()),
        summary.changes.len() - added
    )?;
    writeln!(
        out,
        "Next: run `cargo build` to regenerate the client, then review and commit the changes under {}/.",
        openapi_dir.display()
    )
}
