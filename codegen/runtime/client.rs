//! The HTTP client: base URL, timeouts, auth headers, retries, and turning
//! replies into values or errors.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use tokio::sync::Mutex;

use super::auth::{AccessToken, Auth, Credentials};
use super::error::{ApiError, DecodeError, Error};
use super::hooks::{CallInfo, Middleware, Middlewares, ReplyInfo};
use super::reply::{DEFAULT_MAX_REPLY_SIZE, ReadFailure, Reading, Reply};
use super::response::RawResponse;
use super::stream::Framing;
use super::trace::{self, CallTrace};

/// The default per-request timeout; change it with [`ClientBuilder::timeout`].
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The whole-request timeout of a streamed call, which has none: longer than any stream
/// (tokio clamps it to its own far future).
const NO_DEADLINE: Duration = Duration::from_secs(u32::MAX as u64);

/// A connection to the API. Cheap to clone; clones share connections and tokens.
/// A generated crate wraps it in its own `Client`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    api: &'static super::ApiInfo,
    http: reqwest::Client,
    /// For calls carrying a credential in a header of its own: follows no redirect to
    /// another origin (see `redirect.rs`). `None` with the caller's own `http`.
    same_origin_http: Option<reqwest::Client>,
    base_url: String,
    auth: Credentials,
    /// `auth` as sent, when it is sent as it is.
    fixed_auth: Option<AuthPart>,
    access_token: Mutex<Option<AccessToken>>,
    timeout: Option<Duration>,
    /// `http` was built here with `timeout` as its own: requests need not carry it.
    timeout_in_http: bool,
    retry: Option<RetryPolicy>,
    /// The longest a whole call may take, retries and waits included.
    deadline: Option<Duration>,
    /// The longest reply read whole.
    max_reply_size: u64,
    middleware: Middlewares,
    #[cfg(feature = "blocking")]
    blocking: super::blocking::OwnRuntime,
    /// The mock server this client was made for (feature `mock`): where its builders'
    /// `returns` and `fails` mount their expectations.
    #[cfg(feature = "mock")]
    mock: Option<super::mock::Server>,
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

/// Sets up a `Client` (from `Client::builder`): timeout, retries, middleware, or your
/// own `reqwest::Client`.
#[must_use = "call `.build()` to get a client"]
pub struct ClientBuilder<C> {
    base_url: String,
    auth: Auth,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    deadline: Option<Duration>,
    max_reply_size: u64,
    middleware: Middlewares,
    #[cfg(feature = "mock")]
    mock: Option<super::mock::Server>,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("deadline", &self.deadline)
            .field("max_reply_size", &self.max_reply_size)
            .field("middleware", &self.middleware)
            .finish()
    }
}

impl<C: ApiClient> ClientBuilder<C> {
    /// Starts configuring a client for the API at `base_url`; `Client::builder` calls it.
    #[doc(hidden)]
    pub fn new(base_url: impl Into<String>, auth: Auth) -> Self {
        ClientBuilder {
            base_url: base_url.into(),
            auth,
            http: None,
            timeout: Some(DEFAULT_TIMEOUT),
            retry: None,
            deadline: None,
            max_reply_size: DEFAULT_MAX_REPLY_SIZE,
            middleware: Middlewares::default(),
            #[cfg(feature = "mock")]
            mock: None,
            client: PhantomData,
        }
    }

    /// The time each try of a call may take, from connecting to the last byte of the
    /// reply (default: 60 s). A retried call may take longer in all; see
    /// [`deadline`](Self::deadline) for a bound on the whole call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The time a whole call may take, every try and every wait between tries included
    /// (default: none; each try still has its [`timeout`](Self::timeout)). Past it, the
    /// call ends with [`Error::Timeout`]; a retry that could not finish in time is not
    /// started.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The longest reply a call reads (default: 256 MiB). A longer one ends the call
    /// with [`Error::TooLarge`] as soon as it shows (by its `Content-Length`, or as it
    /// arrives), the rest unread. Downloads with a `send_stream()` are not held in
    /// memory and have no limit.
    pub fn max_reply_size(mut self, bytes: u64) -> Self {
        self.max_reply_size = bytes;
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

    /// Runs `middleware` around every HTTP exchange (see [`Middleware`]); call it again
    /// to add more, which run in the order added.
    pub fn middleware(mut self, middleware: impl Middleware) -> Self {
        self.middleware.0.push(Arc::new(middleware));
        self
    }

    /// Sends through an existing `reqwest::Client` (proxies, TLS roots, connection pool).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// A client made by a generated crate's `MockServer`: its builders mock calls there.
    #[cfg(feature = "mock")]
    #[doc(hidden)]
    pub fn mock_server(mut self, server: super::mock::Server) -> Self {
        self.mock = Some(server);
        self
    }

    /// Checks the base URL and credentials against what the API supports.
    pub fn build(self) -> Result<C, Error> {
        self.build_for(C::API).map(C::from_runtime)
    }
}

impl<C> ClientBuilder<C> {
    fn build_for(self, api: &'static super::ApiInfo) -> Result<Client, Error> {
        let base_url = check_base_url(&self.base_url)?;
        let unsupported = match &self.auth.0 {
            Credentials::ApiKey(_) if api.api_key.is_none() => Some("API key authentication"),
            Credentials::RefreshToken(_) if api.token_exchange.is_none() => Some("a token exchange for refresh tokens"),
            Credentials::Bearer(_) if !api.bearer => Some("bearer tokens"),
            Credentials::Basic { .. } if !api.basic => Some("HTTP basic authentication"),
            Credentials::OAuthClient { .. } if api.token_url.is_none() => Some("an OAuth2 client-credentials flow"),
            _ => None,
        };
        if let Some(what) = unsupported {
            return Err(Error::Config(format!("this API describes no {what}")));
        }
        let timeout_in_http = self.http.is_none();
        let (http, same_origin_http) = match self.http {
            Some(http) => (http, None),
            None => {
                let builder = reqwest::Client::builder();
                let builder = match self.timeout {
                    Some(timeout) => builder.timeout(timeout),
                    None => builder,
                };
                let http = builder
                    .build()
                    .map_err(|e| Error::Config(format!("cannot create the HTTP client: {e}")))?;
                (http, Some(super::redirect::same_origin_client(self.timeout)?))
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                api,
                http,
                same_origin_http,
                base_url,
                fixed_auth: fixed_auth(api, &self.auth.0)?,
                auth: self.auth.0,
                access_token: Mutex::new(None),
                timeout: self.timeout,
                timeout_in_http,
                retry: self.retry,
                deadline: self.deadline,
                max_reply_size: self.max_reply_size,
                middleware: self.middleware,
                #[cfg(feature = "blocking")]
                blocking: Default::default(),
                #[cfg(feature = "mock")]
                mock: self.mock,
            }),
        })
    }
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

/// The request part of credentials that are sent as they are (keys, bearer tokens,
/// basic), made once when the client is built; `None` for none or exchanged ones.
fn fixed_auth(api: &super::ApiInfo, auth: &Credentials) -> Result<Option<AuthPart>, Error> {
    let (name, text) = match auth {
        Credentials::ApiKey(key) => match &api.api_key {
            Some(info) => {
                let text = format!("{}{key}", info.prefix);
                match info.location {
                    super::KeyLocation::Header => (info.name, text),
                    super::KeyLocation::Query => return Ok(Some(AuthPart::Query(info.name, text))),
                    super::KeyLocation::Cookie => (COOKIE.as_str(), format!("{}={text}", info.name)),
                }
            }
            None => return Ok(None),
        },
        Credentials::Bearer(token) => (AUTHORIZATION.as_str(), format!("Bearer {token}")),
        Credentials::Basic { user, password } => (AUTHORIZATION.as_str(), super::auth::basic_value(user, password)),
        Credentials::None | Credentials::RefreshToken(_) | Credentials::OAuthClient { .. } => return Ok(None),
    };
    header_part(name, &text).map(Some)
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
fn header_part(name: &'static str, text: &str) -> Result<AuthPart, Error> {
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

fn auth_error(e: Error) -> Error {
    Error::Auth(Box::new(e))
}

/// A token endpoint's reply as JSON, or the error it was.
fn token_reply(
    reply: RawResponse,
    operation: &'static str,
    method: &str,
    path: &str,
) -> Result<serde_json::Value, Error> {
    if !reply.status.is_success() {
        let error = ApiError::new(operation, method, path, reply.status, reply.headers, &reply.body);
        return Err(auth_error(Error::Api(Box::new(error))));
    }
    Ok(reply.json::<serde_json::Value>().map_err(auth_error)?.into_value())
}

/// The access token, or an error that neither keeps nor shows the reply (it holds
/// credentials).
fn missing_token(access: Option<&str>, operation: &'static str, path: &str) -> Result<String, Error> {
    access.map(str::to_owned).ok_or_else(|| {
        auth_error(Error::Decode(Box::new(DecodeError {
            operation,
            method: "POST".to_owned(),
            path: path.to_owned(),
            status: StatusCode::OK,
            headers: reqwest::header::HeaderMap::new(),
            json_path: "access token".to_owned(),
            message: "missing access token".to_owned(),
            body: Vec::new(),
        })))
    })
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
    pub(crate) fn own_runtime(&self) -> &super::blocking::OwnRuntime {
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
    async fn send_once(
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
    fn exchange<'a>(
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
    fn request_timeout(&self) -> Option<Duration> {
        self.inner.timeout.filter(|_| !self.inner.timeout_in_http)
    }

    /// The retry policy of a call, if another try is allowed: the policy has tries
    /// left, and repeating the call is harmless (see [`may_repeat`]).
    fn retry_policy<'a>(&'a self, retries: u32, spec: &'a RequestSpec) -> Option<&'a RetryPolicy> {
        let options = spec.options.as_ref();
        let policy = options.and_then(|o| o.retry.as_ref()).or(self.inner.retry.as_ref())?;
        (retries < policy.max_retries && may_repeat(policy, spec)).then_some(policy)
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
        if !policy.statuses.contains(&reply.status.as_u16()) {
            return None;
        }
        let retry_after = reply.headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok());
        match retry_after.and_then(parse_retry_after) {
            // The server said when; if that is longer than we are willing to wait, stop.
            Some(wait) if wait > policy.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(policy.backoff_for(retries)),
        }
    }

    /// Where the credentials go on a request, exchanging them for an access token first
    /// if that is their kind.
    async fn auth_part(&self) -> Result<Option<AuthPart>, Error> {
        if let Some(part) = &self.inner.fixed_auth {
            return Ok(Some(part.clone()));
        }
        let (name, text) = match &self.inner.auth {
            Credentials::RefreshToken(_) => {
                let scheme = self.inner.api.token_exchange.as_ref().map_or("Bearer", |t| t.scheme);
                (
                    AUTHORIZATION.as_str(),
                    format!("{scheme} {}", self.access_token_boxed().await?),
                )
            }
            Credentials::OAuthClient { .. } => (
                AUTHORIZATION.as_str(),
                format!("Bearer {}", self.access_token_boxed().await?),
            ),
            _ => return Ok(None),
        };
        header_part(name, &text).map(Some)
    }

    /// [`access_token`](Self::access_token) on the heap: its exchange is a request of its
    /// own, which would otherwise double the size of every call's future (copied on
    /// every call) for a path taken once per token.
    fn access_token_boxed(&self) -> Pin<Box<dyn Future<Output = Result<String, Error>> + Send + '_>> {
        Box::pin(self.access_token())
    }

    /// A fresh access token; one exchange at a time, shared by all concurrent calls.
    async fn access_token(&self) -> Result<String, Error> {
        let mut cached = self.inner.access_token.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| t.is_fresh()) {
            return Ok(token.value.clone());
        }
        let renewal = cached.is_some();
        let token = match &self.inner.auth {
            Credentials::RefreshToken(refresh) => self.exchange_refresh_token(refresh).await?,
            Credentials::OAuthClient { id, secret, scopes } => {
                self.client_credentials_token(id, secret, scopes).await?
            }
            _ => {
                return Err(Error::Config(
                    "these credentials are not exchanged for tokens".to_owned(),
                ));
            }
        };
        trace::token_obtained(renewal);
        let value = token.value.clone();
        *cached = Some(token);
        Ok(value)
    }

    /// The API's own exchange: `POST {request_field: refresh}` → `{response_field: access}`.
    async fn exchange_refresh_token(&self, refresh: &str) -> Result<AccessToken, Error> {
        let Some(info) = &self.inner.api.token_exchange else {
            return Err(Error::Config("no token exchange configured".to_owned()));
        };
        let body = super::to_json(&serde_json::json!({ info.request_field: refresh }))?;
        let spec = RequestSpec {
            operation: info.operation,
            method: Method::POST,
            template: info.path,
            path: info.path.to_owned(),
            query: super::Query::default(),
            headers: Vec::new(),
            credential_headers: false,
            honours_idempotency_key: false,
            body: Some(body),
            accept: "application/json",
            authenticated: false,
            options: None,
        };
        let reply = self.send_once(&spec, false, None, 1).await.map_err(auth_error)?;
        let reply = reply.into_raw(spec.operation, spec.method, spec.path, None);
        let json = token_reply(reply, info.operation, "POST", info.path)?;
        let access = json.get(info.response_field).and_then(serde_json::Value::as_str);
        Ok(AccessToken::new(
            missing_token(access, info.operation, info.path)?,
            None,
        ))
    }

    /// OAuth2's client-credentials grant (RFC 6749, 4.4): the client authenticates with
    /// HTTP basic at the token URL and gets `{access_token, expires_in}`.
    async fn client_credentials_token(&self, id: &str, secret: &str, scopes: &[String]) -> Result<AccessToken, Error> {
        const OPERATION: &str = "oauth2_client_credentials";
        let Some(token_url) = self.inner.api.token_url else {
            return Err(Error::Config("no OAuth2 token URL described".to_owned()));
        };
        let url = if token_url.starts_with("http://") || token_url.starts_with("https://") {
            token_url.to_owned()
        } else {
            format!("{}{token_url}", self.inner.base_url)
        };
        let mut form = vec![("grant_type", "client_credentials".to_owned())];
        if !scopes.is_empty() {
            form.push(("scope", scopes.join(" ")));
        }
        let mut request = self
            .inner
            .http
            .post(url)
            .basic_auth(id, Some(secret))
            .header(ACCEPT, "application/json")
            .form(&form);
        if let Some(timeout) = self.request_timeout() {
            request = request.timeout(timeout);
        }
        let transport = |e: reqwest::Error| Error::Transport {
            method: "POST".to_owned(),
            path: token_url.to_owned(),
            source: e.without_url(),
        };
        let call = CallInfo {
            operation: OPERATION,
            method: &Method::POST,
            path_template: token_url,
            attempt: 1,
            path: token_url,
        };
        let reply = self
            .exchange(
                &call,
                &self.inner.http,
                request,
                transport,
                Reading::Whole {
                    limit: self.inner.max_reply_size,
                },
            )
            .await
            .map_err(auth_error)?;
        let reply = reply.into_raw(OPERATION, Method::POST, token_url.to_owned(), None);
        let json = token_reply(reply, OPERATION, "POST", token_url)?;
        let access = json.get("access_token").and_then(serde_json::Value::as_str);
        let expires_in = json.get("expires_in").and_then(serde_json::Value::as_u64);
        Ok(AccessToken::new(
            missing_token(access, OPERATION, token_url)?,
            expires_in,
        ))
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

    /// A random wait up to the `initial` backoff doubled per retry, at most `max`
    /// ("full jitter": clients that failed together do not all retry together).
    fn backoff_for(&self, retries: u32) -> Duration {
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

/// Does waiting `delay` leave the call within its deadline?
fn in_time(delay: Duration, until: Option<Instant>) -> bool {
    until.is_none_or(|until| Instant::now() + delay < until)
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
