//! Type ids. While lowering, a [`ProvisionalId`] is handed out when a name is first
//! referred to (a type may be used before it is defined), and the IR is built with
//! them (the aliases below). At the end the types are ordered by name and the whole
//! IR is mapped to final [`TypeId`]s, positions in that order, so `Api::types[id.0]`
//! is the type and emit never looks a name up. The two are distinct types: an IR
//! value the final walk (`ir/fold.rs`) forgot would not compile.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::ir::{self, TypeId};

/// A type referred to while lowering: `Lowerer::type_ids[id.0]` is its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ProvisionalId(pub(super) usize);

/// The IR as lowering builds it, with provisional ids.
pub(super) type Api = ir::Api<ProvisionalId>;
pub(super) type Body = ir::Body<ProvisionalId>;
pub(super) type ErrorReply = ir::ErrorReply<ProvisionalId>;
pub(super) type Example = ir::Example<ProvisionalId>;
pub(super) type Field = ir::Field<ProvisionalId>;
pub(super) type FormField = ir::FormField<ProvisionalId>;
pub(super) type Operation = ir::Operation<ProvisionalId>;
pub(super) type Pagination = ir::Pagination<ProvisionalId>;
pub(super) type Param = ir::Param<ProvisionalId>;
pub(super) type Response = ir::Response<ProvisionalId>;
pub(super) type Struct = ir::Struct<ProvisionalId>;
pub(super) type TypeDef = ir::TypeDef<ProvisionalId>;
pub(super) type TypeKind = ir::TypeKind<ProvisionalId>;
pub(super) type TypeRef = ir::TypeRef<ProvisionalId>;
pub(super) type Union = ir::Union<ProvisionalId>;
pub(super) type UnionVariant = ir::UnionVariant<ProvisionalId>;
pub(super) type Additional = ir::Additional<ProvisionalId>;
pub(super) type Webhook = ir::Webhook<ProvisionalId>;
pub(super) type Webhooks = ir::Webhooks<ProvisionalId>;

/// An id whose index names its type in a list of names.
pub(super) trait Index: Copy {
    fn index(self) -> usize;
}

impl Index for ProvisionalId {
    fn index(self) -> usize {
        self.0
    }
}

impl Index for TypeId {
    fn index(self) -> usize {
        self.0
    }
}

/// Puts `types` (keyed by name) into `api` in name order and maps every id (`names[id]`
/// is its name) to its type's position. Also run final to final when types are added.
pub(super) fn reindex<I: Index>(
    api: ir::Api<I>,
    types: BTreeMap<String, ir::TypeDef<I>>,
    names: &[String],
) -> Result<ir::Api> {
    let position: BTreeMap<&str, usize> = types.keys().enumerate().map(|(i, name)| (name.as_str(), i)).collect();
    let mut new_ids = Vec::with_capacity(names.len());
    for name in names {
        // A name referred to but never defined would be a lowering bug; say so, never panic.
        let id = position.get(name.as_str()).ok_or_else(|| Error::Internal {
            message: format!("type `{name}` is referred to but was never defined"),
        })?;
        new_ids.push(TypeId(*id));
    }
    let mut remap = |id: I| new_ids[id.index()];
    let mut api = api.map_ids(&mut remap);
    api.types = types.into_values().map(|def| def.map_ids(&mut remap)).collect();
    Ok(api)
}
