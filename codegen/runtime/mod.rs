//! The hand-written part of the client: HTTP, auth, retries, errors.
//!
//! Either its own crate (`openapi-typed-runtime`, compiled once however many APIs and
//! operations use it) or copied verbatim into a generated crate as `src/runtime/`
//! (`[crate] runtime` in `codegen.toml` decides); the code is the same. Generated code
//! reaches it only as `crate::runtime::*`, and gives it the API-specific facts (auth
//! header, token exchange) through [`ApiClient`]. The generated crate re-exports what
//! its callers use; the rest is for generated code only, hidden from the docs.

mod auth;
#[cfg(feature = "blocking")]
mod blocking;
mod body;
mod builder;
mod call;
mod client;
// Only APIs with downloads use it.
#[allow(dead_code)]
mod download;
mod encode;
mod error;
mod hooks;
mod invalid;
#[cfg(feature = "mock")]
#[doc(hidden)]
pub mod mock;
#[doc(hidden)]
pub mod nullable;
mod options;
#[cfg(feature = "blocking")]
mod own_runtime;
mod redirect;
mod reply;
mod response;
mod retry;
// Only APIs with streamed replies use most of it.
#[allow(dead_code)]
mod stream;
mod summary;
mod support;
mod token;
mod trace;
mod upload;
// Only APIs describing webhooks use it.
#[allow(dead_code)]
mod webhook;
// Which checks a crate uses depends on the limits its API documents.
#[allow(dead_code)]
#[doc(hidden)]
pub mod validate;

pub use auth::Auth;
#[cfg(feature = "blocking")]
pub use blocking::BlockingItems;
pub use body::{FilePart, Form};
#[allow(unused_imports)] // only APIs with form bodies use `Part`
#[doc(hidden)]
pub use body::{Part, RequestBody, in_memory_bytes, push_parts, push_styled_parts};
pub use builder::ClientBuilder;
#[doc(hidden)]
pub use call::Call;
#[doc(hidden)]
pub use client::{ApiClient, Client, RequestSpec};
#[allow(unused_imports)] // each API uses the styles its parameters have
#[doc(hidden)]
pub use encode::{Query, Spelling, Style, cookie_pairs, header_text, path_text};
pub use error::{ApiError, DecodeError, Error, ErrorBody};
pub use hooks::{BoxError, CallInfo, Middleware, ReplyInfo};
pub use invalid::{InvalidRequest, Violation};
pub use nullable::Nullable;
pub use options::CallOptions;
#[allow(unused_imports)] // for the runtime crate's own tests (tests/fuzz.rs)
#[doc(hidden)]
pub use response::LiveBody;
pub use response::Response;
#[doc(hidden)]
pub use response::{RawResponse, ValueOf};
pub use retry::RetryPolicy;
#[allow(unused_imports)] // only APIs with streamed replies use them
pub use stream::{Event, EventStream};
#[allow(unused_imports)] // only APIs with streamed replies use them
#[doc(hidden)]
pub use stream::{Framing, json_data, text_data};
#[allow(unused_imports)] // each API uses the helpers its types need
#[doc(hidden)]
pub use support::{Redacted, str_enum};
pub use upload::Upload;
#[allow(unused_imports)] // only APIs describing webhooks use them
pub use webhook::WebhookError;
#[allow(unused_imports)]
#[doc(hidden)]
pub use webhook::parse_webhook;
#[allow(unused_imports)] // only APIs with downloads use them
pub use {bytes::Bytes, download::ByteStream};

/// API facts the generator writes into its crate's [`ApiClient`] implementation.
#[doc(hidden)]
pub struct ApiInfo {
    pub api_key: Option<ApiKeyInfo>,
    /// `Authorization: Bearer` is described (HTTP bearer, OAuth2, OpenID Connect).
    pub bearer: bool,
    /// HTTP basic authentication is described.
    pub basic: bool,
    /// The token URL of an OAuth2 client-credentials flow.
    pub token_url: Option<&'static str>,
    pub token_exchange: Option<TokenExchangeInfo>,
    pub user_agent: &'static str,
}

/// An API key sent as `{prefix}{key}` in the header, query parameter or cookie `name`.
#[doc(hidden)]
pub struct ApiKeyInfo {
    pub location: KeyLocation,
    pub name: &'static str,
    pub prefix: &'static str,
}

#[allow(dead_code)] // each API uses the ones it describes
#[doc(hidden)]
pub enum KeyLocation {
    Header,
    Query,
    Cookie,
}

/// `POST path {request_field: refresh_token}` answers `{response_field: access_token}`.
#[doc(hidden)]
pub struct TokenExchangeInfo {
    /// The exchange's operationId.
    pub operation: &'static str,
    pub path: &'static str,
    pub request_field: &'static str,
    pub response_field: &'static str,
    pub scheme: &'static str,
}

/// Serializes a request body.
#[allow(dead_code)] // only APIs with JSON request bodies use it
#[doc(hidden)]
pub fn to_json<T: serde::Serialize>(body: &T) -> Result<RequestBody, Error> {
    let bytes = serde_json::to_vec(body).map_err(|e| Error::InvalidRequest(InvalidRequest::encoding(e.to_string())))?;
    Ok(RequestBody::in_memory(bytes.into(), "application/json"))
}

/// Serializes a request body object with `flags` set (a call's own `stream: true`).
#[allow(dead_code)] // only APIs with streamed calls use it
#[doc(hidden)]
pub fn to_json_with<T: serde::Serialize>(body: &T, flags: &[(&str, bool)]) -> Result<RequestBody, Error> {
    let encoding = |e: serde_json::Error| Error::InvalidRequest(InvalidRequest::encoding(e.to_string()));
    let mut value = serde_json::to_value(body).map_err(encoding)?;
    if let serde_json::Value::Object(fields) = &mut value {
        for (name, flag) in flags {
            fields.insert((*name).to_owned(), serde_json::Value::Bool(*flag));
        }
    }
    let bytes = serde_json::to_vec(&value).map_err(encoding)?;
    Ok(RequestBody::in_memory(bytes.into(), "application/json"))
}

/// A path or query parameter as text: strings and enums bare, numbers and booleans as JSON spells them.
#[allow(dead_code)] // only APIs with parameters use it
#[doc(hidden)]
pub fn param_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        // Written as serde_json writes it, without the formatting machinery.
        Ok(serde_json::Value::Number(number)) => serde_json::to_string(&number).unwrap_or_default(),
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// An array of scalars in one pair, its items joined by `delimiter` (`explode: false`).
#[allow(dead_code)] // only APIs with such parameters use it
#[doc(hidden)]
pub fn joined_text<T: serde::Serialize>(items: &[T], delimiter: &str) -> String {
    items.iter().map(param_text).collect::<Vec<_>>().join(delimiter)
}

/// A parameter sent as JSON text (`content: application/json`).
#[allow(dead_code)] // only APIs with such parameters use it
#[doc(hidden)]
pub fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Percent-encodes one path segment (a `/` in a value cannot change the path).
#[allow(dead_code)] // only APIs with path parameters use it
#[doc(hidden)]
pub fn path_segment(text: String) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    // Ids and most names need no escape: then the text is the segment as it is.
    let encoded = match std::borrow::Cow::from(percent_encoding::utf8_percent_encode(&text, SEGMENT)) {
        std::borrow::Cow::Owned(encoded) => Some(encoded),
        std::borrow::Cow::Borrowed(_) => None,
    };
    encoded.unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_text_spells_numbers_as_json_and_strings_bare() {
        assert_eq!(param_text(&42i64), "42");
        assert_eq!(param_text(&-1.5f64), "-1.5");
        assert_eq!(param_text(&1e21f64), serde_json::Value::from(1e21f64).to_string());
        assert_eq!(param_text(&true), "true");
        assert_eq!(param_text(&"a b"), "a b");
    }

    #[test]
    fn path_segment_escapes_what_would_change_the_path_and_keeps_the_rest() {
        assert_eq!(path_segment("42".to_owned()), "42");
        assert_eq!(path_segment("a-b.c_d~e".to_owned()), "a-b.c_d~e");
        assert_eq!(path_segment("a/b c?d".to_owned()), "a%2Fb%20c%3Fd");
        assert_eq!(path_segment("é".to_owned()), "%C3%A9");
    }
}
