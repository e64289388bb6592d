//! Streamed replies: server-sent events (`text/event-stream`) and JSON lines
//! (`application/jsonl`, `application/x-ndjson`), read and decoded as they arrive.
//!
//! The event-stream parser follows the WHATWG HTML standard's "Interpreting an event
//! stream": lines end at CRLF, LF or CR; `:` starts a comment (a keep-alive); an empty
//! line dispatches the event; an event cut off by the end of the stream is dropped.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use super::error::{DecodeError, Error};

/// One event of a streamed reply, its `data` decoded into the type the API documents.
/// JSON lines have only `data`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Event<T> {
    /// The `event:` field (the event's type); `None` for the default, `message`.
    pub event: Option<String>,
    /// The last `id:` the stream gave, this event's or an earlier one's.
    pub id: Option<String>,
    /// The `retry:` field of this event: how long the server asks a client to wait
    /// before reconnecting.
    pub retry: Option<Duration>,
    pub data: T,
}

/// How the reply's body is cut into events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    ServerSentEvents,
    JsonLines,
}

impl Framing {
    /// The framing of a reply asked for as `accept`, if it is a stream.
    pub(crate) fn of(accept: &str) -> Option<Framing> {
        let essence = accept.split(';').next().unwrap_or_default().trim();
        if essence.eq_ignore_ascii_case("text/event-stream") {
            Some(Framing::ServerSentEvents)
        } else if ["application/jsonl", "application/x-ndjson", "application/x-jsonlines"]
            .iter()
            .any(|m| essence.eq_ignore_ascii_case(m))
        {
            Some(Framing::JsonLines)
        } else {
            None
        }
    }
}

/// An event as the stream framed it, before its data is decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawEvent {
    pub event: Option<String>,
    pub id: Option<String>,
    pub retry: Option<Duration>,
    pub data: String,
}

/// Cuts bytes into lines (CRLF, LF or CR), however the chunks split them.
#[derive(Default)]
struct Lines {
    partial: Vec<u8>,
    /// The last byte seen was a CR: an LF right after it ends no second line.
    after_cr: bool,
}

impl Lines {
    fn feed(&mut self, mut chunk: &[u8], mut line: impl FnMut(&[u8])) {
        if chunk.is_empty() {
            return;
        }
        if self.after_cr && chunk.first() == Some(&b'\n') {
            chunk = &chunk[1..];
        }
        self.after_cr = false;
        while let Some(end) = chunk.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.partial.extend_from_slice(&chunk[..end]);
            line(&self.partial);
            self.partial.clear();
            let crlf = chunk[end] == b'\r' && chunk.get(end + 1) == Some(&b'\n');
            if chunk[end] == b'\r' && end + 1 == chunk.len() {
                self.after_cr = true;
            }
            chunk = &chunk[end + 1 + usize::from(crlf)..];
        }
        self.partial.extend_from_slice(chunk);
    }

    /// The last line, if the stream ended without a line break after it.
    fn rest(&mut self) -> Option<Vec<u8>> {
        (!self.partial.is_empty()).then(|| std::mem::take(&mut self.partial))
    }
}

/// The event-stream interpretation of the WHATWG HTML standard.
#[derive(Default)]
pub(crate) struct SseParser {
    lines: Lines,
    started: bool,
    event: String,
    data: String,
    retry: Option<Duration>,
    last_id: Option<String>,
    ready: VecDeque<RawEvent>,
}

impl SseParser {
    pub fn feed(&mut self, chunk: &[u8]) {
        let mut lines = std::mem::take(&mut self.lines);
        lines.feed(chunk, |line| self.line(line));
        self.lines = lines;
    }

    /// The stream ended: an event not closed by an empty line is dropped.
    pub fn finish(&mut self) {
        self.lines.rest();
    }

    pub fn next_event(&mut self) -> Option<RawEvent> {
        self.ready.pop_front()
    }

    fn line(&mut self, bytes: &[u8]) {
        let mut bytes = bytes;
        if !self.started {
            self.started = true;
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let line = String::from_utf8_lossy(bytes);
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return; // a comment: keep-alives
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (&*line, ""),
        };
        match field {
            "event" => value.clone_into(&mut self.event),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => self.last_id = Some(value.to_owned()).filter(|id| !id.is_empty()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = value.parse().ok().map(Duration::from_millis);
            }
            _ => {} // unknown fields are ignored
        }
    }

    fn dispatch(&mut self) {
        let retry = self.retry.take();
        let event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the line break after the last `data:` line
        self.ready.push_back(RawEvent {
            event: Some(event).filter(|e| !e.is_empty()),
            id: self.last_id.clone(),
            retry,
            data,
        });
    }
}

/// JSON lines: every non-blank line is one value; the last needs no line break.
#[derive(Default)]
pub(crate) struct LineParser {
    lines: Lines,
    ready: VecDeque<RawEvent>,
}

impl LineParser {
    pub fn feed(&mut self, chunk: &[u8]) {
        let ready = &mut self.ready;
        self.lines.feed(chunk, |line| Self::push(ready, line));
    }

    pub fn finish(&mut self) {
        if let Some(rest) = self.lines.rest() {
            Self::push(&mut self.ready, &rest);
        }
    }

    pub fn next_event(&mut self) -> Option<RawEvent> {
        self.ready.pop_front()
    }

    fn push(ready: &mut VecDeque<RawEvent>, line: &[u8]) {
        let line = String::from_utf8_lossy(line);
        if !line.trim().is_empty() {
            ready.push_back(RawEvent {
                data: line.into_owned(),
                ..RawEvent::default()
            });
        }
    }
}

enum Parser {
    Sse(SseParser),
    Lines(LineParser),
}

impl Parser {
    fn feed(&mut self, chunk: &[u8]) {
        match self {
            Parser::Sse(p) => p.feed(chunk),
            Parser::Lines(p) => p.feed(chunk),
        }
    }

    fn finish(&mut self) {
        match self {
            Parser::Sse(p) => p.finish(),
            Parser::Lines(p) => p.finish(),
        }
    }

    fn next_event(&mut self) -> Option<RawEvent> {
        match self {
            Parser::Sse(p) => p.next_event(),
            Parser::Lines(p) => p.next_event(),
        }
    }
}

/// The body's chunks as they arrive.
pub(crate) type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

/// How one event's data becomes the documented type: the JSON path and message of a failure.
pub type DecodeData<T> = fn(&str) -> Result<T, (String, String)>;

/// The call an event stream belongs to, for its errors.
pub(crate) struct StreamOrigin {
    pub operation: &'static str,
    pub method: Method,
    pub path: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
}

/// A streamed reply: its events as they arrive. Ends when the server closes the stream
/// or sends the API's end marker (`data: [DONE]`); a read error or an idle timeout
/// ends it with that error, an event whose data does not decode is an error in its place.
#[must_use = "a stream does nothing unless polled"]
pub struct EventStream<T> {
    chunks: Option<Chunks>,
    parser: Parser,
    decode: DecodeData<T>,
    end_marker: Option<&'static str>,
    origin: StreamOrigin,
    /// Events given so far, to say which one failed to decode.
    count: u64,
}

impl<T> EventStream<T> {
    pub(crate) fn new(
        chunks: Chunks,
        framing: Framing,
        decode: DecodeData<T>,
        end_marker: Option<&'static str>,
        origin: StreamOrigin,
    ) -> Self {
        let parser = match framing {
            Framing::ServerSentEvents => Parser::Sse(SseParser::default()),
            Framing::JsonLines => Parser::Lines(LineParser::default()),
        };
        EventStream {
            chunks: Some(chunks),
            parser,
            decode,
            end_marker,
            origin,
            count: 0,
        }
    }

    /// The next event, or `None` once the stream has ended (the same as
    /// `futures_util::StreamExt::next`, without importing it).
    pub async fn next(&mut self) -> Option<Result<Event<T>, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The HTTP status of the reply.
    pub fn status(&self) -> StatusCode {
        self.origin.status
    }

    /// The reply's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.origin.headers
    }

    fn decoded(&mut self, raw: RawEvent) -> Result<Event<T>, Error> {
        self.count += 1;
        match (self.decode)(&raw.data) {
            Ok(data) => Ok(Event {
                event: raw.event,
                id: raw.id,
                retry: raw.retry,
                data,
            }),
            Err((json_path, message)) => Err(Error::Decode(Box::new(DecodeError {
                operation: self.origin.operation,
                method: self.origin.method.as_str().to_owned(),
                path: self.origin.path.clone(),
                status: self.origin.status,
                headers: self.origin.headers.clone(),
                json_path,
                message: match &raw.id {
                    Some(id) => format!("event {} (id `{id}`): {message}", self.count),
                    None => format!("event {}: {message}", self.count),
                },
                body: raw.data.into_bytes(),
            }))),
        }
    }
}

impl<T> Stream for EventStream<T> {
    type Item = Result<Event<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(raw) = this.parser.next_event() {
                if this.end_marker.is_some_and(|end| raw.data == end) {
                    this.chunks = None;
                    while this.parser.next_event().is_some() {}
                    return Poll::Ready(None);
                }
                return Poll::Ready(Some(this.decoded(raw)));
            }
            let Some(chunks) = this.chunks.as_mut() else {
                return Poll::Ready(None);
            };
            match chunks.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => this.parser.feed(&chunk),
                Poll::Ready(Some(Err(error))) => {
                    this.chunks = None;
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Ready(None) => {
                    this.chunks = None;
                    this.parser.finish();
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Events may hold personal data: how far the stream got, not what it said.
        f.debug_struct("EventStream")
            .field("operation", &self.origin.operation)
            .field("status", &self.origin.status)
            .field("events", &self.count)
            .field("open", &self.chunks.is_some())
            .finish()
    }
}

/// An event's data as JSON of the documented type.
pub fn json_data<T: serde::de::DeserializeOwned>(data: &str) -> Result<T, (String, String)> {
    let mut de = serde_json::Deserializer::from_str(data);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|err| (err.path().to_string(), err.into_inner()))
        .and_then(|value| de.end().map(|()| value).map_err(|err| (".".to_owned(), err)))
        .map_err(|(path, err)| (path, super::support::elide_quoted(&err.to_string())))
}

/// An event's data as the text it is.
pub fn text_data(data: &str) -> Result<String, (String, String)> {
    Ok(data.to_owned())
}

/// A live body's chunks; `idle` bounds the wait for each one.
pub(crate) fn chunks_of(response: reqwest::Response, idle: Option<Duration>, method: &Method, path: &str) -> Chunks {
    let (method, path) = (method.as_str().to_owned(), path.to_owned());
    Box::pin(futures_util::stream::unfold(Some(response), move |state| {
        let (method, path) = (method.clone(), path.clone());
        async move {
            let mut response = state?;
            let next = match idle {
                Some(idle) => match tokio::time::timeout(idle, response.chunk()).await {
                    Ok(next) => next,
                    Err(_) => return Some((Err(Error::Timeout { method, path }), None)),
                },
                None => response.chunk().await,
            };
            match next {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(response))),
                Ok(None) => None,
                Err(source) => {
                    let source = source.without_url();
                    Some((Err(Error::Transport { method, path, source }), None))
                }
            }
        }
    }))
}

/// A body already read whole, as chunks.
pub(crate) fn chunks_from(body: Bytes) -> Chunks {
    Box::pin(futures_util::stream::iter((!body.is_empty()).then_some(Ok(body))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sse(chunks: &[&[u8]]) -> Vec<RawEvent> {
        let mut parser = SseParser::default();
        chunks.iter().for_each(|c| parser.feed(c));
        parser.finish();
        std::iter::from_fn(|| parser.next_event()).collect()
    }

    fn data(event: &str) -> RawEvent {
        RawEvent {
            data: event.to_owned(),
            ..RawEvent::default()
        }
    }

    #[test]
    fn events_end_at_an_empty_line_whatever_the_line_breaks() {
        let expected = vec![data("a"), data("b")];
        assert_eq!(sse(&[b"data: a\n\ndata: b\n\n"]), expected);
        assert_eq!(sse(&[b"data: a\r\n\r\ndata: b\r\n\r\n"]), expected);
        assert_eq!(sse(&[b"data: a\r\rdata: b\r\r"]), expected);
        // A CRLF split between two chunks is one line break, not two.
        assert_eq!(sse(&[b"data: a\r", b"\n\r", b"\ndata: b\n", b"\n"]), expected);
    }

    #[test]
    fn data_lines_join_with_line_breaks_and_fields_keep_their_values() {
        let events = sse(&[b"event: delta\nid: 7\nretry: 1500\ndata: {\"a\":\ndata:1}\n\n"]);
        let expected = RawEvent {
            event: Some("delta".to_owned()),
            id: Some("7".to_owned()),
            retry: Some(Duration::from_millis(1500)),
            data: "{\"a\":\n1}".to_owned(),
        };
        assert_eq!(events, vec![expected]);
    }

    #[test]
    fn comments_and_unknown_fields_are_skipped_and_the_id_carries_over() {
        let events = sse(&[b": keep-alive\n\nid: 1\nfoo: bar\ndata: x\n\n: ping\ndata: y\n\n"]);
        let ids: Vec<_> = events.iter().map(|e| e.id.as_deref()).collect();
        assert_eq!(ids, [Some("1"), Some("1")]);
        assert_eq!(events.iter().map(|e| &*e.data).collect::<Vec<_>>(), ["x", "y"]);
    }

    #[test]
    fn an_event_without_data_is_not_dispatched_and_an_unfinished_one_is_dropped() {
        assert_eq!(
            sse(&[b"event: ping\n\ndata: kept\n\ndata: cut off\n"]),
            vec![data("kept")]
        );
    }

    #[test]
    fn a_leading_byte_order_mark_and_a_field_without_colon_are_read_as_the_standard_says() {
        assert_eq!(sse(&[b"\xEF\xBB", b"\xBFdata: a\n\n"]), vec![data("a")]);
        // `data` alone is a data line with an empty value.
        assert_eq!(sse(&[b"data\ndata\n\n"]), vec![data("\n")]);
        // No space after the colon: the value is taken whole; only one space is removed.
        assert_eq!(sse(&[b"data:a\n\ndata:  b\n\n"]), vec![data("a"), data(" b")]);
    }

    #[test]
    fn a_retry_that_is_not_a_number_is_ignored() {
        assert_eq!(sse(&[b"retry: soon\ndata: a\n\n"])[0].retry, None);
    }

    #[test]
    fn json_lines_are_values_one_per_line_the_last_without_a_break() {
        let mut parser = LineParser::default();
        parser.feed(b"{\"a\":1}\r\n\n{\"a\"");
        parser.feed(b":2}\n{\"a\":3}");
        parser.finish();
        let lines: Vec<_> = std::iter::from_fn(|| parser.next_event()).map(|e| e.data).collect();
        assert_eq!(lines, ["{\"a\":1}", "{\"a\":2}", "{\"a\":3}"]);
    }

    fn stream(body: &'static [u8], end_marker: Option<&'static str>) -> EventStream<serde_json::Value> {
        let origin = StreamOrigin {
            operation: "createChatCompletion",
            method: Method::POST,
            path: "/chat/completions".to_owned(),
            status: StatusCode::OK,
            headers: HeaderMap::new(),
        };
        let chunks = chunks_from(Bytes::from_static(body));
        EventStream::new(chunks, Framing::ServerSentEvents, json_data, end_marker, origin)
    }

    fn collect<T>(stream: EventStream<T>) -> Vec<Result<Event<T>, Error>> {
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut stream = stream;
        std::iter::from_fn(|| match Pin::new(&mut stream).poll_next(&mut cx) {
            Poll::Ready(item) => item,
            Poll::Pending => panic!("a stream of a read body never waits"),
        })
        .collect()
    }

    #[test]
    fn the_end_marker_ends_the_stream_and_what_follows_is_not_read() {
        let events = collect(stream(
            b"data: {\"n\":1}\n\ndata: [DONE]\n\ndata: {\"n\":2}\n\n",
            Some("[DONE]"),
        ));
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].as_ref().unwrap().data, serde_json::json!({"n": 1}));
    }

    #[test]
    fn a_data_that_does_not_decode_is_an_error_naming_the_event_and_the_stream_goes_on() {
        let events = collect(stream(b"data: {\"n\":1}\n\nid: 9\ndata: {\"n\":\n\ndata: 3\n\n", None));
        assert_eq!(events.len(), 3);
        let Err(Error::Decode(error)) = &events[1] else {
            panic!("expected a decode error, got {:?}", events[1])
        };
        assert!(error.message().starts_with("event 2 (id `9`)"), "{}", error.message());
        assert_eq!(error.body(), b"{\"n\":");
        assert_eq!(events[2].as_ref().unwrap().data, serde_json::json!(3));
    }
}
