//! Operations: naming (Fern extensions first), parameters, the JSON request body,
//! the success response, and whether the call is authenticated.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    CookieStyle, HeaderStyle, MediaType, Parameter, ParameterSchemaOrContent, PathStyle, QueryStyle, ReferenceOr,
    RequestBody, SchemaKind, SecurityScheme, StatusCode, Type,
};
use serde_json::Value;

use super::schema::SchemaRef;
use super::skip::Failure;
use super::stream::{STREAM_FLAG, Variant, stream_media};
use super::{Lowerer, names, unknown_operation};
use crate::error::{Error, Result};
use crate::ir::{
    ApiKey, Auth, Body, BodyField, ErrorReply, FieldEncoding, FormEncoding, FormField, HttpMethod, KeyLocation,
    Operation, Param, ParamEncoding, PathPart, Response, Spelling, Style, TokenExchange, TypeKind, TypeRef,
};
use crate::naming::{self, Scope};
use crate::pointer::Pointer;

/// Builder members and `send()` locals every operation has; inputs must not take them.
const BUILDER_METHODS: &[&str] = &[
    "send",
    "send_with_response",
    "send_blocking",
    "send_with_response_blocking",
    "send_stream",
    "send_stream_blocking",
    "request",
    "options",
    "body",
    "client",
    "all_items",
    "all_items_blocking",
    "request_spec",
    "query_pairs",
    "header_pairs",
    "form_parts",
    "form_pairs",
    "cookie_pairs",
    // Feature `mock`.
    "returns",
    "fails",
];

/// An operation's parameters by location.
#[derive(Default)]
struct Params {
    path: Vec<Param>,
    query: Vec<Param>,
    header: Vec<Param>,
    cookie: Vec<Param>,
}

fn place_name(param: &Parameter) -> &'static str {
    match param {
        Parameter::Path { .. } => "path",
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// An operation the config selects, with where it sits.
struct Selected<'a> {
    id: String,
    /// The id the call's name is made from (a repeated id gives way to method and path).
    name_id: String,
    path: &'a str,
    item: &'a openapiv3::PathItem,
    method: &'a str,
    op: &'a openapiv3::Operation,
    item_at: Pointer,
}

impl<'a> Lowerer<'a> {
    /// `webhooks`: the crate will have a `webhooks` module, which no group may be.
    pub(super) fn lower_operations(&mut self, webhooks: bool) -> Result<Vec<Operation>> {
        let selection = &self.config.operations;
        let mut first_use: BTreeMap<String, String> = BTreeMap::new();
        let mut known: Vec<&str> = Vec::new();
        let mut selected: Vec<Selected<'a>> = Vec::new();
        let doc = self.doc;
        for (path, item) in &doc.paths.paths {
            let item_at = Pointer::root().join("paths").join(path);
            let ReferenceOr::Item(item) = item else {
                self.warn(
                    &item_at,
                    "a `$ref` path item (only inline ones are read); skipped".to_owned(),
                );
                continue;
            };
            for (method, op) in item.iter() {
                let at = item_at.join(method);
                known.extend(op.operation_id.as_deref());
                if !selection.wants(op.operation_id.as_deref(), &op.tags) || self.skipped.contains_key(&at.to_string())
                {
                    continue;
                }
                let id = match op.operation_id.as_deref() {
                    Some(id) => id.to_owned(),
                    None => {
                        let derived = naming::field_name(&format!("{method} {path}"));
                        self.warn(
                            &at,
                            format!("no operationId; named `{derived}` after its method and path"),
                        );
                        derived
                    }
                };
                // A repeated operationId names the later call after its method and path
                // (`get_things_b`), not `dupe_2`.
                let mut name_id = id.clone();
                if let Some(first) = first_use.get(&id) {
                    name_id = naming::field_name(&format!("{method} {path}"));
                    let message = format!(
                        "operationId `{id}` is also used at {first}; this call is named after its method and path (`{name_id}`)"
                    );
                    self.warn(&at, message);
                } else {
                    first_use.insert(id.clone(), at.to_string());
                }
                selected.push(Selected {
                    name_id,
                    id,
                    path,
                    item,
                    method,
                    op,
                    item_at: item_at.clone(),
                });
            }
        }
        if let Some(ids) = selection.ids()
            && let Some(missing) = ids.iter().find(|id| !first_use.contains_key(*id))
        {
            return Err(unknown_operation(self.config, "include", missing, &known));
        }
        if let Some(missing) = selection.exclude.iter().find(|id| !known.contains(&id.as_str())) {
            return Err(unknown_operation(self.config, "exclude", missing, &known));
        }
        let named: Vec<names::Named<'_>> = selected
            .iter()
            .map(|s| {
                let at = s.item_at.join(s.method);
                names::Named {
                    id: &s.name_id,
                    path: s.path,
                    http_method: s.method,
                    operation: s.op,
                    upload: self.has_upload_variant(s.op, &at),
                    stream: self.has_stream_variant(s.op, &at),
                    at: at.to_string(),
                }
            })
            .collect();
        let call_names = names::call_names(self.config, &named, webhooks, &mut self.warnings)?;
        let mut operations = Vec::with_capacity(selected.len());
        for (selected, name) in selected.iter().zip(call_names) {
            match self.lower_call(selected, name) {
                Ok(calls) => operations.extend(calls),
                Err(error) => self.fail(Failure::Operation {
                    at: selected.item_at.join(selected.method).to_string(),
                    id: selected.id.clone(),
                    error,
                })?,
            }
        }
        Ok(operations)
    }

    /// One operation's calls: itself, first its upload variant if it has one, then its
    /// streamed variant if it has one. Their inline types are the same, named after it.
    fn lower_call(&mut self, selected: &Selected<'a>, name: names::CallName) -> Result<Vec<Operation>> {
        // Inline request/response types are named after the call: ImportStorageS3UpdateRequest.
        let base = naming::type_name(&format!("{} {}", name.group.join(" "), name.method));
        let twin = |method: &Option<String>| method.clone().map(|method| names::CallName { method, ..name.clone() });
        let (upload, stream) = (twin(&name.upload), twin(&name.stream));
        let mut calls = vec![self.lower_operation(selected, name, Variant::Plain, base.clone())?];
        // The twins' inline schemas are the plain call's: the same types, not copies.
        self.reuse_inline_types = true;
        let twins = (|| {
            if let Some(upload) = upload {
                let call = self.lower_operation(selected, upload, Variant::Upload, base.clone())?;
                calls.insert(0, call);
            }
            if let Some(stream) = stream {
                calls.push(self.lower_operation(selected, stream, Variant::Stream, base)?);
            }
            Ok(())
        })();
        self.reuse_inline_types = false;
        twins.map(|()| calls)
    }

    /// Lowers one operation under `name` as `variant` asks, naming inline types `{base}...`.
    fn lower_operation(
        &mut self,
        selected: &Selected<'a>,
        name: names::CallName,
        variant: Variant,
        base: String,
    ) -> Result<Operation> {
        let Selected {
            id,
            path,
            item,
            method,
            op,
            item_at,
            ..
        } = selected;
        let (path, method, op) = (*path, *method, *op);
        let at = &item_at.join(method);
        let names::CallName {
            group,
            method: method_name,
            ..
        } = name;

        let mut args = Scope::new();
        BUILDER_METHODS.iter().for_each(|m| args.reserve(m));
        let Params {
            path: mut path_params,
            query: query_params,
            header: header_params,
            cookie: cookie_params,
        } = self.lower_parameters(&item.parameters, op, item_at, at, &base, &mut args)?;
        let mut path_parts = parse_path_template(path, &path_params, at)?;
        if (0..path_params.len()).any(|i| !path_parts.contains(&PathPart::Param(i))) {
            // A parameter the path does not hold would be an argument that goes nowhere.
            let mut index = 0..;
            path_params.retain(|param| {
                let i = index.next().unwrap_or_default();
                let used = path_parts.contains(&PathPart::Param(i));
                if !used {
                    let message = format!(
                        "path parameter `{}` does not appear in `{path}`; left out",
                        param.wire_name
                    );
                    self.warnings.push(crate::error::Warning {
                        pointer: at.to_string(),
                        message,
                    });
                }
                used
            });
            path_parts = parse_path_template(path, &path_params, at)?;
        }
        // The `stream` flag of a call that streams, or of one that has a streamed twin,
        // is the call's to set, not the caller's.
        let streams = self.reply_streams(op, at, variant);
        let flag = match variant {
            Variant::Upload => None,
            Variant::Plain | Variant::Stream => self
                .stream_flag(op, at)
                .filter(|_| streams || self.has_stream_variant(op, at)),
        };
        let body_flags = match flag {
            Some(_) if streams => vec![(STREAM_FLAG.to_owned(), true)],
            Some(flag) if flag.default => vec![(STREAM_FLAG.to_owned(), false)],
            _ => Vec::new(),
        };
        let body = match &op.request_body {
            Some(body) => {
                let body_at = at.join("requestBody");
                let hidden = flag.map(|_| STREAM_FLAG);
                Some(self.lower_body(body, &body_at, &base, &mut args, variant == Variant::Upload, hidden)?)
            }
            None => None,
        };
        let response = self.lower_response(op, at, &base, id, variant == Variant::Stream)?;
        let errors = self.lower_errors(op, at, &base)?;
        let security = op.security.as_ref().or(self.doc.security.as_ref());
        let authenticated = security.is_some_and(|reqs| reqs.iter().any(|r| !r.is_empty()));
        let declares_key = header_params
            .iter()
            .any(|p| p.wire_name.eq_ignore_ascii_case("idempotency-key"));
        Ok(Operation {
            honours_idempotency_key: self.config.retries.idempotency_key || declares_key,
            id: id.clone(),
            origin: at.to_string(),
            group,
            method_name,
            http_method: http_method(method),
            path: path.to_owned(),
            path_parts,
            path_params,
            query_params,
            header_params,
            cookie_params,
            body,
            body_flags,
            response,
            summary: op.summary.clone(),
            description: op.description.clone(),
            authenticated,
            errors,
            pagination: None, // found once the response types are lowered
        })
    }

    fn lower_parameters(
        &mut self,
        shared: &'a [ReferenceOr<Parameter>],
        op: &'a openapiv3::Operation,
        item_at: &Pointer,
        at: &Pointer,
        base: &str,
        args: &mut Scope,
    ) -> Result<Params> {
        // Operation parameters override path-item ones with the same name and location.
        let mut merged: Vec<(Pointer, &Parameter)> = Vec::new();
        for (i, p) in shared.iter().enumerate() {
            merged.push(self.resolve_parameter(p, &item_at.join("parameters").join(i))?);
        }
        for (i, p) in op.parameters.iter().enumerate() {
            let (p_at, p) = self.resolve_parameter(p, &at.join("parameters").join(i))?;
            let key = |q: &Parameter| (q.parameter_data_ref().name.clone(), std::mem::discriminant(q));
            merged.retain(|(_, q)| key(q) != key(p));
            merged.push((p_at, p));
        }

        let mut params = Params::default();
        // Path parameters name themselves first: they are the call's arguments.
        merged.sort_by_key(|(_, p)| !matches!(p, Parameter::Path { .. }));
        for (p_at, param) in merged {
            let data = param.parameter_data_ref();
            let (schema, schema_at, as_json) = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => (schema, p_at.join("schema"), false),
                ParameterSchemaOrContent::Content(content) => {
                    let (media_name, media) = pick_json(content, &p_at, "parameter")?;
                    let schema_at = p_at.join("content").join(media_name).join("schema");
                    let schema = media
                        .schema
                        .as_ref()
                        .ok_or_else(|| unsupported(&schema_at, "a parameter without a schema"))?;
                    (schema, schema_at, true)
                }
            };
            let hint = format!("{base}{}", naming::type_name(&data.name));
            let lowered = self.lower_schema(schema.into(), &schema_at, &hint)?;
            let encoding = match as_json {
                true => ParamEncoding::Json,
                false => ParamEncoding::Styled(self.param_spelling(param, &p_at)),
            };
            let place = place_name(param);
            let candidate = naming::field_name(&data.name);
            let rust_name = input_name(args, &candidate, place);
            if rust_name != candidate {
                self.warn(
                    &p_at,
                    format!(
                        "parameter `{}` would be `{candidate}`, which is taken; named `{rust_name}`",
                        data.name
                    ),
                );
            }
            let owner = op.operation_id.as_deref().unwrap_or_default();
            let sensitive = self.is_sensitive(&lowered, &[owner], &data.name, &p_at);
            let lowered_param = Param {
                sensitive,
                wire_name: data.name.clone(),
                rust_name,
                ty: lowered.ty,
                required: data.required || matches!(param, Parameter::Path { .. }),
                limits: lowered.limits,
                docs: data.description.clone().or(lowered.docs),
                encoding,
                default: lowered.default,
            };
            match param {
                Parameter::Path { .. } => params.path.push(lowered_param),
                Parameter::Query { .. } => params.query.push(lowered_param),
                Parameter::Header { .. } => params.header.push(lowered_param),
                Parameter::Cookie { .. } => params.cookie.push(lowered_param),
            }
        }
        Ok(params)
    }

    /// A parameter's `style`, `explode` and `allowReserved`, with the location's defaults.
    /// A style the location does not have is a fault of the description: the default
    /// is used, with a warning.
    fn param_spelling(&mut self, param: &Parameter, at: &Pointer) -> Spelling {
        let data = param.parameter_data_ref();
        let (style, default, allowed) = match param {
            Parameter::Path { style, .. } => (
                match style {
                    PathStyle::Simple => Style::Simple,
                    PathStyle::Label => Style::Label,
                    PathStyle::Matrix => Style::Matrix,
                },
                Style::Simple,
                true,
            ),
            Parameter::Query { style, .. } => (
                match style {
                    QueryStyle::Form => Style::Form,
                    QueryStyle::SpaceDelimited => Style::SpaceDelimited,
                    QueryStyle::PipeDelimited => Style::PipeDelimited,
                    QueryStyle::DeepObject => Style::DeepObject,
                },
                Style::Form,
                true,
            ),
            Parameter::Header { style, .. } => (Style::Simple, Style::Simple, matches!(style, HeaderStyle::Simple)),
            Parameter::Cookie { style, .. } => (Style::Form, Style::Form, matches!(style, CookieStyle::Form)),
        };
        if !allowed {
            self.warn(
                at,
                format!(
                    "a {} parameter has no such style; `{}` is used",
                    place_name(param),
                    default.name()
                ),
            );
        }
        let allow_reserved = matches!(
            param,
            Parameter::Query {
                allow_reserved: true,
                ..
            }
        );
        Spelling::new(style, data.explode, allow_reserved)
    }

    fn resolve_parameter(&self, p: &'a ReferenceOr<Parameter>, at: &Pointer) -> Result<(Pointer, &'a Parameter)> {
        match p {
            ReferenceOr::Item(param) => Ok((at.clone(), param)),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/parameters/");
                let doc: &'a openapiv3::OpenAPI = self.doc;
                let found = name.and_then(|n| doc.components.as_ref()?.parameters.get(n));
                match (name, found) {
                    (Some(name), Some(ReferenceOr::Item(param))) => {
                        Ok((Pointer::root().join("components").join("parameters").join(name), param))
                    }
                    _ => Err(Error::DanglingRef {
                        pointer: at.to_string(),
                        reference: reference.clone(),
                    }),
                }
            }
        }
    }

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

    fn lower_body(
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
        let settable = |f: &crate::ir::Field| !f.read_only && Some(f.wire_name.as_str()) != hidden;
        let mut writable: Vec<(usize, &crate::ir::Field)> =
            shape.fields.iter().enumerate().filter(|(_, f)| settable(f)).collect();
        writable.sort_by_key(|(_, f)| !f.required);
        let fields = writable
            .into_iter()
            .map(|(index, f)| BodyField {
                field: index,
                arg_name: input_name(args, &f.rust_name, "body"),
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

    /// Lowers a queued component now (a body's fields are needed before the worklist runs).
    pub(super) fn ensure_lowered(&mut self, rust_name: &str) -> Result<()> {
        if self.types.contains_key(rust_name) {
            return Ok(());
        }
        let component = self
            .component_names
            .iter()
            .find(|(_, r)| *r == rust_name)
            .map(|(c, _)| c.clone());
        if let Some(component) = component
            && !self.components_in_progress.contains(&component)
            && !self.lowered_components.contains(&component)
        {
            self.pending_components.retain(|c| *c != component);
            self.lower_component(&component)?;
            self.lowered_components.insert(component);
        }
        Ok(())
    }

    /// The success reply: the first 2xx (or a lone `default`). When several 2xx
    /// replies differ, the first decides the type; if another has no body, the call
    /// returns `Option<T>` (`None` for an empty reply) instead of failing on it.
    fn lower_response(
        &mut self,
        op: &'a openapiv3::Operation,
        at: &Pointer,
        base: &str,
        id: &str,
        stream: bool,
    ) -> Result<Response> {
        let mut success: Vec<(String, &ReferenceOr<openapiv3::Response>)> = op
            .responses
            .responses
            .iter()
            .filter(|(code, _)| match code {
                StatusCode::Code(c) => (200..300).contains(c),
                StatusCode::Range(r) => *r == 2,
            })
            .map(|(code, r)| (code.to_string(), r))
            .collect();
        success.sort_by(|a, b| a.0.cmp(&b.0));
        if success.is_empty() {
            match &op.responses.default {
                Some(default) => {
                    self.warn(
                        at,
                        "only a `default` reply is described; it is taken as the success reply".to_owned(),
                    );
                    success.push(("default".to_owned(), default));
                }
                None => {
                    self.warn(at, "no 2xx reply is described; the call returns `()`".to_owned());
                    return Ok(Response::Empty);
                }
            }
        }
        let mut replies = Vec::new();
        for (code, response) in &success {
            let reply_at = at.join("responses").join(code);
            let response = self.resolve_response(response, &reply_at)?;
            // A 204 or 205 reply has no body, whatever the description says (RFC 9110).
            if matches!(code.as_str(), "204" | "205") && !response.content.is_empty() {
                self.warn(
                    &reply_at,
                    format!("a {code} reply has no body by definition; the documented content is ignored"),
                );
                replies.push(Response::Empty);
                continue;
            }
            let hint = format!("{base}Response");
            replies.push(self.lower_reply(response, &reply_at, &hint, Some((id, stream)))?);
        }
        let first = replies.remove(0);
        let differing: Vec<&Response> = replies.iter().filter(|r| **r != first).collect();
        if differing.is_empty() {
            return Ok(first);
        }
        let some_empty = differing.iter().any(|r| **r == Response::Empty);
        let others_agree = differing.iter().all(|r| **r == Response::Empty);
        match first {
            Response::Json(ty) | Response::JsonOrEmpty(ty) if some_empty && others_agree => {
                Ok(Response::JsonOrEmpty(ty))
            }
            first => {
                self.warn(
                    at,
                    format!(
                        "the 2xx replies describe different bodies; `{}` decides the type",
                        success[0].0
                    ),
                );
                Ok(first)
            }
        }
    }

    pub(super) fn resolve_response(
        &self,
        response: &'a ReferenceOr<openapiv3::Response>,
        at: &Pointer,
    ) -> Result<&'a openapiv3::Response> {
        match response {
            ReferenceOr::Item(r) => Ok(r),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/responses/");
                let doc: &'a openapiv3::OpenAPI = self.doc;
                match name.and_then(|n| doc.components.as_ref()?.responses.get(n)) {
                    Some(ReferenceOr::Item(r)) => Ok(r),
                    _ => Err(Error::DanglingRef {
                        pointer: at.to_string(),
                        reference: reference.clone(),
                    }),
                }
            }
        }
    }

    /// One reply's body: JSON (typed), a stream of events, text, bytes, or nothing.
    /// A success reply of operation `id` may be a stream: with `stream`, the streamed
    /// media type is taken over JSON; error replies (`None`) are never streams.
    fn lower_reply(
        &mut self,
        response: &'a openapiv3::Response,
        at: &Pointer,
        hint: &str,
        success: Option<(&str, bool)>,
    ) -> Result<Response> {
        if response.content.is_empty() {
            return Ok(Response::Empty);
        }
        let json = pick_json(&response.content, at, "response");
        if let Some((id, stream)) = success
            && let Some(streamed) = stream_media(&response.content).filter(|_| stream || json.is_err())
        {
            return self.lower_stream(id, streamed, at, hint);
        }
        let Ok((media, media_type)) = json else {
            // No JSON on offer: text stays text, anything else is bytes.
            let media = response.content.keys().next().cloned().unwrap_or_default();
            return Ok(if media.to_ascii_lowercase().starts_with("text/") {
                Response::Text { media_type: media }
            } else {
                Response::Bytes { media_type: media }
            });
        };
        let Some(schema) = &media_type.schema else {
            return Ok(Response::Json(TypeRef::Json));
        };
        let media_at = at.join("content").join(media);
        let lowered = self.lower_schema(SchemaRef::from(schema), &media_at.join("schema"), hint)?;
        self.media_examples(media_type, &media_at, &lowered.ty, false);
        // A reply that may be `null` (Prefect's average lateness of no runs): `Option<T>`.
        Ok(match lowered.nullable && lowered.ty != TypeRef::Json {
            true => Response::JsonOrEmpty(lowered.ty),
            false => Response::Json(lowered.ty),
        })
    }

    /// Documented error replies (4xx, 5xx, `default` beside 2xx), with their body type.
    fn lower_errors(&mut self, op: &'a openapiv3::Operation, at: &Pointer, base: &str) -> Result<Vec<ErrorReply>> {
        let mut errors = Vec::new();
        let documented = op
            .responses
            .responses
            .iter()
            .filter(|(code, _)| match code {
                StatusCode::Code(c) => *c >= 400,
                StatusCode::Range(r) => *r >= 4,
            })
            .map(|(code, r)| (code.to_string(), r))
            .chain(op.responses.default.iter().map(|r| ("default".to_owned(), r)));
        for (status, response) in documented {
            let reply_at = at.join("responses").join(&status);
            let response = self.resolve_response(response, &reply_at)?;
            let hint = format!("{base}Error{}", naming::type_name(&status));
            let body = match self.lower_reply(response, &reply_at, &hint, None)? {
                Response::Json(ty) if ty != TypeRef::Json => Some(ty),
                _ => None,
            };
            errors.push(ErrorReply {
                status,
                description: response.description.clone(),
                body,
            });
        }
        Ok(errors)
    }

    /// The API key scheme the chosen operations use, and the configured token exchange.
    pub(super) fn lower_auth(&mut self, operations: &[Operation]) -> Result<Auth> {
        let mut auth = Auth::default();
        if operations.iter().any(|op| op.authenticated) {
            for name in self.schemes_used() {
                let at = Pointer::root().join("components").join("securitySchemes").join(&name);
                let scheme = self.doc.components.as_ref().and_then(|c| c.security_schemes.get(&name));
                match scheme {
                    Some(ReferenceOr::Item(scheme)) => self.lower_scheme(scheme, &at, &mut auth),
                    Some(ReferenceOr::Reference { .. }) => self.warn(
                        &at,
                        "a `$ref` security scheme is not followed; calls are sent without it".to_owned(),
                    ),
                    None => self.warn(
                        &Pointer::root().join("security"),
                        format!("a security requirement names `{name}`, which `#/components/securitySchemes` does not define; calls are sent without it"),
                    ),
                }
            }
        }
        auth.token_exchange = match &self.config.auth.token_exchange {
            Some(exchange) => Some(self.lower_token_exchange(&exchange.operation, &exchange.scheme)?),
            None => None,
        };
        Ok(auth)
    }

    /// The scheme names the selected operations' security requirements use, in order.
    fn schemes_used(&self) -> BTreeSet<String> {
        self.doc
            .paths
            .paths
            .values()
            .filter_map(|i| i.as_item())
            .flat_map(|i| i.iter())
            .filter(|(_, op)| self.config.operations.wants(op.operation_id.as_deref(), &op.tags))
            .flat_map(|(_, op)| {
                op.security
                    .as_ref()
                    .or(self.doc.security.as_ref())
                    .into_iter()
                    .flatten()
            })
            .flat_map(|r| r.keys().cloned())
            .collect()
    }

    /// What one scheme adds to the ways a client can authenticate.
    fn lower_scheme(&mut self, scheme: &SecurityScheme, at: &Pointer, auth: &mut Auth) {
        match scheme {
            SecurityScheme::APIKey {
                location,
                name,
                extensions,
                ..
            } => {
                let prefix = extensions
                    .get("x-fern-header")
                    .and_then(|h| h.get("prefix"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let location = match location {
                    openapiv3::APIKeyLocation::Header => KeyLocation::Header,
                    openapiv3::APIKeyLocation::Query => KeyLocation::Query,
                    openapiv3::APIKeyLocation::Cookie => KeyLocation::Cookie,
                };
                if auth.api_key.is_some() {
                    self.warn(
                        at,
                        "a second API key scheme; `Auth::api_key` sends the first".to_owned(),
                    );
                }
                auth.api_key.get_or_insert(ApiKey {
                    location,
                    name: name.clone(),
                    prefix: prefix.to_owned(),
                });
            }
            SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("bearer") => auth.bearer = true,
            SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => auth.basic = true,
            SecurityScheme::OAuth2 { flows, .. } => {
                auth.bearer = true; // a token from any flow is sent as a bearer token
                if let Some(flow) = &flows.client_credentials {
                    auth.token_url.get_or_insert_with(|| flow.token_url.clone());
                }
            }
            SecurityScheme::OpenIDConnect { .. } => auth.bearer = true,
            SecurityScheme::HTTP { scheme, .. } => self.warn(
                at,
                format!("HTTP `{scheme}` authentication is not supported; calls are sent without it"),
            ),
        }
    }

    /// Checks the exchange operation's shape: POST, one required string in, one out.
    fn lower_token_exchange(&self, id: &str, scheme: &str) -> Result<TokenExchange> {
        let found = self.doc.paths.paths.iter().find_map(|(path, item)| {
            let item = item.as_item()?;
            item.iter()
                .find(|(_, op)| op.operation_id.as_deref() == Some(id))
                .map(|(method, op)| (path, method, op))
        });
        let Some((path, method, op)) = found else {
            return Err(self.config.error(format!(
                "`[auth.token_exchange] operation = \"{id}\"` is not an operationId in the description"
            )));
        };
        let shape_error = |what: &str| {
            self.config.error(format!(
                "`[auth.token_exchange]`: operation `{id}` ({method} {path}) {what}"
            ))
        };
        if method != "post" {
            return Err(shape_error("must be a POST"));
        }
        let at = Pointer::root().join("paths").join(path).join(method);
        let body = match &op.request_body {
            Some(ReferenceOr::Item(b)) => b,
            _ => return Err(shape_error("needs an inline request body")),
        };
        let (_, media) = pick_json(&body.content, &at, "request body")?;
        let request_field = self
            .single_required_string(media, &at)?
            .ok_or_else(|| shape_error("must take a JSON object with exactly one required string field"))?;
        let ok = op
            .responses
            .responses
            .get(&StatusCode::Code(200))
            .and_then(|r| r.as_item());
        let response_field = match ok {
            Some(r) => {
                let (_, media) = pick_json(&r.content, &at, "response")?;
                self.single_required_string(media, &at)?
            }
            None => None,
        }
        .ok_or_else(|| shape_error("must answer 200 with a JSON object with exactly one required string field"))?;
        Ok(TokenExchange {
            operation: id.to_owned(),
            path: path.clone(),
            request_field,
            response_field,
            scheme: scheme.to_owned(),
        })
    }

    fn single_required_string(&self, media: &MediaType, at: &Pointer) -> Result<Option<String>> {
        let schema = match &media.schema {
            Some(ReferenceOr::Reference { reference }) => self.resolve_component(reference, at)?.1,
            Some(ReferenceOr::Item(s)) => s,
            None => return Ok(None),
        };
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
            return Ok(None);
        };
        let strings: Vec<&String> = object
            .required
            .iter()
            .filter(|name| {
                matches!(object.properties.get(*name), Some(ReferenceOr::Item(s)) if matches!(s.schema_kind, SchemaKind::Type(Type::String(_))))
            })
            .collect();
        Ok(match strings.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        })
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

/// Picks the JSON media type: `application/json`, else any `+json` type, else `*/*`
/// (or `application/*`) with a schema that is not bytes.
pub(super) fn pick_json<'c>(
    content: &'c indexmap::IndexMap<String, MediaType>,
    at: &Pointer,
    what: &str,
) -> Result<(&'c str, &'c MediaType)> {
    let essence = |m: &str| m.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    // `*/*` with a schema (springdoc's default) means JSON, unless the schema is bytes.
    // A string schema (bytes, or "the raw file data") is the body itself, not JSON.
    let any_with_schema = |(m, t): &(&String, &MediaType)| {
        matches!(essence(m).as_str(), "*/*" | "application/*")
            && t.schema.as_ref().is_some_and(
                |s| !matches!(s, ReferenceOr::Item(s) if matches!(s.schema_kind, SchemaKind::Type(Type::String(_)))),
            )
    };
    content
        .iter()
        .find(|(m, _)| essence(m) == "application/json")
        .or_else(|| content.iter().find(|(m, _)| essence(m).ends_with("+json")))
        .or_else(|| content.iter().find(any_with_schema))
        .map(|(m, t)| (m.as_str(), t))
        .ok_or_else(|| {
            let offered: Vec<&str> = content.keys().map(String::as_str).collect();
            unsupported(
                &at.join("content"),
                &format!("a {what} without a JSON media type (offered: {})", offered.join(", ")),
            )
        })
}

fn parse_path_template(path: &str, params: &[Param], at: &Pointer) -> Result<Vec<PathPart>> {
    let mut parts = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            return Err(Error::Invalid {
                pointer: at.to_string(),
                message: format!("unclosed `{{` in path `{path}`"),
            });
        };
        if open > 0 {
            parts.push(PathPart::Literal(rest[..open].to_owned()));
        }
        let name = &rest[open + 1..close];
        let index = params
            .iter()
            .position(|p| p.wire_name == name)
            .ok_or_else(|| Error::Invalid {
                pointer: at.to_string(),
                message: format!("path `{path}` has placeholder `{{{name}}}` but no path parameter named `{name}`"),
            })?;
        parts.push(PathPart::Param(index));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(PathPart::Literal(rest.to_owned()));
    }
    Ok(parts)
}

/// A builder input's name: its own when free, else prefixed with where it goes, so a
/// body field `id` beside the path's `id` reads `body_id` (numbered only if that is
/// taken too).
fn input_name(args: &mut Scope, name: &str, place: &str) -> String {
    if args.contains(name) {
        args.claim(&format!("{place}_{}", name.trim_end_matches('_')))
    } else {
        args.claim(name)
    }
}

pub(super) fn http_method(method: &str) -> HttpMethod {
    match method {
        "get" => HttpMethod::Get,
        "put" => HttpMethod::Put,
        "post" => HttpMethod::Post,
        "delete" => HttpMethod::Delete,
        "options" => HttpMethod::Options,
        "head" => HttpMethod::Head,
        "patch" => HttpMethod::Patch,
        _ => HttpMethod::Trace,
    }
}

fn unsupported(at: &Pointer, what: &str) -> Error {
    Error::Unsupported {
        pointer: at.to_string(),
        what: what.to_owned(),
    }
}
