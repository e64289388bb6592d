//! `cargo xtask corpus --suites`: the peer generators' own test inputs
//! (`corpus/suites/SUITES.toml`): every document generated with every operation, then
//! all of them linted with `clippy -D warnings` and doctested in one workspace. A
//! document a suite keeps as deliberately invalid passes when generation fails with
//! the error the table expects (located: the message names where).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Deserialize;

use crate::corpus::{Generation, check_file, generate, pass_fail};
use crate::crate_checks::Workspace;
use crate::error::{AtPath, Error, Result};

#[derive(Deserialize)]
struct Suites {
    suite: Vec<Suite>,
}

/// One peer's test inputs, copied under `corpus/suites/<name>/`.
#[derive(Deserialize)]
struct Suite {
    name: String,
    repo: String,
    /// The commit the files are from (a document may name its own).
    commit: String,
    licence: String,
    document: Vec<Document>,
}

#[derive(Deserialize)]
struct Document {
    /// Path in the repository; the copy is `corpus/suites/<suite>/<file name>` unless
    /// `file` says otherwise (documents split across files keep their folders).
    path: String,
    #[serde(default)]
    file: Option<String>,
    sha256: String,
    #[serde(default)]
    commit: Option<String>,
    /// The other files of a document split across files: file → sha256.
    #[serde(default)]
    more: BTreeMap<String, String>,
    /// A deliberately invalid document: the error generation must give.
    #[serde(default)]
    expect_error: Option<String>,
    /// The folder its `$ref`s may read from, relative to the suite's (default: the
    /// document's own).
    #[serde(default)]
    ref_root: Option<String>,
}

impl Document {
    fn file(&self) -> &str {
        self.file
            .as_deref()
            .unwrap_or_else(|| self.path.rsplit('/').next().unwrap_or(&self.path))
    }

    /// The crate's name: `suite-<suite>-<file>`, in cargo's spelling (the extension
    /// kept: a suite may hold `x.json` and `x.yaml`).
    fn package(&self, suite: &str) -> String {
        let name: String = format!("suite-{suite}-{}", self.file())
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        name.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
    }
}

/// What became of one document.
struct Row<'a> {
    suite: &'a Suite,
    document: &'a Document,
    package: String,
    generation: std::result::Result<Generation, String>,
    clippy: Option<bool>,
    doctests: Option<bool>,
}

impl Row<'_> {
    fn passed(&self) -> bool {
        match (&self.document.expect_error, &self.generation) {
            (Some(expected), Err(error)) => error.contains(expected.as_str()),
            (Some(_), Ok(_)) => false,
            (None, Ok(_)) => self.clippy == Some(true) && self.doctests == Some(true),
            (None, Err(_)) => false,
        }
    }
}

pub fn run(root: &Path) -> Result<ExitCode> {
    let folder = root.join("corpus/suites");
    let list = folder.join("SUITES.toml");
    let text = fs::read_to_string(&list).at(&list)?;
    let suites: Suites = toml::from_str(&text).map_err(|e| Error::unexpected(list.display(), e.to_string()))?;
    let work = root.join("target/suites");
    let crates = work.join("crates");
    let mut rows = Vec::new();
    for suite in &suites.suite {
        let dir = folder.join(&suite.name);
        for document in &suite.document {
            let pinned = std::iter::once((document.file(), &document.sha256))
                .chain(document.more.iter().map(|(f, s)| (f.as_str(), s)));
            for (file, sha256) in pinned {
                check_file(&dir.join(file), sha256)?;
            }
            let package = document.package(&suite.name);
            let ref_root = document.ref_root.as_ref().map(|r| dir.join(r));
            let config = write_config(&work.join("configs"), &dir.join(document.file()), ref_root, &package)?;
            let root_prefix = format!("{}/", root.display());
            let generation =
                generate(&config, &crates.join(&package)).map_err(|e| e.to_string().replace(&root_prefix, ""));
            rows.push(Row {
                suite,
                document,
                package,
                generation,
                clippy: None,
                doctests: None,
            });
        }
    }
    check_all(root, &crates, &mut rows)?;
    println!("{}", table(&rows));
    let passed = rows.iter().filter(|r| r.passed()).count();
    println!("\n{passed} of {} documents pass", rows.len());
    Ok(if passed == rows.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A config taking every operation of `description` into a crate named `package`.
fn write_config(dir: &Path, description: &Path, ref_root: Option<PathBuf>, package: &str) -> Result<PathBuf> {
    fs::create_dir_all(dir).at(dir)?;
    let path = dir.join(format!("{package}.toml"));
    let ref_root = ref_root.map_or(String::new(), |r| format!("ref_root = {:?}\n", r.display().to_string()));
    let text = format!(
        "schema = {:?}\n{ref_root}[crate]\nname = {package:?}\nversion = \"0.1.0\"\n[operations]\ninclude = \"all\"\n",
        description.display().to_string()
    );
    fs::write(&path, text).at(&path)?;
    Ok(path)
}

/// Clippy (every feature on) and the doctests of every generated crate, each run once
/// over the whole workspace; a crate fails when cargo names it.
fn check_all(root: &Path, crates: &Path, rows: &mut [Row<'_>]) -> Result<()> {
    let members: Vec<&str> = rows
        .iter()
        .filter(|r| r.generation.is_ok())
        .map(|r| r.package.as_str())
        .collect();
    if members.is_empty() {
        return Ok(());
    }
    // The corpus's target folder: the dependencies are built there already.
    let workspace = Workspace::create(root, crates, &members, root.join("target/corpus/target"))?;
    let clippy = workspace.failing(&[
        "clippy",
        "--workspace",
        "--all-features",
        "--keep-going",
        "--",
        "-D",
        "warnings",
    ])?;
    let doctests = workspace.failing(&["test", "--doc", "--workspace", "--no-fail-fast"])?;
    for row in rows.iter_mut().filter(|r| r.generation.is_ok()) {
        row.clippy = Some(!clippy.contains(&row.package));
        row.doctests = Some(!doctests.contains(&row.package));
    }
    Ok(())
}

fn table(rows: &[Row<'_>]) -> String {
    let mut lines = vec![
        "| suite | document | operations | types | `Value`s | warnings | clippy | doctests | result |".to_owned(),
        "|---|---|---|---|---|---|---|---|---|".to_owned(),
    ];
    for row in rows {
        let commit = row.document.commit.as_deref().unwrap_or(&row.suite.commit);
        let short = commit.get(..7).unwrap_or(commit);
        let name = format!(
            "[{}](https://github.com/{}/blob/{short}/{})",
            row.document.file(),
            row.suite.repo,
            row.document.path
        );
        let result = match (row.passed(), &row.document.expect_error) {
            (true, Some(_)) => "pass (expected error)",
            (true, None) => "pass",
            (false, _) => "FAIL",
        };
        let cells = match &row.generation {
            Ok(g) => format!(
                "{}/{} | {} | {} | {} | {} | {}",
                g.operations,
                g.described,
                g.types,
                g.values,
                g.warnings.values().sum::<usize>(),
                pass_fail(row.clippy),
                pass_fail(row.doctests)
            ),
            Err(e) => format!(
                "error: {} | - | - | - | - | -",
                e.replace('|', "\\|").replace('\n', " ")
            ),
        };
        lines.push(format!(
            "| {} ({}) | {name} | {cells} | {result} |",
            row.suite.name, row.suite.licence
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::Document;

    #[test]
    fn package_names_are_cargos_spelling_of_suite_and_file() {
        let document = Document {
            path: "src/test/resources/3_0/rust/issue_17869_oneOf_aliases.yaml".to_owned(),
            file: None,
            sha256: String::new(),
            commit: None,
            more: Default::default(),
            expect_error: None,
            ref_root: None,
        };
        assert_eq!(document.file(), "issue_17869_oneOf_aliases.yaml");
        assert_eq!(
            document.package("openapi-generator"),
            "suite-openapi-generator-issue-17869-oneof-aliases-yaml"
        );
    }
}
