//! The documented limits as code: each type's `validate()`, and the checks a call
//! makes on its inputs before a request leaves the client.

use proc_macro2::TokenStream;
use quote::quote;

use super::file::ident;
use super::rust_type::FieldShape;
use crate::error::Result;
use crate::ir::{Api, Bound, Field, FloatWidth, IntWidth, Limits, Number, TypeKind, TypeRef};

/// `validate()`: the documented limits, checked before a request leaves the client.
pub(super) fn validate_fn(api: &Api, name: &proc_macro2::Ident, fields: &[&Field]) -> Result<TokenStream> {
    let mut checks = Vec::new();
    for field in fields.iter().filter(|f| !f.read_only) {
        let member = ident(&field.rust_name)?;
        let own = limit_check(&field.wire_name, &field.ty, &field.limits, quote!(value));
        let nested = nested_check(api, &field.wire_name, &field.ty, quote!(value));
        if own.is_none() && nested.is_none() {
            continue;
        }
        let check = quote!(#own #nested);
        checks.push(match FieldShape::of(field) {
            FieldShape::Plain => quote! { { let value = &self.#member; #check } },
            FieldShape::Optional => quote! { if let Some(value) = &self.#member { #check } },
            FieldShape::OptionalNullable => {
                quote! { if let Some(crate::Nullable::Value(value)) = &self.#member { #check } }
            }
        });
    }
    Ok(quote! {
        impl #name {
            /// Checks the limits the API documents for each field, naming the first one broken.
            pub fn validate(&self) -> Result<(), crate::InvalidRequest> {
                #(#checks)*
                Ok(())
            }
        }
    })
}

/// Runs `validate()` of nested request structs (directly, or in an array or map),
/// naming the path: `customer.email`, `lines[2].sku`, `labels.en`.
pub fn nested_check(api: &Api, wire_name: &str, ty: &TypeRef, value: TokenStream) -> Option<TokenStream> {
    let is_struct = |ty: &TypeRef| match ty {
        TypeRef::Named(id) => matches!(api.type_def(*id).kind, TypeKind::Struct(_)),
        _ => false,
    };
    match ty {
        ty if is_struct(ty) => Some(quote!(#value.validate().map_err(|e| e.within(#wire_name))?;)),
        TypeRef::Array(item) if is_struct(item) => Some(quote! {
            for (index, item) in #value.iter().enumerate() {
                item.validate().map_err(|e| e.within(&format!("{}[{index}]", #wire_name)))?;
            }
        }),
        TypeRef::Map(item) if is_struct(item) => Some(quote! {
            for (key, item) in #value {
                item.validate().map_err(|e| e.within(&format!("{}.{key}", #wire_name)))?;
            }
        }),
        // Items that may be null: the present ones are checked.
        TypeRef::Array(item) if matches!(&**item, TypeRef::Nullable(inner) if is_struct(inner)) => Some(quote! {
            for (index, item) in #value.iter().enumerate() {
                if let Some(item) = item {
                    item.validate().map_err(|e| e.within(&format!("{}[{index}]", #wire_name)))?;
                }
            }
        }),
        TypeRef::Map(item) if matches!(&**item, TypeRef::Nullable(inner) if is_struct(inner)) => Some(quote! {
            for (key, item) in #value {
                if let Some(item) = item {
                    item.validate().map_err(|e| e.within(&format!("{}.{key}", #wire_name)))?;
                }
            }
        }),
        _ => None,
    }
}

/// Statements checking `value` (a reference) against `limits`; `None` if there are none.
pub fn limit_check(wire_name: &str, ty: &TypeRef, limits: &Limits, value: TokenStream) -> Option<TokenStream> {
    if limits.is_empty() {
        return None;
    }
    let opt_u64 = |v: Option<u64>| match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    };
    let bound = |b: &Option<Bound>, float: bool| match b {
        None => quote!(None),
        Some(Bound { value: n, exclusive }) => {
            let lit = match (n, float) {
                (Number::Int(v), false) => quote!(#v),
                (Number::Int(v), true) => {
                    let f = proc_macro2::Literal::f64_suffixed(*v as f64);
                    quote!(#f)
                }
                (Number::Float(v), true) => {
                    let f = proc_macro2::Literal::f64_suffixed(*v);
                    quote!(#f)
                }
                (Number::Float(v), false) => {
                    let i = v.ceil() as i64;
                    quote!(#i)
                }
            };
            quote!(Some(crate::runtime::validate::Bound { value: #lit, exclusive: #exclusive }))
        }
    };
    let statement = match ty {
        TypeRef::String if limits.min_length.is_some() || limits.max_length.is_some() => {
            let (min, max) = (opt_u64(limits.min_length), opt_u64(limits.max_length));
            quote!(crate::runtime::validate::length(#wire_name, #value, #min, #max)?;)
        }
        TypeRef::Int(width) if limits.minimum.is_some() || limits.maximum.is_some() => {
            let (min, max) = (bound(&limits.minimum, false), bound(&limits.maximum, false));
            let widen = match width {
                IntWidth::I32 => quote!(i64::from(*#value)),
                IntWidth::I64 => quote!(*#value),
            };
            quote!(crate::runtime::validate::integer(#wire_name, #widen, #min, #max)?;)
        }
        TypeRef::Float(width) if limits.minimum.is_some() || limits.maximum.is_some() => {
            let (min, max) = (bound(&limits.minimum, true), bound(&limits.maximum, true));
            let widen = match width {
                FloatWidth::F32 => quote!(f64::from(*#value)),
                FloatWidth::F64 => quote!(*#value),
            };
            quote!(crate::runtime::validate::float(#wire_name, #widen, #min, #max)?;)
        }
        TypeRef::Array(_) if limits.min_items.is_some() || limits.max_items.is_some() => {
            let (min, max) = (opt_u64(limits.min_items), opt_u64(limits.max_items));
            quote!(crate::runtime::validate::items(#wire_name, #value.len(), #min, #max)?;)
        }
        _ => return None,
    };
    Some(statement)
}
