//! Adaptations of the merged spec for `progenitor`.
//!
//! The vendored files stay verbatim; everything the generator needs changed is changed
//! here, in code, one named function per upstream quirk or generator trap. Each says
//! what it handles and why, and has a test that shows the quirk and the fix.
//!
//! Some quirks of the reference pages need no adaptation, because progenitor or the
//! YAML reader already reads them right; tests say so:
//! - an operation parameter repeating a path-level one (`getObjective`, `deletePersona`)
//!   replaces it, as OpenAPI says (progenitor merges parameters by name): both methods
//!   take their id once in `tavus-api/api-surface.txt` (`tests/api_surface.rs` keeps it
//!   current) and send it in `tests/tests/operations.rs`;
//! - an array without `items` (`createPersona`, `getPersona`) becomes a list of any JSON:
//!   `lists_without_items_and_free_form_objects_keep_any_json` in
//!   `tests/tests/operation_types.rs`;
//! - the enum value `off` stays the string `"off"` whether quoted or not (the reader
//!   follows YAML 1.2, where only `true` and `false` are booleans):
//!   `an_unquoted_off_enum_value_stays_a_string` below.

mod error_responses;
mod json_patch;
mod lenient_booleans;
mod not_modified;
mod one_of;
mod open_enums;
mod success_responses;
mod unknown_properties;

use std::borrow::BorrowMut;

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, MediaType, OpenAPI, Operation, Parameter, ParameterData,
    ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, StatusCode, Type,
};

pub use error_responses::name_error_responses;
pub use json_patch::allow_remove_without_value;
pub use lenient_booleans::{LENIENT_BOOL_MARK, lenient_booleans, mark_response_booleans};
pub use not_modified::drop_not_modified_bodies;
pub use one_of::name_one_of_alternatives;
pub use open_enums::open_enums;
pub use success_responses::check_success_responses;
pub use unknown_properties::keep_unknown_properties;

use crate::SpecError;
use crate::merge::operation_slots;

/// Applies every adaptation, in order, to a merged spec.
pub fn for_progenitor(mut spec: OpenAPI) -> Result<OpenAPI, SpecError> {
    // Checked first: the adaptations name what they make after the operationId.
    for (path, method, operation) in operations_mut(&mut spec) {
        operation_id(&path, method, operation)?;
    }
    drop_not_modified_bodies(&mut spec);
    check_success_responses(&spec)?;
    // Before `open_enums`, which would hide the patch's `op` enum from it.
    allow_remove_without_value(&mut spec);
    open_enums(&mut spec);
    // Before the schemas move to `components`, where the response walk does not look.
    mark_response_booleans(&mut spec);
    name_one_of_alternatives(&mut spec)?;
    name_error_responses(&mut spec)?;
    // Last: it also reaches the objects the two above name or merge.
    keep_unknown_properties(&mut spec)?;
    Ok(spec)
}

/// Every operation of the spec with its path and method.
pub(crate) fn operations_mut(
    spec: &mut OpenAPI,
) -> impl Iterator<Item = (String, &'static str, &mut Operation)> {
    let items = spec
        .paths
        .paths
        .iter_mut()
        .filter_map(|(path, item)| match item {
            ReferenceOr::Item(item) => Some((path, item)),
            ReferenceOr::Reference { .. } => None,
        });
    items.flat_map(|(path, item)| {
        operation_slots(item)
            .into_iter()
            .filter_map(|(method, operation)| Some((path.clone(), method, operation.as_mut()?)))
    })
}

/// Every operation with the name progenitor gives its types: its `operationId` in Pascal
/// case.
fn named_operations_mut(spec: &mut OpenAPI) -> impl Iterator<Item = (String, &mut Operation)> {
    operations_mut(spec).map(|(_, _, operation)| {
        let id = pascal_case(operation.operation_id.as_deref().unwrap_or_default());
        (id, operation)
    })
}

/// Adds the schemas an adaptation named to `components/schemas`. A name the spec already
/// has is an error naming the adaptation, since two schemas cannot share it.
pub(crate) fn add_named_schemas(
    spec: &mut OpenAPI,
    named: Vec<(String, Schema)>,
    adaptation: &str,
) -> Result<(), SpecError> {
    if named.is_empty() {
        return Ok(());
    }
    let components = spec.components.get_or_insert_with(Default::default);
    for (name, schema) in named {
        if components.schemas.contains_key(&name) {
            return Err(SpecError::Adapt(format!(
                "`{adaptation}` names a schema `{name}`, but the spec already has \
                 components/schemas/{name}: a vendored page defines a schema of that name, \
                 which the adaptation must now avoid"
            )));
        }
        components.schemas.insert(name, ReferenceOr::Item(schema));
    }
    Ok(())
}

/// A schema of `kind` with nothing else said about it.
pub(crate) fn bare_schema(kind: SchemaKind) -> Schema {
    Schema {
        schema_data: Default::default(),
        schema_kind: kind,
    }
}

/// The operation's `operationId`, which every adaptation that names things needs.
pub(crate) fn operation_id(
    path: &str,
    method: &str,
    operation: &Operation,
) -> Result<String, SpecError> {
    operation.operation_id.clone().ok_or_else(|| {
        SpecError::Adapt(format!(
            "{} {path} has no operationId: progenitor names the method and its types after it",
            method.to_uppercase()
        ))
    })
}

/// `deleteDocument` → `DeleteDocument`, `crawl_config` → `CrawlConfig`, `raven-0` →
/// `Raven0`, as typify names types: with `heck`, which its
/// `sanitize` calls, so the two cannot disagree.
pub(crate) fn pascal_case(operation_id: &str) -> String {
    heck::ToPascalCase::to_pascal_case(operation_id)
}

/// What a walk calls on each inline schema it reaches, with the type name typify gives it.
pub(crate) type OnSchema<'a> = dyn FnMut(&mut Schema, &str) + 'a;

/// Calls `f` on every inline schema inside `schema`, innermost first, then on `schema`,
/// each with the type name typify gives it: `name` for `schema`, then the parent's name
/// followed by the property name in Pascal case, `Item` for array items, `Value` for
/// map values and `Variant<n>` for alternatives.
///
/// Innermost first, so that `f` may replace a schema by one that contains it without
/// being called on the copy again.
pub(crate) fn walk_mut(schema: &mut Schema, name: &str, f: &mut OnSchema) {
    // An inline schema, boxed (properties, items) or not; a `$ref` is not followed.
    fn each<S: BorrowMut<Schema>>(schema: &mut ReferenceOr<S>, name: String, f: &mut OnSchema) {
        if let ReferenceOr::Item(schema) = schema {
            walk_mut(schema.borrow_mut(), &name, f);
        }
    }
    let properties = |properties: &mut IndexMap<String, ReferenceOr<Box<Schema>>>,
                      f: &mut OnSchema| {
        for (property, schema) in properties {
            each(schema, format!("{name}{}", pascal_case(property)), f);
        }
    };
    let alternatives = |all: &mut Vec<ReferenceOr<Schema>>, f: &mut OnSchema| {
        for (i, schema) in all.iter_mut().enumerate() {
            each(schema, format!("{name}Variant{i}"), f);
        }
    };
    match &mut schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            properties(&mut object.properties, f);
            if let Some(AdditionalProperties::Schema(extra)) = &mut object.additional_properties {
                each(extra, format!("{name}Value"), f);
            }
        }
        SchemaKind::Type(Type::Array(array)) => {
            if let Some(items) = &mut array.items {
                each(items, format!("{name}Item"), f);
            }
        }
        SchemaKind::OneOf { one_of: all }
        | SchemaKind::AllOf { all_of: all }
        | SchemaKind::AnyOf { any_of: all } => alternatives(all, f),
        SchemaKind::Not { not } => each(not, format!("{name}Not"), f),
        SchemaKind::Any(any) => {
            properties(&mut any.properties, f);
            if let Some(items) = &mut any.items {
                each(items, format!("{name}Item"), f);
            }
            alternatives(&mut any.one_of, f);
            alternatives(&mut any.all_of, f);
            alternatives(&mut any.any_of, f);
        }
        SchemaKind::Type(_) => {}
    }
    f(schema, name);
}

/// Walks ([`walk_mut`]) the inline schema of every media type of a body, named `name`.
fn walk_content(content: &mut IndexMap<String, MediaType>, name: &str, f: &mut OnSchema) {
    for media in content.values_mut() {
        if let Some(ReferenceOr::Item(schema)) = &mut media.schema {
            walk_mut(schema, name, f);
        }
    }
}

/// Calls `f` on every inline schema of every operation's request body, named as
/// progenitor names the body: `<OperationId>Body`.
pub(crate) fn walk_request_bodies(spec: &mut OpenAPI, f: &mut OnSchema) {
    for (id, operation) in named_operations_mut(spec) {
        if let Some(ReferenceOr::Item(body)) = &mut operation.request_body {
            walk_content(&mut body.content, &format!("{id}Body"), f);
        }
    }
}

/// Calls `f` on every inline schema of every operation's parameters, named as
/// progenitor names a parameter's type: `<OperationId><Parameter>`.
pub(crate) fn walk_parameters(spec: &mut OpenAPI, f: &mut OnSchema) {
    for (id, operation) in named_operations_mut(spec) {
        for parameter in &mut operation.parameters {
            let ReferenceOr::Item(parameter) = parameter else {
                continue;
            };
            let data = parameter_data_mut(parameter);
            if let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) = &mut data.format {
                walk_mut(schema, &format!("{id}{}", pascal_case(&data.name)), f);
            }
        }
    }
}

/// What every kind of parameter has: its name and schema.
fn parameter_data_mut(parameter: &mut Parameter) -> &mut ParameterData {
    match parameter {
        Parameter::Query { parameter_data, .. }
        | Parameter::Header { parameter_data, .. }
        | Parameter::Path { parameter_data, .. }
        | Parameter::Cookie { parameter_data, .. } => parameter_data,
    }
}

/// Calls `f` on every inline schema of every operation's responses, named
/// `<OperationId>Response` for 2xx responses (as progenitor names them) and
/// `<OperationId>Response<status>` for the others.
pub(crate) fn walk_responses(spec: &mut OpenAPI, f: &mut OnSchema) {
    for (id, operation) in named_operations_mut(spec) {
        for (status, response) in &mut operation.responses.responses {
            if let ReferenceOr::Item(response) = response {
                let name = match status {
                    StatusCode::Code(200..=299) | StatusCode::Range(2) => format!("{id}Response"),
                    other => format!("{id}Response{other}"),
                };
                walk_content(&mut response.content, &name, f);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use openapiv3::{OpenAPI, Operation};

    use super::for_progenitor;
    use crate::{SpecError, parse_document};

    /// A spec with one operation, `getX` on `GET /v2/x`, with the given responses
    /// (YAML indented for the `responses:` key).
    pub(crate) fn spec(responses: &str) -> OpenAPI {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /v2/x:\n    get:\n      operationId: getX\n      responses:\n{responses}"
        );
        parse_document(&text, "t").unwrap()
    }

    /// The operation `method` (`"get"`, `"post"`, ...) of `/v2/x`.
    pub(crate) fn operation<'a>(spec: &'a OpenAPI, method: &str) -> &'a Operation {
        let item = spec.paths.paths["/v2/x"].as_item().unwrap();
        item.iter().find(|(m, _)| *m == method).unwrap().1
    }

    /// Without the check up front, `name_one_of_alternatives` would fail first, about a
    /// body it named after an empty operationId.
    #[test]
    fn an_operation_without_an_id_is_refused_before_anything_is_named() {
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /v2/x:\n    post:\n      requestBody: {content: {application/json: {schema: {oneOf: [{type: string}, {type: object, title: B}], properties: {n: {type: string}}}}}}\n      responses: {'204': {description: ok}}\n";
        let err = for_progenitor(parse_document(text, "t").unwrap()).unwrap_err();
        assert_eq!(
            err.to_string(),
            SpecError::Adapt(
                "POST /v2/x has no operationId: progenitor names the method and its types after it"
                    .into()
            )
            .to_string()
        );
    }

    #[test]
    fn an_unquoted_off_enum_value_stays_a_string() {
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    M: {type: string, enum: [raven-0, off, 'off']}\n";
        let spec = parse_document(text, "t").unwrap();
        let schema = serde_json::to_value(&spec.components.unwrap().schemas["M"]).unwrap();
        assert_eq!(schema["enum"], serde_json::json!(["raven-0", "off", "off"]));
    }
}
