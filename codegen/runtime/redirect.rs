//! Redirects to another origin. reqwest follows them carrying every header but the few it
//! knows are credentials (`Authorization`, `Cookie`): a key in a header of its own
//! (`X-Api-Key`) would reach the other host. A call carrying one goes through a client
//! that stops at such a redirect instead; the redirect is then the call's reply.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, COOKIE};
use reqwest::redirect::{Action, Attempt, Policy};

use super::client::AuthPart;
use super::error::Error;

/// How many redirects a call follows, as reqwest's default policy.
const REDIRECTS_AT_MOST: usize = 10;

/// A client like the default one that follows redirects within an origin only.
pub(crate) fn same_origin_client(timeout: Option<Duration>) -> Result<reqwest::Client, Error> {
    let builder = reqwest::Client::builder().redirect(Policy::custom(same_origin_only));
    let builder = match timeout {
        Some(timeout) => builder.timeout(timeout),
        None => builder,
    };
    builder
        .build()
        .map_err(|e| Error::Config(format!("cannot create the HTTP client: {e}")))
}

fn same_origin_only(attempt: Attempt<'_>) -> Action {
    let from = attempt.previous().last().map(|url| url.origin());
    if attempt.previous().len() > REDIRECTS_AT_MOST {
        attempt.error("too many redirects")
    } else if from.is_some_and(|from| from != attempt.url().origin()) {
        attempt.stop()
    } else {
        attempt.follow()
    }
}

/// Does a request carry a credential reqwest would pass on to another origin: a header
/// parameter the description marks as one, a key in a header of its own, or a header
/// the caller added (which may be anything)?
pub(crate) fn carries_own_credential(
    credential_headers: bool,
    auth: Option<&AuthPart>,
    options: Option<&super::CallOptions>,
) -> bool {
    let stripped = |name: &str| {
        [AUTHORIZATION, COOKIE]
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h.as_str()))
    };
    let own_header = matches!(auth, Some(AuthPart::Header(name, _)) if !stripped(name));
    credential_headers || own_header || options.is_some_and(|o| !o.headers.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn only_credentials_reqwest_would_pass_on_keep_a_call_at_its_origin() {
        let key = || HeaderValue::from_static("k");
        assert!(carries_own_credential(
            false,
            Some(&AuthPart::Header("X-Api-Key", key())),
            None
        ));
        assert!(!carries_own_credential(
            false,
            Some(&AuthPart::Header("Authorization", key())),
            None
        ));
        assert!(!carries_own_credential(
            false,
            Some(&AuthPart::Header("cookie", key())),
            None
        ));
        assert!(!carries_own_credential(
            false,
            Some(&AuthPart::Query("api_key", "k".into())),
            None
        ));
        assert!(carries_own_credential(true, None, None));
        let options = super::super::CallOptions::new().header("X-Trace", "t");
        assert!(carries_own_credential(false, None, Some(&options)));
        assert!(!carries_own_credential(
            false,
            None,
            Some(&super::super::CallOptions::new())
        ));
    }
}
