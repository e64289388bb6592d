//! What a call's docs show beyond the description's text: the documented error replies,
//! the parameters' limits, and a compiled example of the call.

use super::docs::paragraphs;
use crate::ir::{Api, Body, Operation, Param, TypeKind, TypeRef};

/// A compiled (`no_run`) example calling `op`, or `None` if an argument has no
/// obvious placeholder value.
pub fn example_call(api: &Api, op: &Operation) -> Option<String> {
    let krate = crate_ident(api);
    let auth = if api.auth.api_key.is_some() {
        "Auth::api_key(\"YOUR_API_KEY\")"
    } else if api.auth.bearer {
        "Auth::bearer(\"YOUR_TOKEN\")"
    } else if api.auth.basic {
        "Auth::basic(\"USER\", \"PASSWORD\")"
    } else {
        "Auth::none()"
    };
    let call = call_expression(api, op, "client")?;
    Some(format!(
        "```no_run\n# async fn example() -> Result<(), {krate}::Error> {{\nuse {krate}::{{Auth, Client}};\n\n\
         let client = Client::new(\"http://localhost:8080\", {auth})?;\nlet reply = {call}.send().await?;\n\
         println!(\"{{reply:?}}\");\n# Ok(())\n# }}\n```"
    ))
}

/// A compiled example of the `mock` feature: the shortest call with placeholder
/// arguments (the first of those) mocked to fail, then made.
pub fn mock_example(api: &Api) -> Option<String> {
    let krate = crate_ident(api);
    let made = api
        .operations
        .iter()
        .filter_map(|op| call_expression(api, op, "client"))
        .min_by_key(String::len)?;
    let mocked = format!("mock{}", &made["client".len()..]);
    Some(format!(
        "```no_run\n# async fn example() {{\nuse {krate}::mock::MockServer;\n\n\
         let mock = MockServer::start().await;\n{mocked}.fails(404).times(1).await;\n\n\
         // The code under test, with a client sending to the mock server:\n\
         let client = mock.client();\nlet err = {made}.send().await.unwrap_err();\n\
         assert_eq!(err.api_error().map(|e| e.status().as_u16()), Some(404));\n# }}\n```"
    ))
}

/// `root.group().method(args)` with placeholder arguments, or `None` if an argument has
/// no obvious placeholder value.
fn call_expression(api: &Api, op: &Operation, root: &str) -> Option<String> {
    let mut args = Vec::new();
    for param in op.params().filter(|p| p.required) {
        args.push(example_value(api, &param.ty)?);
    }
    match &op.body {
        Some(Body::Fields { type_id, fields }) => {
            let TypeKind::Struct(shape) = &api.type_def(*type_id).kind else {
                return None;
            };
            for bf in fields {
                let field = &shape.fields[bf.field];
                if bf.argument {
                    let value = example_value(api, &field.ty)?;
                    args.push(if field.nullable {
                        format!("Some({value})")
                    } else {
                        value
                    });
                }
            }
        }
        // A whole body is taken as its type itself (`String`, not `impl Into<String>`).
        Some(Body::Whole {
            ty: TypeRef::String,
            required: true,
        }) => args.push("\"example\".to_owned()".to_owned()),
        Some(Body::Whole { ty, required: true }) => args.push(example_value(api, ty)?),
        Some(Body::Form { fields, .. }) => {
            for field in fields.iter().filter(|f| f.required) {
                let file = format!("{}::FilePart::new(\"data.json\", b\"[]\".to_vec())", crate_ident(api));
                args.push(if field.files {
                    format!("vec![{file}]")
                } else if field.file {
                    file
                } else {
                    example_value(api, &field.ty)?
                });
            }
        }
        Some(Body::Parts { required: true }) => {
            args.push(format!("{}::Form::new().text(\"name\", \"value\")", crate_ident(api)))
        }
        Some(Body::Raw {
            text, required: true, ..
        }) => args.push(if *text {
            "\"text\"".to_owned()
        } else {
            "b\"bytes\".to_vec()".to_owned()
        }),
        _ => {}
    }
    Some(format!(
        "{root}.{}().{}({})",
        op.group.join("()."),
        op.method_name,
        args.join(", ")
    ))
}

fn crate_ident(api: &Api) -> String {
    api.krate.name.replace('-', "_")
}

/// Rust source for a placeholder value of `ty`, for examples.
fn example_value(api: &Api, ty: &TypeRef) -> Option<String> {
    let krate = crate_ident(api);
    Some(match ty {
        TypeRef::Bool => "true".to_owned(),
        TypeRef::Int(_) => "1".to_owned(),
        TypeRef::Float(_) => "1.0".to_owned(),
        TypeRef::String => "\"example\"".to_owned(),
        // Not `Utc::now()`: the crate's chrono has no clock feature.
        TypeRef::DateTime => "chrono::DateTime::<chrono::FixedOffset>::default()".to_owned(),
        TypeRef::Date => "chrono::NaiveDate::default()".to_owned(),
        TypeRef::Json => "serde_json::json!({})".to_owned(),
        TypeRef::Array(_) => "Vec::new()".to_owned(),
        TypeRef::Map(_) => "Default::default()".to_owned(),
        TypeRef::Nullable(_) => "None".to_owned(),
        TypeRef::Named(id) => {
            let (name, kind) = (&api.type_def(*id).name, &api.type_def(*id).kind);
            match kind {
                TypeKind::StringEnum(e) => format!("{krate}::models::{name}::from({:?})", e.variants.first()?.wire),
                TypeKind::IntEnum(e) => format!("{krate}::models::{name}::from({})", e.variants.first()?.value),
                TypeKind::Struct(s) if s.fields.iter().all(|f| !f.required || f.read_only) => {
                    format!("{krate}::models::{name}::default()")
                }
                _ => return None,
            }
        }
    })
}

/// "Documented errors: 400 (body: [`X`]), 404." — for the operation's docs.
pub fn errors_doc(api: &Api, op: &Operation) -> Option<String> {
    if op.errors.is_empty() {
        return None;
    }
    let listed: Vec<String> = op
        .errors
        .iter()
        .map(|e| {
            let description = e.description.trim();
            let description = if description.is_empty() { String::new() } else { format!(" {description}") };
            match &e.body {
                Some(TypeRef::Named(id)) => format!(
                    "- `{}`{description}: the body decodes with `ApiError::body_as::<`[`{name}`](crate::models::{name})`>()`",
                    e.status,
                    name = api.type_def(*id).name
                ),
                _ => format!("- `{}`{description}", e.status),
            }
        })
        .collect();
    Some(format!(
        "Documented error replies (returned as [`Error::Api`](crate::Error::Api)):\n{}",
        listed.join("\n")
    ))
}

pub fn param_docs(param: &Param) -> String {
    let limits = super::types::limits_doc(&param.limits).map(|l| format!("{l} Checked before sending."));
    paragraphs([param.docs.as_deref(), limits.as_deref()])
}
