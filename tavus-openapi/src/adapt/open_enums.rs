use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaData, SchemaKind, Type};

use super::walk_responses;

/// Keeps enums in responses readable when Tavus adds a value.
///
/// typify turns a string `enum` into a closed Rust enum, so the day the server sends a
/// value the page does not list yet (a new `perception_model`, `stt_engine`, ...), the
/// whole response would fail to deserialize. Each string enum inside a response becomes
/// `oneOf: [the enum (titled Known), any string (titled Other)]`, which typify generates
/// as an untagged `enum { Known(<the enum>), Other(String) }`: documented values stay
/// typed, any other value is kept as it was sent. Enums in requests stay closed, so the
/// client only sends values the page documents.
pub fn open_response_enums(spec: &mut OpenAPI) {
    walk_responses(spec, &mut open_enum);
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
        open_response_enums(&mut s);
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
    fn request_enums_stay_closed() {
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /v2/x:\n    post:\n      operationId: postX\n      requestBody: {content: {application/json: {schema: {type: string, enum: [a, b]}}}}\n      responses: {'204': {description: ok}}\n";
        let mut s = crate::parse_document(text, "t").unwrap();
        let before = s.clone();
        open_response_enums(&mut s);
        assert_eq!(s, before);
    }
}
