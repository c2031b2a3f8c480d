//! Rendering a [`DriftReport`]: readable text (coloured on a terminal), JSON for tools,
//! Markdown for a pull request or issue comment.

use std::fmt::Write as _;

use crate::diff::Change;
use crate::drift::{DriftReport, PageDrift, PageStatus, RedirectedPage};
use crate::rules::{Rust, Semver, Wire};

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
    let Some(semver) = report.semver else {
        return format!(
            "No drift: all {} vendored pages match {}.",
            s.unchanged_pages, report.docs_url
        );
    };
    format!(
        "Spec drift against {}: the regenerated crate needs a {} release \
         ({} changed, {} new, {} gone, {} unchanged pages).",
        report.docs_url,
        semver.id(),
        s.changed_pages,
        s.new_pages,
        s.gone_pages,
        s.unchanged_pages
    )
}

/// How many changes have each verdict, in words.
fn verdict_counts(report: &DriftReport) -> String {
    let (wire, rust) = (&report.summary.wire, &report.summary.rust);
    format!(
        "Wire (clients already built): {} breaking, {} compatible, {} none (documentation). \
         Rust (code using the regenerated crate): {} stops compiling, {} fails before sending, \
         {} compiles.",
        wire.breaking,
        wire.compatible,
        wire.none,
        rust.stops_compiling,
        rust.fails_before_sending,
        rust.compiles
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
    let paint = |semver: Semver, text: &str| {
        if !colour {
            return text.to_owned();
        }
        let code = match semver {
            Semver::Major => "1;31",
            Semver::Minor => "33",
            Semver::Patch => "36",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(report));
    if report.semver.is_some() {
        let _ = writeln!(out, "{}", verdict_counts(report));
    }
    for page in &report.pages {
        let _ = writeln!(out, "\n{} ({})", page.page, status_label(page.status));
        let _ = writeln!(out, "  {}", page.url);
        if let Some(redirect) = redirect_of(report, page) {
            let _ = writeln!(out, "  redirected to {}", redirect.location);
        }
        for change in &page.changes {
            let label = format!("{:<5}", change.semver.id());
            let _ = writeln!(
                out,
                "  {}  wire {:<10}  rust {:<20}  {}: {} [{}]",
                paint(change.semver, &label),
                change.wire.id(),
                change.rust.id(),
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
    let _ = writeln!(
        out,
        "| release | wire breaking | wire compatible | wire none | stops compiling | fails before sending | compiles |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |",
        report.semver.map(semver_markdown).unwrap_or_default(),
        s.wire.breaking,
        s.wire.compatible,
        s.wire.none,
        s.rust.stops_compiling,
        s.rust.fails_before_sending,
        s.rust.compiles
    );
    for page in &report.pages {
        page_markdown(&mut out, page, redirect_of(report, page));
    }
    // `page` may be a link from the index, which is upstream text too.
    let skipped = report.skipped.iter();
    let skipped = skipped.map(|s| format!("{}: {}", code(&s.page), inline(&s.reason)));
    let title = "Skipped (not operation pages, or links to other hosts):";
    list_markdown(&mut out, title, skipped);
    redirects_markdown(&mut out, report);
    let _ = writeln!(out, "\n{NEXT_STEPS}");
    out
}

fn redirects_markdown(out: &mut String, report: &DriftReport) {
    let redirects = report.redirects.iter().map(|r| {
        let (page, url, location) = (code(&r.page), code(&r.url), code(&r.location));
        format!("{page}: {url} → {location}")
    });
    let title = "Redirected within the site (the block was read there):";
    list_markdown(out, title, redirects);
}

/// A list under its title, or nothing when it is empty.
fn list_markdown(out: &mut String, title: &str, items: impl Iterator<Item = String>) {
    for (i, item) in items.enumerate() {
        if i == 0 {
            let _ = writeln!(out, "\n{title}");
        }
        let _ = writeln!(out, "- {item}");
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
        let _ = writeln!(out, "Redirected to {}.\n", code(&redirect.location));
    }
    let folded = page.changes.len() > FOLD_AFTER;
    if folded {
        let count = |semver| page.changes.iter().filter(|c| c.semver == semver).count();
        let _ = writeln!(
            out,
            "<details><summary>{} changes: {} major, {} minor, {} patch</summary>\n",
            page.changes.len(),
            count(Semver::Major),
            count(Semver::Minor),
            count(Semver::Patch)
        );
    }
    for change in &page.changes {
        let _ = writeln!(
            out,
            "- {}, wire {}, Rust {}: {}: {} ({})",
            semver_markdown(change.semver),
            bold_if(change.wire.id(), change.wire == Wire::Breaking),
            bold_if(change.rust.id(), change.rust != Rust::Compiles),
            inline(&where_(change)),
            inline(&change.message),
            code(change.rule.id())
        );
    }
    if folded {
        let _ = writeln!(out, "\n</details>");
    }
}

/// A bump as Markdown: a major one stands out.
fn semver_markdown(semver: Semver) -> String {
    bold_if(semver.id(), semver == Semver::Major)
}

/// A verdict's id as Markdown, in bold when it is one to act on.
fn bold_if(id: &str, stands_out: bool) -> String {
    if stands_out {
        format!("**{id}**")
    } else {
        id.to_owned()
    }
}

/// A page with more changes than this has them folded (`<details>`), so one page that
/// changed a lot does not bury the others.
const FOLD_AFTER: usize = 10;

/// Text that may hold upstream text (names, descriptions), as Markdown that shows it as it
/// is: the report is posted as an issue comment by a bot, so upstream text must not mention
/// people, link issues or add markup.
///
/// Code spans are found as CommonMark finds them (a run of backticks up to the next run of
/// the same length; the report puts names in them, descriptions use them the same way) and
/// written again with [`code`]. A run that closes nothing, as a description cut short
/// leaves, is shown as backticks instead of opening a span that a later one would close.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        out.push_str(&plain(&rest[..start]));
        let run = rest[start..].len() - rest[start..].trim_start_matches('`').len();
        let after = &rest[start + run..];
        match closing_run(after, run) {
            Some(end) => {
                // Two spans in a row would touch fences and read as one: keep them apart.
                if out.ends_with('`') {
                    out.push_str("&#8203;");
                }
                out.push_str(&code(&after[..end]));
                rest = &after[end + run..];
            }
            None => {
                out.push_str(&"\\`".repeat(run));
                rest = after;
            }
        }
    }
    out.push_str(&plain(rest));
    out
}

/// Where in `text` the first run of exactly `len` backticks starts.
fn closing_run(text: &str, len: usize) -> Option<usize> {
    let mut at = 0;
    while let Some(start) = text[at..].find('`') {
        let start = at + start;
        let run = text[start..].len() - text[start..].trim_start_matches('`').len();
        if run == len {
            return Some(start);
        }
        at = start + run;
    }
    None
}

/// `text` as a code span, whatever it holds: the fence is longer than any run of backticks
/// inside, so the span always closes where it should. Nothing in a code span mentions,
/// links or formats.
fn code(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ");
    if text.is_empty() {
        return String::new();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Text outside code spans: Markdown and HTML characters are escaped, line breaks become
/// spaces (a list item stays one line), and `@name` and `#123` get a zero-width space
/// after their `@` or `#`, so GitHub neither notifies anyone nor links an issue.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' | '\n' => out.push(' '),
            '\\' | '|' | '*' | '_' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '@' | '#' => {
                out.push(c);
                let next = chars.peek().copied().unwrap_or(' ');
                let mention = c == '@' && (next.is_ascii_alphanumeric() || next == '-');
                let reference = c == '#' && next.is_ascii_digit();
                if mention || reference {
                    out.push_str("&#8203;");
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::{SkippedPage, Summary};
    use crate::rules::Rule;

    fn report(changes: Vec<Change>) -> DriftReport {
        DriftReport {
            schema_version: crate::drift::SCHEMA_VERSION,
            docs_url: "https://docs.tavus.io".into(),
            semver: changes.iter().map(|c| c.semver).max(),
            summary: Summary::default(),
            pages: vec![PageDrift {
                page: "api-reference/documents/get-document".into(),
                url: "https://docs.tavus.io/api-reference/documents/get-document.md".into(),
                file: "openapi/api-reference/documents/get-document.yaml".into(),
                status: PageStatus::Changed,
                changes,
            }],
            skipped: vec![SkippedPage {
                page: "https://evil.example/api-reference/`x`.md".into(),
                reason: "links to evil.example, not to the docs site (docs.tavus.io)".into(),
            }],
            redirects: Vec::new(),
        }
    }

    fn documentation(location: &str, message: &str) -> Change {
        Change::new(
            Rule::DocumentationChanged,
            Some("GET /v2/documents/{document_id}".into()),
            location,
            message,
        )
    }

    /// The lines of the Markdown report that list changes.
    fn change_lines(report: &DriftReport) -> Vec<String> {
        render(report, Format::Markdown, false)
            .lines()
            .filter(|l| l.starts_with("- patch"))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn mentions_and_issue_references_from_upstream_do_not_notify_or_link() {
        let report = report(vec![documentation(
            "summary",
            "summary changed: ask @octocat or @tavus/docs-team, see #123 and tavus/api#45; \
             `@kept` in code; mail a@b.io; C# stays",
        )]);
        assert_eq!(
            change_lines(&report),
            [
                "- patch, wire none, Rust compiles: GET /v2/documents/{document\\_id}: summary: summary changed: \
                 ask @&#8203;octocat or @&#8203;tavus/docs-team, see #&#8203;123 and \
                 tavus/api#&#8203;45; `@kept` in code; mail a@&#8203;b.io; C# stays \
                 (`documentation-changed`)"
            ]
        );
    }

    /// A description cut in the middle of a code span leaves one backtick; it must not open
    /// a span that the rule id's would close, nor may upstream markup or HTML get through.
    #[test]
    fn every_code_span_is_closed_and_markup_is_shown_as_text() {
        let report = report(vec![
            documentation(
                "response 200 body `a`b`",
                "description added: \"Use `status to <b>filter</b> [x](https://e) *now*\"",
            ),
            documentation("summary", "line one\nline two | `a``b`"),
            documentation("summary", "`a` `b` ``c`` ``` d"),
        ]);
        assert_eq!(
            change_lines(&report),
            [
                "- patch, wire none, Rust compiles: GET /v2/documents/{document\\_id}: response 200 body `a`b\\`: \
                 description added: \"Use \\`status to &lt;b&gt;filter&lt;/b&gt; \\[x\\](https://e) \
                 \\*now\\*\" (`documentation-changed`)",
                "- patch, wire none, Rust compiles: GET /v2/documents/{document\\_id}: summary: line one line two \
                 \\| ```a``b``` (`documentation-changed`)",
                "- patch, wire none, Rust compiles: GET /v2/documents/{document\\_id}: summary: `a` `b` `c` \\`\\`\\` d \
                 (`documentation-changed`)",
            ]
        );
        let markdown = render(&report, Format::Markdown, false);
        assert!(
            markdown.contains("- ``https://evil.example/api-reference/`x`.md``: links to"),
            "{markdown}"
        );
    }

    #[test]
    fn long_page_lists_are_folded() {
        let few = report(
            (0..FOLD_AFTER)
                .map(|i| documentation(&format!("p{i}"), "x"))
                .collect(),
        );
        assert!(!render(&few, Format::Markdown, false).contains("<details>"));
        let mut changes: Vec<Change> = (0..30)
            .map(|i| documentation(&format!("p{i}"), "x"))
            .collect();
        changes.push(Change::new(Rule::EndpointRemoved, None, "", "gone"));
        changes.push(Change::new(Rule::EndpointAdded, None, "", "new"));
        let many = report(changes);
        let markdown = render(&many, Format::Markdown, false);
        assert!(
            markdown.contains(
                "<details><summary>32 changes: 1 major, 1 minor, 30 patch</summary>\n\n- "
            ),
            "{markdown}"
        );
        let open = markdown.find("<details>").unwrap();
        let close = markdown.find("\n</details>").unwrap();
        assert_eq!(change_lines(&many).len(), 30);
        assert!(
            markdown[open..close].contains(
                "- **major**, wire **breaking**, Rust **stops-compiling**: the page: gone"
            )
        );
        assert!(markdown[close..].contains(NEXT_STEPS));
    }
}
