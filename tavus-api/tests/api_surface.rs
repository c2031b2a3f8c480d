//! Keeps `api-surface.txt` (the generated client's methods and public types, read
//! from the code progenitor generated for this build) in step with the spec, so a spec
//! update shows its effect on the Rust API in the diff.
//!
//! When it fails, review the diff it prints, then rewrite the file with
//! `EXPECTORATE=overwrite cargo test -p tavus-api --test api_surface`.

use std::fmt::Write;

use quote::ToTokens;
use syn::{Fields, FnArg, ImplItem, Item, ReturnType, Visibility};

const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/codegen.rs"));

#[test]
fn api_surface_txt_matches_the_generated_code() {
    expectorate::assert_contents("api-surface.txt", &surface(GENERATED));
}

/// The surface as text: each method of `Client`, then each public type with its
/// fields or variants, in the order progenitor generates them.
fn surface(code: &str) -> String {
    let file = syn::parse_file(code).expect("progenitor's output parses");
    let mut out = String::from(
        "# The generated tavus-api surface, from the vendored spec.\n# Checked by tavus-api/tests/api_surface.rs; never edit by hand.\n\n## impl Client\n\n",
    );
    for item in &file.items {
        if let Item::Impl(block) = item
            && block.trait_.is_none()
            && type_text(&block.self_ty) == "Client"
        {
            for item in &block.items {
                if let ImplItem::Fn(f) = item
                    && matches!(f.vis, Visibility::Public(_))
                {
                    writeln!(out, "{}", signature(&f.sig)).unwrap();
                }
            }
        }
    }
    out.push_str("\n## mod types\n");
    for item in &file.items {
        if let Item::Mod(module) = item
            && module.ident == "types"
        {
            for item in module.content.iter().flat_map(|(_, items)| items) {
                write_type(&mut out, item);
            }
        }
    }
    out
}

fn signature(sig: &syn::Signature) -> String {
    let args: Vec<String> = sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(arg) => Some(format!(
                "{}: {}",
                arg.pat.to_token_stream(),
                type_text(&arg.ty)
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
            write!(out, "\nstruct {}", s.ident).unwrap();
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
            writeln!(out, "\nenum {}{tag} {{", e.ident).unwrap();
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
        Item::Mod(module) if matches!(module.vis, Visibility::Public(_)) => {
            for item in module.content.iter().flat_map(|(_, items)| items) {
                write_type(out, item);
            }
        }
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
    let mut text = ty.to_token_stream().to_string();
    for prefix in [
        ":: std :: option :: ",
        ":: std :: string :: ",
        ":: std :: vec :: ",
        ":: std :: collections :: ",
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
