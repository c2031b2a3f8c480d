//! How fast the drift check reads the docs site.
//!
//! One run serves the operation pages of the docs snapshot (`tests/fixtures/tavus-docs`) from a
//! local server that answers each request 50 ms after it arrives, and measures, in
//! alternating rounds, with one `xtask::fetch::Fetcher` (so one client and one pool):
//! - all pages in one `fetch_pages` call, as the drift check reads them (default options);
//! - the same pages one `fetch_pages` call at a time: sequential, and each call's time is
//!   that page's single response time;
//! - parsing every page (the OpenAPI block and the document in it) from memory.
//!
//! Both fetches are followed by parsing, as in the drift check. The report gives the
//! speedup, sequential / concurrent (target: at least 5), and concurrent / (slowest
//! single response + parsing) (target: at most 2), and the same for a fetcher that keeps
//! every page in flight at once, to show what the default concurrency costs.
//!
//! `cargo bench -p tavus-benches --bench drift_fetch`; see BENCHMARKS.md.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use local_server::{Answer, Body, LocalServer};
use tavus_benches::{load_average, percentile, ratio, verdict};
use tavus_openapi::{PagePath, parse_document};
use xtask::fetch::{FetchOptions, Fetcher};
use xtask::page::OpenApiBlock;
use xtask::site::DocsSite;

const DELAY: Duration = Duration::from_millis(50);
const ROUNDS: usize = 4;
const SPEEDUP_TARGET: f64 = 5.0;
const FLOOR_TARGET: f64 = 2.0;
/// A run takes about 10 s; past this something is wrong (a hung connection).
const TIME_LIMIT: Duration = Duration::from_secs(90);

fn main() {
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/tavus-docs");
    let files = snapshot_files(&snapshot);
    let pages: Vec<PagePath> = files
        .keys()
        .filter_map(|path| path.strip_prefix('/')?.strip_suffix(".md"))
        // The operation pages, `api-reference/<group>/<page>`; not the index, not
        // `api-reference/authentication`, which holds no OpenAPI block.
        .filter(|path| path.starts_with("api-reference/") && path.matches('/').count() == 2)
        .map(|path| PagePath::parse(path, "the snapshot").expect("a page path"))
        .collect();
    let server = LocalServer::start(move |head| {
        let body = files.get(head.uri.path());
        let response = http::Response::builder()
            .status(if body.is_some() { 200 } else { 404 })
            .header("content-type", "text/markdown; charset=utf-8")
            .body(Body::from(body.cloned().unwrap_or_default()))
            .expect("a status, a header and a body");
        Answer::from(response).after(DELAY)
    })
    .expect("a local server");
    let site = DocsSite::Http(server.base_url().to_owned());
    let fetcher = |options| Fetcher::new(site.clone(), options).expect("a fetcher");
    let default = fetcher(FetchOptions::default());
    let all_at_once = fetcher(FetchOptions {
        concurrency: pages.len(),
        ..FetchOptions::default()
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        tokio::time::timeout(TIME_LIMIT, run(&pages, &default, &all_at_once))
            .await
            .unwrap_or_else(|_| panic!("the benchmark took longer than {TIME_LIMIT:?}"))
    });
}

/// Every file of the snapshot by its URL path (`/api-reference/.../page.md`).
fn snapshot_files(snapshot: &Path) -> HashMap<String, Bytes> {
    let mut files = HashMap::new();
    let mut dirs = vec![snapshot.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("the docs snapshot") {
            let path: PathBuf = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let relative = path.strip_prefix(snapshot).expect("under the snapshot");
            let url_path = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
            files.insert(url_path, Bytes::from(std::fs::read(&path).expect("a file")));
        }
    }
    files
}

/// What one round measured.
#[derive(Default)]
struct Round {
    concurrent: Duration,
    all_at_once: Duration,
    sequential: Duration,
    slowest_single: Duration,
    parsing: Duration,
}

async fn run(pages: &[PagePath], default: &Fetcher, all_at_once: &Fetcher) {
    println!(
        "drift-check fetching: {} snapshot pages, every response delayed {DELAY:?}, one run",
        pages.len()
    );
    println!("load average (1, 5, 15 min) at start: {}", load_average());
    // Warm-up: connections open, and a check that every page is served and parses.
    let bodies = fetch_all(default, pages).await;
    parse_all(pages, &bodies);

    let mut rounds = Vec::new();
    for round in 0..ROUNDS {
        let mut this = Round::default();
        for step in if round.is_multiple_of(2) {
            [0, 1, 2, 3]
        } else {
            [3, 2, 1, 0]
        } {
            match step {
                0 => this.concurrent = fetch_and_parse(default, pages).await,
                1 => this.all_at_once = fetch_and_parse(all_at_once, pages).await,
                2 => (this.sequential, this.slowest_single) = sequential(default, pages).await,
                _ => {
                    let start = Instant::now();
                    parse_all(pages, &bodies);
                    this.parsing = start.elapsed();
                }
            }
        }
        rounds.push(this);
    }

    let median = |pick: fn(&Round) -> Duration| {
        percentile(&mut rounds.iter().map(pick).collect::<Vec<_>>(), 0.5)
    };
    let concurrent = median(|r| r.concurrent);
    let all_at_once_time = median(|r| r.all_at_once);
    let sequential_time = median(|r| r.sequential);
    let slowest = median(|r| r.slowest_single);
    let parsing = median(|r| r.parsing);
    let floor = slowest + parsing;
    println!("\nmedians of {ROUNDS} alternating rounds:");
    let concurrency = FetchOptions::default().concurrency;
    for (name, time) in [
        ("sequential fetch + parse".to_owned(), sequential_time),
        (
            format!("drift check's fetch + parse ({concurrency} in flight)"),
            concurrent,
        ),
        (
            format!("all pages in flight ({}) + parse", pages.len()),
            all_at_once_time,
        ),
        ("slowest single response".to_owned(), slowest),
        ("parsing every page".to_owned(), parsing),
    ] {
        println!("  {name:<46} {time:>10.1?}");
    }
    println!("\nload average (1, 5, 15 min) at end: {}", load_average());
    for (name, time) in [
        ("drift check (default options)", concurrent),
        ("all pages in flight", all_at_once_time),
    ] {
        let speedup = ratio(sequential_time, time);
        let to_floor = ratio(time, floor);
        println!(
            "{name}: speedup {speedup:.1}x ({}), {to_floor:.2}x the slowest response + parsing ({})",
            verdict(speedup >= SPEEDUP_TARGET),
            verdict(to_floor <= FLOOR_TARGET),
        );
    }
    println!(
        "targets: speedup >= {SPEEDUP_TARGET}x, within {FLOOR_TARGET}x of the slowest response + parsing"
    );
}

async fn fetch_all(fetcher: &Fetcher, pages: &[PagePath]) -> Vec<String> {
    let results = fetcher.fetch_pages(pages).await;
    results
        .into_iter()
        .map(|result| result.unwrap_or_else(|e| panic!("{e}")).text)
        .collect()
}

async fn fetch_and_parse(fetcher: &Fetcher, pages: &[PagePath]) -> Duration {
    let start = Instant::now();
    let bodies = fetch_all(fetcher, pages).await;
    parse_all(pages, &bodies);
    start.elapsed()
}

/// The pages one at a time, then parsing: the total time, and the slowest single page.
async fn sequential(fetcher: &Fetcher, pages: &[PagePath]) -> (Duration, Duration) {
    let start = Instant::now();
    let mut bodies = Vec::new();
    let mut slowest = Duration::ZERO;
    for page in pages {
        let page_start = Instant::now();
        bodies.extend(fetch_all(fetcher, std::slice::from_ref(page)).await);
        slowest = slowest.max(page_start.elapsed());
    }
    parse_all(pages, &bodies);
    (start.elapsed(), slowest)
}

/// What the drift check does with each page: its OpenAPI block, parsed.
fn parse_all(pages: &[PagePath], bodies: &[String]) {
    for (page, markdown) in pages.iter().zip(bodies) {
        let origin = page.to_string();
        let block = OpenApiBlock::extract(markdown, &origin).unwrap_or_else(|e| panic!("{e}"));
        parse_document(&block.yaml, &origin).unwrap_or_else(|e| panic!("{e}"));
    }
}
