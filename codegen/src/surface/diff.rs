//! Two surfaces compared: what was added, removed or changed, and whether code written
//! against the old crate still compiles against the new one ("breaking" if not).

use std::collections::BTreeMap;
use std::fmt;

use super::{Operation, Surface, Type};

/// One difference a caller may notice.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Code written against the old crate may no longer compile.
    pub breaking: bool,
    /// `operation`, `setter`, `reply`, `type`, `field` or `variant`.
    pub subject: &'static str,
    /// `api_projects_list`, `Project.title`, ...
    pub name: String,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Added(String),
    Removed(String),
    Changed { from: String, to: String },
}

/// Every change, breaking ones first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes(pub Vec<Change>);

/// Compares the API a caller had (`old`) with the one they get (`new`).
pub fn diff(old: &Surface, new: &Surface) -> Changes {
    let mut changes = Vec::new();
    each(&old.operations, &new.operations, |name, old, new| {
        operation(&mut changes, name, old, new);
    });
    each(&old.types, &new.types, |name, old_type, new_type| {
        model(&mut changes, name, (old, old_type), (new, new_type))
    });
    changes.sort_by(|a, b| (!a.breaking, a).cmp(&(!b.breaking, b)));
    Changes(changes)
}

/// Calls `f` for every key of either map, with the value on each side.
fn each<'a, V>(
    old: &'a BTreeMap<String, V>,
    new: &'a BTreeMap<String, V>,
    mut f: impl FnMut(&str, Option<&'a V>, Option<&'a V>),
) {
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        f(key, old.get(key), new.get(key));
    }
}

fn push(changes: &mut Vec<Change>, breaking: bool, subject: &'static str, name: String, kind: Kind) {
    changes.push(Change {
        breaking,
        subject,
        name,
        kind,
    });
}

fn operation(changes: &mut Vec<Change>, id: &str, old: Option<&Operation>, new: Option<&Operation>) {
    let (old, new) = match (old, new) {
        (None, Some(new)) => {
            return push(
                changes,
                false,
                "operation",
                id.to_owned(),
                Kind::Added(new.call.clone()),
            );
        }
        (Some(old), None) => {
            return push(
                changes,
                true,
                "operation",
                id.to_owned(),
                Kind::Removed(old.call.clone()),
            );
        }
        (Some(old), Some(new)) => (old, new),
        (None, None) => return,
    };
    let mut changed = |breaking, subject, from: &str, to: &str| {
        if from != to {
            let kind = Kind::Changed {
                from: from.to_owned(),
                to: to.to_owned(),
            };
            push(changes, breaking, subject, id.to_owned(), kind);
        }
    };
    changed(true, "call", &old.call, &new.call);
    // Same Rust call, another path or method on the wire: the caller's code compiles.
    changed(false, "endpoint", &old.endpoint, &new.endpoint);
    changed(true, "reply", &old.reply, &new.reply);
    // A new setter is a new method: nothing a caller wrote stops compiling.
    members(changes, "setter", id, "()", &old.setters, &new.setters, false);
}

fn model(changes: &mut Vec<Change>, name: &str, old: (&Surface, Option<&Type>), new: (&Surface, Option<&Type>)) {
    let ((old_surface, old), (new_surface, new)) = (old, new);
    let (old, new) = match (old, new) {
        (None, Some(new)) => return push(changes, false, "type", name.to_owned(), Kind::Added(shape(new))),
        (Some(old), None) => return push(changes, true, "type", name.to_owned(), Kind::Removed(shape(old))),
        (Some(old), Some(new)) => (old, new),
        (None, None) => return,
    };
    if let (Type::Alias(from), Type::Alias(to)) = (old, new)
        && from == to
    {
        return;
    }
    let kind = Kind::Changed {
        from: shape(old),
        to: shape(new),
    };
    let (old_type, new_type) = (resolved(old_surface, old), resolved(new_surface, new));
    if matches!((old, new), (Type::Alias(_), _) | (_, Type::Alias(_))) && same_kind(old_type, new_type) {
        // A struct or enum became another name for one (or the reverse): literals,
        // patterns and paths through either name compile, if its members did not
        // change; only `use Enum::Variant` cannot go through an alias.
        let imports_break = matches!((old, new), (Type::Enum { .. }, Type::Alias(_)));
        push(changes, imports_break, "type", name.to_owned(), kind);
        compare_members(changes, name, old_type, new_type);
    } else if !compare_members(changes, name, old, new) {
        push(changes, true, "type", name.to_owned(), kind);
    }
}

/// The struct or enum an alias of a model names (`= crate::models::X`), through
/// aliases of aliases; any other type as it is.
fn resolved<'a>(surface: &'a Surface, mut ty: &'a Type) -> &'a Type {
    for _ in 0..surface.types.len() {
        let Type::Alias(to) = ty else { break };
        let Some(next) = to
            .strip_prefix("crate::models::")
            .and_then(|name| surface.types.get(name))
        else {
            break;
        };
        ty = next;
    }
    ty
}

fn same_kind(old: &Type, new: &Type) -> bool {
    matches!(
        (old, new),
        (Type::Struct { .. }, Type::Struct { .. }) | (Type::Enum { .. }, Type::Enum { .. })
    )
}

/// The fields or variants of two structs or two enums compared; `false` for other pairs.
fn compare_members(changes: &mut Vec<Change>, name: &str, old: &Type, new: &Type) -> bool {
    match (old, new) {
        (Type::Struct { fields: from, .. }, Type::Struct { fields: to, sent }) => {
            // A caller builds a sent struct with a literal, which a new field breaks.
            members(changes, "field", name, "", from, to, *sent);
        }
        (
            Type::Enum { variants: from, .. },
            Type::Enum {
                variants: to,
                non_exhaustive,
            },
        ) => {
            // A new variant breaks an exhaustive `match`, unless the enum is non-exhaustive.
            members(changes, "variant", name, "", from, to, !*non_exhaustive);
        }
        _ => return false,
    }
    true
}

/// Fields, variants or setters (named `{owner}.{member}{suffix}`): removed or retyped
/// ones break; added ones break if `added_breaks`.
fn members(
    changes: &mut Vec<Change>,
    subject: &'static str,
    owner: &str,
    suffix: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    added_breaks: bool,
) {
    each(old, new, |member, from, to| {
        let name = format!("{owner}.{member}{suffix}");
        match (from, to) {
            (None, Some(to)) => push(changes, added_breaks, subject, name, Kind::Added(to.clone())),
            (Some(from), None) => push(changes, true, subject, name, Kind::Removed(from.clone())),
            (Some(from), Some(to)) if from != to => {
                let kind = Kind::Changed {
                    from: from.clone(),
                    to: to.clone(),
                };
                push(changes, true, subject, name, kind);
            }
            _ => {}
        }
    });
}

fn shape(ty: &Type) -> String {
    match ty {
        Type::Struct { fields, .. } => format!("struct, {} fields", fields.len()),
        Type::Enum { variants, .. } => format!("enum, {} variants", variants.len()),
        Type::Alias(to) => format!("= {to}"),
    }
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn breaking(&self) -> usize {
        self.0.iter().filter(|c| c.breaking).count()
    }

    /// A Markdown report for a pull request: a summary line, then a table per kind.
    pub fn markdown(&self, title: &str) -> String {
        let mut out = format!("## {title}\n\n");
        if self.is_empty() {
            out.push_str("No change to the generated API.\n");
            return out;
        }
        out.push_str(&format!("{}\n", self.summary()));
        for (breaking, heading) in [(true, "Breaking"), (false, "Not breaking")] {
            let rows: Vec<&Change> = self.0.iter().filter(|c| c.breaking == breaking).collect();
            if rows.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "\n### {heading} ({})\n\n| | what | detail |\n|---|---|---|\n",
                rows.len()
            ));
            for change in rows {
                let (verb, detail) = change.kind.parts();
                let detail = detail.replace('|', "\\|");
                out.push_str(&format!(
                    "| {verb} | {} `{}` | {detail} |\n",
                    change.subject, change.name
                ));
            }
        }
        out
    }

    /// `N changes (M breaking): a added, r removed, c changed`.
    pub fn summary(&self) -> String {
        let count = |f: fn(&Kind) -> bool| self.0.iter().filter(|c| f(&c.kind)).count();
        format!(
            "{} changes to the generated API ({} breaking): {} added, {} removed, {} changed.",
            self.0.len(),
            self.breaking(),
            count(|k| matches!(k, Kind::Added(_))),
            count(|k| matches!(k, Kind::Removed(_))),
            count(|k| matches!(k, Kind::Changed { .. })),
        )
    }
}

impl Kind {
    fn verb(&self) -> &'static str {
        match self {
            Kind::Added(_) => "added",
            Kind::Removed(_) => "removed",
            Kind::Changed { .. } => "changed",
        }
    }

    fn parts(&self) -> (&'static str, String) {
        match self {
            Kind::Added(what) | Kind::Removed(what) if what.is_empty() => (self.verb(), "no argument".to_owned()),
            Kind::Added(what) => ("added", format!("`{what}`")),
            Kind::Removed(what) => ("removed", format!("`{what}`")),
            Kind::Changed { from, to } => ("changed", format!("`{from}` → `{to}`")),
        }
    }
}

/// One line per change, for a terminal.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (verb, detail) = self.kind.parts();
        let mark = if self.breaking { "breaking" } else { "compatible" };
        write!(f, "{mark:<10} {verb} {} `{}`: {detail}", self.subject, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn with_type(name: &str, ty: Type) -> Surface {
        let mut surface = Surface::default();
        surface.types.insert(name.to_owned(), ty);
        surface
    }

    fn only(changes: Changes) -> Change {
        assert_eq!(changes.0.len(), 1, "{changes:#?}");
        changes.0.into_iter().next().unwrap()
    }

    #[test]
    fn a_new_field_breaks_only_structs_callers_build() {
        for sent in [true, false] {
            let old = with_type(
                "T",
                Type::Struct {
                    fields: fields(&[("a", "i64")]),
                    sent,
                },
            );
            let new = with_type(
                "T",
                Type::Struct {
                    fields: fields(&[("a", "i64"), ("b", "Option<String>")]),
                    sent,
                },
            );
            let change = only(diff(&old, &new));
            assert_eq!(change.breaking, sent);
            assert_eq!((change.subject, change.name.as_str()), ("field", "T.b"));
        }
    }

    #[test]
    fn a_new_variant_breaks_only_exhaustive_enums() {
        for non_exhaustive in [true, false] {
            let old = with_type(
                "E",
                Type::Enum {
                    variants: fields(&[("A", "")]),
                    non_exhaustive,
                },
            );
            let new = with_type(
                "E",
                Type::Enum {
                    variants: fields(&[("A", ""), ("B", "")]),
                    non_exhaustive,
                },
            );
            assert_eq!(only(diff(&old, &new)).breaking, !non_exhaustive);
        }
    }

    #[test]
    fn removals_and_retyping_break_additions_do_not() {
        let op = |setters: &[(&str, &str)], reply: &str| Operation {
            call: "client.x().get(id: i64)".to_owned(),
            endpoint: "GET /x/{id}".to_owned(),
            setters: fields(setters),
            reply: reply.to_owned(),
        };
        let mut old = Surface::default();
        old.operations
            .insert("x_get".into(), op(&[("page", "i64"), ("q", "impl Into<String>")], "X"));
        old.operations.insert("x_gone".into(), op(&[], "X"));
        let mut new = Surface::default();
        new.operations
            .insert("x_get".into(), op(&[("page", "i32"), ("tag", "bool")], "Y"));
        new.operations.insert("x_new".into(), op(&[], "X"));
        let changes = diff(&old, &new);
        let seen: Vec<(bool, &str, &str)> = changes
            .0
            .iter()
            .map(|c| (c.breaking, c.subject, c.name.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (true, "operation", "x_gone"),
                (true, "reply", "x_get"),
                (true, "setter", "x_get.page()"),
                (true, "setter", "x_get.q()"),
                (false, "operation", "x_new"),
                (false, "setter", "x_get.tag()"),
            ]
        );
        assert_eq!(changes.breaking(), 4);
    }

    #[test]
    fn a_struct_becoming_another_name_for_its_shape_breaks_nothing_an_enum_breaks_imports() {
        let shapes = [
            Type::Struct {
                fields: fields(&[("a", "i64")]),
                sent: true,
            },
            Type::Enum {
                variants: fields(&[("A", "")]),
                non_exhaustive: true,
            },
        ];
        for shape in shapes {
            let old = with_type("T", shape.clone());
            let mut new = with_type("T", Type::Alias("crate::models::U".into()));
            new.types.insert("U".into(), shape.clone());
            let renamed: Vec<Change> = diff(&old, &new).0.into_iter().filter(|c| c.name == "T").collect();
            let [change] = renamed.as_slice() else {
                panic!("{renamed:#?}")
            };
            assert_eq!(change.breaking, matches!(shape, Type::Enum { .. }), "{change:?}");
            // Back again: the alias's callers wrote nothing an alias-free name refuses.
            let back: Vec<Change> = diff(&new, &old).0.into_iter().filter(|c| c.name == "T").collect();
            assert!(back.iter().all(|c| !c.breaking), "{back:#?}");
        }
    }

    #[test]
    fn an_alias_of_another_shape_or_with_other_members_breaks() {
        let struct_of = |field: &str| Type::Struct {
            fields: fields(&[(field, "i64")]),
            sent: false,
        };
        let old = with_type("T", struct_of("a"));
        let mut new = with_type("T", Type::Alias("crate::models::U".into()));
        new.types.insert("U".into(), struct_of("b"));
        let changes = diff(&old, &new);
        assert!(changes.0.iter().any(|c| c.breaking && c.name == "T.a"), "{changes:#?}");
        let mut to_enum = with_type("T", Type::Alias("crate::models::U".into()));
        to_enum.types.insert(
            "U".into(),
            Type::Enum {
                variants: fields(&[]),
                non_exhaustive: true,
            },
        );
        let changes = diff(&old, &to_enum);
        assert!(changes.0.iter().any(|c| c.breaking && c.name == "T"), "{changes:#?}");
    }

    #[test]
    fn the_same_surface_has_no_changes() {
        let surface = with_type("T", Type::Alias("Vec<i64>".into()));
        assert!(diff(&surface, &surface).is_empty());
        assert!(diff(&surface, &surface).markdown("t").contains("No change"));
    }
}
