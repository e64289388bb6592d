//! Request bodies: the JSON body (its fields become builder methods), forms and
//! uploads, and any other media type sent as bytes.

use openapiv3::{MediaType, QueryStyle, ReferenceOr, RequestBody, SchemaKind, Type};

use super::Lowerer;
use super::ids::{Body, Field, FormField, TypeKind, TypeRef};
use super::media::pick_json;
use super::operation::input_name;
use super::schema_ref::SchemaRef;
use super::unsupported;
use crate::error::{Error, Result};
use crate::ir::{BodyField, FieldEncoding, FormEncoding, Spelling, Style};
use crate::naming::{self, Scope};
use crate::pointer::Pointer;

impl<'a> Lowerer<'a> {
    pub(super) fn resolve_body(
        &self,
        body: &'a ReferenceOr<RequestBody>,
        at: &Pointer,
    ) -> Result<(Pointer, &'a RequestBody)> {
        match body {
            ReferenceOr::Item(b) => Ok((at.clone(), b)),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/requestBodies/");
                let doc: &'a openapiv3::OpenAPI = self.doc;
                let found = name.and_then(|n| doc.components.as_ref()?.request_bodies.get(n));
                match (name, found) {
                    (Some(name), Some(ReferenceOr::Item(b))) => {
                        Ok((Pointer::root().join("components").join("requestBodies").join(name), b))
                    }
                    _ => Err(Error::DanglingRef {
                        pointer: at.to_string(),
                        reference: reference.clone(),
                    }),
                }
            }
        }
    }

    /// Does the operation take JSON and, as an alternative, a multipart form with a
    /// file in it? Then it gets a second method for the upload (`import_tasks_upload`).
    pub(super) fn has_upload_variant(&self, op: &'a openapiv3::Operation, at: &Pointer) -> bool {
        let Some(Ok((_, body))) = op.request_body.as_ref().map(|b| self.resolve_body(b, at)) else {
            return false;
        };
        let essence = |m: &str| m.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        let form = body.content.iter().find(|(m, _)| essence(m) == "multipart/form-data");
        let form_schema = match form.and_then(|(_, media)| media.schema.as_ref()) {
            Some(ReferenceOr::Item(schema)) => Some(schema),
            Some(ReferenceOr::Reference { reference }) => self.resolve_component(reference, at).ok().map(|(_, s)| s),
            None => None,
        };
        let has_file = matches!(form_schema.map(|s| &s.schema_kind),
            Some(SchemaKind::Type(Type::Object(object))) if object.properties.values().any(|p| self.is_binary(p)));
        has_file && pick_json(&body.content, at, "request body").is_ok()
    }

    pub(super) fn lower_body(
        &mut self,
        body: &'a ReferenceOr<RequestBody>,
        at: &Pointer,
        base: &str,
        args: &mut Scope,
        upload: bool,
        hidden: Option<&str>,
    ) -> Result<Body> {
        let (at, body) = self.resolve_body(body, at)?;
        let json = match upload {
            true => Err(unsupported(&at, "an upload variant without a form")),
            false => pick_json(&body.content, &at, "request body"),
        };
        let (media, media_type) = match json {
            Ok(json) => json,
            Err(no_json) => return self.lower_other_body(body, &at, base, args).map(|b| b.ok_or(no_json))?,
        };
        let schema_at = at.join("content").join(media).join("schema");
        let Some(schema) = &media_type.schema else {
            return Err(unsupported(&schema_at, "a JSON request body without a schema"));
        };
        let lowered = self.lower_schema(SchemaRef::from(schema), &schema_at, &format!("{base}Request"))?;
        self.media_examples(media_type, &at.join("content").join(media), &lowered.ty, true);
        if let TypeRef::Named(id) = &lowered.ty {
            let name = self.name_of(*id).to_owned();
            self.ensure_lowered(&name)?;
        }
        let shape = match &lowered.ty {
            TypeRef::Named(id) => match self.def(*id).map(|t| &t.kind) {
                Some(TypeKind::Struct(shape)) => Some((*id, shape)),
                _ => None,
            },
            _ => None,
        };
        let Some((type_id, shape)) = shape else {
            return Ok(Body::Whole {
                ty: lowered.ty,
                required: body.required,
            });
        };
        // Required fields become call arguments, so they claim their names first.
        let settable = |f: &Field| !f.read_only && Some(f.wire_name.as_str()) != hidden;
        let mut writable: Vec<(usize, &Field)> = shape.fields.iter().enumerate().filter(|(_, f)| settable(f)).collect();
        writable.sort_by_key(|(_, f)| !f.required);
        let fields = writable
            .into_iter()
            .map(|(index, f)| BodyField {
                field: index,
                arg_name: input_name(args, &f.rust_name, "body"),
                argument: f.required,
                null_setter: (!f.required && f.nullable)
                    .then(|| args.claim(&format!("{}_null", f.rust_name.trim_end_matches('_')))),
            })
            .collect();
        Ok(Body::Fields { type_id, fields })
    }

    /// A body without JSON: form fields (multipart or URL-encoded), text, or bytes.
    /// `None` if the media types offered are none of these.
    fn lower_other_body(
        &mut self,
        body: &RequestBody,
        at: &Pointer,
        base: &str,
        args: &mut Scope,
    ) -> Result<Option<Body>> {
        let essence = |m: &str| m.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        let find = |wanted: &str| body.content.iter().find(|(m, _)| essence(m) == wanted);
        for (wanted, encoding) in [
            ("multipart/form-data", FormEncoding::Multipart),
            ("application/x-www-form-urlencoded", FormEncoding::UrlEncoded),
        ] {
            let Some((media, media_type)) = find(wanted) else {
                continue;
            };
            let schema_at = at.join("content").join(media).join("schema");
            let Some(schema) = &media_type.schema else { continue };
            let object = match schema {
                ReferenceOr::Reference { reference } => self.resolve_component(reference, &schema_at)?.1,
                ReferenceOr::Item(schema) => schema,
            };
            match (&object.schema_kind, encoding) {
                (SchemaKind::Type(Type::Object(object)), _) => {
                    let fields = self.lower_form_fields(object, media_type, encoding, &schema_at, base, args)?;
                    return Ok(Some(Body::Form { encoding, fields }));
                }
                // No fields to offer (a binary string, an array): the caller builds the parts.
                (_, FormEncoding::Multipart) => {
                    return Ok(Some(Body::Parts {
                        required: body.required,
                    }));
                }
                // Text the caller writes, sent with the form's media type.
                (_, FormEncoding::UrlEncoded) => break,
            }
        }
        let Some((media, _)) = body.content.iter().next() else {
            return Ok(None);
        };
        let text = essence(media).starts_with("text/") || essence(media) == "application/x-www-form-urlencoded";
        // A range (`*/*`, `image/*`) is not a content type: send the general one.
        let media_type = match essence(media).as_str() {
            "text/*" => "text/plain".to_owned(),
            range if range.ends_with("/*") => "application/octet-stream".to_owned(),
            _ => media.clone(),
        };
        Ok(Some(Body::Raw {
            media_type,
            text,
            required: body.required,
        }))
    }

    /// A form's properties as fields, each with how its value goes into the body.
    fn lower_form_fields(
        &mut self,
        object: &openapiv3::ObjectType,
        media_type: &MediaType,
        encoding: FormEncoding,
        schema_at: &Pointer,
        base: &str,
        args: &mut Scope,
    ) -> Result<Vec<FormField>> {
        let mut fields = Vec::new();
        let mut ordered: Vec<(&String, &ReferenceOr<Box<openapiv3::Schema>>)> = object.properties.iter().collect();
        ordered.sort_by_key(|(name, _)| !object.required.contains(name));
        for (wire, property) in ordered {
            let field_at = schema_at.join("properties").join(wire);
            let lowered = self.lower_schema(
                property.into(),
                &field_at,
                &format!("{base}{}", naming::type_name(wire)),
            )?;
            if lowered.read_only {
                continue;
            }
            let files = self.is_binary_array(property);
            let sensitive = !files && self.is_sensitive(&lowered, &[base], wire, &field_at);
            fields.push(FormField {
                sensitive,
                wire_name: wire.clone(),
                arg_name: input_name(args, &naming::field_name(wire), "form"),
                file: self.is_binary(property) || files,
                files,
                ty: lowered.ty,
                required: object.required.contains(wire),
                docs: lowered.docs,
                encoding: field_encoding(media_type.encoding.get(wire), encoding),
                default: lowered.default,
            });
        }
        Ok(fields)
    }
}

/// `type: string, format: binary`: a file in a form.
fn is_binary_schema(schema: &openapiv3::Schema) -> bool {
    matches!(&schema.schema_kind, SchemaKind::Type(Type::String(s))
        if matches!(s.format, openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary)))
}

/// How a form field's value goes into the body, from its Encoding Object. URL-encoded
/// fields are spelled like query parameters (`form`, exploded, by default); multipart
/// fields are parts unless the encoding names a style.
fn field_encoding(given: Option<&openapiv3::Encoding>, form: FormEncoding) -> FieldEncoding {
    let spelling = |e: &openapiv3::Encoding, style: &QueryStyle| {
        let style = match style {
            QueryStyle::Form => Style::Form,
            QueryStyle::SpaceDelimited => Style::SpaceDelimited,
            QueryStyle::PipeDelimited => Style::PipeDelimited,
            QueryStyle::DeepObject => Style::DeepObject,
        };
        // The loader has already put the specification's default in a missing `explode`.
        Spelling::new(style, Some(e.explode), e.allow_reserved)
    };
    match (given, form) {
        (Some(e), FormEncoding::UrlEncoded) => {
            FieldEncoding::Pairs(spelling(e, e.style.as_ref().unwrap_or(&QueryStyle::Form)))
        }
        (None, FormEncoding::UrlEncoded) => FieldEncoding::Pairs(Spelling::new(Style::Form, None, false)),
        (Some(e), FormEncoding::Multipart) => match &e.style {
            Some(style) => FieldEncoding::Pairs(spelling(e, style)),
            None => FieldEncoding::Part {
                content_type: e.content_type.clone(),
            },
        },
        (None, FormEncoding::Multipart) => FieldEncoding::Part { content_type: None },
    }
}

impl<'a> Lowerer<'a> {
    /// The schema, through `$ref`s to components and compositions of one schema (a 3.1
    /// `anyOf: [X, null]` reads as a nullable `allOf: [X]`); `None` for a dangling one.
    fn resolved<'s>(&self, schema: &'s ReferenceOr<Box<openapiv3::Schema>>) -> Option<&'s openapiv3::Schema>
    where
        'a: 's,
    {
        let schema: &openapiv3::Schema = match schema {
            ReferenceOr::Item(s) => s,
            ReferenceOr::Reference { reference } => self.resolve_component(reference, &Pointer::root()).ok()?.1,
        };
        let only = match &schema.schema_kind {
            SchemaKind::AllOf { all_of: parts }
            | SchemaKind::AnyOf { any_of: parts }
            | SchemaKind::OneOf { one_of: parts }
                if parts.len() == 1 =>
            {
                parts.first()
            }
            _ => None,
        };
        match only {
            Some(ReferenceOr::Item(inner)) => Some(inner),
            Some(ReferenceOr::Reference { reference }) => {
                self.resolve_component(reference, &Pointer::root()).ok().map(|(_, s)| s)
            }
            None => Some(schema),
        }
    }

    /// A file (`type: string, format: binary`), written in place or by `$ref`.
    fn is_binary(&self, schema: &ReferenceOr<Box<openapiv3::Schema>>) -> bool {
        self.resolved(schema).is_some_and(is_binary_schema)
    }

    /// An array of files.
    fn is_binary_array(&self, schema: &ReferenceOr<Box<openapiv3::Schema>>) -> bool {
        matches!(self.resolved(schema).map(|s| &s.schema_kind),
            Some(SchemaKind::Type(Type::Array(array))) if array.items.as_ref().is_some_and(|i| self.is_binary(i)))
    }
}
