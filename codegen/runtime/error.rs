//! The one error type every call returns, and what it carries.
//!
//! Nothing here prints a token, an auth header or a response body that could hold
//! secrets: bodies of successful replies are kept out of `Display` and `Debug`.

use std::collections::BTreeMap;
use std::fmt;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};

use super::invalid::InvalidRequest;
use super::summary;

/// Why a call failed. Match on the variant; each says what went wrong and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request broke a limit the API documents; nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(#[from] InvalidRequest),
    /// The client was set up wrongly (base URL, auth); nothing was sent.
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// No complete reply arrived within the configured timeout.
    #[error("{method} {path} timed out")]
    Timeout {
        /// HTTP method of the call.
        method: String,
        /// Path of the call, without the base URL.
        path: String,
    },
    /// The request could not be sent or the reply could not be read (DNS, TLS, connection).
    #[error("{method} {path} failed: {source}")]
    Transport {
        /// HTTP method of the call.
        method: String,
        /// Path of the call, without the base URL.
        path: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The reply was longer than the client reads
    /// ([`max_reply_size`](super::ClientBuilder::max_reply_size), or the call's own): the
    /// rest was not read.
    #[error(
        "{method} {path} (operation `{operation}`): the reply ({status}) is longer than the limit of {limit} bytes; \
         the rest was not read (raise `max_reply_size`, or stream the reply with `send_stream()` where the call has one)"
    )]
    TooLarge {
        /// The operationId of the call.
        operation: &'static str,
        /// HTTP method of the call.
        method: String,
        /// Path of the call, without the base URL.
        path: String,
        /// The reply's status.
        status: StatusCode,
        /// The limit, in bytes.
        limit: u64,
    },
    /// Reading or writing a local file or stream failed: an upload's source, a
    /// download's destination.
    #[error("{what}: {source}")]
    Io {
        /// What was being done, and to which file.
        what: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The server answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The request succeeded, but its reply did not match the type the API documents.
    /// Do not retry it blindly: the server has done what was asked.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// Getting an access token failed; the cause is the token exchange's own error.
    #[error("could not get an access token: {0}")]
    Auth(Box<Error>),
    /// A [`Middleware`](super::Middleware) stopped the request; nothing was sent.
    #[error("{method} {path} stopped by a middleware: {source}")]
    Middleware {
        /// HTTP method of the call.
        method: String,
        /// Path of the call, without the base URL.
        path: String,
        /// What the middleware returned.
        #[source]
        source: super::BoxError,
    },
}

impl Error {
    /// The operationId of the call, for errors that came with a reply.
    pub fn operation_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => Some(e.operation),
            Error::Decode(e) => Some(e.operation),
            Error::TooLarge { operation, .. } => Some(operation),
            _ => None,
        }
    }

    /// The HTTP status, for errors that came with one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::TooLarge { status, .. } => Some(*status),
            Error::Auth(inner) => inner.status(),
            _ => None,
        }
    }

    /// The server's error reply, if this is one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }
}

/// An error status from the server, with its reply.
///
/// `Display` and `Debug` summarise the reply (the envelope's `detail` and field errors,
/// an HTML page's title, the start of a text body) and never print the whole body.
#[derive(Clone)]
pub struct ApiError {
    pub(crate) operation: &'static str,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) size: usize,
    pub(crate) body: ErrorBody,
}

/// The body of an error reply.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ErrorBody {
    /// A JSON reply (for Label Studio and other Django REST Framework APIs, an error envelope).
    Json(serde_json::Value),
    /// Any other reply, as text (routing 404s are often HTML pages).
    Text(String),
    /// No body at all.
    Empty,
}

impl ApiError {
    /// An error reply as the client reads it (for the client, and the runtime's fuzz tests).
    #[doc(hidden)]
    pub fn new(
        operation: &'static str,
        method: &str,
        path: &str,
        status: StatusCode,
        headers: HeaderMap,
        body: &[u8],
    ) -> Self {
        let parsed = if body.iter().all(u8::is_ascii_whitespace) {
            ErrorBody::Empty
        } else {
            match serde_json::from_slice(body) {
                Ok(json) => ErrorBody::Json(json),
                Err(_) => ErrorBody::Text(String::from_utf8_lossy(body).into_owned()),
            }
        };
        ApiError {
            operation,
            method: method.to_owned(),
            path: path.to_owned(),
            status,
            headers,
            size: body.len(),
            body: parsed,
        }
    }

    /// The operationId of the failed call (`api_projects_create`).
    pub fn operation_id(&self) -> &str {
        self.operation
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The HTTP method of the failed call.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path of the failed call, without the base URL.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The reply's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The reply's `Content-Type`.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// The reply body: parsed JSON where it was JSON, else text.
    pub fn body(&self) -> &ErrorBody {
        &self.body
    }

    /// What the reply says, in one line: the envelope's `detail` and field errors, an
    /// HTML page's exception or title, or the start of a text body.
    pub fn summary(&self) -> String {
        match &self.body {
            ErrorBody::Json(json) => {
                let mut parts: Vec<String> = self.detail().map(str::to_owned).into_iter().collect();
                for (field, messages) in self.validation_errors() {
                    let field = if field.is_empty() { "(body)".to_owned() } else { field };
                    parts.push(format!("{field}: {}", messages.join(" ")));
                }
                match parts.is_empty() {
                    true => summary::text(&json.to_string()),
                    false => summary::shorten(&parts.join("; ")),
                }
            }
            ErrorBody::Text(text) if summary::is_html(self.content_type(), text) => summary::html(text),
            ErrorBody::Text(text) => summary::text(text),
            ErrorBody::Empty => String::new(),
        }
    }
    /// The JSON body decoded as `T` (an error type the API documents), if it is one.
    pub fn body_as<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        match &self.body {
            ErrorBody::Json(json) => T::deserialize(json).ok(),
            _ => None,
        }
    }

    /// The envelope's `detail` message (`"Not found."`, `"Validation error"`).
    pub fn detail(&self) -> Option<&str> {
        match &self.body {
            ErrorBody::Json(json) => json.get("detail").and_then(serde_json::Value::as_str),
            _ => None,
        }
    }

    /// Messages per field: the envelope's `validation_errors`, or Django REST
    /// Framework's plain `{field: [messages]}`. Nested fields are joined with dots.
    pub fn validation_errors(&self) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::new();
        let ErrorBody::Json(json) = &self.body else { return out };
        match json.get("validation_errors") {
            Some(errors) => collect_messages("", errors, &mut out),
            None if json.get("detail").is_none() => collect_messages("", json, &mut out),
            None => {}
        }
        out
    }
}

fn collect_messages(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, Vec<String>>) {
    use serde_json::Value;
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect_messages(&key(k), v, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(message) => out.entry(prefix.to_owned()).or_default().push(message.clone()),
                    other => collect_messages(&key(&i.to_string()), other, out),
                }
            }
        }
        Value::String(message) => out.entry(prefix.to_owned()).or_default().push(message.clone()),
        _ => {}
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} answered {}", self.method, self.path, self.status)?;
        let summary = self.summary();
        if !summary.is_empty() {
            write!(f, ": {summary}")?;
        }
        if let ErrorBody::Text(_) = &self.body {
            let kind = self.content_type().map_or("text".into(), summary::shorten);
            write!(f, " ({kind}, {} bytes)", self.size)?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("status", &self.status)
            .field("content_type", &self.content_type().map(summary::shorten))
            .field("body_len", &self.size)
            .field("summary", &self.summary())
            .finish()
    }
}

impl std::error::Error for ApiError {}

/// A reply with a success status that did not decode into the documented type.
///
/// The request itself succeeded: whatever it asked for (a create, say) happened, so
/// sending it again may do it twice. The raw reply stays reachable ([`body`](Self::body),
/// [`headers`](Self::headers)) to read what the server sent.
pub struct DecodeError {
    pub(crate) operation: &'static str,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) json_path: String,
    pub(crate) message: String,
    pub(crate) body: Vec<u8>,
}

impl DecodeError {
    /// Where in the reply decoding failed, e.g. `results[3].created_at` (`.` for the root).
    pub fn json_path(&self) -> &str {
        &self.json_path
    }

    /// What was wrong there.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The raw reply. Not shown by `Display` or `Debug`: it may hold secrets.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The HTTP status of the reply (a success).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The reply's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The operationId of the call (`api_projects_create`).
    pub fn operation_id(&self) -> &str {
        self.operation
    }

    /// The HTTP method of the call whose reply did not decode.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path of the call whose reply did not decode, without the base URL.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The server's header, however long: shortened like any text it sends.
        let content_type = self.content_type().map_or("no content type".into(), summary::shorten);
        write!(
            f,
            "{} {} succeeded ({}), but its reply ({content_type}, {} bytes) does not decode at `{}`: {}; \
             the request was carried out, so do not simply send it again",
            self.method,
            self.path,
            self.status,
            self.body.len(),
            self.json_path,
            self.message
        )
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("status", &self.status)
            .field("content_type", &self.content_type().map(summary::shorten))
            .field("json_path", &self.json_path)
            .field("message", &self.message)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl std::error::Error for DecodeError {}
