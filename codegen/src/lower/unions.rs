//! Untagged unions are decoded by trying each alternative in order, so order decides
//! what a value becomes: narrower alternatives go before wider ones (an integer before
//! a float, a date before a string, an object with required fields before one
//! without), and an alternative that a wider one before it always takes is reported.

use super::Lowerer;
use super::ids::{TypeKind, TypeRef, UnionVariant};
use crate::pointer::Pointer;

/// Which JSON values an alternative takes, as far as ordering needs to know.
#[derive(Clone, Debug, PartialEq)]
enum Takes {
    Bool,
    /// Any integer (an `i64`, or an integer enum, which keeps unknown values).
    Integers,
    /// Any number.
    Numbers,
    /// Only some strings (dates, times).
    FormattedStrings,
    /// Any string (a `String`, or a string enum, which keeps unknown values).
    Strings,
    /// Objects; a struct decodes those holding its required fields (if the rest fit).
    Object {
        required: usize,
    },
    /// Any object (a map of any JSON value).
    Objects,
    Array(Box<Takes>),
    /// Anything (raw JSON, or another union, which has its own fallback).
    Anything,
}

/// A JSON kind: how deep in arrays, then which values (`ANY` for anything).
type Kind = (u8, u8);
const ANY: u8 = u8::MAX;

impl Takes {
    /// The JSON kind of the values taken, and how narrow within it (lower is narrower).
    fn kind_and_width(&self) -> (Kind, isize) {
        match self {
            Takes::Bool => ((0, 0), 0),
            Takes::Integers => ((0, 1), 0),
            Takes::Numbers => ((0, 1), 1),
            Takes::FormattedStrings => ((0, 2), 0),
            Takes::Strings => ((0, 2), 1),
            Takes::Object { required: 0 } => ((0, 3), 1),
            Takes::Object { required } => ((0, 3), -(*required as isize)),
            Takes::Objects => ((0, 3), 2),
            Takes::Array(inner) => {
                let ((depth, base), width) = inner.kind_and_width();
                ((depth.saturating_add(1), base), width)
            }
            Takes::Anything => ((0, ANY), 0),
        }
    }

    /// Must `self` be tried before `other`? When both take values of one kind and
    /// `self` takes fewer of them; anything goes before what takes anything.
    fn goes_before(&self, other: &Takes) -> bool {
        let (kind, width) = self.kind_and_width();
        let (other_kind, other_width) = other.kind_and_width();
        (other_kind == (0, ANY) && kind != (0, ANY)) || (kind == other_kind && width < other_width)
    }

    /// Does every value `other` takes go to `self` first, when `self` is tried before?
    fn covers(&self, other: &Takes) -> bool {
        match (self, other) {
            (Takes::Anything, _) => true,
            (Takes::Numbers, Takes::Integers | Takes::Numbers) => true,
            (Takes::Strings, Takes::Strings | Takes::FormattedStrings) => true,
            (Takes::Objects, Takes::Object { .. } | Takes::Objects) => true,
            (Takes::Array(a), Takes::Array(b)) => a.covers(b),
            (a, b) => a == b && !matches!(a, Takes::Object { .. }),
        }
    }
}

impl Lowerer<'_> {
    /// Orders every untagged union's alternatives, narrower before wider of one kind
    /// (otherwise as described), and warns of alternatives a reply can never reach.
    /// Runs after usage is known.
    pub(super) fn order_unions(&mut self) {
        let unions: Vec<String> = self
            .types
            .iter()
            .filter(|(_, def)| matches!(&def.kind, TypeKind::Union(u) if u.discriminator.is_none()))
            .map(|(name, _)| name.clone())
            .collect();
        for name in unions {
            let Some(TypeKind::Union(union)) = self.types.get(&name).map(|d| &d.kind) else {
                continue;
            };
            // The description's order, except that each alternative moves before the
            // first one that must come after it.
            let mut ranked: Vec<(Takes, UnionVariant)> = Vec::with_capacity(union.variants.len());
            for variant in &union.variants {
                let takes = self.takes(&variant.ty);
                let at = ranked.iter().position(|(other, _)| takes.goes_before(other));
                ranked.insert(at.unwrap_or(ranked.len()), (takes, variant.clone()));
            }
            let origin = self.types.get(&name).map(|d| d.origin.clone()).unwrap_or_default();
            // Only decoding tries alternatives; a type only sent encodes whichever it holds.
            let decoded = self.types.get(&name).is_some_and(|d| d.usage.response);
            for (i, (takes, variant)) in ranked.iter().enumerate().filter(|_| decoded) {
                if let Some((_, wider)) = ranked[..i].iter().find(|(earlier, _)| earlier.covers(takes)) {
                    let message = format!(
                        "alternative `{}` of `{name}` is never chosen: `{}`, tried before it, takes every value it takes",
                        variant.rust_name, wider.rust_name
                    );
                    self.warn(&pointer(&origin), message);
                }
            }
            if let Some(TypeKind::Union(union)) = self.types.get_mut(&name).map(|d| &mut d.kind) {
                union.variants = ranked.into_iter().map(|(_, v)| v).collect();
            }
        }
    }

    fn takes(&self, ty: &TypeRef) -> Takes {
        match ty {
            TypeRef::Bool => Takes::Bool,
            TypeRef::Int(_) => Takes::Integers,
            TypeRef::Float(_) => Takes::Numbers,
            TypeRef::String => Takes::Strings,
            TypeRef::DateTime | TypeRef::Date => Takes::FormattedStrings,
            TypeRef::Json => Takes::Anything,
            TypeRef::Map(value) if **value == TypeRef::Json => Takes::Objects,
            TypeRef::Map(_) => Takes::Object { required: 0 },
            TypeRef::Array(item) => Takes::Array(Box::new(self.takes(item))),
            // Only items and values are nullable: what the item takes decides the array.
            TypeRef::Nullable(inner) => self.takes(inner),
            TypeRef::Named(id) => match self.def(*id).map(|d| &d.kind) {
                Some(TypeKind::StringEnum(_)) => Takes::Strings,
                Some(TypeKind::IntEnum(_)) => Takes::Integers,
                Some(TypeKind::Struct(s)) => Takes::Object {
                    required: s.fields.iter().filter(|f| f.required && f.default.is_none()).count(),
                },
                Some(TypeKind::Union(_)) | None => Takes::Anything,
            },
        }
    }
}

/// A type's origin is a pointer already; warnings take a [`Pointer`].
fn pointer(origin: &str) -> Pointer {
    Pointer::from_ref(origin).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Takes;

    #[test]
    fn wider_alternatives_cover_narrower_ones() {
        assert!(Takes::Numbers.covers(&Takes::Integers));
        assert!(!Takes::Integers.covers(&Takes::Numbers));
        assert!(Takes::Strings.covers(&Takes::FormattedStrings));
        assert!(Takes::Anything.covers(&Takes::Object { required: 2 }));
        assert!(Takes::Objects.covers(&Takes::Object { required: 0 }));
        // Two structs may differ in their fields' types: not reported.
        assert!(!Takes::Object { required: 0 }.covers(&Takes::Object { required: 0 }));
        assert!(Takes::Array(Box::new(Takes::Numbers)).covers(&Takes::Array(Box::new(Takes::Integers))));
    }

    #[test]
    fn narrower_alternatives_of_one_kind_go_first() {
        assert!(Takes::Integers.goes_before(&Takes::Numbers));
        assert!(Takes::FormattedStrings.goes_before(&Takes::Strings));
        assert!(Takes::Object { required: 2 }.goes_before(&Takes::Object { required: 1 }));
        assert!(Takes::Object { required: 1 }.goes_before(&Takes::Object { required: 0 }));
        assert!(Takes::Strings.goes_before(&Takes::Anything));
        // Different kinds never compete: the description's order stays.
        assert!(!Takes::Object { required: 2 }.goes_before(&Takes::Integers));
        assert!(!Takes::Integers.goes_before(&Takes::Object { required: 2 }));
        assert!(Takes::Array(Box::new(Takes::Integers)).goes_before(&Takes::Array(Box::new(Takes::Numbers))));
        assert!(Takes::Array(Box::new(Takes::Anything)).goes_before(&Takes::Anything));
    }
}
