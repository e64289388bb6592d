//! Final type ids. While lowering, an id is handed out when a name is first referred to
//! (a type may be used before it is defined); at the end the types are ordered by name
//! and every reference is rewritten to the type's position, so `Api::types[id.0]` is the
//! type and emit never looks a name up.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::ir::{Api, Body, TypeDef, TypeId, TypeRef};

/// Puts `types` (keyed by name) into `api` in name order and rewrites every reference
/// from the provisional ids (`names[id]` is the name) to positions.
pub(super) fn reindex(mut api: Api, types: BTreeMap<String, TypeDef>, names: &[String]) -> Result<Api> {
    let position: BTreeMap<&str, usize> = types.keys().enumerate().map(|(i, name)| (name.as_str(), i)).collect();
    let mut new_ids = Vec::with_capacity(names.len());
    for name in names {
        // A name referred to but never defined would be a lowering bug; say so, never panic.
        let id = position.get(name.as_str()).ok_or_else(|| Error::Internal {
            message: format!("type `{name}` is referred to but was never defined"),
        })?;
        new_ids.push(TypeId(*id));
    }
    let remap = |ty: &mut TypeRef| {
        if let Some(id) = ty.named_mut() {
            *id = new_ids[id.0];
        }
    };
    api.types = types.into_values().collect();
    for def in &mut api.types {
        def.kind.refs_mut().for_each(remap);
        if let Some(target) = &mut def.alias_of {
            *target = new_ids[target.0];
        }
    }
    api.examples.iter_mut().for_each(|e| remap(&mut e.ty));
    api.webhooks.list.iter_mut().for_each(|w| remap(&mut w.payload));
    for op in &mut api.operations {
        op.params_mut().for_each(|p| remap(&mut p.ty));
        match &mut op.body {
            Some(Body::Fields { type_id, .. }) => *type_id = new_ids[type_id.0],
            Some(Body::Whole { ty, .. }) => remap(ty),
            Some(Body::Form { fields, .. }) => fields.iter_mut().for_each(|f| remap(&mut f.ty)),
            Some(Body::Raw { .. } | Body::Parts { .. }) | None => {}
        }
        if let Some(ty) = op.response.decoded_type_mut() {
            remap(ty);
        }
        op.errors.iter_mut().filter_map(|e| e.body.as_mut()).for_each(remap);
        if let Some(pagination) = &mut op.pagination {
            remap(&mut pagination.item);
        }
    }
    Ok(api)
}
