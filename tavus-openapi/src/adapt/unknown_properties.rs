use openapiv3::{AdditionalProperties, AnySchema, OpenAPI, ReferenceOr, Schema, SchemaKind, Type};

use super::{bare_schema, walk_mut, walk_request_bodies, walk_responses};
use crate::SpecError;

/// Keeps the properties of an object that the vendored spec does not declare, in
/// responses and in request bodies.
///
/// The spec leaves `additionalProperties` unset on its objects, which JSON Schema reads
/// as "any other property is allowed", and typify, for readability, then ignores other
/// properties: serde drops them while decoding. So a property Tavus has added since the
/// page was vendored (a video's `generation_progress`, a replica's `model_name`) is lost
/// to the caller, and a caller cannot send one (`pal_id` on create conversation). Each
/// object with declared properties gets `additionalProperties: {}`, which typify generates
/// as a `#[serde(flatten)] extra: serde_json::Map<String, Value>` field: what is not
/// declared is kept when decoding, written back when encoding, and can be set through the
/// builder's `extra`. (typify's builders then require `extra` to be set:
/// [`crate::code::default_flattened_maps`] fixes that.)
///
/// An object that already says what other properties may be (`additionalProperties: false`
/// or a schema) is left alone. One that declares a property named `extra` is refused,
/// since the field that keeps the others is named `extra`.
pub fn keep_unknown_properties(spec: &mut OpenAPI) -> Result<(), SpecError> {
    let mut clash = None;
    let mut keep = |schema: &mut Schema, name: &str| {
        let (properties, additional) = match &mut schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => {
                (&object.properties, &mut object.additional_properties)
            }
            SchemaKind::Any(any) => (&any.properties, &mut any.additional_properties),
            _ => return,
        };
        let says_what_else = matches!(
            additional,
            Some(AdditionalProperties::Any(false) | AdditionalProperties::Schema(_))
        );
        if properties.is_empty() || says_what_else {
            return;
        }
        if properties.contains_key("extra") {
            clash.get_or_insert_with(|| name.to_owned());
            return;
        }
        let any = bare_schema(SchemaKind::Any(AnySchema::default()));
        *additional = Some(AdditionalProperties::Schema(Box::new(ReferenceOr::Item(
            any,
        ))));
    };
    walk_responses(spec, &mut keep);
    walk_request_bodies(spec, &mut keep);
    for (name, schema) in spec.components.iter_mut().flat_map(|c| &mut c.schemas) {
        if let ReferenceOr::Item(schema) = schema {
            walk_mut(schema, name, &mut keep);
        }
    }
    match clash {
        None => Ok(()),
        Some(name) => Err(SpecError::Adapt(format!(
            "`keep_unknown_properties` cannot keep the undeclared properties of {name}: it \
             declares a property `extra`, the name of the field that would keep them; give \
             that field another name in `keep_unknown_properties` \
             (tavus-openapi/src/adapt/unknown_properties.rs) and in the code that reads it"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapt::tests::{operation, spec};

    fn response_schema(s: &OpenAPI) -> serde_json::Value {
        let op = serde_json::to_value(operation(s, "get")).unwrap();
        op["responses"]["200"]["content"]["application/json"]["schema"].clone()
    }

    #[test]
    fn objects_with_properties_keep_the_others() {
        let mut s = spec(
            "        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {data: {type: array, items: {type: object, properties: {id: {type: string}}}}, free: {type: object}}}}}}\n",
        );
        keep_unknown_properties(&mut s).unwrap();
        let schema = response_schema(&s);
        assert_eq!(schema["additionalProperties"], serde_json::json!({}));
        assert_eq!(
            schema["properties"]["data"]["items"]["additionalProperties"],
            serde_json::json!({})
        );
        // A free-form object is a map already.
        assert_eq!(
            schema["properties"]["free"],
            serde_json::json!({"type": "object"})
        );
    }

    #[test]
    fn objects_that_say_what_else_they_allow_are_left_alone() {
        let mut s = spec(
            "        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {closed: {type: object, additionalProperties: false, properties: {a: {type: string}}}, typed: {type: object, additionalProperties: {type: integer}, properties: {a: {type: string}}}}}}}}\n",
        );
        keep_unknown_properties(&mut s).unwrap();
        let schema = response_schema(&s);
        assert_eq!(
            schema["properties"]["closed"]["additionalProperties"],
            serde_json::json!(false)
        );
        assert_eq!(
            schema["properties"]["typed"]["additionalProperties"],
            serde_json::json!({"type": "integer"})
        );
    }

    #[test]
    fn a_declared_extra_property_is_refused() {
        let mut s = spec(
            "        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {extra: {type: string}}}}}}\n",
        );
        let err = keep_unknown_properties(&mut s).unwrap_err().to_string();
        assert!(
            err.contains("GetXResponse") && err.contains("`extra`"),
            "{err}"
        );
    }
}
