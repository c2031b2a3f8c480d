//! Says what changed in a piece of documentation text, briefly enough for one report line:
//! the changed words with a little context, `[-removed-]` and `{+added+}`.

use similar::{ChangeTag, TextDiff};

/// The longest description of a text change, in characters, before it is cut with `…`.
const MAX_LEN: usize = 200;
/// How many unchanged words are kept on each side of a change.
const CONTEXT_WORDS: usize = 3;

/// Describes how `field` went from `old` to `new` (either may be absent).
pub fn describe(field: &str, old: Option<&str>, new: Option<&str>) -> String {
    match (old, new) {
        (None, None) => format!("{field} unchanged"),
        (None, Some(new)) => format!("{field} added: \"{}\"", cut(&squash(new))),
        (Some(_), None) => format!("{field} removed"),
        (Some(old), Some(new)) => {
            let (old, new) = (squash(old), squash(new));
            if old == new {
                return format!("{field} changed (whitespace only)");
            }
            format!("{field} changed: {}", cut(&word_diff(&old, &new)))
        }
    }
}

/// Folded and literal YAML blocks differ in line breaks only; those do not count.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn word_diff(old: &str, new: &str) -> String {
    let diff = TextDiff::from_words(old, new);
    let changes: Vec<(ChangeTag, &str)> = diff
        .iter_all_changes()
        .map(|c| (c.tag(), c.value()))
        .collect();
    let runs: Vec<&[(ChangeTag, &str)]> = changes.chunk_by(|a, b| a.0 == b.0).collect();
    let mut out = String::new();
    for (i, run) in runs.iter().enumerate() {
        let (tag, last) = (run[0].0, i + 1 == runs.len());
        let words: String = run.iter().map(|(_, w)| *w).collect();
        match tag {
            ChangeTag::Equal => out.push_str(&context(&words, i == 0, last)),
            ChangeTag::Delete => out.push_str(&format!("[-{}-]", words.trim())),
            ChangeTag::Insert => out.push_str(&format!("{{+{}+}}", words.trim())),
        }
        if tag != ChangeTag::Equal && !last {
            out.push(' ');
        }
    }
    out.trim().to_owned()
}

/// Keeps a few words of unchanged text next to the changes; the rest becomes `…`.
fn context(text: &str, at_start: bool, at_end: bool) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let keep_before = if at_start { 0 } else { CONTEXT_WORDS };
    let keep_after = if at_end { 0 } else { CONTEXT_WORDS };
    if words.len() <= keep_before + keep_after {
        return format!("{} ", words.join(" "));
    }
    let head = &words[..keep_before];
    let tail = &words[words.len() - keep_after..];
    let mut out = head.join(" ");
    if !head.is_empty() {
        out.push(' ');
    }
    out.push('…');
    if !tail.is_empty() {
        out.push(' ');
        out.push_str(&tail.join(" "));
    }
    out.push(' ');
    out
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_LEN) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_changed_words_with_some_context() {
        let old = "This endpoint returns a list of all documents created by the account in use.";
        let new = "This endpoint returns a list of all documents owned by the account in use.";
        assert_eq!(
            describe("description", Some(old), Some(new)),
            "description changed: … of all documents [-created-] {+owned+} by the account …"
        );
    }

    #[test]
    fn line_breaks_alone_are_whitespace_only() {
        assert_eq!(
            describe(
                "description",
                Some("one two\nthree\n"),
                Some("one two three")
            ),
            "description changed (whitespace only)"
        );
    }

    #[test]
    fn added_removed_and_long_texts() {
        assert_eq!(
            describe("title", None, Some("A  b")),
            "title added: \"A b\""
        );
        assert_eq!(describe("title", Some("x"), None), "title removed");
        let long = "word ".repeat(100);
        let message = describe("description", None, Some(&long));
        assert!(
            message.ends_with("…\"") && message.chars().count() < 240,
            "{message}"
        );
    }
}
