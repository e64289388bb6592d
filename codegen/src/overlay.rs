//! OpenAPI Overlay documents (the OpenAPI Initiative's Overlay Specification 1.0):
//! corrections applied to a description after it is read and before it is lowered,
//! so the vendor's file is never edited.
//!
//! Each action selects nodes with an RFC 9535 JSONPath `target`, then merges `update`
//! into them (objects merge recursively, arrays get `update` appended, anything else is
//! replaced) or, with `remove: true`, deletes them. An action whose target selects
//! nothing is an error: a correction that silently stops applying after the vendor's
//! file changed would be worse than none.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};
use serde_json_path::JsonPath;

use crate::error::{Error, Result};

/// An overlay document, read and checked, ready to apply.
#[derive(Debug)]
pub struct Overlay {
    file: PathBuf,
    actions: Vec<Action>,
}

#[derive(Debug)]
struct Action {
    target: String,
    path: JsonPath,
    change: Change,
}

#[derive(Debug)]
enum Change {
    Update(Value),
    Remove,
}

/// The document as written; `x-` extensions are allowed anywhere the spec allows them.
#[derive(Deserialize)]
struct Document {
    overlay: String,
    info: Info,
    #[serde(default)]
    extends: Option<String>,
    actions: Vec<RawAction>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

#[derive(Deserialize)]
struct Info {
    #[allow(dead_code)] // required by the spec; read only to check it is there
    title: String,
    #[allow(dead_code)]
    version: String,
    #[serde(flatten)]
    other: Map<String, Value>,
}

#[derive(Deserialize)]
struct RawAction {
    target: String,
    #[serde(default)]
    #[allow(dead_code)] // for readers of the overlay
    description: Option<String>,
    #[serde(default)]
    update: Option<Value>,
    #[serde(default)]
    remove: bool,
    #[serde(flatten)]
    other: Map<String, Value>,
}

impl Overlay {
    /// Reads and checks an overlay (YAML or JSON).
    pub fn load(file: &Path) -> Result<Overlay> {
        let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
            path: file.to_owned(),
            source,
        })?;
        Overlay::parse(file, &text)
    }

    /// Parses `text` as if read from `file`.
    pub fn parse(file: &Path, text: &str) -> Result<Overlay> {
        let syntax = |line: usize, column: usize, message: String| Error::Syntax {
            file: file.to_owned(),
            line,
            column,
            message,
        };
        let de = serde_yaml::Deserializer::from_str(text);
        let doc: Document = serde_path_to_error::deserialize(de).map_err(|err| {
            let at = err.path().to_string();
            let inner = err.into_inner();
            let (line, column) = inner.location().map_or((0, 0), |l| (l.line(), l.column()));
            let message = inner.to_string();
            let message = message.split(" at line ").next().unwrap_or_default();
            match at.as_str() {
                "." => syntax(line, column, message.to_owned()),
                _ => syntax(line, column, format!("at `{at}`: {message}")),
            }
        })?;
        let invalid = |message: String| Error::Config {
            file: file.to_owned(),
            message,
        };
        if !(doc.overlay.starts_with("1.0.") || doc.overlay.starts_with("1.1.")) {
            return Err(invalid(format!(
                "`overlay: {}`: only Overlay Specification 1.0 and 1.1 documents are supported",
                doc.overlay
            )));
        }
        if doc.extends.is_some() {
            // Which description an overlay applies to is the config's decision.
            return Err(invalid(
                "`extends` is not supported: list the overlay under `overlays` in the config of the description it corrects".to_owned(),
            ));
        }
        unknown_keys(&doc.other, "the overlay").map_err(&invalid)?;
        unknown_keys(&doc.info.other, "`info`").map_err(&invalid)?;
        if doc.actions.is_empty() {
            return Err(invalid("`actions` is empty".to_owned()));
        }
        let mut actions = Vec::with_capacity(doc.actions.len());
        for (index, raw) in doc.actions.into_iter().enumerate() {
            let action_error = |message: String| Error::Overlay {
                file: file.to_owned(),
                action: index + 1,
                target: raw.target.clone(),
                message,
            };
            unknown_keys(&raw.other, "the action").map_err(action_error)?;
            let path = JsonPath::parse(&raw.target)
                .map_err(|e| action_error(format!("not a JSONPath (RFC 9535) query: {e}")))?;
            let change = match (raw.remove, raw.update) {
                (true, _) => Change::Remove,
                (false, Some(update)) => Change::Update(update),
                (false, None) => return Err(action_error("has neither `update` nor `remove: true`".to_owned())),
            };
            actions.push(Action {
                target: raw.target,
                path,
                change,
            });
        }
        Ok(Overlay {
            file: file.to_owned(),
            actions,
        })
    }

    /// Applies every action, in order, to `doc`.
    pub fn apply(&self, doc: &mut Value) -> Result<()> {
        for (index, action) in self.actions.iter().enumerate() {
            let error = |message: String| Error::Overlay {
                file: self.file.clone(),
                action: index + 1,
                target: action.target.clone(),
                message,
            };
            let mut pointers: Vec<String> = action
                .path
                .query_located(doc)
                .locations()
                .map(|location| location.to_json_pointer())
                .collect();
            if pointers.is_empty() {
                return Err(error("the target selects nothing in the description".to_owned()));
            }
            match &action.change {
                Change::Update(update) => {
                    for pointer in &pointers {
                        if let Some(node) = doc.pointer_mut(pointer) {
                            merge(node, update);
                        }
                    }
                }
                Change::Remove => {
                    // Last first, so removing an array item does not move the next one.
                    pointers.reverse();
                    for pointer in &pointers {
                        if pointer.is_empty() {
                            return Err(error("cannot remove the whole description".to_owned()));
                        }
                        remove(doc, pointer);
                    }
                }
            }
        }
        Ok(())
    }
}

/// Keys the specification does not define, unless they are `x-` extensions.
fn unknown_keys(other: &Map<String, Value>, place: &str) -> std::result::Result<(), String> {
    match other.keys().find(|k| !k.starts_with("x-")) {
        Some(key) => Err(format!("{place} has an unknown field `{key}`")),
        None => Ok(()),
    }
}

/// Objects merge key by key (recursively), arrays get the update appended, anything
/// else is replaced.
fn merge(node: &mut Value, update: &Value) {
    match (node, update) {
        (Value::Object(target), Value::Object(fields)) => {
            for (key, value) in fields {
                match target.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => merge(existing, value),
                    _ => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(items), value) => items.push(value.clone()),
        (node, value) => *node = value.clone(),
    }
}

/// Removes the node at `pointer` (not the root) from its parent.
fn remove(doc: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = key.parse::<usize>()
                && index < items.len()
            {
                items.remove(index);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: &str) -> Result<Overlay> {
        let text = format!("overlay: 1.0.0\ninfo: {{title: t, version: '1'}}\nactions:\n{actions}");
        Overlay::parse(Path::new("fix.yaml"), &text)
    }

    fn doc() -> Value {
        json!({
            "components": {"schemas": {
                "User": {"type": "object", "required": ["id", "avatar"], "properties": {
                    "id": {"type": "integer"},
                    "avatar": {"type": "string", "readOnly": true}
                }},
                "Task": {"type": "object", "properties": {"annotations": {"type": "string"}}}
            }}
        })
    }

    #[test]
    fn update_merges_into_every_selected_object() {
        let mut d = doc();
        overlay("  - target: $.components.schemas.*.properties[?@.type == 'string']\n    update: {nullable: true}\n")
            .unwrap()
            .apply(&mut d)
            .unwrap();
        assert_eq!(
            d["components"]["schemas"]["User"]["properties"]["avatar"],
            json!({"type": "string", "readOnly": true, "nullable": true})
        );
        assert_eq!(
            d["components"]["schemas"]["Task"]["properties"]["annotations"]["nullable"],
            true
        );
        assert_eq!(
            d["components"]["schemas"]["User"]["properties"]["id"],
            json!({"type": "integer"})
        );
    }

    #[test]
    fn nested_objects_merge_and_other_values_are_replaced() {
        let mut d = doc();
        let text = "  - target: $.components.schemas.Task.properties.annotations\n    \
                    update: {type: array, items: {type: object}}\n";
        overlay(text).unwrap().apply(&mut d).unwrap();
        assert_eq!(
            d["components"]["schemas"]["Task"]["properties"]["annotations"],
            json!({"type": "array", "items": {"type": "object"}})
        );
    }

    #[test]
    fn update_of_an_array_appends() {
        let mut d = doc();
        overlay("  - target: $.components.schemas.User.required\n    update: name\n")
            .unwrap()
            .apply(&mut d)
            .unwrap();
        assert_eq!(
            d["components"]["schemas"]["User"]["required"],
            json!(["id", "avatar", "name"])
        );
    }

    #[test]
    fn remove_deletes_object_members_and_array_items() {
        let mut d = doc();
        let text = "  - target: $.components.schemas.User.required[?@ == 'avatar']\n    remove: true\n  \
                    - target: $.components.schemas.Task\n    remove: true\n";
        overlay(text).unwrap().apply(&mut d).unwrap();
        assert_eq!(d["components"]["schemas"]["User"]["required"], json!(["id"]));
        assert!(d["components"]["schemas"].get("Task").is_none());
    }

    #[test]
    fn a_target_selecting_nothing_is_an_error_naming_the_action() {
        let mut d = doc();
        let text = "  - target: $.components.schemas.User\n    update: {x-ok: true}\n  \
                    - target: $.components.schemas.Usr.properties\n    update: {nullable: true}\n";
        let err = overlay(text).unwrap().apply(&mut d).unwrap_err();
        assert_eq!(
            err.to_string(),
            "fix.yaml: action 2 (`$.components.schemas.Usr.properties`): the target selects nothing in the description"
        );
    }

    #[test]
    fn broken_overlays_are_refused_with_the_place() {
        let err = overlay("  - target: $.a[\n    update: {}\n").unwrap_err().to_string();
        assert!(err.starts_with("fix.yaml: action 1 (`$.a[`): not a JSONPath"), "{err}");
        let err = overlay("  - target: $.a\n").unwrap_err().to_string();
        assert!(err.contains("has neither `update` nor `remove: true`"), "{err}");
        let err = overlay("  - target: $.a\n    updat: {}\n").unwrap_err().to_string();
        assert!(err.contains("unknown field `updat`"), "{err}");
        let err = Overlay::parse(
            Path::new("o.yaml"),
            "overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: []\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("only Overlay Specification 1.0 and 1.1"), "{err}");
        let err = Overlay::parse(Path::new("o.yaml"), "overlay: 1.0.0\nactions: []\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field `info`"), "{err}");
    }
}
