//! Settings for one call, beside the client's: `builder.options(CallOptions::new()...)`.

use std::fmt;
use std::time::Duration;

use super::client::RetryPolicy;

/// Per-call settings: a timeout, extra headers and query pairs, a retry policy, an
/// `Idempotency-Key`. Anything left unset follows the client.
#[derive(Clone, Default)]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) idempotency_key: Option<String>,
}

impl CallOptions {
    /// No settings of its own: everything as the client says.
    pub fn new() -> CallOptions {
        CallOptions::default()
    }

    /// This call's timeout, instead of the client's.
    pub fn timeout(mut self, timeout: Duration) -> CallOptions {
        self.timeout = Some(timeout);
        self
    }

    /// An extra header (sent after the call's own; its value never shows in `Debug`).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> CallOptions {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// An extra query pair, after the call's own parameters.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> CallOptions {
        self.query.push((name.into(), value.into()));
        self
    }

    /// This call's retry policy, instead of the client's.
    pub fn retry(mut self, policy: RetryPolicy) -> CallOptions {
        self.retry = Some(policy);
        self
    }

    /// Sends `Idempotency-Key: key`. A server that honours it carries a request out at most
    /// once per key, so with a key a POST or PATCH is retried like a GET (when a retry
    /// policy applies).
    pub fn idempotency_key(mut self, key: impl Into<String>) -> CallOptions {
        self.idempotency_key = Some(key.into());
        self
    }
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("headers", &names)
            .field("query", &self.query)
            .field("retry", &self.retry)
            .field("idempotency_key", &self.idempotency_key.as_ref().map(|_| "<set>"))
            .finish()
    }
}
