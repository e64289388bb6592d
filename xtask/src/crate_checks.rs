//! Checks over a throwaway workspace of generated crates (the corpus's, the suites'):
//! each cargo command runs once over every crate, so both cores stay busy and the
//! dependencies build once; a crate fails when cargo names it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{AtPath, Error, Result};

/// A workspace of generated crates, with its own target folder.
pub struct Workspace {
    dir: PathBuf,
    target: PathBuf,
}

impl Workspace {
    /// Writes a manifest naming `members` (folders under `dir`) and the repository's lock
    /// file into `dir`; builds go to `target`.
    pub fn create(root: &Path, dir: &Path, members: &[&str], target: PathBuf) -> Result<Workspace> {
        let manifest = dir.join("Cargo.toml");
        fs::write(&manifest, manifest_text(members)).at(&manifest)?;
        let lock = root.join("Cargo.lock");
        fs::copy(&lock, dir.join("Cargo.lock")).at(&lock)?;
        Ok(Workspace {
            dir: dir.to_owned(),
            target,
        })
    }

    fn cargo(&self, args: &[&str]) -> Result<std::process::Output> {
        Command::new(env!("CARGO"))
            .args(args)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("CARGO_NET_OFFLINE", "true")
            .output()
            .map_err(|source| Error::Spawn {
                program: format!("cargo {}", args.join(" ")),
                source,
            })
    }

    /// Runs cargo (with `--keep-going` or `--no-fail-fast` among `args`, so one crate's
    /// failure does not hide the others') and returns the packages it names as failing;
    /// prints what it said about them. A failure naming no package is an error.
    pub fn failing(&self, args: &[&str]) -> Result<BTreeSet<String>> {
        let output = self.cargo(args)?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        let failing = failing_packages(&stderr);
        if !output.status.success() && failing.is_empty() {
            let stdout = String::from_utf8_lossy(&output.stdout);
            eprintln!("{}\n{}", crate::util::tail(&stdout, 30), crate::util::tail(&stderr, 30));
            return Err(Error::unexpected(
                self.dir.display(),
                format!("`cargo {}` failed naming no package", args.join(" ")),
            ));
        }
        if !failing.is_empty() {
            eprintln!(
                "`cargo {}`: failing {failing:?}\n{}",
                args.join(" "),
                crate::util::tail(&stderr, 60)
            );
        }
        Ok(failing)
    }

    /// Builds the unit tests of `packages` with each one's `feature` on, all in one cargo
    /// run, then runs the tests whose names hold `filter` in each: passed and failed per
    /// package. A package whose tests do not build or run is missing from the answer.
    pub fn unit_tests(
        &self,
        packages: &[&str],
        feature: &str,
        filter: &str,
    ) -> Result<BTreeMap<String, (usize, usize)>> {
        if packages.is_empty() {
            return Ok(BTreeMap::new());
        }
        let features: Vec<String> = packages.iter().map(|p| format!("{p}/{feature}")).collect();
        let features = features.join(",");
        let mut args = vec!["build", "--lib", "--tests", "--keep-going", "--message-format=json"];
        for package in packages {
            args.extend(["-p", package]);
        }
        args.extend(["--features", &features]);
        let output = self.cargo(&args)?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            eprintln!("`cargo {}`:\n{}", args.join(" "), crate::util::tail(&stderr, 60));
        }
        let mut counts = BTreeMap::new();
        for (package, executable) in test_executables(&String::from_utf8_lossy(&output.stdout)) {
            let run = Command::new(&executable).arg(filter).output().at(&executable)?;
            let stdout = String::from_utf8_lossy(&run.stdout);
            for line in stdout
                .lines()
                .filter(|l| l.contains("does not decode") || l.contains("encodes back"))
            {
                eprintln!("{package}: {line}");
            }
            match test_counts(&stdout) {
                Some(count) => {
                    counts.insert(package, count);
                }
                None => eprintln!(
                    "{package}: the tests did not run:\n{}",
                    crate::util::tail(&String::from_utf8_lossy(&run.stderr), 30)
                ),
            }
        }
        Ok(counts)
    }
}

/// The manifest of a throwaway workspace. No debug info and no incremental state: nobody
/// debugs these builds, and both cost gigabytes of disk over ~30 crates (a CI run once
/// ran out of it).
pub fn manifest_text(members: &[&str]) -> String {
    let members: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    format!(
        "[workspace]\nresolver = \"2\"\nmembers = [{}]\n\n[profile.dev]\ndebug = false\nincremental = false\n",
        members.join(", ")
    )
}

/// The packages cargo's stderr names as failing: `could not compile `x``, or
/// `doctest failed, to rerun pass `-p x --doc``.
fn failing_packages(stderr: &str) -> BTreeSet<String> {
    let mut failing = BTreeSet::new();
    for line in stderr.lines() {
        if let Some(rest) = line.strip_prefix("error: could not compile `") {
            failing.extend(rest.split('`').next().map(str::to_owned));
        }
        if line.contains("failed, to rerun pass `-p ") {
            failing.extend(
                line.split("-p ")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next())
                    .map(str::to_owned),
            );
        }
    }
    failing
}

/// The test executables in cargo's JSON messages, with their packages' names.
fn test_executables(messages: &str) -> Vec<(String, PathBuf)> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["profile"]["test"] == true)
        .filter_map(|m| {
            let executable = m["executable"].as_str()?;
            // `path+file:///…/crates/x#corpus-x@0.1.0`, or `…#0.1.0` where the folder's
            // name is the package's.
            let id = m["package_id"].as_str()?;
            let name = id.rsplit_once('#')?.1.split('@').next()?;
            let name = match name.contains('.') {
                true => id.split('#').next()?.rsplit('/').next()?,
                false => name,
            };
            Some((name.to_owned(), PathBuf::from(executable)))
        })
        .collect()
}

/// Passed and failed from a test binary's `test result:` line.
fn test_counts(stdout: &str) -> Option<(usize, usize)> {
    stdout.lines().find_map(|line| {
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_packages_are_read_from_compile_and_doctest_errors() {
        let stderr = "warning: x\nerror: could not compile `corpus-a` (lib) due to 2 previous errors\n\
                      error: doctest failed, to rerun pass `-p corpus-b --doc`\nerror: 1 target failed:\n";
        let failing = failing_packages(stderr);
        assert_eq!(failing.into_iter().collect::<Vec<_>>(), ["corpus-a", "corpus-b"]);
    }

    #[test]
    fn test_executables_name_their_packages_in_either_id_spelling() {
        let messages = [
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/crates/a#corpus-a@0.1.0","profile":{"test":true},"executable":"/t/a-1"}"#,
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/crates/corpus-b#0.1.0","profile":{"test":true},"executable":"/t/b-2"}"#,
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/crates/c#corpus-c@0.1.0","profile":{"test":false},"executable":null}"#,
            "not json",
        ]
        .join("\n");
        let found = test_executables(&messages);
        assert_eq!(
            found,
            [
                ("corpus-a".to_owned(), PathBuf::from("/t/a-1")),
                ("corpus-b".to_owned(), PathBuf::from("/t/b-2"))
            ]
        );
    }

    #[test]
    fn test_counts_come_from_the_result_line() {
        let stdout =
            "running 3 tests\n\ntest result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 5 filtered out\n";
        assert_eq!(test_counts(stdout), Some((2, 1)));
        assert_eq!(test_counts("no summary"), None);
    }
}
