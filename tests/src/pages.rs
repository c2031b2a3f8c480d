//! One operation's vendored page, read as JSON, and the examples it documents.
//!
//! The tests build what the server sends from the examples on the page itself, so a
//! page update changes the test data with it.

use serde_json::{Map, Value};

use crate::repo_root;

/// The OpenAPI block of one vendored page, as JSON, with its one operation.
pub struct Page {
    /// Its page path under `api-reference/`, such as `documents/create-document`.
    pub name: &'static str,
    operation: Value,
}

impl Page {
    /// Reads `openapi/api-reference/<name>.yaml`.
    pub fn load(name: &'static str) -> Self {
        let file = repo_root().join(format!("openapi/api-reference/{name}.yaml"));
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let spec = tavus_openapi::parse_document(&text, &file.display().to_string()).unwrap();
        let spec = serde_json::to_value(spec).unwrap();
        let (_, item) = spec["paths"].as_object().unwrap().iter().next().unwrap();
        let operation = item
            .as_object()
            .unwrap()
            .iter()
            .find(|(key, _)| key.as_str() != "parameters")
            .map(|(_, op)| op.clone())
            .unwrap_or_else(|| panic!("{name} has no operation"));
        Self { name, operation }
    }

    /// The first 2xx status and the example body built for it (`Null` without a body).
    pub fn success(&self) -> (u16, Value) {
        self.response(|code| (200..300).contains(&code))
    }

    /// The first 4xx/5xx status and the example body built for it.
    pub fn error(&self) -> (u16, Value) {
        self.response(|code| code >= 400)
    }

    /// The example body of the given status.
    pub fn response_for(&self, status: u16) -> Value {
        self.response(|code| code == status).1
    }

    fn response(&self, wanted: impl Fn(u16) -> bool) -> (u16, Value) {
        let responses = self.operation["responses"].as_object().unwrap();
        let (status, response) = responses
            .iter()
            .map(|(status, r)| (status.parse::<u16>().unwrap(), r))
            .find(|(status, _)| wanted(*status))
            .unwrap_or_else(|| panic!("{}: no such response", self.name));
        let body = match &response["content"]["application/json"]["schema"] {
            Value::Null => Value::Null,
            schema => example_of(schema)
                .unwrap_or_else(|| panic!("{}: {status} has no examples", self.name)),
        };
        (status, body)
    }

    /// Whether the operation takes a JSON request body.
    pub fn has_request_body(&self) -> bool {
        !self.operation["requestBody"]["content"]["application/json"].is_null()
    }

    /// The request body the page documents: built from the schema's property examples,
    /// or, where the schema chooses between alternatives (`oneOf`), its first named
    /// example.
    pub fn request_body(&self) -> Value {
        let media = &self.operation["requestBody"]["content"]["application/json"];
        let schema = &media["schema"];
        if schema.get("oneOf").is_some() {
            let examples = media["examples"].as_object().expect("named examples");
            let (_, first) = examples.iter().next().unwrap();
            return first["value"].clone();
        }
        example_of(schema).unwrap_or_else(|| panic!("{}: no request example", self.name))
    }

    /// The request body as the generated request type, as a caller would build it.
    pub fn typed_request_body<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.request_body())
            .unwrap_or_else(|e| panic!("{}: the request example does not fit: {e}", self.name))
    }
}

/// The value a schema's examples describe: objects from their properties' examples
/// (properties without one are left out), arrays of objects as one item built that
/// way, and anything else (strings, lists of strings, free-form objects, arrays without
/// `items`) from its own `example`.
///
/// Building objects from their properties, rather than taking a list's `example`,
/// keeps to the declared shape: `perception_tools` declares items `{name,
/// description}` but its example shows `{type, function}`. Some examples do not have
/// their property's type (`example: 'false'` on a boolean): they are read as that
/// type, as a server would send them.
pub fn example_of(schema: &Value) -> Option<Value> {
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let built: Map<String, Value> = properties
            .iter()
            .filter_map(|(name, property)| Some((name.clone(), example_of(property)?)))
            .collect();
        return Some(Value::Object(built));
    }
    if let Some(items) = schema.get("items")
        && (items.get("properties").is_some() || schema.get("example").is_none())
    {
        return example_of(items).map(|item| Value::Array(vec![item]));
    }
    let example = schema.get("example")?.clone();
    Some(as_type(example, schema["type"].as_str()))
}

fn as_type(example: Value, typ: Option<&str>) -> Value {
    match (typ, &example) {
        (Some("boolean"), Value::String(s)) => Value::Bool(s == "true"),
        (Some("integer"), Value::String(s)) => s.parse::<i64>().map_or(example, Value::from),
        _ => example,
    }
}

/// `value` without object members that are `null`: a field the client reads as `None`
/// is left out again when it writes it.
pub fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}
