use std::collections::HashMap;

use indexmap::IndexMap;
use openapiv3::{Components, OpenAPI, Operation, Parameter, PathItem, ReferenceOr};

use crate::SpecError;

/// Merges one-operation documents into one document.
///
/// Paths, their operations and path-level parameters, tags and every kind of component
/// are unioned. Anything defined twice is a conflict naming both inputs: an operation
/// defined again, an `operationId` another operation already has (the generator names a
/// method and its types after it, so two would collide in the generated code), or a
/// component, path-level parameter (by name and location), `$ref` path item, `servers`
/// or top-level `security` that differs from what an earlier input defined. `info` comes
/// from the first document.
pub fn merge<'a>(
    documents: impl IntoIterator<Item = (String, &'a OpenAPI)>,
) -> Result<OpenAPI, SpecError> {
    let mut documents = documents.into_iter();
    let Some((first, document)) = documents.next() else {
        return Err(conflict(
            "(nothing)",
            "there are no documents to merge".into(),
        ));
    };
    let mut merger = Merger::new(first.clone(), document);
    for (origin, document) in std::iter::once((first, document)).chain(documents) {
        merger.add(&origin, document)?;
    }
    Ok(merger.merged)
}

struct Merger {
    merged: OpenAPI,
    owners: Owners,
    /// Each `operationId` seen, with the operation (`GET /v2/x`) that has it.
    operation_ids: HashMap<String, String>,
}

impl Merger {
    /// Starts from the first input without its paths and components, which it then
    /// [adds](Merger::add) like any other input's, so that they claim their names and
    /// operationIds the same way.
    fn new(first: String, document: &OpenAPI) -> Self {
        let mut merged = document.clone();
        merged.paths.paths.clear();
        merged.components = document.components.as_ref().map(|components| Components {
            extensions: components.extensions.clone(),
            ..Default::default()
        });
        Self {
            merged,
            owners: Owners {
                first,
                later: HashMap::new(),
            },
            operation_ids: HashMap::new(),
        }
    }

    /// Records that `key` (`GET /v2/x`), defined by `origin`, has its `operationId`; an id
    /// another operation already has is a conflict naming both operations and both inputs.
    fn claim_operation_id(
        &mut self,
        origin: &str,
        key: &str,
        operation: &Operation,
    ) -> Result<(), SpecError> {
        let Some(id) = &operation.operation_id else {
            return Ok(());
        };
        if let Some(other) = self.operation_ids.get(id) {
            let owner = self.owners.of(other);
            return Err(conflict(
                origin,
                format!(
                    "operationId `{id}` of {key} is already the operationId of {other} in \
                     {owner}; the generated client names one method after each operationId, \
                     so they must differ (change one of the two pages upstream, or vendor \
                     only one of them)"
                ),
            ));
        }
        self.operation_ids.insert(id.clone(), key.to_owned());
        Ok(())
    }

    fn add(&mut self, origin: &str, document: &OpenAPI) -> Result<(), SpecError> {
        if document.servers != self.merged.servers || document.security != self.merged.security {
            let what = "`servers` or top-level `security`";
            return Err(conflict(
                origin,
                format!("{what} differ from {}'s", self.owners.first),
            ));
        }
        for (path, item) in &document.paths.paths {
            self.add_path_item(origin, path, item)?;
            if let ReferenceOr::Item(item) = item {
                for (method, operation) in item.iter() {
                    let key = operation_key(method, path);
                    self.claim_operation_id(origin, &key, operation)?;
                }
            }
        }
        for tag in &document.tags {
            if !self.merged.tags.iter().any(|t| t.name == tag.name) {
                self.merged.tags.push(tag.clone());
            }
        }
        let Some(components) = &document.components else {
            return Ok(());
        };
        let into = self.merged.components.get_or_insert_with(Default::default);
        macro_rules! union_all {
            ($($field:ident $kind:literal),*) => {
                $(self.owners.union(origin, $kind, &mut into.$field, &components.$field)?;)*
            };
        }
        union_all!(schemas "schema", responses "response", parameters "parameter",
            examples "example", request_bodies "request body", headers "header",
            security_schemes "security scheme", links "link", callbacks "callback");
        Ok(())
    }

    fn add_path_item(
        &mut self,
        origin: &str,
        path: &str,
        item: &ReferenceOr<PathItem>,
    ) -> Result<(), SpecError> {
        let owners = &mut self.owners;
        let Some(existing) = self.merged.paths.paths.get_mut(path) else {
            self.merged
                .paths
                .paths
                .insert(path.to_owned(), item.clone());
            match item {
                ReferenceOr::Item(item) => {
                    for (method, _) in item.iter() {
                        owners.own(operation_key(method, path), origin);
                    }
                    for parameter in &item.parameters {
                        owners.own(parameter_key(path, parameter), origin);
                    }
                }
                ReferenceOr::Reference { .. } => owners.own(format!("path item {path}"), origin),
            }
            return Ok(());
        };
        let (ReferenceOr::Item(item), ReferenceOr::Item(existing)) = (item, &mut *existing) else {
            return match existing == item {
                true => Ok(()),
                false => Err(owners.differs(&format!("path item {path}"), origin)),
            };
        };
        for (method, operation) in item.iter() {
            let key = operation_key(method, path);
            let slot = operation_slots(existing)
                .into_iter()
                .find(|(slot_method, _)| *slot_method == method);
            // `PathItem::iter` names only the methods of `operation_slots`.
            let Some((_, slot)) = slot else {
                let bug = "a method the merge has no slot for (a bug in tavus-openapi's merge)";
                return Err(conflict(origin, format!("{key}: {bug}")));
            };
            if slot.is_some() {
                let first = owners.of(&key);
                return Err(conflict(
                    origin,
                    format!("{key} is already defined by {first}"),
                ));
            }
            *slot = Some(operation.clone());
            owners.own(key, origin);
        }
        for parameter in &item.parameters {
            let key = parameter_key(path, parameter);
            match existing
                .parameters
                .iter()
                .find(|p| same_parameter(p, parameter))
            {
                Some(known) if known == parameter => {}
                Some(_) => return Err(owners.differs(&key, origin)),
                None => {
                    existing.parameters.push(parameter.clone());
                    owners.own(key, origin);
                }
            }
        }
        Ok(())
    }
}

/// Which input defined each shared thing (`GET /v2/x`, ``schema `X` ``, ...).
struct Owners {
    /// The first input, taken to have defined what [`Owners::later`] does not name.
    first: String,
    later: HashMap<String, String>,
}

impl Owners {
    /// The input that defined `what`.
    fn of(&self, what: &str) -> &str {
        self.later.get(what).unwrap_or(&self.first)
    }

    fn own(&mut self, what: String, origin: &str) {
        self.later.insert(what, origin.to_owned());
    }

    /// `what`, as `origin` defines it, differs from what an earlier input defined.
    fn differs(&self, what: &str, origin: &str) -> SpecError {
        conflict(origin, format!("{what} differs from {}'s", self.of(what)))
    }

    /// Adds `from`'s components of one kind, defined by `origin`, to `into`; a name `into`
    /// has with another value is a conflict naming the input that defined it.
    fn union<T: Clone + PartialEq>(
        &mut self,
        origin: &str,
        kind: &str,
        into: &mut IndexMap<String, T>,
        from: &IndexMap<String, T>,
    ) -> Result<(), SpecError> {
        for (name, value) in from {
            let key = format!("{kind} `{name}`");
            match into.get(name) {
                Some(known) if known != value => return Err(self.differs(&key, origin)),
                Some(_) => {}
                None => {
                    into.insert(name.clone(), value.clone());
                    self.own(key, origin);
                }
            }
        }
        Ok(())
    }
}

fn operation_key(method: &str, path: &str) -> String {
    format!("{} {path}", method.to_uppercase())
}

fn parameter_key(path: &str, parameter: &ReferenceOr<Parameter>) -> String {
    let parameter = match parameter {
        ReferenceOr::Item(p) => {
            format!(
                "`{}` ({})",
                p.parameter_data_ref().name,
                parameter_location(p)
            )
        }
        ReferenceOr::Reference { reference } => reference.clone(),
    };
    format!("path-level parameter {parameter} of {path}")
}

/// Path-level parameters are one parameter when their name and location agree (OpenAPI);
/// `$ref`s when they point at the same place.
fn same_parameter(a: &ReferenceOr<Parameter>, b: &ReferenceOr<Parameter>) -> bool {
    match (a, b) {
        (ReferenceOr::Item(a), ReferenceOr::Item(b)) => {
            a.parameter_data_ref().name == b.parameter_data_ref().name
                && parameter_location(a) == parameter_location(b)
        }
        _ => a == b,
    }
}

/// Where a parameter goes, as the spec spells it (`in: query`): with its name, what tells
/// two parameters of one operation apart.
pub fn parameter_location(parameter: &Parameter) -> &'static str {
    match parameter {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// A path item's operation slots with their methods, in the order of [`PathItem::iter`]
/// (which has no `iter_mut`).
pub(crate) fn operation_slots(item: &mut PathItem) -> [(&'static str, &mut Option<Operation>); 8] {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("options", &mut item.options),
        ("head", &mut item.head),
        ("patch", &mut item.patch),
        ("trace", &mut item.trace),
    ]
}

fn conflict(origin: &str, message: String) -> SpecError {
    SpecError::Conflict {
        origin: origin.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_document;

    /// A one-operation document whose operationId is made of its method and path.
    fn doc(method: &str, path: &str, scheme_header: &str) -> OpenAPI {
        let id: String = format!("{method}{path}")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        doc_with_id(method, path, scheme_header, &id)
    }

    fn doc_with_id(method: &str, path: &str, scheme_header: &str, id: &str) -> OpenAPI {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  {path}:\n    {method}:\n      operationId: {id}\n      responses: {{'204': {{description: ok}}}}\ncomponents:\n  securitySchemes:\n    apiKey: {{type: apiKey, in: header, name: {scheme_header}}}\n"
        );
        parse_document(&text, "t").unwrap()
    }

    #[test]
    fn operations_on_one_path_from_two_pages_share_the_path_item() {
        let a = doc("get", "/v2/x/{id}", "x-api-key");
        let b = doc("delete", "/v2/x/{id}", "x-api-key");
        let merged = merge([("a".to_string(), &a), ("b".to_string(), &b)]).unwrap();
        let item = merged.paths.paths["/v2/x/{id}"].as_item().unwrap();
        assert!(item.get.is_some() && item.delete.is_some());
        assert_eq!(merged.components.unwrap().security_schemes.len(), 1);
    }

    #[test]
    fn the_same_operation_twice_is_a_conflict_naming_both() {
        let a = doc("get", "/v2/x", "x-api-key");
        let err = merge([("a.yaml".to_string(), &a), ("b.yaml".to_string(), &a)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot merge b.yaml: GET /v2/x is already defined by a.yaml"
        );
    }

    /// Two operations with one `operationId` would be two generated methods of one name;
    /// the build would fail far from the cause, so the merge names both files.
    #[test]
    fn an_operation_id_used_twice_is_a_conflict_naming_both_files() {
        let a = doc_with_id("get", "/v2/x", "x-api-key", "op_get");
        let b = doc_with_id("get", "/v2/y", "x-api-key", "op_get");
        let c = doc("delete", "/v2/z", "x-api-key");
        let err = merge([
            ("a.yaml".to_string(), &c),
            ("b.yaml".to_string(), &a),
            ("c.yaml".to_string(), &b),
        ])
        .unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with(
                "cannot merge c.yaml: operationId `op_get` of GET /v2/y is already the \
                 operationId of GET /v2/x in b.yaml;"
            ),
            "{message}"
        );
        // The first input's operations claim their ids too.
        let err = merge([("a.yaml".to_string(), &a), ("b.yaml".to_string(), &b)]).unwrap_err();
        assert!(
            err.to_string().contains(
                "`op_get` of GET /v2/y is already the operationId of GET /v2/x in a.yaml"
            ),
            "{err}"
        );
        // Within one input, too.
        let both = with(
            &a,
            "paths: {/v2/w: {get: {operationId: op_get, responses: {'204': {description: ok}}}}}",
        );
        let err = merge([("d.yaml".to_string(), &both)]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot merge d.yaml: operationId `op_get`"),
            "{err}"
        );
    }

    #[test]
    fn differing_security_schemes_are_a_conflict_naming_both() {
        let a = doc("get", "/v2/x", "x-api-key");
        let b = doc("get", "/v2/y", "authorization");
        let err = merge([("a".to_string(), &a), ("b".to_string(), &b)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot merge b: security scheme `apiKey` differs from a's"
        );
    }

    fn with(document: &OpenAPI, extra: &str) -> OpenAPI {
        let mut value = serde_json::to_value(document).unwrap();
        let extra: serde_json::Value = serde_norway::from_str(extra).unwrap();
        json_patch_merge(&mut value, extra);
        serde_json::from_value(value).unwrap()
    }

    /// Adds `extra`'s keys into `value`, recursively.
    fn json_patch_merge(value: &mut serde_json::Value, extra: serde_json::Value) {
        match (value, extra) {
            (serde_json::Value::Object(into), serde_json::Value::Object(from)) => {
                for (key, from) in from {
                    json_patch_merge(into.entry(key).or_insert(serde_json::Value::Null), from);
                }
            }
            (value, extra) => *value = extra,
        }
    }

    #[test]
    fn every_kind_of_component_is_kept_and_conflicts_name_the_file_that_defined_it() {
        let a = doc("get", "/v2/x", "x-api-key");
        let b = with(
            &doc("get", "/v2/y", "x-api-key"),
            "components: {responses: {Gone: {description: gone}}, schemas: {S: {type: string}}}",
        );
        let c = with(
            &doc("get", "/v2/z", "x-api-key"),
            "components: {schemas: {S: {type: integer}}}",
        );
        let merged = merge([("a".into(), &a), ("b".into(), &b)]).unwrap();
        let components = merged.components.unwrap();
        assert!(
            components.responses.contains_key("Gone"),
            "a response component was lost"
        );
        assert!(components.schemas.contains_key("S"));
        let err = merge([("a".into(), &a), ("b".into(), &b), ("c".into(), &c)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot merge c: schema `S` differs from b's"
        );
    }

    #[test]
    fn path_level_parameters_are_one_per_name_and_must_agree() {
        let parameter = |description: &str| {
            format!(
                "paths: {{'/v2/x/{{id}}': {{parameters: [{{name: id, in: path, required: true, schema: {{type: string}}, description: {description}}}]}}}}"
            )
        };
        let a = with(&doc("get", "/v2/x/{id}", "x-api-key"), &parameter("the id"));
        let b = with(
            &doc("delete", "/v2/x/{id}", "x-api-key"),
            &parameter("the id"),
        );
        let c = with(
            &doc("patch", "/v2/x/{id}", "x-api-key"),
            &parameter("another"),
        );
        let merged = merge([("a".into(), &a), ("b".into(), &b)]).unwrap();
        let item = merged.paths.paths["/v2/x/{id}"].as_item().unwrap();
        assert_eq!(item.parameters.len(), 1);
        let err = merge([("a".into(), &a), ("c".into(), &c)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot merge c: path-level parameter `id` (path) of /v2/x/{id} differs from a's"
        );
    }

    /// A `$ref` path item that differs from an earlier one names the input that defined
    /// the earlier one, not the first input.
    #[test]
    fn differing_ref_path_items_name_the_file_that_defined_the_first() {
        let with_ref = |target: &str| {
            let text = format!(
                "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /v2/r:\n    $ref: '{target}'\n"
            );
            parse_document(&text, "t").unwrap()
        };
        let a = doc("get", "/v2/x", "x-api-key");
        let (b, c) = (with_ref("#/x/one"), with_ref("#/x/two"));
        let inputs = [
            ("a.yaml", &a),
            ("b.yaml", &b),
            ("b-again.yaml", &b),
            ("c.yaml", &c),
        ];
        let err = merge(inputs.map(|(name, doc)| (name.to_string(), doc))).unwrap_err();
        let err = err.to_string();
        assert!(
            err.starts_with("cannot merge c.yaml: path item /v2/r"),
            "{err}"
        );
        assert!(err.contains("b.yaml") && !err.contains("a.yaml"), "{err}");
    }

    #[test]
    fn servers_and_security_must_agree() {
        let a = doc("get", "/v2/x", "x-api-key");
        let b = with(
            &doc("get", "/v2/y", "x-api-key"),
            "servers: [{url: 'https://elsewhere.example'}]",
        );
        let err = merge([("a".into(), &a), ("b".into(), &b)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot merge b: `servers` or top-level `security` differ from a's"
        );
    }
}
