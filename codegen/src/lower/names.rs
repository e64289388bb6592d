//! Where each call lives and what it is called: `client.<group>().<method>(..)`.
//!
//! In order of precedence: the config's `[operations.rename]`, then Fern's
//! `x-fern-sdk-group-name` / `x-fern-sdk-method-name`, then a name made from the
//! operationId minus what the group already says (`api_projects_reimports_retrieve` in
//! `projects` is `reimports_retrieve`). `[groups.rename]` moves whole groups last.
//! Names given by the config or the description are claimed before made-up ones, so a
//! made-up name never takes a name someone chose.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::config::Config;
use crate::error::{Error, Warning};
use crate::naming::{self, Scope};

/// What naming needs to know about one selected operation.
pub(super) struct Named<'a> {
    pub id: &'a str,
    pub path: &'a str,
    /// Lower case, as the description writes it (`get`).
    pub http_method: &'a str,
    pub operation: &'a openapiv3::Operation,
    /// It also takes a file upload: a second method, `<method>_upload`.
    pub upload: bool,
    /// It answers JSON or a stream as its body asks: a second method, `<method>_stream`.
    pub stream: bool,
    /// Where it is, for warnings.
    pub at: String,
}

/// Modules every generated crate has: a group cannot take their names.
const CRATE_MODULES: &[&str] = &["models", "runtime", "redaction_tests"];

/// An operation's place in the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct CallName {
    pub group: Vec<String>,
    pub method: String,
    /// The method name of the upload variant, if there is one.
    pub upload: Option<String>,
    /// The method name of the streamed variant, if there is one.
    pub stream: Option<String>,
}

/// Names every operation in `operations` (same order), reporting what it had to decide.
pub(super) fn call_names(
    config: &Config,
    operations: &[Named<'_>],
    warnings: &mut Vec<Warning>,
) -> Result<Vec<CallName>, Error> {
    let mut used_renames = BTreeSet::new();
    let mut planned = Vec::with_capacity(operations.len());
    for named in operations {
        let mut wanted = wanted_name(config, named, &mut used_renames)?;
        if CRATE_MODULES.contains(&wanted.group[0].as_str()) {
            let module = format!("{}_api", wanted.group[0]);
            warnings.push(Warning {
                pointer: named.at.clone(),
                message: format!(
                    "group `{}` would clash with the crate's own module of that name; it is `{module}`",
                    wanted.group[0]
                ),
            });
            wanted.group[0] = module;
        }
        planned.push(wanted);
    }
    // Chosen names first (in document order), made-up ones after.
    let mut scopes: BTreeMap<Vec<String>, Scope> = BTreeMap::new();
    let mut methods: Vec<Option<String>> = vec![None; planned.len()];
    for pass_chosen in [true, false] {
        for (
            i,
            Wanted {
                group,
                method: wanted,
                chosen,
                longer,
            },
        ) in planned.iter().enumerate()
        {
            if *chosen != pass_chosen {
                continue;
            }
            let scope = scopes.entry(group.clone()).or_default();
            let method = if *chosen || !scope.contains(wanted) {
                scope.claim(wanted)
            } else {
                // A made-up name that is taken keeps more of its operationId.
                scope.claim(longer)
            };
            if method != *wanted {
                warnings.push(Warning {
                    pointer: operations[i].at.clone(),
                    message: format!(
                        "method `{wanted}` already exists in group `{}`; using `{method}`",
                        group.join("::")
                    ),
                });
            }
            methods[i] = Some(method);
        }
    }
    unused_renames(config, &used_renames, warnings);
    let mut names = Vec::with_capacity(planned.len());
    for (Wanted { group, .. }, (method, named)) in planned.into_iter().zip(methods.into_iter().zip(operations)) {
        let method = method.unwrap_or_default();
        let scope = scopes.entry(group.clone()).or_default();
        let upload = named.upload.then(|| scope.claim(&format!("{method}_upload")));
        let stream = named.stream.then(|| scope.claim(&format!("{method}_stream")));
        names.push(CallName {
            group,
            method,
            upload,
            stream,
        });
    }
    Ok(names)
}

/// The group and method an operation asks for.
struct Wanted {
    group: Vec<String>,
    method: String,
    /// Someone chose the method name (the config or the description), not the generator.
    chosen: bool,
    /// A made-up name's second choice, when the first is taken: more of the operationId.
    longer: String,
}

fn wanted_name(config: &Config, named: &Named<'_>, used_renames: &mut BTreeSet<String>) -> Result<Wanted, Error> {
    let op = named.operation;
    let mut group = described_group(op);
    let mut method = match op.extensions.get("x-fern-sdk-method-name") {
        Some(Value::String(name)) => Some(naming::field_name(name)),
        _ => None,
    };
    if let Some(renamed) = config.operations.rename.get(named.id) {
        used_renames.insert(format!("operation {}", named.id));
        let mut parts: Vec<&str> = renamed.split("::").collect();
        let last = parts.pop().unwrap_or_default();
        if !naming::is_valid_ident(last) || parts.iter().any(|p| !naming::is_valid_ident(p)) {
            return Err(config.error(format!(
                "`[operations.rename]` `{}` = \"{renamed}\": not a method name or `group::method` path of Rust identifiers",
                named.id
            )));
        }
        if !parts.is_empty() {
            group = parts.iter().map(|p| (*p).to_owned()).collect();
        }
        method = Some(last.to_owned());
    }
    let group = renamed_group(config, group, used_renames)?;
    // FastAPI's default ids repeat the path and method: keep the function's name.
    let id = fastapi_function_name(named.id, named.path, named.http_method).unwrap_or(named.id);
    let longer = without_api_prefix(id);
    Ok(match method {
        Some(method) => Wanted {
            group,
            method,
            chosen: true,
            longer,
        },
        None => Wanted {
            method: fallback_method(id, &group),
            group,
            chosen: false,
            longer,
        },
    })
}

/// `read_flow_run_flow_runs__id__get` → `read_flow_run`: FastAPI's default operationId
/// is the route function's name, then the path with every non-word character as `_`,
/// then `_` and the method.
fn fastapi_function_name<'i>(id: &'i str, path: &str, method: &str) -> Option<&'i str> {
    let flat_path: String = path
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    let function = id
        .strip_suffix(method)?
        .strip_suffix('_')?
        .strip_suffix(flat_path.as_str())?;
    naming::is_valid_ident(&naming::field_name(function)).then_some(function)
}

/// Fern's `x-fern-sdk-group-name` (a name or a path), else the first tag, else `other`.
fn described_group(op: &openapiv3::Operation) -> Vec<String> {
    let raw: Vec<String> = match op.extensions.get("x-fern-sdk-group-name") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(parts)) => parts.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect(),
        _ => op.tags.first().cloned().into_iter().collect(),
    };
    let group: Vec<String> = raw.iter().map(|s| naming::module_name(s)).collect();
    if group.is_empty() {
        vec!["other".to_owned()]
    } else {
        group
    }
}

/// Applies `[groups.rename]`: the longest renamed prefix of the group path wins.
fn renamed_group(config: &Config, group: Vec<String>, used: &mut BTreeSet<String>) -> Result<Vec<String>, Error> {
    for len in (1..=group.len()).rev() {
        let key = group[..len].join("::");
        let Some(renamed) = config.groups.rename.get(&key) else {
            continue;
        };
        used.insert(format!("group {key}"));
        let new: Vec<String> = renamed.split("::").map(str::to_owned).collect();
        if new
            .iter()
            .any(|p| !naming::is_valid_ident(p) || p.chars().any(|c| c.is_ascii_uppercase()))
        {
            return Err(config.error(format!(
                "`[groups.rename]` `{key}` = \"{renamed}\": not a `::`-separated path of snake_case module names"
            )));
        }
        return Ok(new.into_iter().chain(group[len..].iter().cloned()).collect());
    }
    Ok(group)
}

/// The operationId in snake_case without the words the call's place already says:
/// a leading `api`, and the group's own words (`api_projects_tasks_list` in `projects`
/// is `tasks_list`). The whole (minus `api_`) when nothing would be left.
fn fallback_method(id: &str, group: &[String]) -> String {
    // `flow_runs` also says `flow_run`, and `policies` `policy`.
    let group_words: BTreeSet<String> = group
        .iter()
        .flat_map(|g| g.split('_'))
        .flat_map(|w| [w.to_owned(), singular(w)])
        .collect();
    let name = without_api_prefix(id);
    let kept: Vec<&str> = name
        .split('_')
        .filter(|w| !w.is_empty() && !group_words.contains(*w))
        .collect();
    let candidate = kept.join("_");
    if naming::is_valid_ident(&candidate) {
        candidate
    } else {
        name
    }
}

fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    match word.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') && stem.len() > 1 => stem.to_owned(),
        _ => word.to_owned(),
    }
}

fn without_api_prefix(id: &str) -> String {
    let name = naming::field_name(id);
    match name.strip_prefix("api_") {
        Some(rest) if naming::is_valid_ident(rest) => rest.to_owned(),
        _ => name,
    }
}

fn unused_renames(config: &Config, used: &BTreeSet<String>, warnings: &mut Vec<Warning>) {
    let unused_ops = config
        .operations
        .rename
        .keys()
        .filter(|id| !used.contains(&format!("operation {id}")))
        .map(|id| format!("`[operations.rename]` entry `{id}` matches no generated operation"));
    let unused_groups = config
        .groups
        .rename
        .keys()
        .filter(|g| !used.contains(&format!("group {g}")))
        .map(|g| format!("`[groups.rename]` entry `{g}` matches no group"));
    for message in unused_ops.chain(unused_groups).collect::<Vec<_>>() {
        warnings.push(Warning {
            pointer: config.file.display().to_string(),
            message,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(path: &str) -> Vec<String> {
        path.split("::").map(str::to_owned).collect()
    }

    #[test]
    fn fallback_drops_api_and_the_groups_words() {
        assert_eq!(
            fallback_method("api_projects_reimports_retrieve", &group("projects")),
            "reimports_retrieve"
        );
        assert_eq!(
            fallback_method("api_dm_views_update", &group("data_manager")),
            "dm_views_update"
        );
        assert_eq!(
            fallback_method("api_predictions_update", &group("predictions")),
            "update"
        );
        assert_eq!(fallback_method("listPets", &group("pets")), "list");
        // Nothing left: keep the operationId (minus `api_`).
        assert_eq!(fallback_method("api_projects", &group("projects")), "projects");
        assert_eq!(fallback_method("api", &group("other")), "api");
        // The group's words in the singular too.
        assert_eq!(fallback_method("read_flow_run", &group("flow_runs")), "read");
        assert_eq!(fallback_method("create_policy", &group("policies")), "create");
    }

    #[test]
    fn fastapi_ids_give_the_functions_name() {
        assert_eq!(
            fastapi_function_name("read_flow_run_flow_runs__id__get", "/flow_runs/{id}", "get"),
            Some("read_flow_run")
        );
        assert_eq!(
            fastapi_function_name("health_check_health_get", "/health", "get"),
            Some("health_check")
        );
        assert_eq!(
            fastapi_function_name(
                "read_block_document_by_id_block_documents__id__get",
                "/block_documents/{id}",
                "get"
            ),
            Some("read_block_document_by_id")
        );
        // Not FastAPI's pattern: left alone.
        assert_eq!(fastapi_function_name("listPets", "/pets", "get"), None);
        assert_eq!(fastapi_function_name("pets_get", "/pets", "get"), None);
    }
}
