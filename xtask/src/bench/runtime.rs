//! Run time next to hand-written code: criterion's figures, and the paired ratios the
//! targets are judged on (`client-tests/benches/runtime.rs`).

use std::ffi::OsStr;
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::error::{AtPath, Error, Result};
use crate::util::cargo;

/// One criterion group: generated vs hand-written medians, in nanoseconds.
pub struct Pair {
    pub group: &'static str,
    pub what: &'static str,
    /// Criterion's medians.
    pub generated_ns: f64,
    pub hand_ns: f64,
    /// generated / hand-written from adjacent batches: the figure the target is judged on.
    pub paired_ratio: f64,
}

/// Criterion's figures for each benchmark, then the ratios from the paired run
/// (`BENCH_PAIRED=1`: adjacent ~1 ms batches of each side, median of 600 rounds), which
/// a slow spell of a shared machine cannot tilt the way it can tilt two criterion runs
/// taken seconds apart.
pub fn measure(root: &Path) -> Result<Vec<Pair>> {
    let criterion_dir = root.join("target/criterion");
    // Stale estimates from an older run must not pass for this run's.
    let _ = fs::remove_dir_all(&criterion_dir);
    let bench = [
        "bench",
        "--locked",
        "-p",
        "label-studio-client-tests",
        "--bench",
        "runtime",
    ];
    cargo(root, &[&bench[..], &["--", "--noplot"]].concat(), &[])?;
    let paired = cargo(root, &bench, &[("BENCH_PAIRED", OsStr::new("1"))])?.stdout;
    let groups = [
        ("encode_update_body", "encode update body"),
        ("decode_storage", "decode S3ImportStorage"),
        ("decode_1000_storages", "decode 1,000 storages"),
        ("update_call", "update call, 127.0.0.1"),
    ];
    let mut pairs = Vec::new();
    for (group, what) in groups {
        let estimate = |function: &str| -> Result<f64> {
            let path = criterion_dir.join(group).join(function).join("new/estimates.json");
            let text = fs::read_to_string(&path).at(&path)?;
            let value: Value =
                serde_json::from_str(&text).map_err(|e| Error::unexpected(path.display(), e.to_string()))?;
            value["median"]["point_estimate"]
                .as_f64()
                .ok_or_else(|| Error::unexpected(path.display(), "no median.point_estimate"))
        };
        let ratio = paired
            .lines()
            .filter_map(|line| line.strip_prefix("paired "))
            .find_map(|rest| {
                let mut words = rest.split_whitespace();
                (words.next() == Some(group)).then(|| words.next()?.parse::<f64>().ok())?
            })
            .ok_or_else(|| Error::unexpected("the paired run", format!("no ratio for {group}:\n{paired}")))?;
        pairs.push(Pair {
            group,
            what,
            generated_ns: estimate("generated")?,
            hand_ns: estimate("hand_written")?,
            paired_ratio: ratio,
        });
    }
    Ok(pairs)
}
