//! Tracing (feature `tracing`): a span per call and events for retries and token
//! renewals. Fields hold names, numbers and the path template only — never a
//! credential, a header value, a body, or a path's values (ids can be personal data).
//! Without the feature every function here is empty and compiles away.

use std::future::Future;
use std::time::Duration;

use reqwest::{Method, StatusCode};

use super::error::Error;
use super::response::RawResponse;

#[cfg(feature = "tracing")]
pub(crate) struct CallTrace {
    span: tracing::Span,
    started: std::time::Instant,
}

#[cfg(not(feature = "tracing"))]
pub(crate) struct CallTrace;

#[cfg(feature = "tracing")]
impl CallTrace {
    /// Opens the call's span: `api_call{operation, method, path}`.
    pub(crate) fn start(operation: &'static str, method: &Method, template: &str) -> CallTrace {
        use tracing::field::Empty;
        let span = tracing::info_span!(
            "api_call",
            operation,
            method = method.as_str(),
            path = template,
            status = Empty,
            attempts = Empty,
            latency_ms = Empty,
            error = Empty,
        );
        CallTrace {
            span,
            started: std::time::Instant::now(),
        }
    }

    /// Runs `work` inside the span, so events of retries and renewals belong to it.
    pub(crate) fn instrument<F: Future>(&self, work: F) -> impl Future<Output = F::Output> {
        tracing::Instrument::instrument(work, self.span.clone())
    }

    /// Records how the call ended: the last status, tries, time, and the error's kind.
    pub(crate) fn finish(&self, attempts: u32, result: &Result<RawResponse, Error>) {
        let span = &self.span;
        span.record("attempts", attempts);
        span.record("latency_ms", self.started.elapsed().as_millis() as u64);
        match result {
            Ok(reply) => {
                span.record("status", reply.status.as_u16());
            }
            Err(error) => {
                if let Some(status) = error.status() {
                    span.record("status", status.as_u16());
                }
                span.record("error", error_kind(error));
            }
        }
    }
}

#[cfg(not(feature = "tracing"))]
impl CallTrace {
    #[inline(always)]
    pub(crate) fn start(_: &'static str, _: &Method, _: &str) -> CallTrace {
        CallTrace
    }

    #[inline(always)]
    pub(crate) fn instrument<F: Future>(&self, work: F) -> impl Future<Output = F::Output> {
        work
    }

    #[inline(always)]
    pub(crate) fn finish(&self, _: u32, _: &Result<RawResponse, Error>) {}
}

/// A reply is retried after `wait`.
#[inline(always)]
pub(crate) fn retrying(status: StatusCode, attempt: u32, wait: Duration) {
    #[cfg(feature = "tracing")]
    tracing::info!(
        status = status.as_u16(),
        attempt,
        wait_ms = wait.as_millis() as u64,
        "retrying"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = (status, attempt, wait);
}

/// A try failed before a reply (no connection, a timeout); the call is tried again.
pub(crate) fn retrying_after_failure(attempt: u32, wait: Duration) {
    #[cfg(feature = "tracing")]
    tracing::info!(
        attempt,
        wait_ms = wait.as_millis() as u64,
        "retrying after a failed try"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = (attempt, wait);
}

/// The server refused the access token; it is renewed and the call tried once more.
#[inline(always)]
pub(crate) fn token_rejected() {
    #[cfg(feature = "tracing")]
    tracing::info!("access token rejected (401); renewing it");
}

/// A new access token was obtained (`renewal`: one was held before).
#[inline(always)]
pub(crate) fn token_obtained(renewal: bool) {
    #[cfg(feature = "tracing")]
    tracing::info!(renewal, "access token obtained");
    #[cfg(not(feature = "tracing"))]
    let _ = renewal;
}

/// The variant's name, for the span's `error` field (its message may quote the server).
#[cfg(feature = "tracing")]
fn error_kind(error: &Error) -> &'static str {
    match error {
        Error::InvalidRequest(_) => "invalid_request",
        Error::Config(_) => "config",
        Error::Timeout { .. } => "timeout",
        Error::Transport { .. } => "transport",
        Error::TooLarge { .. } => "too_large",
        Error::Io { .. } => "io",
        Error::Api(_) => "api",
        Error::Decode(_) => "decode",
        Error::Auth(_) => "auth",
        Error::Middleware { .. } => "middleware",
    }
}
