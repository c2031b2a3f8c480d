use openapiv3::OpenAPI;

use crate::SpecError;

/// Parses one OpenAPI 3.0 document from YAML text.
///
/// `origin` names the text (a file path or URL) in every error. The document must say
/// `openapi: 3.0.x`; Swagger 2.0 and other layouts are refused with what was found.
pub fn parse_document(text: &str, origin: &str) -> Result<OpenAPI, SpecError> {
    let value: serde_json::Value = serde_norway::from_str(text).map_err(|e| SpecError::Yaml {
        origin: origin.to_owned(),
        message: e.to_string(),
    })?;
    check_version(&value, origin)?;
    serde_path_to_error::deserialize(&value).map_err(|e| SpecError::InvalidOpenApi {
        origin: origin.to_owned(),
        at: e.path().to_string(),
        message: e.into_inner().to_string(),
    })
}

fn check_version(value: &serde_json::Value, origin: &str) -> Result<(), SpecError> {
    let found = match value.as_object() {
        None => format!("the top level is {}, not a mapping", kind(value)),
        Some(map) => match map.get("openapi") {
            Some(serde_json::Value::String(v)) if v.starts_with("3.0.") => return Ok(()),
            Some(v) => format!("`openapi: {v}`"),
            None if map.contains_key("swagger") => "a Swagger 2.0 document".into(),
            None => "no `openapi` version field".into(),
        },
    };
    Err(SpecError::NotOpenApi3 {
        origin: origin.to_owned(),
        found,
    })
}

fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "empty",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a sequence",
        serde_json::Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";

    #[test]
    fn reads_a_minimal_document() {
        let doc = parse_document(MINIMAL, "min.yaml").unwrap();
        assert_eq!(doc.info.title, "t");
    }

    #[test]
    fn malformed_yaml_names_the_origin_and_line() {
        let err = parse_document("openapi: 3.0.3\npaths: [\n", "a/b.yaml").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("a/b.yaml: malformed YAML"), "{msg}");
        assert!(msg.contains("line"), "{msg}");
    }

    #[test]
    fn refuses_swagger_and_versionless_documents() {
        let swagger = parse_document("swagger: '2.0'\npaths: {}\n", "s.yaml").unwrap_err();
        assert!(swagger.to_string().contains("Swagger 2.0"), "{swagger}");
        let v31 = parse_document("openapi: 3.1.0\n", "v.yaml").unwrap_err();
        assert!(v31.to_string().contains("openapi: \"3.1.0\""), "{v31}");
        let list = parse_document("- a\n- b\n", "l.yaml").unwrap_err();
        assert!(list.to_string().contains("a sequence"), "{list}");
    }

    #[test]
    fn shape_errors_say_where() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses: 7\n";
        let err = parse_document(text, "x.yaml").unwrap_err().to_string();
        // openapiv3 flattens path items, so the trail stops at `paths`; the message says the rest.
        assert!(
            err.starts_with("x.yaml: invalid OpenAPI 3.0 at `paths`"),
            "{err}"
        );
        assert!(err.contains("expected struct Responses"), "{err}");
    }
}
