//! `src/lib.rs` and one module per operation group: a handle per group
//! (`client.import_storage().s3()`) and a builder per operation ending in `.send().await`.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::docs::{doc_attrs, doc_line, paragraphs};
use super::file::{Emitted, ident, rust_file};
use super::types::{FieldShape, field_exists, limit_check, rust_type};
use crate::error::{Error, Result};
use crate::ir::{
    Api, Body, Field, FormEncoding, FormField, LastPage, Operation, Param, PathPart, Response, TypeKind, TypeRef,
};

/// A node of the group tree: its operations and child groups.
#[derive(Default)]
struct Group<'a> {
    operations: Vec<&'a Operation>,
    children: Vec<String>,
}

fn group_tree(api: &Api) -> BTreeMap<Vec<String>, Group<'_>> {
    let mut tree: BTreeMap<Vec<String>, Group<'_>> = BTreeMap::new();
    tree.entry(Vec::new()).or_default();
    for op in &api.operations {
        for depth in 1..=op.group.len() {
            let path = op.group[..depth].to_vec();
            let parent = tree.entry(op.group[..depth - 1].to_vec()).or_default();
            if !parent.children.contains(&path[depth - 1]) {
                parent.children.push(path[depth - 1].clone());
            }
            tree.entry(path).or_default();
        }
        tree.entry(op.group.clone()).or_default().operations.push(op);
    }
    tree
}

fn handle_name(segment: &str) -> Result<Ident> {
    ident(&format!("{}Api", crate::naming::type_name(segment)))
}

/// The group tree, built once and shared by the threads that emit its modules.
pub struct Groups<'a> {
    tree: BTreeMap<Vec<String>, Group<'a>>,
}

impl<'a> Groups<'a> {
    pub fn new(api: &'a Api) -> Groups<'a> {
        Groups { tree: group_tree(api) }
    }

    /// Module paths; the root (`src/lib.rs`) is the empty path.
    pub fn paths(&self) -> impl Iterator<Item = &Vec<String>> {
        self.tree.keys()
    }

    /// The file for one module of the tree.
    pub fn emit(&self, api: &Api, path: &[String]) -> Result<Emitted> {
        let Some(group) = self.tree.get(path) else {
            return Err(Error::Emit {
                file: path.join("/"),
                message: "no such group".to_owned(),
            });
        };
        if path.is_empty() {
            return emit_lib(api, group);
        }
        let file = if group.children.is_empty() {
            format!("src/{}.rs", path.join("/"))
        } else {
            format!("src/{}/mod.rs", path.join("/"))
        };
        Ok(rust_file(&file, emit_group(api, path, group)?))
    }
}

fn emit_lib(api: &Api, root: &Group<'_>) -> Result<Emitted> {
    let example = api
        .operations
        .first()
        .map(|op| format!(" (`client.{}().{}(..)`)", op.group.join("()."), op.method_name))
        .unwrap_or_default();
    let usage = format!(
        "Generated from the API's OpenAPI description: start at [`Client`], pick a group of calls{example}, set what you need on the builder, then `.send().await`."
    );
    let title = format!(
        "A typed client for {}{}.",
        api.title.trim(),
        if api.version.trim().is_empty() {
            String::new()
        } else {
            format!(" {}", api.version.trim())
        }
    );
    let crate_docs = paragraphs([Some(title.as_str()), api.description.as_deref(), Some(usage.as_str())]);
    let crate_docs = super::docs::sanitize(&crate_docs);
    let crate_docs = crate_docs.lines().map(|l| {
        let l = if l.is_empty() { String::new() } else { format!(" {l}") };
        quote!(#![doc = #l])
    });
    let mut modules = Vec::new();
    let mut accessors = Vec::new();
    for child in &root.children {
        let module = ident(child)?;
        let handle = handle_name(child)?;
        let doc = format!("Calls in the `{child}` group.");
        let doc = doc_line(&doc);
        modules.push(quote!(#doc pub mod #module;));
        accessors.push(quote! {
            #doc
            pub fn #module(&self) -> #module::#handle {
                #module::#handle::new(self.clone())
            }
        });
    }
    if !root.operations.is_empty() {
        return Err(Error::Emit {
            file: "src/lib.rs".to_owned(),
            message: "operations without a group".to_owned(),
        });
    }
    let api_key = match &api.auth.api_key {
        Some(key) => {
            let (header, prefix) = (&key.header, &key.prefix);
            quote!(Some(runtime::ApiKeyInfo { header: #header, prefix: #prefix }))
        }
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
    let redaction_tests = super::redaction::applies(api).then(|| {
        quote! {
            #[cfg(test)]
            mod redaction_tests;
        }
    });
    let tokens = quote! {
        #(#crate_docs)*
        #![forbid(unsafe_code)]
        #![warn(missing_docs)]
        // Descriptions are written for web pages; their links, HTML and list layout are
        // the API authors' and kept as they wrote them.
        #![allow(rustdoc::bare_urls, rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]
        #![allow(clippy::doc_overindented_list_items, clippy::doc_lazy_continuation)]

        mod runtime;
        pub mod models;
        #(#modules)*
        #redaction_tests

        pub use runtime::{ApiError, Auth, Client, ClientBuilder, DecodeError, Error, ErrorBody, FilePart, InvalidRequest, Nullable, Response, RetryPolicy, Violation};

        /// What the runtime needs to know about this API.
        const API: runtime::ApiInfo = runtime::ApiInfo {
            api_key: #api_key,
            token_exchange: #exchange,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
        };

        impl Client {
            #(#accessors)*
        }
    };
    Ok(rust_file("src/lib.rs", tokens))
}

fn emit_group(api: &Api, path: &[String], group: &Group<'_>) -> Result<TokenStream> {
    let segment = path.last().map(String::as_str).unwrap_or_default();
    let handle = handle_name(segment)?;
    let mut modules = Vec::new();
    let mut methods = Vec::new();
    for child in &group.children {
        let module = ident(child)?;
        let child_handle = handle_name(child)?;
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
    let mut builders = Vec::new();
    for op in &group.operations {
        let (method, builder) = emit_operation(api, &handle, op)?;
        methods.push(method);
        builders.push(builder);
    }
    let mut module_doc = vec![format!(" Calls in the `{}` group.", path.join("::"))];
    if let Some(example) = group.operations.iter().find_map(|op| example_call(api, op)) {
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
    Ok(quote! {
        #(#module_doc)*
        #(#modules)*

        #handle_doc
        #[derive(Clone, Debug)]
        pub struct #handle {
            client: crate::Client,
        }

        impl #handle {
            pub(crate) fn new(client: crate::Client) -> Self {
                Self { client }
            }

            #(#methods)*
        }

        #(#builders)*
    })
}

/// What each builder argument or setter needs to know.
struct Input<'a> {
    name: Ident,
    ty: &'a TypeRef,
    docs: String,
    kind: InputKind<'a>,
}

/// Where a parameter goes in the request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Path,
    Query,
    Header,
}

enum InputKind<'a> {
    Param(&'a Param, Place),
    FormField(&'a FormField),
    BodyField(&'a Field, FieldShape, Option<Ident>),
}

fn emit_operation(api: &Api, handle: &Ident, op: &Operation) -> Result<(TokenStream, TokenStream)> {
    let method = ident(&op.method_name)?;
    let builder = ident(&format!("{}Builder", crate::naming::type_name(&op.method_name)))?;
    let http = op.http_method.as_str();
    let call_doc = format!("`{http} {}` (operation `{}`).", op.path, op.id);
    let errors_doc = errors_doc(op);
    let docs = doc_attrs(&paragraphs([
        op.summary.as_deref(),
        op.description.as_deref(),
        Some(call_doc.as_str()),
        errors_doc.as_deref(),
    ]));

    let body_def = match &op.body {
        Some(Body::Fields { type_name, fields }) => {
            let def = api
                .type_def(type_name)
                .ok_or_else(|| emit_error(op, "body type missing"))?;
            let TypeKind::Struct(shape) = &def.kind else {
                return Err(emit_error(op, "body type is not a struct"));
            };
            Some((fields, def, shape))
        }
        _ => None,
    };

    let mut inputs = Vec::new();
    let places = [
        (&op.path_params, Place::Path),
        (&op.query_params, Place::Query),
        (&op.header_params, Place::Header),
    ];
    for (param, place) in places
        .iter()
        .flat_map(|(params, place)| params.iter().map(move |p| (p, *place)))
    {
        inputs.push(Input {
            name: ident(&param.rust_name)?,
            ty: &param.ty,
            docs: param_docs(param),
            kind: InputKind::Param(param, place),
        });
    }
    if let Some((body_fields, def, shape)) = body_def {
        for bf in body_fields {
            let field = shape
                .fields
                .iter()
                .find(|f| f.rust_name == bf.field)
                .ok_or_else(|| emit_error(op, "body field missing"))?;
            let null_setter = bf.null_setter.as_deref().map(ident).transpose()?;
            inputs.push(Input {
                name: ident(&bf.arg_name)?,
                ty: &field.ty,
                docs: super::types::setter_docs(field, def.usage),
                kind: InputKind::BodyField(field, FieldShape::of(field, def.usage), null_setter),
            });
        }
    }
    if let Some(Body::Form { fields, .. }) = &op.body {
        for field in fields {
            inputs.push(Input {
                name: ident(&field.arg_name)?,
                ty: &field.ty,
                docs: field
                    .docs
                    .clone()
                    .unwrap_or_else(|| format!("The `{}` form field.", field.wire_name)),
                kind: InputKind::FormField(field),
            });
        }
    }
    let is_arg = |input: &Input<'_>| match &input.kind {
        InputKind::Param(p, _) => p.required,
        InputKind::FormField(f) => f.required,
        InputKind::BodyField(f, _, _) => f.required,
    };

    // The group method: required inputs are arguments, the rest start unset.
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut members = Vec::new();
    let mut setters = Vec::new();
    let mut body_inits = Vec::new();
    for input in &inputs {
        let name = &input.name;
        let (param_ty, convert) = match &input.kind {
            InputKind::FormField(f) if f.file => (quote!(crate::FilePart), quote!(#name)),
            _ => setter_input(input.ty, name),
        };
        match &input.kind {
            InputKind::FormField(field) => {
                let ty = if field.file {
                    quote!(crate::FilePart)
                } else {
                    rust_type(&field.ty)
                };
                if is_arg(input) {
                    args.push(quote!(#name: #param_ty));
                    inits.push(if *name == convert.to_string() {
                        quote!(#name)
                    } else {
                        quote!(#name: #convert)
                    });
                    members.push(quote!(#name: #ty,));
                } else {
                    inits.push(quote!(#name: None));
                    members.push(quote!(#name: Option<#ty>,));
                    let docs = doc_attrs(&input.docs);
                    setters.push(quote! {
                        #docs
                        pub fn #name(mut self, #name: #param_ty) -> Self {
                            self.#name = Some(#convert);
                            self
                        }
                    });
                }
            }
            InputKind::Param(param, _) => {
                let ty = rust_type(&param.ty);
                if is_arg(input) {
                    args.push(quote!(#name: #param_ty));
                    inits.push(if *name == convert.to_string() {
                        quote!(#name)
                    } else {
                        quote!(#name: #convert)
                    });
                    members.push(quote!(#name: #ty,));
                } else {
                    inits.push(quote!(#name: None));
                    members.push(quote!(#name: Option<#ty>,));
                    let docs = doc_attrs(&input.docs);
                    setters.push(quote! {
                        #docs
                        pub fn #name(mut self, #name: #param_ty) -> Self {
                            self.#name = Some(#convert);
                            self
                        }
                    });
                }
            }
            InputKind::BodyField(field, shape, null_setter) => {
                let member = ident(&field.rust_name)?;
                let convert = if field.boxed {
                    quote!(Box::new(#convert))
                } else {
                    convert
                };
                if is_arg(input) {
                    if *shape == FieldShape::Plain {
                        args.push(quote!(#name: #param_ty));
                        body_inits.push(if member == convert.to_string() {
                            quote!(#member)
                        } else {
                            quote!(#member: #convert)
                        });
                    } else {
                        let ty = rust_type(input.ty);
                        args.push(quote!(#name: Option<#ty>));
                        let value = if field.boxed {
                            quote!(#name.map(Box::new))
                        } else {
                            quote!(#name)
                        };
                        body_inits.push(if member == value.to_string() {
                            quote!(#member)
                        } else {
                            quote!(#member: #value)
                        });
                    }
                    continue;
                }
                let docs = doc_attrs(&input.docs);
                let wrapped = match shape {
                    FieldShape::OptionalNullable => quote!(Some(crate::Nullable::Value(#convert))),
                    _ => quote!(Some(#convert)),
                };
                setters.push(quote! {
                    #docs
                    pub fn #name(mut self, #name: #param_ty) -> Self {
                        self.body.#member = #wrapped;
                        self
                    }
                });
                if let Some(null_setter) = null_setter {
                    let doc = doc_line(&format!(
                        "Sends `{}: null`, clearing the value on the server.",
                        field.wire_name
                    ));
                    setters.push(quote! {
                        #doc
                        pub fn #null_setter(mut self) -> Self {
                            self.body.#member = Some(crate::Nullable::Null);
                            self
                        }
                    });
                }
            }
        }
    }

    if let Some((_, def, shape)) = body_def {
        let body_ty = ident(&def.name)?;
        let all_defaulted = body_inits.is_empty();
        let body_value = if all_defaulted {
            quote!(Default::default())
        } else {
            for field in shape.fields.iter().filter(|f| field_exists(f, def.usage)) {
                let member = ident(&field.rust_name)?;
                let is_input = inputs.iter().any(|i| {
                    matches!(&i.kind, InputKind::BodyField(f, _, _) if f.rust_name == field.rust_name) && is_arg(i)
                });
                if !is_input {
                    body_inits.push(quote!(#member: None));
                }
            }
            quote!(crate::models::#body_ty { #(#body_inits),* })
        };
        inits.push(quote!(body: #body_value));
        members.push(quote!(body: crate::models::#body_ty,));
        setters.push(quote! {
            /// Replaces the whole request body, including anything set before.
            pub fn body(mut self, body: crate::models::#body_ty) -> Self {
                self.body = body;
                self
            }
        });
    }

    if let Some(Body::Raw { text, required, .. }) = &op.body {
        let ty = if *text { quote!(String) } else { quote!(Vec<u8>) };
        let (param, convert) = (quote!(impl Into<#ty>), quote!(body.into()));
        if *required {
            args.push(quote!(body: #param));
            inits.push(quote!(body: #convert));
            members.push(quote!(body: #ty,));
        } else {
            inits.push(quote!(body: None));
            members.push(quote!(body: Option<#ty>,));
        }
        let store = if *required {
            quote!(#convert)
        } else {
            quote!(Some(#convert))
        };
        setters.push(quote! {
            /// Sets the request body.
            pub fn body(mut self, body: #param) -> Self {
                self.body = #store;
                self
            }
        });
    }
    if let Some(Body::Whole { ty, required }) = &op.body {
        let ty = rust_type(ty);
        if *required {
            args.push(quote!(body: #ty));
            inits.push(quote!(body));
            members.push(quote!(body: #ty,));
            setters.push(quote! {
                /// Replaces the request body.
                pub fn body(mut self, body: #ty) -> Self {
                    self.body = body;
                    self
                }
            });
        } else {
            inits.push(quote!(body: None));
            members.push(quote!(body: Option<#ty>,));
            setters.push(quote! {
                /// Sets the request body (none is sent otherwise).
                pub fn body(mut self, body: #ty) -> Self {
                    self.body = Some(body);
                    self
                }
            });
        }
    }

    let too_many = (args.len() > 6).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let group_method = quote! {
        #docs
        #too_many
        pub fn #method(&self, #(#args),*) -> #builder {
            #builder {
                client: self.client.clone(),
                #(#inits),*
            }
        }
    };

    let send = emit_send(api, op, &inputs)?;
    let builder_doc = doc_line(&format!(
        "Builder for [`{handle}::{method}`]: `{http} {}`. Set what you need, then call [`send`](Self::send).",
        op.path
    ));
    let builder_tokens = quote! {
        #builder_doc
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until `.send().await`"]
        pub struct #builder {
            client: crate::Client,
            #(#members)*
        }

        impl #builder {
            #(#setters)*
            #send
        }
    };
    Ok((group_method, builder_tokens))
}

fn emit_send(api: &Api, op: &Operation, inputs: &[Input<'_>]) -> Result<TokenStream> {
    let mut checks = Vec::new();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    let mut path_args = Vec::new();
    for input in inputs {
        let InputKind::Param(param, place) = &input.kind else {
            continue;
        };
        let name = &input.name;
        let wire = &param.wire_name;
        if let Some(check) = limit_check(wire, &param.ty, &param.limits, quote!(value)) {
            checks.push(if param.required {
                quote! { { let value = &self.#name; #check } }
            } else {
                quote! { if let Some(value) = &self.#name { #check } }
            });
        }
        let (list, list_name) = match place {
            Place::Path => continue,
            Place::Query => (&mut query, quote!(query_pairs)),
            Place::Header => (&mut headers, quote!(header_pairs)),
        };
        let push = match &param.ty {
            TypeRef::Array(_) => {
                quote! { for item in value { #list_name.push((#wire, crate::runtime::param_text(item))); } }
            }
            _ => quote! { #list_name.push((#wire, crate::runtime::param_text(value))); },
        };
        list.push(if param.required {
            quote! { { let value = &self.#name; #push } }
        } else {
            quote! { if let Some(value) = &self.#name { #push } }
        });
    }
    // Each parameter is encoded into a local first, so `format!` reads like the template.
    let mut format = String::new();
    for part in &op.path_parts {
        match part {
            PathPart::Literal(text) => format.push_str(&text.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(i) => {
                let param = &op.path_params[*i];
                let name = ident(&param.rust_name)?;
                format.push_str(&format!("{{{name}}}"));
                path_args
                    .push(quote!(let #name = crate::runtime::path_segment(&crate::runtime::param_text(&self.#name));));
            }
        }
    }
    let path = if path_args.is_empty() {
        quote!(#format.to_owned())
    } else {
        quote!(format!(#format))
    };
    let headers_value = if headers.is_empty() {
        quote!(Vec::new())
    } else {
        quote!({
            let mut header_pairs = Vec::new();
            #(#headers)*
            header_pairs
        })
    };
    let query_value = if query.is_empty() {
        quote!(Vec::new())
    } else {
        quote!({
            let mut query_pairs = Vec::new();
            #(#query)*
            query_pairs
        })
    };
    let (validate_body, body) = match &op.body {
        Some(Body::Fields { .. }) => (
            quote!(self.body.validate()?;),
            quote!(Some(crate::runtime::to_json(&self.body)?)),
        ),
        Some(Body::Whole { ty, required: true }) => {
            let check = super::types::nested_check(api, "", ty, quote!(value));
            let check = check.map(|check| quote!({ let value = &self.body; #check }));
            (quote!(#check), quote!(Some(crate::runtime::to_json(&self.body)?)))
        }
        Some(Body::Whole { ty, required: false }) => {
            let check = super::types::nested_check(api, "", ty, quote!(value));
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
        Some(Body::Form { encoding, fields }) => {
            let mut pushes = Vec::new();
            for field in fields {
                let name = ident(&field.arg_name)?;
                let wire = &field.wire_name;
                let part = if field.file {
                    quote!(crate::runtime::Part::File(#wire, value))
                } else {
                    quote!(crate::runtime::Part::Text(#wire, crate::runtime::param_text(&value)))
                };
                pushes.push(if field.required {
                    quote! { { let value = self.#name; form_parts.push(#part); } }
                } else {
                    quote! { if let Some(value) = self.#name { form_parts.push(#part); } }
                });
            }
            let encode = match encoding {
                FormEncoding::Multipart => quote!(crate::runtime::RequestBody::multipart(form_parts)),
                FormEncoding::UrlEncoded => quote!(crate::runtime::RequestBody::url_encoded(form_parts)),
            };
            (
                quote!(let mut form_parts = Vec::new(); #(#pushes)*),
                quote!(Some(#encode)),
            )
        }
        None => (TokenStream::new(), quote!(None)),
    };
    let method = format_ident!("{}", op.http_method.as_str());
    let authenticated = op.authenticated;
    let (output, finish) = match &op.response {
        Response::Json(ty) => (rust_type(ty), quote!(.json())),
        Response::JsonOrEmpty(ty) => {
            let ty = rust_type(ty);
            (quote!(Option<#ty>), quote!(.json_or_empty()))
        }
        Response::Text { .. } => (quote!(String), quote!(.text())),
        Response::Bytes { .. } => (quote!(Vec<u8>), quote!(.bytes())),
        Response::Empty => (quote!(()), quote!(.empty())),
    };
    let accept = op.response.accept();
    let pages = op.pagination.as_ref().map(|p| -> Result<TokenStream> {
        let page = ident(&p.page_setter)?;
        let results = ident(&p.results_field)?;
        let item = rust_type(&p.item);
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
        })
    });
    let pages = pages.transpose()?;
    let operation = &op.id;
    Ok(quote! {
        #pages

        /// Checks documented limits, sends the request and decodes the reply.
        pub fn send(self) -> impl ::std::future::Future<Output = Result<#output, crate::Error>> {
            crate::runtime::ValueOf::new(self.send_with_response())
        }

        /// Like [`send`](Self::send), and also gives the status, headers and raw body
        /// the server sent.
        pub async fn send_with_response(self) -> Result<crate::Response<#output>, crate::Error> {
            #(#checks)*
            #validate_body
            #(#path_args)*
            let request_spec = crate::runtime::RequestSpec {
                operation: #operation,
                method: ::reqwest::Method::#method,
                path: #path,
                query: #query_value,
                headers: #headers_value,
                body: #body,
                accept: #accept,
                authenticated: #authenticated,
            };
            self.client.execute(request_spec).await? #finish
        }
    })
}

/// A compiled (`no_run`) example calling `op`, or `None` if an argument has no
/// obvious placeholder value.
fn example_call(api: &Api, op: &Operation) -> Option<String> {
    let mut args = Vec::new();
    for param in op
        .path_params
        .iter()
        .chain(&op.query_params)
        .chain(&op.header_params)
        .filter(|p| p.required)
    {
        args.push(example_value(api, &param.ty)?);
    }
    match &op.body {
        Some(Body::Fields { type_name, fields }) => {
            let TypeKind::Struct(shape) = &api.type_def(type_name)?.kind else {
                return None;
            };
            for bf in fields {
                let field = shape.fields.iter().find(|f| f.rust_name == bf.field)?;
                if field.required {
                    let value = example_value(api, &field.ty)?;
                    args.push(if field.nullable {
                        format!("Some({value})")
                    } else {
                        value
                    });
                }
            }
        }
        Some(Body::Whole { ty, required: true }) => args.push(example_value(api, ty)?),
        Some(Body::Form { fields, .. }) => {
            for field in fields.iter().filter(|f| f.required) {
                args.push(if field.file {
                    format!("{}::FilePart::new(\"data.json\", b\"[]\".to_vec())", crate_ident(api))
                } else {
                    example_value(api, &field.ty)?
                });
            }
        }
        Some(Body::Raw {
            text, required: true, ..
        }) => args.push(if *text {
            "\"text\"".to_owned()
        } else {
            "b\"bytes\".to_vec()".to_owned()
        }),
        _ => {}
    }
    let krate = crate_ident(api);
    let auth = if api.auth.api_key.is_some() {
        "Auth::api_key(\"YOUR_API_KEY\")"
    } else {
        "Auth::none()"
    };
    let call = format!(
        "client.{}().{}({})",
        op.group.join("()."),
        op.method_name,
        args.join(", ")
    );
    Some(format!(
        "```no_run\n# async fn example() -> Result<(), {krate}::Error> {{\nuse {krate}::{{Auth, Client}};\n\n\
         let client = Client::new(\"http://localhost:8080\", {auth})?;\nlet reply = {call}.send().await?;\n\
         println!(\"{{reply:?}}\");\n# Ok(())\n# }}\n```"
    ))
}

fn crate_ident(api: &Api) -> String {
    api.krate.name.replace('-', "_")
}

/// Rust source for a placeholder value of `ty`, for examples.
fn example_value(api: &Api, ty: &TypeRef) -> Option<String> {
    let krate = crate_ident(api);
    Some(match ty {
        TypeRef::Bool => "true".to_owned(),
        TypeRef::Int(_) => "1".to_owned(),
        TypeRef::Float(_) => "1.0".to_owned(),
        TypeRef::String => "\"example\"".to_owned(),
        TypeRef::DateTime => "chrono::Utc::now()".to_owned(),
        TypeRef::Date => "chrono::Utc::now().date_naive()".to_owned(),
        TypeRef::Json => "serde_json::json!({})".to_owned(),
        TypeRef::Array(_) => "Vec::new()".to_owned(),
        TypeRef::Map(_) => "Default::default()".to_owned(),
        TypeRef::Named(name) => match &api.type_def(name)?.kind {
            TypeKind::StringEnum(e) => format!("{krate}::models::{name}::from({:?})", e.variants.first()?.wire),
            TypeKind::IntEnum(e) => format!("{krate}::models::{name}::from({})", e.variants.first()?.value),
            TypeKind::Struct(s) if s.fields.iter().all(|f| !f.required || f.read_only) => {
                format!("{krate}::models::{name}::default()")
            }
            _ => return None,
        },
    })
}

/// "Documented errors: 400 (body: [`X`]), 404." — for the operation's docs.
fn errors_doc(op: &Operation) -> Option<String> {
    if op.errors.is_empty() {
        return None;
    }
    let listed: Vec<String> = op
        .errors
        .iter()
        .map(|e| {
            let description = e.description.trim();
            let description = if description.is_empty() { String::new() } else { format!(" {description}") };
            match &e.body {
                Some(TypeRef::Named(name)) => format!(
                    "- `{}`{description}: the body decodes with `ApiError::body_as::<`[`{name}`](crate::models::{name})`>()`",
                    e.status
                ),
                _ => format!("- `{}`{description}", e.status),
            }
        })
        .collect();
    Some(format!(
        "Documented error replies (returned as [`Error::Api`](crate::Error::Api)):\n{}",
        listed.join("\n")
    ))
}

/// The input's parameter type and how `var` becomes the stored value.
fn setter_input(ty: &TypeRef, var: &Ident) -> (TokenStream, TokenStream) {
    match ty {
        TypeRef::String => (quote!(impl Into<String>), quote!(#var.into())),
        other => (rust_type(other), quote!(#var)),
    }
}

fn param_docs(param: &Param) -> String {
    let limits = super::types::limits_doc(&param.limits).map(|l| format!("{l} Checked before sending."));
    let docs = paragraphs([param.docs.as_deref(), limits.as_deref()]);
    if docs.is_empty() {
        format!("The `{}` parameter.", param.wire_name)
    } else {
        docs
    }
}

fn emit_error(op: &Operation, message: &str) -> Error {
    Error::Emit {
        file: op.origin.clone(),
        message: message.to_owned(),
    }
}
