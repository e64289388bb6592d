//! The HTTP client: sending a call (its tries, timeouts and deadline, auth headers,
//! middleware) and turning replies into values or errors. Setting one up is in
//! [`super::builder`], retry decisions in [`super::retry`], token exchanges in
//! [`super::token`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use tokio::sync::Mutex;

use super::auth::{AccessToken, Auth, Credentials};
use super::error::{ApiError, Error};
use super::hooks::{CallInfo, Middlewares, ReplyInfo};
use super::reply::{ReadFailure, Reading, Reply};
use super::response::RawResponse;
use super::retry::RetryPolicy;
use super::stream::Framing;
use super::trace::{self, CallTrace};

/// The whole-request timeout of a streamed call, which has none: longer than any stream
/// (tokio clamps it to its own far future).
const NO_DEADLINE: Duration = Duration::from_secs(u32::MAX as u64);

/// A connection to the API. Cheap to clone; clones share connections and tokens.
/// A generated crate wraps it in its own `Client`.
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) api: &'static super::ApiInfo,
    pub(super) http: reqwest::Client,
    /// For calls carrying a credential in a header of its own: follows no redirect to
    /// another origin (see `redirect.rs`). `None` with the caller's own `http`.
    pub(super) same_origin_http: Option<reqwest::Client>,
    pub(super) base_url: String,
    pub(super) auth: Credentials,
    /// `auth` as sent, when it is sent as it is.
    pub(super) fixed_auth: Option<AuthPart>,
    pub(super) access_token: Mutex<Option<AccessToken>>,
    pub(super) timeout: Option<Duration>,
    /// `http` was built here with `timeout` as its own: requests need not carry it.
    pub(super) timeout_in_http: bool,
    pub(super) retry: Option<RetryPolicy>,
    /// The longest a whole call may take, retries and waits included.
    pub(super) deadline: Option<Duration>,
    /// The longest reply read whole.
    pub(super) max_reply_size: u64,
    pub(super) middleware: Middlewares,
    #[cfg(feature = "blocking")]
    pub(super) blocking: super::own_runtime::OwnRuntime,
    /// The mock server this client was made for (feature `mock`): where its builders'
    /// `returns` and `fails` mount their expectations.
    #[cfg(feature = "mock")]
    pub(super) mock: Option<super::mock::Server>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &Auth(self.inner.auth.clone()))
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("deadline", &self.inner.deadline)
            .field("max_reply_size", &self.inner.max_reply_size)
            .field("middleware", &self.inner.middleware)
            .finish()
    }
}

/// A generated crate's client: its API's facts, and how it wraps this runtime's
/// [`Client`] (a type of its own, so that it can have the API's groups as methods).
pub trait ApiClient: Sized {
    /// What the runtime needs to know about the API.
    const API: &'static super::ApiInfo;

    /// Wraps a client built for this API.
    fn from_runtime(client: Client) -> Self;
}

/// The caller's extra headers and `Idempotency-Key`; a name or value HTTP refuses is a
/// config error naming the header (never its value, which may be a credential).
fn with_call_headers(
    mut request: reqwest::RequestBuilder,
    options: &super::CallOptions,
) -> Result<reqwest::RequestBuilder, Error> {
    let key = options.idempotency_key.as_ref().map(|k| ("Idempotency-Key", k));
    let extra = options.headers.iter().map(|(n, v)| (n.as_str(), v)).chain(key);
    for (name, value) in extra {
        let refused = || Error::Config(format!("the call option header `{name}` is not a valid HTTP header"));
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| refused())?;
        let mut value = HeaderValue::from_str(value).map_err(|_| refused())?;
        value.set_sensitive(true);
        request = request.header(name, value);
    }
    Ok(request)
}

/// The parameter whose value made a dot segment (`.`, `..`, or their escapes, which a
/// URL resolves away), named by the template's segment at that place.
fn dot_segment(spec: &RequestSpec) -> Option<String> {
    let is_dot = |s: &str| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
        )
    };
    let at = spec.path.split('/').position(is_dot)?;
    let template = spec.template.split('/').nth(at).unwrap_or("path");
    Some(template.trim_matches(|c| c == '{' || c == '}').to_owned())
}

/// The call's query pairs, then a query API key, then the caller's extra pairs, escaped.
fn query_string(spec: &RequestSpec, auth: Option<&AuthPart>, options: Option<&super::CallOptions>) -> String {
    let mut query = String::new();
    spec.query.encode_into(&mut query);
    let mut extra = super::Query::default();
    if let Some(AuthPart::Query(name, key)) = auth {
        extra.push((name, key.clone()));
    }
    for (name, value) in options.map(|o| o.query.as_slice()).unwrap_or_default() {
        extra.push_owned(name.clone(), value.clone());
    }
    extra.encode_into(&mut query);
    query
}

/// Header parameters and the credential header. Cookie parameters and a cookie API key
/// share one `Cookie` header (a server may read only the first).
fn with_headers(
    mut request: reqwest::RequestBuilder,
    headers: &[(&'static str, String)],
    auth: Option<AuthPart>,
) -> Result<reqwest::RequestBuilder, Error> {
    let mut cookies = None;
    for (name, value) in headers {
        match *name {
            "cookie" => cookies = Some(value),
            name => request = request.header(name, value),
        }
    }
    match (auth, cookies) {
        (Some(AuthPart::Header(name, key)), Some(cookies)) if name == COOKIE.as_str() => {
            let key = key.to_str().unwrap_or_default();
            let mut value = HeaderValue::from_str(&format!("{key}; {cookies}")).map_err(|_| {
                Error::Config("a cookie parameter holds characters not allowed in an HTTP header".to_owned())
            })?;
            value.set_sensitive(true);
            request = request.header(COOKIE, value);
        }
        (auth, cookies) => {
            if let Some(AuthPart::Header(name, value)) = auth {
                request = request.header(name, value);
            }
            if let Some(cookies) = cookies {
                request = request.header(COOKIE, cookies);
            }
        }
    }
    Ok(request)
}

/// A credential header, marked sensitive (left out of reqwest's and http's Debug).
pub(super) fn header_part(name: &'static str, text: &str) -> Result<AuthPart, Error> {
    let mut value = HeaderValue::from_str(text)
        .map_err(|_| Error::Config("the credentials contain characters not allowed in an HTTP header".to_owned()))?;
    value.set_sensitive(true);
    Ok(AuthPart::Header(name, value))
}

/// Where credentials go on a request.
#[derive(Clone)]
pub(crate) enum AuthPart {
    Header(&'static str, HeaderValue),
    Query(&'static str, String),
}

impl Client {
    /// The base URL calls go to, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The mock server this client was made for, if any (feature `mock`).
    #[cfg(feature = "mock")]
    pub(crate) fn mock_server(&self) -> Option<&super::mock::Server> {
        self.inner.mock.as_ref()
    }

    /// The runtime of `send_blocking()`.
    #[cfg(feature = "blocking")]
    pub(crate) fn own_runtime(&self) -> &super::own_runtime::OwnRuntime {
        &self.inner.blocking
    }

    /// Sends a request, authenticating and retrying as configured; with `live`, a
    /// success's body is left to arrive (a download's `send_stream()`; event streams
    /// always are). Takes the client
    /// (a shared handle) so that a call's future is this one alone.
    /// (An `async` block, not an `async fn`: its captures stay where they are, where an
    /// `async fn` would keep a second copy of its arguments in the future.)
    #[allow(clippy::manual_async_fn)] // on purpose, see above
    pub(crate) fn execute(
        self,
        spec: RequestSpec,
        live: bool,
    ) -> impl Future<Output = Result<RawResponse, Error>> + Send {
        async move {
            let call = CallTrace::start(spec.operation, &spec.method, spec.template);
            let mut attempts = 0;
            let deadline = spec.options.as_ref().and_then(|o| o.deadline).or(self.inner.deadline);
            let until = deadline.map(|d| Instant::now() + d);
            let tries = self.execute_tries(&spec, live, &mut attempts, until);
            let reply = match deadline {
                None => call.instrument(tries).await,
                Some(deadline) => match call.instrument(tokio::time::timeout(deadline, tries)).await {
                    Ok(reply) => reply,
                    Err(_) => Err(Error::Timeout {
                        method: spec.method.as_str().to_owned(),
                        path: spec.path.clone(),
                    }),
                },
            };
            let idle = self.call_timeout(&spec);
            // The request is done with: its path moves into the reply.
            let result = reply.map(|reply| reply.into_raw(spec.operation, spec.method, spec.path, idle));
            call.finish(attempts, &result);
            result
        }
    }

    /// Tries until a reply is final; `attempts` counts the requests sent. No retry starts
    /// that would wait past `until`.
    async fn execute_tries(
        &self,
        spec: &RequestSpec,
        live: bool,
        attempts: &mut u32,
        until: Option<Instant>,
    ) -> Result<Reply, Error> {
        let mut retries = 0;
        let mut renewed_token = false;
        loop {
            let auth = if spec.authenticated {
                self.auth_part().await?
            } else {
                None
            };
            let sent_token = match &auth {
                Some(AuthPart::Header(_, value)) => Some(value.clone()),
                _ => None,
            };
            *attempts += 1;
            let reply = match self.send_once(spec, live, auth, *attempts).await {
                Ok(reply) => reply,
                Err(error) => match self.failure_retry_delay(&error, retries, spec, until) {
                    Some(delay) => {
                        trace::retrying_after_failure(*attempts, delay);
                        tokio::time::sleep(delay).await;
                        retries += 1;
                        continue;
                    }
                    None => return Err(error),
                },
            };

            let rejected = reply.status == StatusCode::UNAUTHORIZED;
            if rejected && !renewed_token && self.inner.auth.is_exchanged() {
                // The access token expired early or was revoked: get a new one, once.
                trace::token_rejected();
                self.forget_access_token(sent_token.as_ref()).await;
                renewed_token = true;
                continue;
            }
            if let Some(delay) = self.retry_delay(&reply, retries, spec).filter(|d| in_time(*d, until)) {
                trace::retrying(reply.status, *attempts, delay);
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
    pub(super) async fn send_once(
        &self,
        spec: &RequestSpec,
        live: bool,
        auth: Option<AuthPart>,
        attempt: u32,
    ) -> Result<Reply, Error> {
        let method = spec.method.as_str();
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                Error::Timeout {
                    method: method.to_owned(),
                    path: spec.path.clone(),
                }
            } else if let Some(source) = super::upload::failure_in(&e) {
                Error::Io {
                    what: format!("{method} {}: reading the upload", spec.path),
                    source,
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
        if let Some(field) = dot_segment(spec) {
            let violation = super::Violation::DotSegment;
            return Err(Error::InvalidRequest(super::InvalidRequest::new(&field, violation)));
        }
        let mut url = reqwest::Url::parse(&format!("{}{}", self.inner.base_url, spec.path))
            .map_err(|e| Error::Config(format!("cannot build a URL for `{}`: {e}", spec.path)))?;
        let options = spec.options.as_ref();
        let query = query_string(spec, auth.as_ref(), options);
        if !query.is_empty() {
            url.set_query(Some(&query));
        }
        let guarded = super::redirect::carries_own_credential(spec.credential_headers, auth.as_ref(), options);
        let mut request = self
            .inner
            .http
            .request(spec.method.clone(), url)
            .header(ACCEPT, spec.accept)
            .header(USER_AGENT, self.inner.api.user_agent);
        request = with_headers(request, &spec.headers, auth)?;
        if let Some(options) = options {
            request = with_call_headers(request, options)?;
        }
        if let Some(body) = &spec.body {
            request = request
                .header(CONTENT_TYPE, &*body.content_type)
                .body(body.http_body()?);
        }
        let live = live || Framing::of(spec.accept).is_some();
        if live {
            // A stream may last as long as the server keeps sending: the timeout bounds
            // the wait for the headers and for each chunk (see `reply::read`), not the whole.
            request = request.timeout(NO_DEADLINE);
        } else if let Some(timeout) = options.and_then(|o| o.timeout).or(self.request_timeout()) {
            request = request.timeout(timeout);
        }
        let call = CallInfo {
            operation: spec.operation,
            method: &spec.method,
            path_template: spec.template,
            attempt,
            path: &spec.path,
        };
        let limit = options
            .and_then(|o| o.max_reply_size)
            .unwrap_or(self.inner.max_reply_size);
        let reading = match live {
            true => Reading::Live {
                wait: self.call_timeout(spec),
                limit,
            },
            false => Reading::Whole { limit },
        };
        let http = match &self.inner.same_origin_http {
            Some(same_origin) if guarded => same_origin,
            _ => &self.inner.http,
        };
        self.exchange(&call, http, request, transport, reading).await
    }

    /// The timeout of one call: its own, or the client's.
    fn call_timeout(&self, spec: &RequestSpec) -> Option<Duration> {
        spec.options.as_ref().and_then(|o| o.timeout).or(self.inner.timeout)
    }

    /// One request and its reply, with the middlewares around it.
    pub(super) fn exchange<'a>(
        &'a self,
        call: &'a CallInfo<'a>,
        http: &'a reqwest::Client,
        request: reqwest::RequestBuilder,
        transport: impl Fn(reqwest::Error) -> Error + Send + 'a,
        reading: Reading,
    ) -> impl Future<Output = Result<Reply, Error>> + Send + 'a {
        // Built and sent before the future: the future holds the reply's, not the request.
        let middleware = &self.inner.middleware;
        let sent = request.build().map_err(&transport).and_then(|mut request| {
            middleware.request(call, &mut request)?;
            let started = (!middleware.is_empty()).then(Instant::now);
            Ok((started, http.execute(request)))
        });
        async move {
            let (started, sent) = sent?;
            let result = super::reply::read(sent, reading)
                .await
                .map_err(|failure| match failure {
                    ReadFailure::Transport(e) => transport(e),
                    ReadFailure::TimedOut => Error::Timeout {
                        method: call.method.as_str().to_owned(),
                        path: call.path.to_owned(),
                    },
                    ReadFailure::TooLarge { status, limit } => Error::TooLarge {
                        operation: call.operation,
                        method: call.method.as_str().to_owned(),
                        path: call.path.to_owned(),
                        status,
                        limit,
                    },
                });
            let Some(started) = started else { return result };
            match &result {
                Ok(reply) => {
                    let info = ReplyInfo {
                        status: reply.status,
                        headers: &reply.headers,
                        body: &reply.body,
                        elapsed: started.elapsed(),
                    };
                    middleware.reply(call, Ok(&info));
                }
                Err(error) => middleware.reply(call, Err(error)),
            }
            result
        }
    }

    /// The timeout a request must carry itself: none when the HTTP client has it.
    pub(super) fn request_timeout(&self) -> Option<Duration> {
        self.inner.timeout.filter(|_| !self.inner.timeout_in_http)
    }

    /// The retry policy of a call, if another try is allowed: the policy has tries
    /// left, and repeating the call is harmless (see [`RetryPolicy::allows`]).
    fn retry_policy<'a>(&'a self, retries: u32, spec: &'a RequestSpec) -> Option<&'a RetryPolicy> {
        let options = spec.options.as_ref();
        let policy = options.and_then(|o| o.retry.as_ref()).or(self.inner.retry.as_ref())?;
        policy.allows(retries, spec).then_some(policy)
    }

    /// How long to wait before trying again after a connection failure or a timeout
    /// (the request may or may not have reached the server: only repeatable calls).
    fn failure_retry_delay(
        &self,
        error: &Error,
        retries: u32,
        spec: &RequestSpec,
        until: Option<Instant>,
    ) -> Option<Duration> {
        let failed_to_exchange = match error {
            Error::Timeout { .. } => true,
            Error::Transport { source, .. } => source.is_connect() || source.is_request() || source.is_timeout(),
            _ => false,
        };
        let policy = self.retry_policy(retries, spec).filter(|_| failed_to_exchange)?;
        Some(policy.backoff_for(retries)).filter(|d| in_time(*d, until))
    }

    /// How long to wait before retrying `reply`, if the policy allows another try.
    fn retry_delay(&self, reply: &Reply, retries: u32, spec: &RequestSpec) -> Option<Duration> {
        let policy = self.retry_policy(retries, spec)?;
        let retry_after = reply.headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok());
        policy.delay_after(reply.status, retry_after, retries)
    }
}

/// Does waiting `delay` leave the call within its deadline?
fn in_time(delay: Duration, until: Option<Instant>) -> bool {
    until.is_none_or(|until| Instant::now() + delay < until)
}

/// What generated code asks the client to send.
pub struct RequestSpec {
    /// The operationId, for errors and replies.
    pub operation: &'static str,
    pub method: Method,
    /// The description's path template, for tracing and middleware.
    pub template: &'static str,
    /// Path below the base URL, parameters already encoded, starting with `/`.
    pub path: String,
    pub query: super::Query,
    /// Header parameters.
    pub headers: Vec<(&'static str, String)>,
    /// One of `headers` holds a credential: no redirect to another origin is followed.
    pub credential_headers: bool,
    /// The server carries the call out at most once per `Idempotency-Key`.
    pub honours_idempotency_key: bool,
    pub body: Option<super::RequestBody>,
    /// The media type asked for.
    pub accept: &'static str,
    pub authenticated: bool,
    /// What the caller set for this call alone.
    pub options: Option<super::CallOptions>,
}
