//! Which serde traits each type derives. A type's direction decides what it needs for
//! itself (`Usage`); a type holding it may need more: a write-only field of a type both
//! sent and received is decoded too, so its type needs `Deserialize` though only
//! requests reach it. Follows fields the way the emitted serde attributes do.

use crate::ir::{Derives, TypeDef, TypeKind, TypeRef};

/// Sets every type's derives: its own direction's, and what the types holding it need.
pub(super) fn close(types: &mut [TypeDef]) {
    for def in types.iter_mut() {
        def.derives = Derives::of(def.usage);
    }
    let mut pending: Vec<usize> = (0..types.len()).collect();
    while let Some(i) = pending.pop() {
        for (id, needed) in needs(&types[i]) {
            let held = &mut types[id];
            let derives = held.derives.union(needed);
            if derives != held.derives {
                held.derives = derives;
                pending.push(id);
            }
        }
    }
}

/// The types `def` holds, each with the traits `def`'s derives need of it.
fn needs(def: &TypeDef) -> Vec<(usize, Derives)> {
    let own = def.derives;
    let mut needs = Vec::new();
    let mut add =
        |ty: &TypeRef, needed: Derives| needs.extend(super::named_in(ty).into_iter().map(|id| (id.0, needed)));
    match &def.kind {
        TypeKind::Struct(s) => {
            for field in s.fields.iter().filter(|f| f.exists_in(def.usage)) {
                // A `skip_serializing` field's type is never encoded.
                let serialize = own.serialize && !field.never_sent(def.usage);
                add(&field.ty, Derives { serialize, ..own });
            }
            if let Some(additional) = &s.additional {
                add(&additional.ty, own);
            }
        }
        TypeKind::Union(u) => {
            for variant in &u.variants {
                add(&variant.ty, own);
            }
        }
        TypeKind::StringEnum(_) | TypeKind::IntEnum(_) => {}
    }
    needs
}
