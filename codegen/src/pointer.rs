//! JSON pointers (RFC 6901) naming places in the description, for errors and warnings.

use std::fmt;

/// A location in the OpenAPI document, printed as `#/paths/~1api~1x/get`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pointer(String);

impl Pointer {
    pub fn root() -> Self {
        Pointer(String::new())
    }

    /// Parses the fragment of a local `$ref` (`#/components/schemas/X`).
    pub fn from_ref(reference: &str) -> Option<Self> {
        reference.strip_prefix('#').map(|rest| Pointer(rest.to_owned()))
    }

    /// A new pointer one level deeper.
    pub fn join(&self, segment: impl fmt::Display) -> Self {
        let segment = segment.to_string().replace('~', "~0").replace('/', "~1");
        Pointer(format!("{}/{}", self.0, segment))
    }

    /// The unescaped segments, outermost first.
    pub fn segments(&self) -> impl Iterator<Item = String> + '_ {
        self.0
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_slashes_and_tildes() {
        let p = Pointer::root().join("paths").join("/api/{id}").join("a~b");
        assert_eq!(p.to_string(), "#/paths/~1api~1{id}/a~0b");
        assert_eq!(p.segments().collect::<Vec<_>>(), ["paths", "/api/{id}", "a~b"]);
    }

    #[test]
    fn parses_local_refs_only() {
        let p = Pointer::from_ref("#/components/schemas/X").unwrap();
        assert_eq!(p.segments().collect::<Vec<_>>(), ["components", "schemas", "X"]);
        assert!(Pointer::from_ref("other.yaml#/X").is_none());
    }
}
