//! The Rust side of the oracle: a small program that makes each call through the
//! generated client. Its source is written from the IR, one match arm per method: the
//! call's JSON values become the builder's arguments and setters (`serde_json::from_value`
//! into the types the generated crate declares, with its `roundtrip` feature).

use std::fmt::Write as _;

use codegen::ir::{Api, Body, Field, Operation, TypeKind, TypeRef};

/// `src/<api>.rs` of the driver: `pub async fn call(base, call) -> Result<(), String>`,
/// each call made with the credentials `auth` (a Rust expression: `Auth::none()`).
pub fn module(api: &Api, krate: &str, auth: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// Written by `cargo xtask wire` from the IR; one arm per method.");
    let _ = writeln!(out, "#![allow(unused_mut, unused_variables, clippy::all)]");
    let _ = writeln!(out, "use crate::support::{{BoxFuture, Call, file, files, from, text}};");
    let _ = writeln!(out, "use {krate}::{{Auth, Client}};\n");
    let _ = writeln!(
        out,
        "pub async fn call(base_url: &str, c: &Call) -> Result<(), String> {{\n    \
         let client = Client::new(base_url, {auth}).map_err(|e| e.to_string())?;\n    \
         match c.key().as_str() {{"
    );
    for op in &api.operations {
        if matches!(op.body, Some(Body::Parts { .. })) {
            continue;
        }
        // Each arm's future boxed: one state machine over hundreds of builders would
        // not fit on a stack.
        let _ = writeln!(
            out,
            "        {:?} => {{ let f: BoxFuture<'_> = Box::pin(async move {{",
            key(op)
        );
        out.push_str(&arm(api, op));
        out.push_str("        }); f.await }\n");
    }
    out.push_str("        other => Err(format!(\"the driver has no method {other}\")),\n    }\n}\n");
    out
}

/// `group.path::method`, as [`Call::key`] in the driver spells it.
fn key(op: &Operation) -> String {
    format!("{}::{}", op.group.join("."), op.method_name)
}

/// One input of a call: where its value is in the call's JSON, and how it is passed.
struct Input {
    /// The builder's argument or setter name.
    name: String,
    /// An expression reading the value (`c.query.get("limit")`): `Option<&Value>`.
    source: String,
    /// `from::<String>` where the parameter is `impl Into<String>`, `file`, `files`, ...
    convert: &'static str,
    argument: bool,
}

fn arm(api: &Api, op: &Operation) -> String {
    let inputs = inputs(api, op);
    let mut out = String::new();
    let handle: String = op.group.iter().map(|g| format!(".{g}()")).collect();
    let args: Vec<String> = inputs
        .iter()
        .filter(|i| i.argument)
        .map(|i| format!("{}({}.unwrap_or(&serde_json::Value::Null))?", i.convert, i.source))
        .collect();
    let _ = writeln!(
        out,
        "            let mut b = client{handle}.{}({});",
        op.method_name,
        args.join(", ")
    );
    for input in inputs.iter().filter(|i| !i.argument) {
        let _ = writeln!(
            out,
            "            if let Some(v) = {} {{ b = b.{}({}(v)?); }}",
            input.source, input.name, input.convert
        );
    }
    if let Some(Body::Fields { .. }) = &op.body {
        // The whole body as the call gives it, required fields included.
        out.push_str("            if let Some(v) = c.body.as_ref() { b = b.body(from(v)?); }\n");
    }
    out.push_str("            if let Some(o) = crate::support::options() { b = b.options(o); }\n");
    out.push_str("            crate::support::sent(b.send_with_response().await)\n");
    out
}

/// The call's inputs in the order the generated builder takes them: parameters (path,
/// query, header, cookie), then body fields, then form fields.
fn inputs(api: &Api, op: &Operation) -> Vec<Input> {
    let mut inputs = Vec::new();
    let places = [
        ("path_params", &op.path_params),
        ("query", &op.query_params),
        ("headers", &op.header_params),
        ("cookies", &op.cookie_params),
    ];
    for (place, params) in places {
        for p in params {
            inputs.push(Input {
                name: p.rust_name.clone(),
                source: format!("c.{place}.get({:?})", p.wire_name),
                convert: convert(&p.ty),
                argument: p.required,
            });
        }
    }
    match &op.body {
        Some(Body::Fields { type_id, fields }) => {
            let TypeKind::Struct(shape) = &api.type_def(*type_id).kind else {
                return inputs;
            };
            for bf in fields {
                let field: &Field = &shape.fields[bf.field];
                let plain = field.required && !field.nullable;
                inputs.push(Input {
                    name: bf.arg_name.clone(),
                    source: format!("c.body.as_ref().and_then(|b| b.get({:?}))", field.wire_name),
                    convert: if plain { convert(&field.ty) } else { "from" },
                    // Optional fields come with the whole body below.
                    argument: field.required,
                });
            }
            inputs.retain(|i| i.argument || !i.source.starts_with("c.body"));
        }
        Some(Body::Whole { required, .. }) => inputs.push(Input {
            name: "body".into(),
            source: "c.body.as_ref()".into(),
            convert: "from",
            argument: *required,
        }),
        Some(Body::Raw { text, required, .. }) => inputs.push(Input {
            name: "body".into(),
            source: "c.body.as_ref()".into(),
            convert: if *text { "text" } else { "crate::support::bytes" },
            argument: *required,
        }),
        Some(Body::Form { fields, .. }) => {
            for f in fields {
                inputs.push(Input {
                    name: f.arg_name.clone(),
                    source: format!("c.body.as_ref().and_then(|b| b.get({:?}))", f.wire_name),
                    convert: match (f.file, f.files) {
                        (_, true) => "files",
                        (true, false) => "file",
                        _ => convert(&f.ty),
                    },
                    argument: f.required,
                });
            }
        }
        Some(Body::Parts { .. }) | None => {}
    }
    inputs
}

/// How a JSON value becomes an argument of this type: `impl Into<String>` parameters
/// need the type named.
fn convert(ty: &TypeRef) -> &'static str {
    match ty {
        TypeRef::String => "text",
        TypeRef::DateTime => "crate::support::datetime",
        _ => "from",
    }
}

/// The driver's `src/support.rs`: reading calls and turning values into arguments.
pub const SUPPORT: &str = r#"// Written by `cargo xtask wire`.
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Deserialize)]
pub struct Call {
    pub id: String,
    pub group: Vec<String>,
    pub method: String,
    pub path_params: Map<String, Value>,
    pub query: Map<String, Value>,
    pub headers: Map<String, Value>,
    pub cookies: Map<String, Value>,
    pub body: Option<Value>,
}

impl Call {
    pub fn key(&self) -> String {
        format!("{}::{}", self.group.join("."), self.method)
    }
}

pub type BoxFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + 'a>>;

pub fn from<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, String> {
    serde_json::from_value(v.clone()).map_err(|e| format!("the value {v} does not fit: {e}"))
}

pub fn datetime(v: &Value) -> Result<chrono::DateTime<chrono::FixedOffset>, String> {
    from(v)
}

pub fn text(v: &Value) -> Result<String, String> {
    from::<String>(v)
}

pub fn bytes(v: &Value) -> Result<Vec<u8>, String> {
    text(v).map(String::into_bytes)
}

/// `{"$file": {"name", "content", "content_type"}}` as a file part.
pub fn file<F: From<FileValue>>(v: &Value) -> Result<F, String> {
    let f = &v["$file"];
    let name = f["name"].as_str().ok_or("a file without a name")?.to_owned();
    let content = f["content"].as_str().unwrap_or_default().as_bytes().to_vec();
    let content_type = f["content_type"].as_str().unwrap_or("application/octet-stream").to_owned();
    Ok(F::from(FileValue { name, content, content_type }))
}

pub fn files<F: From<FileValue>>(v: &Value) -> Result<Vec<F>, String> {
    v.as_array().ok_or("files are not an array")?.iter().map(file).collect()
}

pub struct FileValue {
    pub name: String,
    pub content: Vec<u8>,
    pub content_type: String,
}

"#;

/// The wire driver's verdict on a call: sending is what counts.
pub const WIRE_SENT: &str = r#"
/// Sending is what counts: any reply (the capture server's is `{}`) is fine, but a call
/// the client refuses before sending is not.
pub fn sent<T>(result: Result<T, impl std::fmt::Display + IsInvalid>) -> Result<(), String> {
    match result {
        Err(e) if e.is_invalid() => Err(format!("refused before sending: {e}")),
        _ => Ok(()),
    }
}

pub trait IsInvalid {
    fn is_invalid(&self) -> bool;
}

/// No per-call settings: the calls are the description's alone.
pub fn options<O>() -> Option<O> {
    None
}
"#;

/// Per generated crate: `FileValue` into its `FilePart`, and which of its errors mean
/// "refused before sending".
pub fn support_impls(krate: &str) -> String {
    format!(
        "impl From<crate::support::FileValue> for {krate}::FilePart {{\n    \
         fn from(f: crate::support::FileValue) -> Self {{ {krate}::FilePart::new(f.name, f.content).content_type(f.content_type) }}\n}}\n\
         impl crate::support::IsInvalid for {krate}::Error {{\n    \
         fn is_invalid(&self) -> bool {{ matches!(self, {krate}::Error::InvalidRequest(_) | {krate}::Error::Config(_)) }}\n}}\n"
    )
}
