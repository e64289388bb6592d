//! The runtime never panics on what a server sends: success replies that do not decode,
//! error replies of any size and shape, and event streams cut anywhere. Each property
//! feeds malformed, truncated, deeply nested and huge inputs.
//!
//! `cargo test` runs a bounded number of cases; the long run (≥100,000 cases in all):
//! `RUNTIME_FUZZ_CASES=34000 cargo test --release -p openapi-typed-runtime --test fuzz`.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use openapi_typed_runtime::{ApiError, Error, Framing, RawResponse, text_data};
use proptest::prelude::*;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};

/// Cases per property, from `RUNTIME_FUZZ_CASES` (default: a bounded `cargo test` run).
fn cases() -> u32 {
    let from_env = std::env::var("RUNTIME_FUZZ_CASES").ok().and_then(|v| v.parse().ok());
    from_env.unwrap_or(500)
}

/// A value a reply's strings hold, which no message may repeat.
const SECRET: &str = "s3cr3t-value-7f1c";

/// The typed reply the decoding properties ask for: the shapes models have.
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)] // only decoded
struct Project {
    id: i64,
    title: Option<String>,
    tags: Vec<Kind>,
    extra: std::collections::BTreeMap<String, serde_json::Value>,
    nested: Option<Box<Project>>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Text,
    Image,
}

/// JSON text that is almost right: a valid document, then truncated, spliced, deepened.
fn json_like() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        Just(serde_json::json!(null)),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_map(|n| serde_json::json!(n)),
        ".{0,40}".prop_map(|s| serde_json::json!(format!("{s}{SECRET}"))),
        Just(serde_json::json!("text")),
        Just(serde_json::json!(SECRET)),
    ];
    let tree = leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("title".to_owned()),
                    Just("tags".to_owned()),
                    "[a-z]{1,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    (tree, any::<usize>(), any::<u8>(), 0usize..4).prop_map(|(tree, at, byte, how)| {
        let mut text = tree.to_string().into_bytes();
        let at = at % (text.len() + 1);
        let last = text.len().saturating_sub(1);
        match how {
            0 => text.truncate(at),
            1 if !text.is_empty() => text[at.min(last)] = byte,
            2 => text.splice(at..at, b"[{\"".iter().copied()).for_each(drop),
            _ => {}
        }
        text
    })
}

/// Anything a server may answer with: near-JSON, raw bytes, deep nesting, huge bodies.
fn any_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => json_like(),
        2 => prop::collection::vec(any::<u8>(), 0..512),
        1 => (1usize..100_000).prop_map(|depth| "[".repeat(depth).into_bytes()),
        1 => (1usize..50_000).prop_map(|depth| "{\"a\":".repeat(depth).into_bytes()),
        1 => (0usize..4_000_000).prop_map(|len| {
            let mut huge = format!("{{\"detail\": \"{SECRET}").into_bytes();
            huge.resize(len.max(huge.len()), b'x');
            huge
        }),
        1 => ".{0,300}".prop_map(|s| format!("<html><title>{s}</title><h1>{s}{SECRET}</h1>").into_bytes()),
        1 => ".{0,300}".prop_map(|s| format!("Traceback (most recent call last):\n  {s}\nValueError: {s}").into_bytes()),
    ]
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("application/json".to_owned())),
        Just(Some("text/html; charset=utf-8".to_owned())),
        Just(Some("text/plain".to_owned())),
        "[ -~]{0,2000}".prop_map(Some),
    ]
}

fn reply(body: Vec<u8>, content_type: Option<&str>) -> RawResponse {
    let mut headers = HeaderMap::new();
    if let Some(value) = content_type.and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.insert(CONTENT_TYPE, value);
    }
    RawResponse {
        operation: "api_projects_retrieve",
        method: Method::GET,
        path: "/api/projects/1/".to_owned(),
        status: StatusCode::OK,
        headers,
        body: Bytes::from(body),
        live: None,
    }
}

/// A message the caller may log: bounded, and repeating no value a success reply held
/// (an error reply's own message is summarised on purpose).
fn assert_fit_to_log(message: &str, from_success: bool) -> Result<(), TestCaseError> {
    prop_assert!(
        !(from_success && message.contains(SECRET)),
        "a reply's value in a message: {message}"
    );
    prop_assert!(
        message.chars().count() <= 2_000,
        "{} characters: {message:.300}",
        message.chars().count()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// A success reply decodes or fails with a located decode error, whatever it holds.
    #[test]
    fn any_success_reply_decodes_or_fails_with_a_located_error(body in any_body(), typed in any::<bool>()) {
        let result = match typed {
            true => reply(body, Some("application/json")).json::<Project>().map(|_| ()),
            false => reply(body, Some("application/json")).json::<serde_json::Value>().map(|_| ()),
        };
        if let Err(error) = result {
            let Error::Decode(decode) = &error else {
                return Err(TestCaseError::fail(format!("not a decode error: {error}")));
            };
            prop_assert!(!decode.json_path().is_empty());
            assert_fit_to_log(&error.to_string(), true)?;
            assert_fit_to_log(&format!("{error:?}"), true)?;
        }
    }

    /// An error reply of any size, shape and content type summarises in a bounded line.
    #[test]
    fn any_error_reply_summarises_briefly(body in any_body(), content_type in content_type(), status in 400u16..600) {
        let mut headers = HeaderMap::new();
        if let Some(value) = content_type.as_deref().and_then(|c| HeaderValue::from_str(c).ok()) {
            headers.insert(CONTENT_TYPE, value);
        }
        let status = StatusCode::from_u16(status).unwrap();
        let error = ApiError::new("api_projects_retrieve", "GET", "/api/projects/1/", status, headers, &body);
        let shown = error.to_string();
        prop_assert!(shown.starts_with("GET /api/projects/1/ answered"), "{shown:.300}");
        assert_fit_to_log(&shown, false)?;
        assert_fit_to_log(&format!("{error:?}"), false)?;
        let _ = (error.detail(), error.validation_errors(), error.body_as::<Project>());
    }

    /// However the chunks split a stream, it gives the same events as in one piece.
    #[test]
    fn event_streams_give_the_same_events_wherever_the_chunks_split(
        lines in prop::collection::vec(stream_line(), 0..40),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
        json_lines in any::<bool>(),
    ) {
        let text: Vec<u8> = lines.concat();
        let framing = if json_lines { Framing::JsonLines } else { Framing::ServerSentEvents };
        let whole = events(framing, vec![Bytes::from(text.clone())]);
        let split = events(framing, split_at(&text, &cuts));
        prop_assert_eq!(whole, split);
    }
}

/// A line of an event stream: fields, comments, odd line breaks, a BOM, broken UTF-8.
fn stream_line() -> impl Strategy<Value = Vec<u8>> {
    let field = prop_oneof![
        Just("data"),
        Just("event"),
        Just("id"),
        Just("retry"),
        Just(""),
        Just("dat"),
    ];
    let value = prop_oneof![
        ".{0,20}",
        Just("[DONE]".to_owned()),
        Just("{\"a\": 1}".to_owned()),
        Just("12".to_owned())
    ];
    let end = prop_oneof![Just("\n"), Just("\r\n"), Just("\r"), Just("")];
    prop_oneof![
        8 => (field, any::<bool>(), value, end.clone()).prop_map(|(f, colon, v, e)| {
            format!("{f}{}{v}{e}", if colon { ": " } else { "" }).into_bytes()
        }),
        2 => end.prop_map(|e| e.as_bytes().to_vec()),
        1 => Just(b"\xEF\xBB\xBF".to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..8),
    ]
}

fn split_at(text: &[u8], cuts: &[usize]) -> Vec<Bytes> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (text.len() + 1)).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain([text.len()]) {
        chunks.push(Bytes::copy_from_slice(&text[start..cut]));
        start = cut;
    }
    chunks
}

/// The events of a streamed reply arriving in `chunks` (each event's fields, or the
/// error in its place).
fn events(framing: Framing, chunks: Vec<Bytes>) -> Vec<Result<String, String>> {
    let body = reqwest::Body::wrap(Chunked(chunks.into()));
    let response = reqwest::Response::from(http::Response::new(body));
    let mut raw = reply(Vec::new(), None);
    raw.live = Some(openapi_typed_runtime::LiveBody {
        response,
        idle_timeout: None,
    });
    let mut stream = raw.events(framing, text_data, Some("[DONE]")).unwrap().into_value();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        let mut all = Vec::new();
        while let Some(event) = stream.next().await {
            all.push(
                event
                    .map(|e| format!("{:?}", (e.event, e.id, e.retry, e.data)))
                    .map_err(|e| e.to_string()),
            );
        }
        all
    })
}

/// A body giving these chunks, one per poll.
struct Chunked(std::collections::VecDeque<Bytes>);

impl http_body::Body for Chunked {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(self.0.pop_front().map(|chunk| Ok(http_body::Frame::data(chunk))))
    }
}
