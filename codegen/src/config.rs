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
    /// URL prefix → local folder (relative to the config file): where `$ref`s to
    /// `http(s)` URLs are read from. Without one, such a `$ref` is an error: the
    /// generator reads nothing from the network.
    #[serde(default)]
    pub ref_mirrors: BTreeMap<String, PathBuf>,
    /// The folder every file a `$ref` reads must be in (relative to the config file);
    /// by default the description's own folder.
    #[serde(default)]
    pub ref_root: Option<PathBuf>,
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
    #[serde(default)]
    pub streams: StreamsConfig,
    #[serde(default)]
    pub retries: RetriesConfig,
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
    /// Where the client's runtime comes from: a Cargo dependency on the
    /// `openapi-typed-runtime` crate, or (absent) a copy in the crate's `src/runtime/`.
    #[serde(default)]
    pub runtime: Option<RuntimeDependency>,
    /// Each top-level group of calls behind a cargo feature of its name (all on by
    /// default), and each model compiled only when a group that needs it is on.
    #[serde(default)]
    pub group_features: bool,
}

/// The `openapi-typed-runtime` dependency as Cargo takes it: `path` (relative to the
/// generated crate's folder), `git` with an optional `rev`, or a registry `version`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeDependency {
    pub path: Option<String>,
    pub git: Option<String>,
    pub rev: Option<String>,
    pub version: Option<String>,
}

impl RuntimeDependency {
    /// The `(key, value)` pairs of the dependency's inline table, in Cargo's usual order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("version", &self.version),
            ("path", &self.path),
            ("git", &self.git),
            ("rev", &self.rev),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.clone().map(|v| (key, v)))
        .collect()
    }

    fn problem(&self) -> Option<&'static str> {
        if self.path.is_none() && self.git.is_none() && self.version.is_none() {
            return Some("`[crate] runtime` needs `path`, `git` or `version`");
        }
        if self.rev.is_some() && self.git.is_none() {
            return Some("`[crate] runtime`: `rev` goes with `git`");
        }
        None
    }
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
    /// What groups the calls: the operations' tags (the default; by path when no
    /// operation has one), or their paths' resources.
    #[serde(default)]
    pub by: GroupBy,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    #[default]
    Tags,
    Paths,
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

/// What the server promises about repeated requests.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetriesConfig {
    /// The server carries out a request at most once per `Idempotency-Key` on every
    /// call (Stripe's), not only where the description declares the header: a keyed
    /// POST or PATCH may then be retried.
    #[serde(default)]
    pub idempotency_key: bool,
}

/// Streamed replies (server-sent events, JSON lines).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamsConfig {
    /// The data of the event that ends every stream of the API (OpenAI's `[DONE]`):
    /// the stream ends there, without decoding it.
    #[serde(default)]
    pub end_marker: Option<String>,
    /// operationId → the schema (`#/components/schemas/...`) of each event's data, for
    /// streams the description gives no schema.
    #[serde(default)]
    pub data: BTreeMap<String, String>,
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
        if config.krate.group_features && config.krate.types_only {
            return Err(config.error(
                "`[crate] group_features` puts groups of calls behind features; a `types_only` crate has no calls",
            ));
        }
        if let Some(runtime) = &config.krate.runtime {
            if config.krate.types_only {
                return Err(
                    config.error("`[crate] runtime` is for clients; a `types_only` crate has no runtime to share")
                );
            }
            if let Some(problem) = runtime.problem() {
                return Err(config.error(problem));
            }
        }
        Ok(config)
    }

    /// The description's path, resolved against the config's folder.
    pub fn schema_path(&self) -> PathBuf {
        self.relative(&self.schema)
    }

    /// `[ref_mirrors]` and `ref_root`, resolved against the config's folder.
    pub fn ref_sources(&self) -> crate::load::RefSources {
        let mirrors = self.ref_mirrors.iter();
        crate::load::RefSources {
            mirrors: mirrors
                .map(|(url, folder)| (url.clone(), self.relative(folder)))
                .collect(),
            root: self.ref_root.as_ref().map(|root| self.relative(root)),
        }
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

    fn with_crate_lines(lines: &str) -> std::result::Result<Config, String> {
        let text = MINIMAL.replace("version = \"0.1.0\"\n", &format!("version = \"0.1.0\"\n{lines}\n"));
        Config::parse(Path::new("c.toml"), &text).map_err(|e| e.to_string())
    }

    #[test]
    fn runtime_dependency_keeps_cargos_key_order() {
        let c = with_crate_lines("runtime = { rev = \"abc\", git = \"https://example.com/r\" }").unwrap();
        let pairs = c.krate.runtime.unwrap().pairs();
        assert_eq!(
            pairs,
            [("git", "https://example.com/r".to_owned()), ("rev", "abc".to_owned())]
        );
    }

    #[test]
    fn group_features_are_refused_for_types_only() {
        let err = with_crate_lines("types_only = true\ngroup_features = true").unwrap_err();
        assert!(err.contains("`[crate] group_features`"), "{err}");
        assert!(with_crate_lines("group_features = true").unwrap().krate.group_features);
    }

    #[test]
    fn runtime_dependency_without_a_source_is_refused() {
        let err = with_crate_lines("runtime = {}").unwrap_err();
        assert!(err.contains("needs `path`, `git` or `version`"), "{err}");
        let err = with_crate_lines("runtime = { path = \"r\", rev = \"abc\" }").unwrap_err();
        assert!(err.contains("`rev` goes with `git`"), "{err}");
    }

    #[test]
    fn runtime_dependency_is_refused_for_types_only() {
        let err = with_crate_lines("types_only = true\nruntime = { path = \"r\" }").unwrap_err();
        assert!(err.contains("types_only"), "{err}");
    }
}
