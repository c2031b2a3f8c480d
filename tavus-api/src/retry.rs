//! Sending a request again when the failure was likely passing and a second copy is safe.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::RETRY_AFTER;
use reqwest::{Method, Request, Response, StatusCode};

/// When and how often the client sends a request again. On by default
/// ([`RetryPolicy::default`]); set it with [`ClientBuilder::retry`](crate::ClientBuilder::retry),
/// or turn it off with [`ClientBuilder::no_retries`](crate::ClientBuilder::no_retries).
///
/// What is retried:
/// - a failure to connect (refused, DNS, TLS handshake, connect timeout), for every method:
///   nothing reached the server;
/// - for `GET`, `HEAD`, `OPTIONS`, `PUT` and `DELETE` only (idempotent: a second copy does no
///   more than the first), also the statuses 408, 429 and 5xx, timeouts, and connections
///   that broke after the request went out.
///
/// `POST` and `PATCH` are never sent again once the server may have received them, not even
/// on 429 or 503: creating a conversation twice costs more than an error.
///
/// Between attempts the client waits what the response's `Retry-After` asks (seconds or an
/// HTTP date), else an exponential backoff with jitter: before retry *n* it waits between
/// half and all of `initial_backoff × 2ⁿ⁻¹`, capped at `max_backoff`. It stops after
/// `max_attempts` attempts, or when the next wait would end more than `max_elapsed` after
/// the first attempt started, and returns the last response or error as it is.
///
/// ```
/// use std::time::Duration;
/// use tavus_api::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(5)
///     .max_elapsed(Duration::from_secs(120));
/// # let _ = patient;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl RetryPolicy {
    /// How many attempts a request gets by default, the first included.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
    /// The default scale of the wait before the first retry.
    pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
    /// The longest wait computed by default backoff (`Retry-After` may ask for more).
    pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(8);
    /// By default, no retry starts more than this long after the first attempt started.
    pub const DEFAULT_MAX_ELAPSED: Duration = Duration::from_secs(30);

    /// One attempt per request: nothing is sent again.
    pub fn never() -> Self {
        Self::default().max_attempts(1)
    }

    /// Sets how many attempts a request gets, the first included; `0` counts as `1`.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the scale of the wait before the first retry; later waits double it.
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// Caps the backoff wait (a `Retry-After` is honoured beyond it, within `max_elapsed`).
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// Bounds the time over which retries may start, counted from the first attempt.
    pub fn max_elapsed(mut self, total: Duration) -> Self {
        self.max_elapsed = total;
        self
    }

    /// The wait before attempt `attempt + 1`, or `None` when `result` is final: not
    /// retryable for `method`, out of attempts, or the wait would overrun `max_elapsed`.
    /// `jitter` is in `[0, 1)`.
    fn wait_after(
        &self,
        attempt: u32,
        method: &Method,
        result: &reqwest::Result<Response>,
        elapsed: Duration,
        jitter: f64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts || !is_retryable(method, result) {
            return None;
        }
        let wait = match result.as_ref().ok().and_then(retry_after) {
            Some(asked) => asked,
            None => self.backoff(attempt, jitter),
        };
        // `checked_add`: a `Retry-After` of `u64::MAX` seconds must end retrying, not panic.
        let ends = elapsed.checked_add(wait)?;
        (ends <= self.max_elapsed).then_some(wait)
    }

    fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let doubled = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let half = doubled.min(self.max_backoff) / 2;
        // `mul_f64` panics on a negative or non-finite factor; keep it in `[0, 1]`.
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        half.saturating_add(half.mul_f64(jitter))
    }
}

impl Default for RetryPolicy {
    /// [`DEFAULT_MAX_ATTEMPTS`](Self::DEFAULT_MAX_ATTEMPTS) attempts, backoff from
    /// [`DEFAULT_INITIAL_BACKOFF`](Self::DEFAULT_INITIAL_BACKOFF) up to
    /// [`DEFAULT_MAX_BACKOFF`](Self::DEFAULT_MAX_BACKOFF), retries within
    /// [`DEFAULT_MAX_ELAPSED`](Self::DEFAULT_MAX_ELAPSED).
    fn default() -> Self {
        Self {
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            initial_backoff: Self::DEFAULT_INITIAL_BACKOFF,
            max_backoff: Self::DEFAULT_MAX_BACKOFF,
            max_elapsed: Self::DEFAULT_MAX_ELAPSED,
        }
    }
}

/// Sends `request` with `send_once`, again as `policy` allows. A request whose body cannot
/// be copied (a stream) is sent once.
pub(crate) async fn send<F, Fut>(
    policy: &RetryPolicy,
    mut request: Request,
    send_once: F,
) -> reqwest::Result<Response>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = reqwest::Result<Response>>,
{
    let method = request.method().clone();
    let started = Instant::now();
    let mut attempt = 1;
    loop {
        // Copied before sending: sending consumes the request.
        let copy = if attempt < policy.max_attempts {
            request.try_clone()
        } else {
            None
        };
        let result = send_once(request).await;
        let Some(next) = copy else { return result };
        if !is_retryable(&method, &result) {
            return result; // without reading the clock or the random generator
        }
        let elapsed = started.elapsed();
        let Some(wait) = policy.wait_after(attempt, &method, &result, elapsed, fastrand::f64())
        else {
            return result;
        };
        #[cfg(feature = "tracing")]
        log_retry(attempt, wait, &result);
        tokio::time::sleep(wait).await;
        request = next;
        attempt += 1;
    }
}

/// An event in the request's span, so that a slow call shows why it was slow.
#[cfg(feature = "tracing")]
fn log_retry(attempt: u32, wait: Duration, result: &reqwest::Result<Response>) {
    let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(response) => {
            let status = response.status().as_u16();
            tracing::info!(
                attempt,
                wait_ms,
                status,
                "retrying after a transient status"
            );
        }
        Err(error) => {
            let error = crate::error::chain(error);
            tracing::info!(attempt, wait_ms, error, "retrying after a failure");
        }
    }
}

fn is_retryable(method: &Method, result: &reqwest::Result<Response>) -> bool {
    match result {
        // No connection means no request reached the server: safe for any method.
        Err(e) if e.is_connect() => true,
        Err(e) => is_idempotent(method) && (e.is_timeout() || e.is_request() || e.is_body()),
        Ok(response) => is_idempotent(method) && is_transient(response.status()),
    }
}

fn is_idempotent(method: &Method) -> bool {
    [
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::PUT,
        Method::DELETE,
    ]
    .contains(method)
}

fn is_transient(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS
    ) || status.is_server_error()
}

/// The wait a response's `Retry-After` asks for: delay-seconds, or an HTTP date (a date
/// already past asks for no wait). An unreadable value is ignored.
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(RETRY_AFTER)?.to_str().ok()?.trim();
    parse_retry_after(value, SystemTime::now())
}

fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn response(status: u16, retry_after: Option<&str>) -> reqwest::Result<Response> {
        let mut builder = http::Response::builder().status(status);
        if let Some(value) = retry_after {
            builder = builder.header(RETRY_AFTER, value);
        }
        Ok(Response::from(builder.body("").unwrap()))
    }

    fn fast() -> RetryPolicy {
        RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300))
    }

    /// What the server sees of a request: everything a retry must send again.
    type Sent = (
        Method,
        reqwest::Url,
        reqwest::header::HeaderMap,
        reqwest::Version,
        Option<Duration>,
        Option<Vec<u8>>,
    );

    fn sent(request: &Request) -> Sent {
        (
            request.method().clone(),
            request.url().clone(),
            request.headers().clone(),
            request.version(),
            request.timeout().copied(),
            request.body().map(|b| b.as_bytes().unwrap().to_vec()),
        )
    }

    #[tokio::test]
    async fn every_attempt_sends_the_request_again() {
        let url = reqwest::Url::parse("http://127.0.0.1:1/v2/documents/d%2F1?x=1").unwrap();
        let mut with_body = Request::new(Method::PUT, url.clone());
        *with_body.body_mut() = Some("{\"a\":1}".into());
        let mut timed = Request::new(Method::DELETE, url.clone());
        *timed.timeout_mut() = Some(Duration::from_secs(3));
        *timed.version_mut() = reqwest::Version::HTTP_2;
        let mut bare = Request::new(Method::GET, url);
        bare.headers_mut()
            .insert("accept", "application/json".parse().unwrap());
        bare.headers_mut().append("x-many", "1".parse().unwrap());
        bare.headers_mut().append("x-many", "2".parse().unwrap());
        let policy = fast().max_attempts(3);
        for request in [with_body, timed, bare] {
            let original = sent(&request);
            let attempts = std::sync::Mutex::new(Vec::new());
            let result = send(&policy, request, |request| {
                attempts.lock().unwrap().push(sent(&request));
                async { response(503, Some("0")) }
            })
            .await;
            assert_eq!(result.unwrap().status(), 503);
            let attempts = attempts.into_inner().unwrap();
            assert_eq!(attempts.len(), 3);
            for attempt in attempts {
                assert_eq!(attempt, original);
            }
        }
    }

    #[test]
    fn transient_statuses_are_retried_only_for_idempotent_methods() {
        let policy = fast();
        for status in [408, 429, 500, 502, 503, 504] {
            for method in [Method::GET, Method::PUT, Method::DELETE] {
                let wait =
                    policy.wait_after(1, &method, &response(status, None), Duration::ZERO, 0.0);
                assert!(wait.is_some(), "{method} {status} should be retried");
            }
            for method in [Method::POST, Method::PATCH] {
                let wait =
                    policy.wait_after(1, &method, &response(status, None), Duration::ZERO, 0.0);
                assert_eq!(wait, None, "{method} {status} must not be sent twice");
            }
        }
        for status in [200, 204, 400, 401, 404, 409, 422] {
            let wait = policy.wait_after(
                1,
                &Method::GET,
                &response(status, None),
                Duration::ZERO,
                0.0,
            );
            assert_eq!(wait, None, "{status} is final");
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = fast().max_attempts(50);
        let ok = response(503, None);
        let wait = |attempt, jitter| {
            policy
                .wait_after(attempt, &Method::GET, &ok, Duration::ZERO, jitter)
                .unwrap()
        };
        assert_eq!(wait(1, 0.0), Duration::from_millis(50));
        assert_eq!(wait(1, 0.5), Duration::from_millis(75));
        assert_eq!(wait(2, 0.0), Duration::from_millis(100));
        assert_eq!(wait(3, 0.0), Duration::from_millis(150), "capped at 300 ms");
        let top = wait(9, 0.999_999);
        assert!(top > Duration::from_millis(299) && top < Duration::from_millis(300));
        assert!(wait(40, 0.0) <= Duration::from_millis(300), "no overflow");
    }

    #[test]
    fn attempts_and_total_time_are_capped() {
        let policy = fast().max_attempts(2).max_elapsed(Duration::from_secs(1));
        let ok = response(503, None);
        assert!(
            policy
                .wait_after(1, &Method::GET, &ok, Duration::ZERO, 0.0)
                .is_some()
        );
        assert_eq!(
            policy.wait_after(2, &Method::GET, &ok, Duration::ZERO, 0.0),
            None
        );
        let late = Duration::from_millis(990);
        assert_eq!(policy.wait_after(1, &Method::GET, &ok, late, 0.0), None);
        assert_eq!(
            RetryPolicy::never().wait_after(1, &Method::GET, &ok, Duration::ZERO, 0.0),
            None
        );
        assert_eq!(RetryPolicy::default().max_attempts(0), RetryPolicy::never());
    }

    #[test]
    fn retry_after_is_honoured_beyond_the_backoff_cap_but_not_the_total() {
        let policy = fast();
        let asked = response(429, Some("7"));
        assert_eq!(
            policy.wait_after(1, &Method::GET, &asked, Duration::ZERO, 0.0),
            Some(Duration::from_secs(7))
        );
        let too_late = response(429, Some("3600"));
        assert_eq!(
            policy.wait_after(1, &Method::GET, &too_late, Duration::ZERO, 0.0),
            None
        );
        let unreadable = response(503, Some("soon"));
        assert_eq!(
            policy.wait_after(1, &Method::GET, &unreadable, Duration::ZERO, 0.0),
            Some(Duration::from_millis(50)),
            "an unreadable Retry-After falls back to backoff"
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Sun, 29 Nov 2026 14:00:00 GMT").unwrap();
        let read = |value| parse_retry_after(value, now);
        assert_eq!(read("0"), Some(Duration::ZERO));
        assert_eq!(read("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            read("Sun, 29 Nov 2026 14:00:30 GMT"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(read("Sun, 29 Nov 2026 13:59:00 GMT"), Some(Duration::ZERO));
        assert_eq!(read("-1"), None);
        assert_eq!(read("tomorrow"), None);
    }

    proptest! {
        // No `Retry-After` (seconds, dates, huge numbers, garbage), policy, attempt count or
        // elapsed time makes the scheduler panic, and no wait it allows ends past the
        // policy's bound.
        #[test]
        fn no_retry_after_or_elapsed_time_panics(
            value in prop_oneof![
                any::<u64>().prop_map(|n| n.to_string()),
                "[0-9]{15,40}",
                "(Mon|Sun), [0-9]{1,2} (Jan|Nov) [0-9]{1,6} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
                "[ -~]{0,40}",
            ],
            elapsed_ms in any::<u64>(),
            elapsed_ns in 0u32..1_000_000_000,
            attempt in any::<u32>(),
            max_elapsed_s in any::<u64>(),
            backoff_s in any::<u64>(),
            jitter in any::<f64>(),
            now_s in any::<u32>(),
        ) {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(now_s.into());
            let _ = parse_retry_after(&value, now);
            let elapsed = Duration::new(elapsed_ms, elapsed_ns);
            let policy = RetryPolicy::default()
                .max_attempts(u32::MAX)
                .initial_backoff(Duration::from_secs(backoff_s))
                .max_backoff(Duration::MAX)
                .max_elapsed(Duration::from_secs(max_elapsed_s));
            let answer = response(429, Some(&value));
            if let Some(wait) = policy.wait_after(attempt, &Method::GET, &answer, elapsed, jitter) {
                prop_assert!(elapsed + wait <= policy.max_elapsed);
            }
        }
    }

    // The POST rule through the real loop: no generated POST operation is needed to show it.
    mod sending {
        use super::*;
        use std::sync::atomic::{AtomicU32, Ordering};

        async fn send_counting(
            policy: &RetryPolicy,
            request: Request,
        ) -> (reqwest::Result<Response>, u32) {
            let http = reqwest::Client::new();
            let attempts = AtomicU32::new(0);
            let result = send(policy, request, |request| {
                attempts.fetch_add(1, Ordering::SeqCst);
                http.execute(request)
            })
            .await;
            (result, attempts.into_inner())
        }

        fn post(url: &str) -> Request {
            let mut request = Request::new(Method::POST, url.parse().unwrap());
            *request.body_mut() = Some(r#"{"replica_id":"r1"}"#.into());
            request
        }

        #[tokio::test]
        async fn post_is_not_sent_again_once_the_server_answered() {
            let server = httpmock::MockServer::start_async().await;
            for status in [408, 429, 500, 503] {
                let mock = server
                    .mock_async(|when, then| {
                        when.method("POST").path(format!("/{status}"));
                        then.status(status).header("retry-after", "0");
                    })
                    .await;
                let (result, attempts) =
                    send_counting(&fast(), post(&server.url(format!("/{status}")))).await;
                assert_eq!(result.unwrap().status().as_u16(), status);
                assert_eq!(attempts, 1, "POST answered {status} must not be retried");
                mock.assert_calls_async(1).await;
            }
        }

        #[tokio::test]
        async fn post_is_sent_again_when_no_connection_was_made() {
            let port = {
                let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                probe.local_addr().unwrap().port()
            };
            let policy = fast().initial_backoff(Duration::from_millis(10));
            let (result, attempts) =
                send_counting(&policy, post(&format!("http://127.0.0.1:{port}/"))).await;
            assert!(result.unwrap_err().is_connect());
            assert_eq!(attempts, RetryPolicy::DEFAULT_MAX_ATTEMPTS);
        }

        #[tokio::test]
        async fn post_is_not_sent_again_after_a_timeout() {
            let server = httpmock::MockServer::start_async().await;
            let slow = server
                .mock_async(|when, then| {
                    when.method("POST");
                    then.status(200).delay(Duration::from_secs(2));
                })
                .await;
            let http = reqwest::Client::builder()
                .timeout(Duration::from_millis(100))
                .build()
                .unwrap();
            let attempts = AtomicU32::new(0);
            let result = send(&fast(), post(&server.url("/slow")), |request| {
                attempts.fetch_add(1, Ordering::SeqCst);
                http.execute(request)
            })
            .await;
            assert!(result.unwrap_err().is_timeout());
            assert_eq!(attempts.into_inner(), 1);
            slow.assert_calls_async(1).await;
        }
    }
}
