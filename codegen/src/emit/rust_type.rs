//! The Rust spelling of a type reference, and of a field as its struct holds it.
//!
//! How a field is held follows from its [`FieldState`], decided in lowering.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Api, Field, FieldState, FloatWidth, IntWidth, TypeRef};

/// How a field is held in Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldShape {
    /// `T`: always present.
    Plain,
    /// `Option<T>`: may be absent (or null).
    Optional,
    /// `Option<Nullable<T>>`: absent, null, or a value — three states a PATCH can mean.
    OptionalNullable,
}

impl FieldShape {
    /// The holder lowering's [`FieldState`] asks for (an absent field is never emitted).
    pub fn of(field: &Field) -> FieldShape {
        match field.state {
            FieldState::Absent | FieldState::Required | FieldState::Defaulted(_) => FieldShape::Plain,
            FieldState::Optional(_) => FieldShape::Optional,
            FieldState::OptionalNullable(_) => FieldShape::OptionalNullable,
        }
    }
}

/// Is the field in its type as emitted?
pub fn field_exists(field: &Field) -> bool {
    field.state != FieldState::Absent
}

/// A field's Rust type, as held in its struct.
pub fn field_type(api: &Api, field: &Field) -> TokenStream {
    let ty = rust_type(api, &field.ty);
    let ty = if field.boxed { quote!(Box<#ty>) } else { ty };
    match FieldShape::of(field) {
        FieldShape::Plain => ty,
        FieldShape::Optional => quote!(Option<#ty>),
        FieldShape::OptionalNullable => quote!(Option<crate::Nullable<#ty>>),
    }
}

pub fn rust_type(api: &Api, ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::Bool => quote!(bool),
        TypeRef::Int(IntWidth::I32) => quote!(i32),
        TypeRef::Int(IntWidth::I64) => quote!(i64),
        TypeRef::Float(FloatWidth::F32) => quote!(f32),
        TypeRef::Float(FloatWidth::F64) => quote!(f64),
        TypeRef::String => quote!(String),
        // With its offset: the wire's text is kept, not only the instant.
        TypeRef::DateTime => quote!(::chrono::DateTime<::chrono::FixedOffset>),
        TypeRef::Date => quote!(::chrono::NaiveDate),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::Named(id) => {
            let name = format_ident!("{}", api.type_def(*id).name);
            quote!(crate::models::#name)
        }
        TypeRef::Array(item) => {
            let item = rust_type(api, item);
            quote!(Vec<#item>)
        }
        TypeRef::Map(value) => {
            let value = rust_type(api, value);
            quote!(::std::collections::BTreeMap<String, #value>)
        }
        TypeRef::Nullable(inner) => {
            let inner = rust_type(api, inner);
            quote!(Option<#inner>)
        }
    }
}
