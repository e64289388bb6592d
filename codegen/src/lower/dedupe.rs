//! Types of one shape are emitted once: each repeat becomes `pub type Name = First;`.
//!
//! drf-spectacular repeats bodies per operation (a storage's create and update requests
//! are one shape) and enums per use (the data manager's filter operators, four times);
//! emitting each once keeps the derive volume, and so the generated crate's build time,
//! down, and lets a value of one be passed where the other is wanted. Names stay.
//!
//! The shape is everything that decides the emitted code except docs, so a doc-only
//! change in the description never turns an alias into a new, incompatible type. Types
//! are compared with the aliases found so far resolved, until nothing new is found: two
//! structs whose fields use two equal enums are equal too.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::ir::{Field, Limits, TypeDef, TypeId, TypeKind, TypeRef, Usage};

/// What a type compiles to, without its name and docs.
#[derive(Hash, PartialEq, Eq)]
enum Shape<'a> {
    Struct {
        fields: Vec<FieldShape<'a>>,
        additional: Option<(&'a str, TypeRef)>,
    },
    StringEnum {
        variants: Vec<(&'a str, &'a str)>,
        unknown: &'a str,
    },
    IntEnum {
        variants: Vec<(i64, &'a str)>,
        unknown: &'a str,
    },
    Union {
        variants: Vec<(&'a str, TypeRef, &'a [String], bool)>,
        discriminator: Option<&'a str>,
        fallback: &'a str,
    },
}

#[derive(Hash, PartialEq, Eq)]
struct FieldShape<'a> {
    wire_name: &'a str,
    rust_name: &'a str,
    ty: TypeRef,
    required: bool,
    nullable: bool,
    /// The default as JSON text (`serde_json::Value` has no `Hash`).
    default: Option<String>,
    limits: &'a Limits,
    read_only: bool,
    write_only: bool,
    sensitive: bool,
    boxed: bool,
}

/// For each type (by id), the type it is an alias of, among the aliases found so far.
type Targets = [Option<usize>];

/// `ty` with every alias replaced by its target.
fn resolved(ty: &TypeRef, targets: &Targets) -> TypeRef {
    ty.clone().map_ids(&mut |id: TypeId| targets[id.0].map_or(id, TypeId))
}

impl<'a> Shape<'a> {
    fn of(kind: &'a TypeKind, targets: &Targets) -> Shape<'a> {
        match kind {
            TypeKind::Struct(s) => Shape::Struct {
                fields: s.fields.iter().map(|f| FieldShape::of(f, targets)).collect(),
                additional: s
                    .additional
                    .as_ref()
                    .map(|a| (a.rust_name.as_str(), resolved(&a.ty, targets))),
            },
            TypeKind::StringEnum(e) => Shape::StringEnum {
                variants: e
                    .variants
                    .iter()
                    .map(|v| (v.wire.as_str(), v.rust_name.as_str()))
                    .collect(),
                unknown: &e.unknown_variant,
            },
            TypeKind::IntEnum(e) => Shape::IntEnum {
                variants: e.variants.iter().map(|v| (v.value, v.rust_name.as_str())).collect(),
                unknown: &e.unknown_variant,
            },
            TypeKind::Union(u) => Shape::Union {
                variants: u
                    .variants
                    .iter()
                    .map(|v| {
                        (
                            v.rust_name.as_str(),
                            resolved(&v.ty, targets),
                            v.tags.as_slice(),
                            v.boxed,
                        )
                    })
                    .collect(),
                discriminator: u.discriminator.as_deref(),
                fallback: &u.fallback_variant,
            },
        }
    }
}

impl<'a> FieldShape<'a> {
    fn of(f: &'a Field, targets: &Targets) -> FieldShape<'a> {
        FieldShape {
            wire_name: &f.wire_name,
            rust_name: &f.rust_name,
            ty: resolved(&f.ty, targets),
            required: f.required,
            nullable: f.nullable,
            default: f.default.as_ref().map(|d| d.to_string()),
            limits: &f.limits,
            read_only: f.read_only,
            write_only: f.write_only,
            sensitive: f.sensitive,
            boxed: f.boxed,
        }
    }
}

/// Points each type at the first type (in name order, which is id order) with the same
/// shape and direction, and gives that type the derives of every type pointing at it.
pub(super) fn mark_aliases(types: &mut [TypeDef]) {
    let mut alias_of: Vec<Option<usize>> = vec![None; types.len()];
    while find_more(types, &mut alias_of) {}
    // A type that was first in one round may have become an alias in a later one.
    let last_in_chain = |mut i: usize| {
        while let Some(next) = alias_of[i] {
            i = next;
        }
        i
    };
    let targets: Vec<Option<TypeId>> = (0..types.len())
        .map(|i| alias_of[i].map(|first| TypeId(last_in_chain(first))))
        .collect();
    for (def, alias) in types.iter_mut().zip(&targets) {
        def.alias_of = *alias;
    }
    // One type serves all its names: it derives what any of them needs.
    for (i, alias) in targets.iter().enumerate() {
        if let Some(target) = alias {
            types[target.0].derives = types[target.0].derives.union(types[i].derives);
        }
    }
}

/// One round over the types not yet aliases; `true` if it found a new alias.
fn find_more(types: &[TypeDef], alias_of: &mut [Option<usize>]) -> bool {
    let targets = alias_of.to_vec();
    // Sized up front and probed once per type: hashing shapes is most of this pass.
    let mut first_by_shape: HashMap<(Usage, Shape<'_>), usize> = HashMap::with_capacity(types.len());
    let mut found = false;
    for (i, def) in types.iter().enumerate() {
        if alias_of[i].is_some() {
            continue;
        }
        match first_by_shape.entry((def.usage, Shape::of(&def.kind, &targets))) {
            Entry::Occupied(first) => {
                alias_of[i] = Some(*first.get());
                found = true;
            }
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
        }
    }
    found
}
