use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaData, SchemaKind, Type};

use super::{walk_parameters, walk_request_bodies, walk_responses};

/// Keeps every string enum open to values the vendored spec does not list yet, in
/// responses and in requests.
///
/// typify turns a string `enum` into a closed Rust enum. In a response, the day the server
/// sends a value the page does not list yet (a new `perception_model`, `stt_engine`, ...),
/// the whole response would fail to deserialize; in a request, a caller could not send a
/// value Tavus accepts before the page lists it (a newer TTS engine) without forking the
/// crate. Each string enum in a response, a request body or a parameter becomes
/// `oneOf: [the enum (titled Known), any string (titled Other)]`, which typify generates as
/// an untagged `enum { Known(<the enum>), Other(String) }`: documented values stay typed,
/// any other value is kept, or sent, as it is. Together with `#[non_exhaustive]` on the
/// known enum ([`crate::settings::non_exhaustive_types`]), a value added upstream is not a
/// breaking change for code that matches on the known values.
pub fn open_enums(spec: &mut OpenAPI) {
    walk_responses(spec, &mut open_enum);
    walk_request_bodies(spec, &mut open_enum);
    walk_parameters(spec, &mut open_enum);
}

/// Titles name the generated types (`<name>Known`, unique per place in the spec);
/// typify drops their common prefix from the variant names, leaving `Known`, `Other`.
fn open_enum(schema: &mut Schema, name: &str) {
    let SchemaKind::Type(Type::String(string)) = &schema.schema_kind else {
        return;
    };
    if string.enumeration.is_empty() {
        return;
    }
    let titled = |title: &str, schema_kind| {
        ReferenceOr::Item(Schema {
            schema_data: SchemaData {
                title: Some(format!("{name}{title}")),
                ..Default::default()
            },
            schema_kind,
        })
    };
    let known = titled("Known", schema.schema_kind.clone());
    let other = titled("Other", SchemaKind::Type(Type::String(Default::default())));
    schema.schema_kind = SchemaKind::OneOf {
        one_of: vec![known, other],
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapt::tests::operation;
    use crate::adapt::tests::spec;

    #[test]
    fn response_enums_gain_an_other_string_and_keep_their_values() {
        let mut s = spec(
            "        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {data: {type: array, items: {type: object, properties: {modality: {type: string, description: How, enum: [verbal, visual]}, name: {type: string}}}}}}}}}\n",
        );
        open_enums(&mut s);
        let op = operation(&s, "get");
        let schema = serde_json::to_value(
            &op.responses.responses[&openapiv3::StatusCode::Code(200)]
                .as_item()
                .unwrap()
                .content["application/json"]
                .schema,
        )
        .unwrap();
        let item = &schema["properties"]["data"]["items"]["properties"];
        assert_eq!(
            item["modality"],
            serde_json::json!({
                "description": "How",
                "oneOf": [
                    {"title": "GetXResponseDataItemModalityKnown", "type": "string", "enum": ["verbal", "visual"]},
                    {"title": "GetXResponseDataItemModalityOther", "type": "string"}
                ]
            })
        );
        assert_eq!(item["name"], serde_json::json!({"type": "string"}));
    }

    #[test]
    fn request_body_and_parameter_enums_open_too() {
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /v2/x:\n    post:\n      operationId: postX\n      parameters: [{name: sort_by, in: query, schema: {type: string, enum: [asc, desc]}}]\n      requestBody: {content: {application/json: {schema: {type: object, properties: {engine: {type: string, enum: [a, b]}}}}}}\n      responses: {'204': {description: ok}}\n";
        let mut s = crate::parse_document(text, "t").unwrap();
        open_enums(&mut s);
        let op = serde_json::to_value(operation(&s, "post")).unwrap();
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"]["properties"]["engine"],
            serde_json::json!({"oneOf": [
                {"title": "PostXBodyEngineKnown", "type": "string", "enum": ["a", "b"]},
                {"title": "PostXBodyEngineOther", "type": "string"}
            ]})
        );
        assert_eq!(
            op["parameters"][0]["schema"],
            serde_json::json!({"oneOf": [
                {"title": "PostXSortByKnown", "type": "string", "enum": ["asc", "desc"]},
                {"title": "PostXSortByOther", "type": "string"}
            ]})
        );
    }
}
