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
    Response, Schema, SchemaKind, StatusCode, Type,
};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::rules::{Rule, Severity};
use crate::text_diff::describe;

/// One difference, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Which rule it falls under.
    pub rule: Rule,
    /// The rule's classification.
    pub severity: Severity,
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

/// Every operation of a document as `METHOD /path`, for pages added or gone.
pub fn operations(document: &OpenAPI) -> Vec<String> {
    document
        .paths
        .iter()
        .filter_map(|(path, item)| Some((path, item.as_item()?)))
        .flat_map(|(path, item)| {
            item.iter()
                .map(move |(method, _)| format!("{} {path}", method.to_uppercase()))
        })
        .collect()
}

/// A change for each operation of a page that appeared or disappeared upstream.
pub fn whole_page(document: &OpenAPI, rule: Rule, message: &str) -> Vec<Change> {
    operations(document)
        .into_iter()
        .map(|operation| Change {
            rule,
            severity: rule.severity(),
            operation: Some(operation),
            location: String::new(),
            message: message.to_owned(),
        })
        .collect()
}

/// Which side of the exchange a schema describes; it decides which rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Parameter,
    Request,
    Response,
}

struct Diff<'a> {
    old: &'a OpenAPI,
    new: &'a OpenAPI,
    operation: Option<String>,
    changes: Vec<Change>,
}

/// The keys of a schema's JSON form that are text, not shape.
const TEXT_KEYS: [&str; 5] = [
    "description",
    "title",
    "example",
    "externalDocs",
    "deprecated",
];
/// The keys of a schema's JSON form this module compares itself.
const SHAPE_KEYS: [&str; 10] = [
    "type",
    "format",
    "enum",
    "nullable",
    "properties",
    "required",
    "items",
    "oneOf",
    "anyOf",
    "allOf",
];

impl<'a> Diff<'a> {
    fn push(&mut self, rule: Rule, location: &str, message: impl Into<String>) {
        self.changes.push(Change {
            rule,
            severity: rule.severity(),
            operation: self.operation.clone(),
            location: location.to_owned(),
            message: message.into(),
        });
    }

    fn document(&mut self) {
        let (old, new) = (self.old, self.new);
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
        let before = operation_map(old);
        let after = operation_map(new);
        for (key, (old_path, old_op)) in &before {
            self.operation = Some(key.clone());
            match after.get(key) {
                None => self.push(Rule::EndpointRemoved, "", "the operation is gone"),
                Some((new_path, new_op)) => self.operation_pair(old_path, old_op, new_path, new_op),
            }
        }
        for key in after.keys().filter(|k| !before.contains_key(*k)) {
            self.operation = Some(key.clone());
            self.push(Rule::EndpointAdded, "", "a new operation");
        }
        self.operation = None;
    }

    fn operation_pair(
        &mut self,
        old_item: &'a openapiv3::PathItem,
        old: &'a Operation,
        new_item: &'a openapiv3::PathItem,
        new: &'a Operation,
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
            if a != b {
                let message = describe(field, a.as_deref(), b.as_deref());
                self.push(Rule::DocumentationChanged, field, message);
            }
        }
        if old.tags != new.tags {
            self.push(Rule::DocumentationChanged, "tags", "tags changed");
        }
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
        );
        self.request_body(old.request_body.as_ref(), new.request_body.as_ref());
        self.responses(old, new);
    }

    fn parameters(&mut self, old: Vec<&'a Parameter>, new: Vec<&'a Parameter>) {
        let key = |p: &Parameter| (location_of(p), p.parameter_data_ref().name.clone());
        let mut removed: Vec<&Parameter> = Vec::new();
        for before in &old {
            match new.iter().find(|p| key(p) == key(before)) {
                Some(after) => self.parameter_pair(before, after),
                None => removed.push(before),
            }
        }
        let mut added: Vec<&Parameter> = new
            .into_iter()
            .filter(|p| !old.iter().any(|o| key(o) == key(p)))
            .collect();
        // A parameter removed and one added at the same place with the same schema is a
        // rename: report it as one change the user can act on.
        for gone in removed {
            let (place, name) = key(gone);
            let renamed = added.iter().position(|a| {
                location_of(a) == place
                    && parameter_shape(self.old, gone) == parameter_shape(self.new, a)
            });
            match renamed {
                Some(i) => {
                    let to = added.remove(i).parameter_data_ref().name.clone();
                    self.push(
                        Rule::RequestParameterRenamed,
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
        let at = format!("{} parameter `{}`", location_of(old), a.name);
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
        let old = old.and_then(|b| {
            resolve(
                b,
                "#/components/requestBodies/",
                self.old.components.as_ref().map(|c| &c.request_bodies),
            )
        });
        let new = new.and_then(|b| {
            resolve(
                b,
                "#/components/requestBodies/",
                self.new.components.as_ref().map(|c| &c.request_bodies),
            )
        });
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
                if a.description != b.description {
                    let message = describe(
                        "description",
                        a.description.as_deref(),
                        b.description.as_deref(),
                    );
                    self.push(Rule::DocumentationChanged, at, message);
                }
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
        for (code, x) in &a {
            let Some((_, y)) = b.iter().find(|(c, _)| c == code) else {
                continue;
            };
            let components = |d: &'a OpenAPI| d.components.as_ref().map(|c| &c.responses);
            let (Some(x), Some(y)) = (
                resolve(x, "#/components/responses/", components(self.old)),
                resolve(y, "#/components/responses/", components(self.new)),
            ) else {
                continue;
            };
            self.response(&format!("response {code}"), x, y);
        }
    }

    fn response(&mut self, at: &str, old: &'a Response, new: &'a Response) {
        if old.description != new.description {
            let message = describe(
                "description",
                Some(&old.description),
                Some(&new.description),
            );
            self.push(Rule::DocumentationChanged, at, message);
        }
        if json(&old.headers) != json(&new.headers) {
            self.push(Rule::ResponseHeadersChanged, at, "headers changed");
        }
        let body = format!("{at} body");
        if old.content.is_empty() != new.content.is_empty() {
            let message = if new.content.is_empty() {
                "the body is gone"
            } else {
                "now has a body"
            };
            let rule = if new.content.is_empty() {
                Rule::ResponseMediaTypeRemoved
            } else {
                Rule::ResponseMediaTypeAdded
            };
            self.push(rule, &body, message);
            return;
        }
        self.content(Side::Response, &body, &old.content, &new.content);
    }

    /// Compares two schemas at `at` (`path` is the property path inside it). `expanding`
    /// holds the `$ref`s being followed on the way here: meeting one again is a recursive
    /// schema, whose shape was compared where the recursion started.
    fn schema(
        &mut self,
        side: Side,
        at: &str,
        path: &str,
        old: SchemaRef<'a>,
        new: SchemaRef<'a>,
        expanding: &[&'a str],
    ) {
        let place = if path.is_empty() {
            at.to_owned()
        } else {
            format!("{at} `{path}`")
        };
        let refs: Vec<&'a str> = [old, new]
            .into_iter()
            .filter_map(|r| match r {
                SchemaRef::Ref(reference) => Some(reference),
                SchemaRef::Item(_) => None,
            })
            .collect();
        if refs.iter().any(|r| expanding.contains(r)) {
            if refs.len() != 2 || refs[0] != refs[1] {
                self.push(type_changed(side), &place, "its `$ref` changed");
            }
            return;
        }
        let expanding = [expanding, &refs[..]].concat();
        let (old, new) = (resolve_schema(self.old, old), resolve_schema(self.new, new));
        let (Resolved::Schema(a), Resolved::Schema(b)) = (old, new) else {
            if json_of(old) != json_of(new) {
                self.push(type_changed(side), &place, "its `$ref` changed");
            }
            return;
        };
        let (ja, jb) = (json_of(old), json_of(new));
        let (ta, tb) = (type_name(&ja), type_name(&jb));
        if ta != tb {
            self.push(
                type_changed(side),
                &place,
                format!("type changed from {ta} to {tb}"),
            );
            return;
        }
        match (a.schema_data.nullable, b.schema_data.nullable) {
            (false, true) => self.push(became_nullable(side), &place, "now nullable"),
            (true, false) => self.push(became_not_nullable(side), &place, "no longer nullable"),
            _ => {}
        }
        self.enum_values(side, &place, &ja, &jb);
        let text = |j: &Value| keep(j, &TEXT_KEYS);
        let (xa, xb) = (text(&ja), text(&jb));
        if xa != xb {
            let notes: Vec<String> = changed_keys(&xa, &xb)
                .into_iter()
                .map(|key| match (xa.get(&key), xb.get(&key)) {
                    (Some(Value::String(_)) | None, Some(Value::String(_)) | None) => {
                        let (a, b) = (xa.get(&key), xb.get(&key));
                        describe(&key, a.and_then(Value::as_str), b.and_then(Value::as_str))
                    }
                    _ => format!("{key} changed"),
                })
                .collect();
            self.push(Rule::DocumentationChanged, &place, notes.join("; "));
        }
        let constraints = |j: &Value| strip(j.clone(), &[&TEXT_KEYS[..], &SHAPE_KEYS[..]].concat());
        let (ca, cb) = (constraints(&ja), constraints(&jb));
        if ca != cb {
            let rule = match side {
                Side::Parameter => Rule::RequestParameterConstraintChanged,
                Side::Request => Rule::RequestPropertyConstraintChanged,
                Side::Response => Rule::ResponsePropertyConstraintChanged,
            };
            let keys = changed_keys(&ca, &cb);
            let details: Vec<String> = keys
                .iter()
                .map(|k| format!("`{k}` {} → {}", show(ca.get(k)), show(cb.get(k))))
                .collect();
            self.push(rule, &place, details.join(", "));
        }
        // Nested properties of parameters are sent like request properties.
        let side = if side == Side::Parameter {
            Side::Request
        } else {
            side
        };
        self.properties(side, at, path, a, b, &expanding);
        match (items(a), items(b)) {
            (Some(x), Some(y)) => self.schema(side, at, &format!("{path}[]"), x, y, &expanding),
            (None, None) => {}
            _ => self.push(type_changed(side), &place, "array items added or removed"),
        }
        for (keyword, x, y) in variants(a, b) {
            if x.len() != y.len() {
                let message = format!("{keyword} has {} variants, was {}", y.len(), x.len());
                self.push(type_changed(side), &place, message);
                continue;
            }
            for (i, (x, y)) in x.into_iter().zip(y).enumerate() {
                let inner = format!("{path}({keyword} {})", i + 1);
                self.schema(side, at, &inner, x, y, &expanding);
            }
        }
    }

    fn properties(
        &mut self,
        side: Side,
        at: &str,
        path: &str,
        old: &'a Schema,
        new: &'a Schema,
        expanding: &[&'a str],
    ) {
        let (Some(pa), Some(pb)) = (properties(old), properties(new)) else {
            return;
        };
        let (ra, rb) = (required(old), required(new));
        let child = |name: &str| {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        let place = |name: &str| format!("{at} `{}`", child(name));
        for name in pa.keys().filter(|n| !pb.contains_key(*n)) {
            let rule = match side {
                Side::Response => Rule::ResponsePropertyRemoved,
                _ => Rule::RequestPropertyRemoved,
            };
            self.push(rule, &place(name), "removed");
        }
        for name in pb.keys().filter(|n| !pa.contains_key(*n)) {
            let is_required = rb.contains(name);
            let (rule, message) = match (side, is_required) {
                (Side::Response, true) => (Rule::ResponsePropertyAdded, "added, required"),
                (Side::Response, false) => (Rule::ResponsePropertyAdded, "added, optional"),
                (_, true) => (Rule::NewRequiredRequestProperty, "added, required"),
                (_, false) => (Rule::NewOptionalRequestProperty, "added, optional"),
            };
            self.push(rule, &place(name), message);
        }
        for (name, x) in pa {
            let Some(y) = pb.get(name) else { continue };
            let (was, is) = (ra.contains(name), rb.contains(name));
            let rule = match (side, was, is) {
                (Side::Response, true, false) => {
                    Some((Rule::ResponsePropertyBecameOptional, "now optional"))
                }
                (Side::Response, false, true) => {
                    Some((Rule::ResponsePropertyBecameRequired, "now required"))
                }
                (_, true, false) if side != Side::Response => {
                    Some((Rule::RequestPropertyBecameOptional, "now optional"))
                }
                (_, false, true) if side != Side::Response => {
                    Some((Rule::RequestPropertyBecameRequired, "now required"))
                }
                _ => None,
            };
            if let Some((rule, message)) = rule {
                self.push(rule, &place(name), message);
            }
            self.schema(side, at, &child(name), x.into(), y.into(), expanding);
        }
    }

    fn enum_values(&mut self, side: Side, place: &str, old: &Value, new: &Value) {
        let values = |j: &Value| -> BTreeSet<String> {
            j.get("enum")
                .and_then(Value::as_array)
                .map(|v| v.iter().map(|x| x.to_string()).collect())
                .unwrap_or_default()
        };
        let (a, b) = (values(old), values(new));
        if a.is_empty() || b.is_empty() {
            // Going from "any value" to an enum (or back) is a type change at heart.
            if a != b {
                self.push(type_changed(side), place, "an enum was added or removed");
            }
            return;
        }
        let (added, removed) = match side {
            Side::Parameter => (
                Rule::RequestParameterEnumValueAdded,
                Rule::RequestParameterEnumValueRemoved,
            ),
            Side::Request => (
                Rule::RequestPropertyEnumValueAdded,
                Rule::RequestPropertyEnumValueRemoved,
            ),
            Side::Response => (
                Rule::ResponsePropertyEnumValueAdded,
                Rule::ResponsePropertyEnumValueRemoved,
            ),
        };
        for value in a.difference(&b) {
            self.push(removed, place, format!("enum value {value} removed"));
        }
        for value in b.difference(&a) {
            self.push(added, place, format!("enum value {value} added"));
        }
    }
}

fn type_changed(side: Side) -> Rule {
    match side {
        Side::Parameter => Rule::RequestParameterTypeChanged,
        Side::Request => Rule::RequestPropertyTypeChanged,
        Side::Response => Rule::ResponsePropertyTypeChanged,
    }
}

fn became_nullable(side: Side) -> Rule {
    match side {
        Side::Parameter => Rule::RequestParameterBecameNullable,
        Side::Request => Rule::RequestPropertyBecameNullable,
        Side::Response => Rule::ResponsePropertyBecameNullable,
    }
}

fn became_not_nullable(side: Side) -> Rule {
    match side {
        Side::Parameter => Rule::RequestParameterBecameNotNullable,
        Side::Request => Rule::RequestPropertyBecameNotNullable,
        Side::Response => Rule::ResponsePropertyBecameNotNullable,
    }
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
    let key = |p: &Parameter| (location_of(p), p.parameter_data_ref().name.clone());
    let mut all: Vec<&Parameter> = resolve_all(&item.parameters)
        .into_iter()
        .filter(|p| !own.iter().any(|o| key(o) == key(p)))
        .collect();
    all.extend(own);
    all
}

/// What a parameter accepts, without its name and text: two parameters with the same
/// shape differ only in what they are called.
fn parameter_shape(document: &OpenAPI, parameter: &Parameter) -> (bool, Map<String, Value>) {
    let data = parameter.parameter_data_ref();
    let shape = match &data.format {
        ParameterSchemaOrContent::Schema(schema) => {
            json_of(resolve_schema(document, schema.into()))
        }
        ParameterSchemaOrContent::Content(content) => json(content),
    };
    (data.required, strip(shape, &TEXT_KEYS))
}

fn location_of(parameter: &Parameter) -> &'static str {
    match parameter {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
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

/// A schema or a `$ref` to one.
#[derive(Clone, Copy)]
enum SchemaRef<'a> {
    Ref(&'a str),
    Item(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SchemaRef<'a> {
    fn from(value: &'a ReferenceOr<Schema>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => Self::Ref(reference),
            ReferenceOr::Item(schema) => Self::Item(schema),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SchemaRef<'a> {
    fn from(value: &'a ReferenceOr<Box<Schema>>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => Self::Ref(reference),
            ReferenceOr::Item(schema) => Self::Item(schema),
        }
    }
}

/// A schema after following `$ref`s into `components/schemas`, or the `$ref` that could
/// not be followed.
#[derive(Clone, Copy)]
enum Resolved<'a> {
    Schema(&'a Schema),
    Unresolved(&'a str),
}

fn resolve_schema<'a>(document: &'a OpenAPI, schema: SchemaRef<'a>) -> Resolved<'a> {
    let mut current = schema;
    // Bounded, so a `$ref` cycle ends as an unresolved reference.
    for _ in 0..16 {
        match current {
            SchemaRef::Item(schema) => return Resolved::Schema(schema),
            SchemaRef::Ref(reference) => {
                let next = reference
                    .strip_prefix("#/components/schemas/")
                    .and_then(|name| document.components.as_ref()?.schemas.get(name));
                match next {
                    Some(next) => current = next.into(),
                    None => return Resolved::Unresolved(reference),
                }
            }
        }
    }
    match current {
        SchemaRef::Ref(reference) => Resolved::Unresolved(reference),
        SchemaRef::Item(schema) => Resolved::Schema(schema),
    }
}

fn json_of(resolved: Resolved<'_>) -> Value {
    match resolved {
        Resolved::Schema(schema) => json(schema),
        Resolved::Unresolved(reference) => Value::String(reference.to_owned()),
    }
}

fn properties(schema: &Schema) -> Option<&IndexMap<String, ReferenceOr<Box<Schema>>>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => Some(&object.properties),
        SchemaKind::Any(any) => Some(&any.properties),
        _ => None,
    }
}

fn required(schema: &Schema) -> &[String] {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => &object.required,
        SchemaKind::Any(any) => &any.required,
        _ => &[],
    }
}

fn items(schema: &Schema) -> Option<SchemaRef<'_>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Array(array)) => array.items.as_ref().map(Into::into),
        SchemaKind::Any(any) => any.items.as_ref().map(Into::into),
        _ => None,
    }
}

type Variants<'a> = (&'static str, Vec<SchemaRef<'a>>, Vec<SchemaRef<'a>>);

/// The `oneOf`/`anyOf`/`allOf` lists both schemas have, paired by keyword.
fn variants<'a>(old: &'a Schema, new: &'a Schema) -> Vec<Variants<'a>> {
    fn refs(list: &[ReferenceOr<Schema>]) -> Vec<SchemaRef<'_>> {
        list.iter().map(Into::into).collect()
    }
    fn lists(schema: &Schema) -> [(&'static str, Vec<SchemaRef<'_>>); 3] {
        match &schema.schema_kind {
            SchemaKind::OneOf { one_of } => [
                ("oneOf", refs(one_of)),
                ("anyOf", vec![]),
                ("allOf", vec![]),
            ],
            SchemaKind::AnyOf { any_of } => [
                ("oneOf", vec![]),
                ("anyOf", refs(any_of)),
                ("allOf", vec![]),
            ],
            SchemaKind::AllOf { all_of } => [
                ("oneOf", vec![]),
                ("anyOf", vec![]),
                ("allOf", refs(all_of)),
            ],
            SchemaKind::Any(any) => [
                ("oneOf", refs(&any.one_of)),
                ("anyOf", refs(&any.any_of)),
                ("allOf", refs(&any.all_of)),
            ],
            _ => [("oneOf", vec![]), ("anyOf", vec![]), ("allOf", vec![])],
        }
    }
    lists(old)
        .into_iter()
        .zip(lists(new))
        .filter(|((_, x), (_, y))| !(x.is_empty() && y.is_empty()))
        .map(|((keyword, x), (_, y))| (keyword, x, y))
        .collect()
}

/// `string`, `string (date-time)`, `array`, `oneOf`, `any`, ...
fn type_name(schema: &Value) -> String {
    let kind = match schema.get("type").and_then(Value::as_str) {
        Some(kind) => kind.to_owned(),
        None => ["oneOf", "anyOf", "allOf", "not"]
            .into_iter()
            .find(|k| schema.get(*k).is_some() && schema.get("properties").is_none())
            .unwrap_or(if schema.get("properties").is_some() {
                "object"
            } else {
                "any"
            })
            .to_owned(),
    };
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{kind} ({format})"),
        None => kind,
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

fn show(value: Option<&Value>) -> String {
    value.map_or("(none)".to_owned(), Value::to_string)
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
        let text = format!(
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
        );
        tavus_openapi::parse_document(&text, "test").unwrap()
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
    }
}
