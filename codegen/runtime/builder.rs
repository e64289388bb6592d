//! Setting a client up: `Client::builder` and what `build()` checks (the base URL, and
//! that the API supports the credentials given).

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, COOKIE};
use tokio::sync::Mutex;

use super::auth::{Auth, Credentials};
use super::client::{ApiClient, AuthPart, Client, Inner, header_part};
use super::error::Error;
use super::hooks::{Middleware, Middlewares};
use super::reply::DEFAULT_MAX_REPLY_SIZE;
use super::retry::RetryPolicy;

/// The default per-request timeout; change it with [`ClientBuilder::timeout`].
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

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
}
