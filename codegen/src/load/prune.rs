//! A selection cut out before typing: the selected operations' path items and the
//! components they reach. Without overlays, from a JSON description's raw text, skimmed
//! and never built into a tree ([`prune`]); with them, from the corrected tree
//! ([`prune_tree`]), since a correction may target anything.

/// An object's members as (decoded key, raw value text), in document order.
type Members<'a> = Vec<(String, &'a str)>;

/// The document with only the selected path items and the components they reach.
pub(super) fn prune(text: &str, ids: &[String]) -> Option<String> {
    let top = skim::members(text)?;
    fn find<'t>(members: &Members<'t>, key: &str) -> Option<&'t str> {
        members.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
    let paths = skim::members(find(&top, "paths")?)?;
    let components: Vec<(String, Members<'_>)> = match find(&top, "components") {
        Some(raw) => skim::members(raw)?
            .into_iter()
            .map(|(kind, raw)| skim::members(raw).map(|m| (kind, m)))
            .collect::<Option<_>>()?,
        None => Vec::new(),
    };
    // A path item is kept if it names a wanted operationId. A plain text search is
    // enough: a false hit only keeps an extra item; a miss falls back (below).
    let kept_paths: Vec<&(String, &str)> = paths
        .iter()
        .filter(|(_, item)| strings_after(item, "\"operationId\"").iter().any(|id| ids.contains(id)))
        .collect();
    let wanted: std::collections::BTreeSet<&String> = ids.iter().collect();
    let seen = wanted
        .iter()
        .filter(|id| kept_paths.iter().any(|(_, item)| item.contains(id.as_str())))
        .count();
    if seen < wanted.len() {
        return None; // an id was not seen: the full load reports it properly
    }
    // Components reached through `$ref`, transitively; security schemes always (small).
    let component = |kind: &str, name: &str| {
        components
            .iter()
            .find(|(k, _)| k == kind)
            .and_then(|(_, m)| m.iter().find(|(n, _)| n == name))
            .map(|(_, v)| *v)
    };
    let mut needed: std::collections::BTreeSet<(String, String)> = components
        .iter()
        .filter(|(kind, _)| kind == "securitySchemes")
        .flat_map(|(kind, members)| members.iter().map(move |(name, _)| (kind.clone(), name.clone())))
        .collect();
    // Besides the kept path items, whatever else the document holds (3.1 `webhooks`,
    // extensions) may refer to components, and stays: so do those.
    let others = top.iter().filter(|(k, _)| k != "paths" && k != "components");
    let mut queue: Vec<&str> = kept_paths
        .iter()
        .map(|(_, raw)| *raw)
        .chain(others.map(|(_, raw)| *raw))
        .collect();
    while let Some(raw) = queue.pop() {
        for reference in refs_in(raw) {
            let Some(rest) = reference.strip_prefix("#/components/") else {
                continue;
            };
            let mut segments = rest.split('/');
            let (Some(kind), Some(name)) = (segments.next(), segments.next()) else {
                continue;
            };
            let name = name.replace("~1", "/").replace("~0", "~");
            if needed.insert((kind.to_owned(), name.clone()))
                && let Some(target) = component(kind, &name)
            {
                queue.push(target);
            }
        }
    }

    let key = |k: &str| serde_json::to_string(k).unwrap_or_default();
    let mut out = String::with_capacity(text.len() / 8);
    out.push('{');
    for (name, raw) in top.iter().filter(|(k, _)| k != "paths" && k != "components") {
        out.push_str(&format!("{}:{raw},", key(name)));
    }
    let items: Vec<String> = kept_paths
        .iter()
        .map(|(path, raw)| format!("{}:{raw}", key(path)))
        .collect();
    out.push_str(&format!("\"paths\":{{{}}},\"components\":{{", items.join(",")));
    let kinds: Vec<String> = components
        .iter()
        .map(|(kind, entries)| {
            let kept: Vec<String> = entries
                .iter()
                .filter(|(name, _)| needed.contains(&(kind.clone(), name.clone())))
                .map(|(name, raw)| format!("{}:{raw}", key(name)))
                .collect();
            format!("{}:{{{}}}", key(kind), kept.join(","))
        })
        .collect();
    out.push_str(&kinds.join(","));
    out.push_str("}}");
    Some(out)
}

/// A minimal JSON skimmer: finds where values start and end without building them.
/// It trusts the text to be JSON; anything it cannot follow returns `None`, and the
/// caller then parses the document properly.
mod skim {
    use super::Members;

    /// The members of the object `text` holds (surrounding whitespace allowed).
    pub fn members(text: &str) -> Option<Members<'_>> {
        let b = text.as_bytes();
        let mut i = ws(b, 0);
        if b.get(i) != Some(&b'{') {
            return None;
        }
        i = ws(b, i + 1);
        let mut out = Vec::new();
        if b.get(i) == Some(&b'}') {
            return Some(out);
        }
        loop {
            let key_end = string_end(b, i)?;
            let key: String = serde_json::from_str(&text[i..key_end]).ok()?;
            i = ws(b, key_end);
            if b.get(i) != Some(&b':') {
                return None;
            }
            let start = ws(b, i + 1);
            let end = value_end(b, start)?;
            out.push((key, &text[start..end]));
            i = ws(b, end);
            match b.get(i) {
                Some(b',') => i = ws(b, i + 1),
                Some(b'}') => return Some(out),
                _ => return None,
            }
        }
    }

    fn ws(b: &[u8], mut i: usize) -> usize {
        while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            i += 1;
        }
        i
    }

    /// The index just past the string starting at `i` (which must be a `"`).
    fn string_end(b: &[u8], i: usize) -> Option<usize> {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let mut j = i + 1;
        loop {
            j += memchr::memchr2(b'"', b'\\', b.get(j..)?)?;
            if b[j] == b'\\' {
                j += 2;
            } else {
                return Some(j + 1);
            }
        }
    }

    /// The index just past the value starting at `i`. Inside an object only braces
    /// need counting (brackets balance within them), and the other way round for
    /// arrays, so three bytes are searched for, with SIMD.
    fn value_end(b: &[u8], i: usize) -> Option<usize> {
        let (open, close) = match b.get(i)? {
            b'"' => return string_end(b, i),
            b'{' => (b'{', b'}'),
            b'[' => (b'[', b']'),
            _ => {
                let len = b
                    .get(i..)?
                    .iter()
                    .position(|&c| matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'));
                return Some(i + len.unwrap_or(b.len() - i));
            }
        };
        let mut depth = 0usize;
        let mut j = i;
        loop {
            j += memchr::memchr3(b'"', open, close, b.get(j..)?)?;
            let c = b[j];
            if c == b'"' {
                j = string_end(b, j)?;
                continue;
            }
            if c == open {
                depth += 1;
            } else {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            j += 1;
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn members_keep_raw_values_and_decode_keys() {
            let text = r#" {"a\"b": {"x": "}]\\\"", "y": [1, {"z": []}]}, "n": -1.5e3 ,"t":true} "#;
            let m = members(text).unwrap();
            assert_eq!(
                m.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
                ["a\"b", "n", "t"]
            );
            assert_eq!(m[0].1, r#"{"x": "}]\\\"", "y": [1, {"z": []}]}"#);
            assert_eq!(m[1].1, "-1.5e3");
            assert!(members("[1]").is_none());
            assert!(members(r#"{"a": "unterminated"#).is_none());
        }
    }
}

/// Every string in a stretch of JSON text that names a component (`"#/components/..."`):
/// `$ref`s, and a discriminator's mapping, which names its schemas the same way.
fn refs_in(raw: &str) -> Vec<String> {
    raw.match_indices("\"#/components/")
        .filter_map(|(at, _)| {
            serde_json::Deserializer::from_str(&raw[at..])
                .into_iter::<String>()
                .next()?
                .ok()
        })
        .collect()
}

/// The string values of every `key: "..."` in a stretch of JSON text.
fn strings_after(raw: &str, key: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = raw;
    while let Some(at) = rest.find(key) {
        rest = &rest[at + key.len()..];
        let after = rest.trim_start();
        let Some(after) = after.strip_prefix(':') else { continue };
        let after = after.trim_start();
        if let Ok(reference) = serde_json::Deserializer::from_str(after)
            .into_iter::<String>()
            .next()
            .transpose()
        {
            found.extend(reference);
        }
    }
    found
}

/// The tree cut down to the path items holding `ids` and the components they reach,
/// after the overlays have corrected it, so only what is generated gets typed. Object
/// keys are kept, so JSON pointers into the cut tree stay those of the whole one.
/// Returns false, leaving the tree whole, when an id is not found or a reference
/// points anywhere but an existing `#/components/<kind>/<name>` (the whole load
/// reports those).
pub(super) fn prune_tree(tree: &mut serde_json::Value, ids: &[String]) -> bool {
    use serde_json::Value;
    let Some(Value::Object(paths)) = tree.get("paths") else {
        return false;
    };
    let operation_ids = |item: &Value| -> Vec<String> {
        let operations = item.as_object().into_iter().flat_map(|methods| methods.values());
        operations
            .filter_map(|op| Some(op.get("operationId")?.as_str()?.to_owned()))
            .collect()
    };
    let mut found = std::collections::BTreeSet::new();
    let mut kept = Vec::new();
    for (path, item) in paths {
        let here = operation_ids(item);
        if here.iter().any(|id| ids.contains(id)) {
            kept.push(path.clone());
            found.extend(here);
        }
    }
    if !ids.iter().all(|id| found.contains(id)) {
        return false;
    }
    let Some(needed) = reached_components(tree, &kept) else {
        return false;
    };
    if let Some(Value::Object(paths)) = tree.get_mut("paths") {
        paths.retain(|path, _| kept.contains(path));
    }
    if let Some(Value::Object(kinds)) = tree.get_mut("components") {
        for (kind, entries) in kinds.iter_mut() {
            // Security schemes are named by requirements, not references: all stay.
            if let (Value::Object(entries), false) = (entries, kind == "securitySchemes") {
                entries.retain(|name, _| needed.contains(&(kind.clone(), name.clone())));
            }
        }
    }
    true
}

/// The components the `kept` path items reach, transitively; `None` if a reference
/// leaves `#/components/<kind>/<name>` or names one that is not there. Every string
/// naming a component counts (a discriminator's mapping names schemas that way).
fn reached_components(
    tree: &serde_json::Value,
    kept: &[String],
) -> Option<std::collections::BTreeSet<(String, String)>> {
    let mut needed = std::collections::BTreeSet::new();
    let mut queue: Vec<&serde_json::Value> = kept.iter().filter_map(|path| tree["paths"].get(path)).collect();
    // Whatever else the document holds (3.1 `webhooks`, extensions) stays, and so do
    // the components it refers to.
    let others = tree.as_object().into_iter().flatten();
    queue.extend(
        others
            .filter(|(k, _)| *k != "paths" && *k != "components")
            .map(|(_, v)| v),
    );
    while let Some(value) = queue.pop() {
        let mut names = Vec::new();
        component_names(value, &mut names)?;
        for (kind, name) in names {
            let target = tree.get("components")?.get(&kind)?.get(&name)?;
            if needed.insert((kind, name)) {
                queue.push(target);
            }
        }
    }
    Some(needed)
}

/// Collects every `(kind, name)` that a string in `value` names as
/// `#/components/<kind>/<name>[/...]`; `None` on a `$ref` anywhere else.
fn component_names(value: &serde_json::Value, out: &mut Vec<(String, String)>) -> Option<()> {
    use serde_json::Value;
    match value {
        Value::String(text) => {
            if let Some(rest) = text.strip_prefix("#/components/") {
                let mut segments = rest.splitn(3, '/');
                let (kind, name) = (segments.next()?, segments.next()?);
                out.push((kind.to_owned(), name.replace("~1", "/").replace("~0", "~")));
            }
        }
        Value::Array(items) => items.iter().try_for_each(|item| component_names(item, out))?,
        Value::Object(members) => {
            for (key, member) in members {
                let local = member.as_str().is_some_and(|r| r.starts_with("#/components/"));
                if key == "$ref" && !local {
                    return None;
                }
                component_names(member, out)?;
            }
        }
        _ => {}
    }
    Some(())
}

#[cfg(test)]
mod tree_tests {
    use super::prune_tree;
    use serde_json::json;

    fn tree(extra_ref: &str) -> serde_json::Value {
        json!({
            "webhooks": {"born": {"post": {"requestBody": {"content": {"application/json":
                {"schema": {"$ref": "#/components/schemas/Birth"}}}}}}},
            "paths": {
                "/pets": {"get": {"operationId": "list", "responses": {"200": {"content": {"application/json":
                    {"schema": {"$ref": "#/components/schemas/Pet"}}}}}}},
                "/other": {"get": {"operationId": "other", "responses": {"200": {"$ref": extra_ref}}}}
            },
            "components": {
                "schemas": {
                    "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}],
                            "discriminator": {"propertyName": "kind", "mapping": {"dog": "#/components/schemas/Dog"}}},
                    "Cat": {"type": "object"}, "Dog": {"type": "object"}, "Unused": {"type": "object"},
                    "Birth": {"type": "object"}
                },
                "responses": {"Other": {"description": "other"}},
                "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "k"}}
            }
        })
    }

    #[test]
    fn a_cut_keeps_what_references_mappings_and_webhooks_reach_and_every_security_scheme() {
        let mut cut = tree("#/components/responses/Other");
        assert!(prune_tree(&mut cut, &["list".to_owned()]));
        let names = |kind: &str| {
            cut["components"][kind]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(cut["paths"].as_object().unwrap().keys().collect::<Vec<_>>(), ["/pets"]);
        assert_eq!(names("schemas"), ["Pet", "Cat", "Dog", "Birth"]);
        assert!(names("responses").is_empty());
        assert_eq!(names("securitySchemes"), ["key"]);
    }

    #[test]
    fn the_text_cut_keeps_what_webhooks_reach_too() {
        let text = tree("#/components/responses/Other").to_string();
        let cut: serde_json::Value = serde_json::from_str(&super::prune(&text, &["list".to_owned()]).unwrap()).unwrap();
        let schemas: Vec<&String> = cut["components"]["schemas"].as_object().unwrap().keys().collect();
        assert_eq!(schemas, ["Pet", "Cat", "Dog", "Birth"]);
    }

    #[test]
    fn an_unknown_id_or_a_reference_elsewhere_leaves_the_tree_whole() {
        let whole = tree("other.yaml#/Other");
        for ids in [["missing".to_owned()], ["other".to_owned()]] {
            let mut cut = whole.clone();
            assert!(!prune_tree(&mut cut, &ids));
            assert_eq!(cut, whole);
        }
    }
}
