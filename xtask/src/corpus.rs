//! `cargo xtask corpus`: the generator on public descriptions from other producers
//! (`corpus/SOURCES.toml`), each generated with every operation, built, linted with
//! `clippy -D warnings` and its doctests run, in one shared target folder. Prints a
//! table per document; fails unless every document passes every step.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use codegen::output::{self, Mode};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{AtPath, Error, Result};
use crate::util::cargo;

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
}

#[derive(Deserialize)]
struct Sources {
    document: Vec<Source>,
}

/// What generation made of one document.
struct Generation {
    described: usize,
    operations: usize,
    types: usize,
    values: usize,
    warnings: BTreeMap<String, usize>,
    millis: f64,
}

/// One document's row of the table.
struct Row<'a> {
    source: &'a Source,
    generation: std::result::Result<Generation, String>,
    build_s: Option<f64>,
    clippy: Option<bool>,
    doctests: Option<bool>,
    /// The description's examples: how many decoded, how many did not.
    examples: Option<(usize, usize)>,
}

pub fn run(root: &Path) -> Result<ExitCode> {
    let corpus = root.join("corpus");
    let sources_path = corpus.join("SOURCES.toml");
    let text = fs::read_to_string(&sources_path).at(&sources_path)?;
    let sources: Sources =
        toml::from_str(&text).map_err(|e| Error::unexpected(sources_path.display(), e.to_string()))?;
    let crates = root.join("target/corpus/crates");
    let mut rows = Vec::new();
    for source in &sources.document {
        check_sha256(&corpus, source)?;
        let config = corpus.join(&source.name).join("codegen.toml");
        let root_prefix = format!("{}/", root.display());
        let generation =
            generate(&config, &crates.join(&source.name)).map_err(|e| e.to_string().replace(&root_prefix, ""));
        rows.push(Row {
            source,
            generation,
            build_s: None,
            clippy: None,
            doctests: None,
            examples: None,
        });
    }
    build_all(root, &crates, &mut rows)?;
    println!("{}", table(&rows));
    let passed = rows.iter().all(|r| {
        r.generation.is_ok() && r.clippy == Some(true) && r.doctests == Some(true) && matches!(r.examples, Some((_, 0)))
    });
    Ok(if passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The files must be the ones pinned: a changed file is a different test.
fn check_sha256(corpus: &Path, source: &Source) -> Result<()> {
    let pinned = std::iter::once((&source.file, &source.sha256)).chain(&source.more);
    for (file, sha256) in pinned {
        let path = corpus.join(file);
        let bytes = fs::read(&path).at(&path)?;
        let actual: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        if actual != *sha256 {
            return Err(Error::unexpected(
                path.display(),
                format!("sha256 is {actual}, SOURCES.toml pins {sha256}"),
            ));
        }
    }
    Ok(())
}

/// Generates one document into `out` and counts what came out. The description is
/// loaded and lowered once; generation reuses the loaded document.
fn generate(config_path: &Path, out: &Path) -> codegen::Result<Generation> {
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
    output::sync(out, &generated.files, Mode::Write)?;
    Ok(Generation {
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

/// One workspace of every generated crate, sharing a target folder: dependencies build
/// once, then each crate is built alone (timed), linted and doctested.
fn build_all(root: &Path, crates: &Path, rows: &mut [Row<'_>]) -> Result<()> {
    let names: Vec<String> = rows
        .iter()
        .filter(|r| r.generation.is_ok())
        .map(|r| r.source.name.clone())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    let members: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    let manifest = crates.join("Cargo.toml");
    let text = format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", members.join(", "));
    fs::write(&manifest, text).at(&manifest)?;
    let lock = root.join("Cargo.lock");
    fs::copy(&lock, crates.join("Cargo.lock")).at(&lock)?;
    let target = root.join("target/corpus/target");
    let env = [("CARGO_TARGET_DIR", target.as_os_str())];
    // Dependencies first, for all; a crate that does not build says so in its own row.
    let _ = cargo(crates, &["build", "--workspace", "--offline", "--quiet"], &env);
    for row in rows.iter_mut().filter(|r| r.generation.is_ok()) {
        let package = format!("corpus-{}", row.source.name);
        cargo(crates, &["clean", "--offline", "-p", &package], &env)?;
        row.build_s = cargo(crates, &["build", "--offline", "-p", &package], &env)
            .map(|run| run.took.as_secs_f64())
            .ok();
        // Clean with the default features and with every optional one (tracing, blocking, ...).
        let clippy = |features: &[&str]| {
            let mut args = vec!["clippy", "--offline", "-p", &package];
            args.extend(features);
            args.extend(["--", "-D", "warnings"]);
            passes(crates, &env, &args)
        };
        row.clippy = Some(clippy(&[]) && clippy(&["--all-features"]));
        row.doctests = Some(passes(crates, &env, &["test", "--offline", "--doc", "-p", &package]));
        row.examples = example_tests(crates, &env, &package);
    }
    Ok(())
}

/// Runs the crate's generated example tests (they need both serde halves: `roundtrip`)
/// and counts them; prints the failures for the table's reader.
fn example_tests(dir: &Path, env: &[(&str, &std::ffi::OsStr)], package: &str) -> Option<(usize, usize)> {
    let args = [
        "test",
        "--offline",
        "--lib",
        "-p",
        package,
        "--features",
        "roundtrip",
        "--",
        "example_tests",
    ];
    let output = std::process::Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .ok()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let counts = stdout.lines().find_map(|line| {
        let rest = line.strip_prefix("test result: ")?;
        let number = |word: &str| {
            rest.split("; ")
                .find_map(|part| {
                    part.trim_start_matches(|c: char| !c.is_ascii_digit())
                        .strip_suffix(word)
                })
                .and_then(|n| n.trim().parse::<usize>().ok())
        };
        Some((number(" passed")?, number(" failed")?))
    });
    for line in stdout
        .lines()
        .filter(|l| l.contains("does not decode") || l.contains("encodes back"))
    {
        eprintln!("{package}: {line}");
    }
    if counts.is_none() {
        eprintln!(
            "{package}: the example tests did not run:\n{}",
            crate::util::tail(&String::from_utf8_lossy(&output.stderr), 30)
        );
    }
    counts
}

/// Runs cargo; on failure prints what it said (the end of it), for the table's reader.
fn passes(dir: &Path, env: &[(&str, &std::ffi::OsStr)], args: &[&str]) -> bool {
    match cargo(dir, args, env) {
        Ok(_) => true,
        Err(err) => {
            eprintln!("{err}");
            false
        }
    }
}

fn table(rows: &[Row<'_>]) -> String {
    let mut lines = vec![
        "| document | producer | OpenAPI | operations | types | `Value`s | warnings | generate | build | clippy | doctests | examples decoded |"
            .to_owned(),
        "|---|---|---|---|---|---|---|---|---|---|---|---|".to_owned(),
    ];
    let yes_no = |v: Option<bool>| match v {
        Some(true) => "pass",
        Some(false) => "FAIL",
        None => "-",
    };
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
                format!(
                    "{}/{} | {} | {} | {} | {:.1} ms | {} | {} | {} | {examples}",
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
                    row.build_s.map_or("FAIL".to_owned(), |s| format!("{s:.1} s")),
                    yes_no(row.clippy),
                    yes_no(row.doctests)
                )
            }
            Err(e) => format!(
                "- | - | - | generation FAILED: {} | - | - | - | - | -",
                e.replace('|', "\\|")
            ),
        };
        lines.push(format!("| {name} | {} | {} | {cells} |", s.producer, s.openapi));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::warning_kind;

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
