//! Adaptations of the code progenitor generates, for the traps the spec cannot steer
//! around. Like [`adapt`](crate::adapt), each is one named function that says what it
//! handles and why, with a test.

use std::collections::BTreeSet;

use quote::ToTokens;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Block, Expr, Item, Lit, UseTree, parse_quote};

use crate::SpecError;

/// Makes the generated client encode path parameters with `encoder` instead of
/// `progenitor_client::encode_path`.
///
/// A safety fix for upstream behaviour: `progenitor_client::encode_path` (progenitor-client
/// 0.15.1) percent-encodes with its private `PATH_SET`, which leaves `\` as it is (no
/// upstream issue about it was found), and URL parsing reads `\` as `/` in `http(s)`
/// URLs, dot segments included: a document id `x\..\..\documents\y` turns
/// `DELETE /v2/documents/{document_id}` into `DELETE /v2/documents/y`, another document,
/// with nothing in the sent URL to show it.
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
        if let Item::Use(import) = item
            && let UseTree::Path(root) = &mut import.tree
            && root.ident == "progenitor_client"
            && let UseTree::Group(group) = root.tree.as_mut()
        {
            let before = group.items.len();
            group.items = std::mem::take(&mut group.items)
                .into_iter()
                .filter(|tree| !matches!(tree, UseTree::Name(name) if name.ident == "encode_path"))
                .collect();
            found += before - group.items.len();
        }
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

/// Makes every generated operation return its errors through `attach`, as `error_type`.
///
/// A safety fix for upstream behaviour: progenitor (0.15.1) has no setting for the error
/// type its operations return (no upstream issue about it was found), and its
/// `progenitor_client::Error` prints what a server sent, unfiltered: an error response
/// prints every response header (`status: ..; headers: {..}; value: ..`), an undocumented
/// status prints reqwest's `Response { url, status, headers }`, and a body that is not
/// the documented JSON prints whole. A server or proxy that echoes the request's
/// `x-api-key` into a header or the body puts the key into the caller's logs
/// (`tests/tests/secret_in_headers.rs` shows it). The hand-written error type prints the
/// operation, the status and a bounded excerpt of the body with the key taken out, never
/// the headers; it also says what happened where progenitor's says little (a refused
/// connection, a timeout and a DNS failure all print as "error sending request for url
/// (...)"). Each generated operation is an
/// `async fn` returning `Result<ResponseValue<T>, Error<E>>` whose body names it in an
/// `OperationInfo { operation_id: "..." }`; this changes the return type to
/// `Result<ResponseValue<T>, error_type<E>>` and the body to
/// `attach("operation_id", async move { body }.await)`, so the hand-written error type
/// sees every error with the operation it came from. It does not look at what the body
/// does, so it holds for either of progenitor's interfaces.
///
/// Fails, naming the trap, unless it wraps exactly `operations` functions.
pub fn return_errors_through(
    code: &mut syn::File,
    attach: &syn::Path,
    error_type: &syn::Path,
    operations: usize,
) -> Result<(), SpecError> {
    struct Wrap<'a> {
        attach: &'a syn::Path,
        error_type: &'a syn::Path,
        wrapped: usize,
        unnamed: Vec<String>,
    }
    impl VisitMut for Wrap<'_> {
        fn visit_impl_item_fn_mut(&mut self, function: &mut syn::ImplItemFn) {
            let Some((ok, error)) = generated_result(&function.sig) else {
                return;
            };
            let Some(operation) = operation_id(&function.block) else {
                self.unnamed.push(function.sig.ident.to_string());
                return;
            };
            let (attach, error_type, body) = (self.attach, self.error_type, &function.block);
            function.sig.output = parse_quote!(-> Result<#ok, #error_type<#error>>);
            function.block = parse_quote!({
                let result: Result<#ok, Error<#error>> = async move #body.await;
                #attach(#operation, result)
            });
            self.wrapped += 1;
        }
    }
    let mut wrap = Wrap {
        attach,
        error_type,
        wrapped: 0,
        unnamed: Vec::new(),
    };
    wrap.visit_file_mut(code);
    if wrap.wrapped != operations || !wrap.unnamed.is_empty() {
        return Err(SpecError::Adapt(format!(
            "`return_errors_through` wrapped {} of {operations} operations, and found no \
             `OperationInfo` in {:?}: progenitor no longer generates operations as it \
             expects; update it for this progenitor",
            wrap.wrapped, wrap.unnamed
        )));
    }
    Ok(())
}

/// Lets typify's builders leave the map of undeclared properties empty.
///
/// A correctness fix for upstream behaviour: typify (0.8.0) generates an object with
/// `additionalProperties` as a struct with a `#[serde(flatten)] extra` map, but marks
/// that map as required in the struct's builder, whose `Default` starts it as
/// `Err("no value supplied for extra")`. serde reads an object without undeclared
/// properties as an empty map, yet the builder refuses to build any value until `extra`
/// is set: every request body built the documented way
/// (`.body_map(|b| b.document_url(..))`) would fail before sending. No upstream issue
/// about it was found. This starts each builder's `extra` as an empty map instead.
///
/// Fails, naming the trap, unless it changes exactly one builder for each struct with a
/// flattened `extra`: a new typify must not silently bring the trap back, nor change
/// what this looks for.
pub fn default_flattened_maps(code: &mut syn::File) -> Result<(), SpecError> {
    struct Defaults(usize);
    impl VisitMut for Defaults {
        fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
            let is_default = item
                .trait_
                .as_ref()
                .and_then(|(_, path, _)| path.segments.last())
                .is_some_and(|s| s.ident == "Default");
            if is_default {
                syn::visit_mut::visit_item_impl_mut(self, item);
            }
        }
        fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
            let starts_missing = matches!(&field.member, syn::Member::Named(n) if n == "extra")
                && field
                    .expr
                    .to_token_stream()
                    .to_string()
                    .contains("no value supplied for extra");
            if starts_missing {
                field.expr = parse_quote!(Ok(Default::default()));
                self.0 += 1;
            }
        }
    }
    let Some(types) = module_items_mut(&mut code.items, "types") else {
        return Err(SpecError::Adapt(
            "the generated client has no `types` module: `default_flattened_maps` no \
             longer finds typify's builders; update it for this progenitor"
                .into(),
        ));
    };
    let flattened_extra = |field: &syn::Field| {
        let flatten = |a: &syn::Attribute| {
            a.path().is_ident("serde") && a.to_token_stream().to_string().contains("flatten")
        };
        field.ident.as_ref().is_some_and(|i| i == "extra") && field.attrs.iter().any(flatten)
    };
    let flattened = types
        .iter()
        .filter(|item| matches!(item, Item::Struct(s) if s.fields.iter().any(flattened_extra)))
        .count();
    let mut defaults = Defaults(0);
    if let Some(builders) = module_items_mut(types, "builder") {
        for item in builders {
            defaults.visit_item_mut(item);
        }
    }
    if defaults.0 != flattened {
        return Err(SpecError::Adapt(format!(
            "`default_flattened_maps` changed {} builders, but {flattened} structs keep \
             undeclared properties in a flattened `extra`: typify no longer generates \
             builders as it expects; update it for this typify",
            defaults.0
        )));
    }
    Ok(())
}

/// The items of the module `name` among `items`.
pub(crate) fn module_items<'a>(items: &'a [Item], name: &str) -> Option<&'a Vec<Item>> {
    items.iter().find_map(|item| match item {
        Item::Mod(module) if module.ident == name => module.content.as_ref().map(|c| &c.1),
        _ => None,
    })
}

/// [`module_items`], to change.
fn module_items_mut<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut Vec<Item>> {
    items.iter_mut().find_map(|item| match item {
        Item::Mod(module) if module.ident == name => module.content.as_mut().map(|c| &mut c.1),
        _ => None,
    })
}

/// Points each operation builder's documentation at `client`, the client users hold.
///
/// progenitor documents each builder as "Builder for \[`Client::x`\]", linked to
/// `super::Client::x`: its own client, which the including crate keeps private
/// ([`client_forwarders`]), so on docs.rs every such link would lead nowhere. `client`
/// has the same method with the same documentation.
///
/// Fails, naming the trap, unless it changes exactly one link on each of `operations`
/// builders.
pub fn link_builders_to(
    code: &mut syn::File,
    client: &syn::Path,
    operations: usize,
) -> Result<(), SpecError> {
    let (from, to) = (
        "]: super::Client::",
        format!(
            "]: {}::",
            client.to_token_stream().to_string().replace(' ', "")
        ),
    );
    let mut linked = 0;
    let builders = module_items_mut(&mut code.items, "builder")
        .into_iter()
        .flatten();
    for item in builders {
        let Item::Struct(builder) = item else {
            continue;
        };
        for attribute in &mut builder.attrs {
            let syn::Meta::NameValue(doc) = &mut attribute.meta else {
                continue;
            };
            let Expr::Lit(syn::ExprLit {
                lit: Lit::Str(text),
                ..
            }) = &doc.value
            else {
                continue;
            };
            if doc.path.is_ident("doc") && text.value().contains(from) {
                let text = text.value().replace(from, &to);
                doc.value = parse_quote!(#text);
                linked += 1;
            }
        }
    }
    if linked != operations {
        return Err(SpecError::Adapt(format!(
            "`link_builders_to` linked {linked} builders to the public client, but there \
             are {operations} operations: progenitor no longer documents its builders as \
             it expects; update it for this progenitor"
        )));
    }
    Ok(())
}

/// The public client's methods: one per operation, forwarding to the generated client's.
///
/// progenitor's `Client` has public constructors, `Client::new(baseurl, inner)` and
/// `Client::new_with_client(baseurl, reqwest_client, inner)`, which build a client without
/// the builder's API key, timeouts, redirect policy and checked base URL; and its
/// `ClientInfo::inner()` hands out the settings (the key included) to build one aimed
/// anywhere. So the including crate keeps progenitor's client private, inside its own
/// `client` type, which only its builder makes, and this renders that type's methods:
/// for each operation method of the generated `impl Client` (`(&self) -> builder::X<'_>`),
/// the same documentation and signature, calling `self.generated.<method>()`.
///
/// Fails, naming the trap, unless it finds exactly `operations` such methods.
pub fn client_forwarders(
    code: &syn::File,
    client: &syn::Path,
    operations: usize,
) -> Result<syn::File, SpecError> {
    let is_client = |ty: &syn::Type| matches!(ty, syn::Type::Path(p) if p.path.is_ident("Client"));
    let methods: Vec<&syn::ImplItemFn> = code
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Impl(block) if block.trait_.is_none() && is_client(&block.self_ty) => Some(block),
            _ => None,
        })
        .flat_map(|block| &block.items)
        .filter_map(|item| match item {
            syn::ImplItem::Fn(method) if returns_operation_builder(&method.sig) => Some(method),
            _ => None,
        })
        .collect();
    if methods.len() != operations {
        return Err(SpecError::Adapt(format!(
            "`client_forwarders` found {} operation methods on the generated `Client`, not \
             {operations}: progenitor no longer generates them as `(&self) -> \
             builder::X<'_>`; update it for this progenitor",
            methods.len()
        )));
    }
    let forwarders = methods.iter().map(|method| {
        let (attrs, sig, name) = (&method.attrs, &method.sig, &method.sig.ident);
        quote::quote! {
            #(#attrs)*
            pub #sig {
                self.generated.#name()
            }
        }
    });
    Ok(parse_quote! {
        impl #client {
            #(#forwarders)*
        }
    })
}

/// `fn x(&self) -> builder::X<'_>`: an operation method of progenitor's builder interface.
fn returns_operation_builder(sig: &syn::Signature) -> bool {
    let syn::ReturnType::Type(_, output) = &sig.output else {
        return false;
    };
    let syn::Type::Path(path) = &**output else {
        return false;
    };
    sig.inputs.len() == 1
        && matches!(sig.inputs.first(), Some(syn::FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_none())
        && path.path.segments.len() == 2
        && path.path.segments[0].ident == "builder"
}

/// `T` and `E` of an `async fn ... -> Result<ResponseValue<T>, Error<E>>`.
fn generated_result(sig: &syn::Signature) -> Option<(syn::Type, syn::Type)> {
    let syn::ReturnType::Type(_, output) = &sig.output else {
        return None;
    };
    let [ok, error, ..] = type_arguments(output, "Result")?[..] else {
        return None;
    };
    let [inner, ..] = type_arguments(error, "Error")?[..] else {
        return None;
    };
    let is_response = matches!(ok, syn::Type::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident == "ResponseValue"));
    (sig.asyncness.is_some() && is_response).then(|| (ok.clone(), inner.clone()))
}

/// `[A, B]` of a type `...::name<A, B>`; `None` for any other type, or an argument that
/// is not a type.
fn type_arguments<'a>(ty: &'a syn::Type, name: &str) -> Option<Vec<&'a syn::Type>> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last().filter(|s| s.ident == name)?;
    let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    let as_type = |argument: &'a syn::GenericArgument| match argument {
        syn::GenericArgument::Type(ty) => Some(ty),
        _ => None,
    };
    arguments.args.iter().map(as_type).collect()
}

/// The `"..."` of the `OperationInfo { operation_id: "..." }` in a generated operation.
fn operation_id(body: &Block) -> Option<syn::LitStr> {
    let mut found = OperationIds::default();
    found.visit_block(body);
    found.0.pop()
}

/// Every `OperationInfo { operation_id: "..." }` literal visited, in order.
#[derive(Default)]
struct OperationIds(Vec<syn::LitStr>);

impl<'ast> Visit<'ast> for OperationIds {
    fn visit_expr_struct(&mut self, info: &'ast syn::ExprStruct) {
        if info.path.is_ident("OperationInfo") {
            for field in &info.fields {
                if let (syn::Member::Named(name), Expr::Lit(value)) = (&field.member, &field.expr)
                    && let Lit::Str(id) = &value.lit
                    && name == "operation_id"
                {
                    self.0.push(id.clone());
                }
            }
        }
        syn::visit::visit_expr_struct(self, info);
    }
}

/// Checks that the route table names every method as progenitor does.
///
/// The hooks find a call's route by the name progenitor reports to them
/// (`OperationInfo { operation_id: "delete_document" }`), and the route table derives
/// those names from the `operationId`s on its own
/// ([`OperationRoute::method_name`](crate::routes::OperationRoute::method_name)). Were
/// the two to name a method differently (an `operationId` such as `getAPIKey`), every
/// call of it would fail at run time with "no route"; this makes it a build error that
/// names the methods.
pub fn check_method_names<'a>(
    code: &syn::File,
    method_names: impl IntoIterator<Item = &'a str>,
) -> Result<(), SpecError> {
    let mut found = OperationIds::default();
    found.visit_file(code);
    let reported: BTreeSet<String> = found.0.iter().map(syn::LitStr::value).collect();
    let routed: BTreeSet<String> = method_names.into_iter().map(str::to_owned).collect();
    if reported == routed {
        return Ok(());
    }
    let only = |a: &BTreeSet<String>, b: &BTreeSet<String>| {
        a.difference(b).cloned().collect::<Vec<_>>().join(", ")
    };
    Err(SpecError::Adapt(format!(
        "the route table names methods that progenitor does not ({}), and progenitor names \
         methods the route table does not ({}): make `routes::snake_case` name operationIds \
         as progenitor does",
        only(&routed, &reported),
        only(&reported, &routed),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_docs_link_to_the_public_client() {
        let mut code: syn::File = parse_quote! {
            pub mod builder {
                #[doc = "Builder for [`Client::get_x`]\n\n[`Client::get_x`]: super::Client::get_x"]
                #[derive(Debug)]
                pub struct GetX;
                pub struct NotABuilderDoc;
            }
        };
        link_builders_to(&mut code, &parse_quote!(crate::Client), 1).unwrap();
        let text = prettyplease::unparse(&code);
        assert!(
            text.contains("[`Client::get_x`]: crate::Client::get_x"),
            "{text}"
        );
        assert!(!text.contains("super::Client"), "{text}");
        let err = link_builders_to(&mut code, &parse_quote!(crate::Client), 1).unwrap_err();
        assert!(err.to_string().contains("linked 0 builders"), "{err}");
    }

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
        let expected: syn::File = parse_quote! {
            #[allow(unused_imports)]
            use progenitor_client::{ClientHooks, OperationInfo};
            fn url(id: &str) -> String {
                format!("/v2/documents/{}", encode_path(&id.to_string()))
            }
            #[allow(unused_imports)]
            use crate::hooks::encode_path as encode_path;
        };
        assert_eq!(tokens(&code), tokens(&expected));
    }

    /// A file as tokens, printed by one printer for both sides of a comparison, so that
    /// spacing always agrees and only the code can differ.
    fn tokens(file: &syn::File) -> String {
        file.to_token_stream().to_string()
    }

    fn tokens_of(tokens: impl ToTokens) -> String {
        tokens.to_token_stream().to_string()
    }

    #[test]
    fn operations_return_errors_through_the_given_function() {
        let mut code: syn::File = parse_quote! {
            impl Client {
                pub async fn delete_document<'a>(
                    &'a self,
                    document_id: &'a str,
                ) -> Result<ResponseValue<()>, Error<types::DeleteDocumentError>> {
                    let info = OperationInfo { operation_id: "delete_document" };
                    self.pre(&mut request, &info).await?;
                    Err(Error::UnexpectedResponse(response))
                }
                pub fn baseurl(&self) -> &String {
                    &self.baseurl
                }
            }
        };
        return_errors_through(
            &mut code,
            &parse_quote!(crate::error::attach),
            &parse_quote!(crate::Error),
            1,
        )
        .unwrap();
        let expected: syn::File = parse_quote! {
            impl Client {
                pub async fn delete_document<'a>(
                    &'a self,
                    document_id: &'a str,
                ) -> Result<ResponseValue<()>, crate::Error<types::DeleteDocumentError>> {
                    let result: Result<ResponseValue<()>, Error<types::DeleteDocumentError>> =
                        async move {
                            let info = OperationInfo { operation_id: "delete_document" };
                            self.pre(&mut request, &info).await?;
                            Err(Error::UnexpectedResponse(response))
                        }
                        .await;
                    crate::error::attach("delete_document", result)
                }
                pub fn baseurl(&self) -> &String {
                    &self.baseurl
                }
            }
        };
        assert_eq!(tokens(&code), tokens(&expected));
        let mut unnamed: syn::File = parse_quote! {
            impl Client {
                pub async fn get(&self) -> Result<ResponseValue<()>, Error<()>> { todo!() }
            }
        };
        let err = return_errors_through(
            &mut unnamed,
            &parse_quote!(attach),
            &parse_quote!(crate::Error),
            1,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("wrapped 0 of 1 operations"), "{err}");
        assert!(err.contains("no `OperationInfo` in [\"get\"]"), "{err}");
    }

    #[test]
    fn builders_start_flattened_maps_empty() {
        let mut code: syn::File = parse_quote! {
            pub mod types {
                pub struct Body {
                    pub name: String,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<String, ::serde_json::Value>,
                }
                pub struct Plain { pub name: String }
                pub mod builder {
                    impl ::std::default::Default for Body {
                        fn default() -> Self {
                            Self {
                                name: Err("no value supplied for name".to_string()),
                                extra: Err("no value supplied for extra".to_string()),
                            }
                        }
                    }
                    impl ::std::default::Default for Plain {
                        fn default() -> Self {
                            Self { name: Err("no value supplied for name".to_string()) }
                        }
                    }
                }
            }
        };
        default_flattened_maps(&mut code).unwrap();
        let text = tokens(&code);
        assert!(text.contains(&tokens_of(quote::quote!(extra: Ok(Default::default())))));
        // Required properties stay required.
        assert_eq!(text.matches("no value supplied for name").count(), 2);
        assert!(!text.contains("no value supplied for extra"));
    }

    #[test]
    fn a_flattened_map_whose_builder_is_not_found_is_an_error() {
        let mut code: syn::File = parse_quote! {
            pub mod types {
                pub struct Body {
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<String, ::serde_json::Value>,
                }
                pub mod builder {}
            }
        };
        let err = default_flattened_maps(&mut code).unwrap_err().to_string();
        assert!(err.contains("changed 0 builders, but 1 structs"), "{err}");
    }

    #[test]
    fn forwarders_keep_the_docs_and_call_the_generated_client() {
        let code: syn::File = parse_quote! {
            pub struct Client;
            impl Client {
                pub fn new(baseurl: &str) -> Self { todo!() }
                pub fn baseurl(&self) -> &String { todo!() }
            }
            impl Client {
                ///Delete Document
                pub fn delete_document(&self) -> builder::DeleteDocument<'_> {
                    builder::DeleteDocument::new(self)
                }
            }
        };
        let forwarders = client_forwarders(&code, &parse_quote!(crate::Client), 1).unwrap();
        let expected: syn::File = parse_quote! {
            impl crate::Client {
                ///Delete Document
                pub fn delete_document(&self) -> builder::DeleteDocument<'_> {
                    self.generated.delete_document()
                }
            }
        };
        assert_eq!(tokens(&forwarders), tokens(&expected));
        let Err(err) = client_forwarders(&code, &parse_quote!(crate::Client), 2) else {
            panic!("two operations counted where there is one");
        };
        assert!(
            err.to_string().contains("found 1 operation methods"),
            "{err}"
        );
    }

    #[test]
    fn method_names_must_be_progenitors() {
        let code: syn::File = parse_quote! {
            impl Client {
                pub async fn get_api_key(&self) {
                    let info = OperationInfo { operation_id: "get_api_key" };
                }
                pub async fn delete_document(&self) {
                    let info = OperationInfo { operation_id: "delete_document" };
                }
            }
        };
        check_method_names(&code, ["delete_document", "get_api_key"]).unwrap();
        let err = check_method_names(&code, ["delete_document", "get_a_p_i_key"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("that progenitor does not (get_a_p_i_key)")
                && err.contains("the route table does not (get_api_key)"),
            "{err}"
        );
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
