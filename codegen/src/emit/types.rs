//! `src/models/*.rs`: one Rust type per named schema — structs, aliases and unions
//! here; enums in [`super::enums`], limit checks in [`super::checks`], the spelling of
//! a field's type in [`super::rust_type`].

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::checks::validate_fn;
use super::docs::{doc_attrs, paragraphs};
use super::enums::{emit_enum, emit_int_enum};
use super::file::{Emitted, ident, rust_file};
use super::rust_type::{FieldShape, field_exists, field_type, rust_type};
use crate::error::Result;
use crate::ir::{
    Api, Bound, DefaultFill, Derives, Field, FieldState, Limits, Number, Sending, Struct, TypeDef, TypeKind, TypeRef,
    Union, Usage,
};

/// `src/models/mod.rs`: the modules, each re-exported whole.
pub fn emit_models_index(modules: &[(String, Vec<String>)]) -> Result<Emitted> {
    let mut items = Vec::new();
    for (module, features) in modules {
        let m = ident(module)?;
        let cfg = super::features::cfg_any(features);
        items.push(quote!(#cfg mod #m; #cfg pub use #m::*;));
    }
    Ok(rust_file(
        "src/models/mod.rs",
        quote! {
            //! Types of the request and response bodies, all re-exported here
            //! (`crate::models::Name`): in a group's module the types only its calls use,
            //! in `shared` those calls of several groups use.
            #(#items)*
        },
    ))
}

/// `src/models/<module>.rs`.
pub fn emit_models(api: &Api, module: &str, defs: &[&TypeDef]) -> Result<Emitted> {
    let path = format!("src/models/{module}.rs");
    let mut items = Vec::new();
    for def in defs {
        let tokens = match (&def.kind, def.alias_of) {
            (_, Some(target)) => emit_alias(def, &api.type_def(target).name)?,
            (TypeKind::Struct(s), None) => emit_struct(api, def, s)?,
            (TypeKind::StringEnum(e), None) => emit_enum(def, e)?,
            (TypeKind::IntEnum(e), None) => emit_int_enum(def, e)?,
            (TypeKind::Union(u), None) => emit_union(api, def, u)?,
        };
        items.push(super::features::gate_items(
            &path,
            tokens,
            &super::features::cfg_any(&def.features),
        )?);
    }
    let doc = format!(
        " {}",
        defs.first()
            .map(|d| match d.part {
                0 => d.home.doc(),
                part => format!("{}, continued (part {}).", d.home.doc().trim_end_matches('.'), part + 1),
            })
            .unwrap_or_default()
    );
    let tokens = quote! {
        #![doc = #doc]
        #(#items)*
    };
    Ok(rust_file(&path, tokens))
}

/// The serde derives a type's direction needs, and — behind the crate's `roundtrip`
/// feature — the other one. Deriving only what the wire needs keeps the crate quick
/// to compile; users who store or replay values turn the feature on.
fn serde_derives(derives: Derives) -> (Vec<TokenStream>, TokenStream) {
    let mut needed = Vec::new();
    let mut optional = Vec::new();
    for (wanted, derive) in [
        (derives.serialize, quote!(::serde::Serialize)),
        (derives.deserialize, quote!(::serde::Deserialize)),
    ] {
        if wanted {
            needed.push(derive)
        } else {
            optional.push(derive)
        }
    }
    let roundtrip = if optional.is_empty() {
        TokenStream::new()
    } else {
        quote!(#[cfg_attr(feature = "roundtrip", derive(#(#optional),*))])
    };
    (needed, roundtrip)
}

fn emit_struct(api: &Api, def: &TypeDef, shape: &Struct) -> Result<TokenStream> {
    let name = ident(&def.name)?;
    let usage = def.usage;
    let fields: Vec<&Field> = shape.fields.iter().filter(|f| field_exists(f)).collect();
    let sensitive = fields.iter().any(|f| f.sensitive);
    let all_optional = fields.iter().all(|f| FieldShape::of(f) != FieldShape::Plain);

    let mut derives = vec![quote!(Clone)];
    if !sensitive {
        derives.push(quote!(Debug));
    }
    if all_optional {
        derives.push(quote!(Default));
    }
    derives.push(quote!(PartialEq));
    let (serde, roundtrip) = serde_derives(def.derives);
    derives.extend(serde);

    let mut defaults = Vec::new();
    let mut members = Vec::new();
    for field in &fields {
        let field_ident = ident(&field.rust_name)?;
        let ty = field_type(api, field);
        let docs = doc_attrs(&field_docs(field, usage));
        let attrs = serde_attrs(api, def, field, &mut defaults)?;
        members.push(quote! {
            #docs
            #attrs
            pub #field_ident: #ty,
        });
    }

    if let Some(additional) = &shape.additional {
        let member = ident(&additional.rust_name)?;
        let value = rust_type(api, &additional.ty);
        members.push(quote! {
            /// Keys beyond the named fields (`additionalProperties`).
            #[serde(flatten)]
            pub #member: ::std::collections::BTreeMap<String, #value>,
        });
    }
    let docs = doc_attrs(&type_docs(def));
    let debug = sensitive.then(|| redacting_debug(def, &fields)).transpose()?;
    let validate = usage.request.then(|| validate_fn(api, &name, &fields)).transpose()?;
    Ok(quote! {
        #docs
        #[derive(#(#derives),*)]
        #roundtrip
        pub struct #name {
            #(#members)*
        }
        #validate
        #debug
        #(#defaults)*
    })
}

/// A type with the same shape as an earlier one: a name for it, nothing to derive.
fn emit_alias(def: &TypeDef, target: &str) -> Result<TokenStream> {
    let name = ident(&def.name)?;
    let target_ident = ident(target)?;
    let same = format!("Another name for [`{target}`]: the description gives both the same shape.");
    let docs = doc_attrs(&paragraphs([Some(type_docs(def).as_str()), Some(same.as_str())]));
    Ok(quote! {
        #docs
        pub type #name = crate::models::#target_ident;
    })
}

fn type_docs(def: &TypeDef) -> String {
    let direction = match (def.usage.request, def.usage.response) {
        (true, true) => "Sent in requests and received in responses.",
        (true, false) => "Sent in requests.",
        _ => "Received in responses; fields the server adds later are ignored.",
    };
    paragraphs([def.docs.as_deref(), Some(direction)])
}

pub fn field_docs(field: &Field, usage: Usage) -> String {
    describe_field(field, usage, false)
}

/// Docs for the builder setter of a body field: the field's docs without struct details.
pub fn setter_docs(field: &Field, usage: Usage) -> String {
    describe_field(field, usage, true)
}

fn describe_field(field: &Field, usage: Usage, for_setter: bool) -> String {
    let mut facts = Vec::new();
    let shape = FieldShape::of(field);
    if let Some(default) = &field.default {
        facts.push(match shape {
            FieldShape::Plain => format!("Default: `{default}` when the server leaves it out."),
            _ if usage.request => format!(
                "Server default: `{default}`, applied by the server when the field is not sent; this client never sends it on its own."
            ),
            _ => format!("The server's default is `{default}`."),
        });
    }
    if let Some(limits) = limits_doc(&field.limits) {
        facts.push(if usage.request {
            format!("{limits} Checked before a request is sent.")
        } else {
            format!("{limits} Replies outside this range are still accepted.")
        });
    }
    if shape == FieldShape::OptionalNullable && !for_setter {
        facts.push("`None` leaves the value alone; `Some(Nullable::Null)` clears it.".to_owned());
    }
    if field.read_only && usage.request {
        facts.push("Read-only: set by the server, never sent.".to_owned());
    }
    if field.sensitive {
        facts.push("Sensitive: `Debug` prints `<redacted>` instead of the value.".to_owned());
    }
    let facts = facts.join(" ");
    // Nothing to say is said with nothing: no "The `x` field." placeholders.
    paragraphs([field.docs.as_deref(), Some(facts.as_str())])
}

/// "At most 2048 characters." — limits in words, for docs and errors alike.
pub fn limits_doc(limits: &Limits) -> Option<String> {
    let mut parts = Vec::new();
    let count = |n: u64, noun: &str| {
        if n == 1 {
            format!("{n} {noun}")
        } else {
            format!("{n} {noun}s")
        }
    };
    match (limits.min_length, limits.max_length) {
        (Some(min), Some(max)) => parts.push(format!("Between {min} and {}.", count(max, "character"))),
        (Some(min), None) => parts.push(format!("At least {}.", count(min, "character"))),
        (None, Some(max)) => parts.push(format!("At most {}.", count(max, "character"))),
        (None, None) => {}
    }
    let bound = |b: &Bound| match b.value {
        Number::Int(v) => v.to_string(),
        Number::Float(v) => v.to_string(),
    };
    match (&limits.minimum, &limits.maximum) {
        (Some(min), Some(max)) if !min.exclusive && !max.exclusive => {
            parts.push(format!("From {} to {}.", bound(min), bound(max)))
        }
        (min, max) => {
            if let Some(min) = min {
                let op = if min.exclusive { "Greater than" } else { "At least" };
                parts.push(format!("{op} {}.", bound(min)));
            }
            if let Some(max) = max {
                let op = if max.exclusive { "Less than" } else { "At most" };
                parts.push(format!("{op} {}.", bound(max)));
            }
        }
    }
    match (limits.min_items, limits.max_items) {
        (Some(min), Some(max)) => parts.push(format!("Between {min} and {}.", count(max, "item"))),
        (Some(min), None) => parts.push(format!("At least {}.", count(min, "item"))),
        (None, Some(max)) => parts.push(format!("At most {}.", count(max, "item"))),
        (None, None) => {}
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn serde_attrs(api: &Api, def: &TypeDef, field: &Field, defaults: &mut Vec<TokenStream>) -> Result<TokenStream> {
    let mut parts = Vec::new();
    if field.rust_name != field.wire_name {
        let wire = &field.wire_name;
        parts.push(quote!(rename = #wire));
    }
    match &field.state {
        FieldState::Absent | FieldState::Required => {}
        FieldState::Defaulted(DefaultFill::TypeDefault) => parts.push(quote!(default)),
        FieldState::Defaulted(DefaultFill::Function(fn_name)) => {
            let fn_ident = ident(fn_name)?;
            let ty = rust_type(api, &field.ty);
            let value = field.default.as_ref().unwrap_or(&Value::Null);
            let expr = default_expr(api, &field.ty, value);
            // Only decoding reads it: a type only sent decodes with `roundtrip`.
            let only_roundtrip = (!def.derives.deserialize).then(|| quote!(#[cfg(feature = "roundtrip")]));
            defaults.push(quote! {
                #only_roundtrip
                fn #fn_ident() -> #ty { #expr }
            });
            parts.push(quote!(default = #fn_name));
        }
        FieldState::Optional(sending) | FieldState::OptionalNullable(sending) => {
            parts.push(quote!(default));
            match sending {
                Sending::Never => parts.push(quote!(skip_serializing)),
                Sending::WhenSet => parts.push(quote!(skip_serializing_if = "Option::is_none")),
                Sending::Always => {}
            }
            // Replies, and request bodies decoded with `roundtrip`: `null` stays `Null`.
            if matches!(field.state, FieldState::OptionalNullable(_)) {
                parts.push(quote!(
                    deserialize_with = "crate::runtime::nullable::deserialize_present"
                ));
            }
        }
    }
    Ok(if parts.is_empty() {
        TokenStream::new()
    } else {
        quote!(#[serde(#(#parts),*)])
    })
}

/// Rust for a schema default (lowering left the ones equal to the type's `Default` to it).
fn default_expr(api: &Api, ty: &TypeRef, value: &Value) -> TokenStream {
    match (ty, value) {
        (TypeRef::Bool, Value::Bool(b)) => quote!(#b),
        (TypeRef::Int(_), Value::Number(n)) => {
            let lit = proc_macro2::Literal::i64_unsuffixed(n.as_i64().unwrap_or_default());
            quote!(#lit)
        }
        (TypeRef::Float(_), Value::Number(n)) => {
            let lit = proc_macro2::Literal::f64_unsuffixed(n.as_f64().unwrap_or_default());
            quote!(#lit)
        }
        (TypeRef::String, Value::String(s)) => quote!(#s.to_owned()),
        (TypeRef::Named(id), Value::String(s)) => {
            let name = format_ident!("{}", api.type_def(*id).name);
            quote!(crate::models::#name::from(#s))
        }
        (TypeRef::Named(id), Value::Number(n)) => {
            let name = format_ident!("{}", api.type_def(*id).name);
            let value = n.as_i64().unwrap_or_default();
            quote!(crate::models::#name::from(#value))
        }
        (_, value) => {
            let text = value.to_string();
            quote!(::serde_json::from_str(#text).unwrap_or_default())
        }
    }
}

/// `Debug` that prints sensitive fields as `<redacted>`, keeping whether they are set.
fn redacting_debug(def: &TypeDef, fields: &[&Field]) -> Result<TokenStream> {
    let name = ident(&def.name)?;
    let type_name = &def.name;
    let entries = fields.iter().map(|field| {
        let member = format_ident!("{}", field.rust_name);
        let label = &field.rust_name;
        let value = match (field.sensitive, FieldShape::of(field)) {
            (false, _) => quote!(&self.#member),
            (true, FieldShape::Plain) => quote!(&crate::runtime::Redacted),
            (true, FieldShape::Optional) => quote!(&self.#member.as_ref().map(|_| crate::runtime::Redacted)),
            (true, FieldShape::OptionalNullable) => {
                quote!(&self.#member.as_ref().map(|v| v.as_ref().map(|_| crate::runtime::Redacted)))
            }
        };
        quote!(.field(#label, #value))
    });
    let entries: Vec<TokenStream> = entries.collect();
    Ok(quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#type_name)
                    #(#entries)*
                    .finish()
            }
        }
    })
}

/// `oneOf` / `anyOf`: an enum with one variant per alternative and a raw-JSON fallback.
/// Without a discriminator serde tries the variants in order (`untagged`); with one,
/// the discriminator property picks the variant and unknown values fall back.
fn emit_union(api: &Api, def: &TypeDef, shape: &Union) -> Result<TokenStream> {
    let name = ident(&def.name)?;
    let fallback = ident(&shape.fallback_variant)?;
    let mut variants = Vec::new();
    for variant in &shape.variants {
        let v = ident(&variant.rust_name)?;
        let ty = rust_type(api, &variant.ty);
        let ty = if variant.boxed { quote!(Box<#ty>) } else { ty };
        let tags = variant
            .tags
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let tag_doc = (!tags.is_empty()).then(|| format!("Selected by {tags}."));
        let docs = doc_attrs(&paragraphs([variant.docs.as_deref(), tag_doc.as_deref()]));
        variants.push(quote!(#docs #v(#ty),));
    }
    let how = match &shape.discriminator {
        Some(property) => format!(
            "The `{property}` property selects the alternative; other values arrive as `{}`.",
            shape.fallback_variant
        ),
        None => format!(
            "Alternatives are tried in order; a value matching none arrives as `{}`.",
            shape.fallback_variant
        ),
    };
    let docs = doc_attrs(&paragraphs([def.docs.as_deref(), Some(how.as_str())]));
    let enum_tokens = |derives: TokenStream, attrs: TokenStream| {
        quote! {
            #docs
            #derives
            #attrs
            pub enum #name {
                #(#variants)*
                /// A value matching none of the alternatives, as raw JSON.
                #fallback(::serde_json::Value),
            }
        }
    };
    let Some(property) = &shape.discriminator else {
        let (serde, roundtrip) = serde_derives(def.derives);
        return Ok(enum_tokens(
            quote!(#[derive(Clone, Debug, PartialEq, #(#serde),*)] #roundtrip),
            quote!(#[serde(untagged)]),
        ));
    };
    let gate = |needed: bool| {
        if needed {
            TokenStream::new()
        } else {
            quote!(#[cfg(feature = "roundtrip")])
        }
    };
    let serialize_gate = gate(def.derives.serialize);
    let deserialize_gate = gate(def.derives.deserialize);
    let mut arms = Vec::new();
    let mut serialize_arms = Vec::new();
    for variant in &shape.variants {
        let v = ident(&variant.rust_name)?;
        let wrap = if variant.boxed {
            quote!(|value| #name::#v(Box::new(value)))
        } else {
            quote!(#name::#v)
        };
        for tag in &variant.tags {
            arms.push(quote! {
                Some(#tag) => ::serde_json::from_value(value).map(#wrap).map_err(::serde::de::Error::custom),
            });
        }
        serialize_arms.push(quote!(#name::#v(value) => value.serialize(serializer),));
    }
    let decl = enum_tokens(quote!(#[derive(Clone, Debug, PartialEq)]), TokenStream::new());
    Ok(quote! {
        #decl

        #serialize_gate
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                    #name::#fallback(value) => value.serialize(serializer),
                }
            }
        }

        #deserialize_gate
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = ::serde_json::Value::deserialize(deserializer)?;
                match value.get(#property).and_then(::serde_json::Value::as_str) {
                    #(#arms)*
                    _ => Ok(#name::#fallback(value)),
                }
            }
        }
    })
}
