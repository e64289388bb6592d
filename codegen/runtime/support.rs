//! Helpers the generated types call: a stand-in for secrets in `Debug`, and string
//! enums decoded from borrowed text. Free of HTTP, so a crate of models alone has them.

/// Stands in for a secret in `Debug` output.
#[allow(dead_code)] // only APIs with sensitive fields use it
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Decodes a string enum from the borrowed text: only a value the enum does not know
/// (kept in its catch-all variant) allocates.
#[allow(dead_code)] // only APIs with string enums use it
pub fn str_enum<'de, D, T>(deserializer: D, from: fn(&str) -> T) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Text<T>(fn(&str) -> T);

    impl<T> serde::de::Visitor<'_> for Text<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
            Ok((self.0)(text))
        }
    }

    deserializer.deserialize_str(Text(from))
}
