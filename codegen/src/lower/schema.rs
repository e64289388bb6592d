//! Schemas → `TypeRef`s and named `TypeDef`s.
//!
//! Objects with properties, enums and unions (`oneOf` / `anyOf`) become named types
//! (components keep their name, inline ones are named after where they sit);
//! everything else is used in place. What cannot be expressed becomes
//! `serde_json::Value` with a warning naming the place — never a dropped field.
//!
//! Here: the walk over a schema, components, secrets and late defaults. References
//! are followed in [`super::refs`], objects' properties gathered in [`super::objects`],
//! and named types built in [`super::define`].

use openapiv3::{
    AdditionalProperties, AnySchema, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaData, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::Lowerer;
use super::ids::{TypeKind, TypeRef};
use super::objects::{ObjectParts, own_properties, sole_part};
use super::schema_ref::{COMPONENT_PREFIX, SchemaRef};
use crate::error::Result;
use crate::ir::{Bound, FloatWidth, IntWidth, Limits, Number};
use crate::naming::{self};
use crate::pointer::Pointer;

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

/// How many aliases (`A: {items: {$ref: B}}`, `B: ...`) may nest, each used in place
/// inside the one before: far more than any API has, far less than would exhaust a
/// thread's stack following them.
pub(super) const IN_PLACE_AT_MOST: usize = 64;

impl<'a> Lowerer<'a> {
    /// Lowers the schema at `at`; `hint` names it if it turns out to need a new type.
    pub(super) fn lower_schema(&mut self, schema: SchemaRef<'_>, at: &Pointer, hint: &str) -> Result<Lowered> {
        match schema {
            SchemaRef::Ref(reference) => self.lower_ref(reference, at),
            SchemaRef::Inline(schema) => self.lower_inline(schema, at, hint),
        }
    }

    pub(super) fn lower_inline(&mut self, schema: &Schema, at: &Pointer, hint: &str) -> Result<Lowered> {
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
    pub(super) fn names_unlowered_type(&self, ty: &TypeRef) -> bool {
        ty.named().is_some_and(|id| self.def(id).is_none())
    }

    /// Does a schema `default` fit the Rust type it will be parsed into?
    pub(super) fn default_fits(&self, ty: &TypeRef, value: &Value) -> bool {
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

/// Text a secret could be written in: strings and raw JSON (or lists and maps of them).
fn holds_text(ty: &TypeRef) -> bool {
    matches!(ty.innermost(), TypeRef::String | TypeRef::Json)
}

/// A short name for an unnamed union alternative.
pub(super) fn kind_name(ty: &TypeRef) -> &'static str {
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
pub(super) fn is_named_kind(schema: &Schema) -> bool {
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
pub(super) fn default_mismatch(value: &Value) -> String {
    format!("`default: {value}` does not match the field's type; ignored")
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
pub(super) fn describe(schema: &Schema, ty: TypeRef) -> Lowered {
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

pub(super) fn docs_of(data: &SchemaData) -> Option<String> {
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
