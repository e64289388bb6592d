//! What an operationId says: the method name left when the call's group words are
//! dropped, and the function name inside FastAPI's generated ids.

use std::collections::BTreeSet;

use crate::naming;

/// `read_flow_run_flow_runs__id__get` → `read_flow_run`: FastAPI's default operationId
/// is the route function's name, then the path with every non-word character as `_`,
/// then `_` and the method.
pub(super) fn fastapi_function_name<'i>(id: &'i str, path: &str, method: &str) -> Option<&'i str> {
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

/// The operationId in snake_case without the words the call's place already says:
/// a leading `api`, and the group's own words (`api_projects_tasks_list` in `projects`
/// is `tasks_list`). The whole (minus `api_`) when nothing would be left.
pub(super) fn fallback_method(id: &str, group: &[String]) -> String {
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

pub(super) fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    // `branches`, `boxes`, `addresses`: the plural added `es`.
    if ["ches", "shes", "sses", "xes"].iter().any(|end| word.ends_with(end)) {
        return word[..word.len() - 2].to_owned();
    }
    match word.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') && stem.len() > 1 => stem.to_owned(),
        _ => word.to_owned(),
    }
}

pub(super) fn without_api_prefix(id: &str) -> String {
    let name = naming::field_name(id);
    match name.strip_prefix("api_") {
        Some(rest) if naming::is_valid_ident(rest) => rest.to_owned(),
        _ => name,
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
        assert_eq!(fallback_method("get_branch", &group("repos::branches")), "get");
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
