//! Types that hold themselves by value get a `Box` where the cycle closes.

use std::collections::{BTreeMap, BTreeSet};

use super::Lowerer;
use super::ids::{ProvisionalId, TypeDef, TypeKind, TypeRef};

impl Lowerer<'_> {
    /// Types that contain themselves by value (directly or through others, `Option`
    /// included) would have infinite size: box each by-value link that closes a cycle.
    /// `Vec` and maps already hold their items on the heap.
    pub(super) fn box_cycles(&mut self) {
        let name = |id: ProvisionalId| self.type_ids[id.0].clone();
        let by_value = |def: &TypeDef| -> Vec<String> {
            match &def.kind {
                TypeKind::Struct(s) => s.fields.iter().filter_map(|f| direct_id(&f.ty)).map(name).collect(),
                TypeKind::Union(u) => u.variants.iter().filter_map(|v| direct_id(&v.ty)).map(name).collect(),
                _ => Vec::new(),
            }
        };
        let edges: BTreeMap<String, Vec<String>> = self
            .types
            .values()
            .map(|def| (def.name.clone(), by_value(def)))
            .collect();
        let reaches = |from: &str, to: &str| -> bool {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.to_owned()];
            while let Some(name) = stack.pop() {
                if name == to {
                    return true;
                }
                if seen.insert(name.clone()) {
                    stack.extend(edges.get(&name).into_iter().flatten().cloned());
                }
            }
            false
        };
        let mut boxes: Vec<(String, String)> = Vec::new();
        for (owner, targets) in &edges {
            for target in targets {
                if reaches(target, owner) {
                    boxes.push((owner.clone(), target.clone()));
                }
            }
        }
        for (owner, target) in boxes {
            let target = self.id_by_name.get(&target).copied();
            let Some(def) = self.types.get_mut(&owner) else {
                continue;
            };
            match &mut def.kind {
                TypeKind::Struct(s) => {
                    for f in s.fields.iter_mut().filter(|f| direct_id(&f.ty) == target) {
                        f.boxed = true;
                    }
                }
                TypeKind::Union(u) => {
                    for v in u.variants.iter_mut().filter(|v| direct_id(&v.ty) == target) {
                        v.boxed = true;
                    }
                }
                _ => {}
            }
        }
    }
}

/// The named type held by value (not behind a `Vec` or map), if any.
fn direct_id(ty: &TypeRef) -> Option<ProvisionalId> {
    match ty {
        TypeRef::Named(id) => Some(*id),
        _ => None,
    }
}
