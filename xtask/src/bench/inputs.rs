//! What each tool reads: the seed endpoint's cut description, request bodies cut to
//! JSON for progenitor, and copies of our config pointed at a description.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{AtPath, Error, Result};

/// The seed endpoint, and the token exchange its auth needs (our seed config generates
/// both): every tool gets these two operations.
const SEED_OPERATIONS: [(&str, &str); 2] = [("/api/storages/s3/{id}", "patch"), ("/api/token/refresh/", "post")];

/// A copy of `config` at `copy` that reads `description` (its other paths made absolute),
/// its runtime this checkout's `openapi-typed-runtime` crate, as the peers have theirs
/// (progenitor-client, openapi-generator's and openapi-to-rust's dependencies).
pub(super) fn config_reading(root: &Path, config: &Path, description: &Path, copy: &Path) -> Result<PathBuf> {
    let text = fs::read_to_string(config).at(config)?;
    let mut table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| Error::unexpected(config.display(), e.to_string()))?;
    let base = config.parent().unwrap_or(Path::new("."));
    let absolute = |p: &str| base.join(p).display().to_string();
    if let Some(overlays) = table.get_mut("overlays").and_then(toml::Value::as_array_mut) {
        for overlay in overlays.iter_mut() {
            *overlay = toml::Value::String(absolute(overlay.as_str().unwrap_or_default()));
        }
    }
    let runtime = super::crates::local_runtime(root).path.unwrap_or_default();
    if let Some(krate) = table.get_mut("crate").and_then(toml::Value::as_table_mut) {
        let runtime = toml::Table::from_iter([("path".to_owned(), toml::Value::String(runtime))]);
        krate.insert("runtime".to_owned(), runtime.into());
    }
    let description = std::path::absolute(description).at(description)?;
    table.insert(
        "schema".to_owned(),
        toml::Value::String(description.display().to_string()),
    );
    fs::write(copy, table.to_string()).at(copy)?;
    Ok(copy.to_owned())
}

/// The description with the seed operations and the components their `$ref`s reach.
pub(super) fn seed_description(full: &Value) -> Result<Value> {
    let mut seed = full.clone();
    seed["paths"] = serde_json::json!({});
    for (path, method) in SEED_OPERATIONS {
        let operation = full["paths"][path][method].clone();
        if operation.is_null() {
            return Err(Error::unexpected("the description", format!("no {method} {path}")));
        }
        seed["paths"][path] = serde_json::json!({ method: operation });
    }
    let mut kept = serde_json::Map::new();
    let mut pending = refs(&seed["paths"]);
    while let Some(pointer) = pending.pop() {
        let Some(key) = pointer.strip_prefix("#/components/") else {
            continue;
        };
        let Some((kind, name)) = key.split_once('/') else {
            continue;
        };
        let section = kept.entry(kind).or_insert_with(|| serde_json::json!({}));
        if section.get(name).is_some() {
            continue;
        }
        let component = full["components"][kind][name].clone();
        pending.extend(refs(&component));
        section[name] = component;
    }
    kept.insert(
        "securitySchemes".to_owned(),
        full["components"]["securitySchemes"].clone(),
    );
    seed["components"] = Value::Object(kept);
    Ok(seed)
}

fn refs(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(key, v)| match (key.as_str(), v) {
                ("$ref", Value::String(target)) => vec![target.clone()],
                _ => refs(v),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(refs).collect(),
        _ => Vec::new(),
    }
}

/// Request bodies keep only `application/json` where they offer it beside other types.
pub(super) fn json_bodies_only(mut doc: Value) -> Value {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return doc;
    };
    // `get_mut`, not indexing: indexing a missing key would insert a null.
    let operations = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut());
    for operation in operations {
        let content = operation.get_mut("requestBody").and_then(|b| b.get_mut("content"));
        let Some(content) = content.and_then(Value::as_object_mut) else {
            continue;
        };
        if content.len() > 1 && content.contains_key("application/json") {
            content.retain(|media_type, _| media_type == "application/json");
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label_studio() -> Value {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/label-studio-1.23.2.openapi.json");
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
    }

    fn resolves(doc: &Value, pointer: &str) -> bool {
        pointer.strip_prefix('#').is_some_and(|p| doc.pointer(p).is_some())
    }

    #[test]
    fn the_seed_description_holds_the_seed_operations_and_every_component_they_reach() {
        let full = label_studio();
        let seed = seed_description(&full).unwrap();
        let paths = seed["paths"].as_object().unwrap();
        let kept: Vec<(&str, Vec<&String>)> = paths
            .iter()
            .map(|(p, item)| (p.as_str(), item.as_object().unwrap().keys().collect()))
            .collect();
        assert_eq!(kept.len(), SEED_OPERATIONS.len());
        for (path, method) in SEED_OPERATIONS {
            assert!(kept.iter().any(|(p, m)| *p == path && m.len() == 1 && m[0] == method));
        }
        let dangling: Vec<String> = refs(&seed).into_iter().filter(|r| !resolves(&seed, r)).collect();
        assert!(dangling.is_empty(), "{dangling:?}");
        let schemas = seed["components"]["schemas"].as_object().unwrap().len();
        assert!(schemas < full["components"]["schemas"].as_object().unwrap().len() / 10);
    }

    #[test]
    fn json_bodies_only_keeps_json_where_offered_and_adds_nothing() {
        let full = label_studio();
        let stripped = json_bodies_only(full.clone());
        let mut changed = 0;
        for (path, item) in full["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let after = &stripped["paths"][path][method];
                let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
                assert_eq!(keys(operation), keys(after), "{method} {path}");
                let types = |v: &Value| v["requestBody"]["content"].as_object().map(|c| c.len());
                if types(operation) != types(after) {
                    changed += 1;
                    assert_eq!(types(after), Some(1));
                    assert!(after["requestBody"]["content"]["application/json"].is_object());
                }
            }
        }
        assert!(changed > 0);
    }
}
