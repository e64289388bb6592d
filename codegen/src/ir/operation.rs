//! The IR's operations: a call's inputs, body, replies, errors and pagination.

use serde_json::Value;

use super::{Limits, TypeId, TypeRef};

#[derive(Clone, Debug)]
pub struct Operation<I = TypeId> {
    pub id: String,
    /// JSON pointer of the operation object.
    pub origin: String,
    /// Module path below the crate root, e.g. `["import_storage", "s3"]`.
    pub group: Vec<String>,
    pub method_name: String,
    /// The builder type `method_name` returns, unique in the group's module.
    pub builder: String,
    pub http_method: HttpMethod,
    /// The path template as written in the description.
    pub path: String,
    pub path_parts: Vec<PathPart>,
    pub path_params: Vec<Param<I>>,
    pub query_params: Vec<Param<I>>,
    pub header_params: Vec<Param<I>>,
    pub cookie_params: Vec<Param<I>>,
    pub body: Option<Body<I>>,
    /// Body fields the call sets itself, by wire name: `stream` of a call that streams
    /// (`true`) or of its JSON twin (`false`, where the API's default is `true`).
    pub body_flags: Vec<(String, bool)>,
    pub response: Response<I>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub authenticated: bool,
    /// The server carries this call out at most once per `Idempotency-Key` (it declares
    /// the header, or the config says every call does): with a key, it may be retried.
    pub honours_idempotency_key: bool,
    /// Documented error replies, for the docs and for `ApiError::body_as`.
    pub errors: Vec<ErrorReply<I>>,
    /// Set for page-numbered lists (Django REST Framework's `count`/`next`/`results`).
    pub pagination: Option<Pagination<I>>,
}

/// An error reply the description documents.
#[derive(Clone, Debug)]
pub struct ErrorReply<I = TypeId> {
    /// `404`, `4XX` or `default`.
    pub status: String,
    pub description: String,
    /// Its JSON body's type, when one is described.
    pub body: Option<TypeRef<I>>,
}

/// How to walk a paginated list: set `page_setter` to 1, 2, ... until the last page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pagination<I = TypeId> {
    /// The builder setter of the `page` query parameter.
    pub page_setter: String,
    /// The response field holding the items.
    pub results_field: String,
    pub last_page: LastPage,
    pub item: TypeRef<I>,
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

impl<I> Operation<I> {
    /// Path, query, header and cookie parameters, in that order.
    pub fn params(&self) -> impl Iterator<Item = &Param<I>> {
        self.path_params
            .iter()
            .chain(&self.query_params)
            .chain(&self.header_params)
            .chain(&self.cookie_params)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathPart {
    Literal(String),
    /// Index into `path_params`.
    Param(usize),
}

#[derive(Clone, Debug)]
pub struct Param<I = TypeId> {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: TypeRef<I>,
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
pub enum Body<I = TypeId> {
    /// An object (a struct from `Api::types`): each field is an argument or a setter.
    Fields {
        type_id: I,
        /// The fields a caller may set (read-only ones left out), in schema order.
        fields: Vec<BodyField>,
    },
    /// Any other JSON value (an array, a union): one `body` argument or setter.
    Whole { ty: TypeRef<I>, required: bool },
    /// Form fields, sent as `multipart/form-data` (files allowed) or URL-encoded.
    Form {
        encoding: FormEncoding,
        fields: Vec<FormField<I>>,
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
pub struct FormField<I = TypeId> {
    pub wire_name: String,
    pub arg_name: String,
    /// `format: binary`: a file part (or, in an array, one file part per item).
    pub file: bool,
    /// An array of files (`file` is set too).
    pub files: bool,
    pub ty: TypeRef<I>,
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
    /// A required field: an argument of the call, not a setter.
    pub argument: bool,
    /// For optional nullable fields, the setter that sends `null`.
    pub null_setter: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response<I = TypeId> {
    Json(TypeRef<I>),
    /// JSON, or an empty reply (another 2xx has no body): `Option<T>`.
    JsonOrEmpty(TypeRef<I>),
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
        data: TypeRef<I>,
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

impl<I> Response<I> {
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
    pub fn decoded_type(&self) -> Option<&TypeRef<I>> {
        match self {
            Response::Json(ty) | Response::JsonOrEmpty(ty) | Response::Stream { data: ty, .. } => Some(ty),
            Response::Text { .. } | Response::Bytes { .. } | Response::Empty => None,
        }
    }
}
