//! Watching the guide page that documents Tavus's callback bodies
//! (`sections/webhooks-and-callbacks`), which `tavus_api::callbacks` is typed from.
//!
//! The page has no OpenAPI block: its event list and its JSON examples are the whole
//! description, so drift is read from them. [`CallbacksPage::parse`] reads both; `watch`
//! compares the vendored copy with upstream's and reports added and removed events, listed
//! values (shutdown reasons) and examples, changed examples, and other text changes, under
//! the `callback-*` rules of `xtask/DRIFT.md`; [`update`] re-vendors the page, verbatim.
//!
//! The page is vendored whole under `guides/` beside `openapi/` (`guides/<path>.md`, the
//! site path of the page), and watched only when that directory exists, so a vendored
//! directory laid out without it (as in tests of the OpenAPI pages alone) is unaffected.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::Error;
use crate::diff::{Change, shown};
use crate::drift::{DriftReport, PageDrift, PageStatus};
use crate::fetch::{FetchError, Fetcher};
use crate::rules::Rule;

/// The page's path on the docs site.
pub const PAGE: &str = "sections/webhooks-and-callbacks";

/// The directory of vendored guide pages that goes with a vendored OpenAPI directory: its
/// sibling `guides/`.
pub fn guides_dir(openapi_dir: &Path) -> PathBuf {
    let parent = openapi_dir.parent().unwrap_or(Path::new(""));
    parent.join("guides")
}

/// The vendored copy of the page under `guides_dir`.
pub fn vendored_file(guides_dir: &Path) -> PathBuf {
    guides_dir.join(format!("{PAGE}.md"))
}

/// Whether a page name from the command line (a URL, a site path or a bare path) names
/// this page.
pub fn names_page(name: &str) -> bool {
    let path = crate::index::site_path(name);
    path.strip_suffix(".md").unwrap_or(path) == PAGE
}

/// An event the page lists (a bold bullet such as `**system.shutdown**`), with the values
/// listed under it (the shutdown reasons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The event type, such as `system.shutdown`.
    pub name: String,
    /// The values of the bullets nested under it, such as `max_call_duration reached`.
    pub values: Vec<String>,
}

/// A fenced JSON example of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The fence's title (`system.shutdown`), else the title of the tab it is in
    /// (`Replica Training Completed`), else its section's heading (`Structure`); made
    /// unique with ` (2)`, ` (3)`... when two examples would share one.
    pub name: String,
    /// The JSON text as published, without the fence's indentation.
    pub text: String,
    /// The 1-based line of the opening fence.
    pub line: usize,
}

impl Example {
    /// The example parsed, or serde_json's error when it is not valid JSON as published.
    pub fn json(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(&self.text)
    }
}

/// What the page says about callbacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbacksPage {
    /// The events it lists, in page order.
    pub events: Vec<Event>,
    /// Its JSON examples, in page order.
    pub examples: Vec<Example>,
}

impl CallbacksPage {
    /// Reads the events and the JSON examples of the page's Markdown.
    pub fn parse(markdown: &str) -> Self {
        let mut events: Vec<Event> = Vec::new();
        let mut examples: Vec<Example> = Vec::new();
        let mut seen = std::collections::HashMap::new();
        let mut taken = std::collections::HashSet::new();
        let (mut heading, mut tab) = (String::new(), None::<String>);
        // Whether the lines since the last event bullet are only its nested value bullets.
        let mut in_event = false;
        let mut lines = markdown.lines().enumerate();
        while let Some((index, line)) = lines.next() {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            let was_in_event = std::mem::replace(&mut in_event, false);
            if trimmed.is_empty() {
                in_event = was_in_event;
            } else if let Some(title) = trimmed.strip_prefix('#') {
                heading = title.trim_start_matches('#').trim().to_owned();
                tab = None;
            } else if let Some(rest) = trimmed.strip_prefix("<Tab title=\"") {
                tab = rest.split('"').next().map(str::to_owned);
            } else if let Some(event) = event_bullet(trimmed) {
                events.push(Event {
                    name: event,
                    values: Vec::new(),
                });
                in_event = true;
            } else if let (true, true, Some(value), Some(event)) = (
                was_in_event,
                indent > 0,
                value_bullet(trimmed),
                events.last_mut(),
            ) {
                event.values.push(value);
                in_event = true;
            } else if let Some(fence) = trimmed.strip_prefix("```") {
                let ticks = 3 + fence.chars().take_while(|&c| c == '`').count();
                let info = fence.trim_start_matches('`');
                let mut words = info.split_whitespace();
                let language = words.next().unwrap_or_default();
                let title = words.find(|w| !w.contains('=') && !w.starts_with(['[', '{']));
                let mut body = Vec::new();
                for (_, content) in lines.by_ref() {
                    let closing = content.trim();
                    if closing.len() >= ticks && closing.chars().all(|c| c == '`') {
                        break;
                    }
                    body.push(strip_indent(content, indent));
                }
                if language == "json" {
                    let base = title
                        .map(str::to_owned)
                        .or_else(|| tab.clone())
                        .unwrap_or_else(|| heading.clone());
                    // Titles repeat (a tab per variant); count them, so a hostile page
                    // of thousands of same-titled blocks costs linear time.
                    let n = seen.entry(base.clone()).or_insert(0usize);
                    let mut name = base.clone();
                    while !taken.insert(name.clone()) {
                        *n += 1;
                        name = format!("{base} ({})", *n + 1);
                    }
                    examples.push(Example {
                        name,
                        text: body.join("\n"),
                        line: index + 1,
                    });
                }
            }
        }
        Self { events, examples }
    }

    /// The example named `name`.
    pub fn example(&self, name: &str) -> Option<&Example> {
        self.examples.iter().find(|e| e.name == name)
    }
}

/// `* **system.replica\_joined**: ...` → `system.replica_joined`: a bold bullet whose text
/// looks like an event type (lower-case words joined by dots).
fn event_bullet(line: &str) -> Option<String> {
    let rest = line
        .strip_prefix("* **")
        .or_else(|| line.strip_prefix("- **"))?;
    let name = rest.split("**").next()?.replace("\\_", "_");
    let looks_like_event = name.contains('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    looks_like_event.then_some(name)
}

/// `* \`max_call_duration reached\`` → `max_call_duration reached`.
fn value_bullet(line: &str) -> Option<String> {
    let rest = line
        .strip_prefix("* `")
        .or_else(|| line.strip_prefix("- `"))?;
    let value = rest.strip_suffix('`')?;
    (!value.contains('`')).then(|| value.to_owned())
}

/// Removes up to `indent` leading spaces, as CommonMark does for an indented fence.
fn strip_indent(line: &str, indent: usize) -> &str {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    &line[spaces.min(indent)..]
}

/// Compares the vendored copy of the page (in the `guides/` beside `openapi_dir`) with
/// upstream's for `cargo xtask drift`, and adds what it found to `report`. The page is not
/// watched when that directory does not exist.
pub(crate) async fn watch(
    openapi_dir: &Path,
    fetcher: &Fetcher,
    report: &mut DriftReport,
) -> Result<(), Error> {
    let guides_dir = guides_dir(openapi_dir);
    if !guides_dir.is_dir() {
        return Ok(());
    }
    let file = vendored_file(&guides_dir);
    let vendored = match std::fs::read_to_string(&file) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(Error::Usage(format!("cannot read {}: {e}", file.display())));
        }
    };
    let url = fetcher.site().location(&format!("{PAGE}.md"));
    let (status, changes) = match (fetcher.fetch(url.clone()).await, vendored) {
        (Err(FetchError::NotFound { .. }), Some(_)) => {
            let change = Change::new(
                Rule::CallbackPageRemoved,
                None,
                "",
                "the callbacks page is gone upstream; tavus_api::callbacks can no longer be checked against it",
            );
            (PageStatus::Gone, vec![change])
        }
        (Err(e), _) => return Err(e.into()),
        (Ok(upstream), None) => {
            let page = CallbacksPage::parse(&upstream.text);
            let mut changes: Vec<Change> = page
                .events
                .iter()
                .map(|e| event_at(Rule::CallbackEventAdded, &e.name, "a new upstream page"))
                .collect();
            if changes.is_empty() {
                // A page is reported with its changes: one it has none to list for is
                // still new, and `--fail-on any` must count it.
                let message = "a new upstream page, with no event this check recognises";
                changes.push(Change::new(
                    Rule::CallbackPageTextChanged,
                    None,
                    "",
                    message,
                ));
            }
            (PageStatus::New, changes)
        }
        (Ok(upstream), Some(vendored)) if vendored == upstream.text => {
            report.summary.unchanged_pages += 1;
            return Ok(());
        }
        (Ok(upstream), Some(vendored)) => (PageStatus::Changed, compare(&vendored, &upstream.text)),
    };
    report.pages.push(PageDrift {
        page: PAGE.to_owned(),
        url,
        file,
        status,
        changes,
    });
    Ok(())
}

/// The changes between two versions of the page's Markdown (which differ).
pub fn compare(old: &str, new: &str) -> Vec<Change> {
    let (old, new) = (CallbacksPage::parse(old), CallbacksPage::parse(new));
    let mut changes = Vec::new();
    for event in &new.events {
        match old.events.iter().find(|e| e.name == event.name) {
            None => changes.push(event_at(
                Rule::CallbackEventAdded,
                &event.name,
                "a new event type: it decodes as ConversationEvent::Other until typed",
            )),
            Some(before) => values(&mut changes, &before.name, &before.values, &event.values),
        }
    }
    for event in &old.events {
        if !new.events.iter().any(|e| e.name == event.name) {
            changes.push(event_at(
                Rule::CallbackEventRemoved,
                &event.name,
                "the page no longer lists this event type",
            ));
        }
    }
    for example in &new.examples {
        let change = match old.example(&example.name) {
            None => Some((
                Rule::CallbackExampleAdded,
                "a new example: add it to the callback tests".to_owned(),
            )),
            Some(before) => example_change(before, example)
                .map(|message| (Rule::CallbackExampleChanged, message)),
        };
        if let Some((rule, message)) = change {
            changes.push(example_at(rule, &example.name, message));
        }
    }
    for example in &old.examples {
        if new.example(&example.name).is_none() {
            let message = "the page no longer shows this example";
            changes.push(example_at(
                Rule::CallbackExampleRemoved,
                &example.name,
                message,
            ));
        }
    }
    if changes.is_empty() {
        changes.push(Change::new(
            Rule::CallbackPageTextChanged,
            None,
            "",
            "the page's text changed; its events and examples did not",
        ));
    }
    changes
}

fn event_at(rule: Rule, event: &str, message: &str) -> Change {
    Change::new(rule, None, format!("event `{event}`"), message)
}

fn example_at(rule: Rule, example: &str, message: impl Into<String>) -> Change {
    Change::new(rule, None, format!("example `{example}`"), message)
}

fn values(changes: &mut Vec<Change>, event: &str, old: &[String], new: &[String]) {
    for value in new.iter().filter(|v| !old.contains(v)) {
        changes.push(event_at(
            Rule::CallbackValueAdded,
            event,
            &format!("lists a new value `{value}`"),
        ));
    }
    for value in old.iter().filter(|v| !new.contains(v)) {
        changes.push(event_at(
            Rule::CallbackValueRemoved,
            event,
            &format!("no longer lists `{value}`"),
        ));
    }
}

/// How an example changed, or `None` when only its formatting did (equal JSON values).
fn example_change(old: &Example, new: &Example) -> Option<String> {
    if old.text == new.text {
        return None;
    }
    match (old.json(), new.json()) {
        (Ok(a), Ok(b)) if a == b => None,
        (Ok(a), Ok(b)) => {
            let mut paths = Vec::new();
            differing_paths(&a, &b, String::new(), &mut paths);
            Some(format!("the JSON differs at {}", shown(&paths)))
        }
        (Ok(_), Err(e)) => Some(format!("no longer valid JSON as published: {e}")),
        (Err(_), Ok(_)) => Some("now valid JSON (it was not before)".to_owned()),
        (Err(_), Err(_)) => Some("changed, and still not valid JSON as published".to_owned()),
    }
}

/// The paths (`properties.transcript[3].role`, `(root)`) where two JSON values differ,
/// keys only on one side marked `(added)` or `(removed)` for the reader. The spec diff's
/// own `differing_paths` leaves names bare: it reads them to tell vendor extensions.
fn differing_paths(a: &Value, b: &Value, path: String, out: &mut Vec<String>) {
    let at = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                match y.get(key) {
                    Some(other) => differing_paths(value, other, at(key), out),
                    None => out.push(format!("{} (removed)", at(key))),
                }
            }
            for key in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(format!("{} (added)", at(key)));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differing_paths(v, w, format!("{path}[{i}]"), out);
            }
        }
        _ if a == b => {}
        _ => out.push(if path.is_empty() {
            "(root)".to_owned()
        } else {
            path
        }),
    }
}

/// What [`update`] should do with the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateMode {
    /// Re-vendor it if it is vendored and upstream's differs.
    IfVendored,
    /// Also vendor it when the guides directory exists but the page is not vendored yet
    /// (`--add-new`).
    AddNew,
    /// Vendor it whatever is there (it was named on the command line).
    Named,
}

/// The page fetched for an update, not written yet.
#[derive(Debug)]
pub struct Pending {
    file: PathBuf,
    text: String,
    added: bool,
}

impl Pending {
    /// Writes the page (through a temporary file, synced, then renamed over the old one,
    /// so the copy is never half written, not even after a crash).
    pub fn write(&self) -> Result<(), Error> {
        let dir = self.file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
        let temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::write(dir, e))?;
        let mut file = temp.as_file();
        std::io::Write::write_all(&mut file, self.text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::write(temp.path(), e))?;
        temp.persist(&self.file)
            .map_err(|e| Error::write(&self.file, e.error))?;
        Ok(())
    }
}

/// Fetches the page for an update of `guides_dir`; `None` when there is nothing to write.
/// Nothing is written: the caller writes [`Pending`] once the rest of the update is done.
pub async fn update(
    guides_dir: &Path,
    fetcher: &Fetcher,
    mode: UpdateMode,
) -> Result<Option<Pending>, Error> {
    let file = vendored_file(guides_dir);
    let vendored = std::fs::read_to_string(&file).ok();
    let wanted = match mode {
        UpdateMode::Named => true,
        UpdateMode::AddNew => guides_dir.is_dir(),
        UpdateMode::IfVendored => vendored.is_some(),
    };
    if !wanted {
        return Ok(None);
    }
    let url = fetcher.site().location(&format!("{PAGE}.md"));
    let text = match fetcher.fetch(url).await {
        Ok(fetched) => fetched.text,
        Err(source @ FetchError::NotFound { .. }) if vendored.is_some() => {
            return Err(Error::GoneUpstream { source, file });
        }
        Err(e) => return Err(e.into()),
    };
    if vendored.as_deref() == Some(text.as_str()) {
        return Ok(None);
    }
    Ok(Some(Pending {
        added: vendored.is_none(),
        file,
        text,
    }))
}

/// How `cargo xtask update` treats the page, from its arguments.
#[derive(Debug)]
pub(crate) struct UpdatePlan {
    /// The page names that are not this page.
    pub api_pages: Vec<String>,
    /// What to do with this page; `None` when only other pages were named.
    pub mode: Option<UpdateMode>,
    /// Whether to update `openapi/` at all (not when this page alone was named).
    pub api_update: bool,
}

/// Splits `cargo xtask update`'s page names into this page and the API reference pages.
pub(crate) fn plan(pages: Vec<String>, add_new: bool) -> UpdatePlan {
    let (guide, api_pages): (Vec<String>, Vec<String>) =
        pages.into_iter().partition(|p| names_page(p));
    let mode = if !guide.is_empty() {
        Some(UpdateMode::Named)
    } else if !api_pages.is_empty() {
        None
    } else if add_new {
        Some(UpdateMode::AddNew)
    } else {
        Some(UpdateMode::IfVendored)
    };
    let api_update = guide.is_empty() || !api_pages.is_empty() || add_new;
    UpdatePlan {
        api_pages,
        mode,
        api_update,
    }
}

/// The line `cargo xtask update` prints for the page it wrote.
pub(crate) fn print_written(page: &Pending, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let verb = if page.added { "added" } else { "updated" };
    writeln!(
        out,
        "{verb:<10} {}  (callbacks guide page: check tavus_api::callbacks against it)",
        page.file.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE_TEXT: &str = include_str!("../../guides/sections/webhooks-and-callbacks.md");

    #[test]
    fn the_vendored_page_lists_its_events_reasons_and_examples() {
        let page = CallbacksPage::parse(PAGE_TEXT);
        let events: Vec<&str> = page.events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            events,
            [
                "system.replica_joined",
                "system.shutdown",
                "application.transcription_ready",
                "application.recording_ready",
                "application.perception_analysis"
            ]
        );
        assert_eq!(page.events[1].values.len(), 8);
        assert_eq!(page.events[1].values[0], "max_call_duration reached");
        assert_eq!(
            page.events[1].values[7],
            "internal error occurred at step x"
        );
        assert!(
            page.events
                .iter()
                .filter(|e| e.name != "system.shutdown")
                .all(|e| e.values.is_empty())
        );
        // The examples' names, in order, are checked where each is decoded:
        // tests/tests/callbacks.rs (`EXAMPLES`).
        assert_eq!(page.examples.len(), 10);
        // The fence's indentation is removed: the example starts at column 0.
        assert!(page.examples[6].text.starts_with("{\n    \"replica_id\""));
    }

    #[test]
    fn page_names_in_every_spelling() {
        for name in [
            "sections/webhooks-and-callbacks",
            "/sections/webhooks-and-callbacks.md",
            "https://docs.tavus.io/sections/webhooks-and-callbacks.md",
        ] {
            assert!(names_page(name), "{name}");
        }
        assert!(!names_page("api-reference/documents/get-document"));
    }

    #[test]
    fn an_example_reformatted_is_not_an_example_change() {
        let old = Example {
            name: "x".into(),
            text: "{\"a\": 1}".into(),
            line: 1,
        };
        let new = Example {
            text: "{\n  \"a\": 1\n}".into(),
            ..old.clone()
        };
        assert_eq!(example_change(&old, &new), None);
        let changed = Example {
            text: "{\"a\": 2, \"b\": 3}".into(),
            ..old.clone()
        };
        assert_eq!(
            example_change(&old, &changed).unwrap(),
            "the JSON differs at a, b (added)"
        );
    }
}
