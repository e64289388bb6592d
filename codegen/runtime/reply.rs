//! Reading a reply: whole, never more than a size limit, or (for a stream) its headers
//! first and the body left to arrive.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::response::{LiveBody, RawResponse};

/// The longest reply a client reads whole unless told otherwise (256 MiB): far above any
/// JSON reply, and a bound on what a runaway server can make a process hold.
pub(crate) const DEFAULT_MAX_REPLY_SIZE: u64 = 256 * 1024 * 1024;

/// How a reply's body is read.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Reading {
    /// Whole, before the reply is given; at most `limit` bytes.
    Whole { limit: u64 },
    /// A success's body is left to arrive (streams); an error reply is read whole, at
    /// most `limit` bytes. `wait` bounds the wait for the headers (and an error's body).
    Live { wait: Option<Duration>, limit: u64 },
}

/// One exchange's reply, before the client decides whether it is final.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// A streamed success's body, still arriving.
    pub(crate) live: Option<reqwest::Response>,
}

/// Why no reply could be read.
pub(crate) enum ReadFailure {
    Transport(reqwest::Error),
    /// No headers within the wait of a [`Reading::Live`].
    TimedOut,
    /// The body is longer than the limit: the rest was not read.
    TooLarge {
        status: StatusCode,
        limit: u64,
    },
}

impl From<reqwest::Error> for ReadFailure {
    fn from(error: reqwest::Error) -> Self {
        ReadFailure::Transport(error)
    }
}

/// The reply to a request sent, read as `reading` says.
pub(crate) async fn read(
    sent: impl Future<Output = Result<reqwest::Response, reqwest::Error>>,
    reading: Reading,
) -> Result<Reply, ReadFailure> {
    match reading {
        Reading::Whole { limit } => read_whole(sent.await?, limit).await,
        Reading::Live { wait, limit } => {
            let headers_then_rest = async {
                let response = sent.await?;
                if !response.status().is_success() {
                    return read_whole(response, limit).await;
                }
                Ok(open(response))
            };
            match wait {
                Some(wait) => tokio::time::timeout(wait, headers_then_rest)
                    .await
                    .map_err(|_| ReadFailure::TimedOut)?,
                None => headers_then_rest.await,
            }
        }
    }
}

/// A success whose body is read later, as it arrives.
fn open(mut response: reqwest::Response) -> Reply {
    Reply {
        status: response.status(),
        headers: std::mem::take(response.headers_mut()),
        body: Bytes::new(),
        live: Some(response),
    }
}

async fn read_whole(mut response: reqwest::Response, limit: u64) -> Result<Reply, ReadFailure> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = body_within(&mut response, limit).await?;
    Ok(Reply {
        status,
        headers,
        body,
        live: None,
    })
}

/// The body, never holding more than `limit` bytes: a declared length over it is refused
/// before reading, and reading stops at the first chunk past it. A body that came in one
/// chunk is kept as it came, not copied.
async fn body_within(response: &mut reqwest::Response, limit: u64) -> Result<Bytes, ReadFailure> {
    let too_large = ReadFailure::TooLarge {
        status: response.status(),
        limit,
    };
    let declared = response.content_length();
    if declared.is_some_and(|length| length > limit) {
        return Err(too_large);
    }
    let mut first: Option<Bytes> = None;
    let mut joined: Vec<u8> = Vec::new();
    let mut total: u64 = 0;
    while let Some(chunk) = response.chunk().await? {
        total += chunk.len() as u64;
        if total > limit {
            return Err(too_large);
        }
        match first.take() {
            None if joined.is_empty() => first = Some(chunk),
            earlier => {
                if let Some(earlier) = earlier {
                    let expected = declared.unwrap_or(0).min(limit);
                    joined.reserve(usize::try_from(expected).unwrap_or(0).max(2 * earlier.len()));
                    joined.extend_from_slice(&earlier);
                }
                joined.extend_from_slice(&chunk);
            }
        }
    }
    Ok(first.unwrap_or_else(|| joined.into()))
}

impl Reply {
    pub(crate) fn into_raw(
        self,
        operation: &'static str,
        method: reqwest::Method,
        path: String,
        idle: Option<Duration>,
    ) -> RawResponse {
        RawResponse {
            operation,
            method,
            path,
            status: self.status,
            headers: self.headers,
            body: self.body,
            live: self.live.map(|response| LiveBody {
                response,
                idle_timeout: idle,
            }),
        }
    }
}
