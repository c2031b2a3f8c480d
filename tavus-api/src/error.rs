//! What went wrong with a call: [`Error`], sorted into a few kinds a caller can act on
//! ([`ErrorKind`]), and a text that says what happened.

use std::fmt;

use reqwest::StatusCode;
use tavus_retry::error_chain;

use crate::ResponseValue;
use crate::hooks::{Cut, InvalidBody, TooLarge, buffered_body};

/// How much of a body an error's text shows; [`ErrorExt::body`] has the rest.
const EXCERPT_CHARS: usize = 200;

/// The kind of failure behind an [`Error`] of any operation.
///
/// | kind | what happened |
/// |---|---|
/// | `InvalidRequest` | the input could not be sent safely (an empty id, `.` or `..`); nothing was sent |
/// | `Connect` | no connection could be made (nothing listening, DNS, TLS) |
/// | `Timeout` | the connect or total timeout ran out |
/// | `Communication` | the connection failed after it was made, a response body cut off mid-way included |
/// | `Api` | the server answered a documented error status with a documented body: [`Error::error_response`] has it, typed |
/// | `NotModified` | the server answered `304 Not Modified`: the change asked for changed nothing (`patch_guardrails`, `patch_objective`, `patch_persona` document it) |
/// | `UnexpectedStatus` | the server answered a status the operation does not document (a redirect included: the client follows none): [`ErrorExt::body`] has the body |
/// | `InvalidBody` | the body is not what the status documents (not JSON, empty, another shape): [`ErrorExt::body`] has it |
/// | `BodyTooLarge` | a success body larger than [`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size); reading stopped there |
/// | `Other` | anything else |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request was refused before it was sent.
    InvalidRequest,
    /// No connection could be made.
    Connect,
    /// A timeout ran out.
    Timeout,
    /// The connection failed after it was made.
    Communication,
    /// A documented error response.
    Api,
    /// `304 Not Modified`: the server made no change. It is not a failure of the
    /// request, but progenitor has no success arm for a 3xx status, so it arrives as an
    /// error; HTTP gives a 304 no body.
    NotModified,
    /// A status the operation does not document.
    UnexpectedStatus,
    /// A body that does not match its status's documentation.
    InvalidBody,
    /// A success body over the client's size limit.
    BodyTooLarge,
    /// Anything else.
    Other,
}

/// The error of a call to the Tavus API: which operation failed, and how.
///
/// Its text (`Display`, and `Debug`, which `?` out of `main` prints) names the operation,
/// what happened, the status and a short excerpt of the body; it never shows the API key
/// or other request headers. `E` is the operation's documented error body
/// (`types::DeleteDocumentError` and so on), reachable through [`Error::error_response`].
pub struct Error<E = ()> {
    operation: &'static str,
    // Boxed: a response inside makes the error large, and it travels in every `Result`.
    inner: Box<progenitor_client::Error<E>>,
}

impl<E> Error<E> {
    /// The generated method that failed, such as `delete_document`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The response's status, when there was a response.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status()
    }

    /// The documented error response, typed, for kind [`ErrorKind::Api`].
    pub fn error_response(&self) -> Option<&ResponseValue<E>> {
        match &*self.inner {
            progenitor_client::Error::ErrorResponse(response) => Some(response),
            _ => None,
        }
    }

    /// The documented error response, typed, for kind [`ErrorKind::Api`]; the error
    /// itself for any other kind.
    pub fn into_error_response(self) -> Result<ResponseValue<E>, Self> {
        match *self.inner {
            progenitor_client::Error::ErrorResponse(response) => Ok(response),
            inner => Err(Self {
                inner: Box::new(inner),
                ..self
            }),
        }
    }

    /// The error as progenitor reported it, for what this type does not expose (the
    /// headers of an unexpected response). Its own text is progenitor's, and shows less.
    pub fn into_generated(self) -> progenitor_client::Error<E> {
        *self.inner
    }

    /// The excerpt of the body an error's text shows.
    fn excerpt(&self) -> Option<String>
    where
        E: serde::Serialize,
    {
        match &*self.inner {
            progenitor_client::Error::ErrorResponse(response) => {
                serde_json::to_string(response.as_ref())
                    .ok()
                    .map(|json| excerpt(json.as_bytes()))
            }
            _ => self.body().map(excerpt),
        }
    }
}

/// An error of `operation` the client found itself, not in a response (kind
/// [`ErrorKind::Other`]); its text is `text`.
pub(crate) fn found<E>(operation: &'static str, text: String) -> Error<E> {
    Error {
        operation,
        inner: Box::new(progenitor_client::Error::Custom(text)),
    }
}

/// Makes a generated method's error an [`Error`] of `operation`. The generated client
/// returns through this (`tavus_openapi::code::return_errors_through`).
pub(crate) fn attach<T, E>(
    operation: &'static str,
    result: Result<T, progenitor_client::Error<E>>,
) -> Result<T, Error<E>> {
    result.map_err(|inner| Error {
        operation,
        inner: Box::new(inner),
    })
}

impl<E: serde::Serialize> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use progenitor_client::Error as Generated;
        let op = self.operation;
        let status = self.status().map(|s| s.to_string()).unwrap_or_default();
        let body = self
            .excerpt()
            .map(|text| format!(": {text}"))
            .unwrap_or_default();
        match (&*self.inner, self.kind()) {
            (Generated::InvalidRequest(why), _) => write!(f, "{op} was not sent: {why}"),
            (Generated::CommunicationError(e) | Generated::ResponseBodyError(e), kind) => {
                let what = match kind {
                    ErrorKind::Timeout => "timed out",
                    ErrorKind::Connect => "could not connect",
                    _ => "the connection failed",
                };
                write!(f, "{op}: {what}: {}", error_chain(e))
            }
            (Generated::UnexpectedResponse(r), ErrorKind::BodyTooLarge) => {
                let limit = r.extensions().get::<TooLarge>().map_or(0, |t| t.limit);
                write!(
                    f,
                    "{op}: Tavus answered {status} with a body over the limit of {limit} bytes; \
                     raise the limit with ClientBuilder::max_response_size"
                )
            }
            (Generated::UnexpectedResponse(r), ErrorKind::InvalidBody) => {
                let why = r
                    .extensions()
                    .get::<InvalidBody>()
                    .map_or("", |i| i.reason.as_str());
                write!(
                    f,
                    "{op}: Tavus answered {status} with a body that is not JSON ({why}){body}"
                )
            }
            (Generated::InvalidResponsePayload(_, why), _) => write!(
                f,
                "{op}: Tavus answered with a body that is not the documented JSON ({why}){body}"
            ),
            (Generated::UnexpectedResponse(_), ErrorKind::NotModified) => write!(
                f,
                "{op}: Tavus answered {status}: the change asked for changed nothing"
            ),
            (Generated::UnexpectedResponse(r), _) if r.status().is_redirection() => {
                let location = r
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .map(|l| excerpt(l.as_bytes()))
                    .unwrap_or_else(|| "nowhere".to_owned());
                write!(
                    f,
                    "{op}: Tavus answered {status}, a redirect to {location}, and tavus-api \
                     follows no redirects: check the client's base URL"
                )
            }
            (Generated::UnexpectedResponse(r), _) => {
                let cut = match r.extensions().get::<Cut>() {
                    Some(Cut(at)) => format!(" (a body of more than {at} bytes, cut there)"),
                    None => String::new(),
                };
                write!(
                    f,
                    "{op}: Tavus answered {status}, which {op} does not document{cut}{body}"
                )
            }
            (Generated::ErrorResponse(_), _) => write!(f, "{op}: Tavus answered {status}{body}"),
            (Generated::InvalidUpgrade(e), _) => write!(f, "{op}: {}", error_chain(e)),
            (Generated::Custom(text), _) => write!(f, "{op}: {text}"),
        }
    }
}

/// The same text as `Display`: `?` out of `main` prints `Debug`, and should say what
/// happened as well.
impl<E: serde::Serialize> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<E: serde::Serialize> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.inner {
            progenitor_client::Error::CommunicationError(e)
            | progenitor_client::Error::ResponseBodyError(e)
            | progenitor_client::Error::InvalidUpgrade(e) => Some(e),
            progenitor_client::Error::InvalidResponsePayload(_, e) => Some(e),
            _ => None,
        }
    }
}

/// What every [`Error`] can tell beyond its text. Only [`Error`] implements it (the trait
/// is sealed), so a method added to it later breaks nobody.
pub trait ErrorExt: sealed::Sealed {
    /// The kind of failure; see [`ErrorKind`].
    fn kind(&self) -> ErrorKind;
    /// The raw response body, where the server sent one the client could not type. An
    /// error status's body is kept up to 64 KiB.
    fn body(&self) -> Option<&[u8]>;
    /// Whether the server refused the API key (`401 Unauthorized`), whatever the body: a
    /// proxy's HTML 401 is one too, though its kind is `InvalidBody`.
    fn is_authentication_failure(&self) -> bool;
}

mod sealed {
    pub trait Sealed {}
    impl<E> Sealed for super::Error<E> {}
}

impl<E> ErrorExt for Error<E> {
    fn kind(&self) -> ErrorKind {
        use progenitor_client::Error as Generated;
        match &*self.inner {
            Generated::InvalidRequest(_) => ErrorKind::InvalidRequest,
            Generated::CommunicationError(e) | Generated::ResponseBodyError(e) => {
                if e.is_timeout() {
                    ErrorKind::Timeout
                } else if e.is_connect() {
                    ErrorKind::Connect
                } else {
                    ErrorKind::Communication
                }
            }
            Generated::ErrorResponse(_) => ErrorKind::Api,
            Generated::UnexpectedResponse(r) if r.extensions().get::<TooLarge>().is_some() => {
                ErrorKind::BodyTooLarge
            }
            Generated::UnexpectedResponse(r) if r.extensions().get::<InvalidBody>().is_some() => {
                ErrorKind::InvalidBody
            }
            Generated::UnexpectedResponse(r) if r.status() == StatusCode::NOT_MODIFIED => {
                ErrorKind::NotModified
            }
            Generated::UnexpectedResponse(_) => ErrorKind::UnexpectedStatus,
            Generated::InvalidResponsePayload(..) => ErrorKind::InvalidBody,
            Generated::InvalidUpgrade(_) | Generated::Custom(_) => ErrorKind::Other,
        }
    }

    fn body(&self) -> Option<&[u8]> {
        match &*self.inner {
            // A body over the limit was not kept: there is none to give.
            progenitor_client::Error::UnexpectedResponse(r)
                if r.extensions().get::<TooLarge>().is_some() =>
            {
                None
            }
            progenitor_client::Error::UnexpectedResponse(r) => buffered_body(r),
            progenitor_client::Error::InvalidResponsePayload(body, _) => Some(body),
            _ => None,
        }
    }

    fn is_authentication_failure(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }
}

/// The start of a body as one line of text: at most [`EXCERPT_CHARS`] characters, control
/// characters escaped, `…` where it was cut.
fn excerpt(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty body)".to_owned();
    }
    let text = String::from_utf8_lossy(body);
    let mut out: String = text
        .chars()
        .take(EXCERPT_CHARS)
        .flat_map(|c| match c.is_control() {
            true => c.escape_default().collect::<Vec<_>>(),
            false => vec![c],
        })
        .collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_single_lines() {
        assert_eq!(excerpt(b""), "(empty body)");
        assert_eq!(excerpt(b"{\"a\":\n1}"), "{\"a\":\\n1}");
        let long = excerpt(&[b'x'; 10_000]);
        assert_eq!(long.chars().count(), EXCERPT_CHARS + 1);
        assert!(long.ends_with('…'));
        assert_eq!(excerpt(b"caf\xc3\xa9 \xff"), "café \u{fffd}");
    }
}
