//! A builder's `send`: checks, then the request (parameters, path, body), then the reply
//! decoded; and `all_items` for paginated lists.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::checks::{limit_check, nested_check};
use super::docs::doc_line;
use super::file::ident;
use super::plan::{BuilderPlan, InputKind, Place};
use super::rust_type::rust_type;
use crate::error::Result;
use crate::ir::{
    Api, Body, FieldEncoding, FormEncoding, FormField, Framing, LastPage, Operation, Pagination, Param, ParamEncoding,
    PathPart, Response, Spelling, Style, TypeKind, TypeRef,
};

pub fn emit_send(api: &Api, plan: &BuilderPlan<'_>) -> Result<TokenStream> {
    let op = plan.op;
    let params = Params::of(api, plan);
    let (checks, query, headers) = (
        &params.checks,
        list_value(&params.query, "query_pairs", quote!(crate::runtime::Query::default())),
        list_value(&params.headers, "header_pairs", quote!(Vec::new())),
    );
    let (path_args, path) = path_value(api, op)?;
    let (validate_body, body) = body_value(api, op)?;
    let method = format_ident!("{}", op.http_method.as_str());
    let authenticated = op.authenticated;
    // Cookies travel in `Cookie`, which reqwest itself keeps from other origins.
    let credential_headers = op.header_params.iter().any(|p| p.sensitive);
    let honours_idempotency_key = op.honours_idempotency_key;
    let (output, decode) = reply(api, &op.response);
    let blocking = blocking_sends(api, &op.response, &output);
    let streamed = matches!(op.response, Response::Bytes { .. }).then(streamed_download);
    let accept = op.response.accept();
    let pages = op.pagination.as_ref().map(|p| all_items(api, p)).transpose()?;
    let operation = &op.id;
    let template = &op.path;
    Ok(quote! {
        #pages

        /// Checks documented limits, sends the request and decodes the reply.
        #[inline]
        pub fn send(self) -> impl ::std::future::Future<Output = Result<#output, crate::Error>> + Send {
            crate::runtime::ValueOf::new(self.send_with_response())
        }

        /// Like [`send`](Self::send), and also gives the status, headers and raw body
        /// the server sent.
        #[inline]
        pub fn send_with_response(
            self,
        ) -> impl ::std::future::Future<Output = Result<crate::Response<#output>, crate::Error>> + Send {
            crate::runtime::Call::new(self.request(), #decode)
        }

        /// The client and the request to send, once the documented limits hold.
        #[inline]
        fn request(self) -> Result<(crate::runtime::Client, crate::runtime::RequestSpec), crate::Error> {
            #(#checks)*
            #validate_body
            #(#path_args)*
            let request_spec = crate::runtime::RequestSpec {
                operation: #operation,
                method: ::reqwest::Method::#method,
                template: #template,
                path: #path,
                query: #query,
                headers: #headers,
                credential_headers: #credential_headers,
                honours_idempotency_key: #honours_idempotency_key,
                body: #body,
                accept: #accept,
                authenticated: #authenticated,
                options: self.options,
            };
            Ok((self.client, request_spec))
        }

        #blocking
        #streamed
    })
}

/// `send_stream()` (and `send_stream_blocking()`) of a download: the body as it arrives.
fn streamed_download() -> TokenStream {
    quote! {
        /// Sends the request and gives the reply's body as it arrives, never all of it in
        /// memory: read its chunks, or write it to a file with
        /// [`ByteStream::save_to`](crate::ByteStream::save_to). No size limit applies; the
        /// timeout bounds the wait for the reply to start and for each chunk.
        #[inline]
        pub fn send_stream(self) -> impl ::std::future::Future<Output = Result<crate::ByteStream, crate::Error>> + Send {
            crate::runtime::ValueOf::new(crate::runtime::Call::live(self.request(), crate::runtime::RawResponse::byte_stream))
        }

        /// Like [`send_stream`](Self::send_stream), blocking this thread until the reply
        /// starts; the chunks come as an iterator (feature `blocking`; not inside an async
        /// runtime).
        #[cfg(feature = "blocking")]
        pub fn send_stream_blocking(self) -> Result<crate::BlockingItems<crate::Bytes>, crate::Error> {
            let client = self.client.clone();
            let download = client.block_on(Box::pin(self.send_stream()))?;
            Ok(crate::runtime::BlockingItems::new(client, download))
        }
    }
}

/// The parameters' limit checks, and the statements pushing query and header pairs.
#[derive(Default)]
struct Params {
    checks: Vec<TokenStream>,
    query: Vec<TokenStream>,
    headers: Vec<TokenStream>,
    cookies: Vec<TokenStream>,
}

impl Params {
    fn of(api: &Api, plan: &BuilderPlan<'_>) -> Params {
        let mut params = Params::default();
        for input in &plan.inputs {
            let InputKind::Param(param, place) = &input.kind else {
                continue;
            };
            let name = &input.name;
            let wire = &param.wire_name;
            // Each statement reads `value`, bound to the member when it is set.
            let when_set = |statement: TokenStream| {
                if param.required {
                    quote! { { let value = &self.#name; #statement } }
                } else {
                    quote! { if let Some(value) = &self.#name { #statement } }
                }
            };
            if let Some(check) = limit_check(wire, &param.ty, &param.limits, quote!(value)) {
                params.checks.push(when_set(check));
            }
            match (place, param.encoding) {
                (Place::Path, _) => {}
                (Place::Query, _) => params.query.push(when_set(query_push(api, param))),
                (Place::Header, ParamEncoding::Json) => params.headers.push(when_set(
                    quote! { header_pairs.push((#wire, crate::runtime::json_text(value))); },
                )),
                (Place::Header, _) if is_scalar(api, &param.ty) => params.headers.push(when_set(
                    quote! { header_pairs.push((#wire, crate::runtime::param_text(value))); },
                )),
                (Place::Header, ParamEncoding::Styled(spelling)) => {
                    let explode = spelling.explode;
                    params.headers.push(when_set(
                        quote! { header_pairs.push((#wire, crate::runtime::header_text(value, #explode))); },
                    ))
                }
                (Place::Cookie, ParamEncoding::Json) => params.cookies.push(when_set(
                    quote! { crate::runtime::cookie_pairs(&mut cookie_pairs, #wire, &crate::runtime::json_text(value), false); },
                )),
                (Place::Cookie, ParamEncoding::Styled(spelling)) => {
                    let explode = spelling.explode;
                    params.cookies.push(when_set(
                        quote! { crate::runtime::cookie_pairs(&mut cookie_pairs, #wire, value, #explode); },
                    ))
                }
            }
        }
        if !params.cookies.is_empty() {
            // Every cookie parameter in one `Cookie` header.
            let cookies = &params.cookies;
            params.headers.push(quote! {
                let mut cookie_pairs: Vec<String> = Vec::new();
                #(#cookies)*
                if !cookie_pairs.is_empty() {
                    header_pairs.push(("cookie", cookie_pairs.join("; ")));
                }
            });
        }
        params
    }
}

/// A value written as plain text whatever its style: no array or object inside.
fn is_scalar(api: &Api, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Bool | TypeRef::Int(_) | TypeRef::Float(_) | TypeRef::String | TypeRef::DateTime | TypeRef::Date => {
            true
        }
        TypeRef::Named(id) => matches!(
            api.emitted_def(*id).kind,
            TypeKind::StringEnum(_) | TypeKind::IntEnum(_)
        ),
        TypeRef::Json | TypeRef::Array(_) | TypeRef::Map(_) | TypeRef::Nullable(_) => false,
    }
}

/// `crate::runtime::Spelling::new(crate::runtime::Style::Form, true)`, and
/// `.allow_reserved()` when it is set.
fn spelling_tokens(spelling: Spelling) -> TokenStream {
    let style = format_ident!("{}", spelling.style.name());
    let explode = spelling.explode;
    let reserved = spelling.allow_reserved.then(|| quote!(.allow_reserved()));
    quote!(crate::runtime::Spelling::new(crate::runtime::Style::#style, #explode)#reserved)
}

/// The statement adding a query parameter's pairs, as its encoding says.
fn query_push(api: &Api, param: &Param) -> TokenStream {
    let wire = &param.wire_name;
    let ParamEncoding::Styled(spelling) = param.encoding else {
        return quote! { query_pairs.push((#wire, crate::runtime::json_text(value))); };
    };
    // Scalars, and arrays of them in form style, as plain text: the common cases,
    // written out without a detour through a JSON value.
    let scalar_items = matches!(&param.ty, TypeRef::Array(item) if is_scalar(api, item));
    match spelling.style {
        _ if spelling.allow_reserved => {}
        _ if is_scalar(api, &param.ty) => {
            return quote! { query_pairs.push((#wire, crate::runtime::param_text(value))); };
        }
        Style::Form if scalar_items && spelling.explode => {
            return quote! {
                for item in value { query_pairs.push((#wire, crate::runtime::param_text(item))); }
            };
        }
        Style::Form | Style::SpaceDelimited | Style::PipeDelimited if scalar_items && !spelling.explode => {
            let delimiter = match spelling.style {
                Style::SpaceDelimited => " ",
                Style::PipeDelimited => "|",
                _ => ",",
            };
            return quote! { query_pairs.push((#wire, crate::runtime::joined_text(value, #delimiter))); };
        }
        _ => {}
    }
    let spelling = spelling_tokens(spelling);
    quote! { query_pairs.push_value(#wire, value, #spelling); }
}

/// `empty`, or a block filling the named list with the pushes.
fn list_value(pushes: &[TokenStream], list: &str, empty: TokenStream) -> TokenStream {
    if pushes.is_empty() {
        return empty;
    }
    let list = format_ident!("{list}");
    quote!({
        let mut #list = #empty;
        #(#pushes)*
        #list
    })
}

/// Statements encoding each path parameter into a local, and the path built from them
/// (so `format!` reads like the template).
fn path_value(api: &Api, op: &Operation) -> Result<(Vec<TokenStream>, TokenStream)> {
    let mut format = String::new();
    let mut path_args = Vec::new();
    for part in &op.path_parts {
        match part {
            PathPart::Literal(text) => format.push_str(&text.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(i) => {
                let param = &op.path_params[*i];
                let name = ident(&param.rust_name)?;
                format.push_str(&format!("{{{name}}}"));
                path_args.push(path_arg(api, param, &name));
            }
        }
    }
    let path = if path_args.is_empty() {
        quote!(#format.to_owned())
    } else {
        quote!(format!(#format))
    };
    Ok((path_args, path))
}

/// `let id = <the text replacing {id} in the path>;`
fn path_arg(api: &Api, param: &Param, name: &Ident) -> TokenStream {
    match param.encoding {
        ParamEncoding::Json => {
            quote!(let #name = crate::runtime::path_segment(crate::runtime::json_text(&self.#name));)
        }
        ParamEncoding::Styled(Spelling {
            style: Style::Simple, ..
        }) if is_scalar(api, &param.ty) => {
            quote!(let #name = crate::runtime::path_segment(crate::runtime::param_text(&self.#name));)
        }
        ParamEncoding::Styled(spelling) => {
            let (wire, explode) = (&param.wire_name, spelling.explode);
            let style = format_ident!("{}", spelling.style.name());
            quote!(let #name = crate::runtime::path_text(#wire, &self.#name, crate::runtime::Style::#style, #explode);)
        }
    }
}

/// Statements checking (or gathering) the body, and the `RequestBody` expression.
fn body_value(api: &Api, op: &Operation) -> Result<(TokenStream, TokenStream)> {
    Ok(match &op.body {
        Some(Body::Fields { .. }) if !op.body_flags.is_empty() => {
            let flags = op.body_flags.iter().map(|(name, value)| quote!((#name, #value)));
            (
                quote!(self.body.validate()?;),
                quote!(Some(crate::runtime::to_json_with(&self.body, &[#(#flags),*])?)),
            )
        }
        Some(Body::Fields { .. }) => (
            quote!(self.body.validate()?;),
            quote!(Some(crate::runtime::to_json(&self.body)?)),
        ),
        Some(Body::Whole { ty, required: true }) => {
            let check = nested_check(api, "", ty, quote!(value));
            let check = check.map(|check| quote!({ let value = &self.body; #check }));
            (quote!(#check), quote!(Some(crate::runtime::to_json(&self.body)?)))
        }
        Some(Body::Whole { ty, required: false }) => {
            let check = nested_check(api, "", ty, quote!(value));
            let check = check.map(|check| quote!(if let Some(value) = &self.body { #check }));
            (
                quote!(#check),
                quote!(self.body.as_ref().map(crate::runtime::to_json).transpose()?),
            )
        }
        Some(Body::Raw {
            media_type,
            required,
            text,
        }) => {
            let bytes = if *text { quote!(body.into_bytes()) } else { quote!(body) };
            let body = if *required {
                quote!({ let body = self.body; Some(crate::runtime::RequestBody::raw(#bytes, #media_type)) })
            } else {
                quote!(self.body.map(|body| crate::runtime::RequestBody::raw(#bytes, #media_type)))
            };
            (TokenStream::new(), body)
        }
        Some(Body::Form { encoding, fields }) => form_body(api, *encoding, fields)?,
        Some(Body::Parts { required: true }) => (
            TokenStream::new(),
            quote!(Some(crate::runtime::RequestBody::multipart(self.body.into_parts()))),
        ),
        Some(Body::Parts { required: false }) => (
            TokenStream::new(),
            quote!(
                self.body
                    .map(|form| crate::runtime::RequestBody::multipart(form.into_parts()))
            ),
        ),
        None => (TokenStream::new(), quote!(None)),
    })
}

fn form_body(api: &Api, encoding: FormEncoding, fields: &[FormField]) -> Result<(TokenStream, TokenStream)> {
    let mut pushes = Vec::new();
    for field in fields {
        let name = ident(&field.arg_name)?;
        let push = match encoding {
            FormEncoding::UrlEncoded => url_encoded_push(api, field),
            FormEncoding::Multipart => multipart_push(api, field),
        };
        pushes.push(if field.required {
            quote! { { let value = self.#name; #push } }
        } else {
            quote! { if let Some(value) = self.#name { #push } }
        });
    }
    let (list, encode) = match encoding {
        FormEncoding::Multipart => (
            quote!(form_parts),
            quote!(crate::runtime::RequestBody::multipart(form_parts)),
        ),
        FormEncoding::UrlEncoded => (
            quote!(form_pairs),
            quote!(crate::runtime::RequestBody::url_encoded(form_pairs)),
        ),
    };
    let empty = match encoding {
        FormEncoding::Multipart => quote!(Vec::new()),
        FormEncoding::UrlEncoded => quote!(crate::runtime::Query::default()),
    };
    let start = match pushes.is_empty() {
        true => quote!(let #list = #empty;),
        false => quote!(let mut #list = #empty; #(#pushes)*),
    };
    Ok((start, quote!(Some(#encode))))
}

/// A URL-encoded field's pairs (`value` holds the field's value).
fn url_encoded_push(api: &Api, field: &FormField) -> TokenStream {
    let wire = &field.wire_name;
    match &field.encoding {
        _ if field.files => quote! {
            for file in &value { form_pairs.push_bytes(#wire, crate::runtime::in_memory_bytes(#wire, file)?); }
        },
        _ if field.file => quote! { form_pairs.push_bytes(#wire, crate::runtime::in_memory_bytes(#wire, &value)?); },
        FieldEncoding::Pairs(spelling) if is_scalar(api, &field.ty) && !spelling.allow_reserved => {
            quote! { form_pairs.push((#wire, crate::runtime::param_text(&value))); }
        }
        FieldEncoding::Pairs(spelling) => {
            let spelling = spelling_tokens(*spelling);
            quote! { form_pairs.push_value(#wire, &value, #spelling); }
        }
        FieldEncoding::Part { .. } => quote! { form_pairs.push((#wire, crate::runtime::param_text(&value))); },
    }
}

/// A multipart field's parts (`value` holds the field's value).
fn multipart_push(api: &Api, field: &FormField) -> TokenStream {
    let wire = &field.wire_name;
    match &field.encoding {
        _ if field.files => quote! {
            for file in value { form_parts.push(crate::runtime::Part::File(#wire.into(), file)); }
        },
        _ if field.file => quote! { form_parts.push(crate::runtime::Part::File(#wire.into(), value)); },
        FieldEncoding::Pairs(spelling) => {
            let spelling = spelling_tokens(*spelling);
            quote! { crate::runtime::push_styled_parts(&mut form_parts, #wire, &value, #spelling); }
        }
        FieldEncoding::Part { content_type: None } if is_scalar(api, &field.ty) => {
            quote! { form_parts.push(crate::runtime::Part::Text(#wire.into(), crate::runtime::param_text(&value))); }
        }
        FieldEncoding::Part { content_type } => {
            let content_type = match content_type {
                Some(media) => quote!(Some(#media)),
                None => quote!(None),
            };
            quote! { crate::runtime::push_parts(&mut form_parts, #wire, &value, #content_type); }
        }
    }
}

/// `send`'s output type, and the runtime's decoder of the reply into it.
fn reply(api: &Api, response: &Response) -> (TokenStream, TokenStream) {
    let decoder = |name: &str| {
        let name = format_ident!("{name}");
        quote!(crate::runtime::RawResponse::#name)
    };
    match response {
        Response::Json(ty) => (rust_type(api, ty), decoder("json")),
        Response::JsonOrEmpty(ty) => {
            let ty = rust_type(api, ty);
            (quote!(Option<#ty>), decoder("json_or_empty"))
        }
        Response::Text { .. } => (quote!(String), decoder("text")),
        Response::Bytes { .. } => (quote!(crate::Bytes), decoder("bytes")),
        Response::Empty => (quote!(()), decoder("empty")),
        Response::Stream {
            framing, end_marker, ..
        } => {
            let (data, decode_data) = stream_data(api, response);
            let framing = format_ident!("{framing:?}");
            let end_marker = match end_marker {
                Some(marker) => quote!(Some(#marker)),
                None => quote!(None),
            };
            (
                quote!(crate::EventStream<#data>),
                quote!(|raw: crate::runtime::RawResponse| raw.events(crate::runtime::Framing::#framing, #decode_data, #end_marker)),
            )
        }
    }
}

/// A stream's event data type, and the runtime's decoder of one event's data into it:
/// server-sent events documented as strings are the text itself, the rest JSON.
pub(super) fn stream_data(api: &Api, response: &Response) -> (TokenStream, TokenStream) {
    match response {
        Response::Stream {
            framing: Framing::ServerSentEvents,
            data: TypeRef::String,
            ..
        } => (quote!(String), quote!(crate::runtime::text_data)),
        Response::Stream { data, .. } => {
            let ty = rust_type(api, data);
            (ty.clone(), quote!(crate::runtime::json_data::<#ty>))
        }
        _ => (quote!(()), quote!(crate::runtime::json_data::<()>)),
    }
}

/// `send_blocking()` (and `send_with_response_blocking()`): a stream's events come as an iterator.
fn blocking_sends(api: &Api, response: &Response, output: &TokenStream) -> TokenStream {
    if let Response::Stream { .. } = response {
        let (data, _) = stream_data(api, response);
        return quote! {
            /// Like [`send`](Self::send), blocking this thread until the reply starts; the
            /// events come as an iterator, each `next()` blocking until one is there
            /// (feature `blocking`; not inside an async runtime).
            #[cfg(feature = "blocking")]
            pub fn send_blocking(self) -> Result<crate::BlockingItems<crate::Event<#data>>, crate::Error> {
                let client = self.client.clone();
                let events = client.block_on(Box::pin(self.send()))?;
                Ok(crate::runtime::BlockingItems::new(client, events))
            }
        };
    }
    quote! {
        /// Like [`send`](Self::send), blocking this thread until the reply is decoded
        /// (feature `blocking`; not inside an async runtime).
        #[cfg(feature = "blocking")]
        #[inline]
        pub fn send_blocking(self) -> Result<#output, crate::Error> {
            self.send_with_response_blocking().map(crate::Response::into_value)
        }

        /// Like [`send_with_response`](Self::send_with_response), blocking this thread
        /// (feature `blocking`; not inside an async runtime).
        #[cfg(feature = "blocking")]
        #[inline]
        pub fn send_with_response_blocking(self) -> Result<crate::Response<#output>, crate::Error> {
            self.client.clone().block_on(Box::pin(self.send_with_response()))
        }
    }
}

/// `all_items()`: every item of every page, as a stream.
fn all_items(api: &Api, p: &Pagination) -> Result<TokenStream> {
    let page = ident(&p.page_setter)?;
    let results = ident(&p.results_field)?;
    let item = rust_type(api, &p.item);
    // `seen` counts the items so far, where the total decides the last page.
    let (doc, seen, next_page) = match &p.last_page {
        LastPage::NoNextLink(next) => {
            let next = ident(next)?;
            (
                "until a reply has no `next` page.",
                quote!(seen),
                quote!(reply.#next.is_some().then_some(page + 1)),
            )
        }
        LastPage::TotalReached(total) => {
            let total = ident(total)?;
            (
                "until the items add up to the reply's total (or a page is empty).",
                quote!(mut seen),
                quote!({
                    seen += reply.#results.len();
                    let total = usize::try_from(reply.#total).unwrap_or(usize::MAX);
                    (!reply.#results.is_empty() && seen < total).then_some(page + 1)
                }),
            )
        }
    };
    let doc = doc_line(&format!(
        "Every item of every page, as a stream: asks for page 1, 2, ... (with the other settings of this builder) {doc}"
    ));
    Ok(quote! {
        #doc
        pub fn all_items(self) -> impl ::futures_util::Stream<Item = Result<#item, crate::Error>> {
            use ::futures_util::TryStreamExt as _;
            ::futures_util::stream::try_unfold((self, Some(1), 0usize), |(builder, page, #seen)| async move {
                let Some(page) = page else { return Ok::<_, crate::Error>(None) };
                let reply = builder.clone().#page(page).send().await?;
                let next_page = #next_page;
                let items = ::futures_util::stream::iter(reply.#results.into_iter().map(Ok));
                Ok(Some((items, (builder, next_page, seen))))
            })
            .try_flatten()
        }

        /// [`all_items`](Self::all_items) as an iterator that blocks for each page
        /// (feature `blocking`; not inside an async runtime).
        #[cfg(feature = "blocking")]
        #[inline]
        pub fn all_items_blocking(self) -> crate::BlockingItems<#item> {
            crate::runtime::BlockingItems::new(self.client.clone(), self.all_items())
        }
    })
}
