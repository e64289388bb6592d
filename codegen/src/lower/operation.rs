//! Operations: which are lowered, each one's parameters and path template, and
//! whether it is authenticated; its body ([`super::body`]), its replies
//! ([`super::response`]) and the API's auth ([`super::auth`]) have rooms of their own.

use std::collections::BTreeMap;

use openapiv3::{CookieStyle, HeaderStyle, Parameter, ParameterSchemaOrContent, PathStyle, QueryStyle, ReferenceOr};

use super::ids::{Operation, Param};
use super::media::pick_json;
use super::skip::Failure;
use super::stream::{STREAM_FLAG, Variant};
use super::unsupported;
use super::{Lowerer, names, unknown_operation};
use crate::error::{Error, Result};
use crate::ir::{HttpMethod, ParamEncoding, PathPart, Spelling, Style};
use crate::naming::{self, Scope};
use crate::pointer::Pointer;

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
        let twin = |method: &Option<String>, builder: &Option<String>| {
            let plain = builder.clone().unwrap_or_default();
            let builders = names::Builders {
                plain,
                ..Default::default()
            };
            method.clone().map(|method| names::CallName {
                method,
                builders,
                ..name.clone()
            })
        };
        let upload = twin(&name.upload, &name.builders.upload);
        let stream = twin(&name.stream, &name.builders.stream);
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
            builders,
            ..
        } = name;

        let mut args = Scope::new();
        let builder_names = naming::BUILDER_METHODS.iter().chain(naming::BUILDER_INTERNALS);
        builder_names.for_each(|m| args.reserve(m));
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
            builder: builders.plain,
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
pub(super) fn input_name(args: &mut Scope, name: &str, place: &str) -> String {
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
