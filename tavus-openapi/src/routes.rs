//! The route table: what the hand-written client layer needs to know about each
//! operation at run time (its path template, and which statuses carry JSON), rendered
//! as Rust source beside the generated client.

use openapiv3::{OpenAPI, ReferenceOr, StatusCode};

/// One operation's route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRoute {
    /// The operation's `operationId`.
    pub operation_id: String,
    /// The generated method's name, which progenitor also reports to hooks as the
    /// operation id: `operationId` in snake case.
    pub method_name: String,
    /// The path template, such as `/v2/documents/{document_id}`.
    pub path: String,
    /// Statuses whose documented response has a JSON body.
    pub json_statuses: Vec<u16>,
}

/// The routes of every operation in a spec, sorted by operation id.
pub fn routes(spec: &OpenAPI) -> Vec<OperationRoute> {
    let mut routes: Vec<OperationRoute> = spec
        .operations()
        .map(|(path, _, op)| OperationRoute {
            operation_id: op.operation_id.clone().unwrap_or_default(),
            method_name: snake_case(op.operation_id.as_deref().unwrap_or_default()),
            path: path.to_owned(),
            json_statuses: op
                .responses
                .responses
                .iter()
                .filter_map(|(status, response)| match (status, response) {
                    (StatusCode::Code(code), ReferenceOr::Item(r))
                        if r.content.keys().any(|k| k.contains("json")) =>
                    {
                        Some(*code)
                    }
                    _ => None,
                })
                .collect(),
        })
        .collect();
    routes.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
    routes
}

/// `deleteDocument` → `delete_document`, as progenitor names methods: with `heck`, which
/// progenitor's own naming calls, so the two cannot disagree on an id such as `getAPIKey`
/// (`code::check_method_names` still checks, at build time).
fn snake_case(operation_id: &str) -> String {
    heck::ToSnakeCase::to_snake_case(operation_id)
}

/// Renders routes as Rust, for a crate that defines
/// `Route { operation_id, method_name, path, path_runs, json_statuses }` in scope
/// (`path_runs`: the template's literal runs, a parameter between each two; the HTTP
/// method is the generated code's business, so the table leaves it out): a
/// `pub(crate) static ROUTES: &[Route]`, formatted as the generated client is.
pub fn rust_source(routes: &[OperationRoute]) -> String {
    let routes = routes.iter().map(|route| {
        let OperationRoute {
            operation_id,
            method_name,
            path,
            json_statuses,
        } = route;
        let path_runs = literal_runs(path);
        quote::quote! {
            Route {
                operation_id: #operation_id,
                method_name: #method_name,
                path: #path,
                path_runs: &[#(#path_runs),*],
                json_statuses: &[#(#json_statuses),*],
            }
        }
    });
    let table = quote::quote! {
        /// Every operation's route, from the vendored spec.
        pub(crate) static ROUTES: &[Route] = &[#(#routes),*];
    };
    prettyplease::unparse(&syn::parse2(table).expect("the route table is a Rust file"))
}

/// `/v2/conversations/{conversation_id}/end` → `["/v2/conversations/", "/end"]`.
fn literal_runs(template: &str) -> Vec<&str> {
    let mut pieces = template.split('{');
    let first = pieces.next().unwrap_or_default();
    let after_parameters = pieces.map(|piece| piece.split_once('}').map_or("", |(_, run)| run));
    std::iter::once(first).chain(after_parameters).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_document;

    #[test]
    fn routes_name_path_and_json_statuses() {
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /v2/documents/{document_id}:\n    delete:\n      operationId: deleteDocument\n      responses:\n        '204': {description: gone}\n        '404': {description: no, content: {application/json: {schema: {type: object}}}}\n";
        let routes = routes(&parse_document(text, "t").unwrap());
        assert_eq!(
            routes,
            [OperationRoute {
                operation_id: "deleteDocument".into(),
                method_name: "delete_document".into(),
                path: "/v2/documents/{document_id}".into(),
                json_statuses: vec![404],
            }]
        );
        let rendered: syn::File = syn::parse_str(&rust_source(&routes)).unwrap();
        let expected: syn::File = syn::parse_quote! {
            /// Every operation's route, from the vendored spec.
            pub(crate) static ROUTES: &[Route] = &[Route {
                operation_id: "deleteDocument",
                method_name: "delete_document",
                path: "/v2/documents/{document_id}",
                path_runs: &["/v2/documents/", ""],
                json_statuses: &[404u16],
            }];
        };
        assert_eq!(
            prettyplease::unparse(&rendered),
            prettyplease::unparse(&expected)
        );
    }

    #[test]
    fn method_names_are_progenitors_snake_case() {
        // A hand-rolled snake case gave `get_a_p_i_key`; progenitor (heck) says this.
        assert_eq!(snake_case("getAPIKey"), "get_api_key");
        assert_eq!(snake_case("deleteDocument"), "delete_document");
    }
}
