use indexmap::IndexMap;
use openapiv3::{
    ObjectType, OpenAPI, Operation, ReferenceOr, Schema, SchemaKind, StatusCode, Type,
};

use super::{add_named_schemas, bare_schema, operation_id, operations_mut, pascal_case};
use crate::SpecError;

/// Gives the error responses of each operation one named schema, `<OperationId>Error`.
///
/// progenitor names every inline schema of an operation's responses
/// `<OperationId>Response`, so typify folds a 401 `{message}` and a 400 `{error}` into
/// whichever it saw first, and the type of an error is named like a success. It also
/// needs all error responses of an operation to share one type. This moves each
/// operation's error schemas into `components/schemas` as one schema: the shape itself
/// when all error responses agree, or else an object with the properties of every
/// shape, none required, so the caller can read whichever fields the server sent.
pub fn name_error_responses(spec: &mut OpenAPI) -> Result<(), SpecError> {
    let mut named = Vec::new();
    for (path, method, operation) in operations_mut(spec) {
        let id = operation_id(&path, method, operation)?;
        let schemas: Vec<Schema> = error_json_schemas(operation)
            .filter_map(|schema| schema.as_item().cloned())
            .collect();
        let Some(union) = union_of(&schemas) else {
            continue;
        };
        let name = format!("{}Error", pascal_case(&id));
        for schema in error_json_schemas(operation) {
            *schema = ReferenceOr::ref_(&format!("#/components/schemas/{name}"));
        }
        named.push((name, union));
    }
    add_named_schemas(spec, named, "name_error_responses")
}

fn union_of(schemas: &[Schema]) -> Option<Schema> {
    let first = schemas.first()?;
    if schemas.iter().all(|s| s == first) {
        return Some(first.clone());
    }
    let mut properties = IndexMap::default();
    for schema in schemas {
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
            return Some(bare_schema(SchemaKind::Any(Default::default())));
        };
        for (name, property) in &object.properties {
            properties
                .entry(name.clone())
                .or_insert_with(|| property.clone());
        }
    }
    Some(bare_schema(SchemaKind::Type(Type::Object(ObjectType {
        properties,
        ..Default::default()
    }))))
}

fn is_error(status: &StatusCode) -> bool {
    match status {
        StatusCode::Code(code) => (400..600).contains(code),
        StatusCode::Range(range) => (4..=5).contains(range),
    }
}

/// The inline JSON schemas of the operation's 4xx and 5xx responses.
fn error_json_schemas(operation: &mut Operation) -> impl Iterator<Item = &mut ReferenceOr<Schema>> {
    let responses = operation.responses.responses.iter_mut();
    responses
        .filter(|(status, _)| is_error(status))
        .filter_map(|(_, response)| match response {
            ReferenceOr::Item(response) => response.content.get_mut("application/json"),
            ReferenceOr::Reference { .. } => None,
        })
        .filter_map(|media| media.schema.as_mut())
        .filter(|schema| matches!(schema, ReferenceOr::Item(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapt::tests::operation;
    use crate::adapt::tests::spec;

    const MESSAGE: &str = "{type: object, properties: {message: {type: string}}}";
    const ERROR: &str = "{type: object, properties: {error: {type: string}}}";

    fn error_schema(spec: &OpenAPI) -> &Schema {
        spec.components.as_ref().unwrap().schemas["GetXError"]
            .as_item()
            .unwrap()
    }

    fn property_names(schema: &Schema) -> Vec<&str> {
        let SchemaKind::Type(Type::Object(o)) = &schema.schema_kind else {
            panic!("not an object: {schema:?}")
        };
        o.properties.keys().map(String::as_str).collect()
    }

    #[test]
    fn different_error_shapes_become_one_named_union() {
        let mut s = spec(&format!(
            "        '200': {{description: ok, content: {{application/json: {{schema: {{type: object, properties: {{id: {{type: string}}}}}}}}}}}}\n        '400': {{description: bad, content: {{application/json: {{schema: {ERROR}}}}}}}\n        '401': {{description: no, content: {{application/json: {{schema: {MESSAGE}}}}}}}\n"
        ));
        name_error_responses(&mut s).unwrap();
        assert_eq!(property_names(error_schema(&s)), ["error", "message"]);
        let op = operation(&s, "get");
        for code in [400, 401] {
            let response = op.responses.responses[&StatusCode::Code(code)]
                .as_item()
                .unwrap();
            let schema = response.content["application/json"]
                .schema
                .as_ref()
                .unwrap();
            assert!(
                matches!(schema, ReferenceOr::Reference { reference } if reference == "#/components/schemas/GetXError"),
                "{schema:?}"
            );
        }
        let ok = op.responses.responses[&StatusCode::Code(200)]
            .as_item()
            .unwrap();
        assert!(
            ok.content["application/json"]
                .schema
                .as_ref()
                .unwrap()
                .as_item()
                .is_some()
        );
    }

    #[test]
    fn identical_error_shapes_keep_their_shape() {
        let mut s = spec(&format!(
            "        '204': {{description: gone}}\n        '401': {{description: no, content: {{application/json: {{schema: {MESSAGE}}}}}}}\n        '404': {{description: missing, content: {{application/json: {{schema: {MESSAGE}}}}}}}\n"
        ));
        let before = operation(&s, "get").responses.responses[&StatusCode::Code(401)]
            .as_item()
            .unwrap()
            .content["application/json"]
            .schema
            .clone()
            .unwrap()
            .into_item()
            .unwrap();
        name_error_responses(&mut s).unwrap();
        assert_eq!(error_schema(&s), &before);
    }

    #[test]
    fn a_name_the_spec_already_has_is_an_error_naming_the_adaptation() {
        let mut s = spec(&format!(
            "        '404': {{description: missing, content: {{application/json: {{schema: {MESSAGE}}}}}}}\n"
        ));
        s.components
            .get_or_insert_with(Default::default)
            .schemas
            .insert("GetXError".into(), ReferenceOr::Item(error_schema_like()));
        let err = name_error_responses(&mut s).unwrap_err().to_string();
        assert!(
            err.contains("`name_error_responses` names a schema `GetXError`")
                && err.contains("already has components/schemas/GetXError"),
            "{err}"
        );
    }

    fn error_schema_like() -> Schema {
        serde_json::from_value(serde_json::json!({"type": "object"})).unwrap()
    }

    #[test]
    fn operations_without_error_bodies_are_left_alone() {
        let mut s = spec("        '204': {description: gone}\n");
        name_error_responses(&mut s).unwrap();
        assert!(s.components.unwrap_or_default().schemas.is_empty());
    }
}
