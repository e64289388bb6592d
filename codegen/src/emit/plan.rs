//! One operation's builder, planned once before anything is emitted: every input with
//! its place in the request, and whether the group method takes it as an argument or
//! the builder as a setter. The builder ([`super::builder`]), its `send`
//! ([`super::send`]) and the redaction tests read the same plan.

use proc_macro2::Ident;

use super::call_docs::param_docs;
use super::file::ident;
use super::rust_type::FieldShape;
use super::types::setter_docs;
use crate::error::{Error, Result};
use crate::ir::{Api, Body, Field, FormField, Operation, Param, Struct, TypeDef, TypeKind, TypeRef};

/// Where a parameter goes in the request.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Path,
    Query,
    Header,
    Cookie,
}

/// What an input is, and so where its value goes.
pub enum InputKind<'a> {
    Param(&'a Param, Place),
    FormField(&'a FormField),
    BodyField(&'a Field, FieldShape, Option<Ident>),
}

/// One value the caller can give a call.
pub struct Input<'a> {
    pub name: Ident,
    pub ty: &'a TypeRef,
    pub docs: String,
    pub kind: InputKind<'a>,
    /// Required inputs are arguments of the group method; the others are setters.
    pub argument: bool,
}

/// The body struct of an operation whose body is a set of fields.
pub struct FieldsBody<'a> {
    pub def: &'a TypeDef,
    pub shape: &'a Struct,
}

/// Everything the emitters need to know about one operation's builder.
pub struct BuilderPlan<'a> {
    pub op: &'a Operation,
    pub method: Ident,
    pub builder: Ident,
    /// Path, query and header parameters, then body fields, then form fields.
    pub inputs: Vec<Input<'a>>,
    pub fields_body: Option<FieldsBody<'a>>,
}

impl<'a> BuilderPlan<'a> {
    pub fn new(api: &'a Api, op: &'a Operation) -> Result<BuilderPlan<'a>> {
        let fields_body = fields_body(api, op)?;
        let mut inputs = param_inputs(op)?;
        if let (Some(Body::Fields { fields, .. }), Some(body)) = (&op.body, &fields_body) {
            for bf in fields {
                let field = &body.shape.fields[bf.field];
                inputs.push(Input {
                    name: ident(&bf.arg_name)?,
                    ty: &field.ty,
                    docs: setter_docs(field, body.def.usage),
                    kind: InputKind::BodyField(
                        field,
                        FieldShape::of(field),
                        bf.null_setter.as_deref().map(ident).transpose()?,
                    ),
                    argument: bf.argument,
                });
            }
        }
        if let Some(Body::Form { fields, .. }) = &op.body {
            for field in fields {
                inputs.push(form_input(field)?);
            }
        }
        Ok(BuilderPlan {
            op,
            method: ident(&op.method_name)?,
            builder: ident(&op.builder)?,
            inputs,
            fields_body,
        })
    }
}

fn fields_body<'a>(api: &'a Api, op: &Operation) -> Result<Option<FieldsBody<'a>>> {
    let Some(Body::Fields { type_id, .. }) = &op.body else {
        return Ok(None);
    };
    let def = api.type_def(*type_id);
    let TypeKind::Struct(shape) = &def.kind else {
        return Err(emit_error(op, "body type is not a struct"));
    };
    Ok(Some(FieldsBody { def, shape }))
}

fn param_inputs(op: &Operation) -> Result<Vec<Input<'_>>> {
    let places = [
        (&op.path_params, Place::Path),
        (&op.query_params, Place::Query),
        (&op.header_params, Place::Header),
        (&op.cookie_params, Place::Cookie),
    ];
    let params = places
        .into_iter()
        .flat_map(|(params, place)| params.iter().map(move |p| (p, place)));
    params
        .map(|(param, place)| {
            Ok(Input {
                name: ident(&param.rust_name)?,
                ty: &param.ty,
                docs: param_docs(param),
                kind: InputKind::Param(param, place),
                argument: param.required,
            })
        })
        .collect()
}

fn form_input(field: &FormField) -> Result<Input<'_>> {
    Ok(Input {
        name: ident(&field.arg_name)?,
        ty: &field.ty,
        docs: field.docs.clone().unwrap_or_default(),
        kind: InputKind::FormField(field),
        argument: field.required,
    })
}

/// An operation this emitter cannot handle, named by where it was written.
fn emit_error(op: &Operation, message: &str) -> Error {
    Error::Emit {
        file: op.origin.clone(),
        message: message.to_owned(),
    }
}
