//! `src/webhooks.rs`: the requests the API sends to its users. Per webhook (or
//! callback) a module with its `Payload` type and a `parse` for the raw body, so a
//! server of any framework decodes what it receives into the documented type.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc_attrs, doc_line, paragraphs};
use super::file::{Emitted, ident, rust_file};
use super::rust_type::rust_type;
use crate::error::Result;
use crate::ir::{Api, Webhook};

/// Does the crate get the module?
pub fn applies(api: &Api) -> bool {
    !api.webhooks.list.is_empty()
}

pub fn emit_webhooks(api: &Api) -> Result<Emitted> {
    let modules = api
        .webhooks
        .list
        .iter()
        .map(|webhook| webhook_module(api, webhook))
        .collect::<Result<Vec<_>>>()?;
    let tokens = quote! {
        //! Requests the API sends to you (webhooks, and callbacks of calls): for each,
        //! the type of its JSON body (`Payload`) and `parse`, which decodes the raw body
        //! your server received into it.

        #(#modules)*
    };
    Ok(rust_file(&format!("src/{}.rs", api.webhooks.module), tokens))
}

fn webhook_module(api: &Api, webhook: &Webhook) -> Result<TokenStream> {
    let module = ident(&webhook.module)?;
    let name = &webhook.name;
    let method = webhook.method.as_str();
    let title = match &webhook.url {
        Some(url) => format!("`{name}`: a callback, `{method} {url}`."),
        None => format!("`{name}`: a webhook, sent as `{method}`."),
    };
    let docs = doc_attrs(&paragraphs([Some(title.as_str()), webhook.docs.as_deref()]));
    let payload = rust_type(api, &webhook.payload);
    let payload_docs = doc_line(&format!("The JSON body of the `{name}` request."));
    let parse_docs = doc_attrs(&format!(
        "Decodes the raw body of the `{name}` request. The error says where it did not fit, never the body's values."
    ));
    Ok(quote! {
        #docs
        pub mod #module {
            #payload_docs
            pub type Payload = #payload;

            #parse_docs
            pub fn parse(body: &[u8]) -> Result<Payload, crate::WebhookError> {
                crate::runtime::parse_webhook(#name, body)
            }
        }
    })
}
