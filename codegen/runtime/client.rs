//! The HTTP client: base URL, timeouts, auth headers, retries, and turning
//! replies into values or errors.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use tokio::sync::Mutex;

use super::auth::{AccessToken, Auth, Credentials};
use super::error::{ApiError, DecodeError, Error};
use super::response::RawResponse;

/// The default per-request timeout; change it with [`ClientBuilder::timeout`].
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection to the API. Cheap to clone; clones share connections and tokens.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    auth: Credentials,
    access_token: Mutex<Option<AccessToken>>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &Auth(self.inner.auth.clone()))
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish()
    }
}

/// Sets up a [`Client`]: timeout, retries, or your own `reqwest::Client`.
#[derive(Debug)]
#[must_use = "call `.build()` to get a client"]
pub struct ClientBuilder {
    base_url: String,
    auth: Auth,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
}

impl ClientBuilder {
    /// The time a whole call may take, from connecting to the last byte of the reply
    /// (default: 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Never time out (the `reqwest::Client`'s own timeout, if any, still applies).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Retries as `policy` says (off by default): by default GET, HEAD, PUT, DELETE
    /// and OPTIONS calls answered 429, 502, 503 or 504.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends through an existing `reqwest::Client` (proxies, TLS roots, connection pool).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the base URL and credentials against what the API supports.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = check_base_url(&self.base_url)?;
        match &self.auth.0 {
            Credentials::ApiKey(_) if crate::API.api_key.is_none() => {
                return Err(Error::Config("this API describes no API key authentication".to_owned()));
            }
            Credentials::RefreshToken(_) if crate::API.token_exchange.is_none() => {
                return Err(Error::Config(
                    "this API has no token exchange configured for refresh tokens".to_owned(),
                ));
            }
            _ => {}
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| Error::Config(format!("cannot create the HTTP client: {e}")))?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                auth: self.auth.0,
                access_token: Mutex::new(None),
                timeout: self.timeout,
                retry: self.retry,
            }),
        })
    }
}

/// Strips a trailing `/`, and refuses URLs that would leak or mangle requests.
fn check_base_url(raw: &str) -> Result<String, Error> {
    let url = reqwest::Url::parse(raw).map_err(|e| Error::Config(format!("base URL `{raw}`: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "base URL `{raw}`: the scheme must be http or https"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Printing such a URL in an error would print the password.
        return Err(Error::Config(
            "the base URL must not contain credentials; pass them as `Auth`".to_owned(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "base URL `{raw}`: must not have a query or fragment"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

impl Client {
    /// A client for the API at `base_url` (e.g. `http://localhost:8080`).
    pub fn new(base_url: impl Into<String>, auth: Auth) -> Result<Client, Error> {
        Client::builder(base_url, auth).build()
    }

    /// A client sending through an existing `reqwest::Client`.
    pub fn with_http_client(http: reqwest::Client, base_url: impl Into<String>, auth: Auth) -> Result<Client, Error> {
        Client::builder(base_url, auth).http_client(http).build()
    }

    /// Starts configuring a client.
    pub fn builder(base_url: impl Into<String>, auth: Auth) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            auth,
            http: None,
            timeout: Some(DEFAULT_TIMEOUT),
            retry: None,
        }
    }

    /// The base URL calls go to, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Sends a request, authenticating and retrying as configured.
    pub(crate) async fn execute(&self, spec: RequestSpec) -> Result<RawResponse, Error> {
        let mut retries = 0;
        let mut renewed_token = false;
        loop {
            let auth = if spec.authenticated {
                self.auth_header().await?
            } else {
                None
            };
            let sent_token = auth.as_ref().map(|(_, value)| value.clone());
            let reply = self.send_once(&spec, auth).await?;

            let rejected = reply.status == StatusCode::UNAUTHORIZED;
            if rejected && !renewed_token && matches!(self.inner.auth, Credentials::RefreshToken(_)) {
                // The access token expired early or was revoked: get a new one, once.
                self.forget_access_token(sent_token.as_ref()).await;
                renewed_token = true;
                continue;
            }
            if let Some(delay) = self.retry_delay(&reply, retries, &spec.method) {
                tokio::time::sleep(delay).await;
                retries += 1;
                continue;
            }
            if reply.status.is_success() {
                return Ok(reply);
            }
            return Err(Error::Api(Box::new(ApiError::new(
                spec.operation,
                spec.method.as_str(),
                &spec.path,
                reply.status,
                reply.headers,
                &reply.body,
            ))));
        }
    }

    /// One HTTP exchange, no retries. Transport failures and timeouts are errors;
    /// any status is a reply.
    async fn send_once(
        &self,
        spec: &RequestSpec,
        auth: Option<(&'static str, HeaderValue)>,
    ) -> Result<RawResponse, Error> {
        let method = spec.method.as_str();
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                Error::Timeout {
                    method: method.to_owned(),
                    path: spec.path.clone(),
                }
            } else {
                // The URL is left out: the path is already in the message.
                Error::Transport {
                    method: method.to_owned(),
                    path: spec.path.clone(),
                    source: e.without_url(),
                }
            }
        };
        let mut url = reqwest::Url::parse(&format!("{}{}", self.inner.base_url, spec.path))
            .map_err(|e| Error::Config(format!("cannot build a URL for `{}`: {e}", spec.path)))?;
        if !spec.query.is_empty() {
            url.query_pairs_mut().extend_pairs(spec.query.pairs());
        }
        let mut request = self
            .inner
            .http
            .request(spec.method.clone(), url)
            .header(ACCEPT, spec.accept)
            .header(USER_AGENT, crate::API.user_agent);
        for (name, value) in &spec.headers {
            request = request.header(*name, value);
        }
        if let Some((name, value)) = auth {
            request = request.header(name, value);
        }
        if let Some(body) = &spec.body {
            request = request
                .header(CONTENT_TYPE, body.content_type.as_str())
                .body(body.bytes.clone());
        }
        if let Some(timeout) = self.inner.timeout {
            request = request.timeout(timeout);
        }
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await.map_err(transport)?.to_vec();
        Ok(RawResponse {
            operation: spec.operation,
            method: method.to_owned(),
            path: spec.path.clone(),
            status,
            headers,
            body,
        })
    }

    /// How long to wait before retrying `reply`, if the policy allows another try.
    fn retry_delay(&self, reply: &RawResponse, retries: u32, method: &Method) -> Option<Duration> {
        let policy = self.inner.retry.as_ref()?;
        if !policy.statuses.contains(&reply.status.as_u16()) || retries >= policy.max_retries {
            return None;
        }
        if !(policy.non_idempotent || is_idempotent(method)) {
            return None; // a POST or PATCH may have been carried out already
        }
        let retry_after = reply.headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok());
        match retry_after.and_then(parse_retry_after) {
            // The server said when; if that is longer than we are willing to wait, stop.
            Some(wait) if wait > policy.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(policy.backoff_for(retries)),
        }
    }

    /// The header carrying the credentials, exchanging the refresh token if needed.
    async fn auth_header(&self) -> Result<Option<(&'static str, HeaderValue)>, Error> {
        let (name, text) = match &self.inner.auth {
            Credentials::None => return Ok(None),
            Credentials::ApiKey(key) => match &crate::API.api_key {
                Some(info) => (info.header, format!("{}{key}", info.prefix)),
                None => return Ok(None),
            },
            Credentials::RefreshToken(refresh) => match &crate::API.token_exchange {
                Some(info) => (
                    AUTHORIZATION.as_str(),
                    format!("{} {}", info.scheme, self.access_token(refresh).await?),
                ),
                None => return Ok(None),
            },
        };
        let mut value = HeaderValue::from_str(&text).map_err(|_| {
            Error::Config("the credentials contain characters not allowed in an HTTP header".to_owned())
        })?;
        value.set_sensitive(true);
        Ok(Some((name, value)))
    }

    /// A fresh access token; one exchange at a time, shared by all concurrent calls.
    async fn access_token(&self, refresh: &str) -> Result<String, Error> {
        let mut cached = self.inner.access_token.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| t.is_fresh()) {
            return Ok(token.value.clone());
        }
        let Some(info) = &crate::API.token_exchange else {
            return Err(Error::Config("no token exchange configured".to_owned()));
        };
        let body = super::to_json(&serde_json::json!({ info.request_field: refresh }))?;
        let spec = RequestSpec {
            operation: info.operation,
            method: Method::POST,
            path: info.path.to_owned(),
            query: super::Query::default(),
            headers: Vec::new(),
            body: Some(body),
            accept: "application/json",
            authenticated: false,
        };
        let auth_error = |e: Error| Error::Auth(Box::new(e));
        let reply = self.send_once(&spec, None).await.map_err(auth_error)?;
        if !reply.status.is_success() {
            let error = ApiError::new(
                info.operation,
                "POST",
                info.path,
                reply.status,
                reply.headers,
                &reply.body,
            );
            return Err(auth_error(Error::Api(Box::new(error))));
        }
        let (status, headers) = (reply.status, reply.headers.clone());
        let json = reply.json::<serde_json::Value>().map_err(auth_error)?.into_value();
        let Some(access) = json.get(info.response_field).and_then(serde_json::Value::as_str) else {
            return Err(auth_error(Error::Decode(Box::new(DecodeError {
                operation: info.operation,
                method: "POST".to_owned(),
                path: info.path.to_owned(),
                status,
                headers,
                json_path: info.response_field.to_owned(),
                // The reply holds credentials: neither it nor its body is kept.
                message: "missing access token".to_owned(),
                body: Vec::new(),
            }))));
        };
        let token = AccessToken::new(access.to_owned());
        let value = token.value.clone();
        *cached = Some(token);
        Ok(value)
    }

    /// Drops the cached access token, unless another call already replaced it.
    async fn forget_access_token(&self, sent: Option<&HeaderValue>) {
        let mut cached = self.inner.access_token.lock().await;
        let same = match (cached.as_ref(), sent.and_then(|v| v.to_str().ok())) {
            (Some(token), Some(sent)) => sent.ends_with(&token.value),
            _ => true,
        };
        if same {
            *cached = None;
        }
    }
}

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

    fn backoff_for(&self, retries: u32) -> Duration {
        let factor = 2u32.saturating_pow(retries.min(16));
        self.initial_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

/// Methods a server may receive twice with the effect of once.
fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// What generated code asks the client to send.
pub(crate) struct RequestSpec {
    /// The operationId, for errors and replies.
    pub operation: &'static str,
    pub method: Method,
    /// Path below the base URL, parameters already encoded, starting with `/`.
    pub path: String,
    pub query: super::Query,
    /// Header parameters.
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<super::RequestBody>,
    /// The media type asked for.
    pub accept: &'static str,
    pub authenticated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_loses_trailing_slash_and_refuses_credentials() {
        assert_eq!(check_base_url("http://h:1/api/").unwrap(), "http://h:1/api");
        let err = check_base_url("http://user:pw@h").unwrap_err().to_string();
        assert!(!err.contains("pw"), "{err}");
        assert!(check_base_url("ftp://h").is_err());
        assert!(check_base_url("not a url").is_err());
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy::new(5).backoff(Duration::from_millis(100), Duration::from_millis(350));
        let waits: Vec<u128> = (0..4).map(|n| policy.backoff_for(n).as_millis()).collect();
        assert_eq!(waits, [100, 200, 350, 350]);
    }
}
