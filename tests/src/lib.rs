//! Helpers shared by the integration tests: a local stand-in for docs.tavus.io, temporary
//! copies of the docs snapshot and of `openapi/`, a way to run the xtask in-process, and
//! a client for local test servers.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

pub mod exchange;
pub mod pages;

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository root")
        .to_owned()
}

/// The copy of the docs site snapshot the tests use as upstream (see `fixtures/README.md`).
pub fn docs_snapshot() -> PathBuf {
    repo_root().join("tests/fixtures/tavus-docs")
}

/// A client for a local test server that sends each request once (no retries), so a
/// test sees exactly the requests it caused.
pub fn client_sending_once(base_url: &str) -> tavus_api::Client {
    tavus_api::Client::builder(tavus_api::ApiKey::new("tvs-test-key").unwrap())
        .base_url(base_url)
        .no_retries()
        .build()
        .unwrap()
}

/// Every operation page of the docs snapshot, vendored by `cargo xtask update --add-new`
/// into `openapi/` of a temporary directory, once per test binary: copy it
/// ([`temp_copy`]) to change it.
pub fn vendored_snapshot() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let temp = tempfile::tempdir().expect("create a temporary directory");
        let openapi = temp.path().join("openapi");
        let run = xtask(&[
            "update",
            "--add-new",
            "--docs-url",
            &docs_snapshot().display().to_string(),
            "--openapi-dir",
            &openapi.display().to_string(),
        ]);
        assert_eq!(run.status, 0, "{run:?}");
        temp
    })
    .path()
}

/// The repository's vendored directory.
pub fn repo_openapi() -> PathBuf {
    repo_root().join("openapi")
}

/// A fresh temporary copy of a directory tree (the docs snapshot, `openapi/`), so a test
/// can change it without touching the repository. The copy is deleted when dropped.
pub fn temp_copy(dir: &Path) -> tempfile::TempDir {
    let temp = tempfile::tempdir().expect("create a temporary directory");
    xtask::update::copy_tree(dir, temp.path()).expect("copy a directory tree");
    temp
}

/// Every file under `dir` with its bytes, keyed by path relative to `dir`: compare two
/// snapshots to show a directory did not change.
pub fn snapshot(dir: &Path) -> HashMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut HashMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_owned();
                out.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut files = HashMap::new();
    walk(dir, dir, &mut files);
    files
}

/// What the xtask printed and the status it exited with.
#[derive(Debug)]
pub struct XtaskRun {
    /// The exit status.
    pub status: u8,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
}

/// Runs `cargo xtask <args>` in-process, as on a non-terminal (no colour, no progress).
pub fn xtask(args: &[&str]) -> XtaskRun {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = xtask::cli::run(
        std::iter::once("xtask").chain(args.iter().copied()),
        xtask::cli::Terminal::default(),
        &mut out,
        &mut err,
    );
    XtaskRun {
        status,
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
    }
}

/// A scripted answer the stand-in site gives instead of a file.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A status with a short text body.
    Status(u16),
    /// A status with a `Retry-After` header (seconds).
    StatusRetryAfter(u16, u64),
    /// A 200 with this body and content type.
    Body(&'static str, String),
    /// A 200 whose `Content-Length` promises more than is sent before the connection closes.
    Truncated(String),
    /// Close the connection without answering.
    Hangup,
    /// Answer only after this delay (to trip the client's timeout), then serve the file.
    Slow(Duration),
    /// A redirect (301, 302, ...) to this `Location`.
    Redirect(u16, String),
}

/// A local stand-in for docs.tavus.io: serves a directory laid out at the site's paths on
/// 127.0.0.1, with scripted replies for chosen paths and a count of requests per path.
///
/// It speaks just enough HTTP/1.1 for `reqwest`: one request per connection, GET only.
pub struct DocsServer {
    url: String,
    state: Arc<ServerState>,
}

struct ServerState {
    root: PathBuf,
    /// Replies per site path (`/llms.txt`), used in order; the last one repeats.
    scripts: Mutex<HashMap<String, Vec<Reply>>>,
    hits: Mutex<HashMap<String, usize>>,
    /// How long every answer waits before it is sent.
    delay: Mutex<Duration>,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    stopped: AtomicBool,
}

impl DocsServer {
    /// Serves `root` on a free port of 127.0.0.1 until dropped.
    pub fn start(root: &Path) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(ServerState {
            root: root.to_owned(),
            scripts: Mutex::default(),
            hits: Mutex::default(),
            delay: Mutex::default(),
            in_flight: AtomicUsize::new(0),
            most_in_flight: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
        });
        let serving = Arc::clone(&state);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if serving.stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&serving);
                thread::spawn(move || state.answer(stream));
            }
        });
        Self { url, state }
    }

    /// The base URL to pass as `--docs-url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answers requests for `path` (such as `/llms.txt`) with `replies` in order, the last
    /// one repeating.
    pub fn script(&self, path: &str, replies: Vec<Reply>) {
        self.state
            .scripts
            .lock()
            .unwrap()
            .insert(path.to_owned(), replies);
    }

    /// Makes every answer wait `delay`, so concurrent requests overlap.
    pub fn delay_every_answer(&self, delay: Duration) {
        *self.state.delay.lock().unwrap() = delay;
    }

    /// The most requests the server was answering at the same time.
    pub fn most_in_flight(&self) -> usize {
        self.state.most_in_flight.load(Ordering::SeqCst)
    }

    /// How many requests `path` received.
    pub fn hits(&self, path: &str) -> usize {
        self.state
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for DocsServer {
    fn drop(&mut self) {
        self.state.stopped.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

impl ServerState {
    fn answer(&self, stream: TcpStream) {
        let Some(path) = request_path(&stream) else {
            return;
        };
        // Counted from the request read to the answer sent: a client that waits for its
        // answers cannot have more than its limit in this window, however threads run.
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        let delay = *self.delay.lock().unwrap();
        thread::sleep(delay);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.reply(stream, path);
    }

    fn reply(&self, mut stream: TcpStream, path: String) {
        let hits = {
            let mut hits = self.hits.lock().unwrap();
            let count = hits.entry(path.clone()).or_default();
            *count += 1;
            *count
        };
        let scripted = self.scripts.lock().unwrap().get(&path).map(|replies| {
            replies
                .get(hits - 1)
                .or(replies.last())
                .cloned()
                .expect("a script has at least one reply")
        });
        let _ = match scripted {
            Some(Reply::Status(status)) => respond(&mut stream, status, &[], "text/plain", "no"),
            Some(Reply::StatusRetryAfter(status, seconds)) => respond(
                &mut stream,
                status,
                &[("Retry-After", seconds.to_string())],
                "text/plain",
                "slow down",
            ),
            Some(Reply::Body(content_type, body)) => {
                respond(&mut stream, 200, &[], content_type, &body)
            }
            Some(Reply::Truncated(body)) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/markdown\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len() * 2
                );
                stream
                    .write_all(head.as_bytes())
                    .and_then(|()| stream.write_all(body.as_bytes()))
            }
            Some(Reply::Hangup) => Ok(()),
            Some(Reply::Redirect(status, location)) => respond(
                &mut stream,
                status,
                &[("Location", location)],
                "text/plain",
                "moved",
            ),
            Some(Reply::Slow(delay)) => {
                thread::sleep(delay);
                self.serve_file(&mut stream, &path)
            }
            None => self.serve_file(&mut stream, &path),
        };
    }

    fn serve_file(&self, stream: &mut TcpStream, path: &str) -> std::io::Result<()> {
        let relative = path.trim_start_matches('/');
        if relative.split('/').any(|s| s == "..") {
            return respond(stream, 404, &[], "text/plain", "not found");
        }
        match std::fs::read_to_string(self.root.join(relative)) {
            Ok(body) => respond(stream, 200, &[], "text/markdown; charset=utf-8", &body),
            Err(_) => respond(stream, 404, &[], "text/plain", "not found"),
        }
    }
}

/// Reads the request head and returns its path; the server only answers GETs.
fn request_path(stream: &TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header == "\r\n" {
            break;
        }
    }
    let mut words = request_line.split_whitespace();
    (words.next()? == "GET").then_some(())?;
    words.next().map(str::to_owned)
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    content_type: &str,
    body: &str,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
