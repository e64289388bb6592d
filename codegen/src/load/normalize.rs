//! Rewrites what OpenAPI 3.1 (and sloppy 3.0) documents say in ways `openapiv3` cannot
//! read into their 3.0 equivalents, each rewrite with a warning.

use crate::error::Warning;
use crate::pointer::Pointer;

/// The typed document from a tree that only reads after normalizing; `None` when
/// normalizing changed nothing or did not help.
pub(super) fn normalized(mut value: serde_json::Value) -> Option<(openapiv3::OpenAPI, Vec<Warning>)> {
    let mut warnings = Vec::new();
    normalize(&mut value, &Pointer::root(), &mut warnings);
    if warnings.is_empty() {
        return None;
    }
    let openapi = serde::Deserialize::deserialize(&value).ok()?;
    Some((openapi, warnings))
}

/// Rewrites what OpenAPI 3.1 (and sloppy 3.0) documents say in ways openapiv3 cannot
/// read, into their 3.0 equivalents, with a warning per rewrite:
/// `type: [T, "null"]` → `type: T, nullable: true`; numeric `exclusiveMinimum` /
/// `exclusiveMaximum` → a bound plus the 3.0 flag; `const: v` → `enum: [v]`; integer
/// bounds and enum values outside i64 are dropped; server variables' numbers → strings.
pub fn normalize(value: &mut serde_json::Value, at: &Pointer, warnings: &mut Vec<Warning>) {
    use serde_json::Value;
    let warn = |warnings: &mut Vec<Warning>, at: &Pointer, message: String| {
        warnings.push(Warning {
            pointer: at.to_string(),
            message,
        })
    };
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type").cloned() {
                let named: Vec<&str> = types
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|t| *t != "null")
                    .collect();
                if types.iter().any(|t| t == "null") {
                    map.insert("nullable".to_owned(), Value::Bool(true));
                }
                match named.as_slice() {
                    [one] => {
                        map.insert("type".to_owned(), Value::String((*one).to_owned()));
                    }
                    _ => {
                        map.remove("type");
                    }
                }
                warn(
                    warnings,
                    at,
                    format!(
                        "`type: {}` (OpenAPI 3.1) read as its 3.0 equivalent",
                        Value::Array(types)
                    ),
                );
            }
            for (keyword, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
                if let Some(number @ Value::Number(_)) = map.get(keyword).cloned() {
                    map.insert(bound.to_owned(), number);
                    map.insert(keyword.to_owned(), Value::Bool(true));
                    warn(
                        warnings,
                        &at.join(keyword),
                        format!("numeric `{keyword}` (OpenAPI 3.1) read as `{bound}` + `{keyword}: true`"),
                    );
                }
            }
            if let Some(constant) = map.remove("const") {
                warn(
                    warnings,
                    &at.join("const"),
                    "`const` (OpenAPI 3.1) read as a one-value `enum`".to_owned(),
                );
                map.insert("enum".to_owned(), Value::Array(vec![constant]));
            }
            if map.get("type").and_then(Value::as_str) == Some("integer") {
                // `minimum: 1.0` is the integer 1, written as a float.
                for keyword in ["minimum", "maximum", "multipleOf"] {
                    if let Some(whole) = map.get(keyword).and_then(whole_number) {
                        map.insert(keyword.to_owned(), Value::from(whole));
                    }
                }
                let fits = |v: &Value| v.as_i64().is_some() || !v.is_number();
                for keyword in ["minimum", "maximum", "multipleOf"] {
                    if map.get(keyword).is_some_and(|v| !fits(v)) {
                        map.remove(keyword);
                        warn(
                            warnings,
                            &at.join(keyword),
                            format!("`{keyword}` is outside the 64-bit integer range; ignored"),
                        );
                    }
                }
                if let Some(Value::Array(values)) = map.get_mut("enum")
                    && values.iter().any(|v| !fits(v))
                {
                    values.retain(|v| fits(v));
                    warn(
                        warnings,
                        &at.join("enum"),
                        "enum values outside the 64-bit integer range were dropped".to_owned(),
                    );
                }
            }
            if let Some(Value::Array(servers)) = map.get_mut("servers") {
                for (i, server) in servers.iter_mut().enumerate() {
                    let variables_at = at.join("servers").join(i).join("variables");
                    if let Some(Value::Object(variables)) = server.get_mut("variables") {
                        for (name, variable) in variables.iter_mut() {
                            if variable_values_as_strings(variable) {
                                let message =
                                    "numbers or booleans among this server variable's values, read as strings";
                                warn(warnings, &variables_at.join(name), message.to_owned());
                            }
                        }
                    }
                }
            }
            for (key, child) in map.iter_mut() {
                normalize(child, &at.join(key), warnings);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                normalize(item, &at.join(i), warnings);
            }
        }
        _ => {}
    }
}

/// A server variable's `default` and `enum` values are strings; numbers and booleans
/// written bare (`port: {default: 80}`) become their text. Whether any did.
fn variable_values_as_strings(variable: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    let as_string = |value: &mut Value| match value {
        Value::Number(_) | Value::Bool(_) => {
            *value = Value::String(value.to_string());
            true
        }
        _ => false,
    };
    let mut changed = variable.get_mut("default").is_some_and(as_string);
    if let Some(Value::Array(values)) = variable.get_mut("enum") {
        for value in values {
            changed |= as_string(value);
        }
    }
    changed
}

/// A float with nothing after the point, within the 64-bit range, as that integer.
pub(super) fn whole_number(value: &serde_json::Value) -> Option<i64> {
    let f = value.as_f64().filter(|_| value.as_i64().is_none())?;
    (f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64).then_some(f as i64)
}
