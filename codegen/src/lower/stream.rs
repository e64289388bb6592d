//! Streamed replies (server-sent events, JSON lines): each event's data type, and the
//! operations that answer JSON or a stream depending on their body's `stream` flag,
//! which get two calls so that each returns one type.

use openapiv3::{MediaType, ReferenceOr, SchemaKind, Type};

use super::Lowerer;
use super::ids::{Response, TypeRef};
use super::schema_ref::SchemaRef;
use crate::error::Result;
use crate::ir::Framing;
use crate::pointer::Pointer;

/// The body property that asks for a stream (OpenAI, Mistral, Anthropic, Ollama call it so).
pub(super) const STREAM_FLAG: &str = "stream";

/// The fields of an event-stream schema that describes the event, not its data.
const EVENT_FIELDS: &[&str] = &["event", "data", "id", "retry"];

/// Which of an operation's calls is being lowered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Variant {
    /// The operation as described (its JSON reply, when it offers JSON and a stream).
    Plain,
    /// Its multipart-form upload.
    Upload,
    /// Its streamed reply, asked for with `stream: true`.
    Stream,
}

/// A JSON body's boolean `stream` property.
#[derive(Clone, Copy, Debug)]
pub(super) struct StreamFlag {
    /// Its documented default: a JSON call must then send `stream: false`.
    pub default: bool,
}

/// The first streamed media type among `content`.
pub(super) fn stream_media(content: &indexmap::IndexMap<String, MediaType>) -> Option<(&str, &MediaType, Framing)> {
    content
        .iter()
        .find_map(|(media, media_type)| Framing::of(media).map(|framing| (media.as_str(), media_type, framing)))
}

impl<'a> Lowerer<'a> {
    /// The body's `stream` flag, if the body is a JSON object that has one.
    pub(super) fn stream_flag(&self, op: &'a openapiv3::Operation, at: &Pointer) -> Option<StreamFlag> {
        let body = op.request_body.as_ref()?;
        let (at, body) = self.resolve_body(body, at).ok()?;
        let (_, media) = super::media::pick_json(&body.content, &at, "request body").ok()?;
        let property = self.property_of(media.schema.as_ref()?, STREAM_FLAG, &at, 0)?;
        let SchemaKind::Type(Type::Boolean(_)) = &property.schema_kind else {
            return None;
        };
        let default = property
            .schema_data
            .default
            .as_ref()
            .and_then(serde_json::Value::as_bool);
        Some(StreamFlag {
            default: default.unwrap_or(false),
        })
    }

    /// Property `name` of an object schema, or of one of the parts of its `allOf`.
    fn property_of(
        &self,
        schema: &'a ReferenceOr<openapiv3::Schema>,
        name: &str,
        at: &Pointer,
        depth: usize,
    ) -> Option<&'a openapiv3::Schema> {
        let schema = match schema {
            ReferenceOr::Reference { reference } => self.resolve_component(reference, at).ok()?.1,
            ReferenceOr::Item(schema) => schema,
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => match object.properties.get(name)? {
                ReferenceOr::Reference { reference } => self.resolve_component(reference, at).ok().map(|(_, s)| s),
                ReferenceOr::Item(schema) => Some(&**schema),
            },
            // A few levels deep: a cycle of `allOf`s ends here.
            SchemaKind::AllOf { all_of } if depth < 8 => all_of
                .iter()
                .find_map(|part| self.property_of(part, name, at, depth + 1)),
            _ => None,
        }
    }

    /// Does the operation answer JSON or a stream as its body's `stream` flag asks? Then
    /// it gets a second call for the stream (`create_chat_completion_stream`).
    pub(super) fn has_stream_variant(&self, op: &'a openapiv3::Operation, at: &Pointer) -> bool {
        let Some(response) = self.first_success(op, at) else {
            return false;
        };
        let json = super::media::pick_json(&response.content, at, "response").is_ok();
        json && stream_media(&response.content).is_some() && self.stream_flag(op, at).is_some()
    }

    /// Does this call of `op` stream its reply: its streamed variant, or an operation
    /// whose success reply is only a stream?
    pub(super) fn reply_streams(&self, op: &'a openapiv3::Operation, at: &Pointer, variant: Variant) -> bool {
        if variant != Variant::Plain {
            return variant == Variant::Stream;
        }
        let Some(response) = self.first_success(op, at) else {
            return false;
        };
        let json = super::media::pick_json(&response.content, at, "response").is_ok();
        !json && stream_media(&response.content).is_some()
    }

    /// The first 2xx reply, as `lower_response` takes it.
    fn first_success(&self, op: &'a openapiv3::Operation, at: &Pointer) -> Option<&'a openapiv3::Response> {
        let mut success: Vec<_> = op
            .responses
            .responses
            .iter()
            .filter(|(code, _)| match code {
                openapiv3::StatusCode::Code(c) => (200..300).contains(c),
                openapiv3::StatusCode::Range(r) => *r == 2,
            })
            .collect();
        success.sort_by_key(|(code, _)| code.to_string());
        let (code, response) = success.first()?;
        let reply_at = at.join("responses").join(code.to_string());
        self.resolve_response(response, &reply_at).ok()
    }

    /// A streamed reply: the framing, and each event's data type. The schema may describe
    /// the event (properties among `event`, `data`, `id`, `retry`): then its `data`
    /// property is the data's. Without a schema, the config's `[streams.data]` names one,
    /// or the data is text (events) or any JSON (lines).
    pub(super) fn lower_stream(
        &mut self,
        id: &str,
        (media, media_type, framing): (&str, &'a MediaType, Framing),
        at: &Pointer,
        hint: &str,
    ) -> Result<Response> {
        let media_at = at.join("content").join(media);
        let configured = self.config.streams.data.get(id).cloned();
        let data = match (&media_type.schema, configured) {
            (_, Some(reference)) => {
                let reference = match reference.starts_with('#') {
                    true => reference,
                    false => format!("#/components/schemas/{reference}"),
                };
                self.lower_schema(SchemaRef::Ref(&reference), &media_at, hint)?.ty
            }
            (Some(schema), None) => self.lower_event_data(schema, &media_at.join("schema"), hint)?,
            (None, None) if framing == Framing::ServerSentEvents => TypeRef::String,
            (None, None) => TypeRef::Json,
        };
        Ok(Response::Stream {
            media_type: media.to_owned(),
            framing,
            data,
            end_marker: self.config.streams.end_marker.clone(),
        })
    }

    fn lower_event_data(
        &mut self,
        schema: &'a ReferenceOr<openapiv3::Schema>,
        at: &Pointer,
        hint: &str,
    ) -> Result<TypeRef> {
        let (resolved, data_ref) = match schema {
            ReferenceOr::Reference { reference } => {
                let resolved = self.resolve_component(reference, at).ok().map(|(_, s)| s);
                (resolved, Some(format!("{reference}/properties/data")))
            }
            ReferenceOr::Item(schema) => (Some(schema), None),
        };
        let event_object = resolved.and_then(|schema| match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object))
                if object.properties.contains_key("data")
                    && object.properties.keys().all(|k| EVENT_FIELDS.contains(&k.as_str())) =>
            {
                Some(object)
            }
            _ => None,
        });
        let Some(object) = event_object else {
            return Ok(self.lower_schema(SchemaRef::from(schema), at, hint)?.ty);
        };
        match (data_ref, object.properties.get("data")) {
            (_, Some(ReferenceOr::Reference { reference })) => {
                Ok(self.lower_schema(SchemaRef::Ref(reference), at, hint)?.ty)
            }
            (Some(inside), _) => match self.lower_inside(&inside, at, false)? {
                Some(lowered) => Ok(lowered.ty),
                None => Ok(TypeRef::Json),
            },
            (None, Some(data)) => {
                let data_at = at.join("properties").join("data");
                Ok(self
                    .lower_schema(SchemaRef::from(data), &data_at, &format!("{hint}Data"))?
                    .ty)
            }
            (None, None) => Ok(TypeRef::Json),
        }
    }
}
