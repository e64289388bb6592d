//! A shape several types share gets a name that favours none of them.
//!
//! [`dedupe`](super::dedupe) emits one type per shape and makes the other names aliases
//! of the first, so a storage's update body would be `ImportStorageS3CreateRequest` in
//! docs and `Debug`. Here the words the names share, leading and trailing, name the one
//! type instead (`ImportStorageS3` + `Request`), and every old name is an alias of it;
//! when one of the names already is those words (`ProjectRequest` beside
//! `PatchedProjectRequest`), that name is the type. A set whose common words say too
//! little (fewer than two, or under half of its shortest name), or name a type that
//! exists, keeps its first name. Only structs: see [`sets`].

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::error::Result;
use crate::ir::{Api, TypeDef, TypeId, TypeKind};
use crate::naming::{self, Scope};

/// Renames each shared shape as above; `taken` holds every type name lowering handed
/// out, and gets the new ones.
pub(super) fn name_shared_shapes(mut api: Api, taken: &mut Scope) -> Result<Api> {
    let mut added: Vec<TypeDef> = Vec::new();
    for (target, members, neutral) in named_sets(&api.types) {
        if let Some(&member) = members.iter().find(|id| api.types[id.0].name == neutral) {
            point_at(&mut api.types, &members, member, target);
        } else if !taken.contains(&neutral) && !naming::is_prelude(&neutral) && naming::is_valid_ident(&neutral) {
            taken.reserve(&neutral);
            let id = TypeId(api.types.len() + added.len());
            added.push(shared_type(&api.types, &members, target, neutral));
            for member in &members {
                api.types[member.0].alias_of = Some(id);
            }
        }
    }
    if added.is_empty() {
        return Ok(api);
    }
    // Ids are positions in name order: put the new types in their places.
    let mut names: Vec<String> = api.types.iter().map(|d| d.name.clone()).collect();
    names.extend(added.iter().map(|d| d.name.clone()));
    let types: BTreeMap<String, TypeDef> = std::mem::take(&mut api.types)
        .into_iter()
        .chain(added)
        .map(|d| (d.name.clone(), d))
        .collect();
    super::ids::reindex(api, types, &names)
}

/// Each set of one shape whose names have common words, with those words; when two
/// sets have the same, neither takes them (which one should is anyone's guess).
fn named_sets(types: &[TypeDef]) -> Vec<(TypeId, Vec<TypeId>, String)> {
    let mut named = Vec::new();
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for (target, members) in sets(types) {
        let names: Vec<&str> = members.iter().map(|id| types[id.0].name.as_str()).collect();
        if let Some(neutral) = common_words(&names) {
            *count.entry(neutral.clone()).or_default() += 1;
            named.push((target, members, neutral));
        }
    }
    named.retain(|(_, _, neutral)| count[neutral] == 1);
    named
}

/// Each struct other types are aliases of, with all the names of its shape (itself
/// first). Enums keep their names: `use Enum::Variant` cannot go through an alias, so
/// turning one into an alias would break its callers' imports.
fn sets(types: &[TypeDef]) -> BTreeMap<TypeId, Vec<TypeId>> {
    let mut sets: BTreeMap<TypeId, Vec<TypeId>> = BTreeMap::new();
    for (i, def) in types.iter().enumerate() {
        if let Some(target) = def.alias_of
            && matches!(types[target.0].kind, TypeKind::Struct(_))
        {
            sets.entry(target).or_insert_with(|| vec![target]).push(TypeId(i));
        }
    }
    sets
}

/// Makes `member` the type and the rest of `members` its aliases.
fn point_at(types: &mut [TypeDef], members: &[TypeId], member: TypeId, target: TypeId) {
    // The first type holds what every name of the shape derives.
    types[member.0].derives = types[target.0].derives;
    for id in members {
        types[id.0].alias_of = (*id != member).then_some(member);
    }
}

/// The new type: the shape of `target` (the same as every member's), docs naming its aliases.
fn shared_type(types: &[TypeDef], members: &[TypeId], target: TypeId, name: String) -> TypeDef {
    let first = &types[target.0];
    let docs = members.iter().map(|id| types[id.0].docs.as_deref());
    let common_docs = docs
        .clone()
        .all(|d| d == first.docs.as_deref())
        .then_some(first.docs.as_deref())
        .flatten();
    let links: Vec<String> = members.iter().map(|id| format!("[`{}`]", types[id.0].name)).collect();
    let note = format!(
        "The one shape the description gives {}, which are other names for it.",
        listed(&links)
    );
    TypeDef {
        name,
        docs: Some(common_docs.map_or(note.clone(), |d| format!("{d}\n\n{note}"))),
        alias_of: None,
        ..first.clone()
    }
}

/// `a`, `a and b`, `a, b and c`.
fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The words every name starts with and those every name ends with, as one type name;
/// `None` when they are fewer than two or than half the shortest name's words.
fn common_words(names: &[&str]) -> Option<String> {
    let split: Vec<Vec<String>> = names.iter().map(|n| words(n)).collect::<Option<_>>()?;
    let shortest = split.iter().map(Vec::len).min()?;
    let lead = (0..shortest)
        .take_while(|&i| split.iter().all(|w| w[i] == split[0][i]))
        .count();
    let trail = (0..shortest - lead)
        .take_while(|&i| {
            split
                .iter()
                .all(|w| w[w.len() - 1 - i] == split[0][split[0].len() - 1 - i])
        })
        .count();
    let kept = lead + trail;
    if kept < 2 || kept * 2 < shortest {
        return None;
    }
    let first = &split[0];
    let chosen: Vec<&str> = first[..lead]
        .iter()
        .chain(&first[first.len() - trail..])
        .map(String::as_str)
        .collect();
    Some(chosen.join("_").to_upper_camel_case())
}

/// A type name's words (`ImportStorageS3Request` → import, storage, s3, request), or
/// `None` when joining them again would not give the name back.
fn words(name: &str) -> Option<Vec<String>> {
    let words: Vec<String> = name.to_snake_case().split('_').map(str::to_owned).collect();
    (words.join("_").to_upper_camel_case() == name).then_some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_leading_and_trailing_words_name_the_shape() {
        let cases: [(&[&str], Option<&str>); 6] = [
            (
                &["ImportStorageS3CreateRequest", "ImportStorageS3UpdateRequest"],
                Some("ImportStorageS3Request"),
            ),
            (
                &[
                    "ExportStorageListTypesResponseItem",
                    "ImportStorageListTypesResponseItem",
                ],
                Some("StorageListTypesResponseItem"),
            ),
            (&["PatchedProjectRequest", "ProjectRequest"], Some("ProjectRequest")),
            // One word says nothing of the shape.
            (&["LsapiTokenBlacklistRequest", "TokenRefreshRequest"], None),
            // Two of five words: too little of the names kept.
            (
                &[
                    "ActionsCreateRequestFiltersConjunction",
                    "ViewsUpdateRequestDataFiltersConjunction",
                ],
                None,
            ),
            // Leading and trailing words never overlap.
            (&["FooBar", "FooBarBar"], Some("FooBar")),
        ];
        for (names, expected) in cases {
            assert_eq!(common_words(names).as_deref(), expected, "{names:?}");
        }
    }

    /// Types named `names`, each an alias of the one at `alias_of[i]` (when set).
    fn types(names: &[(&str, Option<usize>)]) -> Vec<TypeDef> {
        names
            .iter()
            .map(|(name, alias_of)| TypeDef {
                name: (*name).to_owned(),
                origin: String::new(),
                docs: None,
                usage: Default::default(),
                derives: Default::default(),
                kind: TypeKind::Struct(crate::ir::Struct {
                    fields: Vec::new(),
                    additional: None,
                }),
                alias_of: alias_of.map(TypeId),
                home: crate::ir::Home::Unused,
                part: 0,
                features: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn two_sets_with_the_same_common_words_both_keep_their_first_names() {
        let ambiguous = types(&[
            ("NotesCountRequest", None),
            ("NotesCreateRequest", None),
            ("NotesSearchRequest", Some(0)),
            ("NotesUpdateRequest", Some(1)),
        ]);
        assert!(named_sets(&ambiguous).is_empty());
        let alone = types(&[("NotesCreateRequest", None), ("NotesUpdateRequest", Some(0))]);
        let named: Vec<String> = named_sets(&alone).into_iter().map(|(_, _, name)| name).collect();
        assert_eq!(named, ["NotesRequest"]);
    }

    #[test]
    fn enums_keep_their_names() {
        let mut enums = types(&[
            ("MlCreateRequestAuthMethod", None),
            ("MlUpdateRequestAuthMethod", Some(0)),
        ]);
        assert_eq!(named_sets(&enums).len(), 1);
        for def in &mut enums {
            def.kind = TypeKind::StringEnum(crate::ir::StringEnum {
                variants: Vec::new(),
                unknown_variant: "Unknown".to_owned(),
            });
        }
        assert!(named_sets(&enums).is_empty());
    }

    #[test]
    fn names_that_do_not_split_back_have_no_common_words() {
        assert_eq!(words("HTTPRequest"), None);
        assert_eq!(common_words(&["HTTPCreateRequest", "HTTPUpdateRequest"]), None);
    }
}
