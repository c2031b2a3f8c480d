//! Comparing two schemas: properties, items and variants are walked through `openapiv3`'s
//! types (following `$ref`s), leaves are compared on the schema's JSON form.

use std::borrow::Borrow;
use std::collections::BTreeSet;

use indexmap::IndexMap;
use openapiv3::{
    OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, Type,
};
use serde_json::{Map, Value};

use super::{Diff, READ_SCHEMA_EXTENSION, Side, changed_keys, json, keep, strip};
use crate::rules::Rule;
use crate::text_diff::describe;

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
    /// Compares two schemas at `at` (`path` is the property path inside it). `expanding`
    /// holds the `$ref`s being followed on the way here: meeting one again is a recursive
    /// schema, whose shape was compared where the recursion started.
    pub(super) fn schema(
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
        let nullable = match (a.schema_data.nullable, b.schema_data.nullable) {
            (false, true) => Some((BECAME_NULLABLE, "now nullable")),
            (true, false) => Some((BECAME_NOT_NULLABLE, "no longer nullable")),
            _ => None,
        };
        if let Some((rules, message)) = nullable {
            self.push(side.pick(rules), &place, message);
        }
        self.enum_values(side, &place, &ja, &jb);
        if ja.get(READ_SCHEMA_EXTENSION) != jb.get(READ_SCHEMA_EXTENSION) {
            let message =
                format!("`{READ_SCHEMA_EXTENSION}` changed: typify generates another type");
            self.push(type_changed(side), &place, message);
        }
        // Text, and the vendor extensions the generator does not read.
        let text = |j: &Value| {
            let mut text = keep(j, &TEXT_KEYS);
            text.remove(READ_SCHEMA_EXTENSION);
            text
        };
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
            let rule = side.pick([
                Rule::RequestParameterConstraintChanged,
                Rule::RequestPropertyConstraintChanged,
                Rule::ResponsePropertyConstraintChanged,
            ]);
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
        // Properties of parameters are request properties (`schema` makes it so).
        let by_side = |request, response| side.pick([request, request, response]);
        for name in pa.keys().filter(|n| !pb.contains_key(*n)) {
            let rule = by_side(Rule::RequestPropertyRemoved, Rule::ResponsePropertyRemoved);
            self.push(rule, &place(name), "removed");
        }
        for name in pb.keys().filter(|n| !pa.contains_key(*n)) {
            let (rule, message) = if rb.contains(name) {
                (Rule::NewRequiredRequestProperty, "added, required")
            } else {
                (Rule::NewOptionalRequestProperty, "added, optional")
            };
            let rule = by_side(rule, Rule::ResponsePropertyAdded);
            self.push(rule, &place(name), message);
        }
        for (name, x) in pa {
            let Some(y) = pb.get(name) else { continue };
            let change = match (ra.contains(name), rb.contains(name)) {
                (true, false) => Some((
                    by_side(
                        Rule::RequestPropertyBecameOptional,
                        Rule::ResponsePropertyBecameOptional,
                    ),
                    "now optional",
                )),
                (false, true) => Some((
                    by_side(
                        Rule::RequestPropertyBecameRequired,
                        Rule::ResponsePropertyBecameRequired,
                    ),
                    "now required",
                )),
                _ => None,
            };
            if let Some((rule, message)) = change {
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
        for value in a.difference(&b) {
            let rule = side.pick([
                Rule::RequestParameterEnumValueRemoved,
                Rule::RequestPropertyEnumValueRemoved,
                Rule::ResponsePropertyEnumValueRemoved,
            ]);
            self.push(rule, place, format!("enum value {value} removed"));
        }
        for value in b.difference(&a) {
            let rule = side.pick([
                Rule::RequestParameterEnumValueAdded,
                Rule::RequestPropertyEnumValueAdded,
                Rule::ResponsePropertyEnumValueAdded,
            ]);
            self.push(rule, place, format!("enum value {value} added"));
        }
    }
}

pub(super) fn type_changed(side: Side) -> Rule {
    side.pick([
        Rule::RequestParameterTypeChanged,
        Rule::RequestPropertyTypeChanged,
        Rule::ResponsePropertyTypeChanged,
    ])
}

const BECAME_NULLABLE: [Rule; 3] = [
    Rule::RequestParameterBecameNullable,
    Rule::RequestPropertyBecameNullable,
    Rule::ResponsePropertyBecameNullable,
];
const BECAME_NOT_NULLABLE: [Rule; 3] = [
    Rule::RequestParameterBecameNotNullable,
    Rule::RequestPropertyBecameNotNullable,
    Rule::ResponsePropertyBecameNotNullable,
];

/// A schema or a `$ref` to one.
#[derive(Clone, Copy)]
pub(super) enum SchemaRef<'a> {
    Ref(&'a str),
    Item(&'a Schema),
}

/// From a `ReferenceOr<Schema>` or a `ReferenceOr<Box<Schema>>`.
impl<'a, T: Borrow<Schema>> From<&'a ReferenceOr<T>> for SchemaRef<'a> {
    fn from(value: &'a ReferenceOr<T>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => Self::Ref(reference),
            ReferenceOr::Item(schema) => Self::Item(schema.borrow()),
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
        let SchemaRef::Ref(reference) = current else {
            break;
        };
        let next = reference
            .strip_prefix("#/components/schemas/")
            .and_then(|name| document.components.as_ref()?.schemas.get(name));
        match next {
            Some(next) => current = next.into(),
            None => return Resolved::Unresolved(reference),
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
    /// The `oneOf`, `anyOf` and `allOf` lists of a schema, empty when it has none.
    fn lists(schema: &Schema) -> [Vec<SchemaRef<'_>>; 3] {
        let none: &[ReferenceOr<Schema>] = &[];
        let lists = match &schema.schema_kind {
            SchemaKind::OneOf { one_of } => [&one_of[..], none, none],
            SchemaKind::AnyOf { any_of } => [none, any_of, none],
            SchemaKind::AllOf { all_of } => [none, none, all_of],
            SchemaKind::Any(any) => [&any.one_of[..], &any.any_of, &any.all_of],
            _ => [none; 3],
        };
        lists.map(|list| list.iter().map(Into::into).collect())
    }
    ["oneOf", "anyOf", "allOf"]
        .into_iter()
        .zip(lists(old).into_iter().zip(lists(new)))
        .filter(|(_, (x, y))| !(x.is_empty() && y.is_empty()))
        .map(|(keyword, (x, y))| (keyword, x, y))
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

fn show(value: Option<&Value>) -> String {
    value.map_or("(none)".to_owned(), Value::to_string)
}

/// What a parameter accepts, without its name and text: two parameters with the same
/// shape differ only in what they are called.
pub(super) fn parameter_shape(
    document: &OpenAPI,
    parameter: &Parameter,
) -> (bool, Map<String, Value>) {
    let data = parameter.parameter_data_ref();
    let shape = match &data.format {
        ParameterSchemaOrContent::Schema(schema) => {
            json_of(resolve_schema(document, schema.into()))
        }
        ParameterSchemaOrContent::Content(content) => json(content),
    };
    (data.required, strip(shape, &TEXT_KEYS))
}
