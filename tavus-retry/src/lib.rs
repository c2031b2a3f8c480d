//! When a failed HTTP request is sent again, and how its failure is told: the one retry
//! policy of `tavus-api`'s client (which re-exports [`RetryPolicy`]) and of the
//! workspace's `cargo xtask`, which fetches the docs site.
//!
//! [`retry`] runs the attempts of one request under a [`RetryPolicy`]; the caller says
//! what one attempt does and whether its failure may pass ([`is_retryable`]), the policy
//! decides how long to wait ([`retry_after`] from the response, else backoff) and when to
//! stop. [`error_chain`] writes an error with its causes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::RETRY_AFTER;
use reqwest::{Method, Response, StatusCode};

/// When and how often a request is sent again.
///
/// What is retried ([`is_retryable`]):
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
/// `tavus-api`'s client retries by [`RetryPolicy::default`]; set its policy with
/// `ClientBuilder::retry`, or turn retries off with `ClientBuilder::no_retries`.
///
/// ```
/// # use tavus_retry::RetryPolicy;
/// use std::time::Duration;
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
    pub fn max_attempts(self, attempts: u32) -> Self {
        Self {
            max_attempts: attempts.max(1),
            ..self
        }
    }

    /// Sets the scale of the wait before the first retry; later waits double it.
    pub fn initial_backoff(self, wait: Duration) -> Self {
        Self {
            initial_backoff: wait,
            ..self
        }
    }

    /// Caps the backoff wait (a `Retry-After` is honoured beyond it, within `max_elapsed`).
    pub fn max_backoff(self, wait: Duration) -> Self {
        Self {
            max_backoff: wait,
            ..self
        }
    }

    /// Bounds the time over which retries may start, counted from the first attempt.
    pub fn max_elapsed(self, total: Duration) -> Self {
        Self {
            max_elapsed: total,
            ..self
        }
    }

    /// The wait before attempt `attempt + 1` after a retryable failure, or `None` when the
    /// policy is spent: out of attempts, or the wait would overrun `max_elapsed`. A
    /// `Retry-After` the failure asked for replaces the backoff; `jitter` is in `[0, 1)`.
    fn wait_after(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        elapsed: Duration,
        jitter: f64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let wait = retry_after.unwrap_or_else(|| self.backoff(attempt, jitter));
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

/// One attempt of a request, as [`retry`] starts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// The attempt's number, the first being 1.
    pub number: u32,
    /// Whether the policy allows no attempt after this one (time permitting or not): a
    /// request copied for the next attempt need not be copied now.
    pub last: bool,
}

/// What one attempt came to.
#[derive(Debug)]
pub enum Outcome<T> {
    /// A result to return as it is: a success, or a failure that sending again would not
    /// mend.
    Final(T),
    /// A failure that may pass: returned as it is only when the policy is spent.
    Retryable {
        /// The failure.
        result: T,
        /// The wait the server asked for ([`retry_after`]), if it did.
        retry_after: Option<Duration>,
    },
}

/// Runs `attempt` until its outcome is final or `policy` is spent, sleeping between
/// attempts, and returns the last result. `on_retry(attempt, wait, failure)` learns of
/// each retry before its wait.
///
/// `attempt` is a closure returning a future, not an async closure: the future of an
/// async closure borrows the closure, and the compiler then cannot prove the whole call
/// `Send` ("implementation of `Send` is not general enough"), which would keep a client's
/// calls out of `tokio::spawn`.
pub async fn retry<T, Fut>(
    policy: &RetryPolicy,
    mut attempt: impl FnMut(Attempt) -> Fut,
    mut on_retry: impl FnMut(u32, Duration, &T),
) -> T
where
    Fut: Future<Output = Outcome<T>>,
{
    let started = Instant::now();
    let mut number = 1;
    loop {
        let last = number >= policy.max_attempts;
        let (failure, retry_after) = match attempt(Attempt { number, last }).await {
            Outcome::Final(result) => return result, // without reading the clock or the jitter
            Outcome::Retryable {
                result,
                retry_after,
            } => (result, retry_after),
        };
        let elapsed = started.elapsed();
        let Some(wait) = policy.wait_after(number, retry_after, elapsed, fastrand::f64()) else {
            return failure;
        };
        on_retry(number, wait, &failure);
        tokio::time::sleep(wait).await;
        number += 1;
    }
}

/// Whether sending a request with `method` again may mend `result`; see [`RetryPolicy`].
pub fn is_retryable(method: &Method, result: &reqwest::Result<Response>) -> bool {
    match result {
        Err(e) => is_retryable_error(method, e),
        Ok(response) => is_idempotent(method) && is_transient(response.status()),
    }
}

/// [`is_retryable`] of a failure without a response (connect, timeout, a body cut off).
pub fn is_retryable_error(method: &Method, error: &reqwest::Error) -> bool {
    // No connection means no request reached the server: safe for any method.
    error.is_connect()
        || is_idempotent(method) && (error.is_timeout() || error.is_request() || error.is_body())
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

/// Whether a status says the failure may pass: 408, 429 and 5xx.
pub fn is_transient(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS
    ) || status.is_server_error()
}

/// The wait a response's `Retry-After` asks for: delay-seconds, or an HTTP date (a date
/// already past asks for no wait). An unreadable value is ignored.
pub fn retry_after(response: &Response) -> Option<Duration> {
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

/// An error with its causes, `: ` between each: reqwest's own message ("error sending
/// request for url (...)") does not say whether the connection was refused or timed out.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
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

    fn asked(response: &reqwest::Result<Response>) -> Option<Duration> {
        retry_after(response.as_ref().unwrap())
    }

    fn fast() -> RetryPolicy {
        RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300))
    }

    #[test]
    fn transient_statuses_are_retried_only_for_idempotent_methods() {
        for status in [408, 429, 500, 502, 503, 504] {
            for method in [Method::GET, Method::PUT, Method::DELETE] {
                let retryable = is_retryable(&method, &response(status, None));
                assert!(retryable, "{method} {status} should be retried");
            }
            for method in [Method::POST, Method::PATCH] {
                let retryable = is_retryable(&method, &response(status, None));
                assert!(!retryable, "{method} {status} must not be sent twice");
            }
        }
        for status in [200, 204, 400, 401, 404, 409, 422] {
            let retryable = is_retryable(&Method::GET, &response(status, None));
            assert!(!retryable, "{status} is final");
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = fast().max_attempts(50);
        let wait = |attempt, jitter| {
            policy
                .wait_after(attempt, None, Duration::ZERO, jitter)
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
        assert!(policy.wait_after(1, None, Duration::ZERO, 0.0).is_some());
        assert_eq!(policy.wait_after(2, None, Duration::ZERO, 0.0), None);
        let late = Duration::from_millis(990);
        assert_eq!(policy.wait_after(1, None, late, 0.0), None);
        assert_eq!(
            RetryPolicy::never().wait_after(1, None, Duration::ZERO, 0.0),
            None
        );
        assert_eq!(RetryPolicy::default().max_attempts(0), RetryPolicy::never());
    }

    #[test]
    fn retry_after_is_honoured_beyond_the_backoff_cap_but_not_the_total() {
        let policy = fast();
        let wait = |answer| policy.wait_after(1, asked(&answer), Duration::ZERO, 0.0);
        assert_eq!(wait(response(429, Some("7"))), Some(Duration::from_secs(7)));
        assert_eq!(wait(response(429, Some("3600"))), None);
        assert_eq!(
            wait(response(503, Some("soon"))),
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
            if let Some(wait) = policy.wait_after(attempt, asked(&answer), elapsed, jitter) {
                prop_assert!(elapsed + wait <= policy.max_elapsed);
            }
        }
    }

    #[tokio::test]
    async fn retry_runs_attempts_until_final_or_spent() {
        let policy = RetryPolicy::default()
            .max_attempts(3)
            .initial_backoff(Duration::from_millis(2));
        let mut started = Vec::new();
        let mut told = Vec::new();
        let spent = retry(
            &policy,
            |attempt| {
                started.push(attempt);
                async move {
                    Outcome::Retryable {
                        result: attempt.number,
                        retry_after: None,
                    }
                }
            },
            |number, wait, failure| told.push((number, wait, *failure)),
        )
        .await;
        assert_eq!(spent, 3, "the last failure is returned as it is");
        let last = |number| Attempt {
            number,
            last: number == 3,
        };
        assert_eq!(started, [last(1), last(2), last(3)]);
        assert_eq!(told.len(), 2);
        for (i, (number, wait, failure)) in told.into_iter().enumerate() {
            assert_eq!((number, failure), (i as u32 + 1, i as u32 + 1));
            assert!(wait <= Duration::from_millis(2 << i), "{wait:?}");
        }

        let mut attempts = 0;
        let retry_after = Some(Duration::ZERO);
        let done = retry(
            &policy,
            |attempt| {
                attempts += 1;
                async move {
                    match attempt.number {
                        1 => Outcome::Retryable {
                            result: "busy",
                            retry_after,
                        },
                        _ => Outcome::Final("done"),
                    }
                }
            },
            |_, wait, _| assert_eq!(wait, Duration::ZERO, "Retry-After: 0 is honoured"),
        )
        .await;
        assert_eq!((done, attempts), ("done", 2));
    }

    #[test]
    fn error_chain_tells_every_cause() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("error sending request")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(
            error_chain(&Outer(refused)),
            "error sending request: refused"
        );
    }
}
