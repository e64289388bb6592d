//! The pieces of an object schema: its own properties, or those of all its `allOf`
//! parts merged (later parts winning), with what it requires.

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, AnySchema, ReferenceOr, Schema, SchemaKind, Type};

use super::Lowerer;
use super::schema_ref::SchemaRef;
use crate::error::{Error, Result};
use crate::pointer::Pointer;

/// One property of an object being defined, wherever it was written.
pub(super) struct PropertyIn<'s> {
    pub wire: &'s str,
    pub schema: SchemaRef<'s>,
    pub at: Pointer,
}

/// The pieces of an object: its own properties, or those of all `allOf` parts.
#[derive(Default)]
pub(super) struct ObjectParts<'s> {
    pub properties: Vec<PropertyIn<'s>>,
    pub required: Vec<String>,
    pub additional: Option<(&'s AdditionalProperties, Pointer)>,
}

impl<'s> ObjectParts<'s> {
    /// Adds properties, each replacing one of the same name from an earlier part (a
    /// schema's own `code` narrows the `code` of the error it extends).
    pub(super) fn override_with(&mut self, properties: Vec<PropertyIn<'s>>) {
        for property in properties {
            self.properties.retain(|p| p.wire != property.wire);
            self.properties.push(property);
        }
    }
}

impl<'a> Lowerer<'a> {
    /// The properties of every `allOf` part, later parts winning; `None` if a part is
    /// not an object (a string `allOf`, say).
    pub(super) fn merge_all_of<'s>(
        &self,
        parts: &'s [ReferenceOr<Schema>],
        at: &Pointer,
    ) -> Result<Option<ObjectParts<'s>>>
    where
        'a: 's,
    {
        self.merge_all_of_within(parts, at, &[])
    }

    /// [`Self::merge_all_of`] inside the components `within` (being merged already).
    fn merge_all_of_within<'s>(
        &self,
        parts: &'s [ReferenceOr<Schema>],
        at: &Pointer,
        within: &[String],
    ) -> Result<Option<ObjectParts<'s>>>
    where
        'a: 's,
    {
        let mut merged = ObjectParts::default();
        for (i, part) in parts.iter().enumerate() {
            let mut path = within.to_vec();
            let (schema, part_at) = match part {
                ReferenceOr::Item(schema) => (schema, at.join("allOf").join(i)),
                ReferenceOr::Reference { reference } => {
                    let (component, schema) = self.resolve_component(reference, at)?;
                    if within.contains(&component) {
                        return Err(Error::Unsupported {
                            pointer: at.join("allOf").join(i).to_string(),
                            what: format!("an `allOf` that includes itself (through `{reference}`)"),
                        });
                    }
                    let part_at = Pointer::root().join("components").join("schemas").join(&component);
                    path.push(component);
                    (schema, part_at)
                }
            };
            let (properties, required, additional, nested) = match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => (&o.properties, &o.required, &o.additional_properties, None),
                SchemaKind::Any(any) => (
                    &any.properties,
                    &any.required,
                    &any.additional_properties,
                    Some(&any.all_of),
                ),
                // Which properties must be present, one way or another: a check on
                // values, not a shape.
                SchemaKind::AnyOf { any_of: choices } | SchemaKind::OneOf { one_of: choices }
                    if choices.iter().all(only_requires) =>
                {
                    continue;
                }
                SchemaKind::AllOf { all_of } => {
                    let Some(inner) = self.merge_all_of_within(all_of, &part_at, &path)? else {
                        return Ok(None);
                    };
                    merged.properties.extend(inner.properties);
                    merged.required.extend(inner.required);
                    continue;
                }
                _ => return Ok(None),
            };
            if let Some(nested) = nested.filter(|n| !n.is_empty()) {
                let Some(inner) = self.merge_all_of_within(nested, &part_at, &path)? else {
                    return Ok(None);
                };
                merged.properties.extend(inner.properties);
                merged.required.extend(inner.required);
            }
            merged.override_with(own_properties(properties, &part_at));
            merged.required.extend(required.iter().cloned());
            if let Some(additional) = additional {
                merged.additional = Some((additional, part_at.join("additionalProperties")));
            }
        }
        Ok(Some(merged))
    }
}

pub(super) fn own_properties<'s>(
    properties: &'s IndexMap<String, ReferenceOr<Box<Schema>>>,
    at: &Pointer,
) -> Vec<PropertyIn<'s>> {
    properties
        .iter()
        .map(|(wire, schema)| PropertyIn {
            wire,
            schema: schema.into(),
            at: at.join("properties").join(wire),
        })
        .collect()
}

/// The one part of an `allOf` that says what the value is, when every other part only
/// documents or bounds it (a description, an example, `maxLength: 12`).
pub(super) fn sole_part(all_of: &[ReferenceOr<Schema>]) -> Option<usize> {
    if all_of.len() == 1 {
        return Some(0);
    }
    let mut shaping = all_of.iter().enumerate().filter(|(_, part)| !shapeless(part));
    match (shaping.next(), shaping.next()) {
        (Some((index, _)), None) => Some(index),
        _ => None,
    }
}

/// A schema without a type, properties, items, alternatives or values of its own: only
/// docs and bounds.
fn shapeless(part: &ReferenceOr<Schema>) -> bool {
    let ReferenceOr::Item(schema) = part else { return false };
    let SchemaKind::Any(any) = &schema.schema_kind else {
        return false;
    };
    let bounds = AnySchema {
        pattern: any.pattern.clone(),
        multiple_of: any.multiple_of,
        exclusive_minimum: any.exclusive_minimum,
        exclusive_maximum: any.exclusive_maximum,
        minimum: any.minimum,
        maximum: any.maximum,
        min_properties: any.min_properties,
        max_properties: any.max_properties,
        min_items: any.min_items,
        max_items: any.max_items,
        unique_items: any.unique_items,
        min_length: any.min_length,
        max_length: any.max_length,
        ..AnySchema::default()
    };
    *any == bounds
}

/// A schema that only lists properties that must be present (an alternative of an
/// `anyOf` saying "this one or that one is given").
fn only_requires(part: &ReferenceOr<Schema>) -> bool {
    let ReferenceOr::Item(schema) = part else { return false };
    match &schema.schema_kind {
        SchemaKind::Any(any) => {
            *any == AnySchema {
                required: any.required.clone(),
                ..AnySchema::default()
            }
        }
        _ => false,
    }
}
