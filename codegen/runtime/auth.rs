//! Credentials, and turning them into an `Authorization` header.
//!
//! Two kinds: a static API key (sent on every call as the API's header and prefix),
//! or a long-lived refresh token exchanged for short-lived access tokens, which are
//! cached, renewed shortly before they expire, and renewed once more if the server
//! rejects one early.

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
}

impl Auth {
    /// An API key, sent on every call in the header the API describes
    /// (for Label Studio: `Authorization: Token <key>`, its legacy token).
    pub fn api_key(key: impl Into<String>) -> Auth {
        Auth(Credentials::ApiKey(key.into()))
    }

    /// A refresh token (for Label Studio: a personal access token), exchanged for
    /// short-lived access tokens that are sent as `Authorization: Bearer <access>`.
    pub fn refresh_token(token: impl Into<String>) -> Auth {
        Auth(Credentials::RefreshToken(token.into()))
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
        }
    }
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
    pub fn new(value: String) -> AccessToken {
        let renew_at = jwt_expiry(&value).map(|exp| exp.checked_sub(RENEW_MARGIN).unwrap_or(exp));
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
        let token = AccessToken::new(jwt(r#"{"exp": 4102444800}"#)); // 2100-01-01
        assert!(token.is_fresh());
        let token = AccessToken::new(jwt(r#"{"exp": 1000}"#));
        assert!(!token.is_fresh());
    }

    #[test]
    fn tokens_without_expiry_stay_fresh_until_rejected() {
        assert!(AccessToken::new("opaque".to_owned()).is_fresh());
    }

    #[test]
    fn debug_hides_the_secret() {
        let shown = format!("{:?} {:?}", Auth::api_key("s3cr3t"), Auth::refresh_token("s3cr3t"));
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}
