//! Stage 2 output: the project's own model of an API, with every OpenAPI question
//! already answered (`$ref`s resolved, inline schemas named, optional / nullable /
//! default / limits / secrets decided). Emission reads only this.

use std::collections::BTreeMap;

use serde_json::Value;

mod fold;
mod operation;
mod types;

pub use operation::*;
pub use types::*;

/// Everything the emitter needs to write one client crate.
#[derive(Clone, Debug)]
pub struct Api<I = TypeId> {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub krate: Crate,
    pub auth: Auth,
    /// Sorted by Rust name; a [`TypeId`] is an index into it.
    pub types: Vec<TypeDef<I>>,
    /// Sorted by group path, then method name.
    pub operations: Vec<Operation<I>>,
    /// The call tree by module path (`["import_storage", "s3"]`); the root, the crate
    /// itself, is the empty path and is always there.
    pub groups: BTreeMap<Vec<String>, Group>,
    /// Every example the description gives for a schema or a JSON body, in pointer order.
    pub examples: Vec<Example<I>>,
    /// Requests the API sends to its users (3.1 `webhooks`, `x-webhooks`, callbacks).
    pub webhooks: Webhooks<I>,
}

/// A node of the call tree: `client.import_storage().s3()` reaches the group
/// `["import_storage", "s3"]` through its handle.
#[derive(Clone, Debug, Default)]
pub struct Group {
    /// The handle type in the group's module (`S3Api`); empty for the root (`Client`).
    pub handle: String,
    /// The child groups' module names, in the order of their first calls.
    pub children: Vec<String>,
    /// The group's own calls: indexes into [`Api::operations`], in its order.
    pub operations: Vec<usize>,
}

/// The requests the API sends: each one's payload type, emitted in one module.
#[derive(Clone, Debug, Default)]
pub struct Webhooks<I = TypeId> {
    /// The module's name (`webhooks`, unless a group of calls has that name).
    pub module: String,
    /// Sorted by module name.
    pub list: Vec<Webhook<I>>,
}

/// One request the API sends (a webhook, or a callback of a call).
#[derive(Clone, Debug)]
pub struct Webhook<I = TypeId> {
    /// Its name in the description: the webhook's key, or `operationId.callback`.
    pub name: String,
    /// Its own module in the webhooks module (snake case, unique there).
    pub module: String,
    pub method: HttpMethod,
    /// A callback's URL expression (`{$request.body#/callbackUrl}`); none for a webhook.
    pub url: Option<String>,
    pub docs: Option<String>,
    /// The JSON body it carries.
    pub payload: TypeRef<I>,
    /// JSON pointer of the operation describing it.
    pub origin: String,
}

/// A value the description offers as an example of a type: it must decode into it.
#[derive(Clone, Debug)]
pub struct Example<I = TypeId> {
    /// Where the example sits (`#/components/schemas/Pet/example`).
    pub origin: String,
    pub ty: TypeRef<I>,
    /// The schema is nullable: the example may be `null` (decoded as `Option`).
    pub nullable: bool,
    pub value: Value,
    /// A request body's example: encoding the decoded value must give it back.
    pub round_trip: bool,
}

impl Api {
    /// The type an id names. Ids come from the same lowering as the types, so every id
    /// in an `Api` is valid.
    pub fn type_def(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// The type an id names, followed through aliases to the type that is emitted.
    pub fn emitted_def(&self, id: TypeId) -> &TypeDef {
        let def = self.type_def(id);
        def.alias_of.map_or(def, |target| self.type_def(target))
    }
}

#[derive(Clone, Debug)]
pub struct Crate {
    pub name: String,
    pub version: String,
    pub description: Option<String>,
    /// The description's file name, for the `@generated` header.
    pub source: String,
    /// Models only, without the client.
    pub types_only: bool,
    /// The `openapi-typed-runtime` dependency's inline-table pairs; `None`: the runtime is copied.
    pub runtime: Option<Vec<(&'static str, String)>>,
    /// Each top-level group behind a cargo feature of its module's name; types carry
    /// the features that need them ([`TypeDef::features`]).
    pub group_features: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Auth {
    /// A key sent as `{prefix}{key}` in a header, query parameter or cookie.
    pub api_key: Option<ApiKey>,
    /// `Authorization: Bearer` (HTTP bearer, OAuth2, OpenID Connect).
    pub bearer: bool,
    /// HTTP basic authentication.
    pub basic: bool,
    /// The token URL of an OAuth2 client-credentials flow.
    pub token_url: Option<String>,
    pub token_exchange: Option<TokenExchange>,
}

#[derive(Clone, Debug)]
pub struct ApiKey {
    pub location: KeyLocation,
    /// The header, query parameter or cookie name.
    pub name: String,
    pub prefix: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyLocation {
    Header,
    Query,
    Cookie,
}

/// POST `{request_field: refresh}` to `path`; the reply's `response_field` is the access token.
#[derive(Clone, Debug)]
pub struct TokenExchange {
    pub operation: String,
    pub path: String,
    pub request_field: String,
    pub response_field: String,
    pub scheme: String,
}
