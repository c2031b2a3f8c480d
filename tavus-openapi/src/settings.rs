//! Adaptations made through progenitor's and typify's own settings rather than the spec or
//! the generated code: each is one named function that says what it handles and why, with
//! a test.

use progenitor_impl::{GenerationSettings, TypePatch};

/// Marks every generated type `#[non_exhaustive]`, so that what the spec adds later is not
/// a breaking change.
///
/// A struct with public fields can be built with a struct literal and destructured
/// without `..`, and an enum can be matched without a wildcard; a property or an enum
/// value added upstream would then break that code when the crate is regenerated. As in
/// the AWS SDK for Rust, every struct and enum is `#[non_exhaustive]`: request bodies are
/// built through typify's builders (`types::builder::*`), and matches need a wildcard.
/// progenitor has no setting for all types at once, only typify's per-type patches, so the
/// names come from a first generation (`type_names`, see [`type_names`]).
pub fn non_exhaustive_types<'a>(
    settings: &mut GenerationSettings,
    type_names: impl IntoIterator<Item = &'a str>,
) {
    let mut patch = TypePatch::default();
    patch.with_attr("#[non_exhaustive]");
    for name in type_names {
        settings.with_patch(name, &patch);
    }
}

/// The structs and enums progenitor generated in its `types` module (not its builders or
/// other submodules): the names [`non_exhaustive_types`] patches.
pub fn type_names(code: &syn::File) -> Vec<String> {
    let types = crate::code::module_items(&code.items, "types");
    types
        .into_iter()
        .flatten()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use progenitor_impl::{Generator, InterfaceStyle};

    use super::*;

    /// Generates `spec` (YAML) with `adjust` applied to the settings.
    fn generate(spec: &str, adjust: impl FnOnce(&mut GenerationSettings)) -> syn::File {
        let spec = crate::parse_document(spec, "t").unwrap();
        let mut settings = GenerationSettings::new();
        settings.with_interface(InterfaceStyle::Builder);
        adjust(&mut settings);
        let tokens = Generator::new(&settings).generate_tokens(&spec).unwrap();
        syn::parse2(tokens).unwrap()
    }

    const SPEC: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /v2/x:\n    get:\n      operationId: getX\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {mode: {type: string, enum: [a, b]}}}}}}\n";

    fn types_item<'a>(code: &'a syn::File, name: &str) -> &'a syn::Item {
        crate::code::module_items(&code.items, "types")
            .unwrap()
            .iter()
            .find(|i| match i {
                syn::Item::Struct(s) => s.ident == name,
                syn::Item::Enum(e) => e.ident == name,
                _ => false,
            })
            .unwrap_or_else(|| panic!("no type {name}"))
    }

    fn is_non_exhaustive(item: &syn::Item) -> bool {
        let attrs = match item {
            syn::Item::Struct(s) => &s.attrs,
            syn::Item::Enum(e) => &e.attrs,
            _ => unreachable!(),
        };
        attrs.iter().any(|a| a.path().is_ident("non_exhaustive"))
    }

    #[test]
    fn every_type_is_non_exhaustive_after_a_second_generation() {
        let first = generate(SPEC, |_| {});
        let names = type_names(&first);
        assert_eq!(names, ["GetXResponse", "GetXResponseMode"]);
        assert!(!is_non_exhaustive(types_item(&first, "GetXResponse")));
        let second = generate(SPEC, |s| {
            non_exhaustive_types(s, names.iter().map(String::as_str))
        });
        for name in &names {
            assert!(is_non_exhaustive(types_item(&second, name)), "{name}");
        }
    }
}
