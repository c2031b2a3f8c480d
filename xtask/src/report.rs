//! Rendering a [`DriftReport`]: readable text (coloured on a terminal), JSON for tools,
//! Markdown for a pull request or issue comment.

use std::fmt::Write as _;

use crate::diff::Change;
use crate::drift::{DriftReport, PageDrift, PageStatus, RedirectedPage};
use crate::rules::Severity;

/// The output formats of `cargo xtask drift --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text; coloured only when stdout is a terminal.
    Text,
    /// The report as JSON (schema in `xtask/DRIFT.md`).
    Json,
    /// Markdown for a pull request or issue comment.
    Markdown,
}

/// Renders `report` in `format`.
pub fn render(report: &DriftReport, format: Format, colour: bool) -> String {
    match format {
        Format::Text => text(report, colour),
        Format::Json => {
            let mut json = serde_json::to_string_pretty(report).unwrap_or_default();
            json.push('\n');
            json
        }
        Format::Markdown => markdown(report),
    }
}

const NEXT_STEPS: &str = "To take upstream's version: `cargo xtask update` re-vendors the \
    changed pages (`--add-new` also vendors new ones; delete the files of gone pages), then \
    `cargo build` regenerates the client.";

fn headline(report: &DriftReport) -> String {
    let s = &report.summary;
    if report.pages.is_empty() {
        return format!(
            "No drift: all {} vendored pages match {}.",
            s.unchanged_pages, report.docs_url
        );
    }
    format!(
        "Spec drift against {}: {} breaking, {} non-breaking, {} documentation \
         ({} changed, {} new, {} gone, {} unchanged pages).",
        report.docs_url,
        s.breaking,
        s.non_breaking,
        s.documentation,
        s.changed_pages,
        s.new_pages,
        s.gone_pages,
        s.unchanged_pages
    )
}

fn status_label(status: PageStatus) -> &'static str {
    match status {
        PageStatus::Changed => "changed",
        PageStatus::New => "new upstream, not vendored",
        PageStatus::Gone => "gone upstream",
    }
}

fn where_(change: &Change) -> String {
    match (&change.operation, change.location.is_empty()) {
        (Some(op), false) => format!("{op}: {}", change.location),
        (Some(op), true) => op.clone(),
        (None, false) => change.location.clone(),
        (None, true) => "the page".to_owned(),
    }
}

fn text(report: &DriftReport, colour: bool) -> String {
    let paint = |severity: Severity, text: &str| {
        if !colour {
            return text.to_owned();
        }
        let code = match severity {
            Severity::Breaking => "1;31",
            Severity::NonBreaking => "33",
            Severity::Documentation => "36",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(report));
    for page in &report.pages {
        let _ = writeln!(out, "\n{} ({})", page.page, status_label(page.status));
        let _ = writeln!(out, "  {}", page.url);
        if let Some(redirect) = redirect_of(report, page) {
            let _ = writeln!(out, "  redirected to {}", redirect.location);
        }
        for change in &page.changes {
            let label = format!("{:<13}", change.severity().label());
            let _ = writeln!(
                out,
                "  {} {}: {} [{}]",
                paint(change.severity(), &label),
                where_(change),
                change.message,
                change.rule.id()
            );
        }
    }
    for skipped in &report.skipped {
        let _ = writeln!(out, "\nskipped {}: {}", skipped.page, skipped.reason);
    }
    for redirect in &report.redirects {
        let _ = writeln!(
            out,
            "\nredirected {}: {} -> {} (its block was read there)",
            redirect.page, redirect.url, redirect.location
        );
    }
    if !report.pages.is_empty() {
        let _ = writeln!(out, "\n{NEXT_STEPS}");
    }
    out
}

/// Where the site redirected `page`, if it did.
fn redirect_of<'a>(report: &'a DriftReport, page: &PageDrift) -> Option<&'a RedirectedPage> {
    report.redirects.iter().find(|r| r.page == page.page)
}

fn markdown(report: &DriftReport) -> String {
    let s = &report.summary;
    let mut out = String::from("## Tavus API spec drift\n\n");
    let _ = writeln!(out, "{}\n", headline(report));
    if report.pages.is_empty() {
        redirects_markdown(&mut out, report);
        return out;
    }
    let _ = writeln!(out, "| breaking | non-breaking | documentation |");
    let _ = writeln!(out, "|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| {} | {} | {} |",
        s.breaking, s.non_breaking, s.documentation
    );
    for page in &report.pages {
        page_markdown(&mut out, page, redirect_of(report, page));
    }
    if !report.skipped.is_empty() {
        let _ = writeln!(
            out,
            "\nSkipped (not operation pages, or links to other hosts):"
        );
        for skipped in &report.skipped {
            let _ = writeln!(out, "- `{}`: {}", skipped.page, skipped.reason);
        }
    }
    redirects_markdown(&mut out, report);
    let _ = writeln!(out, "\n{NEXT_STEPS}");
    out
}

fn redirects_markdown(out: &mut String, report: &DriftReport) {
    if report.redirects.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nRedirected within the site (the block was read there):"
    );
    for redirect in &report.redirects {
        let _ = writeln!(
            out,
            "- `{}`: <{}> → <{}>",
            redirect.page, redirect.url, redirect.location
        );
    }
}

fn page_markdown(out: &mut String, page: &PageDrift, redirect: Option<&RedirectedPage>) {
    let _ = writeln!(
        out,
        "\n### [`{}`]({}) ({})\n",
        page.page,
        page.url,
        status_label(page.status)
    );
    if let Some(redirect) = redirect {
        let _ = writeln!(out, "Redirected to <{}>.\n", redirect.location);
    }
    for change in &page.changes {
        let severity = match change.severity() {
            Severity::Breaking => "**breaking**",
            Severity::NonBreaking => "non-breaking",
            Severity::Documentation => "documentation",
        };
        let _ = writeln!(
            out,
            "- {severity}: {}: {} (`{}`)",
            escape(&where_(change)),
            escape(&change.message),
            change.rule.id()
        );
    }
}

/// Keeps text from upstream from turning into Markdown markup (or HTML) in a comment.
fn escape(text: &str) -> String {
    text.replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}
