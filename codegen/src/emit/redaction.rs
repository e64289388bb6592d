//! `src/redaction_tests.rs`: a unit test per type with a sensitive field and per call
//! with a sensitive input (parameter, form or body field), derived from the IR. Each
//! builds a value (or a call's builder) whose secrets are sentinel strings (everything
//! else gets a plain placeholder) and checks that `{:?}` and `{:#?}` show neither
//! sentinel, so a secret added to the description is covered without anyone writing a
//! test for it.

use proc_macro2::TokenStream;
use quote::quote;

use super::file::{Emitted, ident, rust_file};
use super::plan::{BuilderPlan, Input, InputKind};
use super::rust_type::{FieldShape, field_exists};
use crate::error::Result;
use crate::ir::{Api, Body, Field, FloatWidth, IntWidth, Operation, TypeDef, TypeKind, TypeRef};

/// The sentinel a secret field holds; no placeholder or field name contains it.
const SENTINEL: &str = "sentinel-secret-value";

/// Types holding a secret (aliases share their target's test).
fn with_secrets(api: &Api) -> impl Iterator<Item = &TypeDef> {
    api.types.iter().filter(|def| {
        def.alias_of.is_none()
            && matches!(&def.kind, TypeKind::Struct(shape)
                if shape.fields.iter().any(|f| f.sensitive && field_exists(f)))
    })
}

/// Calls with a sensitive input, each with its builder holding sentinels.
fn builders_with_secrets(api: &Api) -> impl Iterator<Item = (&Operation, TokenStream)> {
    let calls = if api.krate.types_only {
        &[][..]
    } else {
        &api.operations[..]
    };
    calls.iter().filter_map(|op| Some((op, builder_value(api, op)?)))
}

/// Does the crate get the test module?
pub fn applies(api: &Api) -> bool {
    with_secrets(api).next().is_some() || builders_with_secrets(api).next().is_some()
}

/// The test module, or `None` when no type has a sensitive field.
pub fn emit_redaction_tests(api: &Api) -> Result<Option<Emitted>> {
    let mut tests = Vec::new();
    for def in with_secrets(api) {
        let Some(value) = struct_value(api, def, true, 0) else {
            continue; // a required cycle: no finite value exists to test with
        };
        let test = ident(&format!(
            "debug_of_{}_hides_its_secrets",
            heck::ToSnakeCase::to_snake_case(def.name.as_str())
        ))?;
        let cfg = super::features::cfg_any(&def.features);
        tests.push(quote! {
            #[test]
            #cfg
            fn #test() {
                assert_hidden(&#value);
            }
        });
    }
    for (op, builder) in builders_with_secrets(api) {
        let test = ident(&format!(
            "debug_of_{}_{}_builder_hides_its_secrets",
            op.group.join("_"),
            op.method_name
        ))?;
        let cfg = super::features::group_cfg(api, &op.group[0]);
        tests.push(quote! {
            #[test]
            #cfg
            fn #test() {
                let client = crate::Client::new("http://127.0.0.1:9", crate::Auth::none()).unwrap();
                assert_hidden(&#builder);
            }
        });
    }
    if tests.is_empty() {
        return Ok(None);
    }
    let tokens = quote! {
        //! `Debug` never prints a secret: every type with a sensitive field and every
        //! call's builder with a sensitive input, built with a sentinel in each secret
        //! and placeholders elsewhere.
        const SENTINEL: &str = #SENTINEL;

        /// Neither `Debug` form shows the sentinel, and both mark what they hide.
        fn assert_hidden(value: &impl ::std::fmt::Debug) {
            for shown in [format!("{value:?}"), format!("{value:#?}")] {
                assert!(!shown.contains(SENTINEL), "a secret is shown: {shown}");
                assert!(shown.contains("<redacted>"), "nothing is marked redacted: {shown}");
            }
        }

        #(#tests)*
    };
    Ok(Some(rust_file("src/redaction_tests.rs", tokens)))
}

/// `client.<group>().<method>(args)` and a setter for each optional secret, secrets
/// holding the sentinel; `None` when the call has no secret input, or one this cannot
/// write a value for (a file, a whole body).
fn builder_value(api: &Api, op: &Operation) -> Option<TokenStream> {
    let whole_body = matches!(
        op.body,
        Some(Body::Raw { required: true, .. } | Body::Whole { required: true, .. } | Body::Parts { required: true })
    );
    if whole_body || op.group.is_empty() {
        return None;
    }
    let plan = BuilderPlan::new(api, op).ok()?;
    let (mut args, mut setters, mut secrets) = (Vec::new(), Vec::new(), false);
    for input in &plan.inputs {
        let secret = is_secret(input);
        if matches!(input.kind, InputKind::FormField(f) if f.file) {
            match input.argument {
                true => return None,
                false => continue,
            }
        }
        secrets |= secret;
        let value = match secret {
            true => sentinel(api, input.ty, 0)?,
            false => placeholder(api, input.ty, 0)?,
        };
        let name = &input.name;
        match (input.argument, &input.kind) {
            (true, InputKind::BodyField(_, shape, _)) if *shape != FieldShape::Plain => {
                args.push(if secret { quote!(Some(#value)) } else { quote!(None) })
            }
            (true, _) => args.push(value),
            (false, _) if secret => setters.push(quote!(.#name(#value))),
            (false, _) => {}
        }
    }
    let groups = op.group.iter().map(|g| ident(g)).collect::<Result<Vec<_>>>().ok()?;
    let method = &plan.method;
    secrets.then(|| quote!(client #(.#groups())* .#method(#(#args),*) #(#setters)*))
}

fn is_secret(input: &Input<'_>) -> bool {
    match input.kind {
        InputKind::Param(param, _) => param.sensitive,
        InputKind::FormField(field) => field.sensitive,
        InputKind::BodyField(field, ..) => field.sensitive,
    }
}

/// A struct literal for `def`; secrets hold the sentinel when `secrets` is set.
/// `None` when a required field leads back into a type being built.
fn struct_value(api: &Api, def: &TypeDef, secrets: bool, depth: usize) -> Option<TokenStream> {
    let TypeKind::Struct(shape) = &def.kind else {
        return None;
    };
    if depth > 16 {
        return None;
    }
    let name = ident(&def.name).ok()?;
    let mut members = Vec::new();
    for field in shape.fields.iter().filter(|f| field_exists(f)) {
        let member = ident(&field.rust_name).ok()?;
        let value = field_value(api, field, secrets && field.sensitive, depth)?;
        members.push(quote!(#member: #value));
    }
    if let Some(additional) = &shape.additional {
        let member = ident(&additional.rust_name).ok()?;
        members.push(quote!(#member: ::std::collections::BTreeMap::new()));
    }
    Some(quote!(crate::models::#name { #(#members),* }))
}

/// A field's value: the sentinel for a secret, a placeholder for a required field,
/// `None` for the rest.
fn field_value(api: &Api, field: &Field, secret: bool, depth: usize) -> Option<TokenStream> {
    let shape = FieldShape::of(field);
    let inner = match (secret, shape) {
        (true, _) => sentinel(api, &field.ty, depth)?,
        (false, FieldShape::Plain) => placeholder(api, &field.ty, depth)?,
        (false, _) => return Some(quote!(None)),
    };
    let inner = if field.boxed { quote!(Box::new(#inner)) } else { inner };
    Some(match shape {
        FieldShape::Plain => inner,
        FieldShape::Optional => quote!(Some(#inner)),
        FieldShape::OptionalNullable => quote!(Some(crate::Nullable::Value(#inner))),
    })
}

/// The sentinel written as a value of `ty` (text where the type holds text).
fn sentinel(api: &Api, ty: &TypeRef, depth: usize) -> Option<TokenStream> {
    Some(match ty {
        TypeRef::String => quote!(SENTINEL.to_owned()),
        TypeRef::Json => quote!(::serde_json::Value::String(SENTINEL.to_owned())),
        TypeRef::Array(item) => {
            let item = sentinel(api, item, depth)?;
            quote!(vec![#item])
        }
        TypeRef::Map(item) => {
            let item = sentinel(api, item, depth)?;
            quote!(::std::collections::BTreeMap::from([("key".to_owned(), #item)]))
        }
        TypeRef::Nullable(item) => {
            let item = sentinel(api, item, depth)?;
            quote!(Some(#item))
        }
        other => placeholder(api, other, depth)?,
    })
}

/// Any valid value of `ty`, free of the sentinel.
fn placeholder(api: &Api, ty: &TypeRef, depth: usize) -> Option<TokenStream> {
    Some(match ty {
        TypeRef::Bool => quote!(false),
        TypeRef::Int(IntWidth::I32) => quote!(0i32),
        TypeRef::Int(IntWidth::I64) => quote!(0i64),
        TypeRef::Float(FloatWidth::F32) => quote!(0.0f32),
        TypeRef::Float(FloatWidth::F64) => quote!(0.0f64),
        TypeRef::String => quote!(String::from("placeholder")),
        TypeRef::DateTime => quote!(::chrono::DateTime::<::chrono::FixedOffset>::default()),
        TypeRef::Date => quote!(::chrono::NaiveDate::default()),
        TypeRef::Json => quote!(::serde_json::Value::Null),
        TypeRef::Array(_) => quote!(Vec::new()),
        TypeRef::Map(_) => quote!(::std::collections::BTreeMap::new()),
        TypeRef::Nullable(_) => quote!(None),
        TypeRef::Named(id) => {
            let def = api.emitted_def(*id);
            let rust = ident(&def.name).ok()?;
            match &def.kind {
                TypeKind::Struct(_) => struct_value(api, def, false, depth + 1)?,
                TypeKind::StringEnum(e) => {
                    let unknown = ident(&e.unknown_variant).ok()?;
                    quote!(crate::models::#rust::#unknown(String::from("placeholder")))
                }
                TypeKind::IntEnum(e) => {
                    let unknown = ident(&e.unknown_variant).ok()?;
                    quote!(crate::models::#rust::#unknown(0))
                }
                TypeKind::Union(u) => {
                    let fallback = ident(&u.fallback_variant).ok()?;
                    quote!(crate::models::#rust::#fallback(::serde_json::Value::Null))
                }
            }
        }
    })
}
