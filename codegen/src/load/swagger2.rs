//! Swagger 2.0 documents rewritten into OpenAPI 3.0 terms on the tree, before typing:
//! `body` and `formData` parameters become request bodies (by `consumes`), responses
//! get content (by `produces`), `definitions`, global `parameters` and `responses` and
//! `securityDefinitions` become components, `collectionFormat` becomes style and
//! explode, `x-nullable` nullable, `type: file` binary, and `host`, `basePath` and
//! `schemes` a server. Each guess the rewrite makes is a warning.

use serde_json::{Map, Value, json};

use crate::error::Warning;

/// Whether the tree is a Swagger 2.0 document.
pub fn is_swagger2(tree: &Value) -> bool {
    tree.get("swagger")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with('2'))
}

/// Rewrites a Swagger 2.0 tree into an OpenAPI 3.0.3 one, in place.
pub fn upgrade(tree: &mut Value) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let Some(doc) = tree.as_object_mut() else {
        return warnings;
    };
    rewrite_refs(doc.get_mut("paths"));
    for key in ["definitions", "parameters", "responses"] {
        rewrite_refs(doc.get_mut(key));
    }
    let global = Global {
        consumes: strings(doc.get("consumes")),
        produces: strings(doc.get("produces")),
        parameters: doc
            .get("parameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
    };
    doc.remove("swagger");
    doc.insert("openapi".into(), json!("3.0.3"));
    if let Some(server) = server(doc) {
        doc.insert("servers".into(), json!([{ "url": server }]));
    }
    let mut components = Map::new();
    if let Some(Value::Object(mut definitions)) = doc.remove("definitions") {
        definitions.values_mut().for_each(upgrade_schema);
        components.insert("schemas".into(), Value::Object(definitions));
    }
    let parameters: Map<String, Value> = global
        .parameters
        .iter()
        .filter(|(_, p)| !matches!(location(p), "body" | "formData"))
        .map(|(name, p)| {
            (
                name.clone(),
                upgrade_parameter(p.clone(), &mut warnings, &format!("#/parameters/{name}")),
            )
        })
        .collect();
    if !parameters.is_empty() {
        components.insert("parameters".into(), Value::Object(parameters));
    }
    if let Some(Value::Object(responses)) = doc.remove("responses") {
        let upgraded = responses
            .into_iter()
            .map(|(name, r)| (name, upgrade_response(r, &global.produces)))
            .collect();
        components.insert("responses".into(), Value::Object(upgraded));
    }
    if let Some(Value::Object(schemes)) = doc.remove("securityDefinitions") {
        let upgraded = schemes
            .into_iter()
            .map(|(name, s)| (name, upgrade_security(s)))
            .collect();
        components.insert("securitySchemes".into(), Value::Object(upgraded));
    }
    doc.remove("parameters");
    doc.remove("consumes");
    doc.remove("produces");
    if !components.is_empty() {
        doc.insert("components".into(), Value::Object(components));
    }
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            upgrade_path_item(item, &global, &pointer(&["paths", path]), &mut warnings);
        }
    }
    warnings
}

/// What every operation inherits from the document.
struct Global {
    consumes: Vec<String>,
    produces: Vec<String>,
    parameters: Map<String, Value>,
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

fn upgrade_path_item(item: &mut Value, global: &Global, at: &str, warnings: &mut Vec<Warning>) {
    let Some(item) = item.as_object_mut() else { return };
    // Path-level parameters apply to every operation: body and form ones move there.
    let shared = item
        .remove("parameters")
        .and_then(|p| p.as_array().cloned())
        .unwrap_or_default();
    let (moved, kept): (Vec<Value>, Vec<Value>) = shared
        .into_iter()
        .map(|p| resolved(p, global))
        .partition(|p| matches!(location(p), "body" | "formData"));
    if !kept.is_empty() {
        let kept = kept
            .into_iter()
            .map(|p| upgrade_parameter(p, warnings, &format!("{at}/parameters")))
            .collect();
        item.insert("parameters".into(), Value::Array(kept));
    }
    for method in METHODS {
        let Some(Value::Object(operation)) = item.get_mut(method) else {
            continue;
        };
        let params = operation.entry("parameters").or_insert_with(|| json!([]));
        if let Value::Array(params) = params {
            params.extend(moved.iter().cloned());
        }
        upgrade_operation(operation, global, &format!("{at}/{method}"), warnings);
    }
}

fn upgrade_operation(op: &mut Map<String, Value>, global: &Global, at: &str, warnings: &mut Vec<Warning>) {
    let consumes = own_or(strings(op.remove("consumes").as_ref()), &global.consumes);
    let produces = own_or(strings(op.remove("produces").as_ref()), &global.produces);
    let params: Vec<Value> = match op.remove("parameters") {
        Some(Value::Array(params)) => params.into_iter().map(|p| resolved(p, global)).collect(),
        _ => Vec::new(),
    };
    let (body, form, others) = split_parameters(params);
    if let Some(body) = body {
        op.insert("requestBody".into(), json_body(body, &consumes));
    } else if !form.is_empty() {
        op.insert("requestBody".into(), form_body(&form, &consumes, at, warnings));
    }
    if !others.is_empty() {
        let upgraded = others
            .into_iter()
            .map(|p| upgrade_parameter(p, warnings, &format!("{at}/parameters")))
            .collect();
        op.insert("parameters".into(), Value::Array(upgraded));
    }
    if let Some(Value::Object(responses)) = op.get_mut("responses") {
        for response in responses.values_mut() {
            *response = upgrade_response(response.take(), &produces);
        }
    }
}

/// (the body parameter, the form fields, every other parameter).
fn split_parameters(params: Vec<Value>) -> (Option<Value>, Vec<Value>, Vec<Value>) {
    let (mut body, mut form, mut others) = (None, Vec::new(), Vec::new());
    for param in params {
        match location(&param) {
            "body" => body = Some(param),
            "formData" => form.push(param),
            _ => others.push(param),
        }
    }
    (body, form, others)
}

/// A `$ref` to a global parameter, replaced by it where it is a body or form field
/// (those have no place in `components/parameters`).
fn resolved(param: Value, global: &Global) -> Value {
    let name = param
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/parameters/"));
    match name.and_then(|n| global.parameters.get(&unescape(n))) {
        Some(found) if matches!(location(found), "body" | "formData") => found.clone(),
        _ => param,
    }
}

fn json_body(body: Value, consumes: &[String]) -> Value {
    let mut schema = body.get("schema").cloned().unwrap_or(json!({}));
    rewrite_refs(Some(&mut schema));
    upgrade_schema(&mut schema);
    let content: Map<String, Value> = media_types(consumes)
        .into_iter()
        .map(|t| (t, json!({ "schema": schema })))
        .collect();
    let mut request = json!({ "content": content });
    copy_keys(&body, &mut request, &["description", "required"]);
    request
}

/// The form fields as one object schema: multipart when a field is a file or the
/// operation consumes only multipart, else URL-encoded.
fn form_body(fields: &[Value], consumes: &[String], at: &str, warnings: &mut Vec<Warning>) -> Value {
    let has_file = fields
        .iter()
        .any(|f| f.get("type").and_then(Value::as_str) == Some("file"));
    let multipart = has_file
        || (consumes.iter().any(|c| c.starts_with("multipart/"))
            && !consumes.iter().any(|c| c == "application/x-www-form-urlencoded"));
    let media = match multipart {
        true => "multipart/form-data",
        false => "application/x-www-form-urlencoded",
    };
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut encoding = Map::new();
    for field in fields {
        let name = field.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        if field.get("required").and_then(Value::as_bool) == Some(true) {
            required.push(json!(name));
        }
        let (schema, style) = parameter_schema(field, "query", warnings, at);
        if let Some((style, explode)) = style.filter(|_| !multipart) {
            encoding.insert(name.clone(), json!({ "style": style, "explode": explode }));
        }
        properties.insert(name, schema);
    }
    let mut schema = json!({ "type": "object", "properties": properties });
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    let mut media_type = json!({ "schema": schema });
    if !encoding.is_empty() {
        media_type["encoding"] = Value::Object(encoding);
    }
    let required = fields
        .iter()
        .any(|f| f.get("required").and_then(Value::as_bool) == Some(true));
    json!({ "required": required, "content": { media: media_type } })
}

/// A query, path, header or cookie parameter: its type moved into `schema`, its
/// `collectionFormat` into style and explode.
fn upgrade_parameter(param: Value, warnings: &mut Vec<Warning>, at: &str) -> Value {
    if param.get("$ref").is_some() {
        return param;
    }
    let place = location(&param).to_owned();
    let (schema, style) = parameter_schema(&param, &place, warnings, at);
    let mut out = json!({ "schema": schema });
    copy_keys(
        &param,
        &mut out,
        &["name", "in", "description", "required", "allowEmptyValue"],
    );
    if let Some((style, explode)) = style {
        out["style"] = json!(style);
        out["explode"] = json!(explode);
    }
    for (key, value) in param
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("x-"))
    {
        out[key] = value.clone();
    }
    out
}

/// The parameter's schema and, for an array, its style and explode.
fn parameter_schema(
    param: &Value,
    place: &str,
    warnings: &mut Vec<Warning>,
    at: &str,
) -> (Value, Option<(&'static str, bool)>) {
    const SCHEMA_KEYS: [&str; 17] = [
        "type",
        "format",
        "items",
        "enum",
        "default",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "multipleOf",
        "x-nullable",
    ];
    let mut schema = json!({});
    copy_keys(param, &mut schema, &SCHEMA_KEYS);
    upgrade_schema(&mut schema);
    let is_array = param.get("type").and_then(Value::as_str) == Some("array");
    if !is_array {
        return (schema, None);
    }
    let format = param.get("collectionFormat").and_then(Value::as_str).unwrap_or("csv");
    let style = match (format, place) {
        ("multi", _) => ("form", true),
        ("ssv", "query") => ("spaceDelimited", false),
        ("pipes", "query") => ("pipeDelimited", false),
        (_, "query" | "cookie") => ("form", false),
        _ => ("simple", false),
    };
    if matches!(format, "tsv") || (matches!(format, "ssv" | "pipes") && place != "query") {
        warnings.push(Warning {
            pointer: at.to_owned(),
            message: format!("`collectionFormat: {format}` has no OpenAPI 3 style here; sent comma-separated"),
        });
    }
    (schema, Some(style))
}

fn upgrade_response(response: Value, produces: &[String]) -> Value {
    let Value::Object(mut response) = response else {
        return response;
    };
    if response.contains_key("$ref") {
        return Value::Object(response);
    }
    let examples = response.remove("examples");
    if let Some(mut schema) = response.remove("schema") {
        upgrade_schema(&mut schema);
        let content: Map<String, Value> = media_types(produces)
            .into_iter()
            .map(|t| {
                let mut media = json!({ "schema": schema });
                if let Some(example) = examples.as_ref().and_then(|e| e.get(&t)) {
                    media["example"] = example.clone();
                }
                (t, media)
            })
            .collect();
        response.insert("content".into(), Value::Object(content));
    }
    if let Some(Value::Object(headers)) = response.get_mut("headers") {
        for header in headers.values_mut() {
            let mut schema = json!({});
            copy_keys(header, &mut schema, &["type", "format", "items", "enum", "default"]);
            let mut upgraded = json!({ "schema": schema });
            copy_keys(header, &mut upgraded, &["description"]);
            *header = upgraded;
        }
    }
    response.entry("description").or_insert(json!(""));
    Value::Object(response)
}

fn upgrade_security(scheme: Value) -> Value {
    let kind = scheme.get("type").and_then(Value::as_str).unwrap_or_default();
    let mut out = match kind {
        "basic" => json!({ "type": "http", "scheme": "basic" }),
        "oauth2" => {
            let flow = match scheme.get("flow").and_then(Value::as_str).unwrap_or_default() {
                "accessCode" => "authorizationCode",
                "application" => "clientCredentials",
                other => other,
            };
            let mut details = json!({ "scopes": scheme.get("scopes").cloned().unwrap_or(json!({})) });
            copy_keys(&scheme, &mut details, &["authorizationUrl", "tokenUrl"]);
            json!({ "type": "oauth2", "flows": { flow: details } })
        }
        _ => {
            let mut out = json!({});
            copy_keys(&scheme, &mut out, &["type", "name", "in"]);
            out
        }
    };
    copy_keys(&scheme, &mut out, &["description"]);
    out
}

/// `x-nullable` → `nullable`, `type: file` → binary text, a discriminator's property
/// name → a Discriminator object; everywhere inside.
fn upgrade_schema(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            if let Some(nullable) = object.remove("x-nullable") {
                object.insert("nullable".into(), nullable);
            }
            if object.get("type").and_then(Value::as_str) == Some("file") {
                object.insert("type".into(), json!("string"));
                object.insert("format".into(), json!("binary"));
            }
            if let Some(Value::String(property)) = object.get("discriminator") {
                let property = property.clone();
                object.insert("discriminator".into(), json!({ "propertyName": property }));
            }
            object.values_mut().for_each(upgrade_schema);
        }
        Value::Array(items) => items.iter_mut().for_each(upgrade_schema),
        _ => {}
    }
}

/// `#/definitions/X` → `#/components/schemas/X`, and likewise for parameters and
/// responses, everywhere inside.
fn rewrite_refs(value: Option<&mut Value>) {
    let Some(value) = value else { return };
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("$ref") {
                for (old, new) in [
                    ("#/definitions/", "#/components/schemas/"),
                    ("#/parameters/", "#/components/parameters/"),
                    ("#/responses/", "#/components/responses/"),
                ] {
                    if let Some(rest) = reference.strip_prefix(old) {
                        *reference = format!("{new}{rest}");
                    }
                }
            }
            object.values_mut().for_each(|v| rewrite_refs(Some(v)));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(Some(v))),
        _ => {}
    }
}

/// `{scheme}://{host}{basePath}`, the first scheme (https when listed); or the base
/// path alone.
fn server(doc: &Map<String, Value>) -> Option<String> {
    let host = doc.get("host").and_then(Value::as_str);
    let base = doc.get("basePath").and_then(Value::as_str).unwrap_or("");
    let schemes = strings(doc.get("schemes"));
    let scheme = match schemes.iter().any(|s| s == "https") || schemes.is_empty() {
        true => "https",
        false => schemes[0].as_str(),
    };
    match host {
        Some(host) => Some(format!("{scheme}://{host}{base}")),
        None if !base.is_empty() => Some(base.to_owned()),
        None => None,
    }
}

fn location(param: &Value) -> &str {
    param.get("in").and_then(Value::as_str).unwrap_or_default()
}

fn strings(value: Option<&Value>) -> Vec<String> {
    let items = value.and_then(Value::as_array).into_iter().flatten();
    items.filter_map(|v| v.as_str().map(str::to_owned)).collect()
}

/// An operation's own list, or the document's when it has none.
fn own_or(own: Vec<String>, document: &[String]) -> Vec<String> {
    match own.is_empty() {
        true => document.to_vec(),
        false => own,
    }
}

/// The media types a body or reply is described in: JSON when none is listed.
fn media_types(listed: &[String]) -> Vec<String> {
    own_or(listed.to_vec(), &["application/json".to_owned()])
}

fn copy_keys(from: &Value, to: &mut Value, keys: &[&str]) {
    for key in keys {
        if let Some(value) = from.get(*key) {
            to[*key] = value.clone();
        }
    }
}

fn pointer(segments: &[&str]) -> String {
    let pointer = segments.iter().fold(crate::pointer::Pointer::root(), |p, s| p.join(s));
    pointer.to_string()
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_base_path_and_schemes_make_one_server_preferring_https() {
        let server_of = |doc: Value| server(doc.as_object().unwrap());
        let doc = json!({"host": "a.example", "basePath": "/v1", "schemes": ["http", "https"]});
        assert_eq!(server_of(doc).as_deref(), Some("https://a.example/v1"));
        let doc = json!({"host": "a.example", "schemes": ["http"]});
        assert_eq!(server_of(doc).as_deref(), Some("http://a.example"));
        assert_eq!(server_of(json!({"basePath": "/api"})).as_deref(), Some("/api"));
        assert_eq!(server_of(json!({})), None);
    }

    #[test]
    fn each_collection_format_has_its_style_and_tsv_is_warned() {
        let style_of = |format: Option<&str>, place: &str| {
            let mut param = json!({"name": "a", "in": place, "type": "array", "items": {"type": "string"}});
            if let Some(format) = format {
                param["collectionFormat"] = json!(format);
            }
            let mut warnings = Vec::new();
            let (_, style) = parameter_schema(&param, place, &mut warnings, "#/x");
            (style, warnings.len())
        };
        assert_eq!(style_of(None, "query"), (Some(("form", false)), 0));
        assert_eq!(style_of(Some("multi"), "query"), (Some(("form", true)), 0));
        assert_eq!(style_of(Some("ssv"), "query"), (Some(("spaceDelimited", false)), 0));
        assert_eq!(style_of(Some("pipes"), "query"), (Some(("pipeDelimited", false)), 0));
        assert_eq!(style_of(None, "path"), (Some(("simple", false)), 0));
        assert_eq!(style_of(Some("tsv"), "query"), (Some(("form", false)), 1));
    }
}
