//! The sweep's Rust program: the wire driver's calls (one arm per method, written from
//! the IR by [`crate::wire::driver::module`]) run in the plan's order against the real
//! server, `${variables}` filled from earlier replies, each outcome logged as a JSON line.

/// `sent` for the sweep: the outcome of the call, kept for `main` to log; `auth`: the
/// credentials of the call (its own API key, or the server's `default_key`).
pub fn support(krate: &str, default_key: Option<&str>) -> String {
    let default = match default_key {
        Some(key) => format!("{krate}::Auth::api_key({key:?})"),
        None => format!("{krate}::Auth::none()"),
    };
    format!(
        r#"
thread_local! {{
    pub static API_KEY: std::cell::RefCell<Option<String>> = const {{ std::cell::RefCell::new(None) }};
    pub static COOKIE: std::cell::RefCell<Option<String>> = const {{ std::cell::RefCell::new(None) }};
}}

/// A session cookie the step sends (a login's), as a per-call header.
pub fn options() -> Option<{krate}::CallOptions> {{
    let cookie = COOKIE.with(|c| c.borrow().clone())?;
    Some({krate}::CallOptions::new().header("Cookie", cookie))
}}

pub fn auth() -> {krate}::Auth {{
    // A call with a session cookie is the session's alone.
    if COOKIE.with(|c| c.borrow().is_some()) {{
        return {krate}::Auth::none();
    }}
    match API_KEY.with(|k| k.borrow().clone()) {{
        Some(key) => {krate}::Auth::api_key(key),
        None => {default},
    }}
}}

thread_local! {{
    pub static OUTCOME: std::cell::RefCell<Option<(String, String, Option<u16>, Vec<u8>, Option<String>)>> = const {{ std::cell::RefCell::new(None) }};
}}

/// Keeps what happened: the outcome kind, a note, the error status, the reply body, the
/// cookie it sets (`name=value`).
pub fn sent<T>(result: Result<{krate}::Response<T>, {krate}::Error>) -> Result<(), String> {{
    let kept = match result {{
        Ok(reply) => {{
            let cookie = reply.headers().get("set-cookie").and_then(|v| v.to_str().ok());
            let cookie = cookie.and_then(|c| c.split(';').next()).map(str::to_owned);
            ("ok".to_owned(), reply.status().to_string(), None, reply.body().to_vec(), cookie)
        }}
        Err({krate}::Error::Decode(e)) => ("decode_error".to_owned(), e.to_string(), None, Vec::new(), None),
        Err({krate}::Error::Api(e)) => {{
            let status = e.status().as_u16();
            ("api_error".to_owned(), e.to_string(), Some(status), Vec::new(), None)
        }}
        Err(e) => ("unexpected_error".to_owned(), e.to_string(), None, Vec::new(), None),
    }};
    OUTCOME.with(|o| *o.borrow_mut() = Some(kept));
    Ok(())
}}

impl From<crate::support::FileValue> for {krate}::FilePart {{
    fn from(f: crate::support::FileValue) -> Self {{
        {krate}::FilePart::new(f.name, f.content).content_type(f.content_type)
    }}
}}
"#
    )
}

/// `main.rs`: `sweep-driver PLAN BASE_URL` logs one line per call on stdout.
pub const MAIN: &str = r#"// Written by `cargo xtask servers`: runs a sweep plan through the generated client.
mod api;
mod support;

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// `{"vars": known before any call, "calls": [...]}`.
#[derive(serde::Deserialize)]
struct Plan {
    vars: BTreeMap<String, Value>,
    calls: Vec<Planned>,
}

#[derive(serde::Deserialize)]
struct Planned {
    call: Value,
    save: BTreeMap<String, String>,
    expect: Option<u16>,
    api_key: Option<Value>,
    cookie: Option<Value>,
}

/// Fills `${name}` strings from `vars` (`${name:text}`: a number as its digits); the
/// names of those missing.
fn fill(value: &mut Value, vars: &BTreeMap<String, Value>, missing: &mut Vec<String>) {
    match value {
        Value::String(text) if text.starts_with("${") && text.ends_with('}') => {
            let inner = &text[2..text.len() - 1];
            let (name, as_text) = match inner.strip_suffix(":text") {
                Some(name) => (name, true),
                None => (inner, false),
            };
            match (vars.get(name), as_text) {
                (Some(Value::Number(n)), true) => *value = Value::String(n.to_string()),
                (Some(found), _) => *value = found.clone(),
                (None, _) => missing.push(name.to_owned()),
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| fill(v, vars, missing)),
        Value::Object(map) => map.values_mut().for_each(|v| fill(v, vars, missing)),
        _ => {}
    }
}

/// The reply's value at `pointer`; `/url?token`: the query parameter `token` of the URL
/// found at `/url` (a reset link carrying its token).
fn saved(reply: &Value, pointer: &str) -> Option<Value> {
    let Some((pointer, param)) = pointer.split_once('?') else {
        return reply.pointer(pointer).cloned();
    };
    let link = url::Url::parse(reply.pointer(pointer)?.as_str()?).ok()?;
    let (_, value) = link.query_pairs().find(|(name, _)| name == param)?;
    Some(Value::String(value.into_owned()))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let plan: Plan = serde_json::from_str(&std::fs::read_to_string(&args[1]).expect("plan")).expect("plan");
    let base = &args[2];
    let mut vars = plan.vars;
    for mut planned in plan.calls {
        let operation = planned.call["operation"].as_str().unwrap_or_default().to_owned();
        let mut missing = Vec::new();
        fill(&mut planned.call, &vars, &mut missing);
        if let Some(key) = planned.api_key.as_mut() {
            fill(key, &vars, &mut missing);
        }
        if let Some(cookie) = planned.cookie.as_mut() {
            fill(cookie, &vars, &mut missing);
        }
        let key = planned.api_key.as_ref().and_then(|k| k.as_str()).map(str::to_owned);
        support::API_KEY.with(|k| *k.borrow_mut() = key);
        let cookie = planned.cookie.as_ref().and_then(|c| c.as_str()).map(str::to_owned);
        support::COOKIE.with(|c| *c.borrow_mut() = cookie);
        let log = |outcome: &str, note: String| {
            println!("{}", json!({"operation_id": operation, "outcome": outcome, "note": note}));
        };
        if !missing.is_empty() {
            log("not_exercised", format!("no value for {}", missing.join(", ")));
            continue;
        }
        let call: support::Call = match serde_json::from_value(planned.call) {
            Ok(call) => call,
            Err(e) => {
                log("unexpected_error", format!("the plan's call does not read: {e}"));
                continue;
            }
        };
        support::OUTCOME.with(|o| *o.borrow_mut() = None);
        if let Err(e) = api::call(base, &call).await {
            log("unexpected_error", format!("the call could not be made: {e}"));
            continue;
        }
        let Some((kind, note, status, body, set_cookie)) = support::OUTCOME.with(|o| o.borrow_mut().take()) else {
            log("unexpected_error", "no outcome".to_owned());
            continue;
        };
        match (kind.as_str(), status, planned.expect) {
            ("api_error", Some(got), Some(wanted)) if got == wanted => log("expected_error", note),
            ("api_error", _, _) => log("unexpected_error", note),
            ("ok", _, Some(wanted)) => log("unexpected_error", format!("expected {wanted}, got {note}")),
            ("ok", _, None) => {
                let reply: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                for (name, pointer) in &planned.save {
                    // `set-cookie`: the session cookie the reply sets, as `name=value`.
                    if pointer == "set-cookie" {
                        match &set_cookie {
                            Some(cookie) => drop(vars.insert(name.clone(), Value::String(cookie.clone()))),
                            None => eprintln!("{operation}: the reply sets no cookie to save as {name}"),
                        }
                        continue;
                    }
                    match saved(&reply, pointer) {
                        Some(found) => drop(vars.insert(name.clone(), found)),
                        None => eprintln!("{operation}: the reply has no {pointer} to save as {name}"),
                    }
                }
                log("ok", note)
            }
            (other, _, _) => log(other, note),
        }
    }
}
"#;
