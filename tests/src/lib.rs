//! Helpers shared by the integration tests: a local stand-in for docs.tavus.io, temporary
//! copies of the docs snapshot and of `openapi/`, a way to run the xtask in-process, and
//! a client for local test servers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use local_server::{Answer, LocalServer};

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
/// 127.0.0.1 (GET only), with scripted replies for chosen paths and a count of requests
/// per path. It is the workspace's one local server ([`LocalServer`]) answering as the
/// site would.
pub struct DocsServer {
    server: LocalServer,
    site: Arc<Site>,
}

struct Site {
    root: PathBuf,
    /// Replies per site path (`/llms.txt`), used in order; the last one repeats.
    scripts: Mutex<HashMap<String, Vec<Reply>>>,
    hits: Mutex<HashMap<String, usize>>,
    /// How long every answer waits before it is sent.
    delay: Mutex<Duration>,
}

impl DocsServer {
    /// Serves `root` on a free port of 127.0.0.1 until dropped.
    pub fn start(root: &Path) -> Self {
        let site = Arc::new(Site {
            root: root.to_owned(),
            scripts: Mutex::default(),
            hits: Mutex::default(),
            delay: Mutex::default(),
        });
        let answering = Arc::clone(&site);
        let server = LocalServer::start(move |head| answering.answer(head))
            .expect("start a server on 127.0.0.1");
        Self { server, site }
    }

    /// The base URL to pass as `--docs-url`.
    pub fn url(&self) -> &str {
        self.server.base_url()
    }

    /// Answers requests for `path` (such as `/llms.txt`) with `replies` in order, the last
    /// one repeating.
    pub fn script(&self, path: &str, replies: Vec<Reply>) {
        self.site
            .scripts
            .lock()
            .unwrap()
            .insert(path.to_owned(), replies);
    }

    /// Makes every answer wait `delay`, so concurrent requests overlap.
    pub fn delay_every_answer(&self, delay: Duration) {
        *self.site.delay.lock().unwrap() = delay;
    }

    /// The most requests the server was answering at the same time.
    pub fn most_in_flight(&self) -> usize {
        self.server.most_in_flight()
    }

    /// How many requests `path` received.
    pub fn hits(&self, path: &str) -> usize {
        self.site
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

impl Site {
    fn answer(&self, head: &http::request::Parts) -> Answer {
        if head.method != http::Method::GET {
            return Answer::hang_up();
        }
        let path = head.uri.path();
        let hits = {
            let mut hits = self.hits.lock().unwrap();
            let count = hits.entry(path.to_owned()).or_default();
            *count += 1;
            *count
        };
        let scripted = self.scripts.lock().unwrap().get(path).map(|replies| {
            replies
                .get(hits - 1)
                .or(replies.last())
                .cloned()
                .expect("a script has at least one reply")
        });
        let delay = *self.delay.lock().unwrap();
        let answer = match scripted {
            Some(Reply::Status(status)) => respond(status, &[], "text/plain", "no"),
            Some(Reply::StatusRetryAfter(status, seconds)) => respond(
                status,
                &[("retry-after", seconds.to_string())],
                "text/plain",
                "slow down",
            ),
            Some(Reply::Body(content_type, body)) => respond(200, &[], content_type, body),
            Some(Reply::Truncated(body)) => {
                let promised = (body.len() * 2).to_string();
                let mut once = Some(Bytes::from(body));
                http::Response::builder()
                    .header("content-type", "text/markdown")
                    .header("content-length", promised)
                    .body(local_server::Body::chunks(move |_| once.take()))
                    .unwrap()
                    .into()
            }
            Some(Reply::Hangup) => Answer::hang_up(),
            Some(Reply::Redirect(status, location)) => {
                respond(status, &[("location", location)], "text/plain", "moved")
            }
            Some(Reply::Slow(slow)) => return self.serve_file(path).after(delay + slow),
            None => self.serve_file(path),
        };
        answer.after(delay)
    }

    fn serve_file(&self, path: &str) -> Answer {
        let relative = path.trim_start_matches('/');
        if relative.split('/').any(|s| s == "..") {
            return respond(404, &[], "text/plain", "not found");
        }
        match std::fs::read_to_string(self.root.join(relative)) {
            Ok(body) => respond(200, &[], "text/markdown; charset=utf-8", body),
            Err(_) => respond(404, &[], "text/plain", "not found"),
        }
    }
}

fn respond(
    status: u16,
    headers: &[(&str, String)],
    content_type: &str,
    body: impl Into<local_server::Body>,
) -> Answer {
    let mut response = http::Response::builder()
        .status(status)
        .header("content-type", content_type);
    for (name, value) in headers {
        response = response.header(*name, value);
    }
    response.body(body.into()).unwrap().into()
}
