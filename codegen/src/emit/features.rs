//! Group features (`[crate] group_features`): the `#[cfg]`s that compile a group only
//! when its feature is on, and a type only when a group that needs it is (lowering
//! decided which: [`TypeDef::features`](crate::ir::TypeDef::features)).

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::{Error, Result};
use crate::ir::{Api, TypeRef};

/// `#[cfg(feature = "a")]` or `#[cfg(any(feature = "a", ...))]`; nothing for none.
pub fn cfg_any(features: &[String]) -> TokenStream {
    match features {
        [] => TokenStream::new(),
        [one] => quote!(#[cfg(feature = #one)]),
        many => quote!(#[cfg(any(#(feature = #many),*))]),
    }
}

/// The `#[cfg]` of a top-level group's module and accessor, with group features.
pub fn group_cfg(api: &Api, top: &str) -> TokenStream {
    match api.krate.group_features {
        true => cfg_any(&[top.to_owned()]),
        false => TokenStream::new(),
    }
}

/// The `#[cfg]` of code naming `ty`: its named type's, if it is gated.
pub fn type_cfg(api: &Api, ty: &TypeRef) -> TokenStream {
    match ty.named() {
        Some(id) => cfg_any(&api.type_def(id).features),
        None => TokenStream::new(),
    }
}

/// `items` (one type's struct, impls and helper fns) each behind `cfg`, which goes after
/// their docs.
pub fn gate_items(path: &str, items: TokenStream, cfg: &TokenStream) -> Result<TokenStream> {
    if cfg.is_empty() {
        return Ok(items);
    }
    let emit_error = |e: syn::Error| Error::Emit {
        file: path.to_owned(),
        message: e.to_string(),
    };
    let cfg = syn::parse::Parser::parse2(syn::Attribute::parse_outer, cfg.clone()).map_err(emit_error)?;
    let mut file: syn::File = syn::parse2(items).map_err(emit_error)?;
    for item in &mut file.items {
        let Some(attrs) = attributes(item) else {
            continue;
        };
        let after_docs = attrs.iter().take_while(|a| a.path().is_ident("doc")).count();
        attrs.splice(after_docs..after_docs, cfg.iter().cloned());
    }
    let items = file.items;
    Ok(quote!(#(#items)*))
}

fn attributes(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    Some(match item {
        syn::Item::Const(i) => &mut i.attrs,
        syn::Item::Enum(i) => &mut i.attrs,
        syn::Item::Fn(i) => &mut i.attrs,
        syn::Item::Impl(i) => &mut i.attrs,
        syn::Item::Mod(i) => &mut i.attrs,
        syn::Item::Static(i) => &mut i.attrs,
        syn::Item::Struct(i) => &mut i.attrs,
        syn::Item::Trait(i) => &mut i.attrs,
        syn::Item::Type(i) => &mut i.attrs,
        syn::Item::Use(i) => &mut i.attrs,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_gets_the_cfg_after_its_docs() {
        let items = quote! {
            /// A type.
            #[derive(Clone)]
            pub struct A;
            impl A { fn f() {} }
            fn default_a() -> u8 { 1 }
        };
        let gated = gate_items("x.rs", items, &cfg_any(&["b".to_owned(), "a".to_owned()])).unwrap();
        let text = prettyplease::unparse(&syn::parse2(gated).unwrap());
        assert_eq!(
            text.matches("#[cfg(any(feature = \"b\", feature = \"a\"))]").count(),
            3,
            "{text}"
        );
        assert!(text.contains("/// A type.\n#[cfg(any("), "{text}");
    }

    #[test]
    fn no_features_no_cfg() {
        assert!(cfg_any(&[]).is_empty());
        let items = quote!(
            pub struct A;
        );
        assert_eq!(
            gate_items("x.rs", items.clone(), &TokenStream::new())
                .unwrap()
                .to_string(),
            items.to_string()
        );
    }
}
