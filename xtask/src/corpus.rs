//! `cargo xtask corpus`: the generator on public descriptions from other producers
//! (`corpus/SOURCES.toml`), each generated with every operation, built, linted with
//! `clippy -D warnings`, its doctests and example tests run, in one workspace. Prints a
//! table per document; fails unless every document passes every step.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use codegen::output::{self, Mode};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::crate_checks::Workspace;
use crate::error::{AtPath, Error, Result};

/// One entry of `corpus/SOURCES.toml`.
#[derive(Deserialize)]
struct Source {
    name: String,
    producer: String,
    openapi: String,
    repo: String,
    path: String,
    commit: String,
    file: String,
    sha256: String,
    /// The other files of a description split across files: file → sha256.
    #[serde(default)]
    more: BTreeMap<String, String>,
    /// A description split across too many files to list: the folder holding them all,
    /// pinned as a whole (see [`folder_sha256`]).
    #[serde(default)]
    folder: Option<PinnedFolder>,
}

#[derive(Deserialize)]
struct PinnedFolder {
    path: String,
    sha256: String,
}

#[derive(Deserialize)]
struct Sources {
    document: Vec<Source>,
}

/// What generation made of one document.
pub(crate) struct Generation {
    pub described: usize,
    pub operations: usize,
    pub types: usize,
    pub values: usize,
    pub warnings: BTreeMap<String, usize>,
    pub millis: f64,
    /// The longest file written, and its lines.
    pub longest: (String, usize),
}

/// No generated file may be longer (issue 21: big groups are split by resource).
const LINES_AT_MOST: usize = 5_000;

/// One document's row of the table.
struct Row<'a> {
    source: &'a Source,
    generation: std::result::Result<Generation, String>,
    built: Option<bool>,
    clippy: Option<bool>,
    doctests: Option<bool>,
    /// The description's examples: how many decoded, how many did not.
    examples: Option<(usize, usize)>,
}

/// Runs every document, or only those `names` names.
pub fn run(root: &Path, names: &[String]) -> Result<ExitCode> {
    let corpus = root.join("corpus");
    let sources_path = corpus.join("SOURCES.toml");
    let text = fs::read_to_string(&sources_path).at(&sources_path)?;
    let sources: Sources =
        toml::from_str(&text).map_err(|e| Error::unexpected(sources_path.display(), e.to_string()))?;
    let crates = root.join("target/corpus/crates");
    if let Some(unknown) = names.iter().find(|n| !sources.document.iter().any(|d| &d.name == *n)) {
        return Err(Error::unexpected(
            sources_path.display(),
            format!("no document named `{unknown}`"),
        ));
    }
    let mut rows = Vec::new();
    for source in sources
        .document
        .iter()
        .filter(|d| names.is_empty() || names.contains(&d.name))
    {
        check_sha256(&corpus, source)?;
        let config = corpus.join(&source.name).join("codegen.toml");
        let root_prefix = format!("{}/", root.display());
        let generation =
            generate(&config, &crates.join(&source.name)).map_err(|e| e.to_string().replace(&root_prefix, ""));
        rows.push(Row {
            source,
            generation,
            built: None,
            clippy: None,
            doctests: None,
            examples: None,
        });
    }
    build_all(root, &crates, &mut rows)?;
    println!("{}", table(&rows));
    let passed = rows.iter().all(|r| {
        let short_files = r.generation.as_ref().is_ok_and(|g| g.longest.1 <= LINES_AT_MOST);
        short_files
            && r.built == Some(true)
            && r.clippy == Some(true)
            && r.doctests == Some(true)
            && matches!(r.examples, Some((_, 0)))
    });
    Ok(if passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The files must be the ones pinned: a changed file is a different test.
fn check_sha256(corpus: &Path, source: &Source) -> Result<()> {
    let pinned = std::iter::once((&source.file, &source.sha256)).chain(&source.more);
    for (file, sha256) in pinned {
        check_file(&corpus.join(file), sha256)?;
    }
    if let Some(folder) = &source.folder {
        let actual = folder_sha256(corpus, &folder.path)?;
        if actual != folder.sha256 {
            return Err(Error::unexpected(
                corpus.join(&folder.path).display(),
                format!("the folder's sha256 is {actual}, the list pins {}", folder.sha256),
            ));
        }
    }
    Ok(())
}

/// The sha256 of `sha256sum`'s lines (`<sha256>  <path>`) for every file under `folder`
/// (a path relative to `corpus`), sorted by path: what
/// `find <folder> -type f | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum` prints from
/// `corpus/`. A file added, removed, renamed or changed changes it.
fn folder_sha256(corpus: &Path, folder: &str) -> Result<String> {
    let mut files = Vec::new();
    let mut pending = vec![corpus.join(folder)];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).at(&dir)? {
            let path = entry.at(&dir)?.path();
            match path.is_dir() {
                true => pending.push(path),
                false => files.push(path),
            }
        }
    }
    let relative = |path: &Path| {
        path.strip_prefix(corpus)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let mut lines: Vec<(String, &Path)> = files.iter().map(|path| (relative(path), path.as_path())).collect();
    lines.sort();
    let mut listing = Sha256::new();
    for (name, path) in lines {
        let bytes = fs::read(path).at(path)?;
        listing.update(format!("{}  {name}\n", hex(&Sha256::digest(&bytes))));
    }
    Ok(hex(&listing.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The file's sha256 must be the one pinned.
pub(crate) fn check_file(path: &Path, sha256: &str) -> Result<()> {
    let bytes = fs::read(path).at(path)?;
    let actual = hex(&Sha256::digest(&bytes));
    if actual != sha256 {
        return Err(Error::unexpected(
            path.display(),
            format!("sha256 is {actual}, the list pins {sha256}"),
        ));
    }
    Ok(())
}

/// Generates one document into `out` and counts what came out. The description is
/// loaded and lowered once; generation reuses the loaded document.
pub(crate) fn generate(config_path: &Path, out: &Path) -> codegen::Result<Generation> {
    let started = Instant::now();
    let config = codegen::Config::load(config_path)?;
    let doc = codegen::load_document(&config)?;
    let generated = codegen::generate_from(&doc, &config)?;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let described = doc
        .openapi
        .paths
        .paths
        .values()
        .filter_map(|item| item.as_item())
        .map(|item| item.iter().count())
        .sum();
    let (api, _) = codegen::lower::lower(&doc, &config)?;
    let values = generated
        .files
        .iter()
        .filter(|f| f.path.starts_with("src/models/"))
        .map(|f| f.contents.matches("::serde_json::Value").count())
        .sum();
    let mut warnings = BTreeMap::new();
    for warning in &generated.warnings {
        *warnings.entry(warning_kind(&warning.message)).or_default() += 1;
    }
    let longest = generated
        .files
        .iter()
        .map(|f| (f.path.clone(), f.contents.lines().count()))
        .max_by_key(|(_, lines)| *lines)
        .unwrap_or_default();
    output::sync(out, &generated.files, Mode::Write)?;
    Ok(Generation {
        longest,
        described,
        // An upload variant is a second method of the same operation.
        operations: api
            .operations
            .iter()
            .map(|op| &op.origin)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        types: api.types.iter().filter(|t| t.alias_of.is_none()).count(),
        values,
        warnings,
        millis,
    })
}

/// A warning's kind: its message with quoted names left out, up to the first `:` or `;`
/// (where the specifics begin), so warnings about different names count together.
fn warning_kind(message: &str) -> String {
    let unquoted: String = message
        .split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { "…" } else { part })
        .collect();
    let end = unquoted.find([':', ';']).unwrap_or(unquoted.len());
    unquoted[..end].trim().chars().take(70).collect()
}

/// One workspace of every generated crate, sharing a target folder: each check runs
/// once over all of them (build, clippy with default and with every feature, doctests,
/// the example tests), so dependencies build once and both cores stay busy.
fn build_all(root: &Path, crates: &Path, rows: &mut [Row<'_>]) -> Result<()> {
    let members: Vec<&str> = rows
        .iter()
        .filter(|r| r.generation.is_ok())
        .map(|r| r.source.name.as_str())
        .collect();
    if members.is_empty() {
        return Ok(());
    }
    let workspace = Workspace::create(root, crates, &members, root.join("target/corpus/target"))?;
    let unbuilt = workspace.failing(&["build", "--workspace", "--keep-going"])?;
    let clippy = |features: &[&str]| {
        let mut args = vec!["clippy", "--workspace", "--keep-going"];
        args.extend(features);
        args.extend(["--", "-D", "warnings"]);
        workspace.failing(&args)
    };
    // Clean with the default features and with every optional one (tracing, blocking, ...).
    let unclean: BTreeSet<String> = clippy(&[])?.into_iter().chain(clippy(&["--all-features"])?).collect();
    let packages: Vec<String> = members.iter().map(|m| format!("corpus-{m}")).collect();
    let built: Vec<&str> = packages
        .iter()
        .filter(|p| !unbuilt.contains(*p))
        .map(String::as_str)
        .collect();
    let mut doctest_args = vec!["test", "--doc", "--no-fail-fast"];
    built.iter().for_each(|p| doctest_args.extend(["-p", p]));
    let failed_doctests = match built.is_empty() {
        true => BTreeSet::new(),
        false => workspace.failing(&doctest_args)?,
    };
    // The example tests need both serde halves: `roundtrip`.
    let examples = workspace.unit_tests(&built, "roundtrip", "example_tests")?;
    for row in rows.iter_mut().filter(|r| r.generation.is_ok()) {
        let package = format!("corpus-{}", row.source.name);
        let built = !unbuilt.contains(&package);
        row.built = Some(built);
        row.clippy = Some(!unclean.contains(&package));
        row.doctests = built.then(|| !failed_doctests.contains(&package));
        row.examples = examples.get(&package).copied();
    }
    Ok(())
}

/// A check's cell in a table: passed, failed, or not run.
pub(crate) fn pass_fail(outcome: Option<bool>) -> &'static str {
    match outcome {
        Some(true) => "pass",
        Some(false) => "FAIL",
        None => "-",
    }
}

fn table(rows: &[Row<'_>]) -> String {
    let mut lines = vec![
        "| document | producer | OpenAPI | operations | types | `Value`s | warnings | generate | longest file | build | clippy | doctests | examples decoded |"
            .to_owned(),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|".to_owned(),
    ];
    for row in rows {
        let s = row.source;
        let short = s.commit.get(..7).unwrap_or(&s.commit);
        let name = format!("[{}](https://github.com/{}/blob/{short}/{})", s.name, s.repo, s.path);
        let cells = match &row.generation {
            Ok(g) => {
                let warnings: Vec<String> = g.warnings.iter().map(|(kind, n)| format!("{n}× {kind}")).collect();
                let examples = match row.examples {
                    Some((passed, failed)) => format!("{passed}/{}", passed + failed),
                    None => "FAIL".to_owned(),
                };
                let (file, lines) = &g.longest;
                let too_long = if *lines > LINES_AT_MOST {
                    " (over the limit)"
                } else {
                    ""
                };
                format!(
                    "{}/{} | {} | {} | {} | {:.1} ms | {lines} lines{too_long} (`{file}`) | {} | {} | {} | {examples}",
                    g.operations,
                    g.described,
                    g.types,
                    g.values,
                    if warnings.is_empty() {
                        "none".to_owned()
                    } else {
                        warnings.join("; ")
                    },
                    g.millis,
                    pass_fail(row.built),
                    pass_fail(row.clippy),
                    pass_fail(row.doctests)
                )
            }
            Err(e) => format!(
                "- | - | - | generation FAILED: {} | - | - | - | - | - | -",
                e.replace('|', "\\|")
            ),
        };
        lines.push(format!("| {name} | {} | {} | {cells} |", s.producer, s.openapi));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::{folder_sha256, warning_kind};

    /// The value is what `find pinned -type f | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum`
    /// printed for these files, so the list can be re-pinned with the shell alone.
    #[test]
    fn a_folder_is_pinned_as_sha256sum_pins_its_sorted_files() {
        let corpus = tempfile::tempdir().unwrap();
        let folder = corpus.path().join("pinned");
        std::fs::create_dir_all(folder.join("sub")).unwrap();
        std::fs::write(folder.join("b.yaml"), "a: 1\n").unwrap();
        std::fs::write(folder.join("sub/a.yaml"), "x\n").unwrap();
        std::fs::write(folder.join("Z.yaml"), "").unwrap();
        let pinned = "847442394046136b98b5197c3fe2edf25ef47a3e10a8a6d3c750d6b950718101";
        assert_eq!(folder_sha256(corpus.path(), "pinned").unwrap(), pinned);
        std::fs::write(folder.join("sub/a.yaml"), "y\n").unwrap();
        assert_ne!(folder_sha256(corpus.path(), "pinned").unwrap(), pinned);
    }

    #[test]
    fn warnings_about_different_names_are_one_kind() {
        let a = warning_kind("`next_page_token` (here and in any other schema) is taken for a secret by its name: ...");
        let b = warning_kind("`api_token` (here and in any other schema) is taken for a secret by its name: ...");
        assert_eq!(a, b);
        assert_eq!(a, "… (here and in any other schema) is taken for a secret by its name");
        assert_eq!(
            warning_kind("this security scheme is not supported; calls are sent without it"),
            "this security scheme is not supported"
        );
    }
}
