//! Middleware: the caller's own code around every HTTP exchange (logging, metrics,
//! signing, custom auth), registered with [`ClientBuilder::middleware`](super::ClientBuilder::middleware).

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use super::error::Error;

/// Which call an exchange belongs to.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct CallInfo<'a> {
    /// The operationId (`oauth2_client_credentials` for that flow's token request).
    pub operation: &'static str,
    /// The HTTP method.
    pub method: &'a Method,
    /// The path template of the description (`/api/projects/{id}/`), without values.
    pub path_template: &'a str,
    /// 1 for the first try; higher for retries and for the try after a token renewal.
    pub attempt: u32,
    /// The path with its values, for errors.
    pub(crate) path: &'a str,
}

/// A reply as it arrived, before it is decoded or retried.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ReplyInfo<'a> {
    pub status: StatusCode,
    pub headers: &'a HeaderMap,
    /// The raw body. May hold credentials (a token reply) or personal data: log with care.
    pub body: &'a [u8],
    /// From sending the request to the last byte of the body.
    pub elapsed: Duration,
}

/// Code run around every HTTP exchange the client makes: each try of each call, and
/// token exchanges. Both methods have defaults that do nothing; implement the ones you need.
///
/// Several middlewares run in the order they were added for requests and in reverse
/// order for replies. A middleware sees and may change the request; it cannot replace a
/// reply (retries, token renewal and decoding stay the client's).
pub trait Middleware: Send + Sync + 'static {
    /// Called before a request is sent, with everything set (auth included). An error
    /// stops the call before anything is sent; it is returned as [`Error::Middleware`].
    fn on_request(&self, call: &CallInfo<'_>, request: &mut reqwest::Request) -> Result<(), BoxError> {
        let _ = (call, request);
        Ok(())
    }

    /// Called with each reply, or with the error that took its place (timeout, transport).
    fn on_reply(&self, call: &CallInfo<'_>, reply: Result<&ReplyInfo<'_>, &Error>) {
        let _ = (call, reply);
    }
}

/// The error a middleware stops a request with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The middlewares of a client, in the order they were added.
#[derive(Clone, Default)]
pub(crate) struct Middlewares(pub Vec<std::sync::Arc<dyn Middleware>>);

impl std::fmt::Debug for Middlewares {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} middleware(s)", self.0.len())
    }
}

impl Middlewares {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Runs each `on_request`, first added first.
    pub(crate) fn request(&self, call: &CallInfo<'_>, request: &mut reqwest::Request) -> Result<(), Error> {
        for middleware in &self.0 {
            middleware
                .on_request(call, request)
                .map_err(|source| Error::Middleware {
                    method: call.method.to_string(),
                    path: call.path.to_owned(),
                    source,
                })?;
        }
        Ok(())
    }

    /// Runs each `on_reply`, last added first.
    pub(crate) fn reply(&self, call: &CallInfo<'_>, reply: Result<&ReplyInfo<'_>, &Error>) {
        for middleware in self.0.iter().rev() {
            middleware.on_reply(call, reply);
        }
    }
}
