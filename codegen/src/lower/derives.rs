//! Which serde traits each type derives. A type's direction decides what it needs for
//! itself (`Usage`); a type holding it may need more: a write-only field of a type both
//! sent and received is decoded too, so its type needs `Deserialize` though only
//! requests reach it. Follows fields the way the emitted serde attributes do.

use crate::ir::{Derives, TypeDef};

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
    for (field, ty) in def.kind.refs() {
        let needed = match field {
            Some(field) if !field.exists_in(def.usage) => continue,
            // A `skip_serializing` field's type is never encoded.
            Some(field) => Derives {
                serialize: own.serialize && !field.never_sent(def.usage),
                ..own
            },
            None => own,
        };
        needs.extend(ty.named().map(|id| (id.0, needed)));
    }
    needs
}
