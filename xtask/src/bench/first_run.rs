//! The first `cargo xtask codegen` on a fresh clone: the command as typed, from an empty
//! target directory (the crates already downloaded, as after any earlier build or
//! `cargo fetch`): what compiling the generator costs a new user.

use std::fs;
use std::path::Path;

use crate::error::Result;
use crate::util::cargo;

/// Seconds, at most.
pub const TARGET_S: f64 = 60.0;

pub fn measure(root: &Path, bench_dir: &Path) -> Result<f64> {
    let target_dir = bench_dir.join("first-run-target");
    let _ = fs::remove_dir_all(&target_dir);
    let env = [("CARGO_TARGET_DIR", target_dir.as_os_str())];
    let took = cargo(root, &["xtask", "codegen"], &env)?.took.as_secs_f64();
    // Gigabytes of a build nothing else uses.
    let _ = fs::remove_dir_all(&target_dir);
    eprintln!("first `cargo xtask codegen` from an empty target directory: {took:.1} s");
    Ok(took)
}
