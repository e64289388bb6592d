//! Which `src/models/<module>.rs` each type goes to, decided here so emit only emits:
//! a type only one group of calls uses lives in that group's module (a change to one
//! area of the API shows in that area's file); a type calls of several groups use lives
//! in `shared`; one no call reaches, in `unused`.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Body, Home, Operation, TYPES_PER_FILE, TypeDef, TypeId, TypeKind, TypeRef, Webhooks};

/// Sets `home` on every type (`types[id.0]` is the type `id` names). A group uses the
/// types its calls reach, alias targets included. The webhooks' module counts as a
/// group: types only payloads use live in its models module.
pub(super) fn place_types(types: &mut [TypeDef], operations: &[Operation], webhooks: &Webhooks) {
    let mut groups_of: BTreeMap<TypeId, BTreeSet<&[String]>> = BTreeMap::new();
    let mut by_group: BTreeMap<&[String], Vec<&Operation>> = BTreeMap::new();
    for op in operations {
        by_group.entry(op.group.as_slice()).or_default().push(op);
    }
    for (group, ops) in &by_group {
        let bodies: Vec<TypeId> = ops.iter().filter_map(|op| body_type(op)).collect();
        let roots = ops.iter().flat_map(|op| roots(op)).collect();
        for id in with_alias_targets(types, reachable(types, &bodies, roots)) {
            groups_of.entry(id).or_default().insert(group);
        }
    }
    let webhooks_group = [webhooks.module.clone()];
    let payloads = reachable(types, &[], webhooks.list.iter().map(|w| &w.payload).collect());
    for id in with_alias_targets(types, payloads) {
        groups_of.entry(id).or_default().insert(&webhooks_group);
    }
    for (i, def) in types.iter_mut().enumerate() {
        let groups: Vec<&&[String]> = groups_of.get(&TypeId(i)).into_iter().flatten().collect();
        def.home = match groups.as_slice() {
            [] => Home::Unused,
            [only] => Home::Group(only.to_vec()),
            _ => Home::Shared,
        };
    }
    split_big_modules(types);
}

/// With group features: sets `features` on every type, the top-level groups whose calls
/// reach it (through fields, alternatives and alias targets). Types webhooks reach, or
/// no call reaches, stay ungated.
pub(super) fn gate_types(types: &mut [TypeDef], operations: &[Operation], webhooks: &Webhooks) {
    let mut features: BTreeMap<TypeId, BTreeSet<&str>> = BTreeMap::new();
    let mut by_feature: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in operations {
        by_feature.entry(op.group[0].as_str()).or_default().push(op);
    }
    for (feature, ops) in &by_feature {
        let bodies: Vec<TypeId> = ops.iter().filter_map(|op| body_type(op)).collect();
        let roots = ops.iter().flat_map(|op| roots(op)).collect();
        for id in with_alias_targets(types, reachable(types, &bodies, roots)) {
            features.entry(id).or_default().insert(feature);
        }
    }
    let always = with_alias_targets(
        types,
        reachable(types, &[], webhooks.list.iter().map(|w| &w.payload).collect()),
    );
    for (id, needed_by) in features {
        if !always.contains(&id) {
            types[id.0].features = needed_by.into_iter().map(str::to_owned).collect();
        }
    }
}

/// `ids` and the types they are aliases of, and what those reach in turn.
fn with_alias_targets(types: &[TypeDef], mut ids: BTreeSet<TypeId>) -> BTreeSet<TypeId> {
    loop {
        let targets: Vec<TypeId> = ids
            .iter()
            .filter_map(|id| types[id.0].alias_of)
            .filter(|target| !ids.contains(target))
            .collect();
        if targets.is_empty() {
            return ids;
        }
        ids.extend(reachable(types, &targets, Vec::new()));
    }
}

fn body_type(op: &Operation) -> Option<TypeId> {
    match &op.body {
        Some(Body::Fields { type_id, .. }) => Some(*type_id),
        _ => None,
    }
}

/// The most lines (estimated) one models file holds: a file several times longer is
/// slow to review and to open.
const LINES_PER_FILE: usize = 2_500;

/// A module with more than [`TYPES_PER_FILE`] types, or more than [`LINES_PER_FILE`]
/// estimated lines, is split into files of about equal length, in name order (so a new
/// type moves few others).
fn split_big_modules(types: &mut [TypeDef]) {
    let mut sizes: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for def in types.iter() {
        let (count, lines) = sizes.entry(def.home.module()).or_default();
        *count += 1;
        *lines += estimated_lines(def);
    }
    let mut before: BTreeMap<String, usize> = BTreeMap::new();
    for def in types.iter_mut() {
        let module = def.home.module();
        let (count, lines) = sizes[&module];
        let parts = count.div_ceil(TYPES_PER_FILE).max(lines.div_ceil(LINES_PER_FILE));
        let seen = before.entry(module).or_default();
        def.part = (*seen * parts / lines).min(parts - 1);
        *seen += estimated_lines(def);
    }
}

/// About how many lines a type's code takes: its docs, and a few per field or variant
/// (an enum's variants appear again in its impls).
fn estimated_lines(def: &TypeDef) -> usize {
    let docs = |d: &Option<String>| d.as_deref().map_or(0, |d| d.lines().count() + 1);
    let own = match (&def.kind, def.alias_of) {
        (_, Some(_)) => 4,
        (TypeKind::Struct(s), None) => 14 + s.fields.iter().map(|f| 4 + docs(&f.docs)).sum::<usize>(),
        (TypeKind::StringEnum(e), None) => 40 + e.variants.iter().map(|v| 5 + docs(&v.docs)).sum::<usize>(),
        (TypeKind::IntEnum(e), None) => 40 + 5 * e.variants.len(),
        (TypeKind::Union(u), None) => 30 + u.variants.iter().map(|v| 8 + docs(&v.docs)).sum::<usize>(),
    };
    4 + docs(&def.docs) + own
}

/// The types an operation names itself.
fn roots(op: &Operation) -> Vec<&TypeRef> {
    let mut roots = Vec::new();
    match &op.body {
        Some(Body::Whole { ty, .. }) => roots.push(ty),
        Some(Body::Form { fields, .. }) => roots.extend(fields.iter().map(|f| &f.ty)),
        Some(Body::Fields { .. } | Body::Raw { .. } | Body::Parts { .. }) | None => {}
    }
    roots.extend(op.response.decoded_type());
    roots.extend(op.params().map(|p| &p.ty));
    roots.extend(op.errors.iter().filter_map(|e| e.body.as_ref()));
    roots
}

/// Every named type reachable from `ids` and `roots`, directly or inside other types.
fn reachable<'a>(types: &'a [TypeDef], ids: &[TypeId], roots: Vec<&'a TypeRef>) -> BTreeSet<TypeId> {
    let mut stack = roots;
    let mut seen = BTreeSet::new();
    for id in ids {
        if seen.insert(*id) {
            push_inner(&types[id.0], &mut stack);
        }
    }
    while let Some(ty) = stack.pop() {
        if let Some(id) = ty.named()
            && seen.insert(id)
        {
            push_inner(&types[id.0], &mut stack);
        }
    }
    seen
}

fn push_inner<'a>(def: &'a TypeDef, stack: &mut Vec<&'a TypeRef>) {
    stack.extend(def.kind.refs().map(|(_, ty)| ty));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Derives, StringEnum, TypeKind, Usage};

    fn shared(name: &str) -> TypeDef {
        TypeDef {
            name: name.to_owned(),
            origin: String::new(),
            docs: None,
            usage: Usage::default(),
            derives: Derives::default(),
            kind: TypeKind::StringEnum(StringEnum {
                variants: Vec::new(),
                unknown_variant: "Unknown".to_owned(),
            }),
            alias_of: None,
            home: Home::Shared,
            part: 0,
            features: Vec::new(),
        }
    }

    #[test]
    fn a_big_module_is_split_into_files_of_equal_size_in_name_order() {
        let mut types: Vec<TypeDef> = (0..170).map(|i| shared(&format!("T{i:03}"))).collect();
        split_big_modules(&mut types);
        let modules: Vec<String> = types.iter().map(TypeDef::module).collect();
        assert_eq!(modules.iter().filter(|m| *m == "shared").count(), 57);
        assert_eq!(modules.iter().filter(|m| *m == "shared_2").count(), 57);
        assert_eq!(modules.iter().filter(|m| *m == "shared_3").count(), 56);
        assert_eq!((modules[0].as_str(), modules[169].as_str()), ("shared", "shared_3"));
        let mut small: Vec<TypeDef> = (0..50).map(|i| shared(&format!("T{i}"))).collect();
        split_big_modules(&mut small);
        assert!(small.iter().all(|t| t.module() == "shared"));
    }

    #[test]
    fn a_module_of_few_long_types_is_split_by_length() {
        let mut long: Vec<TypeDef> = (0..10)
            .map(|i| TypeDef {
                docs: Some("a line\n".repeat(300)),
                ..shared(&format!("T{i}"))
            })
            .collect();
        split_big_modules(&mut long);
        let modules: Vec<String> = long.iter().map(TypeDef::module).collect();
        assert_eq!(modules[..5], ["shared"; 5]);
        assert_eq!(modules[5..], ["shared_2"; 5]);
    }
}
