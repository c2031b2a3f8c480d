use openapiv3::{OpenAPI, Schema, SchemaKind, Type};
use progenitor_impl::{GenerationSettings, TypeImpl};

use super::walk_responses;

/// The vendor extension [`mark_response_booleans`] puts on each boolean of a response, for
/// [`lenient_booleans`] to find.
pub const LENIENT_BOOL_MARK: &str = "x-tavus-lenient-bool";

/// Marks every boolean in a response, so that [`lenient_booleans`] decodes it leniently.
///
/// Tavus sends some booleans as the strings `"true"` and `"false"`: a documented persona
/// example carries `tts_emotion_control: "false"` where the spec says `boolean`, and the
/// description of `patchPersona` tells users to send strings. With `bool`, that one field
/// makes the whole response fail to decode. Only responses are marked: what the client
/// sends stays a plain `bool`, which the API documents and accepts.
pub fn mark_response_booleans(spec: &mut OpenAPI) {
    walk_responses(spec, &mut |schema: &mut Schema, _: &str| {
        if matches!(schema.schema_kind, SchemaKind::Type(Type::Boolean(_))) {
            schema
                .schema_data
                .extensions
                .insert(LENIENT_BOOL_MARK.to_owned(), serde_json::Value::Bool(true));
        }
    });
}

/// Generates every boolean [`mark_response_booleans`] marked as `lenient_bool`, a type of
/// the including crate that reads a boolean or one of the strings `"true"` and `"false"`.
///
/// typify replaces every schema equal to the one given here (descriptions aside) with the
/// named type: a boolean carrying the mark.
pub fn lenient_booleans(settings: &mut GenerationSettings, lenient_bool: &str) {
    let marked = schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::Boolean.into()),
        extensions: [(LENIENT_BOOL_MARK.to_owned(), serde_json::Value::Bool(true))]
            .into_iter()
            .collect(),
        ..Default::default()
    };
    settings.with_conversion(
        marked,
        lenient_bool,
        [TypeImpl::Default, TypeImpl::Display, TypeImpl::FromStr].into_iter(),
    );
}

#[cfg(test)]
mod tests {
    use progenitor_impl::{Generator, InterfaceStyle};

    use super::*;

    const SPEC: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /v2/x:\n    post:\n      operationId: postX\n      requestBody: {content: {application/json: {schema: {type: object, properties: {on: {type: boolean}}}}}}\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {on: {type: boolean, description: Whether}}}}}}\n";

    /// The type of field `on` of the struct `name`, in code generated from [`SPEC`].
    fn field_type(name: &str) -> String {
        let mut spec = crate::parse_document(SPEC, "t").unwrap();
        mark_response_booleans(&mut spec);
        let mut settings = GenerationSettings::new();
        settings.with_interface(InterfaceStyle::Builder);
        lenient_booleans(&mut settings, "crate::LenientBool");
        let tokens = Generator::new(&settings).generate_tokens(&spec).unwrap();
        let code: syn::File = syn::parse2(tokens).unwrap();
        let types = crate::code::module_items(&code.items, "types").unwrap();
        let ty = types
            .iter()
            .find_map(|i| match i {
                syn::Item::Struct(s) if s.ident == name => s
                    .fields
                    .iter()
                    .find(|f| f.ident.as_ref().unwrap() == "on")
                    .map(|f| f.ty.clone()),
                _ => None,
            })
            .unwrap();
        quote::quote!(#ty).to_string()
    }

    #[test]
    fn response_booleans_are_lenient_descriptions_and_all() {
        assert_eq!(
            field_type("PostXResponse"),
            quote::quote!(::std::option::Option<crate::LenientBool>).to_string()
        );
    }

    #[test]
    fn request_booleans_stay_bool() {
        assert_eq!(
            field_type("PostXBody"),
            quote::quote!(::std::option::Option<bool>).to_string()
        );
    }
}
