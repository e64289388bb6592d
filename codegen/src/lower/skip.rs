//! Never blocked by one operation: what a lowering pass could not express, and which
//! operations to leave out of the next pass because of it.
//!
//! Lowering is not transactional (a failed operation may have named or half-built
//! types), so a pass that fails anywhere is thrown away: [`super::lower`] runs a
//! fresh pass without the operations named here, until one succeeds. Each pass
//! only adds to the skipped set, so this ends.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::error::{Error, Warning};
use crate::pointer::Pointer;

/// Something one pass could not lower.
pub(crate) enum Failure {
    /// An operation (at its pointer, `#/paths/~1a/get`) failed itself.
    Operation { at: String, id: String, error: Error },
    /// A component schema failed; every operation reaching it is out.
    Component { name: String, error: Error },
}

/// An operation left out, and why: the warning the final pass reports.
#[derive(Clone)]
pub(crate) struct Skipped {
    pub id: String,
    pub why: String,
}

impl Skipped {
    pub fn warning(&self, at: &str) -> Warning {
        let what = match at.starts_with("#/webhooks/") || at.contains("/callbacks/") {
            true => "webhook",
            false => "operation",
        };
        Warning {
            pointer: at.to_owned(),
            message: format!("{what} `{}` is skipped: {}", self.id, self.why),
        }
    }
}

/// The operations (and webhooks) of `doc` that a component failure reaches, by pointer,
/// with their ids.
/// A reference is any string starting `#/components/` (so discriminator mappings count).
pub(crate) fn operations_reaching(
    raw: &Value,
    component: &str,
    candidates: &[(String, String)],
) -> Vec<(String, String)> {
    let target = format!("#/components/schemas/{}", escape(component));
    let mut refs_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    candidates
        .iter()
        .filter(|(at, _)| {
            let Some(op) = pointer_get(raw, at) else { return false };
            let mut roots = BTreeSet::new();
            collect_refs(op, &mut roots);
            // Path-level parameters belong to every operation under the path.
            if let Some(params) = parent(at).and_then(|p| pointer_get(raw, &format!("{p}/parameters"))) {
                collect_refs(params, &mut roots);
            }
            reaches(raw, roots, &target, &mut refs_of)
        })
        .cloned()
        .collect()
}

/// Follows references from `roots` through the document; true if `target` (or a
/// place inside it) is among them.
fn reaches(
    raw: &Value,
    roots: BTreeSet<String>,
    target: &str,
    refs_of: &mut BTreeMap<String, BTreeSet<String>>,
) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = roots.into_iter().collect();
    while let Some(reference) = stack.pop() {
        let component = component_of(&reference);
        if component == target {
            return true;
        }
        if !seen.insert(component.clone()) {
            continue;
        }
        let refs = refs_of.entry(component.clone()).or_insert_with(|| {
            let mut found = BTreeSet::new();
            if let Some(node) = pointer_get(raw, &component) {
                collect_refs(node, &mut found);
            }
            found
        });
        stack.extend(refs.iter().cloned());
    }
    false
}

/// `#/components/schemas/A/properties/b` → `#/components/schemas/A`.
fn component_of(reference: &str) -> String {
    reference.split('/').take(4).collect::<Vec<_>>().join("/")
}

fn collect_refs(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::String(s) if s.starts_with("#/components/") => {
            into.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, into)),
        Value::Object(map) => map.values().for_each(|v| collect_refs(v, into)),
        _ => {}
    }
}

fn pointer_get<'v>(raw: &'v Value, at: &str) -> Option<&'v Value> {
    let at = at.strip_prefix('#')?;
    match at.strip_prefix("/webhooks/") {
        // The loader keeps 3.1 webhooks as the `x-webhooks` extension.
        Some(rest) => raw.pointer(&format!("/x-webhooks/{rest}")),
        None => raw.pointer(at),
    }
}

fn parent(at: &str) -> Option<&str> {
    at.rsplit_once('/').map(|(parent, _)| parent)
}

fn escape(segment: &str) -> String {
    Pointer::root()
        .join(segment)
        .to_string()
        .trim_start_matches("#/")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(yaml: &str) -> Value {
        let doc: openapiv3::OpenAPI = serde_yaml::from_str(yaml).unwrap();
        serde_json::to_value(doc).unwrap()
    }

    #[test]
    fn finds_operations_through_chains_and_path_parameters() {
        let doc = doc(r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Outer"}}}}
  /b/{x}:
    parameters: [{$ref: "#/components/parameters/X"}]
    get:
      responses: {"204": {description: ok}}
  /c:
    get:
      responses: {"204": {description: ok}}
components:
  parameters:
    X: {in: path, name: x, required: true, schema: {$ref: "#/components/schemas/Broken"}}
  schemas:
    Outer: {type: object, properties: {inner: {$ref: "#/components/schemas/Broken/properties/p"}}}
    Broken: {type: object, properties: {p: {type: string}}}
"##);
        let candidates: Vec<(String, String)> = ["#/paths/~1a/get", "#/paths/~1b~1{x}/get", "#/paths/~1c/get"]
            .iter()
            .map(|at| (at.to_string(), at.to_string()))
            .collect();
        let reached: Vec<String> = operations_reaching(&doc, "Broken", &candidates)
            .into_iter()
            .map(|(at, _)| at)
            .collect();
        assert_eq!(reached, ["#/paths/~1a/get", "#/paths/~1b~1{x}/get"]);
    }
}
