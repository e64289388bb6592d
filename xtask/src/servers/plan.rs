//! A server's sweep plan: its seeding steps (`servers/<name>/sweep.toml`: calls with
//! chosen values, the reply fields they save as variables, the errors they expect), then
//! one call for every operation no step called, its values made from the schema and its
//! path parameters bound to saved variables. Deletions run last.

use std::collections::{BTreeMap, BTreeSet};

use codegen::ir::{Api, HttpMethod, Operation, TypeRef};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::wire::calls::{self, Call};

/// `servers/<name>/sweep.toml`, the part the plan reads.
#[derive(Deserialize, Default)]
pub struct SweepFile {
    #[serde(default)]
    pub step: Vec<Step>,
    /// Path template → parameter → value (`"${var}"` or a literal), over the rule.
    #[serde(default)]
    pub bind: BTreeMap<String, BTreeMap<String, Value>>,
    /// operationId → why the sweep cannot call it here.
    #[serde(default)]
    pub not_exercised: BTreeMap<String, String>,
    /// Variables known before any call (the server's own `default` project).
    #[serde(default)]
    pub vars: Map<String, Value>,
    /// Deletions to make before the others, in this order (a thing another deletion
    /// would take with it).
    #[serde(default)]
    pub delete_first: Vec<String>,
}

/// One call the sweep makes on purpose.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub operation: String,
    #[serde(default)]
    pub path: Map<String, Value>,
    #[serde(default)]
    pub query: Map<String, Value>,
    /// The body, whole (replaces the one made from the schema).
    pub body: Option<Value>,
    /// Variable → JSON pointer into the reply (`/id`; `/url?token` for a query parameter of
    /// the URL there), or `set-cookie` for the cookie it sets.
    #[serde(default)]
    pub save: BTreeMap<String, String>,
    /// The error status this call is meant to get, and why.
    pub expect: Option<u16>,
    pub why: Option<String>,
    /// Run after the derived calls (with the deletions).
    #[serde(default)]
    pub last: bool,
    /// The API key of this call, when not the server's (`${client_token}`).
    pub api_key: Option<String>,
    /// A cookie this call sends (`${session}`, saved from a login's `set-cookie`).
    pub cookie: Option<String>,
}

/// One entry of the plan the driver runs (`target/e2e/<server>/plan.json`).
#[derive(Serialize)]
pub struct Planned {
    pub call: Call,
    pub save: BTreeMap<String, String>,
    pub expect: Option<u16>,
    pub api_key: Option<String>,
    pub cookie: Option<String>,
}

/// The plan: steps, then a call for each operation no step made; deletions, `last`
/// steps and bulk deletions at the end. Operations listed in `not_exercised` get no call.
pub fn plan(api: &Api, sweep: &SweepFile) -> Result<Vec<Planned>, String> {
    let by_id: BTreeMap<&str, &Operation> = api
        .operations
        .iter()
        .filter(|op| !op.method_name.ends_with("_upload") && !op.method_name.ends_with("_stream"))
        .map(|op| (op.id.as_str(), op))
        .collect();
    let mut first = Vec::new();
    let mut last = Vec::new();
    let mut stepped = BTreeSet::new();
    for step in &sweep.step {
        let op = by_id
            .get(step.operation.as_str())
            .ok_or_else(|| format!("sweep.toml: no operation `{}`", step.operation))?;
        if step.expect.is_some() && step.why.as_deref().is_none_or(str::is_empty) {
            return Err(format!(
                "sweep.toml: `{}` expects an error but says not why",
                step.operation
            ));
        }
        stepped.insert(op.id.as_str());
        let planned = from_step(api, op, step, sweep);
        if step.last {
            last.push(planned)
        } else {
            first.push(planned)
        }
    }
    let mut deletions = Vec::new();
    for op in by_id.values() {
        if stepped.contains(op.id.as_str()) || sweep.not_exercised.contains_key(&op.id) {
            continue;
        }
        let mut call = bound(api, op, calls::required(api, op), sweep);
        as_text_where_string(op, &mut call);
        let planned = Planned {
            call,
            save: BTreeMap::new(),
            expect: None,
            api_key: None,
            cookie: None,
        };
        // Deleting (one thing or many) would take away what later calls need.
        match op.http_method == HttpMethod::Delete || op.method_name.contains("delete") {
            true => deletions.push(planned),
            false => first.push(planned),
        }
    }
    // `delete_first` first; then what is inside a thing before the thing; the `last`
    // steps; deleting in bulk at the very end.
    let rank = |p: &Planned| sweep.delete_first.iter().position(|id| *id == p.call.operation);
    deletions.sort_by_key(|p| {
        let depth = p.call.path.matches('/').count();
        (rank(p).is_none(), rank(p), std::cmp::Reverse(depth))
    });
    let (bulk, single): (Vec<Planned>, Vec<Planned>) =
        deletions.into_iter().partition(|p| p.call.method.contains("bulk"));
    first.extend(single);
    first.extend(last);
    first.extend(bulk);
    for (i, planned) in first.iter_mut().enumerate() {
        planned.call.id = format!("{i:04}");
    }
    Ok(first)
}

fn from_step(api: &Api, op: &Operation, step: &Step, sweep: &SweepFile) -> Planned {
    let mut call = bound(api, op, calls::required(api, op), sweep);
    call.path_params.extend(step.path.clone());
    call.query.extend(step.query.clone());
    if let Some(body) = &step.body {
        call.body = Some(body.clone());
    }
    as_text_where_string(op, &mut call);
    Planned {
        call,
        save: step.save.clone(),
        expect: step.expect,
        api_key: step.api_key.clone(),
        cookie: step.cookie.clone(),
    }
}

/// The call with each path parameter bound: `[bind]` first, else `${<resource>_<name>}`
/// after the path segment before it (`/flows/{id}` → `${flow_id}`, `/work_pools/{name}`
/// → `${work_pool_name}`, `{flow_name}` → `${flow_name}`); enum parameters keep the
/// value made from the schema. Required query parameters `*_id` take that variable.
fn bound(api: &Api, op: &Operation, mut call: Call, sweep: &SweepFile) -> Call {
    let given = sweep.bind.get(&op.path);
    for param in &op.path_params {
        if let Some(value) = given.and_then(|g| g.get(&param.wire_name)) {
            call.path_params.insert(param.wire_name.clone(), value.clone());
            continue;
        }
        if matches!(param.ty, TypeRef::Named(id) if !matches!(api.type_def(id).kind, codegen::ir::TypeKind::Struct(_)))
        {
            continue;
        }
        let variable = variable_for(&op.path, &param.wire_name);
        call.path_params
            .insert(param.wire_name.clone(), Value::String(format!("${{{variable}}}")));
    }
    // A required query parameter naming an id (`flow_run_id`) takes that variable.
    for param in op
        .query_params
        .iter()
        .filter(|p| p.required && p.wire_name.ends_with("_id"))
    {
        let variable = Value::String(format!("${{{}}}", param.wire_name));
        call.query.insert(param.wire_name.clone(), variable);
    }
    call
}

/// A path parameter typed as text takes its variable as text (`${addon_id:text}`): a
/// reply may give the id as a number (`"id": 1`) where the path says string, and on the
/// wire both are `1`.
fn as_text_where_string(op: &Operation, call: &mut Call) {
    for param in op.path_params.iter().filter(|p| p.ty == TypeRef::String) {
        let Some(Value::String(text)) = call.path_params.get_mut(&param.wire_name) else {
            continue;
        };
        if let Some(name) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}')) {
            *text = format!("${{{name}:text}}");
        }
    }
}

/// The variable a path parameter takes by the rule (see [`bound`]): a name of several
/// words (`flow_name`, `featureName`) is its own; a one-word one (`id`, `name`) is
/// qualified by the resource before it, unless it names that resource (`environment`
/// of `/environments/{environment}`).
pub fn variable_for(path: &str, param: &str) -> String {
    if param.contains('_') || param.chars().any(|c| c.is_ascii_uppercase()) {
        return param.to_owned();
    }
    let placeholder = format!("{{{param}}}");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let at = segments
        .iter()
        .position(|s| *s == placeholder)
        .unwrap_or(segments.len());
    let resource = segments[..at]
        .iter()
        .rev()
        .find(|s| !s.starts_with('{') && **s != param && !matches!(**s, "name" | "slug" | "tag"))
        .copied()
        .unwrap_or("resource");
    match singular(resource) {
        resource if resource == param => resource,
        resource => format!("{resource}_{param}"),
    }
}

fn singular(word: &str) -> String {
    let word = word.replace('-', "_");
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for ending in ["ches", "shes", "sses"] {
        if let Some(stem) = word.strip_suffix(ending) {
            return format!("{stem}{}", &ending[..ending.len() - 2]);
        }
    }
    word.strip_suffix('s').unwrap_or(&word).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_take_the_variable_of_the_resource_before_them() {
        assert_eq!(variable_for("/flows/{id}", "id"), "flow_id");
        assert_eq!(variable_for("/flows/name/{name}", "name"), "flow_name");
        assert_eq!(variable_for("/work_pools/{name}", "name"), "work_pool_name");
        assert_eq!(
            variable_for("/work_pools/{work_pool_name}/queues/{name}", "name"),
            "queue_name"
        );
        assert_eq!(variable_for("/block_types/slug/{slug}", "slug"), "block_type_slug");
        assert_eq!(variable_for("/saved_searches/{id}", "id"), "saved_search_id");
        assert_eq!(variable_for("/api/admin/strategies/{name}", "name"), "strategy_name");
        assert_eq!(
            variable_for("/deployments/{id}/schedules/{schedule_id}", "schedule_id"),
            "schedule_id"
        );
    }
}
