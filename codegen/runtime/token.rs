//! Credentials that are exchanged for an access token (a refresh token, an OAuth2
//! client): where each request's auth goes, the exchange, and the cached token.

use std::future::Future;
use std::pin::Pin;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use reqwest::{Method, StatusCode};

use super::auth::{AccessToken, Credentials};
use super::client::{AuthPart, Client, RequestSpec, header_part};
use super::error::{ApiError, DecodeError, Error};
use super::hooks::CallInfo;
use super::reply::Reading;
use super::response::RawResponse;
use super::trace;

impl Client {
    /// Where the credentials go on a request, exchanging them for an access token first
    /// if that is their kind.
    pub(super) async fn auth_part(&self) -> Result<Option<AuthPart>, Error> {
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
    pub(super) async fn forget_access_token(&self, sent: Option<&HeaderValue>) {
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
