//! Feature `blocking`: the builders' `send_blocking()` for programs without an async
//! runtime. Each client (and its clones) owns one small runtime, made on the first
//! blocking call and shared by every call after it; calls from several threads at once
//! are fine. Not for use inside an async runtime: there a blocking call would stall the
//! runtime's thread, so it returns an error instead.

use std::future::Future;
use std::pin::Pin;

use super::client::Client;
use super::error::Error;

impl Client {
    /// Runs `call` to its end on this client's runtime, blocking the thread. Boxed, so
    /// that only the reply type makes a copy of this code, not each operation's future.
    pub fn block_on<T>(&self, call: Pin<Box<dyn Future<Output = Result<T, Error>> + '_>>) -> Result<T, Error> {
        let mut result = None;
        let fill = async {
            result = Some(call.await);
        };
        self.run(std::pin::pin!(fill))?;
        result.unwrap_or_else(|| Err(Error::Config("the blocking call did not finish".to_owned())))
    }

    /// The runtime's `block_on`, compiled once: every call's future reaches it as the
    /// same trait object (one copy per operation would double the crate's build time).
    fn run(&self, call: Pin<&mut dyn Future<Output = ()>>) -> Result<(), Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::Config(
                "a blocking call inside an async runtime would stall it; use `.send().await` there".to_owned(),
            ));
        }
        self.own_runtime().get()?.block_on(call);
        Ok(())
    }
}

/// A page walk (`all_items()`) as an iterator: each `next()` blocks until the next item (or
/// the next page) is there.
type ItemStream<T> = Pin<Box<dyn futures_util::Stream<Item = Result<T, Error>> + Send>>;

#[must_use = "an iterator does nothing until it is used"]
pub struct BlockingItems<T> {
    client: Client,
    items: Option<ItemStream<T>>,
}

impl<T> BlockingItems<T> {
    #[allow(dead_code)] // only APIs with paginated lists use it
    pub fn new(client: Client, items: impl futures_util::Stream<Item = Result<T, Error>> + Send + 'static) -> Self {
        BlockingItems {
            client,
            items: Some(Box::pin(items)),
        }
    }
}

impl<T> Iterator for BlockingItems<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let items = self.items.as_mut()?;
        let next = self
            .client
            .block_on(Box::pin(async { Ok(futures_util::StreamExt::next(items).await) }));
        match next {
            Ok(item) => item,
            // The error says why no item can come; it ends the walk.
            Err(error) => {
                self.items = None;
                Some(Err(error))
            }
        }
    }
}

impl<T> std::fmt::Debug for BlockingItems<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingItems")
            .field("done", &self.items.is_none())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ApiClient, ApiInfo, Auth, ClientBuilder};
    use super::*;

    /// A client for an API that describes no auth.
    struct Plain(Client);

    impl ApiClient for Plain {
        const API: &'static ApiInfo = &ApiInfo {
            api_key: None,
            bearer: false,
            basic: false,
            token_url: None,
            token_exchange: None,
            user_agent: "test",
        };

        fn from_runtime(client: Client) -> Self {
            Plain(client)
        }
    }

    fn client() -> Client {
        ClientBuilder::<Plain>::new("http://127.0.0.1:9", Auth::none())
            .build()
            .unwrap()
            .0
    }

    #[test]
    fn a_client_and_its_clones_share_one_runtime_made_once() {
        let client = client();
        let first: *const tokio::runtime::Runtime = client.own_runtime().get().unwrap();
        let clone = client.clone();
        let again: *const tokio::runtime::Runtime = clone.own_runtime().get().unwrap();
        assert_eq!(first, again);
        let other = self::client();
        let others: *const tokio::runtime::Runtime = other.own_runtime().get().unwrap();
        assert_ne!(first, others);
    }
}
