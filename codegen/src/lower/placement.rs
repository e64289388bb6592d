//! Which `src/models/<module>.rs` each type goes to, decided here so emit only emits:
//! a type only one group of calls uses lives in that group's module (a change to one
//! area of the API shows in that area's file); a type calls of several groups use lives
//! in `shared`; one no call reaches, in `unused`.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Body, Home, Operation, Response, TypeDef, TypeKind, TypeRef};

/// Sets `home` on every type (`types` sorted by name).
pub(super) fn place_types(types: &mut [TypeDef], operations: &[Operation]) {
    let mut groups_of: BTreeMap<String, BTreeSet<&[String]>> = BTreeMap::new();
    let mut by_group: BTreeMap<&[String], Vec<&Operation>> = BTreeMap::new();
    for op in operations {
        by_group.entry(op.group.as_slice()).or_default().push(op);
    }
    for (group, ops) in &by_group {
        for name in reachable(types, ops) {
            groups_of.entry(name).or_default().insert(group);
        }
    }
    for def in types.iter_mut() {
        def.home = match groups_of
            .get(&def.name)
            .map(|g| g.iter().collect::<Vec<_>>())
            .as_deref()
        {
            Some([only]) => Home::Group(only.to_vec()),
            Some([]) | None => Home::Unused,
            Some(_) => Home::Shared,
        };
    }
}

/// Every named type the operations use, directly or inside other types.
fn reachable(types: &[TypeDef], ops: &[&Operation]) -> BTreeSet<String> {
    let mut stack: Vec<&TypeRef> = Vec::new();
    let mut seen = BTreeSet::new();
    for op in ops {
        match &op.body {
            Some(Body::Fields { type_name, .. }) => {
                if seen.insert(type_name.clone())
                    && let Some(def) = find(types, type_name)
                {
                    push_inner(def, &mut stack);
                }
            }
            Some(Body::Whole { ty, .. }) => stack.push(ty),
            Some(Body::Form { fields, .. }) => stack.extend(fields.iter().map(|f| &f.ty)),
            Some(Body::Raw { .. }) | None => {}
        }
        if let Response::Json(ty) | Response::JsonOrEmpty(ty) = &op.response {
            stack.push(ty);
        }
        let params = op.path_params.iter().chain(&op.query_params).chain(&op.header_params);
        stack.extend(params.map(|p| &p.ty));
        stack.extend(op.errors.iter().filter_map(|e| e.body.as_ref()));
    }
    while let Some(ty) = stack.pop() {
        match ty {
            TypeRef::Named(name) if seen.insert(name.clone()) => {
                if let Some(def) = find(types, name) {
                    push_inner(def, &mut stack);
                }
            }
            TypeRef::Array(inner) | TypeRef::Map(inner) => stack.push(inner),
            _ => {}
        }
    }
    seen
}

fn find<'a>(types: &'a [TypeDef], name: &str) -> Option<&'a TypeDef> {
    types
        .binary_search_by(|t| t.name.as_str().cmp(name))
        .ok()
        .map(|i| &types[i])
}

fn push_inner<'a>(def: &'a TypeDef, stack: &mut Vec<&'a TypeRef>) {
    match &def.kind {
        TypeKind::Struct(s) => {
            stack.extend(s.fields.iter().map(|f| &f.ty));
            stack.extend(s.additional.iter().map(|a| &a.ty));
        }
        TypeKind::Union(u) => stack.extend(u.variants.iter().map(|v| &v.ty)),
        TypeKind::StringEnum(_) | TypeKind::IntEnum(_) => {}
    }
}
