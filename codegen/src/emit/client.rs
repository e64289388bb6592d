//! `src/lib.rs` and one module per operation group: a handle per group
//! (`client.import_storage().s3()`) and a builder per operation ending in `.send().await`
//! (the builders are [`super::builder`]'s).

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::builder::emit_operation;
use super::call_docs::example_call;
use super::docs::{doc_line, paragraphs};
use super::file::{Emitted, ident, rust_file};
use crate::error::{Error, Result};
use crate::ir::{Api, Group, Operation};

/// The handle type of the child group `child` of the group at `path`.
fn child_handle(api: &Api, path: &[String], child: &str) -> Result<Ident> {
    let child_path: Vec<String> = path.iter().cloned().chain([child.to_owned()]).collect();
    match api.groups.get(&child_path) {
        Some(group) => ident(&group.handle),
        None => Err(Error::Emit {
            file: child_path.join("/"),
            message: "a child group missing from the call tree".to_owned(),
        }),
    }
}

/// A group's own calls.
fn calls_of<'a>(api: &'a Api, group: &'a Group) -> impl Iterator<Item = &'a Operation> {
    group.operations.iter().map(|&i| &api.operations[i])
}

/// The call tree (lowering's), shared by the threads that emit its modules.
pub struct Groups<'a> {
    tree: &'a BTreeMap<Vec<String>, Group>,
}

impl<'a> Groups<'a> {
    pub fn new(api: &'a Api) -> Groups<'a> {
        Groups { tree: &api.groups }
    }

    /// Module paths; the root (`src/lib.rs`) is the empty path.
    pub fn paths(&self) -> impl Iterator<Item = &Vec<String>> {
        self.tree.keys()
    }

    /// The files for one module of the tree: its own, and the parts its calls are split
    /// into when they are too many to read in one file.
    pub fn emit(&self, api: &Api, path: &[String]) -> Result<Vec<Emitted>> {
        let Some(group) = self.tree.get(path) else {
            return Err(Error::Emit {
                file: path.join("/"),
                message: "no such group".to_owned(),
            });
        };
        if path.is_empty() {
            return Ok(vec![emit_lib(api, group)?]);
        }
        let file = if group.children.is_empty() {
            format!("src/{}.rs", path.join("/"))
        } else {
            format!("src/{}/mod.rs", path.join("/"))
        };
        let (main, parts) = emit_group(api, path, group)?;
        let mut files = vec![rust_file(&file, main)];
        // A part is a child module: beside `mod.rs`, or in the folder named after `x.rs`.
        let folder = path.join("/");
        files.extend(
            parts
                .into_iter()
                .map(|(name, tokens)| rust_file(&format!("src/{folder}/{name}.rs"), tokens)),
        );
        Ok(files)
    }
}

/// `pub mod webhooks;` and its error type, when the API describes requests it sends.
fn webhooks_module(api: &Api) -> Result<TokenStream> {
    if !super::webhooks::applies(api) {
        return Ok(TokenStream::new());
    }
    let module = ident(&api.webhooks.module)?;
    Ok(quote! {
        /// Requests the API sends to you: their payload types, and `parse` for each.
        pub mod #module;
        pub use runtime::WebhookError;
    })
}

/// `src/lib.rs` of a crate of models alone (`[crate] types_only`).
pub fn emit_types_lib(api: &Api) -> Result<Emitted> {
    let title = format!("The types of {}.", api_name(api));
    let usage = "Generated from the API's OpenAPI description: the request and response bodies \
                 as Rust types (`models`), without a client.";
    let header = crate_header(api, &title, usage, TokenStream::new());
    let webhooks = webhooks_module(api)?;
    let test_modules = test_modules(api);
    let tokens = quote! {
        #header

        mod runtime;
        pub mod models;
        #webhooks
        #test_modules

        pub use runtime::{InvalidRequest, Nullable, Violation};
    };
    Ok(rust_file("src/lib.rs", tokens))
}

/// The API's title and version, as the crate's docs name it.
fn api_name(api: &Api) -> String {
    match api.version.trim() {
        "" => api.title.trim().to_owned(),
        version => format!("{} {version}", api.title.trim()),
    }
}

/// The crate's own docs (`//!`: the title, the API's description, where to start) and
/// the attributes every generated crate has; `extra` goes among them.
fn crate_header(api: &Api, title: &str, usage: &str, extra: TokenStream) -> TokenStream {
    let docs = paragraphs([Some(title), api.description.as_deref(), Some(usage)]);
    let docs = super::docs::sanitize(&docs);
    let docs = docs.lines().map(|l| {
        let l = if l.is_empty() { String::new() } else { format!(" {l}") };
        quote!(#![doc = #l])
    });
    quote! {
        #(#docs)*
        #![forbid(unsafe_code)]
        #extra
        // Descriptions are written for web pages; their links, HTML and list layout are
        // the API authors' and kept as they wrote them.
        #![allow(rustdoc::bare_urls, rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]
        #![allow(clippy::doc_overindented_list_items, clippy::doc_lazy_continuation)]
        // A union holds its alternatives by value, as the description shapes them: boxing
        // the large ones would make every match and construction clumsier, for a size
        // that rarely matters next to a network call.
        #![allow(clippy::large_enum_variant)]
        // Parameter and field names are the API's, `foo` included.
        #![allow(clippy::disallowed_names)]
        // Names are the description's own, in whatever script it is written in.
        #![allow(uncommon_codepoints, confusable_idents, mixed_script_confusables)]
    }
}

/// The generated test modules the API's description calls for.
fn test_modules(api: &Api) -> TokenStream {
    let redaction_tests = super::redaction::applies(api).then(|| {
        quote! {
            #[cfg(test)]
            mod redaction_tests;
        }
    });
    let example_tests = super::examples::applies(api).then(|| {
        quote! {
            #[cfg(all(test, feature = "roundtrip"))]
            mod example_tests;
        }
    });
    quote!(#redaction_tests #example_tests)
}

fn emit_lib(api: &Api, root: &Group) -> Result<Emitted> {
    let mut modules = Vec::new();
    let mut accessors = Vec::new();
    for child in &root.children {
        let module = ident(child)?;
        let handle = child_handle(api, &[], child)?;
        let doc = format!("Calls in the `{child}` group.");
        let doc = doc_line(&doc);
        let cfg = super::features::group_cfg(api, child);
        modules.push(quote!(#doc #cfg pub mod #module;));
        accessors.push(quote! {
            #doc
            #cfg
            pub fn #module(&self) -> #module::#handle {
                #module::#handle::new(self.0.clone())
            }
        });
    }
    if !root.operations.is_empty() {
        return Err(Error::Emit {
            file: "src/lib.rs".to_owned(),
            message: "operations without a group".to_owned(),
        });
    }
    let api_info = api_info(api);
    let streamed = api
        .operations
        .iter()
        .any(|op| matches!(op.response, crate::ir::Response::Stream { .. }));
    let streams = streamed.then(|| {
        quote!(
            pub use runtime::{Event, EventStream};
        )
    });
    let downloads = api
        .operations
        .iter()
        .any(|op| matches!(op.response, crate::ir::Response::Bytes { .. }))
        .then(|| {
            quote!(
                pub use runtime::ByteStream;
            )
        });
    let runtime_module = match api.krate.runtime {
        Some(_) => quote!(
            use openapi_typed_runtime as runtime;
        ),
        None => quote!(
            mod runtime;
        ),
    };
    let client = emit_client(&api_info, &accessors);
    let mock = super::mock::mock_module(api, &accessors);
    let no_group = no_group_allowance(api, &root.children);
    let webhooks = webhooks_module(api)?;
    let header = crate_header(api, &client_title(api), &client_usage(api), no_group);
    let tests = test_modules(api);
    let tokens = quote! {
        #header

        #runtime_module
        pub mod models;
        #(#modules)*
        #webhooks
        #tests

        pub use runtime::{ApiError, Auth, BoxError, Bytes, CallInfo, CallOptions, ClientBuilder, DecodeError, Error, ErrorBody, FilePart, Form, InvalidRequest, Middleware, Nullable, ReplyInfo, Response, RetryPolicy, Upload, Violation};
        #[cfg(feature = "blocking")]
        pub use runtime::BlockingItems;
        /// The HTTP crate every call goes through, at the version this crate uses: for
        /// [`Client::with_http_client`] and for middleware, without a version to match.
        pub use ::reqwest;
        #streams
        #downloads

        #client
        #mock
    };
    Ok(rust_file("src/lib.rs", tokens))
}

/// With group features, every group off leaves the runtime's call machinery unused:
/// allowed, so a crate of types and options alone builds without warnings.
fn no_group_allowance(api: &Api, groups: &[String]) -> TokenStream {
    if !api.krate.group_features || groups.is_empty() {
        return TokenStream::new();
    }
    quote!(#![cfg_attr(not(any(#(feature = #groups),*)), allow(dead_code, unused_imports))])
}

/// The client crate's title line.
fn client_title(api: &Api) -> String {
    format!("A typed client for {}.", api_name(api))
}

/// Where a reader of the client crate's docs starts.
fn client_usage(api: &Api) -> String {
    let example = api
        .operations
        .first()
        .map(|op| format!(" (`client.{}().{}(..)`)", op.group.join("()."), op.method_name))
        .unwrap_or_default();
    format!(
        "Generated from the API's OpenAPI description: start at [`Client`], pick a group of calls{example}, set what you need on the builder, then `.send().await`."
    )
}

/// The runtime's `ApiInfo` for this API: where keys go, which auth it describes.
fn api_info(api: &Api) -> TokenStream {
    let api_key = match &api.auth.api_key {
        Some(key) => {
            let (name, prefix) = (&key.name, &key.prefix);
            let location = format_ident!("{}", format!("{:?}", key.location));
            quote!(Some(runtime::ApiKeyInfo { location: runtime::KeyLocation::#location, name: #name, prefix: #prefix }))
        }
        None => quote!(None),
    };
    let (bearer, basic) = (api.auth.bearer, api.auth.basic);
    let token_url = match &api.auth.token_url {
        Some(url) => quote!(Some(#url)),
        None => quote!(None),
    };
    let exchange = match &api.auth.token_exchange {
        Some(t) => {
            let (operation, path, req, resp, scheme) =
                (&t.operation, &t.path, &t.request_field, &t.response_field, &t.scheme);
            quote!(Some(runtime::TokenExchangeInfo { operation: #operation, path: #path, request_field: #req, response_field: #resp, scheme: #scheme }))
        }
        None => quote!(None),
    };
    quote! {
        runtime::ApiInfo {
            api_key: #api_key,
            bearer: #bearer,
            basic: #basic,
            token_url: #token_url,
            token_exchange: #exchange,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// The crate's `Client`: the runtime's, wrapped so that it can have the groups as
/// methods (the runtime may be another crate), with the API's facts for the runtime.
fn emit_client(api_info: &TokenStream, accessors: &[TokenStream]) -> TokenStream {
    quote! {
        /// A connection to the API. Cheap to clone; clones share connections and tokens.
        #[derive(Clone)]
        pub struct Client(runtime::Client);

        impl runtime::ApiClient for Client {
            const API: &'static runtime::ApiInfo = &#api_info;

            fn from_runtime(client: runtime::Client) -> Self {
                Client(client)
            }
        }

        impl ::std::fmt::Debug for Client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl Client {
            /// A client for the API at `base_url` (e.g. `http://localhost:8080`).
            pub fn new(base_url: impl Into<String>, auth: Auth) -> Result<Client, Error> {
                Client::builder(base_url, auth).build()
            }

            /// A client sending through an existing `reqwest::Client`.
            pub fn with_http_client(http: ::reqwest::Client, base_url: impl Into<String>, auth: Auth) -> Result<Client, Error> {
                Client::builder(base_url, auth).http_client(http).build()
            }

            /// Starts configuring a client.
            pub fn builder(base_url: impl Into<String>, auth: Auth) -> ClientBuilder<Client> {
                ClientBuilder::new(base_url, auth)
            }

            /// The base URL calls go to, without a trailing `/`.
            pub fn base_url(&self) -> &str {
                self.0.base_url()
            }

            #(#accessors)*
        }
    }
}

/// A group's calls and builders are moved to part files (`part_1.rs`, ...) when their
/// code passes this many bytes of tokens (about 4,500 formatted lines), each part up to
/// [`PART_BYTES`] (about 2,900): a file stays readable, and none passes 5,000 lines.
const SPLIT_OVER_BYTES: usize = 140_000;
const PART_BYTES: usize = 90_000;

/// A group module, and the part files its calls are split into (if any).
type GroupFiles = (TokenStream, Vec<(String, TokenStream)>);
/// One call's method (on the group's handle) and its builder.
type Call = (TokenStream, TokenStream);
/// The calls kept in the group's file, and the parts, by module name.
type Split = (Vec<Call>, Vec<(String, TokenStream)>);

fn emit_group(api: &Api, path: &[String], group: &Group) -> Result<GroupFiles> {
    let handle = ident(&group.handle)?;
    let mut modules = Vec::new();
    let mut methods = Vec::new();
    for child in &group.children {
        let module = ident(child)?;
        let child_handle = child_handle(api, path, child)?;
        let doc = format!("Calls in the `{}::{child}` group.", path.join("::"));
        let doc = doc_line(&doc);
        modules.push(quote!(#doc pub mod #module;));
        methods.push(quote! {
            #doc
            pub fn #module(&self) -> #module::#child_handle {
                #module::#child_handle::new(self.client.clone())
            }
        });
    }
    let calls = calls_of(api, group)
        .map(|op| emit_operation(api, &handle, op))
        .collect::<Result<Vec<_>>>()?;
    let (calls, parts) = split_calls(calls, &handle, &group.children, path)?;
    let mut builders = Vec::new();
    for (method, builder) in calls {
        methods.push(method);
        builders.push(builder);
    }
    for (name, _) in &parts {
        let module = ident(name)?;
        modules.push(quote!(mod #module; pub use #module::*;));
    }
    let mut module_doc = vec![format!(" Calls in the `{}` group.", path.join("::"))];
    if let Some(example) = calls_of(api, group).find_map(|op| example_call(api, op)) {
        module_doc.push(String::new());
        module_doc.extend(
            example
                .lines()
                .map(|l| if l.is_empty() { String::new() } else { format!(" {l}") }),
        );
    }
    let module_doc = module_doc.iter().map(|line| quote!(#![doc = #line]));
    let accessor = format!("[`Client`](crate::Client)`::{}()`", path.join("()."));
    let handle_doc = doc_line(&format!(
        "Calls in the `{}` group; get it with {accessor}.",
        path.join("::")
    ));
    let main = quote! {
        #(#module_doc)*
        #(#modules)*

        #handle_doc
        #[derive(Clone, Debug)]
        pub struct #handle {
            client: crate::runtime::Client,
        }

        impl #handle {
            pub(crate) fn new(client: crate::runtime::Client) -> Self {
                Self { client }
            }

            #(#methods)*
        }

        #(#builders)*
    };
    Ok((main, parts))
}

/// The calls kept in the group's own file, and the part files for the rest: when the
/// group's code is too long, every call (its method, in an `impl` of the group's handle,
/// and its builder) goes to a part, re-exported from the group, so paths do not change.
fn split_calls(calls: Vec<Call>, handle: &Ident, children: &[String], path: &[String]) -> Result<Split> {
    split_calls_at(calls, handle, children, path, (SPLIT_OVER_BYTES, PART_BYTES))
}

fn split_calls_at(
    calls: Vec<Call>,
    handle: &Ident,
    children: &[String],
    path: &[String],
    (split_over, part_bytes): (usize, usize),
) -> Result<Split> {
    let size = |(method, builder): &Call| method.to_string().len() + builder.to_string().len();
    if calls.iter().map(size).sum::<usize>() <= split_over {
        return Ok((calls, Vec::new()));
    }
    let mut chunks: Vec<Vec<Call>> = Vec::new();
    let mut current: Vec<Call> = Vec::new();
    let mut filled = 0;
    for call in calls {
        let bytes = size(&call);
        if filled + bytes > part_bytes && !current.is_empty() {
            chunks.push(std::mem::take(&mut current));
            filled = 0;
        }
        filled += bytes;
        current.push(call);
    }
    chunks.push(current);
    let prefix = match children.iter().any(|c| c.starts_with("part_")) {
        true => "calls_part_",
        false => "part_",
    };
    let mut parts = Vec::new();
    for (i, chunk) in chunks.into_iter().enumerate() {
        let name = format!("{prefix}{}", i + 1);
        let doc = format!(" Calls of the `{}` group, part {}.", path.join("::"), i + 1);
        let (methods, builders): (Vec<_>, Vec<_>) = chunk.into_iter().unzip();
        let tokens = quote! {
            #![doc = #doc]
            use super::#handle;

            impl #handle {
                #(#methods)*
            }

            #(#builders)*
        };
        parts.push((name, tokens));
    }
    Ok((Vec::new(), parts))
}

#[cfg(test)]
mod split_tests {
    use super::*;

    fn call(name: &str) -> Call {
        let method = format_ident!("{name}");
        let builder = format_ident!("{}Builder", crate::naming::type_name(name));
        (
            quote!(pub fn #method(&self) -> #builder { todo!() }),
            quote!(pub struct #builder;),
        )
    }

    #[test]
    fn a_long_group_moves_every_call_to_parts_under_the_limit() {
        let handle = format_ident!("ThingsApi");
        let calls = vec![call("alpha"), call("beta"), call("gamma")];
        let one = call("alpha").0.to_string().len() + call("alpha").1.to_string().len();
        let path = ["things".to_owned()];
        let (kept, parts) = split_calls_at(calls, &handle, &[], &path, (2 * one, one + 1)).unwrap();
        assert!(kept.is_empty());
        let names: Vec<&str> = parts.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["part_1", "part_2", "part_3"]);
        let first = parts[0].1.to_string();
        assert!(first.contains("use super :: ThingsApi"), "{first}");
        assert!(first.contains("impl ThingsApi"), "{first}");
        assert!(first.contains("pub struct AlphaBuilder"), "{first}");
    }

    #[test]
    fn a_short_group_keeps_its_calls_and_a_child_named_part_is_not_shadowed() {
        let handle = format_ident!("ThingsApi");
        let path = ["things".to_owned()];
        let (kept, parts) = split_calls_at(vec![call("alpha")], &handle, &[], &path, (usize::MAX, 1)).unwrap();
        assert_eq!((kept.len(), parts.len()), (1, 0));
        let children = ["part_1".to_owned()];
        let (_, parts) = split_calls_at(vec![call("alpha")], &handle, &children, &path, (0, 1)).unwrap();
        assert_eq!(parts[0].0, "calls_part_1");
    }
}
