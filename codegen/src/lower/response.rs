//! Replies: the success reply the call returns (JSON, bytes, a stream or nothing)
//! and the documented error replies.

use openapiv3::{ReferenceOr, StatusCode};

use super::Lowerer;
use super::ids::{ErrorReply, Response, TypeRef};
use super::media::pick_json;
use super::schema_ref::SchemaRef;
use super::stream::stream_media;
use crate::error::{Error, Result};
use crate::naming;
use crate::pointer::Pointer;

impl<'a> Lowerer<'a> {
    /// The success reply: the first 2xx (or a lone `default`). When several 2xx
    /// replies differ, the first decides the type; if another has no body, the call
    /// returns `Option<T>` (`None` for an empty reply) instead of failing on it.
    pub(super) fn lower_response(
        &mut self,
        op: &'a openapiv3::Operation,
        at: &Pointer,
        base: &str,
        id: &str,
        stream: bool,
    ) -> Result<Response> {
        let mut success: Vec<(String, &ReferenceOr<openapiv3::Response>)> = op
            .responses
            .responses
            .iter()
            .filter(|(code, _)| match code {
                StatusCode::Code(c) => (200..300).contains(c),
                StatusCode::Range(r) => *r == 2,
            })
            .map(|(code, r)| (code.to_string(), r))
            .collect();
        success.sort_by(|a, b| a.0.cmp(&b.0));
        if success.is_empty() {
            match &op.responses.default {
                Some(default) => {
                    self.warn(
                        at,
                        "only a `default` reply is described; it is taken as the success reply".to_owned(),
                    );
                    success.push(("default".to_owned(), default));
                }
                None => {
                    self.warn(at, "no 2xx reply is described; the call returns `()`".to_owned());
                    return Ok(Response::Empty);
                }
            }
        }
        let mut replies = Vec::new();
        for (code, response) in &success {
            let reply_at = at.join("responses").join(code);
            let response = self.resolve_response(response, &reply_at)?;
            // A 204 or 205 reply has no body, whatever the description says (RFC 9110).
            if matches!(code.as_str(), "204" | "205") && !response.content.is_empty() {
                self.warn(
                    &reply_at,
                    format!("a {code} reply has no body by definition; the documented content is ignored"),
                );
                replies.push(Response::Empty);
                continue;
            }
            let hint = format!("{base}Response");
            replies.push(self.lower_reply(response, &reply_at, &hint, Some((id, stream)))?);
        }
        let first = replies.remove(0);
        let differing: Vec<&Response> = replies.iter().filter(|r| **r != first).collect();
        if differing.is_empty() {
            return Ok(first);
        }
        let some_empty = differing.iter().any(|r| **r == Response::Empty);
        let others_agree = differing.iter().all(|r| **r == Response::Empty);
        match first {
            Response::Json(ty) | Response::JsonOrEmpty(ty) if some_empty && others_agree => {
                Ok(Response::JsonOrEmpty(ty))
            }
            first => {
                self.warn(
                    at,
                    format!(
                        "the 2xx replies describe different bodies; `{}` decides the type",
                        success[0].0
                    ),
                );
                Ok(first)
            }
        }
    }

    pub(super) fn resolve_response(
        &self,
        response: &'a ReferenceOr<openapiv3::Response>,
        at: &Pointer,
    ) -> Result<&'a openapiv3::Response> {
        match response {
            ReferenceOr::Item(r) => Ok(r),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/responses/");
                let doc: &'a openapiv3::OpenAPI = self.doc;
                match name.and_then(|n| doc.components.as_ref()?.responses.get(n)) {
                    Some(ReferenceOr::Item(r)) => Ok(r),
                    _ => Err(Error::DanglingRef {
                        pointer: at.to_string(),
                        reference: reference.clone(),
                    }),
                }
            }
        }
    }

    /// One reply's body: JSON (typed), a stream of events, text, bytes, or nothing.
    /// A success reply of operation `id` may be a stream: with `stream`, the streamed
    /// media type is taken over JSON; error replies (`None`) are never streams.
    fn lower_reply(
        &mut self,
        response: &'a openapiv3::Response,
        at: &Pointer,
        hint: &str,
        success: Option<(&str, bool)>,
    ) -> Result<Response> {
        if response.content.is_empty() {
            return Ok(Response::Empty);
        }
        let json = pick_json(&response.content, at, "response");
        if let Some((id, stream)) = success
            && let Some(streamed) = stream_media(&response.content).filter(|_| stream || json.is_err())
        {
            return self.lower_stream(id, streamed, at, hint);
        }
        let Ok((media, media_type)) = json else {
            // No JSON on offer: text stays text, anything else is bytes.
            let media = response.content.keys().next().cloned().unwrap_or_default();
            return Ok(if media.to_ascii_lowercase().starts_with("text/") {
                Response::Text { media_type: media }
            } else {
                Response::Bytes { media_type: media }
            });
        };
        let Some(schema) = &media_type.schema else {
            return Ok(Response::Json(TypeRef::Json));
        };
        let media_at = at.join("content").join(media);
        let lowered = self.lower_schema(SchemaRef::from(schema), &media_at.join("schema"), hint)?;
        self.media_examples(media_type, &media_at, &lowered.ty, false);
        // A reply that may be `null` (Prefect's average lateness of no runs): `Option<T>`.
        Ok(match lowered.nullable && lowered.ty != TypeRef::Json {
            true => Response::JsonOrEmpty(lowered.ty),
            false => Response::Json(lowered.ty),
        })
    }

    /// Documented error replies (4xx, 5xx, `default` beside 2xx), with their body type.
    pub(super) fn lower_errors(
        &mut self,
        op: &'a openapiv3::Operation,
        at: &Pointer,
        base: &str,
    ) -> Result<Vec<ErrorReply>> {
        let mut errors = Vec::new();
        let documented = op
            .responses
            .responses
            .iter()
            .filter(|(code, _)| match code {
                StatusCode::Code(c) => *c >= 400,
                StatusCode::Range(r) => *r >= 4,
            })
            .map(|(code, r)| (code.to_string(), r))
            .chain(op.responses.default.iter().map(|r| ("default".to_owned(), r)));
        for (status, response) in documented {
            let reply_at = at.join("responses").join(&status);
            let response = self.resolve_response(response, &reply_at)?;
            let hint = format!("{base}Error{}", naming::type_name(&status));
            let body = match self.lower_reply(response, &reply_at, &hint, None)? {
                Response::Json(ty) if ty != TypeRef::Json => Some(ty),
                _ => None,
            };
            errors.push(ErrorReply {
                status,
                description: response.description.clone(),
                body,
            });
        }
        Ok(errors)
    }
}
