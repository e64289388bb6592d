//! Stage 2 output: the project's own model of an API, with every OpenAPI question
//! already answered (`$ref`s resolved, inline schemas named, optional / nullable /
//! default / limits / secrets decided). Emission reads only this.

use serde_json::Value;

/// Everything the emitter needs to write one client crate.
#[derive(Clone, Debug)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub krate: Crate,
    pub auth: Auth,
    /// Sorted by Rust name; a [`TypeId`] is an index into it.
    pub types: Vec<TypeDef>,
    /// Sorted by group path, then method name.
    pub operations: Vec<Operation>,
    /// Every example the description gives for a schema or a JSON body, in pointer order.
    pub examples: Vec<Example>,
    /// Requests the API sends to its users (3.1 `webhooks`, `x-webhooks`, callbacks).
    pub webhooks: Webhooks,
}

/// The requests the API sends: each one's payload type, emitted in one module.
#[derive(Clone, Debug, Default)]
pub struct Webhooks {
    /// The module's name (`webhooks`, unless a group of calls has that name).
    pub module: String,
    /// Sorted by module name.
    pub list: Vec<Webhook>,
}

/// One request the API sends (a webhook, or a callback of a call).
#[derive(Clone, Debug)]
pub struct Webhook {
    /// Its name in the description: the webhook's key, or `operationId.callback`.
    pub name: String,
    /// Its own module in the webhooks module (snake case, unique there).
    pub module: String,
    pub method: HttpMethod,
    /// A callback's URL expression (`{$request.body#/callbackUrl}`); none for a webhook.
    pub url: Option<String>,
    pub docs: Option<String>,
    /// The JSON body it carries.
    pub payload: TypeRef,
    /// JSON pointer of the operation describing it.
    pub origin: String,
}

/// A value the description offers as an example of a type: it must decode into it.
#[derive(Clone, Debug)]
pub struct Example {
    /// Where the example sits (`#/components/schemas/Pet/example`).
    pub origin: String,
    pub ty: TypeRef,
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

/// A named type: its index in [`Api::types`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

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

#[derive(Clone, Debug)]
pub struct TypeDef {
    /// Final Rust name, unique in the crate.
    pub name: String,
    /// JSON pointer of the schema it came from.
    pub origin: String,
    pub docs: Option<String>,
    pub usage: Usage,
    /// The serde traits it implements without the `roundtrip` feature: what its
    /// direction needs, and what the types holding it need of it.
    pub derives: Derives,
    pub kind: TypeKind,
    /// Set when an earlier type (by name) has this shape and direction (docs aside):
    /// this one is emitted as `pub type Name = Other;` so the compiler derives once.
    pub alias_of: Option<TypeId>,
    /// The models module it is emitted in.
    pub home: Home,
    /// Which file of its module: a big module is split into files of at most
    /// [`TYPES_PER_FILE`] types, so none holds tens of thousands of lines.
    pub part: usize,
    /// With [`Crate::group_features`]: the features (top-level groups) any of which
    /// compiles it, sorted. Empty: always compiled (webhook payloads, unused types, and
    /// every type without group features).
    pub features: Vec<String>,
}

/// The most types one models file holds.
pub const TYPES_PER_FILE: usize = 80;

impl TypeDef {
    /// The file it is emitted in: its home's module, and for later parts `_2`, `_3`, ...
    pub fn module(&self) -> String {
        match self.part {
            0 => self.home.module(),
            part => format!("{}_{}", self.home.module(), part + 1),
        }
    }
}

/// Where a type is emitted: `src/models/<module>.rs`, with every type re-exported as
/// `crate::models::Name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Home {
    /// Only the calls of this group (`["import_storage", "s3"]`) use it.
    Group(Vec<String>),
    /// Calls of several groups use it.
    Shared,
    /// No call uses it.
    Unused,
}

impl Home {
    /// The module's name: the group path joined with `_`, `shared` or `unused`.
    pub fn module(&self) -> String {
        match self {
            Home::Group(path) => path.join("_"),
            Home::Shared => "shared".to_owned(),
            Home::Unused => "unused".to_owned(),
        }
    }

    /// The module's doc line.
    pub fn doc(&self) -> String {
        match self {
            Home::Group(path) => format!("Types only the `{}` calls use.", path.join("::")),
            Home::Shared => "Types the calls of several groups use.".to_owned(),
            Home::Unused => "Types the description defines but no generated call uses.".to_owned(),
        }
    }
}

/// The serde traits a type derives unconditionally.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Derives {
    pub serialize: bool,
    pub deserialize: bool,
}

impl Derives {
    /// What a type travelling this way needs for itself.
    pub fn of(usage: Usage) -> Derives {
        Derives {
            serialize: usage.serializes(),
            deserialize: usage.deserializes(),
        }
    }

    pub fn union(self, other: Derives) -> Derives {
        Derives {
            serialize: self.serialize || other.serialize,
            deserialize: self.deserialize || other.deserialize,
        }
    }
}

/// Which way a type travels; decides derives and which fields exist.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Usage {
    pub request: bool,
    pub response: bool,
}

impl Usage {
    /// Encoded on the way out: the type is part of a request.
    pub fn serializes(self) -> bool {
        self.request
    }

    /// Decoded on the way in: part of a reply, or of nothing yet (decoding is the
    /// useful default for a type only other types reach).
    pub fn deserializes(self) -> bool {
        self.response || !self.request
    }
}

#[derive(Clone, Debug)]
pub enum TypeKind {
    Struct(Struct),
    StringEnum(StringEnum),
    IntEnum(IntEnum),
    /// `oneOf` / `anyOf`: one of several shapes.
    Union(Union),
}

/// An integer enum; values added later arrive in the catch-all variant.
#[derive(Clone, Debug)]
pub struct IntEnum {
    pub variants: Vec<IntVariant>,
    pub unknown_variant: String,
}

#[derive(Clone, Debug)]
pub struct IntVariant {
    pub value: i64,
    pub rust_name: String,
}

/// Alternatives tried in order (untagged), or chosen by a discriminator property.
/// Anything that matches none lands in `fallback_variant` as raw JSON.
#[derive(Clone, Debug)]
pub struct Union {
    pub variants: Vec<UnionVariant>,
    /// The property whose value names the variant (`discriminator.propertyName`).
    pub discriminator: Option<String>,
    pub fallback_variant: String,
}

#[derive(Clone, Debug)]
pub struct UnionVariant {
    pub rust_name: String,
    pub ty: TypeRef,
    /// Discriminator values that select this variant.
    pub tags: Vec<String>,
    pub docs: Option<String>,
    /// Boxed to break a cycle of types containing each other.
    pub boxed: bool,
}

#[derive(Clone, Debug)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` beside named ones: the other keys, kept in a map.
    pub additional: Option<Additional>,
}

/// The map field holding keys an object has beyond its named properties.
#[derive(Clone, Debug)]
pub struct Additional {
    pub rust_name: String,
    pub ty: TypeRef,
}

#[derive(Clone, Debug)]
pub struct Field {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    /// The schema's `default`, already checked against `ty`.
    pub default: Option<Value>,
    pub limits: Limits,
    pub read_only: bool,
    pub write_only: bool,
    pub sensitive: bool,
    pub docs: Option<String>,
    /// Boxed to break a cycle of types containing each other.
    pub boxed: bool,
}

impl Field {
    /// Does the field exist in a type travelling this way? A read-only field is left
    /// out of a type only sent, a write-only one out of a type only received.
    pub fn exists_in(&self, usage: Usage) -> bool {
        let only_request = usage.request && !usage.response;
        let only_response = usage.response && !usage.request;
        !(only_request && self.read_only || only_response && self.write_only)
    }

    /// A read-only field of a type that is also sent: decoded, never encoded.
    pub fn never_sent(&self, usage: Usage) -> bool {
        usage.request && usage.response && self.read_only
    }
}

/// A use of a type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeRef {
    Bool,
    Int(IntWidth),
    Float(FloatWidth),
    String,
    DateTime,
    Date,
    /// Any JSON value.
    Json,
    Named(TypeId),
    Array(Box<TypeRef>),
    /// An object with arbitrary keys.
    Map(Box<TypeRef>),
    /// An array item or map value that may be `null` (`Vec<Option<T>>`); fields carry
    /// their own nullability (see [`Field`]).
    Nullable(Box<TypeRef>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntWidth {
    I32,
    I64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatWidth {
    F32,
    F64,
}

/// Limits checked on requests before sending; documented, never enforced on replies.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Limits {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<Bound>,
    pub maximum: Option<Bound>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
}

impl Limits {
    pub fn is_empty(&self) -> bool {
        *self == Limits::default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Bound {
    pub value: Number,
    pub exclusive: bool,
}

/// A bound's value. Floats compare and hash by their bits, so limits can key a map.
#[derive(Clone, Copy, Debug)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}

impl Eq for Number {}

impl std::hash::Hash for Number {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            Number::Int(i) => (0u8, *i).hash(state),
            Number::Float(f) => (1u8, f.to_bits()).hash(state),
        }
    }
}

#[derive(Clone, Debug)]
pub struct StringEnum {
    pub variants: Vec<Variant>,
    /// Name of the catch-all variant holding values added after generation.
    pub unknown_variant: String,
}

#[derive(Clone, Debug)]
pub struct Variant {
    pub wire: String,
    pub rust_name: String,
    pub docs: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Operation {
    pub id: String,
    /// JSON pointer of the operation object.
    pub origin: String,
    /// Module path below the crate root, e.g. `["import_storage", "s3"]`.
    pub group: Vec<String>,
    pub method_name: String,
    pub http_method: HttpMethod,
    /// The path template as written in the description.
    pub path: String,
    pub path_parts: Vec<PathPart>,
    pub path_params: Vec<Param>,
    pub query_params: Vec<Param>,
    pub header_params: Vec<Param>,
    pub cookie_params: Vec<Param>,
    pub body: Option<Body>,
    /// Body fields the call sets itself, by wire name: `stream` of a call that streams
    /// (`true`) or of its JSON twin (`false`, where the API's default is `true`).
    pub body_flags: Vec<(String, bool)>,
    pub response: Response,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub authenticated: bool,
    /// The server carries this call out at most once per `Idempotency-Key` (it declares
    /// the header, or the config says every call does): with a key, it may be retried.
    pub honours_idempotency_key: bool,
    /// Documented error replies, for the docs and for `ApiError::body_as`.
    pub errors: Vec<ErrorReply>,
    /// Set for page-numbered lists (Django REST Framework's `count`/`next`/`results`).
    pub pagination: Option<Pagination>,
}

/// An error reply the description documents.
#[derive(Clone, Debug)]
pub struct ErrorReply {
    /// `404`, `4XX` or `default`.
    pub status: String,
    pub description: String,
    /// Its JSON body's type, when one is described.
    pub body: Option<TypeRef>,
}

/// How to walk a paginated list: set `page_setter` to 1, 2, ... until the last page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pagination {
    /// The builder setter of the `page` query parameter.
    pub page_setter: String,
    /// The response field holding the items.
    pub results_field: String,
    pub last_page: LastPage,
    pub item: TypeRef,
}

/// How a paginated reply says it is the last page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LastPage {
    /// Its field (`next`, Django REST Framework's) holds no URL.
    NoNextLink(String),
    /// The items seen so far reach its field (`total`), or it has no items.
    TotalReached(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }
}

impl Operation {
    /// Path, query, header and cookie parameters, in that order.
    pub fn params(&self) -> impl Iterator<Item = &Param> {
        self.path_params
            .iter()
            .chain(&self.query_params)
            .chain(&self.header_params)
            .chain(&self.cookie_params)
    }

    pub fn params_mut(&mut self) -> impl Iterator<Item = &mut Param> {
        self.path_params
            .iter_mut()
            .chain(&mut self.query_params)
            .chain(&mut self.header_params)
            .chain(&mut self.cookie_params)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathPart {
    Literal(String),
    /// Index into `path_params`.
    Param(usize),
}

#[derive(Clone, Debug)]
pub struct Param {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub limits: Limits,
    pub docs: Option<String>,
    pub encoding: ParamEncoding,
    /// The schema's `default`: what the server assumes when the parameter is not sent
    /// (documented, never sent on its own).
    pub default: Option<Value>,
    /// A credential (by the secret rule): `Debug` shows whether it is set, not its value.
    pub sensitive: bool,
}

/// How a parameter's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamEncoding {
    /// By `style`, `explode` and `allowReserved` (defaults already applied).
    Styled(Spelling),
    /// The value as JSON text (a parameter described by `content: application/json`).
    Json,
}

/// OpenAPI's `style`, `explode` and `allowReserved` of a parameter or form field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spelling {
    pub style: Style,
    pub explode: bool,
    pub allow_reserved: bool,
}

impl Spelling {
    /// The location's default style; `explode` defaults to true for `form` only.
    pub fn new(style: Style, explode: Option<bool>, allow_reserved: bool) -> Spelling {
        Spelling {
            style,
            explode: explode.unwrap_or(style == Style::Form),
            allow_reserved,
        }
    }
}

/// OpenAPI's serialization styles (the specification's "Style Values").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

impl Style {
    /// The runtime's name for it (`crate::runtime::Style::<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Style::Simple => "Simple",
            Style::Label => "Label",
            Style::Matrix => "Matrix",
            Style::Form => "Form",
            Style::SpaceDelimited => "SpaceDelimited",
            Style::PipeDelimited => "PipeDelimited",
            Style::DeepObject => "DeepObject",
        }
    }
}

/// A JSON request body.
#[derive(Clone, Debug)]
pub enum Body {
    /// An object (a struct from `Api::types`): each field is an argument or a setter.
    Fields {
        type_id: TypeId,
        /// The fields a caller may set (read-only ones left out), in schema order.
        fields: Vec<BodyField>,
    },
    /// Any other JSON value (an array, a union): one `body` argument or setter.
    Whole { ty: TypeRef, required: bool },
    /// Form fields, sent as `multipart/form-data` (files allowed) or URL-encoded.
    Form {
        encoding: FormEncoding,
        fields: Vec<FormField>,
    },
    /// A multipart body whose schema names no fields: the caller builds the parts
    /// (`runtime::Form`).
    Parts { required: bool },
    /// Not JSON and not a form: `text/*` as a `String`, anything else as bytes.
    Raw {
        media_type: String,
        text: bool,
        required: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormEncoding {
    Multipart,
    UrlEncoded,
}

/// One field of a form body: an argument (required) or a setter.
#[derive(Clone, Debug)]
pub struct FormField {
    pub wire_name: String,
    pub arg_name: String,
    /// `format: binary`: a file part (or, in an array, one file part per item).
    pub file: bool,
    /// An array of files (`file` is set too).
    pub files: bool,
    pub ty: TypeRef,
    pub required: bool,
    pub docs: Option<String>,
    pub encoding: FieldEncoding,
    /// The schema's `default` (documented, never sent on its own).
    pub default: Option<Value>,
    /// A credential (by the secret rule): `Debug` shows whether it is set, not its value.
    pub sensitive: bool,
}

/// How a form field's value goes into the body (the description's `encoding` object).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldEncoding {
    /// Spread over `name=value` pairs as a query parameter would be: every field of a
    /// URL-encoded form, and a multipart field with an explicit `style`.
    Pairs(Spelling),
    /// Multipart: a part (one per item of an array), text for a scalar and JSON for an
    /// object, or the `contentType` the description gives.
    Part { content_type: Option<String> },
}

/// How one body field appears on the operation's builder.
#[derive(Clone, Debug)]
pub struct BodyField {
    /// The field's index in the body struct's `fields`.
    pub field: usize,
    /// The builder's argument (required fields) or setter (optional ones) name.
    pub arg_name: String,
    /// For optional nullable fields, the setter that sends `null`.
    pub null_setter: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    Json(TypeRef),
    /// JSON, or an empty reply (another 2xx has no body): `Option<T>`.
    JsonOrEmpty(TypeRef),
    /// `text/*`: the body as a `String`.
    Text {
        media_type: String,
    },
    /// Anything else (downloads, images): the raw bytes.
    Bytes {
        media_type: String,
    },
    /// Server-sent events or JSON lines, read as they arrive: each event's data is a `data`.
    Stream {
        media_type: String,
        framing: Framing,
        /// Each event's data: JSON of this type, or the text itself for `TypeRef::String`.
        data: TypeRef,
        /// The data of the event that ends the stream (`[DONE]`), from the config.
        end_marker: Option<String>,
    },
    Empty,
}

/// How a streamed reply is cut into events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    ServerSentEvents,
    JsonLines,
}

impl Framing {
    /// The framing of a reply media type, if it is a stream.
    pub fn of(media_type: &str) -> Option<Framing> {
        let essence = media_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "text/event-stream" => Some(Framing::ServerSentEvents),
            "application/jsonl" | "application/x-ndjson" | "application/x-jsonlines" => Some(Framing::JsonLines),
            _ => None,
        }
    }
}

impl Response {
    /// The `Accept` header the call sends.
    pub fn accept(&self) -> &str {
        match self {
            Response::Json(_) | Response::JsonOrEmpty(_) | Response::Empty => "application/json",
            Response::Text { media_type } | Response::Bytes { media_type } | Response::Stream { media_type, .. } => {
                media_type
            }
        }
    }

    /// The type the reply's JSON decodes into (each event's, for a stream).
    pub fn decoded_type(&self) -> Option<&TypeRef> {
        match self {
            Response::Json(ty) | Response::JsonOrEmpty(ty) | Response::Stream { data: ty, .. } => Some(ty),
            Response::Text { .. } | Response::Bytes { .. } | Response::Empty => None,
        }
    }

    pub fn decoded_type_mut(&mut self) -> Option<&mut TypeRef> {
        match self {
            Response::Json(ty) | Response::JsonOrEmpty(ty) | Response::Stream { data: ty, .. } => Some(ty),
            Response::Text { .. } | Response::Bytes { .. } | Response::Empty => None,
        }
    }
}
