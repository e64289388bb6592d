//! How each field is held and travels, decided once every type's direction is known
//! and aliases are found: emit spells a field from its [`FieldState`] alone.

use serde_json::Value;

use crate::ir::{DefaultFill, Field, FieldState, Sending, TypeDef, TypeKind, TypeRef, Usage};
use crate::naming::Scope;

/// Sets every field's state; a default's function gets a name unique in the crate.
/// An alias's fields are its target's, so they take the target's states.
pub(super) fn settle(types: &mut [TypeDef]) {
    let mut default_fns = Scope::new();
    for def in types.iter_mut().filter(|d| d.alias_of.is_none()) {
        let (usage, type_name) = (def.usage, heck::ToSnakeCase::to_snake_case(def.name.as_str()));
        if let TypeKind::Struct(shape) = &mut def.kind {
            for field in &mut shape.fields {
                let fn_name = format!("default_{type_name}_{}", field.rust_name.trim_end_matches('_'));
                field.state = state_of(field, usage, || default_fns.claim(&fn_name));
            }
        }
    }
    for i in 0..types.len() {
        let Some(target) = types[i].alias_of else { continue };
        let TypeKind::Struct(target) = &types[target.0].kind else {
            continue;
        };
        let states: Vec<FieldState> = target.fields.iter().map(|f| f.state.clone()).collect();
        if let TypeKind::Struct(shape) = &mut types[i].kind {
            for (field, state) in shape.fields.iter_mut().zip(states) {
                field.state = state;
            }
        }
    }
}

fn state_of(field: &Field, usage: Usage, claim_fn: impl FnOnce() -> String) -> FieldState {
    if !field.exists_in(usage) {
        return FieldState::Absent;
    }
    let writes = usage.request;
    if field.required && !field.nullable && !field.never_sent(usage) {
        return match &field.default {
            None => FieldState::Required,
            Some(value) if is_type_default(&field.ty, value) => FieldState::Defaulted(DefaultFill::TypeDefault),
            Some(_) => FieldState::Defaulted(DefaultFill::Function(claim_fn())),
        };
    }
    let sending = if field.never_sent(usage) {
        Sending::Never
    } else if writes && field.required {
        // A required nullable field is sent as `null`, never left out.
        Sending::Always
    } else {
        Sending::WhenSet
    };
    if writes && !field.required && field.nullable {
        FieldState::OptionalNullable(sending)
    } else {
        FieldState::Optional(sending)
    }
}

/// Does the Rust type's own `Default` equal the schema's default?
fn is_type_default(ty: &TypeRef, value: &Value) -> bool {
    match (ty, value) {
        (TypeRef::Bool, Value::Bool(b)) => !b,
        (TypeRef::Int(_) | TypeRef::Float(_), Value::Number(n)) => n.as_f64() == Some(0.0),
        (TypeRef::String, Value::String(s)) => s.is_empty(),
        (TypeRef::Array(_), Value::Array(a)) => a.is_empty(),
        (TypeRef::Map(_), Value::Object(o)) => o.is_empty(),
        (TypeRef::Json, Value::Null) => true,
        _ => false,
    }
}
