//! A stand-in server that answers with one response and keeps every request it
//! received, and what a call gave its caller, in a form tests can compare.

use std::sync::{Arc, Mutex};

use httpmock::MockServer;
use serde::Serialize;
use serde_json::Value;
use tavus_api::{Client, Error, ErrorExt, ErrorKind, ResponseValue};

/// A request as the server received it.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, percent-encoded as sent.
    pub path: String,
    /// The query string as sent, if any.
    pub query: Option<String>,
    /// The body as JSON, or `Null` when there was none.
    pub body: Value,
}

impl Received {
    /// A request with neither query nor body.
    pub fn new(method: &str, path: &str) -> Self {
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query: None,
            body: Value::Null,
        }
    }

    /// The same request with this query string.
    pub fn query(mut self, query: &str) -> Self {
        self.query = Some(query.to_owned());
        self
    }
}

/// A local server answering every request with one status and JSON body.
pub struct Stub {
    server: MockServer,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Stub {
    /// Starts a server answering `status` with `body` (no body when it is `Null`).
    pub async fn answering(status: u16, body: &Value) -> Self {
        let server = MockServer::start_async().await;
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        server
            .mock_async(|when, then| {
                when.is_true(move |request| {
                    let uri = request.uri();
                    let body = request.body_ref();
                    log.lock().unwrap().push(Received {
                        method: request.method_str().to_owned(),
                        path: uri.path().to_owned(),
                        query: uri.query().map(str::to_owned),
                        body: match body.is_empty() {
                            true => Value::Null,
                            false => serde_json::from_slice(body).unwrap_or_else(|_| {
                                Value::String(String::from_utf8_lossy(body).into_owned())
                            }),
                        },
                    });
                    true
                });
                let then = then.status(status);
                if !body.is_null() {
                    then.header("content-type", "application/json")
                        .json_body(body.clone());
                }
            })
            .await;
        Self { server, received }
    }

    /// A client for this server that sends each request once.
    pub fn client(&self) -> Client {
        crate::client_sending_once(&self.server.base_url())
    }

    /// The one request the server received; panics if it received none or several.
    pub fn the_request(&self) -> Received {
        let received = self.received.lock().unwrap();
        // httpmock may ask a matcher more than once about the same request.
        let first = received
            .first()
            .expect("the server received no request")
            .clone();
        assert!(
            received.iter().all(|r| *r == first),
            "the server received several requests: {received:#?}"
        );
        first
    }
}

/// What a call gave its caller: the status, and the typed body written back as JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `Ok`: the success body (`Null` for none).
    Success {
        /// The response status.
        status: u16,
        /// The typed body, serialized again.
        body: Value,
    },
    /// `Err`: the error's kind, status, and its typed body (or raw text when untyped).
    Failure {
        /// The error's kind.
        kind: ErrorKind,
        /// The response status, if there was a response.
        status: Option<u16>,
        /// The typed error body serialized again, or the raw body as a string.
        body: Value,
    },
}

/// Reads a generated method's result into an [`Outcome`].
pub fn outcome<T: Serialize, E: Serialize + std::fmt::Debug>(
    result: Result<ResponseValue<T>, Error<E>>,
) -> Outcome {
    match result {
        Ok(response) => Outcome::Success {
            status: response.status().as_u16(),
            body: serde_json::to_value(response.into_inner()).unwrap(),
        },
        Err(error) => {
            let kind = error.kind();
            let status = error.status().map(|s| s.as_u16());
            let raw = error
                .body()
                .map(|b| String::from_utf8_lossy(b).into_owned());
            let text = error.to_string();
            let body = match (raw, error.into_error_response().ok()) {
                (Some(raw), _) => Value::String(raw),
                (None, Some(typed)) => serde_json::to_value(typed.into_inner()).unwrap(),
                (None, None) => Value::String(text),
            };
            Outcome::Failure { kind, status, body }
        }
    }
}
