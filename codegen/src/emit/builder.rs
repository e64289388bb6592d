//! One operation's builder, emitted from its plan ([`super::plan`]) in small pieces:
//! the group method, the builder struct and its setters here, `send` in
//! [`super::send`].

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::call_docs::errors_doc;
use super::docs::{doc_attrs, doc_line, paragraphs};
use super::file::ident;
use super::plan::{BuilderPlan, FieldsBody, Input, InputKind};
use super::rust_type::{FieldShape, field_exists, rust_type};
use crate::error::Result;
use crate::ir::{Api, Body, Field, Operation, TypeRef};

/// The pieces of a builder, gathered input by input.
#[derive(Default)]
struct Pieces {
    /// Arguments of the group method.
    args: Vec<TokenStream>,
    /// Initialisers of the builder's members in the group method.
    inits: Vec<TokenStream>,
    members: Vec<TokenStream>,
    /// Each member as `Debug` shows it (`.field(..)` calls), credentials redacted.
    debug_fields: Vec<TokenStream>,
    /// Some member holds a credential: `Debug` is written out, not derived.
    redacts: bool,
    setters: Vec<TokenStream>,
    /// Initialisers of the body struct's fields (fields bodies only).
    body_inits: Vec<TokenStream>,
}

impl Pieces {
    /// A member of the builder, shown in `Debug` as it is.
    fn member(&mut self, name: &TokenStream, ty: TokenStream) {
        self.members.push(quote!(#name: #ty,));
        let label = name.to_string();
        self.debug_fields.push(quote!(.field(#label, &self.#name)));
    }

    /// A member holding a credential: `Debug` shows `<redacted>`, or for an `Option`
    /// (`optional`) `None` / `Some(<redacted>)`, so whether it is set still shows.
    fn secret_member(&mut self, name: &TokenStream, ty: TokenStream, optional: bool) {
        self.members.push(quote!(#name: #ty,));
        let label = name.to_string();
        let shown = match optional {
            false => quote!(&crate::runtime::Redacted),
            true => quote!(&self.#name.as_ref().map(|_| crate::runtime::Redacted)),
        };
        self.debug_fields.push(quote!(.field(#label, #shown)));
        self.redacts = true;
    }
}

/// The group method (`client.group().call(args..)`) and the builder it returns.
pub fn emit_operation(api: &Api, handle: &Ident, op: &Operation) -> Result<(TokenStream, TokenStream)> {
    let plan = BuilderPlan::new(api, op)?;
    let mut pieces = Pieces::default();
    for input in &plan.inputs {
        match &input.kind {
            InputKind::Param(param, _) => stored_input(api, input, rust_type(api, &param.ty), &mut pieces),
            InputKind::FormField(field) if field.files => {
                stored_input(api, input, quote!(Vec<crate::FilePart>), &mut pieces)
            }
            InputKind::FormField(field) if field.file => stored_input(api, input, quote!(crate::FilePart), &mut pieces),
            InputKind::FormField(field) => stored_input(api, input, rust_type(api, &field.ty), &mut pieces),
            InputKind::BodyField(field, shape, null_setter) => {
                body_field_input(api, input, field, *shape, null_setter.as_ref(), &mut pieces)?
            }
        }
    }
    if let Some(body) = &plan.fields_body {
        fields_body_member(&plan, body, &mut pieces)?;
    }
    match &op.body {
        Some(Body::Raw { text, required, .. }) => raw_body_member(*text, *required, &mut pieces),
        Some(Body::Whole { ty, required }) => whole_body_member(api, ty, *required, &mut pieces),
        Some(Body::Parts { required }) => parts_body_member(*required, &mut pieces),
        _ => {}
    }
    let group_method = group_method(api, &plan, &pieces);
    let send = super::send::emit_send(api, &plan)?;
    // `returns` and `fails` (feature `mock`) follow `send` and its kin.
    let mock = super::mock::mock_methods(api, &plan.op.response);
    let builder = builder_struct(&plan, handle, pieces, quote!(#send #mock));
    Ok((group_method, builder))
}

fn group_method(api: &Api, plan: &BuilderPlan<'_>, pieces: &Pieces) -> TokenStream {
    let op = plan.op;
    let call_doc = format!("`{} {}` (operation `{}`).", op.http_method.as_str(), op.path, op.id);
    let errors_doc = errors_doc(api, op);
    let stream_doc = stream_doc(op);
    let docs = doc_attrs(&paragraphs([
        op.summary.as_deref(),
        op.description.as_deref(),
        Some(call_doc.as_str()),
        stream_doc.as_deref(),
        errors_doc.as_deref(),
    ]));
    let (method, builder) = (&plan.method, &plan.builder);
    let (args, inits) = (&pieces.args, &pieces.inits);
    let too_many = (args.len() > 6).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #docs
        #too_many
        pub fn #method(&self, #(#args),*) -> #builder {
            #builder {
                client: self.client.clone(),
                options: None,
                #(#inits),*
            }
        }
    }
}

/// What a streamed call gives, and the body flags a call sets itself.
fn stream_doc(op: &Operation) -> Option<String> {
    let flags: Vec<String> = op
        .body_flags
        .iter()
        .map(|(name, value)| format!("`{name}: {value}`"))
        .collect();
    let sent = (!flags.is_empty()).then(|| format!("The body is sent with {}.", flags.join(", ")));
    match &op.response {
        crate::ir::Response::Stream { media_type, .. } => Some(format!(
            "Streams the reply (`{media_type}`): `send()` gives the events as they arrive. {}",
            sent.unwrap_or_default()
        )),
        _ => sent,
    }
}

fn builder_struct(plan: &BuilderPlan<'_>, handle: &Ident, pieces: Pieces, send: TokenStream) -> TokenStream {
    let (method, builder) = (&plan.method, &plan.builder);
    let builder_doc = doc_line(&format!(
        "Builder for [`{handle}::{method}`]: `{} {}`. Set what you need, then call [`send`](Self::send).",
        plan.op.http_method.as_str(),
        plan.op.path
    ));
    let (members, setters) = (pieces.members, pieces.setters);
    let (derives, debug) = match pieces.redacts {
        false => (quote!(#[derive(Clone, Debug)]), None),
        true => (
            quote!(#[derive(Clone)]),
            Some(redacting_debug(builder, &pieces.debug_fields)),
        ),
    };
    quote! {
        #builder_doc
        #derives
        #[must_use = "nothing is sent until `.send().await`"]
        pub struct #builder {
            client: crate::runtime::Client,
            options: Option<crate::CallOptions>,
            #(#members)*
        }

        #debug

        impl #builder {
            #(#setters)*

            /// Settings for this call alone: timeout, extra headers and query pairs,
            /// retries, an `Idempotency-Key`.
            pub fn options(mut self, options: crate::CallOptions) -> Self {
                self.options = Some(options);
                self
            }

            #send
        }
    }
}

/// A builder's `Debug` that shows its credentials as `<redacted>`.
fn redacting_debug(builder: &Ident, fields: &[TokenStream]) -> TokenStream {
    let label = builder.to_string();
    quote! {
        impl ::std::fmt::Debug for #builder {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label)
                    .field("client", &self.client)
                    .field("options", &self.options)
                    #(#fields)*
                    .finish()
            }
        }
    }
}

/// A parameter or form field: a member of the builder, set by argument or setter.
fn stored_input(api: &Api, input: &Input<'_>, ty: TokenStream, pieces: &mut Pieces) {
    let name = &input.name;
    let (param_ty, convert) = setter_input(api, input);
    let sensitive = match input.kind {
        InputKind::Param(param, _) => param.sensitive,
        InputKind::FormField(field) => field.sensitive,
        InputKind::BodyField(..) => false,
    };
    if input.argument {
        pieces.args.push(quote!(#name: #param_ty));
        pieces.inits.push(member_init(name, &convert));
        match sensitive {
            true => pieces.secret_member(&quote!(#name), ty, false),
            false => pieces.member(&quote!(#name), ty),
        }
    } else {
        pieces.inits.push(quote!(#name: None));
        match sensitive {
            true => pieces.secret_member(&quote!(#name), quote!(Option<#ty>), true),
            false => pieces.member(&quote!(#name), quote!(Option<#ty>)),
        }
        let docs = doc_attrs(&input.docs);
        pieces
            .setters
            .push(setter(docs, name, &param_ty, quote!(self.#name = Some(#convert);)));
    }
}

/// A field of the body struct: an argument initialising it, or a setter (and, for a
/// nullable one, a setter sending `null`).
fn body_field_input(
    api: &Api,
    input: &Input<'_>,
    field: &Field,
    shape: FieldShape,
    null_setter: Option<&Ident>,
    pieces: &mut Pieces,
) -> Result<()> {
    let name = &input.name;
    let member = ident(&field.rust_name)?;
    let (param_ty, convert) = setter_input(api, input);
    let convert = if field.boxed {
        quote!(Box::new(#convert))
    } else {
        convert
    };
    if input.argument {
        if shape == FieldShape::Plain {
            pieces.args.push(quote!(#name: #param_ty));
            pieces.body_inits.push(member_init(&member, &convert));
        } else {
            let ty = rust_type(api, input.ty);
            pieces.args.push(quote!(#name: Option<#ty>));
            let value = if field.boxed {
                quote!(#name.map(Box::new))
            } else {
                quote!(#name)
            };
            pieces.body_inits.push(member_init(&member, &value));
        }
        return Ok(());
    }
    let wrapped = match shape {
        FieldShape::OptionalNullable => quote!(Some(crate::Nullable::Value(#convert))),
        _ => quote!(Some(#convert)),
    };
    let docs = doc_attrs(&input.docs);
    pieces
        .setters
        .push(setter(docs, name, &param_ty, quote!(self.body.#member = #wrapped;)));
    if let Some(null_setter) = null_setter {
        let doc = doc_line(&format!(
            "Sends `{}: null`, clearing the value on the server.",
            field.wire_name
        ));
        pieces.setters.push(quote! {
            #doc
            pub fn #null_setter(mut self) -> Self {
                self.body.#member = Some(crate::Nullable::Null);
                self
            }
        });
    }
    Ok(())
}

/// The builder's `body` member for a fields body, started from the required arguments.
fn fields_body_member(plan: &BuilderPlan<'_>, body: &FieldsBody<'_>, pieces: &mut Pieces) -> Result<()> {
    let body_ty = ident(&body.def.name)?;
    let body_value = if pieces.body_inits.is_empty() {
        quote!(Default::default())
    } else {
        for field in body.shape.fields.iter().filter(|f| field_exists(f)) {
            let is_argument = plan.inputs.iter().any(|i| {
                i.argument && matches!(&i.kind, InputKind::BodyField(f, _, _) if f.rust_name == field.rust_name)
            });
            if !is_argument {
                let member = ident(&field.rust_name)?;
                pieces.body_inits.push(quote!(#member: None));
            }
        }
        if let Some(additional) = &body.shape.additional {
            let member = ident(&additional.rust_name)?;
            pieces.body_inits.push(quote!(#member: Default::default()));
        }
        let body_inits = &pieces.body_inits;
        quote!(crate::models::#body_ty { #(#body_inits),* })
    };
    pieces.inits.push(quote!(body: #body_value));
    pieces.member(&quote!(body), quote!(crate::models::#body_ty));
    pieces.setters.push(quote! {
        /// Replaces the whole request body, including anything set before.
        pub fn body(mut self, body: crate::models::#body_ty) -> Self {
            self.body = body;
            self
        }
    });
    Ok(())
}

/// A body that is not JSON: `String` for text, otherwise an `Upload` (bytes, or a file
/// or stream read as it is sent).
fn raw_body_member(text: bool, required: bool, pieces: &mut Pieces) {
    let ty = if text { quote!(String) } else { quote!(crate::Upload) };
    let (param, convert) = (quote!(impl Into<#ty>), quote!(body.into()));
    if required {
        pieces.args.push(quote!(body: #param));
        pieces.inits.push(quote!(body: #convert));
        pieces.member(&quote!(body), quote!(#ty));
    } else {
        pieces.inits.push(quote!(body: None));
        pieces.member(&quote!(body), quote!(Option<#ty>));
    }
    let store = if required {
        quote!(#convert)
    } else {
        quote!(Some(#convert))
    };
    pieces.setters.push(quote! {
        /// Sets the request body.
        pub fn body(mut self, body: #param) -> Self {
            self.body = #store;
            self
        }
    });
}

/// A multipart body the caller builds part by part.
fn parts_body_member(required: bool, pieces: &mut Pieces) {
    if required {
        pieces.args.push(quote!(body: crate::Form));
        pieces.inits.push(quote!(body));
        pieces.member(&quote!(body), quote!(crate::Form));
    } else {
        pieces.inits.push(quote!(body: None));
        pieces.member(&quote!(body), quote!(Option<crate::Form>));
    }
    let store = if required { quote!(body) } else { quote!(Some(body)) };
    pieces.setters.push(quote! {
        /// Sets the form's parts (text fields, files, JSON values).
        pub fn body(mut self, body: crate::Form) -> Self {
            self.body = #store;
            self
        }
    });
}

/// A JSON body that is not a struct (an array, a union): one `body` value.
fn whole_body_member(api: &Api, ty: &TypeRef, required: bool, pieces: &mut Pieces) {
    let ty = rust_type(api, ty);
    if required {
        pieces.args.push(quote!(body: #ty));
        pieces.inits.push(quote!(body));
        pieces.member(&quote!(body), quote!(#ty));
        pieces.setters.push(quote! {
            /// Replaces the request body.
            pub fn body(mut self, body: #ty) -> Self {
                self.body = body;
                self
            }
        });
    } else {
        pieces.inits.push(quote!(body: None));
        pieces.member(&quote!(body), quote!(Option<#ty>));
        pieces.setters.push(quote! {
            /// Sets the request body (none is sent otherwise).
            pub fn body(mut self, body: #ty) -> Self {
                self.body = Some(body);
                self
            }
        });
    }
}

fn setter(docs: TokenStream, name: &Ident, param_ty: &TokenStream, assign: TokenStream) -> TokenStream {
    quote! {
        #docs
        pub fn #name(mut self, #name: #param_ty) -> Self {
            #assign
            self
        }
    }
}

/// `name` when the value is the variable of the same name (shorthand), else `name: value`.
fn member_init(name: &Ident, value: &TokenStream) -> TokenStream {
    if *name == value.to_string() {
        quote!(#name)
    } else {
        quote!(#name: #value)
    }
}

/// The input's parameter type and how its variable becomes the stored value.
fn setter_input(api: &Api, input: &Input<'_>) -> (TokenStream, TokenStream) {
    let var = &input.name;
    match (&input.kind, input.ty) {
        (InputKind::FormField(f), _) if f.files => (quote!(Vec<crate::FilePart>), quote!(#var)),
        (InputKind::FormField(f), _) if f.file => (quote!(crate::FilePart), quote!(#var)),
        (_, TypeRef::String) => (quote!(impl Into<String>), quote!(#var.into())),
        // `Utc::now()` as well as a time with its own offset.
        (_, TypeRef::DateTime) => (
            quote!(impl Into<::chrono::DateTime<::chrono::FixedOffset>>),
            quote!(#var.into()),
        ),
        (_, other) => (rust_type(api, other), quote!(#var)),
    }
}
