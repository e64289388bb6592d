//! Named types made from schemas: structs, unions, string and integer enums, and the
//! opaque fallback for what cannot be modelled.

use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaData, SchemaKind, Type};
use serde_json::Value;

use super::Lowerer;
use super::ids::{Additional, Field, Struct, TypeDef, TypeKind, TypeRef, Union, UnionVariant};
use super::objects::ObjectParts;
use super::schema::{default_mismatch, docs_of, kind_name};
use crate::ir::{Derives, FieldState, Home, IntEnum, IntVariant, StringEnum, Usage, Variant};

use crate::error::Result;

use crate::naming::{self, Scope};
use crate::pointer::Pointer;

impl<'a> Lowerer<'a> {
    /// A named type that could not be modelled: a union with only the JSON fallback.
    pub(super) fn define_opaque(&mut self, name: &str, schema: &Schema, at: &Pointer, what: &str) {
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

    pub(super) fn define_struct(
        &mut self,
        name: &str,
        data: &SchemaData,
        parts: ObjectParts<'_>,
        at: &Pointer,
    ) -> Result<()> {
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
                // Settled by `field_state::settle` once the type's direction is known.
                state: FieldState::Required,
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

    pub(super) fn union_type(
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

    pub(super) fn define_union(
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
    pub(super) fn only_value(&self, schema: &Schema, property: &str, at: &Pointer) -> Option<String> {
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
    pub(super) fn define(&mut self, name: &str, at: &Pointer, data: &SchemaData, kind: TypeKind) {
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

    pub(super) fn define_enum(&mut self, name: &str, schema: &Schema, values: &[Option<String>], at: &Pointer) {
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

    pub(super) fn define_int_enum(&mut self, name: &str, schema: &Schema, values: &[Option<i64>], at: &Pointer) {
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
