use openapiv3::{OpenAPI, ReferenceOr};

use crate::SpecError;

/// Merges one-operation documents into one document.
///
/// Paths and their operations are unioned; an operation defined twice, or a security
/// scheme or schema defined differently by two documents, is a conflict naming both
/// inputs. `info`, `servers` and top-level `security` come from the first document.
pub fn merge<'a>(
    documents: impl IntoIterator<Item = (String, &'a OpenAPI)>,
) -> Result<OpenAPI, SpecError> {
    let mut merged: Option<OpenAPI> = None;
    let mut owners: Vec<(String, String, String)> = Vec::new();
    for (origin, document) in documents {
        let Some(into) = merged.as_mut() else {
            for (path, method) in operations(document) {
                owners.push((path, method, origin.clone()));
            }
            merged = Some(document.clone());
            continue;
        };
        for (path, method) in operations(document) {
            if let Some((_, _, first)) = owners.iter().find(|(p, m, _)| *p == path && *m == method)
            {
                return Err(SpecError::Conflict {
                    origin,
                    message: format!(
                        "{} {path} is already defined by {first}",
                        method.to_uppercase()
                    ),
                });
            }
            owners.push((path, method, origin.clone()));
        }
        merge_into(into, document, &origin)?;
    }
    merged.ok_or_else(|| SpecError::Conflict {
        origin: "(nothing)".into(),
        message: "there are no documents to merge".into(),
    })
}

fn merge_into(into: &mut OpenAPI, document: &OpenAPI, origin: &str) -> Result<(), SpecError> {
    for (path, item) in &document.paths.paths {
        let (ReferenceOr::Item(item), Some(existing)) = (item, into.paths.paths.get_mut(path))
        else {
            into.paths.paths.insert(path.clone(), item.clone());
            continue;
        };
        let ReferenceOr::Item(existing) = existing else {
            return Err(conflict(origin, format!("path {path} is a $ref elsewhere")));
        };
        for (method, operation) in item.iter() {
            let slot = match method {
                "get" => &mut existing.get,
                "put" => &mut existing.put,
                "post" => &mut existing.post,
                "delete" => &mut existing.delete,
                "options" => &mut existing.options,
                "head" => &mut existing.head,
                "patch" => &mut existing.patch,
                _ => &mut existing.trace,
            };
            *slot = Some(operation.clone());
        }
        for parameter in &item.parameters {
            if !existing.parameters.contains(parameter) {
                existing.parameters.push(parameter.clone());
            }
        }
    }
    for tag in &document.tags {
        if !into.tags.iter().any(|t| t.name == tag.name) {
            into.tags.push(tag.clone());
        }
    }
    if let Some(components) = &document.components {
        let target = into.components.get_or_insert_with(Default::default);
        for (name, scheme) in &components.security_schemes {
            match target.security_schemes.get(name) {
                Some(existing) if existing != scheme => {
                    return Err(conflict(
                        origin,
                        format!("security scheme `{name}` differs from the one merged before"),
                    ));
                }
                _ => {
                    target.security_schemes.insert(name.clone(), scheme.clone());
                }
            }
        }
        for (name, schema) in &components.schemas {
            match target.schemas.get(name) {
                Some(existing) if existing != schema => {
                    return Err(conflict(
                        origin,
                        format!("schema `{name}` differs from the one merged before"),
                    ));
                }
                _ => {
                    target.schemas.insert(name.clone(), schema.clone());
                }
            }
        }
    }
    Ok(())
}

fn conflict(origin: &str, message: String) -> SpecError {
    SpecError::Conflict {
        origin: origin.to_owned(),
        message,
    }
}

fn operations(document: &OpenAPI) -> Vec<(String, String)> {
    document
        .paths
        .iter()
        .filter_map(|(path, item)| Some((path, item.as_item()?)))
        .flat_map(|(path, item)| item.iter().map(move |(m, _)| (path.clone(), m.to_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_document;

    fn doc(method: &str, path: &str, scheme_header: &str) -> OpenAPI {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  {path}:\n    {method}:\n      operationId: op_{method}\n      responses: {{'204': {{description: ok}}}}\ncomponents:\n  securitySchemes:\n    apiKey: {{type: apiKey, in: header, name: {scheme_header}}}\n"
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

    #[test]
    fn differing_security_schemes_are_a_conflict() {
        let a = doc("get", "/v2/x", "x-api-key");
        let b = doc("get", "/v2/y", "authorization");
        let err = merge([("a".to_string(), &a), ("b".to_string(), &b)]).unwrap_err();
        assert!(
            err.to_string().contains("security scheme `apiKey`"),
            "{err}"
        );
    }
}
