//! The calls the oracle makes, derived from a description (through the generator's own
//! IR): for every operation with a request body, its examples, then values built from
//! the schema — every optional field set (nested objects, arrays, maps, unions by their
//! first alternative) and only the required ones; for every other operation with
//! parameters, its parameters. Both clients make each call with the same values.

use std::collections::BTreeSet;

use codegen::ir::{Api, Body, Limits, Number, Operation, Param, TypeDef, TypeKind, TypeRef};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// One call, as both sides read it (`target/wire/<api>/calls.json`).
#[derive(Clone, Debug, Serialize)]
pub struct Call {
    /// Unique in the run; also the capture server's path prefix.
    pub id: String,
    pub operation: String,
    /// How the values were made: `example`, `full` or `required`.
    pub variant: String,
    /// The generated client's group path and method.
    pub group: Vec<String>,
    pub method: String,
    pub http_method: String,
    /// The description's path template.
    pub path: String,
    pub path_params: Map<String, Value>,
    pub query: Map<String, Value>,
    pub headers: Map<String, Value>,
    pub cookies: Map<String, Value>,
    /// `none`, `json`, `form` (URL-encoded), `multipart` or `raw`.
    pub body_kind: &'static str,
    /// A raw body's content type.
    pub raw_media_type: Option<String>,
    /// The body as JSON; in forms, a file is `{"$file": {"name", "content", "content_type"}}`.
    pub body: Option<Value>,
    /// The description's defaults, for what a side may send without being asked:
    /// `{"query": {name: value}, "headers": {..}, "body": {field: value}}`.
    pub defaults: Value,
}

/// Which values a call carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// Every optional field and parameter too.
    Full,
    /// Every optional field, and `null` in each that may be null.
    Nulls,
    /// Only what is required.
    Required,
}

/// Every call for `api`, with ids `<prefix>-<n>`.
pub fn derive(api: &Api, prefix: &str) -> Vec<Call> {
    let mut calls = Vec::new();
    for op in &api.operations {
        if matches!(op.body, Some(Body::Parts { .. })) {
            continue; // no fields to derive values for: the caller builds the parts
        }
        let has_inputs = op.body.is_some() || op.params().next().is_some();
        if !has_inputs {
            continue;
        }
        for (variant, body) in example_bodies(api, op) {
            calls.push(call(api, op, &variant, Fill::Required, Some(body)));
        }
        calls.push(call(api, op, "full", Fill::Full, None));
        if has_nullable_field(api, op) {
            calls.push(call(api, op, "nulls", Fill::Nulls, None));
        }
        if op.body.is_some() || op.params().any(|p| !p.required) {
            calls.push(call(api, op, "required", Fill::Required, None));
        }
    }
    for (i, call) in calls.iter_mut().enumerate() {
        call.id = format!("{prefix}-{i:04}");
    }
    calls
}

/// The call of `op` with only its required values, made from the schema.
pub fn required(api: &Api, op: &Operation) -> Call {
    call(api, op, "required", Fill::Required, None)
}

/// Does the JSON body have an optional field that may be `null`?
fn has_nullable_field(api: &Api, op: &Operation) -> bool {
    let Some(Body::Fields { type_id, .. }) = &op.body else {
        return false;
    };
    matches!(&api.type_def(*type_id).kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.nullable && !f.required && !f.read_only))
}

/// The description's examples of a JSON body (form bodies have none in the IR).
fn example_bodies(api: &Api, op: &Operation) -> Vec<(String, Value)> {
    let Some(Body::Fields { .. } | Body::Whole { .. }) = &op.body else {
        return Vec::new();
    };
    let prefix = format!("{}/requestBody", op.origin);
    api.examples
        .iter()
        .filter(|e| e.round_trip && e.origin.starts_with(&prefix))
        .enumerate()
        .map(|(i, e)| (format!("example {}", i + 1), e.value.clone()))
        .collect()
}

fn call(api: &Api, op: &Operation, variant: &str, fill: Fill, body: Option<Value>) -> Call {
    let values = Values { api, fill };
    let params = |list: &[Param]| -> Map<String, Value> {
        list.iter()
            .filter(|p| p.required || fill != Fill::Required)
            .map(|p| (p.wire_name.clone(), values.param(p)))
            .collect()
    };
    let (body_kind, made) = values.body(op);
    let param_defaults = |list: &[Param]| -> Map<String, Value> {
        list.iter()
            .filter_map(|p| Some((p.wire_name.clone(), p.default.clone()?)))
            .collect()
    };
    let mut body_defaults = Map::new();
    match &op.body {
        Some(Body::Fields { type_id, .. }) => defaults_in(
            api,
            &TypeRef::Named(*type_id),
            "",
            &mut body_defaults,
            &mut BTreeSet::new(),
        ),
        Some(Body::Whole { ty, .. }) => defaults_in(api, ty, "", &mut body_defaults, &mut BTreeSet::new()),
        _ => {}
    }
    let form_defaults: Map<String, Value> = match &op.body {
        Some(Body::Form { fields, .. }) => fields
            .iter()
            .filter_map(|f| Some((f.wire_name.clone(), f.default.clone()?)))
            .collect(),
        _ => Map::new(),
    };
    let defaults = json!({
        "query": param_defaults(&op.query_params),
        "headers": param_defaults(&op.header_params),
        "body": body_defaults,
        "form": form_defaults,
    });
    Call {
        id: String::new(),
        operation: op.id.clone(),
        variant: variant.to_owned(),
        group: op.group.clone(),
        method: op.method_name.clone(),
        http_method: op.http_method.as_str().to_owned(),
        path: op.path.clone(),
        path_params: params(&op.path_params),
        query: params(&op.query_params),
        headers: params(&op.header_params),
        cookies: params(&op.cookie_params),
        body_kind,
        raw_media_type: match &op.body {
            Some(Body::Raw { media_type, .. }) => Some(media_type.clone()),
            _ => None,
        },
        body: with_call_flags(api, op, body.or(made)),
        defaults,
    }
}

/// The body as the call sends it: without the fields it sets itself (a streamed call's
/// `stream`, hidden from the caller), then with the values it gives them.
fn with_call_flags(api: &Api, op: &Operation, body: Option<Value>) -> Option<Value> {
    let Some(Body::Fields { type_id, fields }) = &op.body else {
        return body;
    };
    let Some(Value::Object(mut object)) = body else {
        return body;
    };
    if let TypeKind::Struct(shape) = &api.type_def(*type_id).kind {
        let settable: BTreeSet<usize> = fields.iter().map(|f| f.field).collect();
        let hidden = shape
            .fields
            .iter()
            .enumerate()
            .filter(|(i, f)| !f.read_only && !settable.contains(i));
        hidden.for_each(|(_, f)| drop(object.remove(&f.wire_name)));
    }
    for (name, value) in &op.body_flags {
        object.insert(name.clone(), Value::Bool(*value));
    }
    Some(Value::Object(object))
}

/// Every default inside a body of type `ty`, by JSON pointer with `*` for any array
/// index or map key (`/schedule/calendars/*/step`).
fn defaults_in(api: &Api, ty: &TypeRef, at: &str, out: &mut Map<String, Value>, seen: &mut BTreeSet<usize>) {
    match ty {
        TypeRef::Array(item) | TypeRef::Map(item) => defaults_in(api, item, &format!("{at}/*"), out, seen),
        TypeRef::Nullable(inner) => defaults_in(api, inner, at, out, seen),
        TypeRef::Named(id) if seen.insert(id.0) => {
            match &api.emitted_def(*id).kind {
                TypeKind::Struct(s) => {
                    for field in &s.fields {
                        let here = format!("{at}/{}", field.wire_name);
                        if let Some(default) = &field.default {
                            out.insert(here.clone(), default.clone());
                        }
                        defaults_in(api, &field.ty, &here, out, seen);
                    }
                }
                TypeKind::Union(u) => u.variants.iter().for_each(|v| defaults_in(api, &v.ty, at, out, seen)),
                _ => {}
            }
            seen.remove(&id.0);
        }
        _ => {}
    }
}

/// Values built from the schema.
struct Values<'a> {
    api: &'a Api,
    fill: Fill,
}

/// How deep nested objects go before optional fields stop being filled.
const MAX_DEPTH: usize = 4;

impl Values<'_> {
    fn param(&self, param: &Param) -> Value {
        match (&param.ty, param.required) {
            // A path or required value that reads as an id.
            (TypeRef::String, true) => json!(format!("{}_1", param.wire_name.to_lowercase())),
            (ty, _) => self.value(ty, &param.limits, 0, &mut BTreeSet::new()),
        }
    }

    fn body(&self, op: &Operation) -> (&'static str, Option<Value>) {
        let mut seen = BTreeSet::new();
        match &op.body {
            None | Some(Body::Parts { .. }) => ("none", None),
            Some(Body::Fields { type_id, .. }) => ("json", Some(self.named(self.api.type_def(*type_id), 0, &mut seen))),
            Some(Body::Whole { ty, .. }) => ("json", Some(self.value(ty, &Limits::default(), 0, &mut seen))),
            Some(Body::Raw { text, .. }) => ("raw", Some(json!(if *text { "raw text" } else { "raw bytes" }))),
            Some(Body::Form { encoding, fields }) => {
                let mut form = Map::new();
                for field in fields.iter().filter(|f| f.required || self.fill != Fill::Required) {
                    let value = match (field.file, field.files) {
                        (_, true) => json!([file_value("a.txt"), file_value("b.txt")]),
                        (true, false) => file_value("upload.txt"),
                        _ => self.value(&field.ty, &Limits::default(), 1, &mut seen),
                    };
                    form.insert(field.wire_name.clone(), value);
                }
                let kind = match encoding {
                    codegen::ir::FormEncoding::Multipart => "multipart",
                    codegen::ir::FormEncoding::UrlEncoded => "form",
                };
                (kind, Some(Value::Object(form)))
            }
        }
    }

    /// A value of `ty` within the documented `limits` (our client checks them before
    /// sending; a value outside would be a call only one side makes).
    fn value(&self, ty: &TypeRef, limits: &Limits, depth: usize, seen: &mut BTreeSet<usize>) -> Value {
        let none = Limits::default();
        match ty {
            TypeRef::Bool => json!(true),
            TypeRef::Int(_) => json!(within(3.0, limits).round() as i64),
            TypeRef::Float(_) => json!(within(0.5, limits)),
            TypeRef::String => json!(sized("a value, with spaces & symbols", limits)),
            TypeRef::DateTime => json!("2024-05-06T07:08:09Z"),
            TypeRef::Date => json!("2024-05-06"),
            TypeRef::Json => json!({"any": "value"}),
            TypeRef::Array(item) => {
                let count = limits
                    .min_items
                    .unwrap_or(1)
                    .max(1)
                    .min(limits.max_items.unwrap_or(u64::MAX));
                Value::Array((0..count).map(|_| self.value(item, &none, depth + 1, seen)).collect())
            }
            TypeRef::Map(item) => json!({"key": self.value(item, &none, depth + 1, seen)}),
            // An item that may be null is given a value: the null case is the SDK's too.
            TypeRef::Nullable(inner) => self.value(inner, limits, depth, seen),
            TypeRef::Named(id) => {
                if !seen.insert(id.0) {
                    return json!({}); // a cycle: stop here
                }
                let value = self.named(self.api.emitted_def(*id), depth, seen);
                seen.remove(&id.0);
                value
            }
        }
    }

    fn named(&self, def: &TypeDef, depth: usize, seen: &mut BTreeSet<usize>) -> Value {
        match &def.kind {
            TypeKind::StringEnum(e) => e.variants.first().map_or(json!("value"), |v| json!(v.wire)),
            TypeKind::IntEnum(e) => e.variants.first().map_or(json!(1), |v| json!(v.value)),
            TypeKind::Union(u) => match u.variants.first() {
                Some(first) => {
                    let mut value = self.value(&first.ty, &Limits::default(), depth, seen);
                    // A discriminated union: the property that names the alternative.
                    if let (Some(property), Some(tag), Value::Object(object)) =
                        (&u.discriminator, first.tags.first(), &mut value)
                    {
                        object.insert(property.clone(), json!(tag));
                    }
                    value
                }
                None => json!({}),
            },
            TypeKind::Struct(s) => {
                let mut object = Map::new();
                for field in s.fields.iter().filter(|f| !f.read_only) {
                    let wanted = field.required || (self.fill != Fill::Required && depth < MAX_DEPTH);
                    if !wanted {
                        continue;
                    }
                    let value = match self.fill {
                        Fill::Nulls if field.nullable && !field.required => Value::Null,
                        _ => self.value(&field.ty, &field.limits, depth + 1, seen),
                    };
                    object.insert(field.wire_name.clone(), value);
                }
                Value::Object(object)
            }
        }
    }
}

fn file_value(name: &str) -> Value {
    let content = format!("the content of {name}");
    json!({"$file": {"name": name, "content": content, "content_type": "application/octet-stream"}})
}

/// `preferred`, moved inside `minimum` / `maximum` (exclusive ones by a margin).
fn within(preferred: f64, limits: &Limits) -> f64 {
    let number = |n: Number| match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    };
    let low = limits
        .minimum
        .map(|b| number(b.value) + if b.exclusive { 0.25 } else { 0.0 });
    let high = limits
        .maximum
        .map(|b| number(b.value) - if b.exclusive { 0.25 } else { 0.0 });
    let mut value = preferred;
    if let Some(low) = low {
        value = value.max(low);
    }
    if let Some(high) = high {
        value = value.min(high);
    }
    value
}

/// `text`, cut to `maxLength` or padded to `minLength`.
fn sized(text: &str, limits: &Limits) -> String {
    let mut out: String = text
        .chars()
        .take(limits.max_length.unwrap_or(u64::MAX) as usize)
        .collect();
    while (out.chars().count() as u64) < limits.min_length.unwrap_or(0) {
        out.push('x');
    }
    out
}
