//! Everything the client does around each generated call, in one place (progenitor's
//! `ClientHooks`): it refuses requests whose path parameters would change the request
//! path, sends requests again as the client's [`RetryPolicy`] allows, traces each call
//! (feature `tracing`), and keeps each response body so that a body the client cannot
//! type still reaches the caller with its status.

use bytes::Bytes;
use percent_encoding::{AsciiSet, CONTROLS, PercentEncode, utf8_percent_encode};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::{Request, Response, ResponseBuilderExt};

use crate::generated::ROUTES;
use crate::{ClientSettings, retry};

type Error<E> = progenitor_client::Error<E>;

/// How much of an error status's body is kept: enough for any error document, little
/// enough that a hostile server cannot fill memory through errors.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The header progenitor adds to every request, which [`ClientHooks::pre`] takes out.
const API_VERSION: http::HeaderName = http::HeaderName::from_static("api-version");

/// An operation's route, as the build script reads it from the spec.
pub(crate) struct Route {
    pub(crate) operation_id: &'static str,
    /// The generated method's name, which progenitor reports to the hooks as the
    /// operation id (`OperationInfo::operation_id`).
    pub(crate) method_name: &'static str,
    /// The path template, such as `/v2/conversations/{conversation_id}/end`.
    pub(crate) path: &'static str,
    /// The template's literal runs, a parameter between each two: `["/v2/conversations/",
    /// "/end"]`.
    pub(crate) path_runs: &'static [&'static str],
    pub(crate) json_statuses: &'static [u16],
}

/// The route of a generated method, by the name progenitor's hooks know it by.
pub(crate) fn route(method_name: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|route| route.method_name == method_name)
}

/// A response's whole body, kept in the response's extensions by [`Client::exec`].
#[derive(Clone)]
pub(crate) struct BufferedBody(pub(crate) Bytes);

/// Marks a response whose documented JSON body did not arrive as JSON, and says why.
#[derive(Clone)]
pub(crate) struct InvalidBody {
    pub(crate) reason: String,
}

/// Marks an error response whose body was cut at this many bytes (the rest was not read).
#[derive(Clone, Copy)]
pub(crate) struct Cut(pub(crate) usize);

/// Marks a success response whose body was over the size limit; it was not read.
#[derive(Clone, Copy)]
pub(crate) struct TooLarge {
    pub(crate) limit: usize,
}

impl ClientHooks<ClientSettings> for crate::generated::Client {
    async fn pre<E>(&self, request: &mut Request, info: &OperationInfo) -> Result<(), Error<E>> {
        // progenitor sends `api-version: <info.version>` with every request; Tavus versions
        // its API in the path (`/v2/...`), and `info.version` is the version of the docs
        // collection (`1.0.0`), not of the API: sent, it would be noise at best.
        request.headers_mut().remove(API_VERSION);
        // Every generated method has a route; a missing one means the build script and
        // progenitor disagree on names, and the path check must not be skipped silently.
        let route = route(info.operation_id).ok_or_else(|| {
            Error::InvalidRequest(format!(
                "no route for `{}`: tavus-api was built wrong",
                info.operation_id
            ))
        })?;
        check_path(request, &self.inner().base_path, route).map_err(Error::InvalidRequest)
    }

    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        #[cfg(feature = "tracing")]
        let span = crate::trace::request_span(info, &request);
        let settings = self.inner();
        let send = retry::send(&settings.retry, request, |request| async {
            let response = self.client().execute(request).await?;
            buffer(response, settings).await
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
        if let Some(&too_large) = response.extensions().get::<TooLarge>() {
            let mut copy = rebuild(response, Bytes::new());
            copy.extensions_mut().insert(too_large);
            return Err(Error::UnexpectedResponse(copy));
        }
        if !route.json_statuses.contains(&response.status().as_u16()) {
            return Ok(());
        }
        let Some(body) = buffered_body(response) else {
            return Ok(());
        };
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            let reason = match response.extensions().get::<Cut>() {
                Some(Cut(at)) => format!("only its first {at} bytes were kept: {e}"),
                None => e.to_string(),
            };
            let mut copy = rebuild(response, Bytes::copy_from_slice(body));
            copy.extensions_mut().insert(InvalidBody { reason });
            return Err(Error::UnexpectedResponse(copy));
        }
        Ok(())
    }
}

/// Reads the whole body so that it can be both decoded and, when decoding fails,
/// returned to the caller; Tavus responses are small JSON documents. What is read is
/// bounded, and the bound is enforced while reading: a success body over `limit` is not
/// kept (the response is marked [`TooLarge`], which [`ClientHooks::post`] makes an
/// error), and of an error status's body the first [`ERROR_BODY_LIMIT`] bytes are kept.
/// In both cases the rest is never read: the connection is dropped. A body known to be
/// empty (204, 304, `content-length: 0`) is not read at all.
async fn buffer(mut response: Response, settings: &ClientSettings) -> reqwest::Result<Response> {
    let limit = settings.max_response_size;
    if response.content_length() == Some(0) {
        return Ok(response);
    }
    let success = response.status().is_success();
    let keep = if success {
        limit
    } else {
        limit.min(ERROR_BODY_LIMIT)
    };
    let builder = builder_like(&response);
    let declared = response.content_length();
    let headers = std::mem::take(response.headers_mut());
    if success && declared.is_some_and(|length| length > limit as u64) {
        return Ok(too_large(builder, headers, limit));
    }
    let mut body = Vec::new();
    let mut cut = false;
    while let Some(chunk) = response.chunk().await? {
        let room = keep - body.len();
        if chunk.len() > room {
            if success {
                return Ok(too_large(builder, headers, limit));
            }
            body.extend_from_slice(&chunk[..room]);
            cut = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    if !success {
        redact(&mut body, settings.api_key.as_bytes());
    }
    let mut response = assemble(builder, headers, body.into());
    if cut {
        response.extensions_mut().insert(Cut(keep));
    }
    Ok(response)
}

/// Takes the API key out of an error body: errors show an excerpt of their body, and a
/// server (or a proxy) that echoes the request into its error page would put the key
/// there.
fn redact(body: &mut Vec<u8>, key: &[u8]) {
    const REDACTED: &[u8] = b"<redacted>";
    if key.is_empty() {
        return;
    }
    let mut start = 0;
    while let Some(at) = body[start..].windows(key.len()).position(|w| w == key) {
        let at = start + at;
        body.splice(at..at + key.len(), REDACTED.iter().copied());
        start = at + REDACTED.len();
    }
}

/// A response without its body, marked as over `limit`.
fn too_large(builder: http::response::Builder, headers: http::HeaderMap, limit: usize) -> Response {
    let mut response = assemble(builder, headers, Bytes::new());
    response.extensions_mut().insert(TooLarge { limit });
    response
}

/// The whole body of a response that went through [`buffer`].
pub(crate) fn buffered_body(response: &Response) -> Option<&[u8]> {
    match response.extensions().get::<BufferedBody>() {
        Some(BufferedBody(body)) => Some(body),
        None => (response.content_length() == Some(0)).then_some(&[]),
    }
}

/// A copy of `response` with `body`.
fn rebuild(response: &Response, body: Bytes) -> Response {
    assemble(builder_like(response), response.headers().clone(), body)
}

/// A builder with `response`'s status, version and URL.
fn builder_like(response: &Response) -> http::response::Builder {
    http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone())
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

/// Checks that the request goes to the operation's own path: a path parameter that is
/// empty, `.` or `..` would send it to another resource (`DELETE /v2/documents/..` is
/// `DELETE /v2/`). Other characters cannot change the path: [`encode_path`] encodes them.
/// `base_path` is the base URL's own path (`ClientSettings::base_path`), which every
/// request path starts with.
fn check_path(request: &Request, base_path: &str, route: &Route) -> Result<(), String> {
    let sent = request.url().path();
    let below_base = sent.strip_prefix(base_path);
    if below_base.is_some_and(|path| follows(path, route.path_runs)) {
        return Ok(());
    }
    let parameters: Vec<&str> = route
        .path
        .split('/')
        .filter_map(|t| t.strip_prefix('{')?.strip_suffix('}'))
        .collect();
    Err(format!(
        "{} {} not sent: `{}` is empty, `.` or `..`, which would send it to {sent} instead",
        route.operation_id,
        route.path,
        parameters.join("` or `"),
    ))
}

/// What a path parameter's characters are percent-encoded from: the set
/// `progenitor_client::encode_path` uses (controls, non-ASCII, space, `"#<>?\`{}/%`), and
/// `\`, which URL parsing would read as `/`. A test keeps the two sets equal but for `\`.
const PATH_PARAMETER: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

/// Percent-encodes a path parameter as one segment ([`PATH_PARAMETER`]). The generated
/// client calls this instead of progenitor's own, inside the `format!` that builds the URL
/// (`tavus_openapi::code::encode_path_parameters_with`).
pub(crate) fn encode_path(parameter: &str) -> PercentEncode<'_> {
    utf8_percent_encode(parameter, PATH_PARAMETER)
}

/// Whether `path` is the template with each parameter replaced by a non-empty segment:
/// the template's literal runs, each compared at once, with one segment between each
/// two (path parameters are whole segments in the spec, a test checks it).
fn follows(path: &str, literal_runs: &[&str]) -> bool {
    let Some((first, rest)) = literal_runs.split_first() else {
        return false;
    };
    let Some(mut path) = path.strip_prefix(first) else {
        return false;
    };
    for literal in rest {
        let (parameter, after) = path.split_at(path.find('/').unwrap_or(path.len()));
        match after.strip_prefix(literal) {
            Some(after) if !parameter.is_empty() => path = after,
            _ => return false,
        }
    }
    path.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_taken_out_of_error_bodies() {
        let mut body = b"key=tvs-k1 and again tvs-k1tvs-k1.".to_vec();
        redact(&mut body, b"tvs-k1");
        assert_eq!(body, b"key=<redacted> and again <redacted><redacted>.");
        let mut untouched = b"nothing here".to_vec();
        redact(&mut untouched, b"tvs-k1");
        assert_eq!(untouched, b"nothing here");
    }

    #[test]
    fn path_parameters_are_encoded_as_one_segment() {
        for (parameter, encoded) in [
            ("d8-5c71", "d8-5c71"),
            ("a/b?c#d%e f", "a%2Fb%3Fc%23d%25e%20f"),
            ("x\\..\\y", "x%5C..%5Cy"),
            ("ü", "%C3%BC"),
        ] {
            assert_eq!(encode_path(parameter).to_string(), encoded);
        }
        for byte in 0..=127u8 {
            let character = char::from(byte).to_string();
            let ours = encode_path(&character).to_string();
            let progenitors = progenitor_client::encode_path(&character);
            match byte {
                b'\\' => assert_eq!((&*ours, &*progenitors), ("%5C", "\\")),
                _ => assert_eq!(ours, progenitors, "byte {byte}"),
            }
        }
    }

    #[test]
    fn path_parameters_are_whole_segments_between_the_literal_runs() {
        for route in ROUTES {
            let mut rebuilt = route.path_runs.join("{}");
            for parameter in route.path.split('{').skip(1) {
                let name = &parameter[..parameter.find('}').unwrap()];
                rebuilt = rebuilt.replacen("{}", &format!("{{{name}}}"), 1);
            }
            assert_eq!(rebuilt, route.path);
            for segment in route.path.split('/') {
                let braces = segment.matches(['{', '}']).count();
                let whole = segment.starts_with('{') && segment.ends_with('}');
                assert!(braces == 0 || (braces == 2 && whole), "{}", route.path);
            }
        }
    }

    #[test]
    fn every_route_is_found_by_its_method_name() {
        for expected in ROUTES {
            let found = route(expected.method_name).unwrap();
            assert!(std::ptr::eq(found, expected), "{}", expected.method_name);
        }
        assert!(route("deleteDocument").is_none());
        assert!(route("").is_none());
    }

    #[test]
    fn the_path_below_the_base_url_is_compared() {
        let delete = route("delete_document").unwrap();
        for (base, id, accepted) in [
            ("https://tavusapi.com", "d1", true),
            ("http://127.0.0.1:8080/", "d1", true),
            ("https://proxy/tavus", "d1", true),
            ("https://proxy/a/b/", "d/1", true),
            ("https://proxy/a b", "d1", true),
            ("https://proxy/tavus", "..", false),
            ("https://proxy/tavus", ".", false),
            ("https://proxy/a/b", "", false),
            ("https://proxy/tavus/", "..", false),
            ("https://proxy/a b", ".", false),
            ("http://127.0.0.1:8080/", "", false),
            ("https://tavusapi.com", "..", false),
        ] {
            let client = crate::Client::builder(crate::ApiKey::new("k").unwrap())
                .base_url(base)
                .build()
                .unwrap();
            let url = format!("{}/v2/documents/{}", client.base_url(), encode_path(id));
            let request = Request::new(reqwest::Method::DELETE, url.parse().unwrap());
            let base_path = &client.generated.inner().base_path;
            let checked = check_path(&request, base_path, delete);
            assert_eq!(checked.is_ok(), accepted, "{base} {id}: {checked:?}");
        }
        let elsewhere = Request::new(
            reqwest::Method::DELETE,
            "https://proxy/v2/documents/d1".parse().unwrap(),
        );
        assert!(check_path(&elsewhere, "/tavus", delete).is_err());
    }

    #[test]
    fn paths_that_leave_the_template_are_refused() {
        let template = route("delete_document").unwrap().path_runs;
        for path in [
            "/v2/documents/",
            "/v2/documents",
            "/v2/",
            "/v2/documents/a/b",
            "/v2/documents//",
            "/v2/document/d1",
            "/v3/documents/d1",
        ] {
            assert!(!follows(path, template), "{path}");
        }
        assert!(follows("/v2/documents/d1", template));
        let end = route("end_conversation").unwrap().path_runs;
        assert!(follows("/v2/conversations/c1/end", end));
        for path in [
            "/v2/conversations/c1",
            "/v2/conversations//end",
            "/v2/conversations/end",
        ] {
            assert!(!follows(path, end), "{path}");
        }
    }
}
