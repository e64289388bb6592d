//! Typed mocks for tests of code that calls a generated client (feature `mock`): a local
//! wiremock server, and expectations made from a call's own builder, so that a mock
//! matches what the client really sends: the same path, query and body encoding.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::client::{Client, RequestSpec};
use super::error::Error;
use super::stream::Framing;

/// The local HTTP server (127.0.0.1, a free port) behind a generated crate's
/// `mock::MockServer`. When the last handle to it goes, it checks every expectation's
/// count ([`Expectation::times`]) and panics if one is not met, as wiremock does.
#[derive(Clone)]
pub struct Server(Arc<wiremock::MockServer>);

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Server").field(&self.0.uri()).finish()
    }
}

impl Server {
    pub async fn start() -> Server {
        Server(Arc::new(wiremock::MockServer::start().await))
    }

    /// `http://127.0.0.1:<port>`: the base URL of a client for the code under test.
    pub fn uri(&self) -> String {
        self.0.uri()
    }
}

/// What a mock answers.
#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    body: Option<(Vec<u8>, String)>,
}

impl Reply {
    /// No body: `204 No Content` for a call that replies with nothing, or an error status.
    pub fn empty(status: u16) -> Reply {
        Reply { status, body: None }
    }

    /// `200 OK` with `value` as JSON.
    pub fn json<T: Serialize>(value: &T) -> Reply {
        // A generated type always serializes; a map with non-string keys would not.
        match serde_json::to_vec(value) {
            Ok(bytes) => Reply::body(bytes, "application/json"),
            Err(e) => panic!("the mock's reply does not serialize to JSON: {e}"),
        }
    }

    /// `200 OK` with `value` as JSON, or `204 No Content` for `None`.
    pub fn json_or_empty<T: Serialize>(value: &Option<T>) -> Reply {
        match value {
            Some(value) => Reply::json(value),
            None => Reply::empty(204),
        }
    }

    /// `200 OK` with this body.
    pub fn body(bytes: impl Into<Vec<u8>>, media_type: &str) -> Reply {
        Reply {
            status: 200,
            body: Some((bytes.into(), media_type.to_owned())),
        }
    }

    /// `200 OK` with these events, framed as the call reads them, and the end marker
    /// (`[DONE]`) after them when the API has one.
    pub fn events(framing: Framing, media_type: &str, data: Vec<String>, end_marker: Option<&str>) -> Reply {
        let mut text = String::new();
        for data in data.iter().map(String::as_str).chain(end_marker) {
            match framing {
                Framing::ServerSentEvents => {
                    for line in data.lines() {
                        text.push_str(&format!("data: {line}\n"));
                    }
                    text.push('\n');
                }
                Framing::JsonLines => {
                    text.push_str(data);
                    text.push('\n');
                }
            }
        }
        Reply::body(text, media_type)
    }

    /// Each item as JSON, for [`events`](Self::events).
    pub fn json_data<T: Serialize>(items: impl IntoIterator<Item = T>) -> Vec<String> {
        let encode = |item: T| match serde_json::to_string(&item) {
            Ok(text) => text,
            Err(e) => panic!("the mock's event does not serialize to JSON: {e}"),
        };
        items.into_iter().map(encode).collect()
    }

    fn template(&self) -> wiremock::ResponseTemplate {
        let template = wiremock::ResponseTemplate::new(self.status);
        match &self.body {
            Some((bytes, media_type)) => template.set_body_raw(bytes.clone(), media_type),
            None => template,
        }
    }
}

/// One mocked call: the request its builder describes, and the reply. Nothing is
/// mounted on the server until it is `.await`ed.
#[must_use = "a mock is mounted on its server only when `.await`ed"]
pub struct Expectation {
    call: Result<(Server, Expected), String>,
    reply: Reply,
    times: Option<u64>,
    delay: Option<Duration>,
}

impl fmt::Debug for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let call = self.call.as_ref().map(|(_, expected)| expected.describe());
        f.debug_struct("Expectation")
            .field("call", &call)
            .field("status", &self.reply.status)
            .field("times", &self.times)
            .field("delay", &self.delay)
            .finish()
    }
}

impl Expectation {
    /// Generated code's: a builder's request (from its `request()`) and the reply.
    #[doc(hidden)]
    pub fn new(request: Result<(Client, RequestSpec), Error>, reply: Reply) -> Expectation {
        let call = match request {
            Ok((client, spec)) => match client.mock_server() {
                Some(server) => Expected::of(client.base_url(), &spec).map(|expected| (server.clone(), expected)),
                None => Err(format!(
                    "{} {}: this builder comes from a `Client`; mocks are made from a `MockServer`'s groups",
                    spec.method, spec.path
                )),
            },
            Err(e) => Err(format!("the mocked call's own inputs are refused: {e}")),
        };
        Expectation {
            call,
            reply,
            times: None,
            delay: None,
        }
    }

    /// The call must come exactly `n` times; checked when the server goes (the last
    /// `MockServer` and `Client` handle to it dropped).
    pub fn times(mut self, n: u64) -> Expectation {
        self.times = Some(n);
        self
    }

    /// Answers only after `delay` (to test timeouts).
    pub fn delay(mut self, delay: Duration) -> Expectation {
        self.delay = Some(delay);
        self
    }

    /// Answers with this JSON body (an error's, for `fails(status)`).
    pub fn json_body<T: Serialize>(mut self, body: &T) -> Expectation {
        self.reply.body = Reply::json(body).body;
        self
    }

    /// Answers with this body.
    pub fn raw_body(mut self, bytes: impl Into<Vec<u8>>, media_type: &str) -> Expectation {
        self.reply.body = Some((bytes.into(), media_type.to_owned()));
        self
    }
}

impl IntoFuture for Expectation {
    type Output = ();
    type IntoFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (server, expected) = match self.call {
                Ok(call) => call,
                Err(problem) => panic!("cannot mock this call: {problem}"),
            };
            let name = expected.describe();
            let mut reply = self.reply.template();
            if let Some(delay) = self.delay {
                reply = reply.set_delay(delay);
            }
            let mut mock = wiremock::Mock::given(expected).respond_with(reply).named(name);
            if let Some(n) = self.times {
                mock = mock.expect(n);
            }
            mock.mount(&server.0).await;
        })
    }
}

/// What a request must have to match: the method and path exactly; the query pairs,
/// headers and body fields the mock's builder set, its per-call options' included (the
/// call may carry more).
struct Expected {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: ExpectedBody,
}

enum ExpectedBody {
    Any,
    /// Every field here, with the same value (objects compared field by field).
    Json(serde_json::Value),
    /// Every pair here.
    Form(Vec<(String, String)>),
    Bytes(Vec<u8>),
}

impl Expected {
    fn of(base_url: &str, spec: &RequestSpec) -> Result<Expected, String> {
        let mut url = reqwest::Url::parse(&format!("{base_url}{}", spec.path))
            .map_err(|e| format!("cannot build a URL for `{}`: {e}", spec.path))?;
        let mut query = String::new();
        spec.query.encode_into(&mut query);
        url.set_query(Some(&query));
        let mut query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let mut headers: Vec<(String, String)> = spec
            .headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect();
        // The builder's per-call options are inputs it set too.
        if let Some(options) = &spec.options {
            query.extend(options.query.iter().cloned());
            headers.extend(options.headers.iter().cloned());
        }
        Ok(Expected {
            method: spec.method.as_str().to_owned(),
            path: url.path().to_owned(),
            query,
            headers,
            body: spec.body.as_ref().map_or(ExpectedBody::Any, ExpectedBody::of),
        })
    }

    fn describe(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

impl ExpectedBody {
    fn of(body: &super::RequestBody) -> ExpectedBody {
        let Some(bytes) = body.in_memory_bytes() else {
            return ExpectedBody::Any;
        };
        let media_type = body.content_type().split(';').next().unwrap_or_default().trim();
        let json = media_type == "application/json" || media_type.ends_with("+json");
        if json && let Ok(value) = serde_json::from_slice(&bytes) {
            return ExpectedBody::Json(value);
        }
        match media_type {
            "application/x-www-form-urlencoded" => ExpectedBody::Form(form_pairs(&bytes)),
            // Its boundary is new on every call.
            "multipart/form-data" => ExpectedBody::Any,
            _ => ExpectedBody::Bytes(bytes),
        }
    }

    fn matches(&self, sent: &[u8]) -> bool {
        match self {
            ExpectedBody::Any => true,
            ExpectedBody::Json(expected) => {
                serde_json::from_slice(sent).is_ok_and(|sent| json_contains(&sent, expected))
            }
            ExpectedBody::Form(expected) => {
                let sent = form_pairs(sent);
                expected.iter().all(|pair| sent.contains(pair))
            }
            ExpectedBody::Bytes(expected) => sent == expected.as_slice(),
        }
    }
}

impl wiremock::Match for Expected {
    fn matches(&self, request: &wiremock::Request) -> bool {
        let sent_query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        request.method.as_str() == self.method
            && request.url.path() == self.path
            && self.query.iter().all(|pair| sent_query.contains(pair))
            && self.headers.iter().all(|(name, value)| {
                request
                    .headers
                    .get_all(name.as_str())
                    .iter()
                    .any(|sent| sent.as_bytes() == value.as_bytes())
            })
            && self.body.matches(&request.body)
    }
}

fn form_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    match reqwest::Url::parse(&format!("http://form.invalid/?{text}")) {
        Ok(url) => url.query_pairs().into_owned().collect(),
        Err(_) => Vec::new(),
    }
}

/// `sent` has every field of `expected` with the same value, objects compared field by
/// field (a builder sends only the fields set, so this is what the mock's setters named).
fn json_contains(sent: &serde_json::Value, expected: &serde_json::Value) -> bool {
    match (sent, expected) {
        (serde_json::Value::Object(sent), serde_json::Value::Object(expected)) => expected
            .iter()
            .all(|(key, value)| sent.get(key).is_some_and(|sent| json_contains(sent, value))),
        _ => sent == expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_match_when_every_expected_field_is_sent_with_its_value() {
        let expected = serde_json::json!({"title": "x", "nested": {"a": 1}});
        let matches = |sent: serde_json::Value| json_contains(&sent, &expected);
        assert!(matches(
            serde_json::json!({"title": "x", "nested": {"a": 1, "b": 2}, "more": true})
        ));
        assert!(!matches(serde_json::json!({"title": "y", "nested": {"a": 1}})));
        assert!(!matches(serde_json::json!({"nested": {"a": 1}})));
        assert!(!matches(serde_json::json!({"title": "x", "nested": {"a": 2}})));
    }

    #[test]
    fn events_are_framed_as_the_call_reads_them() {
        let data = vec!["{\"a\":1}".to_owned(), "two\nlines".to_owned()];
        let sse = Reply::events(
            Framing::ServerSentEvents,
            "text/event-stream",
            data.clone(),
            Some("[DONE]"),
        );
        let body = String::from_utf8(sse.body.unwrap().0).unwrap();
        assert_eq!(body, "data: {\"a\":1}\n\ndata: two\ndata: lines\n\ndata: [DONE]\n\n");
        let lines = Reply::events(Framing::JsonLines, "application/jsonl", data[..1].to_vec(), None);
        assert_eq!(lines.body.unwrap().0, b"{\"a\":1}\n");
    }

    #[test]
    fn form_pairs_are_decoded() {
        assert_eq!(
            form_pairs(b"a=1&b=x+y%21"),
            [("a".to_owned(), "1".to_owned()), ("b".to_owned(), "x y!".to_owned())]
        );
    }
}
