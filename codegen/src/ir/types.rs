//! The IR's types: named types (structs, enums, unions), their fields, and the
//! references that use them.

use serde_json::Value;

/// A named type: its index in [`Api::types`](super::Api::types).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

#[derive(Clone, Debug)]
pub struct TypeDef<I = TypeId> {
    /// Final Rust name, unique in the crate.
    pub name: String,
    /// JSON pointer of the schema it came from.
    pub origin: String,
    pub docs: Option<String>,
    pub usage: Usage,
    /// The serde traits it implements without the `roundtrip` feature: what its
    /// direction needs, and what the types holding it need of it.
    pub derives: Derives,
    pub kind: TypeKind<I>,
    /// Set when an earlier type (by name) has this shape and direction (docs aside):
    /// this one is emitted as `pub type Name = Other;` so the compiler derives once.
    pub alias_of: Option<I>,
    /// The models module it is emitted in.
    pub home: Home,
    /// Which file of its module: a big module is split into files of at most
    /// [`TYPES_PER_FILE`] types, so none holds tens of thousands of lines.
    pub part: usize,
    /// With [`Crate::group_features`](super::Crate::group_features): the features (top-level groups) any of which
    /// compiles it, sorted. Empty: always compiled (webhook payloads, unused types, and
    /// every type without group features).
    pub features: Vec<String>,
}

/// The most types one models file holds.
pub const TYPES_PER_FILE: usize = 80;

impl<I> TypeDef<I> {
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
pub enum TypeKind<I = TypeId> {
    Struct(Struct<I>),
    StringEnum(StringEnum),
    IntEnum(IntEnum),
    /// `oneOf` / `anyOf`: one of several shapes.
    Union(Union<I>),
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
pub struct Union<I = TypeId> {
    pub variants: Vec<UnionVariant<I>>,
    /// The property whose value names the variant (`discriminator.propertyName`).
    pub discriminator: Option<String>,
    pub fallback_variant: String,
}

#[derive(Clone, Debug)]
pub struct UnionVariant<I = TypeId> {
    pub rust_name: String,
    pub ty: TypeRef<I>,
    /// Discriminator values that select this variant.
    pub tags: Vec<String>,
    pub docs: Option<String>,
    /// Boxed to break a cycle of types containing each other.
    pub boxed: bool,
}

#[derive(Clone, Debug)]
pub struct Struct<I = TypeId> {
    pub fields: Vec<Field<I>>,
    /// `additionalProperties` beside named ones: the other keys, kept in a map.
    pub additional: Option<Additional<I>>,
}

/// The map field holding keys an object has beyond its named properties.
#[derive(Clone, Debug)]
pub struct Additional<I = TypeId> {
    pub rust_name: String,
    pub ty: TypeRef<I>,
}

#[derive(Clone, Debug)]
pub struct Field<I = TypeId> {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: TypeRef<I>,
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
    /// How the field is held and travels in its type, decided from the facts above and
    /// the type's [`Usage`] once lowering knows it.
    pub state: FieldState,
}

/// How a field is held in its struct and how serde moves it — the one place these are
/// decided (typify calls it `StructPropertyState`); emit spells each state, nothing more.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldState {
    /// Not in the type: read-only in a type only sent, write-only in one only received.
    Absent,
    /// `T`, always present on the wire.
    Required,
    /// `T`; when the server leaves it out, the schema's default fills it.
    Defaulted(DefaultFill),
    /// `Option<T>`: may be absent (or null, which decodes as absent).
    Optional(Sending),
    /// `Option<Nullable<T>>`: absent, null, or a value — three states a PATCH can mean;
    /// a `null` on the wire decodes as `Some(Nullable::Null)`.
    OptionalNullable(Sending),
}

/// Where a defaulted field's value comes from when the wire leaves it out.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DefaultFill {
    /// The Rust type's own `Default` equals the schema's default (`false`, `0`, `""`, `[]`).
    TypeDefault,
    /// A function of this name, unique in the crate, returns it.
    Function(String),
}

/// When an optional field is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sending {
    /// Only when set: `None` is left out.
    WhenSet,
    /// Always, `None` as `null`: a required nullable field of a type that is sent.
    Always,
    /// Never: read-only, in a type that is sent and received.
    Never,
}

impl<I> Field<I> {
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
pub enum TypeRef<I = TypeId> {
    Bool,
    Int(IntWidth),
    Float(FloatWidth),
    String,
    DateTime,
    Date,
    /// Any JSON value.
    Json,
    Named(I),
    Array(Box<TypeRef<I>>),
    /// An object with arbitrary keys.
    Map(Box<TypeRef<I>>),
    /// An array item or map value that may be `null` (`Vec<Option<T>>`); fields carry
    /// their own nullability (see [`Field`]).
    Nullable(Box<TypeRef<I>>),
}

/// The walk over types every pass shares: a reference names at most one type (the
/// innermost, under arrays, maps and nullables), and a type's references are its
/// fields', additional map's and variants'. Ids are rewritten by `map_ids` (`fold.rs`).
impl<I: Copy> TypeRef<I> {
    /// The type under any arrays, maps and nullables.
    pub fn innermost(&self) -> &TypeRef<I> {
        match self {
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => inner.innermost(),
            other => other,
        }
    }

    /// The named type inside, if any.
    pub fn named(&self) -> Option<I> {
        match self.innermost() {
            TypeRef::Named(id) => Some(*id),
            _ => None,
        }
    }
}

impl<I> TypeKind<I> {
    /// Every type reference the type holds (absent fields too), each with its field
    /// when it is one (not the additional map or a variant).
    pub fn refs(&self) -> impl Iterator<Item = (Option<&Field<I>>, &TypeRef<I>)> {
        let (fields, additional, variants) = match self {
            TypeKind::Struct(s) => (&s.fields[..], s.additional.as_ref(), &[][..]),
            TypeKind::Union(u) => (&[][..], None, &u.variants[..]),
            TypeKind::StringEnum(_) | TypeKind::IntEnum(_) => (&[][..], None, &[][..]),
        };
        let fields = fields.iter().map(|f| (Some(f), &f.ty));
        let others = additional
            .map(|a| &a.ty)
            .into_iter()
            .chain(variants.iter().map(|v| &v.ty));
        fields.chain(others.map(|ty| (None, ty)))
    }
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
