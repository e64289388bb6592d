//! When a call is tried again, and how long the client waits first.

use std::time::{Duration, SystemTime};

use reqwest::{Method, StatusCode};

use super::client::RequestSpec;

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value.trim()).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// Which replies to retry, how often, and how long to wait in between.
///
/// By default, calls whose method is idempotent (GET, HEAD, PUT, DELETE, OPTIONS) are
/// retried when answered 429, 502, 503 or 504. POST and PATCH calls are not: the server
/// may have carried one out before failing, and sending it again could create a thing
/// twice. Opt in with [`non_idempotent`](Self::non_idempotent) where that is safe.
///
/// A `Retry-After` header is honoured exactly, up to `max_retry_after`; a server asking
/// for a longer wait gets its error returned instead. Without the header, waits grow
/// exponentially from `initial_backoff` up to `max_backoff`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    statuses: Vec<u16>,
    non_idempotent: bool,
}

impl Default for RetryPolicy {
    /// 3 retries of idempotent calls on 429, 502, 503 and 504; backoff 0.5 s doubling to
    /// 8 s; `Retry-After` honoured up to 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            statuses: vec![429, 502, 503, 504],
            non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// The default policy with `max_retries` retries.
    pub fn new(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            ..RetryPolicy::default()
        }
    }

    /// Waits without a `Retry-After`: `initial`, doubling each time, at most `max`.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// The longest `Retry-After` to wait for.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// The statuses to retry, instead of 429, 502, 503 and 504.
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// Also retry `status` (500, say, for a server that fails under load).
    pub fn retry_status(mut self, status: u16) -> Self {
        if !self.statuses.contains(&status) {
            self.statuses.push(status);
        }
        self
    }

    /// Also retry POST and PATCH calls (off by default). Only for APIs where repeating
    /// one is harmless: a create that failed after the server stored it is created again.
    pub fn non_idempotent(mut self, retry: bool) -> Self {
        self.non_idempotent = retry;
        self
    }

    /// A random wait up to the `initial` backoff doubled per retry, at most `max`
    /// ("full jitter": clients that failed together do not all retry together).
    pub(super) fn backoff_for(&self, retries: u32) -> Duration {
        self.backoff_cap(retries).mul_f64(random_fraction())
    }

    fn backoff_cap(&self, retries: u32) -> Duration {
        let factor = 2u32.saturating_pow(retries.min(16));
        self.initial_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

/// A number in `[0, 1)`, different at each call: `RandomState` gets fresh random keys
/// each time, which is randomness enough to spread retries without an RNG crate.
fn random_fraction() -> f64 {
    (super::support::random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

impl RetryPolicy {
    /// Whether a call already retried `retries` times may be sent again: tries are left,
    /// and repeating it is harmless.
    pub(super) fn allows(&self, retries: u32, spec: &RequestSpec) -> bool {
        retries < self.max_retries && may_repeat(self, spec)
    }

    /// How long to wait before retrying a reply with `status` (and its `Retry-After`
    /// header, if any); `None` when this reply is not retried.
    pub(super) fn delay_after(&self, status: StatusCode, retry_after: Option<&str>, retries: u32) -> Option<Duration> {
        if !self.statuses.contains(&status.as_u16()) {
            return None;
        }
        match retry_after.and_then(parse_retry_after) {
            // The server said when; if that is longer than we are willing to wait, stop.
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff_for(retries)),
        }
    }
}

/// May a call be sent again? A POST or PATCH may have been carried out already, unless
/// the policy says repeating is harmless, or the call carries an `Idempotency-Key` the
/// server honours (it carries a request out at most once per key).
fn may_repeat(policy: &RetryPolicy, spec: &RequestSpec) -> bool {
    let key_option = spec.options.as_ref().is_some_and(|o| o.idempotency_key.is_some());
    let key_param = spec
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("idempotency-key"));
    let keyed = spec.honours_idempotency_key && (key_option || key_param);
    // A body with a stream in it can be sent only once.
    let repeatable_body = spec.body.as_ref().is_none_or(|body| body.is_repeatable());
    repeatable_body && (policy.non_idempotent || keyed || is_idempotent(&spec.method))
}

/// Methods a server may receive twice with the effect of once.
fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn backoff_is_random_up_to_a_cap_doubling_per_retry() {
        let policy = RetryPolicy::new(5).backoff(Duration::from_millis(100), Duration::from_millis(350));
        let caps: Vec<u128> = (0..4).map(|n| policy.backoff_cap(n).as_millis()).collect();
        assert_eq!(caps, [100, 200, 350, 350]);
        for retries in 0..4 {
            let cap = policy.backoff_cap(retries);
            let waits: Vec<Duration> = (0..200).map(|_| policy.backoff_for(retries)).collect();
            assert!(waits.iter().all(|w| *w <= cap), "{waits:?} over {cap:?}");
            // Spread over the whole range, not one fixed wait.
            assert!(waits.iter().any(|w| *w < cap / 4) && waits.iter().any(|w| *w > cap * 3 / 4));
        }
    }
}
