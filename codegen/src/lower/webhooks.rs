//! Requests the API sends to its users: 3.1 `webhooks` (the loader keeps them as
//! `x-webhooks`, Redoc's name for them in 3.0) and the `callbacks` of the generated
//! calls. Each gives the type of the JSON body it carries, emitted with a `parse`.

use indexmap::IndexMap;
use openapiv3::{OpenAPI, Operation, PathItem, ReferenceOr};
use serde::Deserialize;

use super::ids::{TypeRef, Webhook, Webhooks};
use super::media::pick_json;
use super::operation::http_method;
use super::schema_ref::SchemaRef;
use super::{Lowerer, skip};
use crate::error::{Result, Warning};
use crate::naming::{self, Scope};
use crate::pointer::Pointer;

/// The described webhooks, from the document's `x-webhooks`; one that does not read
/// is left out with a warning.
pub(super) fn read(doc: &OpenAPI, warnings: &mut Vec<Warning>) -> IndexMap<String, PathItem> {
    let mut read = IndexMap::new();
    let Some(webhooks) = doc.extensions.get("x-webhooks").and_then(|w| w.as_object()) else {
        return read;
    };
    for (name, item) in webhooks {
        let mut warn = |message: String| {
            let pointer = Pointer::root().join("webhooks").join(name).to_string();
            warnings.push(Warning { pointer, message })
        };
        if item.get("$ref").is_some() {
            warn("a `$ref` webhook (only inline ones are read); left out".to_owned());
            continue;
        }
        match PathItem::deserialize(item) {
            Ok(item) => {
                read.insert(name.clone(), item);
            }
            Err(e) => warn(format!("the webhook does not read ({e}); left out")),
        }
    }
    read
}

/// One request the API sends, as the description has it.
struct Found<'a> {
    /// The webhook's key, or `operationId.callback`.
    name: String,
    /// A callback's URL expression.
    url: Option<String>,
    method: &'a str,
    op: &'a Operation,
    /// Its item holds requests with other methods too: the module names the method.
    one_of_several: bool,
    at: Pointer,
}

impl<'a> Lowerer<'a> {
    /// The webhooks, and the callbacks of the calls at `lowered` (operation pointers);
    /// `group_names` are the top-level groups of calls, which the module must not take.
    /// Also the requests tried, `(pointer, name)`, for leaving them out of a next pass.
    pub(super) fn lower_webhooks(
        &mut self,
        webhooks: &'a IndexMap<String, PathItem>,
        lowered: &[String],
        group_names: &[&str],
    ) -> Result<(Webhooks, Vec<(String, String)>)> {
        let mut found = Vec::new();
        for (name, item) in webhooks {
            let at = Pointer::root().join("webhooks").join(name);
            found.extend(requests_of(item, name, None, &at));
        }
        found.extend(self.callbacks(lowered));
        let mut modules = Scope::new();
        let mut list = Vec::new();
        let mut tried = Vec::new();
        for request in found.iter().filter(|r| !self.skipped.contains_key(&r.at.to_string())) {
            tried.push((request.at.to_string(), request.name.clone()));
            match self.lower_webhook(request, &mut modules) {
                Ok(webhook) => list.extend(webhook),
                Err(error) => self.fail(skip::Failure::Operation {
                    at: request.at.to_string(),
                    id: request.name.clone(),
                    error,
                })?,
            }
        }
        list.sort_by(|a, b| a.module.cmp(&b.module));
        let module = match group_names.contains(&"webhooks") {
            true => "incoming_webhooks",
            false => "webhooks",
        };
        let webhooks = Webhooks {
            module: module.to_owned(),
            list,
        };
        Ok((webhooks, tried))
    }

    /// The callbacks of the calls at `lowered`, in document order.
    fn callbacks(&self, lowered: &[String]) -> Vec<Found<'a>> {
        let doc: &'a OpenAPI = self.doc;
        let mut found = Vec::new();
        for (path, item) in &doc.paths.paths {
            let ReferenceOr::Item(item) = item else { continue };
            for (method, op) in item.iter() {
                let at = Pointer::root().join("paths").join(path).join(method);
                if op.callbacks.is_empty() || !lowered.contains(&at.to_string()) {
                    continue;
                }
                let call = op.operation_id.clone().unwrap_or_else(|| format!("{method} {path}"));
                for (callback, urls) in &op.callbacks {
                    for (url, item) in urls {
                        let item_at = at.join("callbacks").join(callback).join(url);
                        let name = format!("{call}.{callback}");
                        found.extend(requests_of(item, &name, Some(url), &item_at));
                    }
                }
            }
        }
        found
    }

    /// The webhook's payload type; `None` (with a warning) when it carries no JSON.
    fn lower_webhook(&mut self, request: &Found<'a>, modules: &mut Scope) -> Result<Option<Webhook>> {
        let Some(body) = &request.op.request_body else {
            self.warn(&request.at, "no request body: no payload to type; left out".to_owned());
            return Ok(None);
        };
        let (at, body) = self.resolve_body(body, &request.at)?;
        let Ok((media, media_type)) = pick_json(&body.content, &at, "webhook body") else {
            let message = "a body without a JSON media type: no payload to type; left out".to_owned();
            self.warn(&at.join("content"), message);
            return Ok(None);
        };
        let schema_at = at.join("content").join(media).join("schema");
        let Some(schema) = &media_type.schema else {
            self.warn(&schema_at, "a JSON body without a schema; left out".to_owned());
            return Ok(None);
        };
        let base = match request.one_of_several {
            true => format!("{} {}", request.name, request.method),
            false => request.name.clone(),
        };
        let hint = format!("{}Payload", naming::type_name(&base));
        let lowered = self.lower_schema(SchemaRef::from(schema), &schema_at, &hint)?;
        self.media_examples(media_type, &at.join("content").join(media), &lowered.ty, false);
        if let TypeRef::Named(id) = &lowered.ty {
            let name = self.name_of(*id).to_owned();
            self.ensure_lowered(&name)?;
        }
        let docs = [&request.op.summary, &request.op.description];
        let docs: Vec<&str> = docs.iter().filter_map(|d| d.as_deref()).collect();
        Ok(Some(Webhook {
            name: request.name.clone(),
            module: modules.claim(&naming::module_name(&base)),
            method: http_method(request.method),
            url: request.url.clone(),
            docs: (!docs.is_empty()).then(|| docs.join("\n\n")),
            payload: lowered.ty,
            origin: request.at.to_string(),
        }))
    }
}

/// The requests of one path item (a webhook, or one URL of a callback).
fn requests_of<'a>(item: &'a PathItem, name: &str, url: Option<&String>, at: &Pointer) -> Vec<Found<'a>> {
    let several = item.iter().count() > 1;
    item.iter()
        .map(|(method, op)| Found {
            name: name.to_owned(),
            url: url.cloned(),
            method,
            op,
            one_of_several: several,
            at: at.join(method),
        })
        .collect()
}
