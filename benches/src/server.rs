//! A small HTTP/1.1 server on 127.0.0.1. It runs on its own thread and runtime so that
//! serving does not compete with the measured client inside one scheduler, and it does
//! as little as possible per request, so that what the benchmarks compare is the clients.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// What the server sends back for one request.
pub type Answer = http::Response<Full<Bytes>>;

type Answerer = dyn Fn(&http::request::Parts) -> Answer + Send + Sync;

/// A running server; dropping it stops it.
pub struct LocalServer {
    base_url: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl LocalServer {
    /// Starts a server that answers every request with `answer(request head)`, each
    /// answer sent `delay` after the request arrived (keep-alive connections, requests
    /// on different connections served concurrently).
    pub fn start(
        delay: Duration,
        answer: impl Fn(&http::request::Parts) -> Answer + Send + Sync + 'static,
    ) -> io::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = oneshot::channel();
        let answer: Arc<Answerer> = Arc::new(answer);
        let thread = std::thread::Builder::new()
            .name("bench-server".to_owned())
            .spawn(move || runtime.block_on(serve(listener, delay, answer, stopped)))?;
        Ok(Self {
            base_url,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>`, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
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
    delay: Duration,
    answer: Arc<Answerer>,
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
        let answer = answer.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: http::Request<Incoming>| {
                let answer = answer.clone();
                async move {
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    let (head, _body) = request.into_parts();
                    Ok::<_, Infallible>(answer(&head))
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

    fn get(base_url: &str, path: &str) -> String {
        let address = base_url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn answers_each_request_from_its_head_after_the_delay() {
        let server = LocalServer::start(Duration::from_millis(30), |head| {
            http::Response::builder()
                .status(200)
                .body(Full::new(Bytes::from(format!(
                    "you asked for {}",
                    head.uri
                ))))
                .unwrap()
        })
        .unwrap();
        let start = Instant::now();
        let response = get(server.base_url(), "/a/b.md");
        assert!(start.elapsed() >= Duration::from_millis(30));
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(
            response.ends_with("\r\n\r\nyou asked for /a/b.md"),
            "{response}"
        );
    }
}
