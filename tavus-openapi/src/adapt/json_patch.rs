use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};

use super::walk_request_bodies;

/// Lets a JSON Patch `remove` operation go without a `value`.
///
/// `patchPersona` declares `value` required on every patch operation, yet its own
/// description says "each request must have a `value` field unless you're using
/// `remove`", its example "Remove STT Hotwords" sends none, and JSON Patch (RFC 6902)
/// gives `remove` no value. Generated as declared, a caller could not write a
/// `remove`. In an object with an `op` enum that includes `remove`, `value` becomes
/// optional; its type is kept.
pub fn allow_remove_without_value(spec: &mut OpenAPI) {
    walk_request_bodies(spec, &mut |schema, _| optional_value(schema));
}

fn optional_value(schema: &mut Schema) {
    let SchemaKind::Type(Type::Object(object)) = &mut schema.schema_kind else {
        return;
    };
    if let Some(ReferenceOr::Item(op)) = object.properties.get("op")
        && let SchemaKind::Type(Type::String(op)) = &op.schema_kind
        && op.enumeration.iter().flatten().any(|v| v == "remove")
    {
        object.required.retain(|name| name != "value");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapt::tests::operation;

    fn patch_spec(required: &str) -> OpenAPI {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /v2/x:\n    patch:\n      operationId: patchX\n      requestBody: {{content: {{application/json: {{schema: {{type: array, items: {{type: object, properties: {{op: {{type: string, enum: [{required}]}}, path: {{type: string}}, value: {{type: string}}}}, required: [op, path, value]}}}}}}}}}}\n      responses: {{'200': {{description: ok}}}}\n"
        );
        crate::parse_document(&text, "t").unwrap()
    }

    fn required(spec: &OpenAPI) -> serde_json::Value {
        let op = operation(spec, "patch");
        let body = op.request_body.as_ref().unwrap().as_item().unwrap();
        serde_json::to_value(&body.content["application/json"].schema).unwrap()["items"]["required"]
            .clone()
    }

    #[test]
    fn value_is_optional_when_remove_is_an_op() {
        let mut s = patch_spec("add, remove, replace");
        allow_remove_without_value(&mut s);
        assert_eq!(required(&s), serde_json::json!(["op", "path"]));
    }

    #[test]
    fn value_stays_required_without_remove() {
        let mut s = patch_spec("add, replace");
        allow_remove_without_value(&mut s);
        assert_eq!(required(&s), serde_json::json!(["op", "path", "value"]));
    }
}
