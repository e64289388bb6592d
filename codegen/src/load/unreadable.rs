//! One malformed operation must not fail a whole description: when the document does
//! not type, each operation (then each path item) is tried on its own, and those that
//! do not read are left out, each with a warning naming it and why (`--strict` makes
//! that an error, as it does every warning). A component schema that does not read is
//! kept as any JSON value (its `$ref`s still resolve, to `serde_json::Value`); another
//! component (a parameter, a response) that does not read goes, and the calls using it
//! are skipped for the dangling `$ref`, after the warning saying why it went.

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
    if let Some(Value::Object(components)) = tree.get_mut("components") {
        replace_broken_components(components, &root.join("components"), &mut warnings);
    }
    warnings
}

/// A schema that does not read becomes `{}` (any JSON value); any other component that
/// does not read goes.
fn replace_broken_components(components: &mut Map<String, Value>, at: &Pointer, warnings: &mut Vec<Warning>) {
    use openapiv3::{Example, Header, Parameter, ReferenceOr, RequestBody, Response, Schema, SecurityScheme};
    type Reads = fn(&Value) -> Option<String>;
    let kinds: [(&str, Reads); 7] = [
        ("schemas", why_unreadable::<ReferenceOr<Schema>>),
        ("responses", why_unreadable::<ReferenceOr<Response>>),
        ("parameters", why_unreadable::<ReferenceOr<Parameter>>),
        ("examples", why_unreadable::<ReferenceOr<Example>>),
        ("requestBodies", why_unreadable::<ReferenceOr<RequestBody>>),
        ("headers", why_unreadable::<ReferenceOr<Header>>),
        ("securitySchemes", why_unreadable::<ReferenceOr<SecurityScheme>>),
    ];
    for (kind, reads) in kinds {
        let Some(Value::Object(entries)) = components.get_mut(kind) else {
            continue;
        };
        let mut broken = Vec::new();
        for (name, entry) in entries.iter_mut() {
            let Some(why) = reads(entry) else { continue };
            let pointer = at.join(kind).join(name).to_string();
            let message = match kind {
                "schemas" => {
                    *entry = Value::Object(Map::new());
                    format!("schema `{name}` does not read as a schema ({why}); typed as any JSON value")
                }
                _ => {
                    broken.push(name.clone());
                    format!("component `{name}` does not read ({why}); left out, and the calls using it with it")
                }
            };
            warnings.push(Warning { pointer, message });
        }
        for name in broken {
            entries.remove(&name);
        }
    }
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

    #[test]
    fn a_broken_schema_becomes_any_value_and_a_broken_parameter_goes() {
        let mut tree = json!({
            "components": {
                "schemas": {
                    "Good": {"type": "string"},
                    "Bad": {"type": "object", "properties": 7}
                },
                "parameters": {
                    "Bad": {"name": "x", "in": "query", "required": "optional", "schema": {"type": "string"}}
                }
            }
        });
        let warnings = drop_unreadable(&mut tree);
        assert_eq!(tree["components"]["schemas"]["Good"], json!({"type": "string"}));
        assert_eq!(tree["components"]["schemas"]["Bad"], json!({}));
        assert!(tree["components"]["parameters"].get("Bad").is_none());
        let pointers: Vec<&str> = warnings.iter().map(|w| w.pointer.as_str()).collect();
        assert_eq!(pointers, ["#/components/schemas/Bad", "#/components/parameters/Bad"]);
        assert!(
            warnings[0].message.contains("expected a map"),
            "{}",
            warnings[0].message
        );
    }
}
