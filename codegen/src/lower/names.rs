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

use super::operation_id::{fallback_method, fastapi_function_name, singular, without_api_prefix};
use super::resources::{self, Resources};
use crate::config::{Config, GroupBy};
use crate::error::{Error, Warning};
use crate::naming::{self, Scope};

/// A group of more calls than this (by tag) is split by the resources under it: its
/// module would be thousands of lines (GitHub's `repos` tag has 159 calls).
const SPLIT_OVER: usize = 30;

/// A resource with fewer calls than this stays in its parent group when one is split.
const SUBGROUP_AT_LEAST: usize = 2;

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

/// Modules a generated crate may have, and the own methods of `Client` and of
/// `mock::MockServer` (a top-level group is a module and a method of both): a group
/// cannot take these names, nor `webhooks` in a crate with webhooks.
const CRATE_NAMES: &[&str] = &[
    "models",
    "runtime",
    "mock",
    "redaction_tests",
    "example_tests",
    "new",
    "builder",
    "with_http_client",
    "base_url",
    "start",
    "uri",
    "client",
];

/// The generated crate's own features: with group features, a group cannot be named
/// like one (its feature would be).
const FEATURE_NAMES: &[&str] = &["default", "roundtrip", "tracing", "blocking", "mock"];

/// Methods every group's handle has besides its calls.
const HANDLE_METHODS: &[&str] = &["new"];

/// An operation's place in the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct CallName {
    pub group: Vec<String>,
    pub method: String,
    /// The method name of the upload variant, if there is one.
    pub upload: Option<String>,
    /// The method name of the streamed variant, if there is one.
    pub stream: Option<String>,
    /// The builder type of each of the methods above (plain, upload, stream), claimed in
    /// the group module's scope: `get_v2` and `get_v_2` would both be `GetV2Builder`.
    pub builders: Builders,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Builders {
    pub plain: String,
    pub upload: Option<String>,
    pub stream: Option<String>,
}

/// Names every operation in `operations` (same order), reporting what it had to decide.
pub(super) fn call_names(
    config: &Config,
    operations: &[Named<'_>],
    webhooks: bool,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<CallName>, Error> {
    let mut used_renames = BTreeSet::new();
    let mut planned = Vec::with_capacity(operations.len());
    let resources = Resources::of(operations.iter().map(|n| n.path));
    let by_paths = config.groups.by == GroupBy::Paths || operations.iter().all(|n| !has_described_group(n.operation));
    for named in operations {
        let mut wanted = wanted_name(config, named, &resources, by_paths, &mut used_renames)?;
        let top = wanted.group[0].as_str();
        let feature_clash = config.krate.group_features && FEATURE_NAMES.contains(&top);
        if CRATE_NAMES.contains(&top) || (webhooks && top == "webhooks") || feature_clash {
            let module = format!("{}_api", wanted.group[0]);
            warnings.push(Warning {
                pointer: named.at.clone(),
                message: format!(
                    "group `{}` would clash with the crate's own module or `Client` method of that name; it is \
                     `{module}`",
                    wanted.group[0]
                ),
            });
            wanted.group[0] = module;
        }
        planned.push(wanted);
    }
    if by_paths {
        tell_apart_by_verb(&mut planned, operations);
    } else {
        split_big_groups(&mut planned, operations, &resources);
    }
    // Chosen names first (in document order), made-up ones after; a subgroup's name is
    // taken in its parent first (`repos().branches()` is the group, not a method).
    let mut scopes: BTreeMap<Vec<String>, Scope> = BTreeMap::new();
    for wanted in &planned {
        for depth in 1..=wanted.group.len() {
            let scope = scopes.entry(wanted.group[..depth].to_vec()).or_default();
            HANDLE_METHODS.iter().for_each(|name| scope.reserve(name));
            if let Some(child) = wanted.group.get(depth) {
                scope.reserve(child);
            }
        }
    }
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
            builders: Builders::default(),
        });
    }
    name_builders(&mut names);
    Ok(names)
}

/// Each call's builder type, unique in its group's module (beside the group's handle).
fn name_builders(names: &mut [CallName]) {
    let mut scopes: BTreeMap<Vec<String>, Scope> = BTreeMap::new();
    for name in names {
        let scope = scopes.entry(name.group.clone()).or_insert_with(|| {
            let mut scope = Scope::new();
            scope.reserve(&naming::handle_name(name.group.last().map_or("", String::as_str)));
            scope
        });
        let mut claim = |method: &str| scope.claim(&naming::builder_name(method));
        name.builders = Builders {
            plain: claim(&name.method),
            upload: name.upload.as_deref().map(&mut claim),
            stream: name.stream.as_deref().map(&mut claim),
        };
    }
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

fn wanted_name(
    config: &Config,
    named: &Named<'_>,
    resources: &Resources,
    by_paths: bool,
    used_renames: &mut BTreeSet<String>,
) -> Result<Wanted, Error> {
    let op = named.operation;
    let shape = by_paths.then(|| resources.shape(named.path, named.http_method, answers_array(op)));
    let mut group = match &shape {
        Some(shape) if !shape.resources.is_empty() => shape.resources.clone(),
        _ => described_group(op),
    };
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
            method: match shape {
                Some(shape) if !id_says_more(id, named, &shape.method, &group) => shape.method,
                _ => fallback_method(id, &group),
            },
            group,
            chosen: false,
            longer,
        },
    })
}

/// Does the operationId say more than the call's group, HTTP method and path (Stripe's
/// `GetCustomersCustomerSourcesId` does not; `showPetById` says `show`, and
/// `createUser` on `POST /users/{name}` says `create` where the shape says `update`)?
fn id_says_more(id: &str, named: &Named<'_>, shape_method: &str, group: &[String]) -> bool {
    const VERBS: &[&str] = &["list", "create", "update", "replace", "retrieve", "get", "delete"];
    const SAID_BY_SHAPE: &[&str] = &["post", "put", "patch", "by", "id", "all"];
    let path_words: BTreeSet<String> = named
        .path
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .flat_map(|w| naming::field_name(w).split('_').map(str::to_owned).collect::<Vec<_>>())
        .flat_map(|w| [singular(&w), w])
        .collect();
    let shape_words: Vec<&str> = shape_method.split('_').collect();
    fallback_method(id, group).split('_').any(|w| {
        let verb_said = w == named.http_method || shape_words.contains(&w);
        match VERBS.contains(&w) {
            true => !verb_said,
            false => !w.is_empty() && !SAID_BY_SHAPE.contains(&w) && !path_words.contains(w),
        }
    })
}

/// Made-up names the path shape gave twice in one group (`search` by GET and by POST,
/// `update` by PUT and PATCH) are told apart by their HTTP methods' verbs.
fn tell_apart_by_verb(planned: &mut [Wanted], operations: &[Named<'_>]) {
    let mut counts: BTreeMap<(Vec<String>, String), usize> = BTreeMap::new();
    for wanted in planned.iter().filter(|w| !w.chosen) {
        *counts.entry((wanted.group.clone(), wanted.method.clone())).or_default() += 1;
    }
    const CRUD: &[&str] = &[
        "get",
        "list",
        "create",
        "update",
        "replace",
        "delete",
        "delete_all",
        "update_all",
    ];
    for (wanted, named) in planned.iter_mut().zip(operations) {
        if wanted.chosen || counts[&(wanted.group.clone(), wanted.method.clone())] < 2 {
            continue;
        }
        let verb = resources::verb(named.http_method);
        wanted.method = match CRUD.contains(&wanted.method.as_str()) {
            true => verb.to_owned(),
            false => format!("{verb}_{}", wanted.method),
        };
    }
}

/// Splits each group of more than [`SPLIT_OVER`] calls by the resource under the
/// group's own in each call's path (`/repos/{owner}/{repo}/branches/{branch}` in
/// `repos`: `repos::branches`), then the new groups that are still too big; the
/// method names then drop the new group's words.
fn split_big_groups(planned: &mut [Wanted], operations: &[Named<'_>], resources: &Resources) {
    // Each round goes one level deeper; paths are only so deep.
    for _ in 0..4 {
        if !split_once(planned, operations, resources) {
            break;
        }
    }
}

/// One round of [`split_big_groups`]; `true` if a call moved.
fn split_once(planned: &mut [Wanted], operations: &[Named<'_>], resources: &Resources) -> bool {
    let mut sizes: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for wanted in planned.iter() {
        *sizes.entry(wanted.group.clone()).or_default() += 1;
    }
    // The path segments every call of a group starts with (`/v2/gen-ai/...`).
    let mut common: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (wanted, named) in planned.iter().zip(operations) {
        let segments = resources::static_segments(named.path);
        common
            .entry(wanted.group.clone())
            .and_modify(|prefix| {
                let shared = prefix.iter().zip(&segments).take_while(|(a, b)| a == b).count();
                prefix.truncate(shared);
            })
            .or_insert(segments);
    }
    let mut methods_on: BTreeMap<&str, usize> = BTreeMap::new();
    for named in operations {
        *methods_on.entry(named.path).or_default() += 1;
    }
    let mut moves: Vec<Option<String>> = vec![None; planned.len()];
    let mut sub_sizes: BTreeMap<(Vec<String>, String), usize> = BTreeMap::new();
    for (i, (wanted, named)) in planned.iter().zip(operations).enumerate() {
        if sizes[&wanted.group] <= SPLIT_OVER || wanted.chosen {
            continue;
        }
        let shared = common[&wanted.group].len();
        let several_methods = methods_on[named.path] > 1;
        if let Some(sub) = sub_resource(named.path, &wanted.group, shared, several_methods, resources) {
            *sub_sizes.entry((wanted.group.clone(), sub.clone())).or_default() += 1;
            moves[i] = Some(sub);
        }
    }
    let mut moved = false;
    for (i, (wanted, named)) in planned.iter_mut().zip(operations).enumerate() {
        let Some(sub) = moves[i].take() else { continue };
        if sub_sizes[&(wanted.group.clone(), sub.clone())] < SUBGROUP_AT_LEAST {
            continue;
        }
        wanted.group.push(sub);
        let id = fastapi_function_name(named.id, named.path, named.http_method).unwrap_or(named.id);
        wanted.method = fallback_method(id, &wanted.group);
        moved = true;
    }
    moved
}

/// The resource a call of `group` moves to: the one under the group's own word in its
/// path (`issues` in `/repos/{o}/{r}/issues/{n}/comments` gives `comments`), or, when
/// the path does not say the group's word, the one after the `shared` segments all the
/// group's paths start with. None for an action ending the path (`/instances/{id}/reboot`:
/// a call, not a group, unless several methods share the path), and none that would
/// repeat a name the group path has (`instances::instances`).
fn sub_resource(
    path: &str,
    group: &[String],
    shared: usize,
    several_methods: bool,
    resources: &Resources,
) -> Option<String> {
    let segments = resources::static_segments(path);
    let own = group.last()?;
    let at = match segments.iter().position(|s| s == own || singular(s) == singular(own)) {
        Some(at) => at + 1,
        None => shared,
    };
    let sub = segments.get(at)?;
    let is_resource = at + 1 < segments.len() || several_methods || resources.is_resource(&segments[..=at]);
    (is_resource && !group.contains(sub)).then(|| sub.clone())
}

/// Does the operation's success reply have an inline array schema?
fn answers_array(op: &openapiv3::Operation) -> bool {
    use openapiv3::{SchemaKind, StatusCode, Type};
    op.responses
        .responses
        .iter()
        .filter(|(status, _)| matches!(status, StatusCode::Code(200..=299) | StatusCode::Range(2)))
        .filter_map(|(_, reply)| reply.as_item())
        .flat_map(|reply| reply.content.values())
        .filter_map(|media| media.schema.as_ref()?.as_item())
        .any(|schema| matches!(schema.schema_kind, SchemaKind::Type(Type::Array(_))))
}

/// Does the description group the operation (Fern's group name, or a tag)?
fn has_described_group(op: &openapiv3::Operation) -> bool {
    !op.tags.is_empty() || op.extensions.contains_key("x-fern-sdk-group-name")
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

    fn config() -> Config {
        toml::from_str(
            "schema = \"x.yaml\"\n[crate]\nname = \"x\"\nversion = \"0.1.0\"\n[operations]\ninclude = \"all\"",
        )
        .unwrap()
    }

    /// `(id, path, tag)` operations, all GETs, named as `call_names` names them.
    fn names_of(ops: &[(String, String, &str)]) -> Vec<String> {
        let operations: Vec<openapiv3::Operation> = ops
            .iter()
            .map(|(_, _, tag)| openapiv3::Operation {
                tags: vec![(*tag).to_owned()],
                ..Default::default()
            })
            .collect();
        let named: Vec<Named<'_>> = ops
            .iter()
            .zip(&operations)
            .map(|((id, path, _), operation)| Named {
                id,
                path,
                http_method: "get",
                operation,
                upload: false,
                stream: false,
                at: String::new(),
            })
            .collect();
        let names = call_names(&config(), &named, false, &mut Vec::new()).unwrap();
        names
            .iter()
            .map(|n| format!("{}::{}", n.group.join("::"), n.method))
            .collect()
    }

    #[test]
    fn a_tag_with_too_many_calls_is_split_by_the_resources_under_it() {
        let mut ops = vec![("repos/merge".to_owned(), "/repos/{o}/{r}/merges".to_owned(), "repos")];
        for i in 0..12 {
            ops.push((
                format!("repos/get-branch-thing{i}"),
                format!("/repos/{{o}}/{{r}}/branches/{{b}}/thing{i}"),
                "repos",
            ));
        }
        for i in 0..18 {
            ops.push((
                format!("repos/get-hook-part{i}"),
                format!("/repos/{{o}}/{{r}}/hooks/{{h}}/part{i}"),
                "repos",
            ));
        }
        let names = names_of(&ops);
        // A resource of one call stays in the group.
        assert_eq!(names[0], "repos::merge");
        assert_eq!(names[1], "repos::branches::get_thing0");
        assert_eq!(names[13], "repos::hooks::get_part0");
        // One call fewer: small enough to stay whole.
        ops.pop();
        assert_eq!(names_of(&ops)[1], "repos::get_branch_thing0");
    }

    #[test]
    fn a_big_tag_its_paths_do_not_name_is_split_after_what_they_share() {
        let mut ops = Vec::new();
        for (resource, count) in [("agents", 16), ("models", 15)] {
            for i in 0..count {
                ops.push((
                    format!("get_{resource}_{i}"),
                    format!("/v2/gen-ai/{resource}/x{i}"),
                    "Gradient AI",
                ));
            }
        }
        let names = names_of(&ops);
        assert_eq!(names[0], "gradient_ai::agents::get_0");
        assert_eq!(names[16], "gradient_ai::models::get_0");
    }
}
