//! Examples the description gives, kept with the type they are examples of, so the
//! generated crate can check that each decodes (`src/example_tests.rs`).

use openapiv3::{MediaType, ReferenceOr, SchemaData};
use serde_json::Value;

use super::Lowerer;
use super::ids::{Example, TypeRef};
use crate::pointer::Pointer;

impl Lowerer<'_> {
    /// A schema's `example`, and the list a 3.1 `examples` became (`x-examples`).
    pub(super) fn schema_examples(&mut self, data: &SchemaData, at: &Pointer, ty: &TypeRef) {
        if let Some(Value::Array(listed)) = data.extensions.get("x-examples") {
            for (i, value) in listed.iter().enumerate() {
                self.add_example(at.join("examples").join(i), ty, data.nullable, value.clone(), false);
            }
        } else if let Some(value) = &data.example {
            self.add_example(at.join("example"), ty, data.nullable, value.clone(), false);
        }
    }

    /// A JSON body's `example` and named `examples` (followed into `#/components/examples`).
    pub(super) fn media_examples(&mut self, media: &MediaType, at: &Pointer, ty: &TypeRef, request: bool) {
        if let Some(value) = &media.example {
            self.add_example(at.join("example"), ty, false, value.clone(), request);
        }
        for (name, example) in &media.examples {
            let value = match example {
                ReferenceOr::Item(example) => example.value.clone(),
                ReferenceOr::Reference { reference } => reference
                    .strip_prefix("#/components/examples/")
                    .and_then(|name| self.doc.components.as_ref()?.examples.get(name))
                    .and_then(ReferenceOr::as_item)
                    .and_then(|example| example.value.clone()),
            };
            if let Some(value) = value {
                self.add_example(at.join("examples").join(name), ty, false, value, request);
            }
        }
    }

    fn add_example(&mut self, at: Pointer, ty: &TypeRef, nullable: bool, value: Value, round_trip: bool) {
        let origin = at.to_string();
        self.examples.entry(origin.clone()).or_insert(Example {
            origin,
            ty: ty.clone(),
            nullable,
            value,
            round_trip,
        });
    }
}
