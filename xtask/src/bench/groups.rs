//! Compile what you use (`[crate] group_features`): GitHub's crate with every group's
//! feature on (the default) against the same crate with two groups' features alone;
//! clean debug builds of the crate alone, in the same run.

use std::fs;
use std::path::{Path, PathBuf};

use super::crates::BenchCrate;
use crate::error::{AtPath, Error, Result};

/// The groups an app calling "two groups" turns on.
pub const GROUPS: [&str; 2] = ["issues", "pulls"];

/// The two groups' build over the whole crate's, at most.
pub const TARGET_RATIO: f64 = 0.15;

pub struct GroupBuilds {
    pub whole_s: f64,
    pub two_groups_s: f64,
}

pub fn measure(root: &Path, bench_dir: &Path, runs: usize) -> Result<GroupBuilds> {
    let config = github_with_group_features(root, bench_dir)?;
    let krate = BenchCrate::prepare(root, bench_dir, "github-groups", &config, None)?;
    let target_dir = bench_dir.join("target");
    Ok(GroupBuilds {
        whole_s: krate.clean_builds(&target_dir, false, runs)?,
        two_groups_s: krate.clean_builds_with_only(&target_dir, runs, &GROUPS.join(","))?,
    })
}

/// The corpus's GitHub config, reading its pinned description, with group features on.
fn github_with_group_features(root: &Path, bench_dir: &Path) -> Result<PathBuf> {
    fs::create_dir_all(bench_dir).at(bench_dir)?;
    let copy = super::inputs::config_reading(
        root,
        &root.join("corpus/github/codegen.toml"),
        &root.join("corpus/github/openapi.json"),
        &bench_dir.join("github-groups.toml"),
    )?;
    let text = fs::read_to_string(&copy).at(&copy)?;
    let mut table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| Error::unexpected(copy.display(), e.to_string()))?;
    if let Some(krate) = table.get_mut("crate").and_then(toml::Value::as_table_mut) {
        krate.insert("group_features".to_owned(), toml::Value::Boolean(true));
    }
    fs::write(&copy, table.to_string()).at(&copy)?;
    Ok(copy)
}
