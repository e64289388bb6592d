//! Replies: the raw exchange as it arrived, and decoded values that keep it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use super::download::ByteStream;
use super::error::{DecodeError, Error};
use super::stream::{self, DecodeData, EventStream, Framing, StreamOrigin};
use super::support::elide_quoted;

/// A decoded reply with what the server sent: status, headers and the raw body.
/// Every builder's `send_with_response()` returns one; `send()` returns just the value.
pub struct Response<T> {
    value: T,
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl<T> Response<T> {
    /// The decoded value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The decoded value, dropping the rest.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The HTTP status (a success).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The reply's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body exactly as it arrived (empty for a reply without one).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The operationId of the call (`api_projects_create`).
    pub fn operation_id(&self) -> &str {
        self.operation
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values (cookies) and the body may hold secrets: names and size only.
        let names: Vec<&str> = self.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("Response")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .field("value", &self.value)
            .finish()
    }
}

pin_project_lite::pin_project! {
    /// What every builder's `send()` returns: the future of its `send_with_response()`,
    /// keeping only the value. A plain wrapper rather than a second `async fn` per call,
    /// which would double the state machines the compiler builds for a crate.
    #[must_use = "nothing is sent until the future is awaited"]
    pub struct ValueOf<F> {
        #[pin]
        reply: F,
    }
}

impl<F> ValueOf<F> {
    pub fn new(reply: F) -> Self {
        ValueOf { reply }
    }
}

impl<F, T> Future for ValueOf<F>
where
    F: Future<Output = Result<Response<T>, Error>>,
{
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project()
            .reply
            .poll(cx)
            .map(|reply| reply.map(Response::into_value))
    }
}

/// A reply, before decoding.
pub struct RawResponse {
    pub operation: &'static str,
    pub method: Method,
    pub path: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// As the HTTP client received it: kept, never copied, on success.
    pub body: Bytes,
    /// A streamed reply's body, not read yet (`body` is empty then).
    pub live: Option<LiveBody>,
}

/// A reply body still arriving, and how long to wait for each of its chunks.
pub struct LiveBody {
    pub response: reqwest::Response,
    pub idle_timeout: Option<std::time::Duration>,
}

impl RawResponse {
    fn keep<T>(self, value: T) -> Response<T> {
        Response {
            value,
            operation: self.operation,
            status: self.status,
            headers: self.headers,
            body: self.body,
        }
    }

    fn decode_error(self, json_path: String, message: String) -> Error {
        Error::Decode(Box::new(DecodeError {
            operation: self.operation,
            method: self.method.as_str().to_owned(),
            path: self.path,
            status: self.status,
            headers: self.headers,
            json_path,
            message,
            body: self.body.to_vec(),
        }))
    }

    fn is_empty(&self) -> bool {
        self.body.iter().all(u8::is_ascii_whitespace)
    }

    /// Decodes the JSON body; failures name the JSON path that did not fit.
    pub fn json<T: serde::de::DeserializeOwned>(self) -> Result<Response<T>, Error> {
        // Plain serde_json first: tracking the path slows every decode down, and is
        // only needed to explain a failure: a failure decodes again to find it.
        if let Ok(value) = serde_json::from_slice(&self.body) {
            return Ok(self.keep(value));
        }
        let mut de = serde_json::Deserializer::from_slice(&self.body);
        let decoded = serde_path_to_error::deserialize(&mut de)
            .map_err(|err| (err.path().to_string(), err.into_inner()))
            .and_then(|value| de.end().map(|()| value).map_err(|err| (".".to_owned(), err)));
        match decoded {
            Ok(value) => Ok(self.keep(value)),
            Err((json_path, err)) => {
                let message = if self.is_empty() {
                    "the body is empty".to_owned()
                } else {
                    elide_quoted(&err.to_string())
                };
                Err(self.decode_error(json_path, message))
            }
        }
    }

    /// JSON, or `None` for an empty reply (a 204 beside a documented 200 body) or `null`.
    #[allow(dead_code)] // only APIs with such calls use it
    pub fn json_or_empty<T: serde::de::DeserializeOwned>(self) -> Result<Response<Option<T>>, Error> {
        if self.is_empty() {
            return Ok(self.keep(None));
        }
        self.json::<Option<T>>()
    }

    /// The body as text (`text/*` replies).
    #[allow(dead_code)] // only APIs with such calls use it
    pub fn text(self) -> Result<Response<String>, Error> {
        match std::str::from_utf8(&self.body) {
            Ok(text) => {
                let text = text.to_owned();
                Ok(self.keep(text))
            }
            Err(err) => {
                let message = format!("the body is not UTF-8: {err}");
                Err(self.decode_error(".".to_owned(), message))
            }
        }
    }

    /// The events of a streamed reply, each one's data decoded by `decode`; the stream
    /// ends early at an event whose data is `end_marker`.
    #[allow(dead_code)] // only APIs with streamed replies use it
    pub fn events<T>(
        mut self,
        framing: Framing,
        decode: DecodeData<T>,
        end_marker: Option<&'static str>,
    ) -> Result<Response<EventStream<T>>, Error> {
        let chunks = match self.live.take() {
            Some(live) => stream::chunks_of(live.response, live.idle_timeout, &self.method, &self.path),
            None => stream::chunks_from(std::mem::take(&mut self.body)),
        };
        let origin = StreamOrigin {
            operation: self.operation,
            method: self.method.clone(),
            path: self.path.clone(),
            status: self.status,
            headers: self.headers.clone(),
        };
        let events = EventStream::new(chunks, framing, decode, end_marker, origin);
        Ok(self.keep(events))
    }

    /// The raw body (downloads): the buffer the HTTP client filled, shared with the
    /// response's `body()`, not copied.
    #[allow(dead_code)] // only APIs with such calls use it
    pub fn bytes(self) -> Result<Response<Bytes>, Error> {
        let bytes = self.body.clone();
        Ok(self.keep(bytes))
    }

    /// The body as it arrives (a download's `send_stream()`).
    #[allow(dead_code)] // only APIs with such calls use it
    pub fn byte_stream(mut self) -> Result<Response<ByteStream>, Error> {
        let chunks = match self.live.take() {
            Some(live) => stream::chunks_of(live.response, live.idle_timeout, &self.method, &self.path),
            None => stream::chunks_from(std::mem::take(&mut self.body)),
        };
        let download = ByteStream::new(chunks, self.operation, self.status, self.headers.clone());
        Ok(self.keep(download))
    }

    /// For calls documented to return nothing: any body is ignored (and kept in the response).
    #[allow(dead_code)] // only APIs with such calls use it
    pub fn empty(self) -> Result<Response<()>, Error> {
        Ok(self.keep(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(body: &str) -> RawResponse {
        RawResponse {
            operation: "op",
            method: Method::POST,
            path: "/things".to_owned(),
            status: StatusCode::CREATED,
            headers: HeaderMap::new(),
            body: Bytes::copy_from_slice(body.as_bytes()),
            live: None,
        }
    }

    #[test]
    fn quoted_values_are_elided() {
        assert_eq!(
            elide_quoted("invalid type: string \"s3cr3t\", expected i64"),
            "invalid type: string \"…\", expected i64"
        );
        // A value holding a quote itself, and an unknown enum value (found by tests/fuzz.rs).
        assert_eq!(
            elide_quoted("invalid type: string \"a\", s3cr3t\", expected i64 at line 1 column 9"),
            "invalid type: string \"…\", expected i64 at line 1 column 9"
        );
        assert_eq!(
            elide_quoted("unknown variant `s3cr3t`, expected `text` or `image`"),
            "unknown variant `…`, expected `text` or `image`"
        );
    }

    #[test]
    fn a_decoded_reply_keeps_status_and_raw_body() {
        let reply = raw(r#"{"id": 7}"#).json::<serde_json::Value>().unwrap();
        assert_eq!(
            (reply.status(), reply.body()),
            (StatusCode::CREATED, &br#"{"id": 7}"#[..])
        );
        assert_eq!(reply.value()["id"], 7);
    }

    #[test]
    fn a_decode_failure_says_the_request_succeeded_and_keeps_the_body() {
        let Err(Error::Decode(err)) = raw(r#"{"id": "seven"}"#).json::<std::collections::BTreeMap<String, i64>>()
        else {
            panic!("expected a decode error")
        };
        let shown = err.to_string();
        assert!(
            shown.starts_with("POST /things succeeded (201 Created), but its reply"),
            "{shown}"
        );
        assert!(shown.contains("do not simply send it again"), "{shown}");
        assert!(!shown.contains("seven"), "values are elided: {shown}");
        assert_eq!(err.body(), br#"{"id": "seven"}"#);
    }
}
