//! A call in flight: what every builder's `send_with_response()` returns.
//!
//! A builder checks its arguments and builds the request synchronously; the exchange
//! (auth, retries, the HTTP round trip) is one future compiled here, once; only the
//! decode depends on the operation's reply type. An `async fn` per operation instead
//! would make the compiler build, check and lower one state machine per operation,
//! the largest share of a generated crate's build.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::client::{Client, RequestSpec};
use super::error::Error;
use super::response::{RawResponse, Response};

type Exchange = Pin<Box<dyn Future<Output = Result<RawResponse, Error>> + Send>>;

/// Turns the raw reply into the operation's value: one of [`RawResponse`]'s decoders.
pub type Decode<T> = fn(RawResponse) -> Result<Response<T>, Error>;

/// The future of one call: the checked request's exchange, then the decode.
#[must_use = "nothing is sent until the future is awaited"]
pub struct Call<T> {
    state: State,
    decode: Decode<T>,
}

enum State {
    /// The request could not be built (a documented limit broken, a body that does not
    /// encode): the first poll gives the error, nothing is sent.
    Invalid(Error),
    Sending(Exchange),
    /// The result was given.
    Done,
}

impl<T> Call<T> {
    /// A call of `request` (the client and the request, or why there is none), whose
    /// reply `decode` turns into a value.
    pub fn new(request: Result<(Client, RequestSpec), Error>, decode: Decode<T>) -> Self {
        Call {
            state: State::start(request, false),
            decode,
        }
    }

    /// Like [`new`](Self::new), leaving a success's body to arrive for `decode` to
    /// stream (a download's `send_stream()`).
    #[allow(dead_code)] // only APIs with downloads use it
    pub fn live(request: Result<(Client, RequestSpec), Error>, decode: Decode<T>) -> Self {
        Call {
            state: State::start(request, true),
            decode,
        }
    }
}

impl State {
    fn start(request: Result<(Client, RequestSpec), Error>, live: bool) -> State {
        match request {
            Ok((client, spec)) => State::Sending(Box::pin(client.execute(spec, live))),
            Err(error) => State::Invalid(error),
        }
    }
}

impl<T> Future for Call<T> {
    type Output = Result<Response<T>, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let reply = match std::mem::replace(&mut this.state, State::Done) {
            State::Sending(mut exchange) => match exchange.as_mut().poll(cx) {
                Poll::Ready(reply) => reply,
                Poll::Pending => {
                    this.state = State::Sending(exchange);
                    return Poll::Pending;
                }
            },
            State::Invalid(error) => Err(error),
            State::Done => Err(Error::Config("a call's future was polled after it finished".to_owned())),
        };
        Poll::Ready(reply.and_then(this.decode))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll_once<T>(call: &mut Call<T>) -> Poll<Result<Response<T>, Error>> {
        let waker = std::task::Waker::noop();
        Pin::new(call).poll(&mut Context::from_waker(waker))
    }

    #[test]
    fn an_invalid_request_fails_on_the_first_poll_and_then_says_it_finished() {
        let mut call = Call::new(Err(Error::Config("limit broken".to_owned())), RawResponse::empty);
        let Poll::Ready(Err(Error::Config(first))) = poll_once(&mut call) else {
            panic!("expected the request's error")
        };
        assert_eq!(first, "limit broken");
        let Poll::Ready(Err(Error::Config(again))) = poll_once(&mut call) else {
            panic!("expected an error for a second poll")
        };
        assert!(again.contains("polled after it finished"), "{again}");
    }
}
