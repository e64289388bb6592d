//! Authentication: the security schemes the selected operations use, and the
//! configured token exchange (which operation trades a key for an access token).

use std::collections::BTreeSet;

use openapiv3::{MediaType, ReferenceOr, SchemaKind, SecurityScheme, StatusCode, Type};
use serde_json::Value;

use super::Lowerer;
use super::ids::Operation;
use super::media::pick_json;
use crate::error::Result;
use crate::ir::{ApiKey, Auth, KeyLocation, TokenExchange};
use crate::pointer::Pointer;

impl<'a> Lowerer<'a> {
    /// The API key scheme the chosen operations use, and the configured token exchange.
    pub(super) fn lower_auth(&mut self, operations: &[Operation]) -> Result<Auth> {
        let mut auth = Auth::default();
        if operations.iter().any(|op| op.authenticated) {
            for name in self.schemes_used() {
                let at = Pointer::root().join("components").join("securitySchemes").join(&name);
                let scheme = self.doc.components.as_ref().and_then(|c| c.security_schemes.get(&name));
                match scheme {
                    Some(ReferenceOr::Item(scheme)) => self.lower_scheme(scheme, &at, &mut auth),
                    Some(ReferenceOr::Reference { .. }) => self.warn(
                        &at,
                        "a `$ref` security scheme is not followed; calls are sent without it".to_owned(),
                    ),
                    None => self.warn(
                        &Pointer::root().join("security"),
                        format!("a security requirement names `{name}`, which `#/components/securitySchemes` does not define; calls are sent without it"),
                    ),
                }
            }
        }
        auth.token_exchange = match &self.config.auth.token_exchange {
            Some(exchange) => Some(self.lower_token_exchange(&exchange.operation, &exchange.scheme)?),
            None => None,
        };
        Ok(auth)
    }

    /// The scheme names the selected operations' security requirements use, in order.
    fn schemes_used(&self) -> BTreeSet<String> {
        self.doc
            .paths
            .paths
            .values()
            .filter_map(|i| i.as_item())
            .flat_map(|i| i.iter())
            .filter(|(_, op)| self.config.operations.wants(op.operation_id.as_deref(), &op.tags))
            .flat_map(|(_, op)| {
                op.security
                    .as_ref()
                    .or(self.doc.security.as_ref())
                    .into_iter()
                    .flatten()
            })
            .flat_map(|r| r.keys().cloned())
            .collect()
    }

    /// What one scheme adds to the ways a client can authenticate.
    fn lower_scheme(&mut self, scheme: &SecurityScheme, at: &Pointer, auth: &mut Auth) {
        match scheme {
            SecurityScheme::APIKey {
                location,
                name,
                extensions,
                ..
            } => {
                let prefix = extensions
                    .get("x-fern-header")
                    .and_then(|h| h.get("prefix"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let location = match location {
                    openapiv3::APIKeyLocation::Header => KeyLocation::Header,
                    openapiv3::APIKeyLocation::Query => KeyLocation::Query,
                    openapiv3::APIKeyLocation::Cookie => KeyLocation::Cookie,
                };
                if auth.api_key.is_some() {
                    self.warn(
                        at,
                        "a second API key scheme; `Auth::api_key` sends the first".to_owned(),
                    );
                }
                auth.api_key.get_or_insert(ApiKey {
                    location,
                    name: name.clone(),
                    prefix: prefix.to_owned(),
                });
            }
            SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("bearer") => auth.bearer = true,
            SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => auth.basic = true,
            SecurityScheme::OAuth2 { flows, .. } => {
                auth.bearer = true; // a token from any flow is sent as a bearer token
                if let Some(flow) = &flows.client_credentials {
                    auth.token_url.get_or_insert_with(|| flow.token_url.clone());
                }
            }
            SecurityScheme::OpenIDConnect { .. } => auth.bearer = true,
            SecurityScheme::HTTP { scheme, .. } => self.warn(
                at,
                format!("HTTP `{scheme}` authentication is not supported; calls are sent without it"),
            ),
        }
    }

    /// Checks the exchange operation's shape: POST, one required string in, one out.
    fn lower_token_exchange(&self, id: &str, scheme: &str) -> Result<TokenExchange> {
        let found = self.doc.paths.paths.iter().find_map(|(path, item)| {
            let item = item.as_item()?;
            item.iter()
                .find(|(_, op)| op.operation_id.as_deref() == Some(id))
                .map(|(method, op)| (path, method, op))
        });
        let Some((path, method, op)) = found else {
            return Err(self.config.error(format!(
                "`[auth.token_exchange] operation = \"{id}\"` is not an operationId in the description"
            )));
        };
        let shape_error = |what: &str| {
            self.config.error(format!(
                "`[auth.token_exchange]`: operation `{id}` ({method} {path}) {what}"
            ))
        };
        if method != "post" {
            return Err(shape_error("must be a POST"));
        }
        let at = Pointer::root().join("paths").join(path).join(method);
        let body = match &op.request_body {
            Some(ReferenceOr::Item(b)) => b,
            _ => return Err(shape_error("needs an inline request body")),
        };
        let (_, media) = pick_json(&body.content, &at, "request body")?;
        let request_field = self
            .single_required_string(media, &at)?
            .ok_or_else(|| shape_error("must take a JSON object with exactly one required string field"))?;
        let ok = op
            .responses
            .responses
            .get(&StatusCode::Code(200))
            .and_then(|r| r.as_item());
        let response_field = match ok {
            Some(r) => {
                let (_, media) = pick_json(&r.content, &at, "response")?;
                self.single_required_string(media, &at)?
            }
            None => None,
        }
        .ok_or_else(|| shape_error("must answer 200 with a JSON object with exactly one required string field"))?;
        Ok(TokenExchange {
            operation: id.to_owned(),
            path: path.clone(),
            request_field,
            response_field,
            scheme: scheme.to_owned(),
        })
    }

    fn single_required_string(&self, media: &MediaType, at: &Pointer) -> Result<Option<String>> {
        let schema = match &media.schema {
            Some(ReferenceOr::Reference { reference }) => self.resolve_component(reference, at)?.1,
            Some(ReferenceOr::Item(s)) => s,
            None => return Ok(None),
        };
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
            return Ok(None);
        };
        let strings: Vec<&String> = object
            .required
            .iter()
            .filter(|name| {
                matches!(object.properties.get(*name), Some(ReferenceOr::Item(s)) if matches!(s.schema_kind, SchemaKind::Type(Type::String(_))))
            })
            .collect();
        Ok(match strings.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        })
    }
}
