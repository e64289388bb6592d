//! OpenAPI 3.1 (JSON Schema 2020-12) rewritten into the 3.0 model `openapiv3` reads.
//!
//! Exact translations are silent: `type: [T, "null"]` and `anyOf: [X, {type: "null"}]`
//! are a nullable `T` / `X`, `const` a one-value `enum`, `oneOf` of `const`s an enum,
//! numeric `exclusiveMinimum` a bound with the 3.0 flag, `examples` a first `example`
//! (the list kept as `x-examples`), `$defs` components of their own. What cannot be
//! said in 3.0 is rewritten to the nearest thing with a warning.
//!
//! Only places that hold schemas are rewritten (a property called `const` stays one).

use serde_json::{Map, Value, json};

use crate::error::Warning;
use crate::pointer::Pointer;

/// Does the text declare OpenAPI 3.1 (judged from its start, where `openapi` sits)?
pub(super) fn declares_31(text: &str) -> bool {
    let head: String = text.chars().take(2048).collect();
    head.find("openapi")
        .map(|i| &head[i + "openapi".len()..])
        .is_some_and(|rest| rest.trim_start_matches(['"', '\'', ':', ' ', '\t']).starts_with("3.1"))
}

/// Rewrites a 3.1 document's tree in place; warnings for what was not exact.
pub(super) fn downgrade(tree: &mut Value) -> Vec<Warning> {
    let mut warnings = Vec::new();
    inline_path_item_refs(tree);
    hoist_defs(tree, &mut warnings);
    walk_document(tree, &Pointer::root(), &mut warnings);
    // The 3.0 model has no `webhooks`; lowering reads them under Redoc's 3.0 name.
    if let Some(doc) = tree.as_object_mut()
        && let Some(webhooks) = doc.remove("webhooks")
    {
        doc.entry("x-webhooks").or_insert(webhooks);
    }
    // 3.1 makes `paths` optional (a library of components, or webhooks alone).
    if let Some(doc) = tree.as_object_mut() {
        doc.entry("paths").or_insert_with(|| Value::Object(Map::new()));
    }
    warnings
}

/// 3.1's `components/pathItems`, which the 3.0 model lacks: a path or webhook that is a
/// `$ref` to one gets its content (a dangling one stays, and is reported where read).
fn inline_path_item_refs(tree: &mut Value) {
    let Some(items) = tree
        .pointer("/components/pathItems")
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    for section in ["paths", "webhooks"] {
        let Some(entries) = tree.get_mut(section).and_then(Value::as_object_mut) else {
            continue;
        };
        for entry in entries.values_mut() {
            let name = entry
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/pathItems/"))
                .map(|n| n.replace("~1", "/").replace("~0", "~"));
            if let Some(item) = name.and_then(|n| items.get(&n)) {
                *entry = item.clone();
            }
        }
    }
}

/// Outside schemas: find the places that hold them.
fn walk_document(value: &mut Value, at: &Pointer, warnings: &mut Vec<Warning>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let child_at = at.join(key);
                match key.as_str() {
                    "schema" => schema(child, &child_at, warnings),
                    "schemas" if at.to_string() == "#/components" => each_value(child, &child_at, warnings),
                    _ => walk_document(child, &child_at, warnings),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk_document(item, &at.join(i), warnings);
            }
        }
        _ => {}
    }
}

fn each_value(map: &mut Value, at: &Pointer, warnings: &mut Vec<Warning>) {
    if let Value::Object(map) = map {
        for (key, child) in map.iter_mut() {
            schema(child, &at.join(key), warnings);
        }
    }
}

fn each_item(list: &mut Value, at: &Pointer, warnings: &mut Vec<Warning>) {
    if let Value::Array(items) = list {
        for (i, item) in items.iter_mut().enumerate() {
            schema(item, &at.join(i), warnings);
        }
    }
}

/// One schema: its subschemas first, then itself.
fn schema(value: &mut Value, at: &Pointer, warnings: &mut Vec<Warning>) {
    if let Value::Bool(true) = value {
        *value = json!({}); // the schema that allows anything
        return;
    }
    let Value::Object(map) = value else { return };
    for (key, child) in map.iter_mut() {
        let child_at = at.join(key);
        match key.as_str() {
            "properties" | "patternProperties" | "dependentSchemas" => each_value(child, &child_at, warnings),
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => each_item(child, &child_at, warnings),
            "items" | "not" | "contains" | "propertyNames" | "if" | "then" | "else" => {
                schema(child, &child_at, warnings)
            }
            "additionalProperties" if child.is_object() => schema(child, &child_at, warnings),
            _ => {}
        }
    }
    rewrite_type_list(map, at, warnings);
    rewrite_const(map);
    rewrite_exclusive_bounds(map);
    if map.get("type").and_then(Value::as_str) == Some("integer") {
        // `minimum: 1.0` is the integer 1, written as a float (pydantic does).
        for keyword in ["minimum", "maximum", "multipleOf"] {
            if let Some(whole) = map.get(keyword).and_then(super::normalize::whole_number) {
                map.insert(keyword.to_owned(), Value::from(whole));
            }
        }
    }
    rewrite_examples(map);
    rewrite_content_encoding(map);
    rewrite_prefix_items(map, at, warnings);
    for keyword in ["anyOf", "oneOf"] {
        rewrite_null_alternatives(map, keyword);
        rewrite_const_alternatives(map, keyword);
    }
}

/// `type: [T, "null"]` → `type: T, nullable: true`; several types are not 3.0.
fn rewrite_type_list(map: &mut Map<String, Value>, at: &Pointer, warnings: &mut Vec<Warning>) {
    let Some(Value::Array(types)) = map.get("type").cloned() else {
        if map.get("type").and_then(Value::as_str) == Some("null") && map.len() == 1 {
            map.remove("type");
            map.insert("nullable".to_owned(), Value::Bool(true));
            map.insert("enum".to_owned(), json!([null]));
        }
        return;
    };
    let named: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
    if named.len() < types.len() {
        map.insert("nullable".to_owned(), Value::Bool(true));
    }
    match named.as_slice() {
        [one] => {
            map.insert("type".to_owned(), (*one).clone());
        }
        _ => {
            map.remove("type");
            warnings.push(Warning {
                pointer: at.join("type").to_string(),
                message: format!(
                    "`type: {}` allows several types; read as any JSON value",
                    Value::Array(types)
                ),
            });
        }
    }
}

/// `const: v` → `enum: [v]`, with the type the value has when none is given.
fn rewrite_const(map: &mut Map<String, Value>) {
    let Some(constant) = map.remove("const") else { return };
    if !map.contains_key("type") {
        let ty = match &constant {
            Value::String(_) => Some("string"),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
            Value::Number(_) => Some("number"),
            Value::Bool(_) => Some("boolean"),
            _ => None,
        };
        if let Some(ty) = ty {
            map.insert("type".to_owned(), Value::String(ty.to_owned()));
        }
    }
    if constant.is_null() {
        map.insert("nullable".to_owned(), Value::Bool(true));
    }
    map.insert("enum".to_owned(), Value::Array(vec![constant]));
}

/// Numeric `exclusiveMinimum: 0` → `minimum: 0, exclusiveMinimum: true`.
fn rewrite_exclusive_bounds(map: &mut Map<String, Value>) {
    for (keyword, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(number @ Value::Number(_)) = map.get(keyword).cloned() {
            map.insert(bound.to_owned(), number);
            map.insert(keyword.to_owned(), Value::Bool(true));
        }
    }
}

/// A schema's `examples` list: the first is its 3.0 `example`; all stay as `x-examples`.
fn rewrite_examples(map: &mut Map<String, Value>) {
    let Some(Value::Array(examples)) = map.remove("examples") else {
        return;
    };
    if let Some(first) = examples.first()
        && !map.contains_key("example")
    {
        map.insert("example".to_owned(), first.clone());
    }
    map.insert("x-examples".to_owned(), Value::Array(examples));
}

/// `contentEncoding: base64` is 3.0's `format: byte`; a string of binary content `binary`.
fn rewrite_content_encoding(map: &mut Map<String, Value>) {
    if map.contains_key("format") || map.get("type").and_then(Value::as_str) != Some("string") {
        return;
    }
    let format = match (map.get("contentEncoding"), map.get("contentMediaType")) {
        (Some(encoding), _) if encoding == "base64" => "byte",
        (None, Some(media))
            if media != "application/json" && !media.as_str().is_some_and(|m| m.starts_with("text/")) =>
        {
            "binary"
        }
        _ => return,
    };
    map.insert("format".to_owned(), Value::String(format.to_owned()));
}

/// A tuple (`prefixItems`) has no 3.0 form: an array whose items are any of its members.
fn rewrite_prefix_items(map: &mut Map<String, Value>, at: &Pointer, warnings: &mut Vec<Warning>) {
    let Some(Value::Array(members)) = map.remove("prefixItems") else {
        return;
    };
    if !map.contains_key("items") {
        let mut distinct: Vec<Value> = Vec::new();
        for member in members {
            if !distinct.contains(&member) {
                distinct.push(member);
            }
        }
        let items = match distinct.as_slice() {
            [one] => one.clone(),
            _ => json!({ "anyOf": distinct }),
        };
        map.insert("items".to_owned(), items);
    }
    warnings.push(Warning {
        pointer: at.join("prefixItems").to_string(),
        message: "a tuple (`prefixItems`) is read as an array whose items are any of its members".to_owned(),
    });
}

/// `anyOf: [X, {type: "null"}]` → `X`, nullable. Several others stay alternatives of a
/// nullable union.
fn rewrite_null_alternatives(map: &mut Map<String, Value>, keyword: &str) {
    let Some(Value::Array(alternatives)) = map.get(keyword) else {
        return;
    };
    let is_null = |s: &Value| s.get("enum") == Some(&json!([null])) || s.get("type") == Some(&json!("null"));
    if !alternatives.iter().any(is_null) {
        return;
    }
    let rest: Vec<Value> = alternatives.iter().filter(|s| !is_null(s)).cloned().collect();
    map.insert("nullable".to_owned(), Value::Bool(true));
    match rest.as_slice() {
        [only] if !has_shape(map, &[keyword]) => {
            map.remove(keyword);
            match only {
                Value::Object(inner) if inner.contains_key("$ref") => {
                    map.insert("allOf".to_owned(), Value::Array(vec![only.clone()]));
                }
                Value::Object(inner) => {
                    for (key, value) in inner {
                        map.entry(key.clone()).or_insert_with(|| value.clone());
                    }
                }
                _ => {}
            }
        }
        [] => {
            map.remove(keyword);
        }
        _ => {
            map.insert(keyword.to_owned(), Value::Array(rest));
        }
    }
}

/// `oneOf` of constants (each `{const: v, title: ...}`) is an enum; so is a string
/// enum beside a plain string (the generated enum keeps any other value anyway).
fn rewrite_const_alternatives(map: &mut Map<String, Value>, keyword: &str) {
    let Some(Value::Array(alternatives)) = map.get(keyword) else {
        return;
    };
    let mut values = Vec::new();
    let mut titles = Vec::new();
    let mut descriptions = Vec::new();
    let mut kind: Option<String> = None;
    let mut open_string = false;
    for alternative in alternatives {
        let Value::Object(alt) = alternative else { return };
        let ty = alt.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
        if kind.get_or_insert_with(|| ty.clone()) != &ty || !matches!(ty.as_str(), "string" | "integer") {
            return;
        }
        let only_docs = |k: &String| {
            matches!(k.as_str(), "type" | "enum" | "title" | "description" | "default") || k.starts_with("x-")
        };
        if !alt.keys().all(only_docs) {
            return;
        }
        match alt.get("enum") {
            Some(Value::Array(listed)) => {
                values.extend(listed.iter().cloned());
                if listed.len() == 1 {
                    titles.push(alt.get("title").cloned().unwrap_or(Value::Null));
                    descriptions.push(alt.get("description").cloned().unwrap_or(Value::Null));
                }
            }
            None if ty == "string" => open_string = true,
            None => return,
            Some(_) => return,
        }
    }
    let kind = kind.unwrap_or_default();
    let same_type = map.get("type").is_none_or(|t| *t == kind);
    if values.is_empty() || !same_type || has_shape(map, &[keyword, "type"]) {
        return;
    }
    map.remove(keyword);
    map.insert("type".to_owned(), Value::String(kind.clone()));
    let complete = !open_string && titles.len() == values.len();
    if complete && kind == "integer" && titles.iter().all(Value::is_string) {
        map.insert("x-enum-varnames".to_owned(), Value::Array(titles));
    }
    if complete && descriptions.iter().any(Value::is_string) {
        map.insert("x-enum-descriptions".to_owned(), Value::Array(descriptions));
    }
    map.insert("enum".to_owned(), Value::Array(values));
}

/// Does the schema say more than the keywords in `besides` (so it cannot simply become
/// its alternative)?
fn has_shape(map: &Map<String, Value>, besides: &[&str]) -> bool {
    ["type", "properties", "items", "allOf", "anyOf", "oneOf", "enum", "$ref"]
        .iter()
        .any(|k| !besides.contains(k) && map.contains_key(*k))
}

/// `$defs` inside a schema become components of their own (under their name, or the
/// holder's name and theirs if taken), and every `$ref` to them follows.
fn hoist_defs(tree: &mut Value, warnings: &mut Vec<Warning>) {
    let mut moved: Vec<(String, String, Value)> = Vec::new(); // old pointer, new name, schema
    let Some(schemas) = tree.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else {
        return;
    };
    let mut taken: std::collections::BTreeSet<String> = schemas.keys().cloned().collect();
    for (holder, schema) in schemas.iter_mut() {
        let Some(Value::Object(defs)) = schema.as_object_mut().and_then(|s| s.remove("$defs")) else {
            continue;
        };
        for (name, def) in defs {
            let old = Pointer::root()
                .join("components")
                .join("schemas")
                .join(holder)
                .join("$defs")
                .join(&name);
            let new_name = if taken.insert(name.clone()) {
                name
            } else {
                format!("{holder}{name}")
            };
            taken.insert(new_name.clone());
            moved.push((old.to_string(), new_name, def));
        }
    }
    for (old, new_name, def) in &moved {
        if schemas.get(new_name).is_some_and(|existing| existing == def) {
            continue;
        }
        if schemas.contains_key(new_name) {
            warnings.push(Warning {
                pointer: old.clone(),
                message: format!(
                    "`$defs` entry clashes with component `{new_name}`; references to it use the component"
                ),
            });
            continue;
        }
        schemas.insert(new_name.clone(), def.clone());
    }
    let renames: Vec<(String, String)> = moved
        .into_iter()
        .map(|(old, new_name, _)| {
            (
                old,
                Pointer::root()
                    .join("components")
                    .join("schemas")
                    .join(new_name)
                    .to_string(),
            )
        })
        .collect();
    if !renames.is_empty() {
        rewrite_refs(tree, &renames);
    }
}

fn rewrite_refs(value: &mut Value, renames: &[(String, String)]) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref")
                && let Some((_, new)) = renames.iter().find(|(old, _)| old == reference)
            {
                *reference = new.clone();
            }
            map.values_mut().for_each(|v| rewrite_refs(v, renames));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renames)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn downgraded(schema: Value) -> Value {
        let mut tree = json!({"openapi": "3.1.0", "components": {"schemas": {"S": schema}}});
        downgrade(&mut tree);
        tree["components"]["schemas"]["S"].take()
    }

    #[test]
    fn null_alternatives_make_the_other_nullable() {
        assert_eq!(
            downgraded(json!({"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Limit", "default": 10})),
            json!({"type": "integer", "nullable": true, "title": "Limit", "default": 10})
        );
        assert_eq!(
            downgraded(json!({"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]})),
            json!({"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": true})
        );
        assert_eq!(
            downgraded(json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})),
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
        assert_eq!(
            downgraded(json!({"type": ["string", "null"], "maxLength": 3})),
            json!({"type": "string", "nullable": true, "maxLength": 3})
        );
    }

    #[test]
    fn constants_become_enums() {
        assert_eq!(
            downgraded(json!({"const": "compound"})),
            json!({"type": "string", "enum": ["compound"]})
        );
        assert_eq!(
            downgraded(json!({"oneOf": [{"const": 1, "title": "Low"}, {"const": 2, "title": "High"}]})),
            json!({"type": "integer", "x-enum-varnames": ["Low", "High"], "enum": [1, 2]})
        );
        // Known values or any string: the generated enum keeps unknown strings itself.
        assert_eq!(
            downgraded(json!({"anyOf": [{"type": "string"}, {"type": "string", "enum": ["a", "b"]}]})),
            json!({"type": "string", "enum": ["a", "b"]})
        );
        // Mixed kinds stay a union.
        let mixed = json!({"oneOf": [{"const": 1}, {"const": "x"}]});
        assert!(downgraded(mixed)["oneOf"].is_array());
    }

    #[test]
    fn only_schemas_are_rewritten() {
        // A property named `const`, and another named `type`, are properties.
        let schema = json!({"type": "object", "properties": {"const": {"type": "string"}, "type": {"const": "a"}}});
        assert_eq!(
            downgraded(schema),
            json!({"type": "object", "properties": {"const": {"type": "string"}, "type": {"type": "string", "enum": ["a"]}}})
        );
    }

    #[test]
    fn defs_become_components_and_references_follow() {
        let mut tree = json!({
            "openapi": "3.1.0",
            "components": {"schemas": {"Holder": {
                "type": "object",
                "properties": {"g": {"$ref": "#/components/schemas/Holder/$defs/Granularity"}},
                "$defs": {"Granularity": {"type": "string", "enum": ["word"]}}
            }}}
        });
        downgrade(&mut tree);
        assert_eq!(
            tree["components"]["schemas"]["Granularity"],
            json!({"type": "string", "enum": ["word"]})
        );
        assert_eq!(
            tree["components"]["schemas"]["Holder"]["properties"]["g"]["$ref"],
            "#/components/schemas/Granularity"
        );
    }

    #[test]
    fn the_version_is_read_from_the_start() {
        assert!(declares_31("{\n  \"openapi\": \"3.1.0\",\n"));
        assert!(declares_31("openapi: 3.1.1\ninfo:"));
        assert!(declares_31("openapi: '3.1.0'"));
        assert!(!declares_31("openapi: 3.0.3\n"));
    }
}
