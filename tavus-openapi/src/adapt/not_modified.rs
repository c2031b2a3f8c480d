use openapiv3::{OpenAPI, ReferenceOr, StatusCode};

use super::operations_mut;

/// Drops the body documented for a `304 Not Modified` response.
///
/// `patchPersona` documents a JSON `{message}` on 304, but HTTP gives a 304 no body
/// (RFC 9110, 15.4.5): the client ends the response after its headers whatever the
/// server writes, so that body can never arrive. Kept, it would make the client expect
/// JSON on every 304 and report each one as an invalid body, and progenitor would
/// generate an unused `PatchPersonaResponse` type from it. progenitor generates no
/// match arm for 3xx statuses either way: a 304 reaches the caller as an error whose
/// kind is `NotModified` (see `tavus_api::ErrorKind`).
pub fn drop_not_modified_bodies(spec: &mut OpenAPI) {
    for (_, _, operation) in operations_mut(spec) {
        if let Some(ReferenceOr::Item(response)) = operation
            .responses
            .responses
            .get_mut(&StatusCode::Code(304))
        {
            response.content.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapt::tests::operation;
    use crate::adapt::tests::spec;

    #[test]
    fn a_304_body_is_dropped_and_other_bodies_kept() {
        let mut s = spec(
            "        '304': {description: same, content: {application/json: {schema: {type: object, properties: {message: {type: string}}}}}}\n        '400': {description: bad, content: {application/json: {schema: {type: object}}}}\n",
        );
        drop_not_modified_bodies(&mut s);
        let responses = &operation(&s, "get").responses.responses;
        let content = |code| {
            &responses[&StatusCode::Code(code)]
                .as_item()
                .unwrap()
                .content
        };
        assert!(content(304).is_empty());
        assert!(content(400).contains_key("application/json"));
        assert_eq!(
            responses[&StatusCode::Code(304)]
                .as_item()
                .unwrap()
                .description,
            "same"
        );
    }
}
