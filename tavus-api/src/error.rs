//! What went wrong with a call, as one of a few kinds a caller can act on.

use crate::Error;
use crate::hooks::{InvalidBody, buffered_body};

/// The kind of failure behind an [`Error`] of any operation.
///
/// | kind | [`Error`] variant | what happened |
/// |---|---|---|
/// | `InvalidRequest` | `InvalidRequest` | the input could not be sent safely (an empty id, `.` or `..`); nothing was sent |
/// | `Connect` | `CommunicationError` | no connection could be made (nothing listening, DNS, TLS) |
/// | `Timeout` | `CommunicationError` | the connect or total timeout ran out |
/// | `Communication` | `CommunicationError` | the connection failed in another way |
/// | `Api` | `ErrorResponse` | the server answered a documented error status with a documented body: read it with `ResponseValue::into_inner` |
/// | `NotModified` | `UnexpectedResponse` | the server answered `304 Not Modified`: the change asked for changed nothing (`patch_guardrails`, `patch_objective`, `patch_persona` document it) |
/// | `UnexpectedStatus` | `UnexpectedResponse` | the server answered a status the operation does not document: [`ErrorExt::body`] has the body |
/// | `InvalidBody` | `UnexpectedResponse`, `InvalidResponsePayload`, `ResponseBodyError` | the body is not what the status documents (not JSON, empty, another shape, cut off): [`ErrorExt::body`] has it |
/// | `Other` | `Custom`, `InvalidUpgrade` | anything else |
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
    /// Anything else.
    Other,
}

/// What every [`Error`] can tell beyond its variant.
pub trait ErrorExt {
    /// The kind of failure; see [`ErrorKind`].
    fn kind(&self) -> ErrorKind;
    /// The raw response body, where the server sent one the client could not type.
    fn body(&self) -> Option<&[u8]>;
}

impl<E> ErrorExt for Error<E> {
    fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidRequest(_) => ErrorKind::InvalidRequest,
            Error::CommunicationError(e) if e.is_timeout() => ErrorKind::Timeout,
            Error::CommunicationError(e) if e.is_connect() => ErrorKind::Connect,
            Error::CommunicationError(_) => ErrorKind::Communication,
            Error::ErrorResponse(_) => ErrorKind::Api,
            Error::UnexpectedResponse(r) if r.status() == reqwest::StatusCode::NOT_MODIFIED => {
                ErrorKind::NotModified
            }
            Error::UnexpectedResponse(r) if r.extensions().get::<InvalidBody>().is_some() => {
                ErrorKind::InvalidBody
            }
            Error::UnexpectedResponse(_) => ErrorKind::UnexpectedStatus,
            Error::InvalidResponsePayload(..) => ErrorKind::InvalidBody,
            Error::ResponseBodyError(e) if e.is_timeout() => ErrorKind::Timeout,
            Error::ResponseBodyError(_) => ErrorKind::InvalidBody,
            Error::InvalidUpgrade(_) | Error::Custom(_) => ErrorKind::Other,
        }
    }

    fn body(&self) -> Option<&[u8]> {
        match self {
            Error::UnexpectedResponse(r) => buffered_body(r),
            Error::InvalidResponsePayload(body, _) => Some(body),
            _ => None,
        }
    }
}
