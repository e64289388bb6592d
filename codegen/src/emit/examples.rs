//! `src/example_tests.rs`: every example the description gives, as a unit test that
//! decodes it into the type it is an example of (a request body's also encodes back to
//! the same JSON). Derived from the description, so a new example is covered without
//! anyone writing a test for it. Runs with the `roundtrip` feature (both serde halves).
//! Many examples (GitHub's 2,293) are split into `src/example_tests/part_N.rs` files of
//! [`TESTS_PER_FILE`] tests, so no file is tens of thousands of lines.

use quote::quote;

use super::file::{Emitted, ident, rust_file};
use super::rust_type::rust_type;
use crate::error::Result;
use crate::ir::{Api, Example, TypeRef};

/// Examples worth a test: decoding into raw JSON cannot fail.
fn tested(api: &Api) -> impl Iterator<Item = &Example> {
    api.examples.iter().filter(|e| e.ty != TypeRef::Json)
}

/// Does the crate get the test module?
pub fn applies(api: &Api) -> bool {
    tested(api).next().is_some()
}

/// The most tests one file holds (about 4,000 lines).
pub const TESTS_PER_FILE: usize = 400;

/// How many files of tests beside the module's own: none when they fit in it.
pub fn parts(api: &Api) -> usize {
    match tested(api).count() {
        n if n <= TESTS_PER_FILE => 0,
        n => n.div_ceil(TESTS_PER_FILE),
    }
}

/// The module (`part` 0: the helpers, and the tests when they fit) or one file of tests.
pub fn emit_example_tests(api: &Api, part: usize) -> Result<Emitted> {
    let parts = parts(api);
    if part > 0 {
        let tests = tests(api, (part - 1) * TESTS_PER_FILE, TESTS_PER_FILE)?;
        let tokens = quote! {
            use super::decodes;

            #(#tests)*
        };
        return Ok(rust_file(&format!("src/example_tests/part_{part}.rs"), tokens));
    }
    let (tests, file) = match parts {
        0 => (tests(api, 0, usize::MAX)?, "src/example_tests.rs"),
        _ => (Vec::new(), "src/example_tests/mod.rs"),
    };
    let modules = (1..=parts).map(|p| {
        let module = quote::format_ident!("part_{p}");
        quote!(mod #module;)
    });
    let tokens = quote! {
        //! The description's examples decode into their types (request bodies also
        //! encode back to the same JSON).

        #(#modules)*

        /// Decodes `json` as a `T`, and with `round_trip` checks it encodes back the same.
        fn decodes<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(json: &str, at: &str, round_trip: bool) {
            let example: ::serde_json::Value = ::serde_json::from_str(json).unwrap();
            let decoded: T = ::serde_json::from_value(example.clone())
                .unwrap_or_else(|e| panic!("the example at {at} does not decode: {e}"));
            if round_trip {
                let encoded = ::serde_json::to_value(&decoded).unwrap();
                assert!(same(&encoded, &example), "the example at {at} encodes back as {encoded}");
            }
        }

        /// Equal JSON, with numbers compared by value (`5` is `5.0`) and a member that
        /// is `null` the same as one left out.
        fn same(a: &::serde_json::Value, b: &::serde_json::Value) -> bool {
            use ::serde_json::Value;
            match (a, b) {
                (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
                (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
                (Value::Object(x), Value::Object(y)) => {
                    let present = |m: &::serde_json::Map<String, Value>| {
                        m.iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k.clone()).collect::<Vec<_>>()
                    };
                    let (mut keys_x, mut keys_y) = (present(x), present(y));
                    keys_x.sort();
                    keys_y.sort();
                    keys_x == keys_y && keys_x.iter().all(|k| same(&x[k], &y[k]))
                }
                (x, y) => x == y,
            }
        }

        #(#tests)*
    };
    Ok(rust_file(file, tokens))
}

/// The tests of `count` examples from the `first`, named by their overall position.
fn tests(api: &Api, first: usize, count: usize) -> Result<Vec<proc_macro2::TokenStream>> {
    let mut tests = Vec::new();
    for (i, example) in tested(api).enumerate().skip(first).take(count) {
        let test = ident(&test_name(i, &example.origin))?;
        let ty = rust_type(api, &example.ty);
        let ty = if example.nullable { quote!(Option<#ty>) } else { ty };
        let json = serde_json::to_string(&example.value).unwrap_or_default();
        let (origin, round_trip) = (&example.origin, example.round_trip);
        let cfg = super::features::type_cfg(api, &example.ty);
        tests.push(quote! {
            #[test]
            #cfg
            fn #test() {
                decodes::<#ty>(#json, #origin, #round_trip);
            }
        });
    }
    Ok(tests)
}

/// `example_3_pet_example`: the position, then the last words of where it sits.
fn test_name(index: usize, origin: &str) -> String {
    let words: Vec<String> = origin
        .split('/')
        .filter(|s| !matches!(*s, "#" | "components" | "schemas" | "paths" | "content" | "properties"))
        .map(|s| s.replace("~1", "_").replace("~0", "_"))
        .map(|s| heck::ToSnakeCase::to_snake_case(s.as_str()))
        .map(|s| {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|s| !s.is_empty())
        .collect();
    let tail: Vec<&str> = words.iter().rev().take(4).rev().map(String::as_str).collect();
    format!("example_{index}_{}", tail.join("_")).chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::test_name;

    #[test]
    fn test_names_say_where_the_example_is() {
        assert_eq!(
            test_name(3, "#/components/schemas/Pet/example"),
            "example_3_pet_example"
        );
        assert_eq!(
            test_name(
                0,
                "#/paths/~1pets~1{id}/get/responses/200/content/application~1json/examples/cat"
            ),
            "example_0_200_application_json_examples_cat"
        );
    }
}
