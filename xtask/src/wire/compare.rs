//! What arrived from each side, compared: method, path, query pairs (as a multiset),
//! content type, body (JSON as a tree; forms and multipart as their pairs and parts)
//! and the headers the description names.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;

use super::calls::Call;

/// One request the capture server received.
#[derive(Clone, Debug, Deserialize)]
pub struct Captured {
    pub call: String,
    pub side: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: BTreeMap<String, Vec<String>>,
    pub body_b64: String,
}

impl Captured {
    fn body(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.body_b64)
            .unwrap_or_default()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())?
            .first()
            .map(String::as_str)
    }

    fn content_type(&self) -> String {
        let value = self.header("content-type").unwrap_or_default();
        value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
    }
}

/// What the comparison of one call found.
#[derive(Default)]
pub struct Outcome {
    /// One line per difference.
    pub differences: Vec<String>,
    /// Values only the SDK sent that are the description's defaults: what the server
    /// assumes anyway, so not a difference.
    pub sdk_defaults: usize,
}

/// The differences between what our client and the SDK sent for `call`.
pub fn compare(call: &Call, ours: &Captured, sdk: &Captured) -> Outcome {
    let mut outcome = Outcome::default();
    let mut sdk = sdk.clone();
    outcome.sdk_defaults = drop_sdk_defaults(call, ours, &mut sdk);
    outcome.differences = differences(call, ours, &sdk);
    outcome
}

/// Removes from the SDK's request the query pairs and top-level JSON body fields that
/// ours leaves out and that hold the description's default; returns how many.
fn drop_sdk_defaults(call: &Call, ours: &Captured, sdk: &mut Captured) -> usize {
    let mut dropped = 0;
    let defaults = &call.defaults;
    let our_names: Vec<String> = pairs(ours.query.as_bytes())
        .iter()
        .map(|p| name_of(p).to_owned())
        .collect();
    let kept: Vec<(String, String)> = form_urlencoded::parse(sdk.query.as_bytes())
        .into_owned()
        .filter(|(k, v)| {
            let default = defaults["query"].get(k).map(scalar_text);
            let is_default = !our_names.contains(k) && default.as_deref() == Some(v.as_str());
            dropped += usize::from(is_default);
            !is_default
        })
        .collect();
    sdk.query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    match sdk.content_type().as_str() {
        "application/x-www-form-urlencoded" => {
            let body = sdk.body();
            let (kept, n) = without_defaults(&body, &ours.body(), &defaults["form"]);
            dropped += n;
            sdk.body_b64 = base64::engine::general_purpose::STANDARD.encode(kept);
        }
        "multipart/form-data" => dropped += drop_default_parts(ours, sdk, &defaults["form"]),
        _ => {}
    }
    if sdk.content_type() == "application/json" {
        let parse = |c: &Captured| serde_json::from_slice::<Value>(&c.body()).ok();
        if let (Some(mut theirs), Some(mine)) = (parse(sdk), parse(ours)) {
            dropped += drop_defaults_in("", &mut theirs, &mine, &defaults["body"]);
            let bytes = serde_json::to_vec(&theirs).unwrap_or_default();
            sdk.body_b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        }
    }
    dropped
}

/// Removes the keys of `theirs` that `mine` lacks and that hold the default at their
/// place (`defaults` by pointer, `*` for indices and map keys); returns how many.
fn drop_defaults_in(at: &str, theirs: &mut Value, mine: &Value, defaults: &Value) -> usize {
    // A struct's key by name; otherwise (a map's key) any key.
    let place = |key: &str| {
        let literal = format!("{at}/{key}");
        let known = defaults
            .as_object()
            .is_some_and(|d| d.keys().any(|k| k.starts_with(&literal)));
        if known { literal } else { format!("{at}/*") }
    };
    let mut dropped = 0;
    match (theirs, mine) {
        (Value::Object(theirs), Value::Object(mine)) => {
            theirs.retain(|key, value| {
                let is_default = !mine.contains_key(key) && defaults.get(place(key)) == Some(value);
                dropped += usize::from(is_default);
                !is_default
            });
            for (key, value) in theirs.iter_mut() {
                if let Some(other) = mine.get(key) {
                    dropped += drop_defaults_in(&place(key), value, other, defaults);
                }
            }
        }
        (Value::Array(theirs), Value::Array(mine)) => {
            for (value, other) in theirs.iter_mut().zip(mine) {
                dropped += drop_defaults_in(&format!("{at}/*"), value, other, defaults);
            }
        }
        _ => {}
    }
    dropped
}

/// A URL-encoded form without the pairs ours lacks that hold their field's default.
fn without_defaults(theirs: &[u8], ours: &[u8], defaults: &Value) -> (Vec<u8>, usize) {
    let our_names: Vec<String> = form_urlencoded::parse(ours).map(|(k, _)| k.into_owned()).collect();
    let mut dropped = 0;
    let kept: Vec<(String, String)> = form_urlencoded::parse(theirs)
        .into_owned()
        .filter(|(k, v)| {
            let is_default = !our_names.contains(k) && defaults.get(k).map(scalar_text).as_deref() == Some(v.as_str());
            dropped += usize::from(is_default);
            !is_default
        })
        .collect();
    let text = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    (text.into_bytes(), dropped)
}

/// Drops the SDK's multipart text parts that ours lacks and that hold their field's
/// default; the body is rebuilt with the parts left.
fn drop_default_parts(ours: &Captured, sdk: &mut Captured, defaults: &Value) -> usize {
    let our_names: Vec<String> = multipart(&ours.body(), ours.header("content-type").unwrap_or_default())
        .iter()
        .map(|p| p.split(';').next().unwrap_or_default().to_owned())
        .collect();
    let content_type = sdk.header("content-type").unwrap_or_default().to_owned();
    let Some(boundary) = content_type
        .split("boundary=")
        .nth(1)
        .map(|b| b.trim_matches('"').to_owned())
    else {
        return 0;
    };
    let body = String::from_utf8_lossy(&sdk.body()).into_owned();
    let delimiter = format!("--{boundary}");
    let mut dropped = 0;
    let kept: Vec<&str> = body
        .split(delimiter.as_str())
        .filter(|part| {
            let text = multipart(format!("{delimiter}{part}{delimiter}--\r\n").as_bytes(), &content_type);
            let Some(read) = text.first() else { return true };
            let name = read.split(';').next().unwrap_or_default();
            let value = read.split(" = ").nth(1).unwrap_or_default();
            let is_default =
                !our_names.iter().any(|n| n == name) && defaults.get(name).map(scalar_text).as_deref() == Some(value);
            dropped += usize::from(is_default);
            !is_default
        })
        .collect();
    let rebuilt = kept.join(delimiter.as_str());
    sdk.body_b64 = base64::engine::general_purpose::STANDARD.encode(rebuilt);
    dropped
}

fn name_of(pair: &str) -> &str {
    pair.split('=').next().unwrap_or_default()
}

/// A default as a query value spells it.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn differences(call: &Call, ours: &Captured, sdk: &Captured) -> Vec<String> {
    let mut out = Vec::new();
    if ours.method != sdk.method {
        out.push(format!("method: ours {}, the SDK's {}", ours.method, sdk.method));
    }
    let (our_path, sdk_path) = (decoded(&ours.path), decoded(&sdk.path));
    if our_path != sdk_path {
        out.push(format!("path: ours `{our_path}`, the SDK's `{sdk_path}`"));
    }
    if let Some(d) = multiset_difference("query", &pairs(ours.query.as_bytes()), &pairs(sdk.query.as_bytes())) {
        out.push(d);
    }
    for name in call.headers.keys() {
        let (a, b) = (ours.header(name), sdk.header(name));
        if a != b {
            out.push(format!("header `{name}`: ours {a:?}, the SDK's {b:?}"));
        }
    }
    let (our_type, sdk_type) = (ours.content_type(), sdk.content_type());
    let (our_body, sdk_body) = (ours.body(), sdk.body());
    if our_body.is_empty() && sdk_body.is_empty() {
        return out;
    }
    if our_type != sdk_type {
        out.push(format!("content type: ours `{our_type}`, the SDK's `{sdk_type}`"));
        return out;
    }
    out.extend(body_difference(&our_type, ours, sdk));
    out
}

fn body_difference(content_type: &str, ours: &Captured, sdk: &Captured) -> Option<String> {
    let (a, b) = (ours.body(), sdk.body());
    match content_type {
        "application/json" => {
            let parse = |bytes: &[u8]| serde_json::from_slice::<Value>(bytes).ok();
            match (parse(&a), parse(&b)) {
                (Some(x), Some(y)) => json_difference(&x, &y),
                _ if a == b => None,
                _ => Some("body: not JSON on one side".to_owned()),
            }
        }
        "application/x-www-form-urlencoded" => multiset_difference("form", &pairs(&a), &pairs(&b)),
        "multipart/form-data" => {
            let parts = |c: &Captured| multipart(&c.body(), c.header("content-type").unwrap_or_default());
            multiset_difference("multipart", &parts(ours), &parts(sdk))
        }
        _ if a == b => None,
        _ => Some(format!(
            "body: {} bytes ours, {} the SDK's, not the same",
            a.len(),
            b.len()
        )),
    }
}

/// Where two JSON trees differ (the first few places).
fn json_difference(ours: &Value, sdk: &Value) -> Option<String> {
    let mut places = Vec::new();
    walk("", ours, sdk, &mut places);
    if places.is_empty() {
        return None;
    }
    let shown: Vec<&String> = places.iter().take(4).collect();
    let more = places.len().saturating_sub(4);
    let more = if more > 0 {
        format!(" (and {more} more)")
    } else {
        String::new()
    };
    Some(format!(
        "body: {}{more}",
        shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ")
    ))
}

fn walk(at: &str, a: &Value, b: &Value, places: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let here = format!("{at}/{key}");
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => walk(&here, p, q, places),
                    (Some(p), None) => places.push(format!("`{here}` only ours ({})", short(p))),
                    (None, Some(q)) => places.push(format!("`{here}` only the SDK's ({})", short(q))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                walk(&format!("{at}/{i}"), p, q, places);
            }
        }
        _ if a == b => {}
        _ => places.push(format!(
            "`{}` ours {}, the SDK's {}",
            if at.is_empty() { "/" } else { at },
            short(a),
            short(b)
        )),
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// Items one side has more often than the other, as `what: ours only [..]; the SDK's only [..]`.
fn multiset_difference(what: &str, ours: &[String], sdk: &[String]) -> Option<String> {
    let count = |items: &[String]| {
        let mut counts: BTreeMap<String, i64> = BTreeMap::new();
        for item in items {
            *counts.entry(item.clone()).or_default() += 1;
        }
        counts
    };
    let (a, b) = (count(ours), count(sdk));
    let only = |x: &BTreeMap<String, i64>, y: &BTreeMap<String, i64>| -> Vec<String> {
        x.iter()
            .filter(|(k, n)| y.get(*k).copied().unwrap_or(0) < **n)
            .map(|(k, _)| k.clone())
            .collect()
    };
    let (ours_only, sdk_only) = (only(&a, &b), only(&b, &a));
    if ours_only.is_empty() && sdk_only.is_empty() {
        return None;
    }
    let list = |items: Vec<String>| {
        let shown: Vec<String> = items.iter().take(6).cloned().collect();
        let more = items.len().saturating_sub(6);
        format!(
            "[{}]{}",
            shown.join(", "),
            if more > 0 { format!(" +{more}") } else { String::new() }
        )
    };
    Some(format!(
        "{what}: ours only {}; the SDK's only {}",
        list(ours_only),
        list(sdk_only)
    ))
}

/// `a=1&b=2` as `a=1`, `b=2`, decoded (`+` and `%20` are both a space).
fn pairs(text: &[u8]) -> Vec<String> {
    form_urlencoded::parse(text).map(|(k, v)| format!("{k}={v}")).collect()
}

fn decoded(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

/// A multipart body's parts as `name; filename; content type = content`.
fn multipart(body: &[u8], content_type: &str) -> Vec<String> {
    let Some(boundary) = content_type.split("boundary=").nth(1) else {
        return vec!["<no boundary>".to_owned()];
    };
    let boundary = boundary.trim_matches('"');
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    text.split(delimiter.as_str())
        .map(|part| part.strip_prefix("\r\n").unwrap_or(part))
        .filter(|part| !part.is_empty() && !part.starts_with("--"))
        .map(|part| {
            let (head, content) = part.split_once("\r\n\r\n").unwrap_or((part, ""));
            let content = content.strip_suffix("\r\n").unwrap_or(content);
            let disposition = head.lines().next().unwrap_or_default();
            let field = |key: &str| {
                disposition
                    .split(';')
                    .find_map(|p| p.trim().strip_prefix(&format!("{key}=")))
                    .map(|v| v.trim_matches('"').to_owned())
                    .unwrap_or_default()
            };
            let part_type = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-type:")
                        .map(|v| v.trim().to_owned())
                })
                .unwrap_or_else(|| "text/plain".to_owned());
            format!(
                "{}; {}; {} = {}",
                field("name"),
                field("filename"),
                part_type,
                short_text(content)
            )
        })
        .collect()
}

fn short_text(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_compare_as_a_multiset_of_decoded_pairs() {
        let a = pairs(b"b=2&a=x+y&a=1");
        let b = pairs(b"a=1&a=x%20y&b=2");
        assert_eq!(multiset_difference("query", &a, &b), None);
        let c = pairs(b"a=1&b=2");
        let d = multiset_difference("query", &a, &c).unwrap();
        assert_eq!(d, "query: ours only [a=x y]; the SDK's only []");
    }

    #[test]
    fn json_bodies_compare_as_trees_naming_the_places_that_differ() {
        let a: Value = serde_json::json!({"a": 1, "b": {"c": [1, 2]}, "x": null});
        let b: Value = serde_json::json!({"b": {"c": [1, 3]}, "a": 1});
        assert_eq!(
            json_difference(&a, &b).unwrap(),
            "body: `/b/c/1` ours 2, the SDK's 3; `/x` only ours (null)"
        );
        assert_eq!(json_difference(&a, &a.clone()), None);
    }

    #[test]
    fn multipart_parts_are_read_with_their_names_files_and_types() {
        let body = b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B--\r\n";
        assert_eq!(
            multipart(body, "multipart/form-data; boundary=B"),
            ["a; ; text/plain = 1", "f; x.txt; text/plain = hi"]
        );
    }
}
