//! Every Rust name the generator invents comes from here: wire name → identifier,
//! keywords, leading digits, and collisions. Emission trusts these names to be valid.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that cannot be plain identifiers (strict and reserved, all editions).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// What Rust's prelude puts in every module (types, traits, variants): a generated type
/// of one of these names would shadow it for the code beside it (`Option<String>` in a
/// file defining `struct Option` no longer compiles).
#[rustfmt::skip]
const PRELUDE: &[&str] = &[
    "AsMut", "AsRef", "AsyncFn", "AsyncFnMut", "AsyncFnOnce", "Box", "Clone", "Copy", "Default",
    "DoubleEndedIterator", "Drop", "Eq", "Err", "ExactSizeIterator", "Extend", "Fn", "FnMut", "FnOnce", "From",
    "FromIterator", "Future", "Into", "IntoFuture", "IntoIterator", "Iterator", "None", "Ok", "Option", "Ord",
    "PartialEq", "PartialOrd", "Result", "Send", "Sized", "Some", "String", "Sync", "ToOwned", "ToString", "TryFrom",
    "TryInto", "Unpin", "Vec",
];

/// Methods every operation's builder has (some behind a feature) besides its inputs'
/// setters: part of every call's API, so not of one operation's (the API change report
/// leaves them out), and names no input may take.
pub const BUILDER_METHODS: &[&str] = &[
    "send",
    "send_with_response",
    "send_blocking",
    "send_with_response_blocking",
    "send_stream",
    "send_stream_blocking",
    "options",
    "all_items",
    "all_items_blocking",
    // Feature `mock`.
    "returns",
    "fails",
];

/// The builder's private members and `send()`'s locals: names no input may take either.
pub const BUILDER_INTERNALS: &[&str] = &[
    "request",
    "body",
    "client",
    "request_spec",
    "query_pairs",
    "header_pairs",
    "form_parts",
    "form_pairs",
    "cookie_pairs",
];

/// Does `name` shadow an item of Rust's prelude?
pub fn is_prelude(name: &str) -> bool {
    PRELUDE.contains(&name)
}

/// A type name that shadows nothing of the prelude: `Result` → `ResultModel`.
pub fn unshadowed(name: &str) -> String {
    if is_prelude(name) {
        format!("{name}Model")
    } else {
        name.to_owned()
    }
}

/// A group's handle type: `projects` → `ProjectsApi`.
pub fn handle_name(segment: &str) -> String {
    format!("{}Api", type_name(segment))
}

/// A call's builder type, before its group's scope tells it apart: `get_v2` → `GetV2Builder`.
pub fn builder_name(method: &str) -> String {
    format!("{}Builder", type_name(method))
}

/// `StatusC5aEnum`, `s3 import storage` → `S3ImportStorage`.
pub fn type_name(raw: &str) -> String {
    let name = words(raw).to_upper_camel_case();
    finish(name, "Type", "T")
}

/// `aws_access_key_id`, `seriesName` → `series_name`; `type` → `type_`.
pub fn field_name(raw: &str) -> String {
    let name = words(raw).to_snake_case();
    finish(name, "value", "field_")
}

/// Module names follow field rules, in ASCII: Rust refuses a file module with another
/// name (E0754).
pub fn module_name(raw: &str) -> String {
    let name = ascii_words(raw).to_snake_case();
    finish(name, "value", "field_")
}

/// Enum variants: `in_progress` → `InProgress`; `-created_at` → `MinusCreatedAt`.
pub fn variant_name(raw: &str) -> String {
    let spelled = raw
        .strip_prefix('-')
        .map(|rest| format!("minus {rest}"))
        .or_else(|| raw.strip_prefix('+').map(|rest| format!("plus {rest}")))
        .unwrap_or_else(|| raw.to_owned());
    let name = words(&spelled).to_upper_camel_case();
    finish(name, "Empty", "V")
}

/// Does a property's name say it holds a credential? `password`, `client_secret`,
/// `aws_session_token`, `account_key`, `google_application_credentials`, and a JWT
/// pair's `access` / `refresh` do; `token_type`, `secret_name`, `aws_access_key_id`
/// (names, kinds and ids of secrets, not secrets) do not.
pub fn says_credential(wire_name: &str) -> bool {
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "passphrase",
        "pass",
        "pwd",
        "secret",
        "secrets",
        "credential",
        "credentials",
        "token",
        "tokens",
        "apikey",
        "authorization",
    ];
    const KEY_KINDS: &[&str] = &[
        "api",
        "account",
        "private",
        "access",
        "secret",
        "signing",
        "encryption",
        "master",
    ];
    /// A last word that makes the name about a secret rather than the secret itself.
    const ABOUT: &[&str] = &[
        "id",
        "ids",
        "type",
        "kind",
        "count",
        "ttl",
        "name",
        "names",
        "url",
        "uri",
        "enabled",
        "set",
        "expires",
        "expiry",
        "expiration",
        "lifetime",
        "length",
        "prefix",
        "hint",
        "required",
        "at",
        "date",
        "version",
    ];
    /// Words that make a token a place in a list, not a credential (`next_page_token`).
    const PAGING: &[&str] = &["page", "next", "continuation", "cursor", "pagination"];
    let name = words(wire_name).to_snake_case();
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    if matches!(words.as_slice(), ["access"] | ["refresh"]) {
        return true;
    }
    if words.last().is_some_and(|last| ABOUT.contains(last)) || words.iter().any(|w| PAGING.contains(w)) {
        return false;
    }
    words.iter().any(|w| WORDS.contains(w))
        || words
            .windows(2)
            .any(|pair| KEY_KINDS.contains(&pair[0]) && pair[1] == "key")
}

/// Wire text with every character that cannot be in an identifier (punctuation, `_`
/// too) turned into a word break; letters of any script stay, as Rust allows them.
fn words(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            let kept = c.is_ascii_alphanumeric() || (!c.is_ascii() && unicode_ident::is_xid_continue(c));
            if kept { c } else { ' ' }
        })
        .collect()
}

/// [`words`], keeping ASCII letters and digits only.
fn ascii_words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

fn finish(name: String, if_empty: &str, digit_prefix: &str) -> String {
    if name.is_empty() {
        return if_empty.to_owned();
    }
    // A digit or a combining mark cannot begin an identifier.
    let name = if name.starts_with(|c: char| !unicode_ident::is_xid_start(c)) {
        format!("{digit_prefix}{name}")
    } else {
        name
    };
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// Hands out names unique within one scope; later claimants get `2`, `3`, ... suffixes.
#[derive(Debug, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    pub fn new() -> Scope {
        Scope::default()
    }

    /// Marks `name` as used without checking; for names fixed elsewhere.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_owned());
    }

    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// `candidate` if free, else the first free `candidate2`, `candidate3`, ...
    /// (`candidate_2` for snake_case names).
    pub fn claim(&mut self, candidate: &str) -> String {
        let mut name = candidate.to_owned();
        let separator = if candidate.contains('_') || candidate.starts_with(char::is_lowercase) {
            "_"
        } else {
            ""
        };
        let base = candidate.trim_end_matches('_');
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}{separator}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

/// Does `name` parse as a (non-raw) Rust identifier? Guards `format_ident!`.
pub fn is_valid_ident(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| unicode_ident::is_xid_start(c) || c == '_');
    first_ok && name != "_" && chars.all(unicode_ident::is_xid_continue) && !KEYWORDS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        assert_eq!(type_name("StatusC5aEnum"), "StatusC5aEnum");
        assert_eq!(type_name("S3ImportStorage"), "S3ImportStorage");
        assert_eq!(
            type_name("import_storage s3 update request"),
            "ImportStorageS3UpdateRequest"
        );
        assert_eq!(type_name("2fa"), "T2fa");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(type_name("ünïcode"), "Ünïcode");
        assert_eq!(type_name("größe_in_cm"), "GrößeInCm");
        assert_eq!(type_name("\u{301}accent"), "Accent");
        assert_eq!(type_name(""), "Type");
    }

    #[test]
    fn prelude_names_are_not_shadowed() {
        assert_eq!(unshadowed("Result"), "ResultModel");
        assert_eq!(unshadowed("Some"), "SomeModel");
        assert_eq!(unshadowed("Results"), "Results");
    }

    #[test]
    fn field_names() {
        assert_eq!(field_name("aws_access_key_id"), "aws_access_key_id");
        assert_eq!(field_name("seriesName"), "series_name");
        assert_eq!(field_name("deployment.series_name"), "deployment_series_name");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("$ref"), "ref_");
        assert_eq!(field_name("1st"), "field_1st");
        assert_eq!(field_name("_"), "value");
        assert_eq!(field_name("@"), "value");
        assert_eq!(field_name("Größe"), "größe");
        assert_eq!(field_name("名前"), "名前");
        assert_eq!(module_name("Übersicht"), "bersicht");
    }

    #[test]
    fn variant_names() {
        assert_eq!(variant_name("in_progress"), "InProgress");
        assert_eq!(variant_name("completed_with_errors"), "CompletedWithErrors");
        assert_eq!(variant_name("-created_at"), "MinusCreatedAt");
        assert_eq!(variant_name("created_at"), "CreatedAt");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("1"), "V1");
    }

    #[test]
    fn every_generated_name_is_a_valid_ident() {
        let samples = [
            "",
            "_",
            "__",
            "a b",
            "0",
            "type",
            "Self",
            "é",
            "a-b",
            "--",
            "x.y.z",
            "A1_b2",
            "\u{301}",
            "٣",
            "名前",
            "a\u{200d}b",
        ];
        for s in samples {
            for name in [type_name(s), field_name(s), variant_name(s), module_name(s)] {
                assert!(is_valid_ident(&name), "{s:?} gave invalid {name:?}");
            }
        }
    }

    #[test]
    fn credential_names() {
        for secret in [
            "password",
            "task_data_password",
            "basic_auth_pass",
            "aws_secret_access_key",
            "aws_session_token",
            "account_key",
            "google_application_credentials",
            "token",
            "access",
            "refresh",
            "clientSecret",
            "X-Api-Key",
            "apiKey",
            "private_key",
        ] {
            assert!(says_credential(secret), "{secret} should be a secret");
        }
        for plain in [
            "aws_access_key_id",
            "aws_sse_kms_key_id",
            "key",
            "auth_method",
            "token_type",
            "secret_name",
            "password_set",
            "access_level",
            "refresh_interval",
            "passenger",
            "keyboard",
            "title",
            "next_page_token",
            "pageToken",
            "continuation_token",
            "cursor_token",
        ] {
            assert!(!says_credential(plain), "{plain} should not be a secret");
        }
    }

    #[test]
    fn scope_suffixes_collisions_deterministically() {
        let mut scope = Scope::new();
        assert_eq!(scope.claim("series_name"), "series_name");
        assert_eq!(scope.claim("series_name"), "series_name_2");
        assert_eq!(scope.claim("Thing"), "Thing");
        assert_eq!(scope.claim("Thing"), "Thing2");
        assert_eq!(scope.claim("type_"), "type_");
        assert_eq!(scope.claim("type_"), "type_2");
    }
}
