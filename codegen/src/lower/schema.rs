//! Schemas → `TypeRef`s and named `TypeDef`s.
//!
//! Object schemas and string enums become named types (components keep their name,
//! inline ones are named after where they sit); everything else is used in place.

use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::Lowerer;
use crate::error::{Error, Result};
use crate::ir::{
    Bound, Field, FloatWidth, IntWidth, Limits, Number, StringEnum, Struct, TypeDef, TypeKind, TypeRef, Usage, Variant,
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

const COMPONENT_PREFIX: &str = "#/components/schemas/";

impl<'a> Lowerer<'a> {
    /// Lowers the schema at `at`; `hint` names it if it turns out to need a new type.
    pub(super) fn lower_schema(&mut self, schema: SchemaRef<'_>, at: &Pointer, hint: &str) -> Result<Lowered> {
        match schema {
            SchemaRef::Ref(reference) => self.lower_ref(reference, at),
            SchemaRef::Inline(schema) => self.lower_inline(schema, at, hint),
        }
    }

    fn lower_ref(&mut self, reference: &str, at: &Pointer) -> Result<Lowered> {
        let (component, schema) = self.resolve_component(reference, at)?;
        let pointer = Pointer::root().join("components").join("schemas").join(&component);
        if is_named_kind(schema) {
            let name = self.component_type_name(&component);
            if !self.lowered_components.contains(&component) && !self.pending_components.contains(&component) {
                self.pending_components.push(component.clone());
            }
            let mut lowered = describe(schema, TypeRef::Named(name));
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
            self.inlining.push(component.clone());
            let hint = self.component_type_name(&component);
            let lowered = self.lower_inline(schema, &pointer, &hint);
            self.inlining.pop();
            lowered
        }
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
                        what: format!("`$ref: {reference}` (only `{COMPONENT_PREFIX}<name>` references are supported)"),
                    }
                } else {
                    Error::Unsupported {
                        pointer: at.to_string(),
                        what: format!("external `$ref: {reference}` (bundle the description into one file first)"),
                    }
                });
            };
            if name.contains('/') {
                return Err(Error::Unsupported {
                    pointer: at.to_string(),
                    what: format!("`$ref: {reference}` points inside a schema; only whole components are supported"),
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
        let data = &schema.schema_data;
        let ty = match &schema.schema_kind {
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Integer(int)) => TypeRef::Int(match int.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => IntWidth::I32,
                _ => IntWidth::I64,
            }),
            SchemaKind::Type(Type::Number(num)) => TypeRef::Float(match num.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => FloatWidth::F32,
                _ => FloatWidth::F64,
            }),
            SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() => {
                let name = self.new_type_name(hint);
                self.define_enum(&name, schema, &string.enumeration, at);
                TypeRef::Named(name)
            }
            SchemaKind::Type(Type::String(string)) => match &string.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
                _ => TypeRef::String,
            },
            SchemaKind::Type(Type::Array(array)) => {
                let item = match &array.items {
                    Some(items) => {
                        let item_hint = format!("{hint}Item");
                        self.lower_schema(items.into(), &at.join("items"), &item_hint)?.ty
                    }
                    None => TypeRef::Json,
                };
                TypeRef::Array(Box::new(item))
            }
            SchemaKind::Type(Type::Object(object)) if object.properties.is_empty() => {
                self.lower_map(object.additional_properties.as_ref(), at, hint)?
            }
            SchemaKind::Type(Type::Object(object)) => {
                let name = self.new_type_name(hint);
                self.define_struct(&name, data, &object.properties, &object.required, at)?;
                TypeRef::Named(name)
            }
            SchemaKind::Any(any) if !any.properties.is_empty() => {
                let name = self.new_type_name(hint);
                self.define_struct(&name, data, &any.properties, &any.required, at)?;
                TypeRef::Named(name)
            }
            SchemaKind::Any(any)
                if any.one_of.is_empty() && any.any_of.is_empty() && any.all_of.is_empty() && any.not.is_none() =>
            {
                TypeRef::Json
            }
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                // drf-spectacular's wrapper for a nullable or documented `$ref`.
                let inner = self.lower_schema((&all_of[0]).into(), &at.join("allOf").join(0), hint)?;
                let mut lowered = describe(schema, inner.ty);
                lowered.nullable |= inner.nullable;
                lowered.limits = inner.limits;
                lowered.docs = lowered.docs.or(inner.docs);
                return Ok(lowered);
            }
            SchemaKind::AllOf { .. } => return Err(unsupported(at, "`allOf` with more than one schema")),
            SchemaKind::OneOf { .. } => return Err(unsupported(at, "`oneOf`")),
            SchemaKind::AnyOf { .. } => return Err(unsupported(at, "`anyOf`")),
            SchemaKind::Not { .. } => return Err(unsupported(at, "`not`")),
            SchemaKind::Any(_) => {
                return Err(unsupported(
                    at,
                    "a schema mixing `oneOf`/`anyOf`/`allOf`/`not` with other keywords",
                ));
            }
        };
        let mut lowered = describe(schema, ty);
        lowered.limits = limits_of(&schema.schema_kind);
        Ok(lowered)
    }

    fn lower_map(&mut self, additional: Option<&AdditionalProperties>, at: &Pointer, hint: &str) -> Result<TypeRef> {
        let value = match additional {
            Some(AdditionalProperties::Schema(schema)) => {
                let value_hint = format!("{hint}Value");
                let inner: &ReferenceOr<Schema> = schema;
                self.lower_schema(inner.into(), &at.join("additionalProperties"), &value_hint)?
                    .ty
            }
            Some(AdditionalProperties::Any(_)) | None => TypeRef::Json,
        };
        Ok(TypeRef::Map(Box::new(value)))
    }

    /// Lowers a component schema queued by `lower_ref` into its named type.
    pub(super) fn lower_component(&mut self, component: &str) -> Result<()> {
        let at = Pointer::root().join("components").join("schemas").join(component);
        let (_, schema) = self.resolve_component(&format!("{COMPONENT_PREFIX}{component}"), &at)?;
        let name = self.component_type_name(component);
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => self.define_enum(&name, schema, &string.enumeration, &at),
            SchemaKind::Type(Type::Object(object)) => {
                self.define_struct(&name, &schema.schema_data, &object.properties, &object.required, &at)?
            }
            SchemaKind::Any(any) => {
                self.define_struct(&name, &schema.schema_data, &any.properties, &any.required, &at)?
            }
            _ => unreachable_kind(&at)?,
        }
        Ok(())
    }

    fn define_struct(
        &mut self,
        name: &str,
        data: &openapiv3::SchemaData,
        properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        at: &Pointer,
    ) -> Result<()> {
        let mut field_names = Scope::new();
        let mut fields = Vec::with_capacity(properties.len());
        let origin_name = at.segments().last().unwrap_or_default();
        for (wire_name, property) in properties {
            let field_at = at.join("properties").join(wire_name);
            let hint = format!("{name}{}", naming::type_name(wire_name));
            let lowered = self.lower_schema(property.into(), &field_at, &hint)?;
            let candidate = naming::field_name(wire_name);
            let rust_name = field_names.claim(&candidate);
            if rust_name != candidate {
                self.warn(
                    &field_at,
                    format!("field name `{candidate}` is taken in `{name}`; using `{rust_name}`"),
                );
            }
            let default = match lowered.default {
                Some(value) if self.default_fits(&lowered.ty, &value) => Some(value),
                Some(value) => {
                    self.warn(
                        &field_at,
                        format!("`default: {value}` does not match the field's type; ignored"),
                    );
                    None
                }
                None => None,
            };
            let sensitive = lowered.secret
                || lowered.write_only
                || self.config.is_sensitive(&origin_name, wire_name)
                || self.config.is_sensitive(name, wire_name);
            fields.push(Field {
                wire_name: wire_name.clone(),
                rust_name,
                ty: lowered.ty,
                required: required.contains(wire_name),
                nullable: lowered.nullable,
                default,
                limits: lowered.limits,
                read_only: lowered.read_only,
                write_only: lowered.write_only,
                sensitive,
                docs: lowered.docs,
            });
        }
        for missing in required.iter().filter(|r| !properties.contains_key(*r)) {
            self.warn(
                at,
                format!("`required` names `{missing}`, which is not a property; ignored"),
            );
        }
        self.insert_type(TypeDef {
            name: name.to_owned(),
            origin: at.to_string(),
            docs: docs_of(data),
            usage: Usage::default(),
            kind: TypeKind::Struct(Struct { fields }),
        });
        Ok(())
    }

    fn define_enum(&mut self, name: &str, schema: &Schema, values: &[Option<String>], at: &Pointer) {
        let described = variant_docs(schema.schema_data.description.as_deref());
        let mut scope = Scope::new();
        let variants: Vec<Variant> = values
            .iter()
            .flatten()
            .map(|wire| Variant {
                wire: wire.clone(),
                rust_name: scope.claim(&naming::variant_name(wire)),
                docs: described
                    .iter()
                    .find(|(value, _)| value == wire)
                    .map(|(_, doc)| doc.clone()),
            })
            .collect();
        // The catch-all for values added later; `UnknownValue` if a real value took `Unknown`.
        let unknown_variant = scope.claim(if scope.contains("Unknown") {
            "UnknownValue"
        } else {
            "Unknown"
        });
        self.insert_type(TypeDef {
            name: name.to_owned(),
            origin: at.to_string(),
            docs: docs_of(&schema.schema_data),
            usage: Usage::default(),
            kind: TypeKind::StringEnum(StringEnum {
                variants,
                unknown_variant,
            }),
        });
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
            (TypeRef::Named(name), Value::String(s)) => self.types.get(name).is_some_and(|t| match &t.kind {
                TypeKind::StringEnum(e) => e.variants.iter().any(|v| &v.wire == s),
                TypeKind::Struct(_) => false,
            }),
            // Dates and objects are documented, not parsed into code.
            _ => false,
        }
    }
}

/// Objects with properties and string enums get a name of their own.
fn is_named_kind(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
        SchemaKind::Type(Type::String(s)) => !s.enumeration.is_empty(),
        SchemaKind::Any(any) => !any.properties.is_empty(),
        _ => false,
    }
}

fn unreachable_kind(at: &Pointer) -> Result<()> {
    Err(Error::Invalid {
        pointer: at.to_string(),
        message: "internal: component queued as a named type is not an object or enum".to_owned(),
    })
}

fn unsupported(at: &Pointer, what: &str) -> Error {
    Error::Unsupported {
        pointer: at.to_string(),
        what: what.to_owned(),
    }
}

/// The facts every schema carries, whatever its kind.
fn describe(schema: &Schema, ty: TypeRef) -> Lowered {
    let data = &schema.schema_data;
    let enum_allows_null = match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_none),
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

fn docs_of(data: &openapiv3::SchemaData) -> Option<String> {
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
