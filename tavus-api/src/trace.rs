//! With the `tracing` feature: one span per request, covering its retries.

use std::future::Future;
use std::time::Instant;

use progenitor_client::OperationInfo;
use reqwest::{Request, Response};
use tracing::Instrument;
use tracing::field::{Empty, display};

use crate::hooks::route;

/// The span of one call: which operation, where it went, and (once known) the status or
/// error and how long it took. Only the method and the URL path are taken from the
/// request, never its headers or query, so the API key cannot reach it.
pub(crate) fn request_span(info: &OperationInfo, request: &Request) -> tracing::Span {
    // progenitor's `operation_id` is the method name; the spec's operationId is what the
    // Tavus docs call the operation.
    let operation_id = route(info.operation_id).map_or(info.operation_id, |r| r.operation_id);
    tracing::info_span!(
        "tavus_api.request",
        operation_id,
        http.request.method = %request.method(),
        url.path = request.url().path(),
        http.response.status_code = Empty,
        error = Empty,
        duration_ms = Empty,
    )
}

/// Runs `send` inside `span` and records its outcome there.
pub(crate) async fn record(
    span: tracing::Span,
    send: impl Future<Output = reqwest::Result<Response>>,
) -> reqwest::Result<Response> {
    let started = Instant::now();
    let result = send.instrument(span.clone()).await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    span.record("duration_ms", duration_ms);
    match &result {
        Ok(response) => span.record("http.response.status_code", response.status().as_u16()),
        Err(e) => span.record("error", display(tavus_retry::error_chain(e))),
    };
    result
}
