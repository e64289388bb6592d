//! Credentials, and where they go on a request.
//!
//! Static ones (an API key in a header, the query or a cookie; a bearer token; a user
//! and password) are sent as they are. Two kinds are traded for short-lived access
//! tokens, cached, renewed shortly before they expire and once more if the server
//! rejects one early: a refresh token (the API's own exchange) and OAuth2 client
//! credentials (the token URL the description gives).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;

/// How calls authenticate. `Debug` never prints the secret.
#[derive(Clone)]
pub struct Auth(pub(crate) Credentials);

#[derive(Clone)]
pub(crate) enum Credentials {
    None,
    ApiKey(String),
    RefreshToken(String),
    Bearer(String),
    Basic {
        user: String,
        password: String,
    },
    OAuthClient {
        id: String,
        secret: String,
        scopes: Vec<String>,
    },
}

impl Auth {
    /// An API key, sent on every call where the API's description says (a header,
    /// with its prefix; a query parameter; or a cookie).
    pub fn api_key(key: impl Into<String>) -> Auth {
        Auth(Credentials::ApiKey(key.into()))
    }

    /// A refresh token (for Label Studio: a personal access token), exchanged for
    /// short-lived access tokens that are sent as `Authorization: Bearer <access>`.
    pub fn refresh_token(token: impl Into<String>) -> Auth {
        Auth(Credentials::RefreshToken(token.into()))
    }

    /// A token sent as `Authorization: Bearer <token>` (HTTP bearer; also an OAuth2 or
    /// OpenID Connect access token obtained elsewhere).
    pub fn bearer(token: impl Into<String>) -> Auth {
        Auth(Credentials::Bearer(token.into()))
    }

    /// A user and password sent as HTTP basic authentication.
    pub fn basic(user: impl Into<String>, password: impl Into<String>) -> Auth {
        Auth(Credentials::Basic {
            user: user.into(),
            password: password.into(),
        })
    }

    /// OAuth2 client credentials, traded at the description's token URL for access
    /// tokens (cached and renewed as they expire). Ask for scopes with [`Auth::scopes`].
    pub fn client_credentials(client_id: impl Into<String>, client_secret: impl Into<String>) -> Auth {
        Auth(Credentials::OAuthClient {
            id: client_id.into(),
            secret: client_secret.into(),
            scopes: Vec::new(),
        })
    }

    /// The scopes to ask for with [`Auth::client_credentials`] (ignored otherwise).
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Auth {
        if let Credentials::OAuthClient { scopes: wanted, .. } = &mut self.0 {
            *wanted = scopes.into_iter().map(Into::into).collect();
        }
        self
    }

    /// No credentials, for public endpoints.
    pub fn none() -> Auth {
        Auth(Credentials::None)
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Credentials::None => f.write_str("Auth::None"),
            Credentials::ApiKey(_) => f.write_str("Auth::ApiKey(<redacted>)"),
            Credentials::RefreshToken(_) => f.write_str("Auth::RefreshToken(<redacted>)"),
            Credentials::Bearer(_) => f.write_str("Auth::Bearer(<redacted>)"),
            Credentials::Basic { user, .. } => write!(f, "Auth::Basic({user:?}, <redacted>)"),
            Credentials::OAuthClient { id, scopes, .. } => {
                write!(f, "Auth::ClientCredentials({id:?}, <redacted>, scopes: {scopes:?})")
            }
        }
    }
}

impl Credentials {
    /// Traded for access tokens (so a 401 may mean "renew", not "wrong").
    pub fn is_exchanged(&self) -> bool {
        matches!(self, Credentials::RefreshToken(_) | Credentials::OAuthClient { .. })
    }
}

/// `user:password` for an `Authorization: Basic` header.
pub(crate) fn basic_value(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// A cached access token and when to stop using it.
pub(crate) struct AccessToken {
    pub value: String,
    /// Renew at or after this time; `None` when the token does not say when it expires.
    pub renew_at: Option<SystemTime>,
}

/// Renew this long before the token's stated expiry, so it does not expire in flight.
const RENEW_MARGIN: Duration = Duration::from_secs(30);

impl AccessToken {
    /// A token whose lifetime is its JWT `exp`, or `expires_in` seconds from now (OAuth2).
    pub fn new(value: String, expires_in: Option<u64>) -> AccessToken {
        let expiry = jwt_expiry(&value)
            .or_else(|| expires_in.and_then(|secs| SystemTime::now().checked_add(Duration::from_secs(secs))));
        let renew_at = expiry.map(|exp| exp.checked_sub(RENEW_MARGIN).unwrap_or(exp));
        AccessToken { value, renew_at }
    }

    pub fn is_fresh(&self) -> bool {
        self.renew_at.is_none_or(|at| SystemTime::now() < at)
    }
}

/// The `exp` claim of a JWT, read without checking the signature (the server does that).
fn jwt_expiry(token: &str) -> Option<SystemTime> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_u64()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.sig", enc.encode(r#"{"alg":"HS256"}"#), enc.encode(claims))
    }

    #[test]
    fn expiry_is_read_from_the_exp_claim() {
        let token = AccessToken::new(jwt(r#"{"exp": 4102444800}"#), None); // 2100-01-01
        assert!(token.is_fresh());
        let token = AccessToken::new(jwt(r#"{"exp": 1000}"#), None);
        assert!(!token.is_fresh());
    }

    #[test]
    fn tokens_without_expiry_stay_fresh_until_rejected() {
        assert!(AccessToken::new("opaque".to_owned(), None).is_fresh());
    }

    #[test]
    fn an_oauth2_lifetime_shorter_than_the_margin_is_stale_at_once() {
        assert!(!AccessToken::new("opaque".to_owned(), Some(10)).is_fresh());
        assert!(AccessToken::new("opaque".to_owned(), Some(3600)).is_fresh());
    }

    #[test]
    fn debug_hides_the_secret() {
        let shown = format!(
            "{:?} {:?} {:?} {:?} {:?}",
            Auth::api_key("s3cr3t"),
            Auth::refresh_token("s3cr3t"),
            Auth::bearer("s3cr3t"),
            Auth::basic("ann", "s3cr3t"),
            Auth::client_credentials("app", "s3cr3t").scopes(["read"])
        );
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(
            shown.contains("ann") && shown.contains("app") && shown.contains("read"),
            "{shown}"
        );
    }
}
