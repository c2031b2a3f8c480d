//! Sending a request again when the failure was likely passing and a second copy is safe,
//! by the policy of [`tavus_retry`], shared with the workspace's xtask.

use std::future::Future;

use reqwest::{Request, Response};
pub use tavus_retry::RetryPolicy;
use tavus_retry::{Outcome, is_retryable, retry_after};

/// Sends `request` with `send_once`, again as `policy` allows. A request whose body cannot
/// be copied (a stream) is sent once.
pub(crate) async fn send<F, Fut>(
    policy: &RetryPolicy,
    request: Request,
    send_once: F,
) -> reqwest::Result<Response>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = reqwest::Result<Response>>,
{
    let mut next = Some(request);
    let attempt = |attempt: tavus_retry::Attempt| {
        let request = next.take().expect("every retry has its copy");
        // Copied before sending: sending consumes the request.
        next = if attempt.last {
            None
        } else {
            request.try_clone()
        };
        let may_retry = next.is_some();
        let method = request.method().clone();
        let sent = send_once(request);
        async move {
            let result = sent.await;
            if !may_retry || !is_retryable(&method, &result) {
                return Outcome::Final(result);
            }
            let retry_after = result.as_ref().ok().and_then(retry_after);
            Outcome::Retryable {
                result,
                retry_after,
            }
        }
    };
    #[cfg(feature = "tracing")]
    let on_retry = log_retry;
    #[cfg(not(feature = "tracing"))]
    let on_retry = |_: u32, _, _: &_| {};
    tavus_retry::retry(policy, attempt, on_retry).await
}

/// An event in the request's span, so that a slow call shows why it was slow.
#[cfg(feature = "tracing")]
fn log_retry(attempt: u32, wait: std::time::Duration, result: &reqwest::Result<Response>) {
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
            let error = tavus_retry::error_chain(error);
            tracing::info!(attempt, wait_ms, error, "retrying after a failure");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::Method;
    use reqwest::header::RETRY_AFTER;

    use super::*;

    /// A 503 that asks for the retry at once.
    fn unavailable() -> reqwest::Result<Response> {
        let answer = http::Response::builder()
            .status(503)
            .header(RETRY_AFTER, "0")
            .body("");
        Ok(Response::from(answer.unwrap()))
    }

    /// The default policy with short waits.
    fn quick() -> RetryPolicy {
        RetryPolicy::default().initial_backoff(Duration::from_millis(10))
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
        let policy = quick().max_attempts(3);
        for request in [with_body, timed, bare] {
            let original = sent(&request);
            let attempts = std::sync::Mutex::new(Vec::new());
            let result = send(&policy, request, |request| {
                attempts.lock().unwrap().push(sent(&request));
                async { unavailable() }
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

    /// A call can go to `tokio::spawn`: the retry loop keeps its future `Send`.
    #[test]
    fn sending_can_be_spawned() {
        fn spawnable<F: Future + Send + 'static>(_: F) {}
        let http = reqwest::Client::new();
        let request = Request::new(Method::GET, "http://127.0.0.1:1/".parse().unwrap());
        spawnable(async move {
            let policy = RetryPolicy::default();
            send(&policy, request, |request| async {
                http.execute(request).await
            })
            .await
        });
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
                    send_counting(&quick(), post(&server.url(format!("/{status}")))).await;
                assert_eq!(result.unwrap().status().as_u16(), status);
                assert_eq!(attempts, 1, "POST answered {status} must not be retried");
                mock.assert_calls_async(1).await;
            }
        }

        #[tokio::test]
        async fn post_is_sent_again_when_no_connection_was_made() {
            // Nothing listens on port 1.
            let (result, attempts) = send_counting(&quick(), post("http://127.0.0.1:1/")).await;
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
            let result = send(&quick(), post(&server.url("/slow")), |request| {
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
