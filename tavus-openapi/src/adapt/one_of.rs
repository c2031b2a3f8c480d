use openapiv3::{
    AnySchema, ObjectType, OpenAPI, ReferenceOr, Schema, SchemaData, SchemaKind, Type,
};

use super::{add_named_schemas, pascal_case, walk_request_bodies, walk_responses};
use crate::SpecError;

/// Turns an object whose `oneOf` sits beside its own `properties` into a `oneOf` of
/// whole objects, each named by its alternative's `title`.
///
/// `generateVideo` takes the common fields (`replica_id`, `video_name`, ...) as
/// `properties` and the choice between a script and an audio file as a `oneOf` next to
/// them. typify merges the common fields into each alternative itself, but drops the
/// alternatives' titles on the way (the caller gets `Variant0` and `Variant1`) and
/// copies each common nested object once per alternative (two identical
/// `...Properties` types). This does the merge itself: the common properties and
/// `required` go into each alternative, which becomes a named schema after its title
/// (`<Body><Title>`, so the variants read `Text` and `AudioFile`), and a common property
/// that typify would give a type of its own (an object or an enum) becomes one named
/// schema, `<Body><Property>`, that every alternative refers to.
///
/// Named, rather than inline, so that typify generates each alternative as a struct of
/// its own, with a builder and `#[non_exhaustive]`, inside a newtype variant: an inline
/// alternative is a struct *variant*, whose fields every caller must write out, so that
/// a property added upstream would break every call.
pub fn name_one_of_alternatives(spec: &mut OpenAPI) -> Result<(), SpecError> {
    let mut problems = Vec::new();
    let mut hoisted = Vec::new();
    let mut at = |schema: &mut Schema, name: &str| {
        if let Err(message) = merge_into_alternatives(schema, name, &mut hoisted) {
            problems.push(format!("{name}: {message}"));
        }
    };
    walk_request_bodies(spec, &mut at);
    walk_responses(spec, &mut at);
    if !problems.is_empty() {
        return Err(SpecError::Adapt(problems.join("; ")));
    }
    add_named_schemas(spec, hoisted, "name_one_of_alternatives")
}

fn merge_into_alternatives(
    schema: &mut Schema,
    name: &str,
    hoisted: &mut Vec<(String, Schema)>,
) -> Result<(), String> {
    let SchemaKind::Any(any) = &mut schema.schema_kind else {
        return Ok(());
    };
    if any.one_of.is_empty() || any.properties.is_empty() || !only_object_parts(any) {
        return Ok(());
    }
    for (property, schema) in &mut any.properties {
        if let ReferenceOr::Item(inner) = schema
            && has_own_type(inner)
        {
            let own = format!("{name}{}", pascal_case(property));
            hoisted.push((own.clone(), (**inner).clone()));
            *schema = ReferenceOr::ref_(&format!("#/components/schemas/{own}"));
        }
    }
    let mut alternatives = Vec::with_capacity(any.one_of.len());
    for (i, alternative) in any.one_of.iter().enumerate() {
        let ReferenceOr::Item(Schema {
            schema_data,
            schema_kind: SchemaKind::Type(Type::Object(object)),
        }) = alternative
        else {
            return Err(
                "a `oneOf` beside `properties` holds something other than an inline object".into(),
            );
        };
        let mut merged = ObjectType {
            properties: any.properties.clone(),
            required: any.required.clone(),
            additional_properties: any.additional_properties.clone(),
            ..Default::default()
        };
        for (property, schema) in &object.properties {
            if merged
                .properties
                .insert(property.clone(), schema.clone())
                .is_some()
            {
                return Err(format!(
                    "`{property}` is both a common property and an alternative's"
                ));
            }
        }
        merged.required.extend(object.required.iter().cloned());
        let title = match &schema_data.title {
            Some(title) => format!("{name}{}", pascal_case(title)),
            None => format!("{name}Variant{i}"),
        };
        hoisted.push((
            title.clone(),
            Schema {
                schema_data: SchemaData {
                    description: schema_data.description.clone(),
                    ..Default::default()
                },
                schema_kind: SchemaKind::Type(Type::Object(merged)),
            },
        ));
        alternatives.push(ReferenceOr::ref_(&format!("#/components/schemas/{title}")));
    }
    schema.schema_kind = SchemaKind::OneOf {
        one_of: alternatives,
    };
    Ok(())
}

/// Whether typify gives this schema a type of its own (a struct or an enum), which
/// would otherwise be generated once per alternative.
fn has_own_type(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => !object.properties.is_empty(),
        SchemaKind::Type(Type::String(string)) => !string.enumeration.is_empty(),
        SchemaKind::Type(_) => false,
        _ => true,
    }
}

/// An object schema made only of `properties`, `required`, `additionalProperties` and
/// `oneOf`: nothing that would be lost by distributing it over the alternatives.
fn only_object_parts(any: &AnySchema) -> bool {
    matches!(any.typ.as_deref(), None | Some("object"))
        && *any
            == AnySchema {
                typ: any.typ.clone(),
                properties: any.properties.clone(),
                required: any.required.clone(),
                additional_properties: any.additional_properties.clone(),
                one_of: any.one_of.clone(),
                ..Default::default()
            }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapt::tests::operation;

    const BODY: &str = "{type: object, description: A video, properties: {replica_id: {type: string}, properties: {type: object, properties: {fast: {type: boolean}}}}, required: [replica_id], oneOf: [{title: Generate from Text, type: object, properties: {script: {type: string}}, required: [script]}, {title: Generate from Audio File, type: object, properties: {audio_url: {type: string}}, required: [audio_url]}]}";

    fn body_spec(schema: &str) -> OpenAPI {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /v2/x:\n    post:\n      operationId: postX\n      requestBody: {{content: {{application/json: {{schema: {schema}}}}}}}\n      responses: {{'204': {{description: ok}}}}\n"
        );
        crate::parse_document(&text, "t").unwrap()
    }

    fn body(spec: &OpenAPI) -> serde_json::Value {
        let op = operation(spec, "post");
        let body = op.request_body.as_ref().unwrap().as_item().unwrap();
        serde_json::to_value(&body.content["application/json"].schema).unwrap()
    }

    #[test]
    fn common_properties_move_into_titled_alternatives() {
        let mut s = body_spec(BODY);
        name_one_of_alternatives(&mut s).unwrap();
        let with = |name: &str| {
            serde_json::json!({
                "replica_id": {"type": "string"},
                "properties": {"$ref": "#/components/schemas/PostXBodyProperties"},
                name: {"type": "string"}
            })
        };
        assert_eq!(
            body(&s),
            serde_json::json!({
                "description": "A video",
                "oneOf": [
                    {"$ref": "#/components/schemas/PostXBodyGenerateFromText"},
                    {"$ref": "#/components/schemas/PostXBodyGenerateFromAudioFile"}
                ]
            })
        );
        let schemas = &s.components.as_ref().unwrap().schemas;
        let named = |name: &str| serde_json::to_value(&schemas[name]).unwrap();
        assert_eq!(
            named("PostXBodyGenerateFromText"),
            serde_json::json!({"type": "object", "properties": with("script"), "required": ["replica_id", "script"]})
        );
        assert_eq!(
            named("PostXBodyGenerateFromAudioFile"),
            serde_json::json!({"type": "object", "properties": with("audio_url"), "required": ["replica_id", "audio_url"]})
        );
        let shared = named("PostXBodyProperties");
        assert_eq!(
            shared,
            serde_json::json!({"type": "object", "properties": {"fast": {"type": "boolean"}}})
        );
    }

    #[test]
    fn a_property_in_both_places_is_an_error_naming_it() {
        let clash = BODY.replace("{script: {type: string}}", "{replica_id: {type: string}}");
        let err = name_one_of_alternatives(&mut body_spec(&clash)).unwrap_err();
        assert!(
            err.to_string().contains("PostXBody: `replica_id` is both"),
            "{err}"
        );
    }

    #[test]
    fn a_plain_one_of_is_left_alone() {
        let plain = "{oneOf: [{type: string}, {type: integer}]}";
        let mut s = body_spec(plain);
        let before = s.clone();
        name_one_of_alternatives(&mut s).unwrap();
        assert_eq!(s, before);
    }
}
