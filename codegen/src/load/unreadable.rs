//! One malformed operation must not fail a whole description: when the document does
//! not type, each operation (then each path item) is tried on its own, and those that
//! do not read are left out, each with a warning naming it and why (`--strict` makes
//! that an error, as it does every warning). A component that does not read still
//! fails the document: its error says where, which a dangling `$ref` later would not.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::Warning;
use crate::pointer::Pointer;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Removes what does not read from `tree`; a warning for each thing removed.
pub(super) fn drop_unreadable(tree: &mut Value) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let root = Pointer::root();
    if let Some(Value::Object(paths)) = tree.get_mut("paths") {
        drop_broken_operations(paths, &root.join("paths"), &mut warnings);
    }
    warnings
}

/// An operation that does not read goes; then a path item that still does not (its
/// own parameters, say) goes whole.
fn drop_broken_operations(paths: &mut Map<String, Value>, at: &Pointer, warnings: &mut Vec<Warning>) {
    let mut broken_items = Vec::new();
    for (path, item) in paths.iter_mut() {
        let item_at = at.join(path);
        if why_unreadable::<openapiv3::ReferenceOr<openapiv3::PathItem>>(item).is_none() {
            continue;
        }
        if let Value::Object(item) = item {
            for method in METHODS {
                let Some(operation) = item.get(method) else { continue };
                if let Some(why) = why_unreadable::<openapiv3::Operation>(operation) {
                    let id = operation.get("operationId").and_then(Value::as_str).unwrap_or(method);
                    let message = format!("operation `{id}` is skipped: it does not read as an operation: {why}");
                    warnings.push(Warning {
                        pointer: item_at.join(method).to_string(),
                        message,
                    });
                    item.remove(method);
                }
            }
        }
        if let Some(why) = why_unreadable::<openapiv3::ReferenceOr<openapiv3::PathItem>>(item) {
            let message = format!("path `{path}` is skipped: it does not read as a path item: {why}");
            warnings.push(Warning {
                pointer: item_at.to_string(),
                message,
            });
            broken_items.push(path.clone());
        }
    }
    for path in broken_items {
        paths.remove(&path);
    }
}

/// Why `value` does not read as a `T` (where inside it, and what), or `None`.
fn why_unreadable<T: DeserializeOwned>(value: &Value) -> Option<String> {
    let error = serde_path_to_error::deserialize::<_, T>(value).err()?;
    let path = error.path().to_string();
    let inner = error.into_inner().to_string();
    Some(match path.as_str() {
        "." | "" => inner,
        path => format!("at `{path}`: {inner}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_broken_operation_goes_and_the_rest_stays() {
        let mut tree = json!({
            "paths": {
                "/a": {
                    "get": {"operationId": "good", "responses": {"200": {"description": "ok"}}},
                    "post": {"operationId": "bad", "parameters": [{"name": "x", "in": "query", "required": "optional", "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}
                }
            }
        });
        let warnings = drop_unreadable(&mut tree);
        assert!(tree["paths"]["/a"].get("get").is_some());
        assert!(tree["paths"]["/a"].get("post").is_none());
        let pointers: Vec<&str> = warnings.iter().map(|w| w.pointer.as_str()).collect();
        assert_eq!(pointers, ["#/paths/~1a/post"]);
        assert!(
            warnings[0].message.contains("operation `bad` is skipped"),
            "{}",
            warnings[0].message
        );
    }
}
