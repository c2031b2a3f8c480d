//! Everything the client does around each generated call, in one place (progenitor's
//! `ClientHooks`): it refuses requests whose path parameters would change the request
//! path, drops the `api-version` header progenitor adds, sends requests again as the
//! client's [`RetryPolicy`] allows, traces each call (feature `tracing`), and keeps each
//! response body so that a body the client cannot type still reaches the caller with its
//! status.

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::{Request, Response, ResponseBuilderExt};

use crate::generated::route;
use crate::{Client, Error, RetryPolicy, retry};

/// An operation's route, as the build script reads it from the spec.
pub(crate) struct Route {
    pub(crate) operation_id: &'static str,
    pub(crate) method_name: &'static str,
    pub(crate) path: &'static str,
    pub(crate) json_statuses: &'static [u16],
}

/// A response's whole body, kept in the response's extensions by [`Client::exec`].
#[derive(Clone)]
pub(crate) struct BufferedBody(pub(crate) Bytes);

/// Marks a response whose documented JSON body did not arrive as JSON.
#[derive(Clone)]
pub(crate) struct InvalidBody;

/// progenitor sends `api-version: <info.version>` with every request. Tavus versions
/// its API in the path (`/v2/...`), and `info.version` is the version of the docs
/// collection (`1.0.0`), not of the API: the header would be noise at best, so it is
/// not sent.
const PROGENITOR_API_VERSION_HEADER: &str = "api-version";

impl ClientHooks<RetryPolicy> for Client {
    async fn pre<E>(&self, request: &mut Request, info: &OperationInfo) -> Result<(), Error<E>> {
        request.headers_mut().remove(PROGENITOR_API_VERSION_HEADER);
        // Every generated method has a route; a missing one means the build script and
        // progenitor disagree on names, and the path check must not be skipped silently.
        let route = route(info.operation_id).ok_or_else(|| {
            Error::InvalidRequest(format!(
                "no route for `{}`: tavus-api was built wrong",
                info.operation_id
            ))
        })?;
        check_path(request, self.baseurl(), route).map_err(Error::InvalidRequest)
    }

    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        #[cfg(feature = "tracing")]
        let span = crate::trace::request_span(info, &request);
        let send = retry::send(self.inner(), request, |request| async {
            buffer(self.client().execute(request).await?).await
        });
        #[cfg(feature = "tracing")]
        let send = crate::trace::record(span, send);
        #[cfg(not(feature = "tracing"))]
        let _ = info;
        send.await
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<Response>,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let (Ok(response), Some(route)) = (result, route(info.operation_id)) else {
            return Ok(());
        };
        let Some(BufferedBody(body)) = response.extensions().get::<BufferedBody>() else {
            return Ok(());
        };
        let status = response.status().as_u16();
        if route.json_statuses.contains(&status)
            && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err()
        {
            let mut copy = rebuild(response, body.clone());
            copy.extensions_mut().insert(InvalidBody);
            return Err(Error::UnexpectedResponse(copy));
        }
        Ok(())
    }
}

/// Reads the whole body so that it can be both decoded and, when decoding fails,
/// returned to the caller; Tavus responses are small JSON documents. A body known to be
/// empty (204, 304, `content-length: 0`) is neither read nor rebuilt around: for
/// `delete_document` that was a quarter of the work the client adds to a hand-written
/// request (BENCHMARKS.md).
async fn buffer(mut response: Response) -> reqwest::Result<Response> {
    if response.content_length() == Some(0) {
        response.extensions_mut().insert(BufferedBody(Bytes::new()));
        return Ok(response);
    }
    let parts = (
        response.status(),
        response.version(),
        response.headers().clone(),
        response.url().clone(),
    );
    let body = response.bytes().await?;
    let builder = http::Response::builder()
        .status(parts.0)
        .version(parts.1)
        .url(parts.3);
    Ok(assemble(builder, parts.2, body))
}

fn rebuild(response: &Response, body: Bytes) -> Response {
    let builder = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone());
    assemble(builder, response.headers().clone(), body)
}

fn assemble(
    mut builder: http::response::Builder,
    headers: http::HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(h) = builder.headers_mut() {
        *h = headers;
    }
    let mut response = builder
        .body(body.clone())
        .expect("status, version and headers come from a received response");
    response.extensions_mut().insert(BufferedBody(body));
    Response::from(response)
}

/// Checks that the request goes to the operation's own path: path parameters that are
/// empty, `.` or `..`, or hold a `\` (which URL parsing reads as `/`) would send it to
/// another resource (`DELETE /v2/documents/..` is `DELETE /v2/`).
fn check_path(request: &Request, base_url: &str, route: &Route) -> Result<(), String> {
    let base_segments = base_url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map_or(0, |(_, path)| {
            path.split('/').filter(|s| !s.is_empty()).count()
        });
    let template: Vec<&str> = route.path.split('/').skip(1).collect();
    let sent: Vec<&str> = request
        .url()
        .path_segments()
        .map(|s| s.skip(base_segments).collect())
        .unwrap_or_default();
    let changed = sent.len() != template.len()
        || sent
            .iter()
            .zip(&template)
            .any(|(s, t)| match t.starts_with('{') {
                true => s.is_empty(),
                false => s != t,
            });
    if changed {
        let parameters: Vec<&str> = template
            .iter()
            .filter_map(|t| t.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        return Err(format!(
            "{} {} not sent: `{}` is empty, `.`, `..` or holds `\\`, which would send it to {} instead",
            route.operation_id,
            route.path,
            parameters.join("` or `"),
            request.url().path()
        ));
    }
    Ok(())
}
