//! Generation time, as users run it: `xtask codegen` as `cargo xtask` builds it (with the
//! stage figures it prints itself, `--stats`), the installed `openapi-typed` command, and
//! `cargo xtask codegen` itself as typed in this repository.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::util::{median, tail};

/// One generation run's figures, as `xtask codegen --stats` prints them.
pub struct GenRun {
    wall_ms: f64,
    stats: Value,
}

impl GenRun {
    pub fn stat(&self, key: &str) -> f64 {
        self.stats[key].as_f64().unwrap_or(f64::NAN)
    }
}

/// Medians over the timed runs.
pub struct Generation {
    /// The generation step (load + lower + emit + format), inside the process.
    pub step_ms: f64,
    /// The whole `xtask codegen` process, start to exit, writing included.
    pub process_ms: f64,
    pub load_ms: f64,
    pub lower_ms: f64,
    pub emit_and_format_ms: f64,
    pub emit_cpu_ms: f64,
    pub format_cpu_ms: f64,
    /// The largest peak resident set over the runs.
    pub peak_rss_mib: f64,
    pub files: f64,
}

pub fn run_codegen(xtask: &Path, config: &Path, out: &Path) -> Result<GenRun> {
    let started = Instant::now();
    let output = Command::new(xtask)
        .arg("codegen")
        .arg("--config")
        .arg(config)
        .arg("--out")
        .arg(out)
        .arg("--stats")
        .output()
        .map_err(|source| Error::Spawn {
            program: xtask.display().to_string(),
            source,
        })?;
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    if !output.status.success() {
        return Err(Error::Failed {
            what: format!("`xtask codegen --config {}`", config.display()),
            status: output.status,
            output: tail(&String::from_utf8_lossy(&output.stderr), 20),
        });
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let stats: Value = serde_json::from_str(line)
        .map_err(|e| Error::unexpected(format!("`codegen --stats` output {line:?}"), e.to_string()))?;
    Ok(GenRun { wall_ms, stats })
}

/// `openapi-typed generate --config <config> --out <out>`: the whole process, in ms.
pub fn run_command(command: &Path, config: &Path, out: &Path) -> Result<f64> {
    let mut cmd = Command::new(command);
    cmd.arg("generate").arg("--config").arg(config).arg("--out").arg(out);
    let started = Instant::now();
    crate::util::captured(
        &mut cmd,
        &format!("`openapi-typed generate --config {}`", config.display()),
    )?;
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

/// `cargo xtask codegen` in `root`, as a user types it (cargo's own start included; xtask
/// already built): the whole command, in ms.
pub fn run_cargo_xtask_codegen(root: &Path) -> Result<f64> {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["xtask", "codegen"]).current_dir(root);
    let started = Instant::now();
    crate::util::captured(&mut cmd, "`cargo xtask codegen`")?;
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

/// One warm-up, then the medians of `runs` timed runs.
pub fn measure(xtask: &Path, config: &Path, out: &Path, runs: usize) -> Result<Generation> {
    // The warm-up writes the output once; timed runs then find it up to date, as
    // `cargo xtask codegen` does on a checkout with no schema change.
    run_codegen(xtask, config, out)?;
    let mut timed = Vec::with_capacity(runs);
    for _ in 0..runs {
        timed.push(run_codegen(xtask, config, out)?);
    }
    let med = |key: &str| median(timed.iter().map(|r| r.stat(key)).collect());
    let generation = Generation {
        step_ms: med("total_ms"),
        process_ms: median(timed.iter().map(|r| r.wall_ms).collect()),
        load_ms: med("load_ms"),
        lower_ms: med("lower_ms"),
        emit_and_format_ms: med("emit_and_format_ms"),
        emit_cpu_ms: med("emit_cpu_ms"),
        format_cpu_ms: med("format_cpu_ms"),
        peak_rss_mib: timed.iter().map(|r| r.stat("peak_rss_kib")).fold(0.0, f64::max) / 1024.0,
        files: med("files"),
    };
    eprintln!(
        "{}: {:.1} ms (median of {runs}; process {:.1} ms), peak {:.0} MiB",
        config.display(),
        generation.step_ms,
        generation.process_ms,
        generation.peak_rss_mib
    );
    Ok(generation)
}
