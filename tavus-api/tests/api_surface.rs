//! Keeps `api-surface.txt` (the client's methods, the setters of each operation's
//! builder, and the public types with their fields, read from the code generated for this
//! build) in step with the spec, so a spec update shows its effect on the Rust API in the
//! diff.
//!
//! When it fails, review the diff it prints, then rewrite the file with
//! `EXPECTORATE=overwrite cargo test -p tavus-api --test api_surface`.

use std::fmt::Write;

use quote::ToTokens;
use syn::{Fields, FnArg, ImplItem, Item, ReturnType, Visibility};

const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/codegen.rs"));
const CLIENT: &str = include_str!(concat!(env!("OUT_DIR"), "/client.rs"));

#[test]
fn api_surface_txt_matches_the_generated_code() {
    expectorate::assert_contents("api-surface.txt", &surface(GENERATED, CLIENT));
}

/// The surface as text: each method of `Client`, each operation builder with its
/// setters, then each public type with its fields or variants, in the order progenitor
/// generates them.
fn surface(code: &str, client: &str) -> String {
    let file = syn::parse_file(code).expect("progenitor's output parses");
    let client = syn::parse_file(client).expect("the client's methods parse");
    let mut out = String::from(
        "# The generated tavus-api surface, from the vendored spec.\n# Checked by tavus-api/tests/api_surface.rs; never edit by hand.\n\n## impl Client\n\n",
    );
    for method in public_methods(&client.items) {
        writeln!(out, "{}", signature(&method.sig)).unwrap();
    }
    out.push_str("\n## mod builder (one per operation: set what you need, then `send`)\n");
    for item in module(&file.items, "builder") {
        if let Item::Struct(s) = item
            && matches!(s.vis, Visibility::Public(_))
        {
            writeln!(out, "\n{}", s.ident).unwrap();
            let impls = module(&file.items, "builder").iter().filter(|item| {
                matches!(item, Item::Impl(block) if block.trait_.is_none()
                    && type_text(&block.self_ty).starts_with(&format!("{}<", s.ident)))
            });
            for method in public_methods(impls) {
                if method.sig.ident != "new" {
                    writeln!(out, "    {}", signature(&method.sig)).unwrap();
                }
            }
        }
    }
    out.push_str("\n## mod types (every type is #[non_exhaustive] unless marked exhaustive)\n");
    for item in module(&file.items, "types") {
        write_type(&mut out, item);
    }
    out
}

/// The items of the top-level module `name`.
fn module<'a>(items: &'a [Item], name: &str) -> &'a [Item] {
    items
        .iter()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| &items[..]),
            _ => None,
        })
        .unwrap_or_default()
}

/// The public methods of the inherent `impl` blocks among `items`.
fn public_methods<'a>(
    items: impl IntoIterator<Item = &'a Item>,
) -> impl Iterator<Item = &'a syn::ImplItemFn> {
    items
        .into_iter()
        .filter_map(|item| match item {
            Item::Impl(block) if block.trait_.is_none() => Some(&block.items),
            _ => None,
        })
        .flatten()
        .filter_map(|item| match item {
            ImplItem::Fn(f) if matches!(f.vis, Visibility::Public(_)) => Some(f),
            _ => None,
        })
}

fn signature(sig: &syn::Signature) -> String {
    // A setter's `value: V` where `V: TryInto<T>` reads `value: impl TryInto<T>`.
    let bounds = |ty: &syn::Type| -> Option<String> {
        let generic = type_text(ty);
        let clause = sig.generics.where_clause.as_ref()?;
        clause.predicates.iter().find_map(|p| match p {
            syn::WherePredicate::Type(p) if type_text(&p.bounded_ty) == generic => {
                let bounds: Vec<String> = p
                    .bounds
                    .iter()
                    .map(|b| readable(b.to_token_stream().to_string()))
                    .collect();
                Some(format!("impl {}", bounds.join(" + ")))
            }
            _ => None,
        })
    };
    let args: Vec<String> = sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(arg) => Some(format!(
                "{}: {}",
                arg.pat.to_token_stream(),
                bounds(&arg.ty).unwrap_or_else(|| type_text(&arg.ty))
            )),
            FnArg::Receiver(_) => None,
        })
        .collect();
    let output = match &sig.output {
        ReturnType::Default => String::new(),
        ReturnType::Type(_, ty) => format!(" -> {}", type_text(ty)),
    };
    let asyncness = if sig.asyncness.is_some() {
        "async "
    } else {
        ""
    };
    format!("{asyncness}fn {}({}){output}", sig.ident, args.join(", "))
}

fn write_type(out: &mut String, item: &Item) {
    match item {
        Item::Struct(s) if matches!(s.vis, Visibility::Public(_)) => {
            write!(out, "\n{}struct {}", exhaustive(&s.attrs), s.ident).unwrap();
            write_fields(out, &s.fields, "");
            out.push('\n');
        }
        Item::Enum(e) if matches!(e.vis, Visibility::Public(_)) => {
            let untagged = serde_args(&e.attrs).iter().any(|a| a == "untagged");
            let tag = if untagged {
                "  (untagged: the first variant that fits)"
            } else {
                ""
            };
            writeln!(out, "\n{}enum {}{tag} {{", exhaustive(&e.attrs), e.ident).unwrap();
            for variant in &e.variants {
                write!(out, "    {}", variant.ident).unwrap();
                write_fields(out, &variant.fields, "    ");
                match rename(&variant.attrs) {
                    Some(json) => writeln!(out, " = {json:?}").unwrap(),
                    None => out.push('\n'),
                }
            }
            out.push_str("}\n");
        }
        // typify's `builder` module mirrors every struct; `error` holds its conversion
        // error. Neither is the API's shape.
        Item::Mod(_) => {}
        _ => {}
    }
}

fn write_fields(out: &mut String, fields: &Fields, indent: &str) {
    match fields {
        Fields::Named(named) => {
            out.push_str(" {\n");
            for field in &named.named {
                let name = field.ident.as_ref().unwrap();
                let json = rename(&field.attrs)
                    .map(|j| format!(" = {j:?}"))
                    .unwrap_or_default();
                writeln!(out, "{indent}    {name}: {}{json}", type_text(&field.ty)).unwrap();
            }
            write!(out, "{indent}}}").unwrap();
        }
        Fields::Unnamed(unnamed) => {
            let types: Vec<String> = unnamed.unnamed.iter().map(|f| type_text(&f.ty)).collect();
            write!(out, "({})", types.join(", ")).unwrap();
        }
        Fields::Unit => {}
    }
}

/// `"exhaustive "` for a type without `#[non_exhaustive]`, which the spec's growth can
/// break; nothing for the others.
fn exhaustive(attrs: &[syn::Attribute]) -> &'static str {
    if attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
        ""
    } else {
        "exhaustive "
    }
}

/// The words inside `#[serde(...)]` attributes, such as `untagged` or `rename = "x"`.
fn serde_args(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .filter_map(|a| a.meta.require_list().ok())
        .flat_map(|list| {
            list.tokens
                .to_string()
                .split(',')
                .map(|s| s.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The JSON name of a field or variant that `#[serde(rename = "...")]` gives it.
fn rename(attrs: &[syn::Attribute]) -> Option<String> {
    serde_args(attrs).into_iter().find_map(|arg| {
        let value = arg.strip_prefix("rename")?.trim_start().strip_prefix('=')?;
        Some(value.trim().trim_matches('"').to_owned())
    })
}

/// A type as a reader writes it: `Option<Vec<String>>`, not
/// `::std::option::Option<::std::vec::Vec<::std::string::String>>`.
fn type_text(ty: &syn::Type) -> String {
    readable(ty.to_token_stream().to_string())
}

/// Tokens as a reader writes them (see [`type_text`]).
fn readable(mut text: String) -> String {
    for prefix in [
        ":: std :: option :: ",
        ":: std :: string :: ",
        ":: std :: vec :: ",
        ":: std :: collections :: ",
        "std :: convert :: ",
        "std :: ops :: ",
        ":: std :: ",
        ":: serde_json :: ",
    ] {
        text = text.replace(prefix, "");
    }
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" < ", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        (",>", ">"),
        ("& 'a ", "&"),
        ("& ", "&"),
    ] {
        text = text.replace(from, to);
    }
    text
}
