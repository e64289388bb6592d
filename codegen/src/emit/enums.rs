//! String and integer enums, each with a catch-all variant for values the API adds
//! later.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc_attrs, paragraphs};
use super::file::ident;
use crate::error::Result;
use crate::ir::{IntEnum, StringEnum, TypeDef};

pub(super) fn emit_enum(def: &TypeDef, shape: &StringEnum) -> Result<TokenStream> {
    let name = ident(&def.name)?;
    let unknown = ident(&shape.unknown_variant)?;
    let mut variants = Vec::new();
    let mut to_str = Vec::new();
    let mut from_str = Vec::new();
    for variant in &shape.variants {
        let v = ident(&variant.rust_name)?;
        let wire = &variant.wire;
        let docs = doc_attrs(&paragraphs([
            Some(format!("`{wire}`").as_str()),
            variant.docs.as_deref(),
        ]));
        variants.push(quote!(#docs #v,));
        to_str.push(quote!(#name::#v => #wire,));
        from_str.push(quote!(#wire => #name::#v,));
    }
    // With no known value a `match` would have one arm: clippy asks for none.
    let from_body = match from_str.is_empty() {
        true => quote!(#name::#unknown(value.to_owned())),
        false => quote!(match value { #(#from_str)* other => #name::#unknown(other.to_owned()), }),
    };
    let docs = doc_attrs(&paragraphs([
        def.docs.as_deref(),
        Some(&format!(
            "Values this client does not know yet arrive as `{}`, so a server upgrade never breaks decoding.",
            shape.unknown_variant
        )),
    ]));
    Ok(quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value added to the API after this client was generated.
            #unknown(String),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    #name::#unknown(value) => value,
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                #from_body
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::runtime::str_enum(deserializer, |text: &str| #name::from(text))
            }
        }
    })
}

pub(super) fn emit_int_enum(def: &TypeDef, shape: &IntEnum) -> Result<TokenStream> {
    let name = ident(&def.name)?;
    let unknown = ident(&shape.unknown_variant)?;
    let mut variants = Vec::new();
    let mut to_int = Vec::new();
    let mut from_int = Vec::new();
    for variant in &shape.variants {
        let v = ident(&variant.rust_name)?;
        let value = variant.value;
        let doc = super::docs::doc_line(&format!("`{value}`"));
        variants.push(quote!(#doc #v,));
        to_int.push(quote!(#name::#v => #value,));
        from_int.push(quote!(#value => #name::#v,));
    }
    let from_body = match from_int.is_empty() {
        true => quote!(#name::#unknown(value)),
        false => quote!(match value { #(#from_int)* other => #name::#unknown(other), }),
    };
    let docs = doc_attrs(&paragraphs([
        def.docs.as_deref(),
        Some(&format!(
            "Values this client does not know yet arrive as `{}`.",
            shape.unknown_variant
        )),
    ]));
    Ok(quote! {
        #docs
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value added to the API after this client was generated.
            #unknown(i64),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_i64(&self) -> i64 {
                match self {
                    #(#to_int)*
                    #name::#unknown(value) => *value,
                }
            }
        }

        impl From<i64> for #name {
            fn from(value: i64) -> Self {
                #from_body
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.as_i64())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.as_i64())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(#name::from(i64::deserialize(deserializer)?))
            }
        }
    })
}
