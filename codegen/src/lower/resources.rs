//! Grouping by path resource, for APIs whose tags do not group their calls:
//! `/v1/customers/{customer}/sources/{id}` is in `customers().sources()`, and its method
//! is named by its HTTP method and path shape (`list`, `create`, `get`, `update`,
//! `delete`), or by the action segment that ends the path (`/charges/{id}/capture`:
//! `capture`). Also splits a tag's group that is too big to read by the resources
//! under it (GitHub's `repos` tag: `repos().branches()`).

use std::collections::BTreeSet;

use crate::naming;

/// A path's resources and what a call on it does.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Shape {
    /// The resources, outermost first (module names).
    pub resources: Vec<String>,
    /// The method name its HTTP method and path shape give.
    pub method: String,
}

/// What the whole API's paths say about which segments are resources.
pub(super) struct Resources {
    /// Resource chains (static segments, module names) that are followed by more
    /// segments in some path: a segment ending one path is a resource if listed here.
    inner: BTreeSet<Vec<String>>,
    /// Chains followed by a parameter somewhere: a collection of items.
    collections: BTreeSet<Vec<String>>,
}

impl Resources {
    pub fn of<'p>(paths: impl IntoIterator<Item = &'p str>) -> Resources {
        let mut inner = BTreeSet::new();
        let mut collections = BTreeSet::new();
        for path in paths {
            let segments = segments(path);
            let mut chain = Vec::new();
            for (i, segment) in segments.iter().enumerate() {
                match segment {
                    Segment::Param => {
                        collections.insert(chain.clone());
                    }
                    Segment::Static(name) => {
                        chain.push(name.clone());
                        if i + 1 < segments.len() {
                            inner.insert(chain.clone());
                        }
                    }
                }
            }
        }
        Resources { inner, collections }
    }

    /// Is this chain of static segments a resource: followed by more in some path?
    pub fn is_resource(&self, chain: &[String]) -> bool {
        self.inner.contains(chain) || self.collections.contains(chain)
    }

    /// The resources of `path` and the method name of a `http_method` call on it;
    /// `lists` when the call answers an array (a list though no path has its items).
    pub fn shape(&self, path: &str, http_method: &str, lists: bool) -> Shape {
        let segments = segments(path);
        let mut resources: Vec<String> = Vec::new();
        let mut on_item = false;
        let mut action = None;
        for (i, segment) in segments.iter().enumerate() {
            match segment {
                Segment::Param => on_item = true,
                Segment::Static(name) => {
                    let mut chain = resources.clone();
                    chain.push(name.clone());
                    let last = i + 1 == segments.len();
                    let is_resource =
                        resources.is_empty() || self.inner.contains(&chain) || self.collections.contains(&chain);
                    if last && !is_resource {
                        action = Some(name.clone());
                    } else {
                        resources.push(name.clone());
                        on_item = false;
                    }
                }
            }
        }
        let method = match (action, on_item) {
            (Some(action), _) => action,
            (None, true) => item_method(http_method).to_owned(),
            (None, false) => {
                let collection = lists || self.collections.contains(&resources);
                collection_method(http_method, collection).to_owned()
            }
        };
        Shape { resources, method }
    }
}

/// The method name of a call on one item (`/pets/{id}`).
fn item_method(http_method: &str) -> &str {
    match http_method {
        "get" => "get",
        "put" | "patch" | "post" => "update",
        "delete" => "delete",
        other => other,
    }
}

/// The method name of a call on a collection (`/pets`), or on a resource without items
/// (`/account`: not a collection).
fn collection_method(http_method: &str, collection: bool) -> &str {
    match (http_method, collection) {
        ("get", true) => "list",
        ("get", false) => "get",
        ("post", true) => "create",
        ("post" | "put" | "patch", false) => "update",
        ("put", true) => "replace",
        ("patch", true) => "update_all",
        ("delete", true) => "delete_all",
        ("delete", false) => "delete",
        (other, _) => other,
    }
}

/// The verb a repeated name gets to tell calls on one path apart (`search` by GET and
/// by POST: `get_search`, `create_search`).
pub(super) fn verb(http_method: &str) -> &str {
    match http_method {
        "post" => "create",
        "put" => "replace",
        "patch" => "update",
        other => other,
    }
}

/// The path's static segments as module names (without a version prefix).
pub(super) fn static_segments(path: &str) -> Vec<String> {
    segments(path)
        .into_iter()
        .filter_map(|s| match s {
            Segment::Static(name) => Some(name),
            Segment::Param => None,
        })
        .collect()
}

enum Segment {
    Static(String),
    Param,
}

/// The path's segments as module names, without a leading version or `api` (`/v1`,
/// `/api/v2`, `/2010-04-01`): every call shares them, they group nothing.
fn segments(path: &str) -> Vec<Segment> {
    let mut segments: Vec<Segment> = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        if segments.is_empty() && is_prefix(raw) {
            continue;
        }
        if raw.contains('{') {
            segments.push(Segment::Param);
            continue;
        }
        let name = naming::module_name(raw);
        if naming::is_valid_ident(&name) {
            segments.push(Segment::Static(name));
        }
    }
    segments
}

fn is_prefix(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    let version = lower
        .strip_prefix('v')
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.'));
    let date = !lower.is_empty() && lower.chars().all(|c| c.is_ascii_digit() || c == '-');
    version || date || lower == "api" || lower == "rest"
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRIPE_LIKE: &[&str] = &[
        "/v1/customers",
        "/v1/customers/search",
        "/v1/customers/{customer}",
        "/v1/customers/{customer}/sources",
        "/v1/customers/{customer}/sources/{id}",
        "/v1/customers/{customer}/sources/{id}/verify",
        "/v1/charges/{charge}/capture",
        "/v1/charges/{charge}",
        "/v1/balance",
        "/v1/balance/history",
        "/v1/balance/history/{id}",
        "/v1/invoices/upcoming",
        "/v1/invoices/upcoming/lines",
    ];

    fn shape(path: &str, method: &str) -> (String, String) {
        let shape = Resources::of(STRIPE_LIKE.iter().copied()).shape(path, method, false);
        (shape.resources.join("::"), shape.method)
    }

    fn pair(group: &str, method: &str) -> (String, String) {
        (group.to_owned(), method.to_owned())
    }

    #[test]
    fn collections_list_and_create_items_get_update_and_delete() {
        assert_eq!(shape("/v1/customers", "get"), pair("customers", "list"));
        assert_eq!(shape("/v1/customers", "post"), pair("customers", "create"));
        assert_eq!(shape("/v1/customers/{customer}", "get"), pair("customers", "get"));
        assert_eq!(shape("/v1/customers/{customer}", "post"), pair("customers", "update"));
        assert_eq!(shape("/v1/customers/{customer}", "delete"), pair("customers", "delete"));
    }

    #[test]
    fn nested_resources_are_nested_groups() {
        assert_eq!(
            shape("/v1/customers/{customer}/sources", "get"),
            pair("customers::sources", "list")
        );
        assert_eq!(
            shape("/v1/customers/{customer}/sources/{id}", "delete"),
            pair("customers::sources", "delete")
        );
        assert_eq!(
            shape("/v1/balance/history/{id}", "get"),
            pair("balance::history", "get")
        );
    }

    #[test]
    fn a_last_segment_that_is_no_resource_is_an_action() {
        assert_eq!(
            shape("/v1/charges/{charge}/capture", "post"),
            pair("charges", "capture")
        );
        assert_eq!(shape("/v1/customers/search", "get"), pair("customers", "search"));
        assert_eq!(
            shape("/v1/customers/{customer}/sources/{id}/verify", "post"),
            pair("customers::sources", "verify")
        );
    }

    #[test]
    fn a_resource_without_items_is_got_not_listed() {
        assert_eq!(shape("/v1/balance", "get"), pair("balance", "get"));
        // Followed by more segments elsewhere: a resource, not an action.
        assert_eq!(shape("/v1/invoices/upcoming", "get"), pair("invoices::upcoming", "get"));
        assert_eq!(
            shape("/v1/invoices/upcoming/lines", "get"),
            pair("invoices::upcoming", "lines")
        );
    }

    #[test]
    fn version_and_api_prefixes_group_nothing() {
        let resources = Resources::of(["/api/v2/pets/{id}", "/2010-04-01/Accounts/{sid}"]);
        assert_eq!(
            resources.shape("/api/v2/pets/{id}", "get", false).resources,
            vec!["pets"]
        );
        assert_eq!(
            resources.shape("/2010-04-01/Accounts/{sid}", "get", false).resources,
            vec!["accounts"]
        );
    }

    #[test]
    fn a_resource_answering_an_array_is_listed() {
        let resources = Resources::of(["/things"]);
        assert_eq!(resources.shape("/things", "get", true).method, "list");
        assert_eq!(resources.shape("/things", "get", false).method, "get");
    }
}
