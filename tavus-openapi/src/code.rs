//! Adaptations of the code progenitor generates, for the traps the spec cannot steer
//! around. Like [`adapt`](crate::adapt), each is one named function that says what it
//! handles and why, with a test.

use syn::{Item, UseTree, parse_quote};

use crate::SpecError;

/// Makes the generated client encode path parameters with `encoder` instead of
/// `progenitor_client::encode_path`.
///
/// progenitor percent-encodes a path parameter with a set that leaves `\` as it is, and
/// URL parsing reads `\` as `/` in `http(s)` URLs, dot segments included: a document id
/// `x\..\..\documents\y` turns `DELETE /v2/documents/{document_id}` into
/// `DELETE /v2/documents/y`, another document, with nothing in the sent URL to show it.
/// The generated code imports `encode_path` from `progenitor_client` once and calls it
/// for every path parameter; this drops that import and imports `encoder` under the same
/// name, so `encoder` can also encode `\` (as `%5C`), keeping each parameter one segment.
///
/// Fails, naming the trap, when the generated code no longer imports `encode_path` that
/// way: a new progenitor must not silently bring the trap back.
pub fn encode_path_parameters_with(
    code: &mut syn::File,
    encoder: &syn::Path,
) -> Result<(), SpecError> {
    let mut found = 0;
    for item in &mut code.items {
        let Item::Use(import) = item else { continue };
        let UseTree::Path(root) = &mut import.tree else {
            continue;
        };
        if root.ident != "progenitor_client" {
            continue;
        }
        let UseTree::Group(group) = root.tree.as_mut() else {
            continue;
        };
        let before = group.items.len();
        group.items = std::mem::take(&mut group.items)
            .into_iter()
            .filter(|tree| !matches!(tree, UseTree::Name(name) if name.ident == "encode_path"))
            .collect();
        found += before - group.items.len();
    }
    if found != 1 {
        return Err(SpecError::Adapt(format!(
            "the generated client imports `encode_path` from progenitor_client {found} times, \
             not once: `encode_path_parameters_with` no longer keeps `\\` in path parameters \
             from changing the path; update it for this progenitor"
        )));
    }
    code.items
        .push(parse_quote!(#[allow(unused_imports)] use #encoder as encode_path;));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn generated() -> syn::File {
        parse_quote! {
            #[allow(unused_imports)]
            use progenitor_client::{encode_path, ClientHooks, OperationInfo};
            fn url(id: &str) -> String {
                format!("/v2/documents/{}", encode_path(&id.to_string()))
            }
        }
    }

    #[test]
    fn the_encoder_replaces_progenitors_import() {
        let mut code = generated();
        encode_path_parameters_with(&mut code, &parse_quote!(crate::hooks::encode_path)).unwrap();
        let text = code.to_token_stream().to_string();
        assert!(
            text.contains("use progenitor_client :: { ClientHooks , OperationInfo }"),
            "{text}"
        );
        assert!(
            text.contains("use crate :: hooks :: encode_path as encode_path ;"),
            "{text}"
        );
        assert!(text.contains("encode_path (& id . to_string ())"), "{text}");
    }

    #[test]
    fn code_without_the_import_is_an_error() {
        let mut code: syn::File = parse_quote! {
            fn url(id: &str) -> String { progenitor_client::encode_path(id) }
        };
        let err = encode_path_parameters_with(&mut code, &parse_quote!(crate::encode_path))
            .unwrap_err()
            .to_string();
        assert!(err.contains("0 times"), "{err}");
        assert!(err.contains("update it for this progenitor"), "{err}");
    }
}
