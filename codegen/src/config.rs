//! The generator config (`codegen.toml`): what to generate from which description,
//! and the few decisions a description cannot express (readable names, secrets).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The OpenAPI description, relative to the config file.
    pub schema: PathBuf,
    /// Overlay documents (OpenAPI Overlay 1.0) correcting the description, applied in
    /// order after loading; relative to the config file.
    #[serde(default)]
    pub overlays: Vec<PathBuf>,
    #[serde(rename = "crate")]
    pub krate: CrateConfig,
    pub operations: OperationsConfig,
    #[serde(default)]
    pub groups: GroupsConfig,
    #[serde(default)]
    pub types: TypesConfig,
    #[serde(default)]
    pub fields: FieldsConfig,
    #[serde(default)]
    pub auth: AuthConfig,
    /// Where the config was read from; relative paths resolve against its folder.
    #[serde(skip)]
    pub file: PathBuf,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateConfig {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Only the models (and `Nullable`, the request limits): no client, no HTTP
    /// dependencies.
    #[serde(default)]
    pub types_only: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationsConfig {
    /// `"all"`, or the operationIds to generate, in any order.
    pub include: Selection,
    /// Only operations with one of these tags (all tags when empty).
    #[serde(default)]
    pub tags: Vec<String>,
    /// operationIds left out even when `include` and `tags` take them.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// operationId → method name (`list`), or group path and method name
    /// (`views::replace`) to move the call to another group.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
}

/// Which operations to generate.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Selection {
    /// `include = "all"`.
    Keyword(String),
    /// `include = ["op_a", "op_b"]`.
    Ids(Vec<String>),
}

impl OperationsConfig {
    /// The listed operationIds, or `None` for all.
    pub fn ids(&self) -> Option<&[String]> {
        match &self.include {
            Selection::Ids(ids) => Some(ids),
            Selection::Keyword(_) => None,
        }
    }

    /// Does an operation with this id and these tags belong in the output?
    pub fn wants(&self, id: Option<&str>, tags: &[String]) -> bool {
        let by_id = match self.ids() {
            Some(ids) => id.is_some_and(|id| ids.iter().any(|i| i == id)),
            None => true,
        };
        let excluded = id.is_some_and(|id| self.exclude.iter().any(|e| e == id));
        by_id && !excluded && (self.tags.is_empty() || tags.iter().any(|t| self.tags.contains(t)))
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupsConfig {
    /// Group path as the description names it (`data_manager`, `import_storage::s3`) →
    /// the path to use instead (`dm`, `storages::s3_import`).
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypesConfig {
    /// Schema name (or the generated name of an inline schema) → Rust type name.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldsConfig {
    /// Property names (`field`, or `Schema.field`) whose values are secrets.
    #[serde(default)]
    pub sensitive: Vec<String>,
    /// Property names (`field`, or `Schema.field`) the name rule would take for secrets
    /// but are not (a `token_count`, say).
    #[serde(default)]
    pub not_sensitive: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// An operation that trades a long-lived refresh token for short-lived access tokens.
    #[serde(default)]
    pub token_exchange: Option<TokenExchangeConfig>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenExchangeConfig {
    pub operation: String,
    /// The `Authorization` scheme the access token is sent with.
    #[serde(default = "default_scheme")]
    pub scheme: String,
}

fn default_scheme() -> String {
    "Bearer".to_owned()
}

impl Config {
    pub fn load(file: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
            path: file.to_owned(),
            source,
        })?;
        Config::parse(file, &text)
    }

    pub fn parse(file: &Path, text: &str) -> Result<Config> {
        let mut config: Config = toml::from_str(text).map_err(|err| {
            let (line, column) = err.span().map(|span| line_column(text, span.start)).unwrap_or((0, 0));
            Error::Syntax {
                file: file.to_owned(),
                line,
                column,
                message: err.message().to_owned(),
            }
        })?;
        config.file = file.to_owned();
        if let Selection::Keyword(word) = &config.operations.include
            && word != "all"
        {
            return Err(config.error(format!(
                "`[operations] include` must be \"all\" or a list of operationIds, not \"{word}\""
            )));
        }
        Ok(config)
    }

    /// The description's path, resolved against the config's folder.
    pub fn schema_path(&self) -> PathBuf {
        self.relative(&self.schema)
    }

    /// The overlays' paths, resolved against the config's folder, in order.
    pub fn overlay_paths(&self) -> Vec<PathBuf> {
        self.overlays.iter().map(|o| self.relative(o)).collect()
    }

    fn relative(&self, path: &Path) -> PathBuf {
        self.file.parent().unwrap_or_else(|| Path::new(".")).join(path)
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> Error {
        Error::Config {
            file: self.file.clone(),
            message: message.into(),
        }
    }

    /// Is `field` of schema `type_name` listed as sensitive?
    pub(crate) fn is_sensitive(&self, type_name: &str, field: &str) -> bool {
        names_field(&self.fields.sensitive, type_name, field)
    }

    /// Is `field` of schema `type_name` listed as not sensitive, whatever its name says?
    pub(crate) fn is_not_sensitive(&self, type_name: &str, field: &str) -> bool {
        names_field(&self.fields.not_sensitive, type_name, field)
    }
}

/// Does a list of `field` / `Schema.field` entries name this field?
fn names_field(entries: &[String], type_name: &str, field: &str) -> bool {
    entries.iter().any(|entry| match entry.split_once('.') {
        Some((ty, f)) => ty == type_name && f == field,
        None => entry == field,
    })
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.len(), |i| before.len() - i - 1) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str =
        "schema = \"a.yaml\"\n[crate]\nname = \"x\"\nversion = \"0.1.0\"\n[operations]\ninclude = [\"op\"]\n";

    #[test]
    fn parses_minimal_config() {
        let c = Config::parse(Path::new("dir/codegen.toml"), MINIMAL).unwrap();
        assert_eq!(c.schema_path(), Path::new("dir/a.yaml"));
        assert_eq!(c.operations.ids(), Some(&["op".to_owned()][..]));
    }

    #[test]
    fn unknown_key_is_located() {
        let text = format!("{MINIMAL}[types]\nrenmae = {{}}\n");
        let err = Config::parse(Path::new("c.toml"), &text).unwrap_err();
        let Error::Syntax { line, message, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*line, 8);
        assert!(message.contains("unknown field `renmae`"), "{message}");
    }

    #[test]
    fn sensitive_matches_plain_and_qualified_names() {
        let text = format!("{MINIMAL}[fields]\nsensitive = [\"secret\", \"A.key\"]\n");
        let c = Config::parse(Path::new("c.toml"), &text).unwrap();
        assert!(c.is_sensitive("Any", "secret"));
        assert!(c.is_sensitive("A", "key"));
        assert!(!c.is_sensitive("B", "key"));
    }
}
