//! Helpers the generated types call: a stand-in for secrets in `Debug`, string enums
//! decoded from borrowed text, serde messages without the values they quote. Free of
//! HTTP, so a crate of models alone has them.

/// A random number, different on every call (seeded per process by the standard
/// library's `RandomState`, mixed with the time): for jitter and unique names, not
/// for secrets.
#[allow(dead_code)] // a crate of models alone has no use for it
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::UNIX_EPOCH.elapsed().unwrap_or_default();
    hasher.write_u128(now.as_nanos());
    hasher.finish()
}

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

/// serde quotes offending values, unescaped (`invalid type: string "…", expected i64`,
/// ``unknown variant `…`, expected …``); they may be secrets. Everything from the first
/// quote to the last one before `, expected` goes (a value may hold quotes itself);
/// failing that, whatever is inside double quotes.
pub(crate) fn elide_quoted(message: &str) -> String {
    let first_quote = message.find(['"', '`']);
    if let Some(start) = first_quote {
        let quote = &message[start..start + 1];
        if let Some(end) = message.rfind(&format!("{quote}, expected")).filter(|end| *end > start) {
            return format!("{}{quote}…{}", &message[..start], &message[end..]);
        }
    }
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for c in message.chars() {
        match (c, inside) {
            ('"', false) => {
                inside = true;
                out.push_str("\"…");
            }
            ('"', true) => {
                inside = false;
                out.push('"');
            }
            (_, true) => {}
            (c, false) => out.push(c),
        }
    }
    out
}
