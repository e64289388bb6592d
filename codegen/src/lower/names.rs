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
    pub operation: &'a openapiv3::Operation,
    /// It also takes a file upload: a second method, `<method>_upload`.
    pub upload: bool,
    /// Where it is, for warnings.
    pub at: String,
}

/// An operation's place in the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct CallName {
    pub group: Vec<String>,
    pub method: String,
    /// The method name of the upload variant, if there is one.
    pub upload: Option<String>,
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
        let (group, wanted, chosen) = wanted_name(config, named, &mut used_renames)?;
        planned.push((group, wanted, chosen));
    }
    // Chosen names first (in document order), made-up ones after.
    let mut scopes: BTreeMap<Vec<String>, Scope> = BTreeMap::new();
    let mut methods: Vec<Option<String>> = vec![None; planned.len()];
    for pass_chosen in [true, false] {
        for (i, (group, wanted, chosen)) in planned.iter().enumerate() {
            if *chosen != pass_chosen {
                continue;
            }
            let scope = scopes.entry(group.clone()).or_default();
            let method = if *chosen || !scope.contains(wanted) {
                scope.claim(wanted)
            } else {
                // A made-up name that is taken keeps more of its operationId.
                scope.claim(&without_api_prefix(operations[i].id))
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
    for ((group, _, _), (method, named)) in planned.into_iter().zip(methods.into_iter().zip(operations)) {
        let method = method.unwrap_or_default();
        let scope = scopes.entry(group.clone()).or_default();
        let upload = named.upload.then(|| scope.claim(&format!("{method}_upload")));
        names.push(CallName { group, method, upload });
    }
    Ok(names)
}

/// The group and method an operation asks for, and whether someone chose the method
/// name (the config or the description) rather than the generator.
fn wanted_name(
    config: &Config,
    named: &Named<'_>,
    used_renames: &mut BTreeSet<String>,
) -> Result<(Vec<String>, String, bool), Error> {
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
    Ok(match method {
        Some(method) => (group, method, true),
        None => {
            let made_up = fallback_method(named.id, &group);
            (group, made_up, false)
        }
    })
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
    let group_words: BTreeSet<&str> = group.iter().flat_map(|g| g.split('_')).collect();
    let name = without_api_prefix(id);
    let kept: Vec<&str> = name
        .split('_')
        .filter(|w| !w.is_empty() && !group_words.contains(w))
        .collect();
    let candidate = kept.join("_");
    if naming::is_valid_ident(&candidate) {
        candidate
    } else {
        name
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
    }
}
