//! The one local HTTP server of the workspace's tests and benchmarks: HTTP/1.1 on a free
//! port of 127.0.0.1, each request answered by a function of its head.
//!
//! It is hyper, on a thread and a single-threaded runtime of its own, so serving does not
//! compete with the measured client inside one scheduler and does as little as possible
//! per request: the client-overhead benchmark compares clients, not servers. What a test
//! needs of a server that misbehaves is an [`Answer`] away: a `Content-Length` that lies
//! (a header, and a [`Body::chunks`] that ends early or never), an endless chunked body,
//! a stall ([`Answer::after`]), a connection closed without an answer
//! ([`Answer::hang_up`]); and it counts what it sent ([`LocalServer::body_bytes_sent`])
//! and how many requests it was answering at once ([`LocalServer::most_in_flight`]).
//! httpmock, which the tests use to match requests, can do none of those, and records
//! every request, which a benchmark sending hundreds of thousands cannot afford.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// What the server does with one request: answer it, at once or after a delay, or close
/// the connection without a word.
pub struct Answer {
    response: Option<http::Response<Body>>,
    delay: Duration,
}

impl Answer {
    /// Closes the connection without answering.
    pub fn hang_up() -> Self {
        Self {
            response: None,
            delay: Duration::ZERO,
        }
    }

    /// The same answer, given `delay` after the request arrived.
    pub fn after(self, delay: Duration) -> Self {
        Self { delay, ..self }
    }
}

impl From<http::Response<Body>> for Answer {
    fn from(response: http::Response<Body>) -> Self {
        Self {
            response: Some(response),
            delay: Duration::ZERO,
        }
    }
}

/// A response body: whole (empty by default), or made piece by piece as the connection
/// takes it.
///
/// hyper frames it by the response's `Content-Length` header where there is one, whatever
/// the body holds: a body that ends before it leaves the connection cut off; else by its
/// length when it is whole, else chunked.
pub struct Body {
    kind: Kind,
    /// Counts the bytes handed to the connection: [`LocalServer::body_bytes_sent`].
    sent: Option<Arc<Stats>>,
}

enum Kind {
    /// `None` once sent (or for an empty body).
    Whole(Option<Bytes>),
    Chunks {
        next: Box<dyn FnMut(usize) -> Option<Bytes> + Send>,
        index: usize,
        /// Whether the connection got a piece since the body last let it flush.
        unflushed: bool,
    },
}

impl Body {
    /// A body of the pieces `next(0)`, `next(1)`, ... until it returns `None`, each made
    /// when the connection can take it, so an endless body costs no memory.
    pub fn chunks(next: impl FnMut(usize) -> Option<Bytes> + Send + 'static) -> Self {
        Self {
            kind: Kind::Chunks {
                next: Box::new(next),
                index: 0,
                unflushed: false,
            },
            sent: None,
        }
    }
}

impl Default for Body {
    fn default() -> Self {
        Self::from(Bytes::new())
    }
}

impl<T: Into<Bytes>> From<T> for Body {
    fn from(bytes: T) -> Self {
        Self {
            kind: Kind::Whole(Some(bytes.into()).filter(|bytes| !bytes.is_empty())),
            sent: None,
        }
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let bytes = match &mut self.kind {
            Kind::Whole(bytes) => bytes.take(),
            // Pending between two pieces, so hyper flushes each: a body that ends before
            // its `Content-Length` makes hyper close the connection, dropping what it has
            // not written yet, and a cut-off body must arrive cut off, not empty.
            Kind::Chunks { unflushed, .. } if *unflushed => {
                *unflushed = false;
                context.waker().wake_by_ref();
                return Poll::Pending;
            }
            Kind::Chunks {
                next,
                index,
                unflushed,
            } => {
                *index += 1;
                *unflushed = true;
                next(*index - 1)
            }
        };
        if let (Some(bytes), Some(stats)) = (&bytes, &self.sent) {
            stats.body_bytes.fetch_add(bytes.len(), Ordering::SeqCst);
        }
        Poll::Ready(bytes.map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.kind, Kind::Whole(None))
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Whole(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Kind::Chunks { .. } => SizeHint::default(),
        }
    }
}

#[derive(Default)]
struct Stats {
    body_bytes: AtomicUsize,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

/// One request being answered, counted in [`Stats::in_flight`] until it is dropped: also
/// when hyper drops the answer mid-delay because the client hung up.
struct InFlight<'a>(&'a Stats);

impl<'a> InFlight<'a> {
    fn enter(stats: &'a Stats) -> Self {
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.most_in_flight.fetch_max(now, Ordering::SeqCst);
        Self(stats)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

type Answerer = dyn Fn(&http::request::Parts) -> Answer + Send + Sync;

/// A running server; dropping it stops it, and with it every connection.
pub struct LocalServer {
    base_url: String,
    stats: Arc<Stats>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl LocalServer {
    /// Starts a server that answers every request with `answer(request head)` (keep-alive
    /// connections, requests on different connections served concurrently; a request's
    /// body is not read).
    pub fn start<A: Into<Answer>>(
        answer: impl Fn(&http::request::Parts) -> A + Send + Sync + 'static,
    ) -> io::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = oneshot::channel();
        let answer: Arc<Answerer> = Arc::new(move |head| answer(head).into());
        let stats = Arc::new(Stats::default());
        let serving = stats.clone();
        let thread = std::thread::Builder::new()
            .name("local-server".to_owned())
            .spawn(move || runtime.block_on(serve(listener, answer, serving, stopped)))?;
        Ok(Self {
            base_url,
            stats,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>`, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How many body bytes the server handed to its connections, all responses together:
    /// at least what reached the clients, at most a write buffer more.
    pub fn body_bytes_sent(&self) -> usize {
        self.stats.body_bytes.load(Ordering::SeqCst)
    }

    /// The most requests the server was answering at the same time, each counted from its
    /// head read to its answer given (delay included).
    pub fn most_in_flight(&self) -> usize {
        self.stats.most_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    answer: Arc<Answerer>,
    stats: Arc<Stats>,
    mut stopped: oneshot::Receiver<()>,
) {
    let listener = TcpListener::from_std(listener).expect("a bound, non-blocking listener");
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        // Small answers must not wait for Nagle's algorithm, or latency measures it.
        let _ = stream.set_nodelay(true);
        let (answer, stats) = (answer.clone(), stats.clone());
        tokio::spawn(async move {
            let service = service_fn(move |request: http::Request<Incoming>| {
                let (answer, stats) = (answer.clone(), stats.clone());
                async move {
                    let in_flight = InFlight::enter(&stats);
                    let (head, _body) = request.into_parts();
                    let Answer { response, delay } = answer(&head);
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    drop(in_flight);
                    // An error makes hyper close the connection without answering.
                    let mut response =
                        response.ok_or_else(|| io::Error::other("hang up, as asked"))?;
                    response.body_mut().sent = Some(stats);
                    Ok::<_, io::Error>(response)
                }
            });
            // A client closing its connection ends this task; nothing to report.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::time::Instant;

    use super::*;

    /// The raw bytes a request gets back, up to the server closing the connection.
    fn get(server: &LocalServer, path: &str) -> String {
        let address = server.base_url().trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        String::from_utf8(response).unwrap()
    }

    #[test]
    fn answers_each_request_from_its_head_after_the_delay() {
        let server = LocalServer::start(|head| {
            let body = format!("you asked for {}", head.uri);
            Answer::from(http::Response::new(Body::from(body))).after(Duration::from_millis(30))
        })
        .unwrap();
        let start = Instant::now();
        let response = get(&server, "/a/b.md");
        assert!(start.elapsed() >= Duration::from_millis(30));
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(
            response.ends_with("\r\n\r\nyou asked for /a/b.md"),
            "{response}"
        );
        assert_eq!(server.body_bytes_sent(), "you asked for /a/b.md".len());
        assert_eq!(server.most_in_flight(), 1);
    }

    #[test]
    fn misbehaves_as_asked() {
        let server = LocalServer::start(|head| match head.uri.path() {
            "/hang-up" => Answer::hang_up(),
            "/short" => http::Response::builder()
                .header("content-length", "100")
                .body(Body::chunks(|n| (n == 0).then(|| Bytes::from("{\"a"))))
                .unwrap()
                .into(),
            _ => http::Response::new(Body::chunks(|n| {
                (n < 3).then(|| Bytes::from(vec![b'x'; 5]))
            }))
            .into(),
        })
        .unwrap();
        assert_eq!(get(&server, "/hang-up"), "", "no answer at all");
        let short = get(&server, "/short");
        assert!(short.starts_with("HTTP/1.1 200 OK\r\n"), "{short}");
        assert!(short.contains("content-length: 100\r\n"), "{short}");
        assert!(
            short.ends_with("\r\n\r\n{\"a"),
            "cut off after 3 bytes: {short}"
        );
        let chunked = get(&server, "/chunked");
        assert!(
            chunked.contains("transfer-encoding: chunked\r\n"),
            "{chunked}"
        );
        assert!(
            chunked.ends_with("\r\n\r\n5\r\nxxxxx\r\n5\r\nxxxxx\r\n5\r\nxxxxx\r\n0\r\n\r\n"),
            "{chunked}"
        );
        assert_eq!(server.body_bytes_sent(), 3 + 15);
    }
}
