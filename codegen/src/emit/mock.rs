//! The `mock` feature: the crate's `mock::MockServer` (the groups, as on `Client`) and
//! each builder's `returns` and `fails`, which mount what the builder would send as a
//! wiremock expectation (the runtime's `mock.rs` does the matching).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::call_docs::mock_example;
use super::rust_type::rust_type;
use super::send::stream_data;
use crate::ir::{Api, Framing, Response, TypeRef};

/// `pub mod mock` of `src/lib.rs`; `accessors` are `Client`'s group methods, which read
/// the runtime client as `self.0` on `MockServer` too.
pub fn mock_module(api: &Api, accessors: &[TokenStream]) -> TokenStream {
    let docs = format!(
        "Typed mocks for tests of code that calls this client (feature `mock`).\n\n\
         [`MockServer`] has the client's groups; a builder from them, with the inputs a \
         call must have set, ends in `.returns(reply)` or `.fails(status)`, and `.await` \
         mounts it on a local server (wiremock, on 127.0.0.1). A request matches when its \
         method and path are the builder's and it carries every query pair, header and \
         body field set there (it may carry more); the encoding is the client's own. \
         A request no mock matches gets `404`.{}",
        mock_example(api).map(|e| format!("\n\n{e}")).unwrap_or_default()
    );
    // Written here, not taken from the description: kept as it is, the example a doctest.
    let docs = docs.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#![doc = #line])
    });
    quote! {
        #[cfg(feature = "mock")]
        pub mod mock {
            #(#docs)*

            // The group modules, as `Client`'s accessors name them.
            use super::*;
            pub use runtime::mock::Expectation;

            /// A local server answering the calls mocked on it; its groups make the mocks.
            /// When it and every client from [`client`](Self::client) are dropped, it checks
            /// the counts set with [`Expectation::times`] and panics if one is not met.
            #[derive(Clone, Debug)]
            pub struct MockServer(runtime::Client, runtime::mock::Server);

            impl MockServer {
                /// Starts a server on 127.0.0.1 at a free port.
                pub async fn start() -> MockServer {
                    let server = runtime::mock::Server::start().await;
                    let client = super::Client::builder(server.uri(), super::Auth::none())
                        .mock_server(server.clone())
                        .build();
                    match client {
                        Ok(client) => MockServer(client.0, server),
                        Err(e) => panic!("cannot make a client for the mock server: {e}"),
                    }
                }

                /// The server's base URL, for a client of your own
                /// (`Client::new(mock.uri(), auth)`).
                pub fn uri(&self) -> String {
                    self.1.uri()
                }

                /// A client sending to this server, without credentials.
                pub fn client(&self) -> super::Client {
                    super::Client(self.0.clone())
                }

                #(#accessors)*
            }
        }
    }
}

/// A builder's `returns` and `fails`.
pub fn mock_methods(api: &Api, response: &Response) -> TokenStream {
    let (input, reply) = reply_of(api, response);
    quote! {
        /// Mocks this call on the [`MockServer`](crate::mock::MockServer) this builder
        /// comes from (feature `mock`): a request with what is set here gets this reply.
        /// Mounted when `.await`ed.
        #[cfg(feature = "mock")]
        pub fn returns(self, #input) -> crate::mock::Expectation {
            crate::runtime::mock::Expectation::new(self.request(), #reply)
        }

        /// Mocks this call failing with `status` (feature `mock`), with no body; give it
        /// one with [`json_body`](crate::mock::Expectation::json_body).
        #[cfg(feature = "mock")]
        pub fn fails(self, status: u16) -> crate::mock::Expectation {
            crate::runtime::mock::Expectation::new(self.request(), crate::runtime::mock::Reply::empty(status))
        }
    }
}

/// `returns`' parameter (none for an empty reply) and the reply it makes.
fn reply_of(api: &Api, response: &Response) -> (TokenStream, TokenStream) {
    let reply = quote!(crate::runtime::mock::Reply);
    match response {
        Response::Json(ty) => {
            let ty = rust_type(api, ty);
            (quote!(reply: #ty), quote!(#reply::json(&reply)))
        }
        Response::JsonOrEmpty(ty) => {
            let ty = rust_type(api, ty);
            (quote!(reply: Option<#ty>), quote!(#reply::json_or_empty(&reply)))
        }
        Response::Text { media_type } => (
            quote!(reply: impl Into<String>),
            quote!(#reply::body(reply.into(), #media_type)),
        ),
        Response::Bytes { media_type } => (
            quote!(reply: impl Into<Vec<u8>>),
            quote!(#reply::body(reply, #media_type)),
        ),
        Response::Empty => (quote!(), quote!(#reply::empty(204))),
        Response::Stream {
            media_type,
            framing,
            end_marker,
            data: data_ty,
        } => {
            let (data, _) = stream_data(api, response);
            // As `stream_data` reads them: text events are the text, the rest JSON.
            let encoded = match (framing, data_ty) {
                (Framing::ServerSentEvents, TypeRef::String) => quote!(events.into_iter().collect()),
                _ => quote!(#reply::json_data(events)),
            };
            let framing = format_ident!("{framing:?}");
            let end_marker = match end_marker {
                Some(marker) => quote!(Some(#marker)),
                None => quote!(None),
            };
            (
                quote!(events: impl IntoIterator<Item = #data>),
                quote!(#reply::events(crate::runtime::Framing::#framing, #media_type, #encoded, #end_marker)),
            )
        }
    }
}
