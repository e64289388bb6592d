//! Settings for one call, beside the client's: `builder.options(CallOptions::new()...)`.

use std::fmt;
use std::time::Duration;

use super::retry::RetryPolicy;

/// Per-call settings: a timeout, extra headers and query pairs, a retry policy, an
/// `Idempotency-Key`. Anything left unset follows the client.
#[derive(Clone, Default)]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) max_reply_size: Option<u64>,
}

impl CallOptions {
    /// No settings of its own: everything as the client says.
    pub fn new() -> CallOptions {
        CallOptions::default()
    }

    /// The time each try of this call may take, instead of the client's timeout.
    pub fn timeout(mut self, timeout: Duration) -> CallOptions {
        self.timeout = Some(timeout);
        self
    }

    /// The time this whole call may take, every try and wait included, instead of the
    /// client's deadline.
    pub fn deadline(mut self, deadline: Duration) -> CallOptions {
        self.deadline = Some(deadline);
        self
    }

    /// The longest reply this call reads, instead of the client's
    /// [`max_reply_size`](super::ClientBuilder::max_reply_size).
    pub fn max_reply_size(mut self, bytes: u64) -> CallOptions {
        self.max_reply_size = Some(bytes);
        self
    }

    /// An extra header (sent after the call's own; its value never shows in `Debug`).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> CallOptions {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// An extra query pair, after the call's own parameters (its value never shows in
    /// `Debug`).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> CallOptions {
        self.query.push((name.into(), value.into()));
        self
    }

    /// This call's retry policy, instead of the client's.
    pub fn retry(mut self, policy: RetryPolicy) -> CallOptions {
        self.retry = Some(policy);
        self
    }

    /// Sends `Idempotency-Key: key`. Where the server honours it (the description
    /// declares the header on the call, or the generator's config says the server does)
    /// it carries a request out at most once per key, so with a key a POST or PATCH is
    /// retried like a GET (when a retry policy applies); elsewhere it is only a header.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> CallOptions {
        self.idempotency_key = Some(key.into());
        self
    }
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: a header or query value may be a credential.
        let names = |pairs: &[(String, String)]| pairs.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>();
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("headers", &names(&self.headers))
            .field("query", &names(&self.query))
            .field("retry", &self.retry)
            .field("idempotency_key", &self.idempotency_key.as_ref().map(|_| "<set>"))
            .field("max_reply_size", &self.max_reply_size)
            .finish()
    }
}
