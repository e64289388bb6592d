//! The hand-written part of the client: HTTP, auth, retries, errors.
//!
//! Copied verbatim from the generator's `codegen/runtime/` into every generated crate,
//! so the generated files stay short and this code is reviewed once. It reads the
//! API-specific facts (auth header, token exchange) from `crate::API`.

mod auth;
mod body;
mod client;
mod error;
pub(crate) mod nullable;
mod response;
mod summary;
// Which checks a crate uses depends on the limits its API documents.
#[allow(dead_code)]
pub(crate) mod validate;

pub use auth::Auth;
pub use body::FilePart;
#[allow(unused_imports)] // only APIs with form bodies use `Part`
pub(crate) use body::{Part, RequestBody};
pub(crate) use client::RequestSpec;
pub use client::{Client, ClientBuilder, RetryPolicy};
pub use error::{ApiError, DecodeError, Error, ErrorBody, InvalidRequest, Violation};
pub use nullable::Nullable;
pub use response::{Response, ValueOf};

/// API facts the generator writes into `crate::API`.
pub(crate) struct ApiInfo {
    pub api_key: Option<ApiKeyInfo>,
    pub token_exchange: Option<TokenExchangeInfo>,
    pub user_agent: &'static str,
}

/// An API key sent in a header as `{prefix}{key}`.
pub(crate) struct ApiKeyInfo {
    pub header: &'static str,
    pub prefix: &'static str,
}

/// `POST path {request_field: refresh_token}` answers `{response_field: access_token}`.
pub(crate) struct TokenExchangeInfo {
    /// The exchange's operationId.
    pub operation: &'static str,
    pub path: &'static str,
    pub request_field: &'static str,
    pub response_field: &'static str,
    pub scheme: &'static str,
}

/// Stands in for a secret in `Debug` output.
#[allow(dead_code)] // only APIs with sensitive fields use it
pub(crate) struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Serializes a request body.
#[allow(dead_code)] // only APIs with JSON request bodies use it
pub(crate) fn to_json<T: serde::Serialize>(body: &T) -> Result<RequestBody, Error> {
    let bytes = serde_json::to_vec(body).map_err(|e| Error::InvalidRequest(InvalidRequest::encoding(e.to_string())))?;
    Ok(RequestBody {
        bytes,
        content_type: "application/json".to_owned(),
    })
}

/// Decodes a string enum from the borrowed text: only a value the enum does not know
/// (kept in its catch-all variant) allocates.
#[allow(dead_code)] // only APIs with string enums use it
pub(crate) fn str_enum<'de, D, T>(deserializer: D, from: fn(&str) -> T) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Text<T>(fn(&str) -> T);

    impl<T> serde::de::Visitor<'_> for Text<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
            Ok((self.0)(text))
        }
    }

    deserializer.deserialize_str(Text(from))
}

/// A path or query parameter as text: strings and enums bare, numbers and booleans as JSON spells them.
#[allow(dead_code)] // only APIs with parameters use it
pub(crate) fn param_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// Percent-encodes one path segment (a `/` in a value cannot change the path).
#[allow(dead_code)] // only APIs with path parameters use it
pub(crate) fn path_segment(text: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, SEGMENT).to_string()
}
