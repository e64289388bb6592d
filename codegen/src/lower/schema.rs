//! Schemas → `TypeRef`s and named `TypeDef`s.
//!
//! Objects with properties, enums and unions (`oneOf` / `anyOf`) become named types
//! (components keep their name, inline ones are named after where they sit);
//! everything else is used in place. What cannot be expressed becomes
//! `serde_json::Value` with a warning naming the place — never a dropped field.

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, AnySchema, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaData, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde::Deserialize;
use serde_json::Value;

use super::Lowerer;
use crate::error::{Error, Result};
use crate::ir::{
    Additional, Bound, Derives, Field, FloatWidth, Home, IntEnum, IntVariant, IntWidth, Limits, Number, StringEnum,
    Struct, TypeDef, TypeKind, TypeRef, Union, UnionVariant, Usage, Variant,
};
use crate::naming::{self, Scope};
use crate::pointer::Pointer;

/// A schema seen through one level of `$ref`, as the lowering code wants it.
#[derive(Clone, Copy)]
pub(super) enum SchemaRef<'a> {
    Ref(&'a str),
    Inline(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SchemaRef<'a> {
    fn from(r: &'a ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SchemaRef<'a> {
    fn from(r: &'a ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

/// The type of an array item or map value: `Nullable` when it may be `null` (JSON holds
/// `null` already).
fn element(lowered: Lowered) -> TypeRef {
    match lowered.nullable && lowered.ty != TypeRef::Json {
        true => TypeRef::Nullable(Box::new(lowered.ty)),
        false => lowered.ty,
    }
}

/// What a schema means at the place it is used.
#[derive(Clone, Debug)]
pub(super) struct Lowered {
    pub ty: TypeRef,
    pub nullable: bool,
    pub limits: Limits,
    pub default: Option<Value>,
    pub docs: Option<String>,
    pub read_only: bool,
    pub write_only: bool,
    /// `format: password` or `x-sensitive: true`.
    pub secret: bool,
}

/// One property of an object being defined, wherever it was written.
struct PropertyIn<'s> {
    wire: &'s str,
    schema: SchemaRef<'s>,
    at: Pointer,
}

/// The pieces of an object: its own properties, or those of all `allOf` parts.
#[derive(Default)]
struct ObjectParts<'s> {
    properties: Vec<PropertyIn<'s>>,
    required: Vec<String>,
    additional: Option<(&'s AdditionalProperties, Pointer)>,
}

impl<'s> ObjectParts<'s> {
    /// Adds properties, each replacing one of the same name from an earlier part (a
    /// schema's own `code` narrows the `code` of the error it extends).
    fn override_with(&mut self, properties: Vec<PropertyIn<'s>>) {
        for property in properties {
            self.properties.retain(|p| p.wire != property.wire);
            self.properties.push(property);
        }
    }
}

const COMPONENT_PREFIX: &str = "#/components/schemas/";

/// How many aliases (`A: {items: {$ref: B}}`, `B: ...`) may nest, each used in place
/// inside the one before: far more than any API has, far less than would exhaust a
/// thread's stack following them.
const IN_PLACE_AT_MOST: usize = 64;

impl<'a> Lowerer<'a> {
    /// Lowers the schema at `at`; `hint` names it if it turns out to need a new type.
    pub(super) fn lower_schema(&mut self, schema: SchemaRef<'_>, at: &Pointer, hint: &str) -> Result<Lowered> {
        match schema {
            SchemaRef::Ref(reference) => self.lower_ref(reference, at),
            SchemaRef::Inline(schema) => self.lower_inline(schema, at, hint),
        }
    }

    fn lower_ref(&mut self, reference: &str, at: &Pointer) -> Result<Lowered> {
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
    fn lower_deep_ref(&mut self, reference: &str, at: &Pointer) -> Result<Option<Lowered>> {
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

    fn lower_inline(&mut self, schema: &Schema, at: &Pointer, hint: &str) -> Result<Lowered> {
        // Lowered before for the twin of this call (its upload or stream): the same type.
        if self.reuse_inline_types
            && let Some(existing) = self.inline_at.get(&at.to_string())
        {
            return Ok(existing.clone());
        }
        let lowered = self.lower_inline_shape(schema, at, hint)?;
        self.schema_examples(&schema.schema_data, at, &lowered.ty);
        Ok(lowered)
    }

    fn lower_inline_shape(&mut self, schema: &Schema, at: &Pointer, hint: &str) -> Result<Lowered> {
        let data = &schema.schema_data;
        let ty = match &schema.schema_kind {
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Integer(int)) if !int.enumeration.is_empty() => {
                let name = self.new_type_name(hint, at);
                self.define_int_enum(&name, schema, &int.enumeration, at);
                self.named(&name)
            }
            SchemaKind::Type(Type::Integer(int)) => TypeRef::Int(match int.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => IntWidth::I32,
                _ => IntWidth::I64,
            }),
            SchemaKind::Type(Type::Number(num)) => TypeRef::Float(match num.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => FloatWidth::F32,
                _ => FloatWidth::F64,
            }),
            SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() => {
                let name = self.new_type_name(hint, at);
                self.define_enum(&name, schema, &string.enumeration, at);
                self.named(&name)
            }
            SchemaKind::Type(Type::String(string)) => match &string.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
                _ => TypeRef::String,
            },
            SchemaKind::Type(Type::Array(array)) => {
                let item = match &array.items {
                    Some(items) => {
                        element(self.lower_schema(items.into(), &at.join("items"), &format!("{hint}Item"))?)
                    }
                    None => TypeRef::Json,
                };
                TypeRef::Array(Box::new(item))
            }
            SchemaKind::Type(Type::Object(object)) if object.properties.is_empty() => {
                self.lower_map(object.additional_properties.as_ref(), at, hint)?
            }
            SchemaKind::Type(Type::Object(object)) => {
                let parts = ObjectParts {
                    properties: own_properties(&object.properties, at),
                    required: object.required.clone(),
                    additional: object
                        .additional_properties
                        .as_ref()
                        .map(|a| (a, at.join("additionalProperties"))),
                };
                let name = self.new_type_name(hint, at);
                self.define_struct(&name, data, parts, at)?;
                self.named(&name)
            }
            SchemaKind::AllOf { all_of } if let Some(sole) = sole_part(all_of) => {
                // drf-spectacular's wrapper for a nullable or documented `$ref`; parts
                // beside it that only document it (DigitalOcean's) change nothing.
                let inner = self.lower_schema((&all_of[sole]).into(), &at.join("allOf").join(sole), hint)?;
                let mut lowered = wrap(schema, inner);
                lowered.nullable |= all_of
                    .iter()
                    .any(|p| matches!(p, ReferenceOr::Item(s) if s.schema_data.nullable));
                return Ok(lowered);
            }
            SchemaKind::AllOf { all_of } => match self.merge_all_of(all_of, at)? {
                Some(parts) => {
                    let name = self.new_type_name(hint, at);
                    self.define_struct(&name, data, parts, at)?;
                    self.named(&name)
                }
                None => return Ok(self.fallback(schema, at, "an `allOf` whose parts are not all objects")),
            },
            SchemaKind::OneOf { one_of } => self.union_type(hint, data, one_of, at.join("oneOf"), at)?,
            SchemaKind::AnyOf { any_of } => self.union_type(hint, data, any_of, at.join("anyOf"), at)?,
            SchemaKind::Not { .. } => return Ok(self.fallback(schema, at, "`not`")),
            SchemaKind::Any(any) => return self.lower_any(schema, any, at, hint),
        };
        let mut lowered = describe(schema, ty);
        lowered.limits = limits_of(&schema.schema_kind);
        if matches!(lowered.ty, TypeRef::Named(_)) {
            self.inline_at.insert(at.to_string(), lowered.clone());
        }
        Ok(lowered)
    }

    /// Schemas openapiv3 could not put in one box: no `type`, or keywords that mix.
    fn lower_any(&mut self, schema: &Schema, any: &AnySchema, at: &Pointer, hint: &str) -> Result<Lowered> {
        let data = &schema.schema_data;
        self.warn_properties_beside_alternatives(any, at);
        let ty = if !any.one_of.is_empty() {
            self.union_type(hint, data, &any.one_of, at.join("oneOf"), at)?
        } else if !any.any_of.is_empty() {
            self.union_type(hint, data, &any.any_of, at.join("anyOf"), at)?
        } else if !any.all_of.is_empty() || !any.properties.is_empty() {
            let mut parts = match self.merge_all_of(&any.all_of, at)? {
                Some(parts) => parts,
                None => return Ok(self.fallback(schema, at, "an `allOf` whose parts are not all objects")),
            };
            parts.override_with(own_properties(&any.properties, at));
            parts.required.extend(any.required.iter().cloned());
            if let Some(additional) = &any.additional_properties {
                parts.additional = Some((additional, at.join("additionalProperties")));
            }
            let name = self.new_type_name(hint, at);
            self.define_struct(&name, data, parts, at)?;
            self.named(&name)
        } else if any.not.is_some() {
            return Ok(self.fallback(schema, at, "`not`"));
        } else {
            match any.typ.as_deref() {
                Some("object") => self.lower_map(any.additional_properties.as_ref(), at, hint)?,
                Some("array") => {
                    let item = match &any.items {
                        Some(items) => {
                            element(self.lower_schema(items.into(), &at.join("items"), &format!("{hint}Item"))?)
                        }
                        None => TypeRef::Json,
                    };
                    TypeRef::Array(Box::new(item))
                }
                Some("string") => TypeRef::String,
                Some("integer") => TypeRef::Int(IntWidth::I64),
                Some("number") => TypeRef::Float(FloatWidth::F64),
                Some("boolean") => TypeRef::Bool,
                Some("null") => {
                    // OpenAPI 3.1's `type: null`: only `null` is allowed.
                    let mut lowered = describe(schema, TypeRef::Json);
                    lowered.nullable = true;
                    return Ok(lowered);
                }
                None => TypeRef::Json,
                Some(other) => return Ok(self.fallback(schema, at, &format!("`type: {other}`"))),
            }
        };
        Ok(describe(schema, ty))
    }

    /// The value is kept as JSON; the warning names the place and the reason.
    fn fallback(&mut self, schema: &Schema, at: &Pointer, what: &str) -> Lowered {
        self.warn(
            at,
            format!("{what} cannot be expressed as a Rust type; kept as `serde_json::Value`"),
        );
        describe(schema, TypeRef::Json)
    }

    fn lower_map(&mut self, additional: Option<&AdditionalProperties>, at: &Pointer, hint: &str) -> Result<TypeRef> {
        let value = match additional {
            Some(AdditionalProperties::Schema(schema)) => {
                let inner: &ReferenceOr<Schema> = schema;
                element(self.lower_schema(inner.into(), &at.join("additionalProperties"), &format!("{hint}Value"))?)
            }
            Some(AdditionalProperties::Any(_)) | None => TypeRef::Json,
        };
        Ok(TypeRef::Map(Box::new(value)))
    }

    /// The properties of every `allOf` part, later parts winning; `None` if a part is
    /// not an object (a string `allOf`, say).
    fn merge_all_of<'s>(&self, parts: &'s [ReferenceOr<Schema>], at: &Pointer) -> Result<Option<ObjectParts<'s>>>
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

    /// Lowers a component schema queued by `lower_ref` into its named type.
    pub(super) fn lower_component(&mut self, component: &str) -> Result<()> {
        self.components_in_progress.insert(component.to_owned());
        let result = self.lower_component_now(component);
        self.components_in_progress.remove(component);
        result
    }

    fn lower_component_now(&mut self, component: &str) -> Result<()> {
        let at = Pointer::root().join("components").join("schemas").join(component);
        let (_, schema) = self.resolve_component(&format!("{COMPONENT_PREFIX}{component}"), &at)?;
        let name = self.component_type_name(component);
        let data = &schema.schema_data;
        let ty = self.named(&name);
        self.schema_examples(data, &at, &ty);
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => self.define_enum(&name, schema, &string.enumeration, &at),
            SchemaKind::Type(Type::Integer(int)) => self.define_int_enum(&name, schema, &int.enumeration, &at),
            SchemaKind::Type(Type::Object(object)) => {
                let parts = ObjectParts {
                    properties: own_properties(&object.properties, &at),
                    required: object.required.clone(),
                    additional: object
                        .additional_properties
                        .as_ref()
                        .map(|a| (a, at.join("additionalProperties"))),
                };
                self.define_struct(&name, data, parts, &at)?
            }
            SchemaKind::OneOf { one_of } => self.define_union(&name, data, one_of, at.join("oneOf"), &at)?,
            SchemaKind::AnyOf { any_of } => self.define_union(&name, data, any_of, at.join("anyOf"), &at)?,
            SchemaKind::AllOf { all_of } => match self.merge_all_of(all_of, &at)? {
                Some(parts) => self.define_struct(&name, data, parts, &at)?,
                None => self.define_opaque(&name, schema, &at, "an `allOf` whose parts are not all objects"),
            },
            SchemaKind::Any(any) if !any.one_of.is_empty() => {
                self.warn_properties_beside_alternatives(any, &at);
                self.define_union(&name, data, &any.one_of, at.join("oneOf"), &at)?
            }
            SchemaKind::Any(any) if !any.any_of.is_empty() => {
                self.warn_properties_beside_alternatives(any, &at);
                self.define_union(&name, data, &any.any_of, at.join("anyOf"), &at)?
            }
            SchemaKind::Any(any) => {
                let Some(mut parts) = self.merge_all_of(&any.all_of, &at)? else {
                    self.define_opaque(&name, schema, &at, "an `allOf` whose parts are not all objects");
                    return Ok(());
                };
                parts.override_with(own_properties(&any.properties, &at));
                parts.required.extend(any.required.iter().cloned());
                if let Some(additional) = &any.additional_properties {
                    parts.additional = Some((additional, at.join("additionalProperties")));
                }
                self.define_struct(&name, data, parts, &at)?
            }
            _ => self.define_opaque(&name, schema, &at, "this schema"),
        }
        Ok(())
    }

    /// Properties written beside `oneOf`/`anyOf` belong to every alternative; the union
    /// is typed from the alternatives alone, so say which properties it does not hold.
    fn warn_properties_beside_alternatives(&mut self, any: &AnySchema, at: &Pointer) {
        if any.properties.is_empty() || (any.one_of.is_empty() && any.any_of.is_empty()) {
            return;
        }
        let names: Vec<String> = any.properties.keys().map(|k| format!("`{k}`")).collect();
        let message = format!(
            "properties beside the alternatives ({}) are not part of the union's type; a value's are kept only where an alternative declares them",
            names.join(", ")
        );
        self.warn(&at.join("properties"), message);
    }

    /// A named type that could not be modelled: a union with only the JSON fallback.
    fn define_opaque(&mut self, name: &str, schema: &Schema, at: &Pointer, what: &str) {
        self.warn(
            at,
            format!("{what} cannot be expressed as a Rust type; `{name}` holds it as `serde_json::Value`"),
        );
        self.define(
            name,
            at,
            &schema.schema_data,
            TypeKind::Union(Union {
                variants: Vec::new(),
                discriminator: None,
                fallback_variant: "Value".to_owned(),
            }),
        );
    }

    fn define_struct(&mut self, name: &str, data: &SchemaData, parts: ObjectParts<'_>, at: &Pointer) -> Result<()> {
        let mut field_names = Scope::new();
        let mut fields = Vec::with_capacity(parts.properties.len());
        let origin_name = at.segments().last().unwrap_or_default();
        for property in &parts.properties {
            let wire_name = property.wire;
            let field_at = &property.at;
            let hint = format!("{name}{}", naming::type_name(wire_name));
            let lowered = self.lower_schema(property.schema, field_at, &hint)?;
            let candidate = naming::field_name(wire_name);
            let rust_name = field_names.claim(&candidate);
            if rust_name != candidate {
                self.warn(
                    field_at,
                    format!("field name `{candidate}` is taken in `{name}`; using `{rust_name}`"),
                );
            }
            let sensitive = self.is_sensitive(&lowered, &[origin_name.as_str(), name], wire_name, field_at);
            let default = match lowered.default {
                Some(value) if self.default_fits(&lowered.ty, &value) => Some(value),
                Some(value) if self.names_unlowered_type(&lowered.ty) => {
                    let check = (name.to_owned(), wire_name.to_owned(), field_at.clone());
                    self.unchecked_defaults.push(check);
                    Some(value)
                }
                Some(value) => {
                    self.warn(field_at, default_mismatch(&value));
                    None
                }
                None => None,
            };
            fields.push(Field {
                wire_name: wire_name.to_owned(),
                rust_name,
                ty: lowered.ty,
                required: parts.required.iter().any(|r| r == wire_name),
                nullable: lowered.nullable,
                default,
                limits: lowered.limits,
                read_only: lowered.read_only,
                write_only: lowered.write_only,
                sensitive,
                docs: lowered.docs,
                boxed: false,
            });
        }
        let mut missing: Vec<&String> = parts
            .required
            .iter()
            .filter(|r| !parts.properties.iter().any(|p| p.wire == r.as_str()))
            .collect();
        missing.dedup();
        for missing in missing {
            self.warn(
                at,
                format!("`required` names `{missing}`, which is not a property; ignored"),
            );
        }
        let additional = match parts.additional {
            Some((AdditionalProperties::Schema(schema), add_at)) => {
                let inner: &ReferenceOr<Schema> = schema;
                Some(self.lower_schema(inner.into(), &add_at, &format!("{name}Value"))?.ty)
            }
            Some((AdditionalProperties::Any(true), _)) => Some(TypeRef::Json),
            Some((AdditionalProperties::Any(false), _)) | None => None,
        }
        .map(|ty| Additional {
            rust_name: field_names.claim("additional_properties"),
            ty,
        });
        self.define(name, at, data, TypeKind::Struct(Struct { fields, additional }));
        Ok(())
    }

    fn union_type(
        &mut self,
        hint: &str,
        data: &SchemaData,
        alternatives: &[ReferenceOr<Schema>],
        alternatives_at: Pointer,
        at: &Pointer,
    ) -> Result<TypeRef> {
        let name = self.new_type_name(hint, at);
        self.define_union(&name, data, alternatives, alternatives_at, at)?;
        Ok(self.named(&name))
    }

    fn define_union(
        &mut self,
        name: &str,
        data: &SchemaData,
        alternatives: &[ReferenceOr<Schema>],
        alternatives_at: Pointer,
        at: &Pointer,
    ) -> Result<()> {
        let mut scope = Scope::new();
        let mut variants = Vec::new();
        let discriminator = data.discriminator.as_ref();
        for (i, alternative) in alternatives.iter().enumerate() {
            let alt_at = alternatives_at.join(i);
            let (title, reference) = match alternative {
                ReferenceOr::Item(s) => (s.schema_data.title.clone(), None),
                ReferenceOr::Reference { reference } => (None, Some(reference.as_str())),
            };
            // An inline alternative (FastAPI's for a model it does not name) is selected
            // by its discriminator property's one value.
            let inline_tag = match (discriminator, alternative) {
                (Some(d), ReferenceOr::Item(schema)) => self.only_value(schema, &d.property_name, &alt_at),
                _ => None,
            };
            let named = title.as_deref().or(inline_tag.as_deref()).map(naming::type_name);
            let variant_hint = format!("{name}{}", named.clone().unwrap_or_else(|| format!("Variant{}", i + 1)));
            let lowered = self.lower_schema(alternative.into(), &alt_at, &variant_hint)?;
            let label = match (named, &lowered.ty) {
                (Some(named), _) => named,
                (None, TypeRef::Named(id)) if reference.is_some() => self.name_of(*id).to_owned(),
                (None, ty) => kind_name(ty).to_owned(),
            };
            let mut tags = Vec::new();
            if let Some(tag) = inline_tag {
                tags.push(tag);
            } else if let (Some(discriminator), Some(reference)) = (discriminator, reference) {
                tags.extend(
                    discriminator
                        .mapping
                        .iter()
                        .filter(|(_, target)| *target == reference)
                        .map(|(tag, _)| tag.clone()),
                );
                if tags.is_empty() {
                    // Without a mapping, the discriminator value is the schema's name.
                    tags.extend(reference.rsplit('/').next().map(str::to_owned));
                }
            } else if discriminator.is_some() {
                let message = format!(
                    "an inline alternative of a union with a discriminator, without one value of `{}` to be selected by; values for it arrive in the fallback variant",
                    discriminator.map_or("", |d| d.property_name.as_str())
                );
                self.warn(&alt_at, message);
            }
            variants.push(UnionVariant {
                rust_name: scope.claim(&label),
                ty: lowered.ty,
                tags,
                docs: lowered.docs,
                boxed: false,
            });
        }
        // Untagged alternatives are put in a reachable order once all types are known
        // (`unions.rs`).
        let fallback_variant = scope.claim("Other");
        self.define(
            name,
            at,
            data,
            TypeKind::Union(Union {
                variants,
                discriminator: discriminator.map(|d| d.property_name.clone()),
                fallback_variant,
            }),
        );
        Ok(())
    }

    /// The one value `property` may have in an object schema (its own properties, or
    /// those of its `allOf` parts): a one-value string enum, as 3.1's `const` is read.
    fn only_value(&self, schema: &Schema, property: &str, at: &Pointer) -> Option<String> {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => {
                let value = match object.properties.get(property)? {
                    ReferenceOr::Item(s) => Some(s.as_ref()),
                    ReferenceOr::Reference { reference } => self.resolve_component(reference, at).ok().map(|(_, s)| s),
                }?;
                match &value.schema_kind {
                    SchemaKind::Type(Type::String(text)) => match text.enumeration.as_slice() {
                        [Some(only)] => Some(only.clone()),
                        _ => None,
                    },
                    _ => None,
                }
            }
            // A later part's property overrides an earlier one's.
            SchemaKind::AllOf { all_of } => all_of.iter().rev().find_map(|part| match part {
                ReferenceOr::Item(part) => self.only_value(part, property, at),
                ReferenceOr::Reference { reference } => {
                    let (_, part) = self.resolve_component(reference, at).ok()?;
                    self.only_value(part, property, at)
                }
            }),
            _ => None,
        }
    }

    /// Adds the type `name`, defined at `at` by a schema with `data`, to the API.
    fn define(&mut self, name: &str, at: &Pointer, data: &SchemaData, kind: TypeKind) {
        self.insert_type(TypeDef {
            name: name.to_owned(),
            origin: at.to_string(),
            docs: docs_of(data),
            usage: Usage::default(),
            derives: Derives::default(),
            alias_of: None,
            home: Home::Unused,
            part: 0,
            features: Vec::new(),
            kind,
        });
    }

    fn define_enum(&mut self, name: &str, schema: &Schema, values: &[Option<String>], at: &Pointer) {
        let described = variant_docs(schema.schema_data.description.as_deref());
        let mut scope = Scope::new();
        let mut variants: Vec<Variant> = Vec::new();
        for wire in values.iter().flatten() {
            if variants.iter().any(|v| &v.wire == wire) {
                continue; // listed twice
            }
            variants.push(Variant {
                wire: wire.clone(),
                rust_name: scope.claim(&naming::variant_name(wire)),
                docs: described
                    .iter()
                    .find(|(value, _)| value == wire)
                    .map(|(_, doc)| doc.clone()),
            });
        }
        let unknown_variant = claim_unknown(&mut scope);
        self.define(
            name,
            at,
            &schema.schema_data,
            TypeKind::StringEnum(StringEnum {
                variants,
                unknown_variant,
            }),
        );
    }

    fn define_int_enum(&mut self, name: &str, schema: &Schema, values: &[Option<i64>], at: &Pointer) {
        // Names from `x-enum-varnames` (a common extension) when present, else `V<n>`.
        let names: Vec<String> = match schema.schema_data.extensions.get("x-enum-varnames") {
            Some(Value::Array(names)) => names
                .iter()
                .filter_map(|n| n.as_str().map(naming::variant_name))
                .collect(),
            _ => Vec::new(),
        };
        let mut scope = Scope::new();
        let mut variants: Vec<IntVariant> = Vec::new();
        for (i, value) in values.iter().flatten().enumerate() {
            if variants.iter().any(|v| v.value == *value) {
                continue;
            }
            let label = names
                .get(i)
                .cloned()
                .unwrap_or_else(|| naming::variant_name(&value.to_string().replace('-', "minus ")));
            variants.push(IntVariant {
                value: *value,
                rust_name: scope.claim(&label),
            });
        }
        let unknown_variant = claim_unknown(&mut scope);
        self.define(
            name,
            at,
            &schema.schema_data,
            TypeKind::IntEnum(IntEnum {
                variants,
                unknown_variant,
            }),
        );
    }

    /// A field is a secret when the config lists it, the schema says so (`format:
    /// password`, `x-sensitive: true`), or its name says credential (see
    /// [`naming::says_credential`]) — unless the config lists it as not sensitive.
    /// `writeOnly` alone is not enough: plenty of write-only fields are plain data. What
    /// only the name rule marked is reported, so a false positive is easy to spot.
    pub(super) fn is_sensitive(
        &mut self,
        lowered: &Lowered,
        type_names: &[&str],
        wire_name: &str,
        at: &Pointer,
    ) -> bool {
        let listed = |f: &dyn Fn(&str, &str) -> bool| type_names.iter().any(|t| f(t, wire_name));
        if listed(&|t, w| self.config.is_not_sensitive(t, w)) {
            return false;
        }
        if lowered.secret || listed(&|t, w| self.config.is_sensitive(t, w)) {
            return true;
        }
        let by_name = naming::says_credential(wire_name) && holds_text(&lowered.ty);
        // Once per name: the config lists names, and a name repeats across schemas.
        if by_name && self.secrets_by_name.insert(wire_name.to_owned()) {
            self.warn(
                at,
                format!(
                    "`{wire_name}` (here and in any other schema) is taken for a secret by its name: `Debug` \
                     prints it as `<redacted>`; list it under `[fields] sensitive` to confirm, or \
                     `not_sensitive` if it is not one"
                ),
            );
        }
        by_name
    }

    /// Drops (with a warning) the defaults left for later that do not fit their
    /// now-lowered types.
    pub(super) fn check_late_defaults(&mut self) {
        for (owner, wire, at) in std::mem::take(&mut self.unchecked_defaults) {
            let Some(TypeKind::Struct(fields)) = self.types.get(&owner).map(|t| &t.kind) else {
                continue;
            };
            let Some(index) = fields.fields.iter().position(|f| f.wire_name == wire) else {
                continue;
            };
            let field = &fields.fields[index];
            let Some(value) = field.default.clone() else { continue };
            if self.default_fits(&field.ty, &value) {
                continue;
            }
            if let Some(TypeKind::Struct(fields)) = self.types.get_mut(&owner).map(|t| &mut t.kind) {
                fields.fields[index].default = None;
            }
            self.warn(&at, default_mismatch(&value));
        }
    }

    /// Whether `ty` names a type not lowered yet (so a default cannot be checked now).
    fn names_unlowered_type(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Named(id) => self.def(*id).is_none(),
            TypeRef::Array(item) | TypeRef::Map(item) | TypeRef::Nullable(item) => self.names_unlowered_type(item),
            _ => false,
        }
    }

    /// Does a schema `default` fit the Rust type it will be parsed into?
    fn default_fits(&self, ty: &TypeRef, value: &Value) -> bool {
        match (ty, value) {
            (TypeRef::Json, _) => true,
            (TypeRef::Bool, Value::Bool(_)) => true,
            (TypeRef::Int(IntWidth::I64), Value::Number(n)) => n.is_i64(),
            (TypeRef::Int(IntWidth::I32), Value::Number(n)) => n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
            (TypeRef::Float(_), Value::Number(_)) => true,
            (TypeRef::String, Value::String(_)) => true,
            (TypeRef::Array(item), Value::Array(items)) => items.iter().all(|v| self.default_fits(item, v)),
            (TypeRef::Map(item), Value::Object(map)) => map.values().all(|v| self.default_fits(item, v)),
            (TypeRef::Nullable(_), Value::Null) => true,
            (TypeRef::Nullable(item), v) => self.default_fits(item, v),
            (TypeRef::Named(id), value) => self.def(*id).is_some_and(|t| match (&t.kind, value) {
                (TypeKind::StringEnum(e), Value::String(s)) => e.variants.iter().any(|v| &v.wire == s),
                (TypeKind::IntEnum(e), Value::Number(n)) => e.variants.iter().any(|v| Some(v.value) == n.as_i64()),
                _ => false,
            }),
            // Dates and objects are documented, not parsed into code.
            _ => false,
        }
    }
}

fn own_properties<'s>(properties: &'s IndexMap<String, ReferenceOr<Box<Schema>>>, at: &Pointer) -> Vec<PropertyIn<'s>> {
    properties
        .iter()
        .map(|(wire, schema)| PropertyIn {
            wire,
            schema: schema.into(),
            at: at.join("properties").join(wire),
        })
        .collect()
}

/// Text a secret could be written in: strings and raw JSON (or lists and maps of them).
fn holds_text(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::String | TypeRef::Json => true,
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => holds_text(inner),
        _ => false,
    }
}

/// A short name for an unnamed union alternative.
fn kind_name(ty: &TypeRef) -> &'static str {
    match ty {
        TypeRef::Bool => "Boolean",
        TypeRef::Int(_) => "Integer",
        TypeRef::Float(_) => "Number",
        TypeRef::String => "String",
        TypeRef::DateTime => "DateTime",
        TypeRef::Date => "Date",
        TypeRef::Json => "Value",
        TypeRef::Named(_) => "Object",
        TypeRef::Array(_) => "List",
        TypeRef::Map(_) => "Map",
        TypeRef::Nullable(inner) => kind_name(inner),
    }
}

/// Objects with properties, enums, unions and merged `allOf`s get a name of their own.
fn is_named_kind(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
        SchemaKind::Type(Type::String(s)) => !s.enumeration.is_empty(),
        SchemaKind::Type(Type::Integer(i)) => !i.enumeration.is_empty(),
        SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => true,
        SchemaKind::AllOf { all_of } => sole_part(all_of).is_none(),
        // `type: object` beside `allOf` (even one part) is merged into a struct of its own.
        SchemaKind::Any(any) => {
            !any.properties.is_empty() || !any.one_of.is_empty() || !any.any_of.is_empty() || !any.all_of.is_empty()
        }
        _ => false,
    }
}

/// The warning for a `default` its field's type cannot hold.
fn default_mismatch(value: &Value) -> String {
    format!("`default: {value}` does not match the field's type; ignored")
}

/// The one part of an `allOf` that says what the value is, when every other part only
/// documents or bounds it (a description, an example, `maxLength: 12`).
fn sole_part(all_of: &[ReferenceOr<Schema>]) -> Option<usize> {
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

/// A wrapper (`allOf: [$ref]` with `nullable`, docs, ...) around an inner schema.
fn wrap(schema: &Schema, inner: Lowered) -> Lowered {
    let mut lowered = describe(schema, inner.ty);
    lowered.nullable |= inner.nullable;
    lowered.limits = inner.limits;
    lowered.docs = lowered.docs.or(inner.docs);
    lowered.default = lowered.default.or(inner.default);
    lowered.read_only |= inner.read_only;
    lowered.write_only |= inner.write_only;
    lowered.secret |= inner.secret;
    lowered
}

/// The facts every schema carries, whatever its kind.
fn describe(schema: &Schema, ty: TypeRef) -> Lowered {
    let data = &schema.schema_data;
    let enum_allows_null = match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_none),
        SchemaKind::Type(Type::Integer(i)) => i.enumeration.iter().any(Option::is_none),
        _ => false,
    };
    let secret = matches!(
        &schema.schema_kind,
        SchemaKind::Type(Type::String(s)) if matches!(s.format, VariantOrUnknownOrEmpty::Item(StringFormat::Password))
    ) || data.extensions.get("x-sensitive") == Some(&Value::Bool(true));
    Lowered {
        ty,
        nullable: data.nullable || enum_allows_null,
        limits: Limits::default(),
        default: data.default.clone(),
        docs: docs_of(data),
        read_only: data.read_only,
        write_only: data.write_only,
        secret,
    }
}

fn docs_of(data: &SchemaData) -> Option<String> {
    let text = match (&data.title, &data.description) {
        (Some(title), Some(description)) if title != description => format!("{title}\n\n{description}"),
        (_, Some(description)) => description.clone(),
        (Some(title), None) => title.clone(),
        (None, None) => return None,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn limits_of(kind: &SchemaKind) -> Limits {
    let as_u64 = |v: Option<usize>| v.map(|v| v as u64);
    match kind {
        SchemaKind::Type(Type::String(s)) => Limits {
            min_length: as_u64(s.min_length),
            max_length: as_u64(s.max_length),
            ..Limits::default()
        },
        SchemaKind::Type(Type::Integer(i)) => Limits {
            minimum: i.minimum.map(|v| Bound {
                value: Number::Int(v),
                exclusive: i.exclusive_minimum,
            }),
            maximum: i.maximum.map(|v| Bound {
                value: Number::Int(v),
                exclusive: i.exclusive_maximum,
            }),
            ..Limits::default()
        },
        SchemaKind::Type(Type::Number(n)) => Limits {
            minimum: n.minimum.map(|v| Bound {
                value: Number::Float(v),
                exclusive: n.exclusive_minimum,
            }),
            maximum: n.maximum.map(|v| Bound {
                value: Number::Float(v),
                exclusive: n.exclusive_maximum,
            }),
            ..Limits::default()
        },
        SchemaKind::Type(Type::Array(a)) => Limits {
            min_items: as_u64(a.min_items),
            max_items: as_u64(a.max_items),
            ..Limits::default()
        },
        _ => Limits::default(),
    }
}

/// drf-spectacular documents enum values as lines of "* `value` - Label".
fn variant_docs(description: Option<&str>) -> Vec<(String, String)> {
    description
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("* `")?;
            let (value, label) = rest.split_once("` - ")?;
            Some((value.to_owned(), label.trim().to_owned()))
        })
        .collect()
}

/// An enum's catch-all for values added later: `Unknown`, or `UnknownValue` if a real
/// value took `Unknown`.
fn claim_unknown(scope: &mut Scope) -> String {
    let name = if scope.contains("Unknown") {
        "UnknownValue"
    } else {
        "Unknown"
    };
    scope.claim(name)
}
