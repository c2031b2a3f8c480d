//! The semantic difference between two OpenAPI documents, as a list of [`Change`]s a user
//! of the generated client can act on.
//!
//! Operations are matched by method and path, parameters by location and name, responses
//! by status code, properties by name. Structure is read through `openapiv3`'s types; the
//! leaves of a schema (type and format, enum values, other constraints) are compared on
//! its JSON form, so a constraint this module has no rule for is still reported (as a
//! constraint change) rather than missed.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use openapiv3::{
    MediaType, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody,
    Response, StatusCode,
};
use serde::Serialize;
use serde_json::{Map, Value};

mod schema;

use crate::rules::{Rule, Rust, Semver, Wire};
use crate::text_diff::describe;
use schema::{parameter_shape, type_changed};

/// The vendor extensions the generator reads on an operation (progenitor 0.15,
/// `method.rs`): a change to one of them changes the generated method.
const READ_OPERATION_EXTENSIONS: [&str; 2] = ["x-dropshot-pagination", "x-dropshot-websocket"];
/// The vendor extension the generator reads on a schema (typify's `x-rust-type`, which
/// replaces the generated type with an existing Rust type).
pub(crate) const READ_SCHEMA_EXTENSION: &str = "x-rust-type";

/// One difference, explained, with its rule's verdicts (serialised in this order, the
/// JSON layout of `xtask/DRIFT.md`). The verdicts are the rule's, set by [`Change::new`]
/// only: outside this crate, [`Change::rule`] reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Which rule it falls under.
    pub(crate) rule: Rule,
    /// Whether an existing client still talks correctly to the server (the rule's).
    pub(crate) wire: Wire,
    /// What regenerating the crate does to code written the documented way (the rule's).
    pub(crate) rust: Rust,
    /// The bump the regenerated crate needs for this change (the rule's).
    pub(crate) semver: Semver,
    /// The operation, such as `GET /v2/documents/{document_id}`; absent for changes to the
    /// document as a whole (servers, security schemes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Where in the operation, such as ``response 200 body `data[].status` ``; empty for
    /// the operation itself.
    pub location: String,
    /// What changed, in words.
    pub message: String,
}

impl Change {
    /// A change under `rule`.
    pub fn new(
        rule: Rule,
        operation: Option<String>,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            wire: rule.wire(),
            rust: rule.rust(),
            semver: rule.semver(),
            operation,
            location: location.into(),
            message: message.into(),
        }
    }

    /// Which rule it falls under, and through it the verdicts.
    pub fn rule(&self) -> Rule {
        self.rule
    }
}

/// Compares a vendored document with its upstream version.
pub fn diff_documents(old: &OpenAPI, new: &OpenAPI) -> Vec<Change> {
    let mut diff = Diff {
        old,
        new,
        operation: None,
        changes: Vec::new(),
    };
    diff.document();
    diff.changes
}

/// The catch-all for a difference [`diff_documents`] has no rule for: `None` when the two
/// documents are equal as JSON values (so only the text of the block changed); one
/// [`Rule::DocumentationChanged`] when they differ only in vendor extensions the generator
/// does not read, wherever those sit (in an operation's `externalDocs`, a `links` entry...);
/// otherwise one [`Rule::UnclassifiedChange`] naming where they differ.
///
/// `diff_documents` reads the fields its rules know; a field it does not read (a
/// parameter's `style`, a response's `links`, ...) must not make a real change look like
/// reformatting, so the drift check falls back on this when no rule matched.
pub fn unclassified(old: &OpenAPI, new: &OpenAPI) -> Option<Change> {
    let (mut a, mut b) = (json(old), json(new));
    if a == b {
        return None;
    }
    let mut paths = Vec::new();
    differing_paths(&a, &b, String::new(), &mut paths);
    strip_unread_extensions(&mut a, None);
    strip_unread_extensions(&mut b, None);
    if a == b {
        return Some(Change::new(
            Rule::DocumentationChanged,
            None,
            shown(&paths),
            "only vendor extensions the generated client does not read changed",
        ));
    }
    let mut paths = Vec::new();
    differing_paths(&a, &b, String::new(), &mut paths);
    Some(Change::new(
        Rule::UnclassifiedChange,
        None,
        shown(&paths),
        "changed in a way the drift check cannot classify, so the worst is assumed (wire-breaking, stops compiling)",
    ))
}

/// The first few of `paths`, and how many more there are.
pub(crate) fn shown(paths: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut location = paths[..paths.len().min(SHOWN)].join(", ");
    if paths.len() > SHOWN {
        location.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    location
}

/// Keys of the JSON form whose members are names, not fields: under them an `x-` key is a
/// name (a property called `x-id`), not a vendor extension, and is kept.
const NAME_MAPS: [&str; 16] = [
    "paths",
    "properties",
    "responses",
    "content",
    "schemas",
    "parameters",
    "headers",
    "securitySchemes",
    "requestBodies",
    "examples",
    "links",
    "callbacks",
    "variables",
    "encoding",
    "mapping",
    "scopes",
];

/// Removes, everywhere in `value`, the vendor extensions the generator does not read.
fn strip_unread_extensions(value: &mut Value, key: Option<&str>) {
    match value {
        Value::Object(map) => {
            if !key.is_some_and(|k| NAME_MAPS.contains(&k)) {
                map.retain(|k, _| {
                    !k.starts_with("x-")
                        || k == READ_SCHEMA_EXTENSION
                        || READ_OPERATION_EXTENSIONS.contains(&k.as_str())
                });
            }
            for (k, v) in map.iter_mut() {
                strip_unread_extensions(v, Some(k));
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| strip_unread_extensions(v, None)),
        _ => {}
    }
}

/// A change for each operation of a page that appeared or disappeared upstream.
pub fn whole_page(document: &OpenAPI, rule: Rule, message: &str) -> Vec<Change> {
    operation_map(document)
        .into_keys()
        .map(|operation| Change::new(rule, Some(operation), "", message))
        .collect()
}

/// Which side of the exchange a schema describes; it decides which rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Parameter,
    Request,
    Response,
}

impl Side {
    /// This side's rule among a parameter's, a request property's and a response
    /// property's.
    fn pick(self, [parameter, request, response]: [Rule; 3]) -> Rule {
        match self {
            Side::Parameter => parameter,
            Side::Request => request,
            Side::Response => response,
        }
    }
}

struct Diff<'a> {
    old: &'a OpenAPI,
    new: &'a OpenAPI,
    operation: Option<String>,
    changes: Vec<Change>,
}

impl<'a> Diff<'a> {
    fn push(&mut self, rule: Rule, location: &str, message: impl Into<String>) {
        self.changes
            .push(Change::new(rule, self.operation.clone(), location, message));
    }

    fn document(&mut self) {
        let (old, new) = (self.old, self.new);
        if old.security != new.security {
            self.push(
                Rule::SecurityChanged,
                "security",
                "the document's default security requirements changed",
            );
        }
        if old.servers != new.servers {
            self.push(Rule::ServersChanged, "servers", "the servers list changed");
        }
        let schemes = |d: &OpenAPI| d.components.as_ref().map(|c| c.security_schemes.clone());
        if schemes(old) != schemes(new) {
            self.push(
                Rule::SecuritySchemesChanged,
                "components.securitySchemes",
                "the security schemes changed",
            );
        }
        if json(&old.info) != json(&new.info) {
            self.push(
                Rule::DocumentationChanged,
                "info",
                "the document's info changed",
            );
        }
        if json(&old.tags) != json(&new.tags) {
            self.push(Rule::DocumentationChanged, "tags", "the tag list changed");
        }
        self.extensions("", &old.extensions, &new.extensions, &[]);
        let components = |d: &'a OpenAPI| d.components.as_ref().map(|c| &c.extensions);
        if let (Some(a), Some(b)) = (components(old), components(new)) {
            self.extensions("components", a, b, &[]);
        }
        let before = operation_map(old);
        let after = operation_map(new);
        let moved = moved_operations(&before, &after);
        for (key, (old_path, old_op)) in &before {
            if let Some(to) = moved.get(key) {
                let (new_path, new_op) = after[to];
                self.operation = Some(to.clone());
                let renames = path_parameter_renames(key, to);
                let message = format!(
                    "{}; the path was `{}` (the same on the wire; the builder's setter is renamed)",
                    renames
                        .iter()
                        .map(|(from, to)| format!("`{{{from}}}` renamed to `{{{to}}}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    path_of(key)
                );
                self.push(Rule::PathParameterRenamed, "path", message);
                self.operation_pair(old_path, old_op, new_path, new_op, &renames);
                continue;
            }
            self.operation = Some(key.clone());
            match after.get(key) {
                None => self.push(Rule::EndpointRemoved, "", "the operation is gone"),
                Some((new_path, new_op)) => {
                    self.operation_pair(old_path, old_op, new_path, new_op, &[])
                }
            }
        }
        let arrived: BTreeSet<&String> = moved.values().collect();
        for key in after
            .keys()
            .filter(|k| !before.contains_key(*k) && !arrived.contains(k))
        {
            self.operation = Some(key.clone());
            self.push(Rule::EndpointAdded, "", "a new operation");
        }
        self.operation = None;
    }

    /// A documentation change at `at` when the text `field` changed.
    fn text(&mut self, at: &str, field: &str, old: Option<&str>, new: Option<&str>) {
        if old != new {
            self.push(Rule::DocumentationChanged, at, describe(field, old, new));
        }
    }

    /// Compares the vendor extensions (`x-...`) of one object at `at`. Those in `read` are
    /// read by the generator, so changing one changes the operation ([`Rule::OperationChanged`]);
    /// the generated client does not see any other, so those are documentation.
    fn extensions(
        &mut self,
        at: &str,
        old: &IndexMap<String, Value>,
        new: &IndexMap<String, Value>,
        read: &[&str],
    ) {
        let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        let mut unread = Vec::new();
        for name in names {
            let what = match (old.get(name), new.get(name)) {
                (a, b) if a == b => continue,
                (None, _) => "added",
                (_, None) => "removed",
                _ => "changed",
            };
            if read.contains(&name.as_str()) {
                let message = format!("vendor extension `{name}` {what}; the generator reads it");
                self.push(Rule::OperationChanged, at, message);
            } else {
                unread.push(format!("vendor extension `{name}` {what}"));
            }
        }
        if !unread.is_empty() {
            self.push(Rule::DocumentationChanged, at, unread.join("; "));
        }
    }

    /// Compares two versions of an operation; `renames` are the path parameters its path
    /// renamed (old name, new name), so they are compared as the same parameter.
    fn operation_pair(
        &mut self,
        old_item: &'a openapiv3::PathItem,
        old: &'a Operation,
        new_item: &'a openapiv3::PathItem,
        new: &'a Operation,
        renames: &[(String, String)],
    ) {
        if old.operation_id != new.operation_id {
            self.push(
                Rule::OperationIdChanged,
                "operationId",
                format!(
                    "operationId changed from {} to {} (the generated method is renamed)",
                    show_opt(&old.operation_id),
                    show_opt(&new.operation_id)
                ),
            );
        }
        match (old.deprecated, new.deprecated) {
            (false, true) => self.push(Rule::EndpointDeprecated, "", "now deprecated"),
            (true, false) => self.push(Rule::EndpointReactivated, "", "no longer deprecated"),
            _ => {}
        }
        if old.security != new.security {
            self.push(
                Rule::SecurityChanged,
                "security",
                "the required security changed",
            );
        }
        for (field, a, b) in [
            ("summary", &old.summary, &new.summary),
            ("description", &old.description, &new.description),
        ] {
            self.text(field, field, a.as_deref(), b.as_deref());
        }
        if old.tags != new.tags {
            self.push(Rule::DocumentationChanged, "tags", "tags changed");
        }
        self.extensions("path item", &old_item.extensions, &new_item.extensions, &[]);
        self.extensions(
            "",
            &old.extensions,
            &new.extensions,
            &READ_OPERATION_EXTENSIONS,
        );
        let other = |op: &Operation| {
            strip(
                json(op),
                &[
                    "operationId",
                    "deprecated",
                    "security",
                    "summary",
                    "description",
                    "tags",
                    "externalDocs",
                    "parameters",
                    "requestBody",
                    "responses",
                ],
            )
        };
        let (a, b) = (other(old), other(new));
        if a != b {
            self.push(
                Rule::OperationChanged,
                "",
                format!("changed: {}", changed_keys(&a, &b).join(", ")),
            );
        }
        self.parameters(
            parameters(self.old, old_item, old),
            parameters(self.new, new_item, new),
            renames,
        );
        self.request_body(old.request_body.as_ref(), new.request_body.as_ref());
        self.responses(old, new);
    }

    fn parameters(
        &mut self,
        old: Vec<&'a Parameter>,
        new: Vec<&'a Parameter>,
        renames: &[(String, String)],
    ) {
        let key = parameter_key;
        // An old path parameter the path renamed is the new one of that name.
        let old_key = |p: &Parameter| {
            let (place, name) = key(p);
            let renamed = renames
                .iter()
                .find(|(from, _)| place == "path" && *from == name);
            (place, renamed.map_or(name, |(_, to)| to.clone()))
        };
        let mut removed: Vec<&Parameter> = Vec::new();
        for before in &old {
            match new.iter().find(|p| key(p) == old_key(before)) {
                Some(after) => self.parameter_pair(before, after),
                None => removed.push(before),
            }
        }
        let mut added: Vec<&Parameter> = new
            .into_iter()
            .filter(|p| !old.iter().any(|o| old_key(o) == key(p)))
            .collect();
        // A parameter removed and one added at the same place with the same schema is a
        // rename: report it as one change the user can act on. The name of a path
        // parameter is not sent, so renaming one is not a change on the wire.
        for gone in removed {
            let (place, name) = key(gone);
            let renamed = added.iter().position(|a| {
                tavus_openapi::parameter_location(a) == place
                    && parameter_shape(self.old, gone) == parameter_shape(self.new, a)
            });
            match renamed {
                Some(i) => {
                    let to = added.remove(i).parameter_data_ref().name.clone();
                    let rule = if place == "path" {
                        Rule::PathParameterRenamed
                    } else {
                        Rule::RequestParameterRenamed
                    };
                    self.push(
                        rule,
                        &format!("{place} parameter `{name}`"),
                        format!("renamed to `{to}`"),
                    );
                }
                None => self.push(
                    Rule::RequestParameterRemoved,
                    &format!("{place} parameter `{name}`"),
                    "removed",
                ),
            }
        }
        for new in added {
            let (place, name) = key(new);
            let (rule, message) = if new.parameter_data_ref().required {
                (Rule::NewRequiredRequestParameter, "added, required")
            } else {
                (Rule::NewOptionalRequestParameter, "added, optional")
            };
            self.push(rule, &format!("{place} parameter `{name}`"), message);
        }
    }

    fn parameter_pair(&mut self, old: &'a Parameter, new: &'a Parameter) {
        let (a, b) = (old.parameter_data_ref(), new.parameter_data_ref());
        let at = format!(
            "{} parameter `{}`",
            tavus_openapi::parameter_location(old),
            a.name
        );
        match (a.required, b.required) {
            (false, true) => self.push(Rule::RequestParameterBecameRequired, &at, "now required"),
            (true, false) => self.push(Rule::RequestParameterBecameOptional, &at, "now optional"),
            _ => {}
        }
        let mut notes = Vec::new();
        if a.description != b.description {
            notes.push(describe(
                "description",
                a.description.as_deref(),
                b.description.as_deref(),
            ));
        }
        if json(&a.example) != json(&b.example) || json(&a.examples) != json(&b.examples) {
            notes.push("example changed".to_owned());
        }
        if a.deprecated != b.deprecated {
            notes.push(format!(
                "deprecated is now {}",
                b.deprecated.unwrap_or(false)
            ));
        }
        if !notes.is_empty() {
            self.push(Rule::DocumentationChanged, &at, notes.join("; "));
        }
        self.extensions(&at, &a.extensions, &b.extensions, &[]);
        match (&a.format, &b.format) {
            (ParameterSchemaOrContent::Schema(x), ParameterSchemaOrContent::Schema(y)) => {
                self.schema(Side::Parameter, &at, "", x.into(), y.into(), &[]);
            }
            (x, y) if json(x) != json(y) => self.push(
                Rule::RequestParameterTypeChanged,
                &at,
                "its schema or content changed",
            ),
            _ => {}
        }
    }

    fn request_body(
        &mut self,
        old: Option<&'a ReferenceOr<RequestBody>>,
        new: Option<&'a ReferenceOr<RequestBody>>,
    ) {
        let resolved = |body, document: &'a OpenAPI| {
            let components = document.components.as_ref().map(|c| &c.request_bodies);
            resolve(body?, "#/components/requestBodies/", components)
        };
        let (old, new) = (resolved(old, self.old), resolved(new, self.new));
        let at = "request body";
        match (old, new) {
            (None, None) => {}
            (Some(_), None) => self.push(Rule::RequestBodyRemoved, at, "removed"),
            (None, Some(b)) if b.required => {
                self.push(Rule::NewRequiredRequestBody, at, "added, required")
            }
            (None, Some(_)) => self.push(Rule::NewOptionalRequestBody, at, "added, optional"),
            (Some(a), Some(b)) => {
                match (a.required, b.required) {
                    (false, true) => self.push(Rule::RequestBodyBecameRequired, at, "now required"),
                    (true, false) => self.push(Rule::RequestBodyBecameOptional, at, "now optional"),
                    _ => {}
                }
                let (x, y) = (a.description.as_deref(), b.description.as_deref());
                self.text(at, "description", x, y);
                self.extensions(at, &a.extensions, &b.extensions, &[]);
                self.content(Side::Request, at, &a.content, &b.content);
            }
        }
    }

    fn content(
        &mut self,
        side: Side,
        at: &str,
        old: &'a IndexMap<String, MediaType>,
        new: &'a IndexMap<String, MediaType>,
    ) {
        let (added, removed) = match side {
            Side::Response => (Rule::ResponseMediaTypeAdded, Rule::ResponseMediaTypeRemoved),
            _ => (
                Rule::RequestBodyMediaTypeAdded,
                Rule::RequestBodyMediaTypeRemoved,
            ),
        };
        for media in old.keys().filter(|m| !new.contains_key(*m)) {
            self.push(removed, at, format!("media type `{media}` removed"));
        }
        for media in new.keys().filter(|m| !old.contains_key(*m)) {
            self.push(added, at, format!("media type `{media}` added"));
        }
        let several = old.len() > 1 || new.len() > 1;
        for (media, a) in old {
            let Some(b) = new.get(media) else { continue };
            let at = if several {
                format!("{at} ({media})")
            } else {
                at.to_owned()
            };
            if json(&a.example) != json(&b.example) || json(&a.examples) != json(&b.examples) {
                self.push(Rule::DocumentationChanged, &at, "example changed");
            }
            self.extensions(&at, &a.extensions, &b.extensions, &[]);
            match (&a.schema, &b.schema) {
                (Some(x), Some(y)) => self.schema(side, &at, "", x.into(), y.into(), &[]),
                (None, None) => {}
                _ => self.push(
                    type_changed(side),
                    &at,
                    "the body schema was added or removed",
                ),
            }
        }
    }

    fn responses(&mut self, old: &'a Operation, new: &'a Operation) {
        let (a, b) = (responses(old), responses(new));
        for (code, _) in a.iter().filter(|(c, _)| !b.iter().any(|(d, _)| d == c)) {
            let rule = if is_success(code) {
                Rule::ResponseSuccessStatusRemoved
            } else {
                Rule::ResponseNonSuccessStatusRemoved
            };
            self.push(rule, &format!("response {code}"), "status removed");
        }
        for (code, _) in b.iter().filter(|(c, _)| !a.iter().any(|(d, _)| d == c)) {
            let rule = if is_success(code) {
                Rule::ResponseSuccessStatusAdded
            } else {
                Rule::ResponseNonSuccessStatusAdded
            };
            self.push(rule, &format!("response {code}"), "status added");
        }
        let (a, b) = (self.resolved(a, self.old), self.resolved(b, self.new));
        for (code, x) in &a {
            let Some((_, y)) = b.iter().find(|(c, _)| c == code) else {
                continue;
            };
            self.response(&format!("response {code}"), x, y);
        }
        self.success_body(&a, &b);
    }

    /// The responses whose `$ref` can be followed, resolved.
    fn resolved(
        &self,
        list: Vec<(String, &'a ReferenceOr<Response>)>,
        document: &'a OpenAPI,
    ) -> Vec<(String, &'a Response)> {
        let components = document.components.as_ref().map(|c| &c.responses);
        list.into_iter()
            .filter_map(|(code, r)| {
                Some((code, resolve(r, "#/components/responses/", components)?))
            })
            .collect()
    }

    /// progenitor gives a method one success type: the body all its success responses
    /// share, or a raw body when none is documented. When the success statuses change
    /// with no status in common (`200` → `201`), the bodies were not compared status by
    /// status, so the type is compared here; and success responses that no longer share
    /// one body leave progenitor no type to generate.
    fn success_body(&mut self, old: &[(String, &'a Response)], new: &[(String, &'a Response)]) {
        let successes = |list: &[(String, &'a Response)]| -> Vec<(String, &'a Response)> {
            let mut found: Vec<_> = list
                .iter()
                .filter(|(code, _)| is_success(code))
                .cloned()
                .collect();
            found.sort_by(|(x, _), (y, _)| x.cmp(y));
            found
        };
        let (a, b) = (successes(old), successes(new));
        let shapes = |list: &[(String, &Response)]| {
            list.iter()
                .map(|(_, r)| body_shape(r))
                .collect::<BTreeSet<_>>()
                .len()
        };
        if shapes(&b) > 1 && shapes(&a) <= 1 {
            let codes: Vec<&str> = b.iter().map(|(code, _)| code.as_str()).collect();
            self.push(
                Rule::OperationChanged,
                "responses",
                format!(
                    "the success responses ({}) no longer share one body: progenitor gives a \
                     method one success type, so the client does not build until an adaptation \
                     in tavus-openapi handles it",
                    codes.join(", ")
                ),
            );
            return;
        }
        if a.iter().any(|(code, _)| b.iter().any(|(c, _)| c == code)) {
            return;
        }
        match (a.first(), b.first()) {
            (Some((x_code, x)), Some((y_code, y))) => {
                let at = format!("response {x_code} → {y_code}");
                self.response_body(&at, x, y);
            }
            (Some((code, x)), None) if !x.content.is_empty() => self.push(
                Rule::ResponseMediaTypeRemoved,
                &format!("response {code} body"),
                "no success response is documented any more: the method returns the raw body \
                 of any 2xx (progenitor's fallback)",
            ),
            (None, Some((code, y))) if !y.content.is_empty() => self.push(
                Rule::ResponseMediaTypeAdded,
                &format!("response {code} body"),
                "a success response is documented now: the method returns its body instead of \
                 the raw body of any 2xx",
            ),
            _ => {}
        }
    }

    fn response(&mut self, at: &str, old: &'a Response, new: &'a Response) {
        self.text(
            at,
            "description",
            Some(&old.description),
            Some(&new.description),
        );
        if json(&old.headers) != json(&new.headers) {
            self.push(Rule::ResponseHeadersChanged, at, "headers changed");
        }
        self.extensions(at, &old.extensions, &new.extensions, &[]);
        self.response_body(at, old, new);
    }

    /// Compares the bodies of two responses at `at`.
    fn response_body(&mut self, at: &str, old: &'a Response, new: &'a Response) {
        let body = format!("{at} body");
        match (old.content.is_empty(), new.content.is_empty()) {
            (false, true) => self.push(Rule::ResponseMediaTypeRemoved, &body, "the body is gone"),
            (true, false) => self.push(Rule::ResponseMediaTypeAdded, &body, "now has a body"),
            _ => self.content(Side::Response, &body, &old.content, &new.content),
        }
    }
}
/// The operations whose path changed only in the names of its `{parameters}`
/// (`/v2/documents/{document_id}` → `/v2/documents/{id}`), old key → new key: one
/// operation under another name, not one removed and another added.
fn moved_operations(
    before: &IndexMap<String, (&openapiv3::PathItem, &Operation)>,
    after: &IndexMap<String, (&openapiv3::PathItem, &Operation)>,
) -> IndexMap<String, String> {
    let mut moved = IndexMap::new();
    for gone in before.keys().filter(|k| !after.contains_key(*k)) {
        let target = after.keys().find(|k| {
            !before.contains_key(*k)
                && !moved.values().any(|v| v == *k)
                && template(gone) == template(k)
        });
        if let Some(target) = target {
            moved.insert(gone.clone(), target.clone());
        }
    }
    moved
}

/// An operation key with the names of its path parameters left out:
/// `DELETE /v2/documents/{}`.
fn template(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut in_name = false;
    for c in key.chars() {
        match c {
            '{' => {
                in_name = true;
                out.push(c);
            }
            '}' => {
                in_name = false;
                out.push(c);
            }
            _ if in_name => {}
            _ => out.push(c),
        }
    }
    out
}

/// The names of the path parameters of an operation key, in order.
fn path_parameter_names(key: &str) -> Vec<&str> {
    key.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect()
}

/// The path parameters renamed between two keys with the same [`template`].
fn path_parameter_renames(old: &str, new: &str) -> Vec<(String, String)> {
    path_parameter_names(old)
        .into_iter()
        .zip(path_parameter_names(new))
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

/// The path of an operation key (`/v2/documents/{document_id}`).
fn path_of(key: &str) -> &str {
    key.split_once(' ').map_or(key, |(_, path)| path)
}

/// `METHOD /path` → (path item, operation), in document order.
fn operation_map(document: &OpenAPI) -> IndexMap<String, (&openapiv3::PathItem, &Operation)> {
    let mut map = IndexMap::new();
    for (path, item) in document.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (method, operation) in item.iter() {
            map.insert(
                format!("{} {path}", method.to_uppercase()),
                (item, operation),
            );
        }
    }
    map
}

/// Path-level parameters, overridden by operation-level ones of the same location and name.
fn parameters<'a>(
    document: &'a OpenAPI,
    item: &'a openapiv3::PathItem,
    operation: &'a Operation,
) -> Vec<&'a Parameter> {
    let components = document.components.as_ref().map(|c| &c.parameters);
    let resolve_all = |list: &'a [ReferenceOr<Parameter>]| -> Vec<&'a Parameter> {
        list.iter()
            .filter_map(|p| resolve(p, "#/components/parameters/", components))
            .collect()
    };
    let own = resolve_all(&operation.parameters);
    let mut all: Vec<&Parameter> = resolve_all(&item.parameters)
        .into_iter()
        .filter(|p| !own.iter().any(|o| parameter_key(o) == parameter_key(p)))
        .collect();
    all.extend(own);
    all
}

/// A parameter's location and name, which tell it from the others of an operation.
fn parameter_key(parameter: &Parameter) -> (&'static str, String) {
    let name = parameter.parameter_data_ref().name.clone();
    (tavus_openapi::parameter_location(parameter), name)
}

fn responses(operation: &Operation) -> Vec<(String, &ReferenceOr<Response>)> {
    let mut list: Vec<(String, &ReferenceOr<Response>)> = operation
        .responses
        .responses
        .iter()
        .map(|(code, response)| {
            let code = match code {
                StatusCode::Code(n) => n.to_string(),
                StatusCode::Range(n) => format!("{n}XX"),
            };
            (code, response)
        })
        .collect();
    if let Some(default) = &operation.responses.default {
        list.push(("default".to_owned(), default));
    }
    list
}

fn is_success(code: &str) -> bool {
    code.starts_with('2')
}

/// What progenitor makes of a response's body: none, a JSON schema, or another media
/// type (a raw body). Responses with the same shape give a method the same type.
fn body_shape(response: &Response) -> String {
    if response.content.is_empty() {
        return "no body".to_owned();
    }
    match response.content.get("application/json") {
        Some(media) => format!("JSON: {}", json(&media.schema)),
        None => format!("other: {:?}", response.content.keys().collect::<Vec<_>>()),
    }
}

/// A `$ref` into `components`, resolved one level; `None` when it cannot be.
fn resolve<'a, T>(
    item: &'a ReferenceOr<T>,
    prefix: &str,
    components: Option<&'a IndexMap<String, ReferenceOr<T>>>,
) -> Option<&'a T> {
    match item {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix(prefix)?;
            components?.get(name)?.as_item()
        }
    }
}

fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn strip(value: Value, keys: &[&str]) -> Map<String, Value> {
    let mut map = match value {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    map.retain(|k, _| !keys.contains(&k.as_str()) && !k.starts_with("x-"));
    map
}

fn keep(value: &Value, keys: &[&str]) -> Map<String, Value> {
    let mut map = value.as_object().cloned().unwrap_or_default();
    map.retain(|k, _| keys.contains(&k.as_str()) || k.starts_with("x-"));
    map
}

fn changed_keys(a: &Map<String, Value>, b: &Map<String, Value>) -> Vec<String> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// The deepest places where two JSON values differ, such as
/// `paths./v2/videos.get.parameters[0].style`.
fn differing_paths(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
    let join = |key: &str| {
        if at.is_empty() {
            key.to_owned()
        } else {
            format!("{at}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in changed_keys(x, y) {
                let at = join(&key);
                match (x.get(&key), y.get(&key)) {
                    (Some(x), Some(y)) => differing_paths(x, y, at, out),
                    _ => out.push(at),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                if x != y {
                    differing_paths(x, y, format!("{at}[{i}]"), out);
                }
            }
        }
        _ => out.push(if at.is_empty() {
            "(document)".to_owned()
        } else {
            at
        }),
    }
}

fn show_opt(value: &Option<String>) -> String {
    value
        .as_deref()
        .map_or("(none)".to_owned(), |v| format!("`{v}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-operation document whose 200 body is `#/components/schemas/Video`.
    fn document(status_values: &str, extra_schema: &str) -> OpenAPI {
        parse(&document_text(status_values, extra_schema))
    }

    fn parse(text: &str) -> OpenAPI {
        tavus_openapi::parse_document(text, "test").unwrap()
    }

    fn document_text(status_values: &str, extra_schema: &str) -> String {
        format!(
            "openapi: 3.0.3
info: {{title: T, version: '1'}}
paths:
  /v2/videos/{{id}}:
    get:
      operationId: getVideo
      parameters:
        - {{in: path, name: id, required: true, schema: {{type: string}}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Video'}}
components:
  schemas:
    Video:
      type: object
      properties:
        status: {{$ref: '#/components/schemas/Status'}}
        next: {{$ref: '#/components/schemas/Node'}}
        other: {{$ref: '#/components/schemas/Missing'}}
    Status: {{type: string, enum: [{status_values}]}}
    Node:
      type: object
      properties:
        child: {{$ref: '#/components/schemas/Node'}}{extra_schema}
"
        )
    }

    #[test]
    fn refs_are_followed_and_cycles_end() {
        let old = document("queued, ready", "");
        let new = document("queued, ready, failed", "\n        label: {type: string}");
        let changes = diff_documents(&old, &new);
        let mut found: Vec<(&str, &str, &str)> = changes
            .iter()
            .map(|c| (c.rule.id(), c.location.as_str(), c.message.as_str()))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                (
                    "response-property-added",
                    "response 200 body `next.label`",
                    "added, optional"
                ),
                (
                    "response-property-enum-value-added",
                    "response 200 body `status`",
                    "enum value \"failed\" added"
                ),
            ]
        );
        assert!(
            changes
                .iter()
                .all(|c| c.operation.as_deref() == Some("GET /v2/videos/{id}"))
        );
    }

    #[test]
    fn identical_documents_have_no_changes() {
        let doc = document("queued", "");
        assert_eq!(diff_documents(&doc, &doc), []);
        assert_eq!(unclassified(&doc, &doc), None);
    }

    /// A field no rule reads (here a parameter's `style`) is still a difference, named by
    /// where it is.
    #[test]
    fn a_change_no_rule_reads_is_unclassified_and_breaking() {
        let text = document_text("queued", "");
        let old = parse(&text);
        let new = parse(&text.replacen("in: path,", "in: path, style: label,", 1));
        assert_eq!(diff_documents(&old, &new), []);
        let change = unclassified(&old, &new).unwrap();
        assert_eq!(change.rule, Rule::UnclassifiedChange);
        assert_eq!(change.wire, Wire::Breaking);
        assert_eq!(change.rust, Rust::StopsCompiling);
        assert_eq!(
            change.location,
            "paths./v2/videos/{id}.get.parameters[0].style"
        );
    }

    /// Vendor extensions are documentation wherever they sit, unless the generator reads
    /// them: then they change the operation (or the type).
    #[test]
    fn vendor_extensions_the_client_does_not_read_are_documentation() {
        let text = document_text("queued", "");
        let old = parse(&text);
        let found = |new: &str| -> Vec<(Rule, String)> {
            let new = parse(new);
            let mut changes = diff_documents(&old, &new);
            if changes.is_empty() {
                changes.extend(unclassified(&old, &new));
            }
            changes.into_iter().map(|c| (c.rule, c.location)).collect()
        };
        let op = "      operationId: getVideo\n";
        assert_eq!(
            found(&text.replacen(op, &format!("{op}      x-mint: {{href: /x}}\n"), 1)),
            [(Rule::DocumentationChanged, String::new())]
        );
        assert_eq!(
            found(&text.replacen(
                op,
                &format!("{op}      x-dropshot-pagination: {{required: []}}\n"),
                1
            )),
            [(Rule::OperationChanged, String::new())]
        );
        assert_eq!(
            found(&text.replacen("in: path,", "in: path, x-internal: true,", 1)),
            [(Rule::DocumentationChanged, "path parameter `id`".to_owned())]
        );
        assert_eq!(
            found(&text.replacen(
                "    Status: {type: string,",
                "    Status: {x-rust-type: {crate: s, version: '1', path: s::S}, type: string,",
                1
            )),
            [(
                Rule::ResponsePropertyTypeChanged,
                "response 200 body `status`".to_owned()
            )]
        );
        // Where no rule looks: inside an operation's externalDocs.
        let with_docs = text.replacen(
            op,
            &format!("{op}      externalDocs: {{url: 'https://x'}}\n"),
            1,
        );
        let old = parse(&with_docs);
        let new =
            parse(&with_docs.replacen("url: 'https://x'", "url: 'https://x', x-seen: true", 1));
        assert_eq!(diff_documents(&old, &new), []);
        let change = unclassified(&old, &new).unwrap();
        assert_eq!(change.rule, Rule::DocumentationChanged);
        assert_eq!(
            change.location,
            "paths./v2/videos/{id}.get.externalDocs.x-seen"
        );
        // A property named like an extension is a property, not an extension.
        let old = parse(&text);
        let new = parse(&text.replacen(
            "    Node:\n",
            "    Unused: {type: object, properties: {x-id: {type: string}}}\n    Node:\n",
            1,
        ));
        assert_eq!(
            unclassified(&old, &new).unwrap().rule,
            Rule::UnclassifiedChange
        );
    }

    fn rules_at(old: &str, new: &str) -> Vec<(Rule, String)> {
        let (old, new) = (parse(old), parse(new));
        diff_documents(&old, &new)
            .into_iter()
            .map(|c| (c.rule, c.location))
            .collect()
    }

    /// A path that differs only in the names of its parameters is the same operation: one
    /// `path-parameter-renamed`, and the rest of the operation is still compared.
    #[test]
    fn a_path_parameter_renamed_is_one_change_not_a_removal_and_an_addition() {
        let text = document_text("queued", "");
        let renamed = text
            .replacen("/v2/videos/{id}:", "/v2/videos/{video_id}:", 1)
            .replacen("name: id,", "name: video_id,", 1);
        let new = parse(&renamed);
        let changes = diff_documents(&parse(&text), &new);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert_eq!(changes[0].rule, Rule::PathParameterRenamed);
        assert_eq!(changes[0].location, "path");
        assert_eq!(
            changes[0].operation.as_deref(),
            Some("GET /v2/videos/{video_id}")
        );
        assert_eq!(
            changes[0].message,
            "`{id}` renamed to `{video_id}`; the path was `/v2/videos/{id}` (the same on the \
             wire; the builder's setter is renamed)"
        );
        assert_eq!(changes[0].wire, Wire::Compatible);
        assert_eq!(changes[0].rust, Rust::StopsCompiling);
        // The renamed parameter is compared with its old self.
        let retyped = renamed.replacen(
            "name: video_id, required: true, schema: {type: string}",
            "name: video_id, required: true, schema: {type: integer}",
            1,
        );
        assert_eq!(
            rules_at(&text, &retyped),
            [
                (Rule::PathParameterRenamed, "path".to_owned()),
                (
                    Rule::RequestParameterTypeChanged,
                    "path parameter `id`".to_owned()
                ),
            ]
        );
        // Another path is another operation.
        assert_eq!(
            rules_at(
                &text,
                &renamed.replacen("/v2/videos/{video_id}:", "/v2/clips/{video_id}:", 1)
            ),
            [
                (Rule::EndpointRemoved, String::new()),
                (Rule::EndpointAdded, String::new())
            ]
        );
    }

    /// The method's success type is the body its success responses share: when the
    /// statuses change, the bodies are compared across them.
    #[test]
    fn a_success_status_change_compares_the_success_bodies() {
        let text = document_text("queued", "");
        // Only the status: the method keeps its type.
        assert_eq!(
            rules_at(&text, &text.replacen("'200':", "'201':", 1)),
            [
                (
                    Rule::ResponseSuccessStatusRemoved,
                    "response 200".to_owned()
                ),
                (Rule::ResponseSuccessStatusAdded, "response 201".to_owned()),
            ]
        );
        // The status and the body: the body's change is reported too.
        let no_body = text.replacen(
            "        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Video'}\n",
            "        '204':\n          description: gone\n",
            1,
        );
        assert_ne!(no_body, text);
        let changes = rules_at(&text, &no_body);
        assert_eq!(
            changes,
            [
                (
                    Rule::ResponseSuccessStatusRemoved,
                    "response 200".to_owned()
                ),
                (Rule::ResponseSuccessStatusAdded, "response 204".to_owned()),
                (
                    Rule::ResponseMediaTypeRemoved,
                    "response 200 → 204 body".to_owned()
                ),
            ]
        );
        let with_label = document_text("queued", "\n        label: {type: string}")
            .replacen("'200':", "'201':", 1);
        assert_eq!(
            rules_at(&text, &with_label)[2..],
            [(
                Rule::ResponsePropertyAdded,
                "response 200 → 201 body `next.label`".to_owned()
            )]
        );
        // A second success status with another body leaves progenitor no type.
        let two = text.replacen(
            "      responses:\n",
            "      responses:\n        '202':\n          description: later\n",
            1,
        );
        assert_eq!(
            rules_at(&text, &two),
            [
                (Rule::ResponseSuccessStatusAdded, "response 202".to_owned()),
                (Rule::OperationChanged, "responses".to_owned()),
            ]
        );
    }

    #[test]
    fn the_documents_default_security_is_compared() {
        let old = document("queued", "");
        let mut new = old.clone();
        new.security = Some(vec![IndexMap::from([("apiKey".to_owned(), vec![])])]);
        let changes = diff_documents(&old, &new);
        let found: Vec<(Rule, Option<&str>, &str)> = changes
            .iter()
            .map(|c| (c.rule, c.operation.as_deref(), c.location.as_str()))
            .collect();
        assert_eq!(found, [(Rule::SecurityChanged, None, "security")]);
    }
}
