use openapiv3::{OpenAPI, ReferenceOr, StatusCode};

use crate::SpecError;

/// Refuses, with a message naming the operation, a spec progenitor would panic on.
///
/// progenitor gives each method one success type, and asserts (a panic inside the
/// build script, naming nothing) that all of an operation's 1xx/2xx/`default` responses
/// share it: a JSON 200 beside a bodiless 204, or two different JSON shapes, stop the
/// build. No page in the snapshot does this (3xx responses do not count: a 304 beside a
/// JSON 200 is fine), so there is nothing to adapt yet; if a page starts to, this says
/// which operation and statuses, so the adaptation can be written.
pub fn check_success_responses(spec: &OpenAPI) -> Result<(), SpecError> {
    for (path, method, operation) in spec.operations() {
        let responses = &operation.responses;
        let successes = responses
            .responses
            .iter()
            .filter(|(status, _)| is_success(status));
        let shapes: Vec<(String, String)> = successes
            .map(|(status, response)| (status.to_string(), body_shape(response)))
            .chain(
                responses
                    .default
                    .iter()
                    .map(|r| ("default".to_owned(), body_shape(r))),
            )
            .collect();
        if shapes.iter().any(|(_, shape)| *shape != shapes[0].1) {
            let listed: Vec<String> = shapes
                .iter()
                .map(|(status, shape)| {
                    format!("{status} ({})", shape.split(':').next().unwrap_or(""))
                })
                .collect();
            return Err(SpecError::Adapt(format!(
                "{} {path} ({}) answers success with different bodies: {}; progenitor needs one success type per operation, so add an adaptation in tavus-openapi/src/adapt/",
                method.to_uppercase(),
                operation
                    .operation_id
                    .as_deref()
                    .unwrap_or("no operationId"),
                listed.join(", ")
            )));
        }
    }
    Ok(())
}

fn is_success(status: &StatusCode) -> bool {
    match status {
        StatusCode::Code(code) => *code == 101 || (200..300).contains(code),
        StatusCode::Range(range) => *range == 2,
    }
}

/// `no body`, `JSON: <schema>` or `other: <media types>`, comparable between responses.
fn body_shape(response: &ReferenceOr<openapiv3::Response>) -> String {
    let ReferenceOr::Item(response) = response else {
        return format!("reference: {response:?}");
    };
    if response.content.is_empty() {
        return "no body".to_owned();
    }
    match response.content.get("application/json") {
        Some(media) => format!(
            "JSON: {}",
            serde_json::to_string(&media.schema).unwrap_or_default()
        ),
        None => format!("other: {:?}", response.content.keys().collect::<Vec<_>>()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapt::tests::spec;

    const JSON: &str = "content: {application/json: {schema: {type: object}}}";

    #[test]
    fn a_json_200_beside_a_bodiless_204_is_refused_by_name() {
        let s = spec(&format!(
            "        '200': {{description: ok, {JSON}}}\n        '204': {{description: gone}}\n"
        ));
        let err = check_success_responses(&s).unwrap_err().to_string();
        assert!(err.contains("GET /v2/x (getX)"), "{err}");
        assert!(err.contains("200 (JSON), 204 (no body)"), "{err}");
    }

    #[test]
    fn a_304_beside_a_json_200_and_error_bodies_are_fine() {
        let s = spec(&format!(
            "        '200': {{description: ok, {JSON}}}\n        '304': {{description: same}}\n        '400': {{description: bad, content: {{application/json: {{schema: {{type: string}}}}}}}}\n"
        ));
        check_success_responses(&s).unwrap();
    }
}
