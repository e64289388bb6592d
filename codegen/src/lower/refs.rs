//! `$ref`s: to components (lowered once, by name), into the inside of a schema, and
//! along chains of references to the schema that holds something.

use openapiv3::{ReferenceOr, Schema};
use serde::Deserialize;
use serde_json::Value;

use super::Lowerer;
use super::schema::{IN_PLACE_AT_MOST, Lowered, describe, is_named_kind};
use super::schema_ref::COMPONENT_PREFIX;

use crate::error::{Error, Result};

use crate::naming::{self};
use crate::pointer::Pointer;

impl<'a> Lowerer<'a> {
    pub(super) fn lower_ref(&mut self, reference: &str, at: &Pointer) -> Result<Lowered> {
        if let Some(lowered) = self.lower_deep_ref(reference, at)? {
            return Ok(lowered);
        }
        let (component, schema) = self.resolve_component(reference, at)?;
        let pointer = Pointer::root().join("components").join("schemas").join(&component);
        if is_named_kind(schema) {
            let name = self.component_type_name(&component);
            // A component in a cycle is being lowered right now: once is enough.
            if !self.lowered_components.contains(&component)
                && !self.pending_components.contains(&component)
                && !self.components_in_progress.contains(&component)
            {
                self.pending_components.push(component.clone());
            }
            let mut lowered = describe(schema, self.named(&name));
            lowered.docs = None; // the type carries its own docs
            Ok(lowered)
        } else {
            // An alias of a primitive, array or map: use it in place.
            if self.inlining.contains(&component) {
                return Err(Error::Unsupported {
                    pointer: pointer.to_string(),
                    what: "a schema that contains itself without an object in between".to_owned(),
                });
            }
            if self.inlining.len() >= IN_PLACE_AT_MOST {
                return Err(Error::Unsupported {
                    pointer: pointer.to_string(),
                    what: format!(
                        "a chain of more than {IN_PLACE_AT_MOST} schemas used in place (`{}` → ...)",
                        self.inlining[0]
                    ),
                });
            }
            self.inlining.push(component.clone());
            let hint = self.component_type_name(&component);
            let lowered = self.lower_inline(schema, &pointer, &hint);
            self.inlining.pop();
            lowered
        }
    }

    /// `#/components/schemas/X/properties/y`: a schema inside another one. Lowered
    /// once per reference, in place, named after its path.
    pub(super) fn lower_deep_ref(&mut self, reference: &str, at: &Pointer) -> Result<Option<Lowered>> {
        self.lower_inside(reference, at, true)
    }

    /// The schema `reference` points at inside a component (`.../X/properties/data`);
    /// `None` if it points at a component itself. With `warn`, says so: a description
    /// that points there itself usually meant a component of its own.
    pub(super) fn lower_inside(&mut self, reference: &str, at: &Pointer, warn: bool) -> Result<Option<Lowered>> {
        let Some(rest) = reference.strip_prefix(COMPONENT_PREFIX) else {
            return Ok(None);
        };
        if !rest.contains('/') {
            return Ok(None);
        }
        if let Some(done) = self.deep_refs.get(reference) {
            return Ok(Some(done.clone()));
        }
        let dangling = || Error::DanglingRef {
            pointer: at.to_string(),
            reference: reference.to_owned(),
        };
        let target = Pointer::from_ref(reference).ok_or_else(dangling)?;
        let segments: Vec<String> = target.segments().collect();
        // If the enclosing component makes a type at the target, use that one.
        let component = segments.get(2).cloned().unwrap_or_default();
        if !self.components_in_progress.contains(&component) {
            let rust_name = self.component_type_name(&component);
            self.ensure_lowered(&rust_name)?;
        }
        if let Some(existing) = self.inline_at.get(&target.to_string()) {
            let existing = existing.clone();
            self.deep_refs.insert(reference.to_owned(), existing.clone());
            return Ok(Some(existing));
        }
        let components = self.doc.components.as_ref().ok_or_else(dangling)?;
        let root = components.schemas.get(&segments[2]).ok_or_else(dangling)?;
        let root = serde_json::to_value(root).map_err(|_| dangling())?;
        let inner = segments[3..].iter().try_fold(&root, |value, segment| match value {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        });
        let inner = inner.ok_or_else(dangling)?;
        let schema = ReferenceOr::<Schema>::deserialize(inner).map_err(|e| Error::Invalid {
            pointer: at.to_string(),
            message: format!("`$ref: {reference}` points at something that is not a schema: {e}"),
        })?;
        let hint = naming::type_name(
            &segments[2..]
                .iter()
                .filter(|s| *s != "properties")
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
        );
        if warn {
            self.warn(
                at,
                format!("`$ref` points inside another schema; its target is generated as `{hint}` (or used in place)"),
            );
        }
        // Lowering the target reached this reference again: no type holds it yet.
        if self.inlining.iter().any(|r| r == reference) {
            return Err(Error::Unsupported {
                pointer: at.to_string(),
                what: format!("`$ref: {reference}`, whose target leads back to itself"),
            });
        }
        self.inlining.push(reference.to_owned());
        let lowered = self.lower_schema((&schema).into(), &target, &hint);
        self.inlining.pop();
        let lowered = lowered?;
        self.deep_refs.insert(reference.to_owned(), lowered.clone());
        Ok(Some(lowered))
    }

    /// Follows `$ref` chains to a component holding a real schema.
    pub(super) fn resolve_component(&self, reference: &str, at: &Pointer) -> Result<(String, &'a Schema)> {
        let mut reference = reference.to_owned();
        let mut seen = Vec::new();
        loop {
            let dangling = || Error::DanglingRef {
                pointer: at.to_string(),
                reference: reference.clone(),
            };
            let Some(name) = reference.strip_prefix(COMPONENT_PREFIX) else {
                return Err(if reference.starts_with('#') {
                    Error::Unsupported {
                        pointer: at.to_string(),
                        what: format!("`$ref: {reference}` (only `{COMPONENT_PREFIX}...` references are supported)"),
                    }
                } else {
                    Error::Unsupported {
                        pointer: at.to_string(),
                        // Other files are read before overlays apply: an overlay's ref to one is not.
                        what: format!(
                            "`$ref: {reference}` to another file, added by an overlay (files are read before overlays apply; refer to it from the description)"
                        ),
                    }
                });
            };
            if name.contains('/') {
                return Err(Error::Unsupported {
                    pointer: at.to_string(),
                    what: format!("`$ref: {reference}` chains through a schema inside another schema"),
                });
            }
            let name = name.replace("~1", "/").replace("~0", "~");
            if seen.contains(&name) {
                return Err(Error::Invalid {
                    pointer: at.to_string(),
                    message: format!("`$ref` cycle: {} → {name}", seen.join(" → ")),
                });
            }
            let doc: &'a openapiv3::OpenAPI = self.doc;
            let target = doc
                .components
                .as_ref()
                .and_then(|c| c.schemas.get(&name))
                .ok_or_else(dangling)?;
            match target {
                ReferenceOr::Item(schema) => return Ok((name, schema)),
                ReferenceOr::Reference { reference: next } => {
                    seen.push(name);
                    reference = next.clone();
                }
            }
        }
    }
}
