//! The one walk that rewrites every type id the IR holds, changing their kind: lowering
//! builds an `Api` with provisional ids and ends with `map_ids` to final ones.
//!
//! Each value is taken apart field by field with no `..`, and its id type changes, so a
//! field added to the IR that holds a type (or a type id) does not compile until this
//! walk maps it: no reference can keep a provisional id by being forgotten.

use super::{
    Additional, Api, Body, ErrorReply, Example, Field, FormField, Operation, Pagination, Param, Response, Struct,
    TypeDef, TypeKind, TypeRef, Union, UnionVariant, Webhook, Webhooks,
};

impl<I> TypeRef<I> {
    pub fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> TypeRef<J> {
        match self {
            TypeRef::Bool => TypeRef::Bool,
            TypeRef::Int(width) => TypeRef::Int(width),
            TypeRef::Float(width) => TypeRef::Float(width),
            TypeRef::String => TypeRef::String,
            TypeRef::DateTime => TypeRef::DateTime,
            TypeRef::Date => TypeRef::Date,
            TypeRef::Json => TypeRef::Json,
            TypeRef::Named(id) => TypeRef::Named(f(id)),
            TypeRef::Array(inner) => TypeRef::Array(Box::new(inner.map_ids(f))),
            TypeRef::Map(inner) => TypeRef::Map(Box::new(inner.map_ids(f))),
            TypeRef::Nullable(inner) => TypeRef::Nullable(Box::new(inner.map_ids(f))),
        }
    }
}

impl<I> Api<I> {
    /// The API with every id mapped; `types` is left as it is (lowering sets it anew).
    pub fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> Api<J> {
        let Api {
            title,
            version,
            description,
            krate,
            auth,
            types,
            operations,
            groups,
            examples,
            webhooks,
        } = self;
        Api {
            title,
            version,
            description,
            krate,
            auth,
            types: types.into_iter().map(|def| def.map_ids(f)).collect(),
            operations: operations.into_iter().map(|op| op.map_ids(f)).collect(),
            groups,
            examples: examples.into_iter().map(|e| e.map_ids(f)).collect(),
            webhooks: webhooks.map_ids(f),
        }
    }
}

impl<I> Example<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> Example<J> {
        let Example {
            origin,
            ty,
            nullable,
            value,
            round_trip,
        } = self;
        let ty = ty.map_ids(f);
        Example {
            origin,
            ty,
            nullable,
            value,
            round_trip,
        }
    }
}

impl<I> Webhooks<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> Webhooks<J> {
        let Webhooks { module, list } = self;
        let list = list.into_iter().map(|w| w.map_ids(f)).collect();
        Webhooks { module, list }
    }
}

impl<I> Webhook<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> Webhook<J> {
        let Webhook {
            name,
            module,
            method,
            url,
            docs,
            payload,
            origin,
        } = self;
        let payload = payload.map_ids(f);
        Webhook {
            name,
            module,
            method,
            url,
            docs,
            payload,
            origin,
        }
    }
}

impl<I> TypeDef<I> {
    pub fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> TypeDef<J> {
        let TypeDef {
            name,
            origin,
            docs,
            usage,
            derives,
            kind,
            alias_of,
            home,
            part,
            features,
        } = self;
        let kind = match kind {
            TypeKind::Struct(s) => TypeKind::Struct(s.map_ids(f)),
            TypeKind::Union(u) => TypeKind::Union(u.map_ids(f)),
            TypeKind::StringEnum(e) => TypeKind::StringEnum(e),
            TypeKind::IntEnum(e) => TypeKind::IntEnum(e),
        };
        TypeDef {
            name,
            origin,
            docs,
            usage,
            derives,
            kind,
            alias_of: alias_of.map(&mut *f),
            home,
            part,
            features,
        }
    }
}

impl<I> Struct<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> Struct<J> {
        let Struct { fields, additional } = self;
        let fields = fields.into_iter().map(|field| field.map_ids(f)).collect();
        let additional = additional.map(|Additional { rust_name, ty }| Additional {
            rust_name,
            ty: ty.map_ids(f),
        });
        Struct { fields, additional }
    }
}

impl<I> Field<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> Field<J> {
        let Field {
            wire_name,
            rust_name,
            ty,
            required,
            nullable,
            default,
            limits,
            read_only,
            write_only,
            sensitive,
            docs,
            boxed,
            state,
        } = self;
        Field {
            wire_name,
            rust_name,
            ty: ty.map_ids(f),
            required,
            nullable,
            default,
            limits,
            read_only,
            write_only,
            sensitive,
            docs,
            boxed,
            state,
        }
    }
}

impl<I> Union<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> Union<J> {
        let Union {
            variants,
            discriminator,
            fallback_variant,
        } = self;
        let variants = variants.into_iter().map(|v| v.map_ids(f)).collect();
        Union {
            variants,
            discriminator,
            fallback_variant,
        }
    }
}

impl<I> UnionVariant<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> UnionVariant<J> {
        let UnionVariant {
            rust_name,
            ty,
            tags,
            docs,
            boxed,
        } = self;
        UnionVariant {
            rust_name,
            ty: ty.map_ids(f),
            tags,
            docs,
            boxed,
        }
    }
}

impl<I> Operation<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> Operation<J> {
        let Operation {
            id,
            origin,
            group,
            method_name,
            builder,
            http_method,
            path,
            path_parts,
            path_params,
            query_params,
            header_params,
            cookie_params,
            body,
            body_flags,
            response,
            summary,
            description,
            authenticated,
            honours_idempotency_key,
            errors,
            pagination,
        } = self;
        let mut params = |list: Vec<Param<I>>| list.into_iter().map(|p| p.map_ids(f)).collect::<Vec<_>>();
        let (path_params, query_params) = (params(path_params), params(query_params));
        let (header_params, cookie_params) = (params(header_params), params(cookie_params));
        Operation {
            id,
            origin,
            group,
            method_name,
            builder,
            http_method,
            path,
            path_parts,
            path_params,
            query_params,
            header_params,
            cookie_params,
            body: body.map(|b| b.map_ids(f)),
            body_flags,
            response: response.map_ids(f),
            summary,
            description,
            authenticated,
            honours_idempotency_key,
            errors: errors.into_iter().map(|e| e.map_ids(f)).collect(),
            pagination: pagination.map(|p| p.map_ids(f)),
        }
    }
}

impl<I> Param<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> Param<J> {
        let Param {
            wire_name,
            rust_name,
            ty,
            required,
            limits,
            docs,
            encoding,
            default,
            sensitive,
        } = self;
        Param {
            wire_name,
            rust_name,
            ty: ty.map_ids(f),
            required,
            limits,
            docs,
            encoding,
            default,
            sensitive,
        }
    }
}

impl<I> Body<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> Body<J> {
        match self {
            Body::Fields { type_id, fields } => Body::Fields {
                type_id: f(type_id),
                fields,
            },
            Body::Whole { ty, required } => Body::Whole {
                ty: ty.map_ids(f),
                required,
            },
            Body::Form { encoding, fields } => Body::Form {
                encoding,
                fields: fields.into_iter().map(|field| field.map_ids(f)).collect(),
            },
            Body::Parts { required } => Body::Parts { required },
            Body::Raw {
                media_type,
                text,
                required,
            } => Body::Raw {
                media_type,
                text,
                required,
            },
        }
    }
}

impl<I> FormField<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> FormField<J> {
        let FormField {
            wire_name,
            arg_name,
            file,
            files,
            ty,
            required,
            docs,
            encoding,
            default,
            sensitive,
        } = self;
        FormField {
            wire_name,
            arg_name,
            file,
            files,
            ty: ty.map_ids(f),
            required,
            docs,
            encoding,
            default,
            sensitive,
        }
    }
}

impl<I> Response<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> Response<J> {
        match self {
            Response::Json(ty) => Response::Json(ty.map_ids(f)),
            Response::JsonOrEmpty(ty) => Response::JsonOrEmpty(ty.map_ids(f)),
            Response::Text { media_type } => Response::Text { media_type },
            Response::Bytes { media_type } => Response::Bytes { media_type },
            Response::Stream {
                media_type,
                framing,
                data,
                end_marker,
            } => Response::Stream {
                media_type,
                framing,
                data: data.map_ids(f),
                end_marker,
            },
            Response::Empty => Response::Empty,
        }
    }
}

impl<I> ErrorReply<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> ErrorReply<J> {
        let ErrorReply {
            status,
            description,
            body,
        } = self;
        let body = body.map(|ty| ty.map_ids(f));
        ErrorReply {
            status,
            description,
            body,
        }
    }
}

impl<I> Pagination<I> {
    fn map_ids<J, F: FnMut(I) -> J>(self, f: &mut F) -> Pagination<J> {
        let Pagination {
            page_setter,
            results_field,
            last_page,
            item,
        } = self;
        let item = item.map_ids(f);
        Pagination {
            page_setter,
            results_field,
            last_page,
            item,
        }
    }
}
