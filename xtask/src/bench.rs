//! `cargo xtask bench`: how fast the generator is, how fast its output builds, and what
//! the generated code costs at run time next to hand-written code.
//!
//! 1. Generation: the release `xtask codegen` as a process, full description and seed
//!    endpoint, one warm-up then `--runs` timed runs (median), stages and peak memory
//!    from the process itself (`codegen --stats`).
//! 2. The generated crate, copied into its own workspace under `target/bench/`: lines,
//!    clean build of the crate alone (dependencies built) in debug and release, and the
//!    incremental rebuild after one field is added to one schema.
//! 3. Run time: criterion (`generated/benches/runtime.rs`), generated vs hand-written,
//!    with the ratios measured side by side in time.
//!
//! Prints a table and writes `target/bench/report.json`.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Targets from the issue that asked for this command (#5).
const TARGET_FULL_GEN_MS: f64 = 100.0;
const TARGET_SEED_GEN_MS: f64 = 10.0;
const TARGET_BUILD_S: f64 = 12.0;
const TARGET_RUNTIME_RATIO: f64 = 1.05;

/// Peer figures quoted in issue #5 (same kind of machine); printed for reference, not re-measured.
const PEERS: &str = "\
peers (issue #5, not re-measured here): full description generates in 0.40 s (openapi-to-rust 0.23),
  1.1 s (progenitor 0.15, media types stripped), 9 s (openapi-generator); their crates build alone
  in 24.5-32.8 s. Seed endpoint: 14 ms / 80 ms / 3.1 s to generate, 0.9-2.0 s to build.";

/// The schema whose one field the incremental build adds.
const EDITED_SCHEMA: &str = "S3ImportStorage";
const ADDED_FIELD: &str = r#""bench_note": {"type": "string", "nullable": true},"#;

pub struct Options {
    runs: usize,
}

impl Options {
    pub fn parse(args: &[&str]) -> Option<Options> {
        let mut options = Options { runs: 7 };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            match *arg {
                "--runs" => options.runs = rest.next()?.parse().ok().filter(|n| *n >= 1)?,
                _ => return None,
            }
        }
        Some(options)
    }
}

pub fn run(root: &Path, options: Options) -> ExitCode {
    match run_with(root, &options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, String>;

fn run_with(root: &Path, options: &Options) -> Result<()> {
    let bench_dir = root.join("target/bench");
    fs::create_dir_all(&bench_dir).map_err(|e| format!("creating {}: {e}", bench_dir.display()))?;

    step("building the release xtask");
    cargo(root, &["build", "--release", "--locked", "-p", "xtask"], &[])?;
    let xtask = root.join("target/release/xtask");

    step("generation");
    let full_config = root.join("schema/codegen.toml");
    let seed_config = root.join("xtask/bench/seed.toml");
    let full_gen = generation(&xtask, &full_config, &bench_dir.join("gen/full"), options.runs)?;
    let seed_gen = generation(&xtask, &seed_config, &bench_dir.join("gen/seed"), options.runs)?;

    step("the generated crate: lines, clean builds, incremental rebuild");
    let full = BenchCrate::prepare(root, &bench_dir, "full", &full_config, Some(EDITED_SCHEMA))?;
    let seed = BenchCrate::prepare(root, &bench_dir, "seed", &seed_config, None)?;
    let target_dir = bench_dir.join("target");
    let lines = crate_lines(&full.crate_dir.join("src"))?;
    let seed_lines = crate_lines(&seed.crate_dir.join("src"))?;
    let build_runs = options.runs.clamp(1, 3);
    let debug = full.clean_builds(&target_dir, false, build_runs)?;
    let release = full.clean_builds(&target_dir, true, build_runs)?;
    let seed_debug = seed.clean_builds(&target_dir, false, build_runs)?;
    let incremental = full.incremental_builds(&xtask, &target_dir, build_runs)?;

    step("run time (criterion)");
    let runtime = runtime_benches(root)?;

    let report = Report {
        runs: options.runs,
        full_gen,
        seed_gen,
        lines,
        seed_lines,
        debug,
        release,
        seed_debug,
        incremental,
        runtime,
    };
    println!("\n{}", report.table());
    let path = bench_dir.join("report.json");
    let text = serde_json::to_string_pretty(&report.json()).map_err(|e| e.to_string())?;
    fs::write(&path, text + "\n").map_err(|e| format!("writing {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn step(what: &str) {
    eprintln!("\n==> bench: {what}");
}

/// What a successful cargo run took, and what it printed on stdout.
struct CargoRun {
    took: Duration,
    stdout: String,
}

/// Runs cargo with extra environment variables; on failure, the error carries stderr's tail.
fn cargo(dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Result<CargoRun> {
    let started = Instant::now();
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .map_err(|e| format!("running cargo: {e}"))?;
    let took = started.elapsed();
    if !output.status.success() {
        return Err(format!(
            "`cargo {}` in {} failed ({}):\n{}",
            args.join(" "),
            dir.display(),
            output.status,
            tail(&String::from_utf8_lossy(&output.stderr), 30)
        ));
    }
    Ok(CargoRun {
        took,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    })
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// One generation run's figures, as `xtask codegen --stats` prints them.
struct GenRun {
    wall_ms: f64,
    stats: Value,
}

impl GenRun {
    fn stat(&self, key: &str) -> f64 {
        self.stats[key].as_f64().unwrap_or(f64::NAN)
    }
}

/// Medians over the timed runs.
struct Generation {
    /// The generation step (load + lower + emit + format), inside the process.
    step_ms: f64,
    /// The whole `xtask codegen` process, start to exit, writing included.
    process_ms: f64,
    load_ms: f64,
    lower_ms: f64,
    emit_and_format_ms: f64,
    emit_cpu_ms: f64,
    format_cpu_ms: f64,
    /// The largest peak resident set over the runs.
    peak_rss_mib: f64,
    files: f64,
}

fn run_codegen(xtask: &Path, config: &Path, out: &Path) -> Result<GenRun> {
    let started = Instant::now();
    let output = Command::new(xtask)
        .arg("codegen")
        .arg("--config")
        .arg(config)
        .arg("--out")
        .arg(out)
        .arg("--stats")
        .output()
        .map_err(|e| format!("running {}: {e}", xtask.display()))?;
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    if !output.status.success() {
        return Err(format!(
            "`xtask codegen --config {}` failed:\n{}",
            config.display(),
            tail(&String::from_utf8_lossy(&output.stderr), 20)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let stats: Value =
        serde_json::from_str(line).map_err(|e| format!("reading `codegen --stats` output {line:?}: {e}"))?;
    Ok(GenRun { wall_ms, stats })
}

fn generation(xtask: &Path, config: &Path, out: &Path, runs: usize) -> Result<Generation> {
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

/// Lines of Rust under a generated crate's `src/`: all, and the verbatim runtime part.
struct Lines {
    total: usize,
    runtime: usize,
}

fn crate_lines(src: &Path) -> Result<Lines> {
    let mut lines = Lines { total: 0, runtime: 0 };
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
                let n = text.lines().count();
                lines.total += n;
                if path.strip_prefix(src).is_ok_and(|p| p.starts_with("runtime")) {
                    lines.runtime += n;
                }
            }
        }
    }
    Ok(lines)
}

/// A generated crate in a throwaway workspace of its own (`target/bench/<name>/`), built
/// into the shared `target/bench/target` so dependencies build once for all.
struct BenchCrate {
    workspace: PathBuf,
    crate_dir: PathBuf,
    /// Configs generating the crate as is (`a`) and with one added field (`b`).
    configs: Option<(PathBuf, PathBuf)>,
}

/// The throwaway workspace around one generated crate.
fn workspace_manifest() -> &'static str {
    "[workspace]\nresolver = \"2\"\nmembers = [\"crate\"]\n"
}

impl BenchCrate {
    fn prepare(root: &Path, bench_dir: &Path, name: &str, config: &Path, edit: Option<&str>) -> Result<BenchCrate> {
        let workspace = bench_dir.join(name);
        let crate_dir = workspace.join("crate");
        let write =
            |path: &Path, text: &str| fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()));
        fs::create_dir_all(&crate_dir).map_err(|e| format!("creating {}: {e}", crate_dir.display()))?;
        write(&workspace.join("Cargo.toml"), workspace_manifest())?;
        // The main workspace's versions: nothing new is downloaded or resolved differently.
        fs::copy(root.join("Cargo.lock"), workspace.join("Cargo.lock"))
            .map_err(|e| format!("copying Cargo.lock: {e}"))?;
        // A `[[bench]]` the manifest names must exist, though only the library is built.
        copy_dir(&root.join("generated/benches"), &crate_dir.join("benches"))?;

        let configs = match edit {
            None => {
                generate_into(config, &crate_dir)?;
                None
            }
            Some(schema_name) => {
                // Two copies of the description beside two copies of the config, same file
                // name (it is in every file's header), one with an added field.
                let config_text =
                    fs::read_to_string(config).map_err(|e| format!("reading {}: {e}", config.display()))?;
                let schema_file = config_text
                    .lines()
                    .find_map(|l| l.strip_prefix("schema = "))
                    .map(|v| v.trim().trim_matches('"').to_owned())
                    .ok_or_else(|| format!("{}: no `schema = \"...\"` line", config.display()))?;
                let schema_path = config.parent().unwrap_or(Path::new(".")).join(&schema_file);
                let schema =
                    fs::read_to_string(&schema_path).map_err(|e| format!("reading {}: {e}", schema_path.display()))?;
                let edited = add_field(&schema, schema_name)?;
                let original = codegen::Config::load(config).map_err(|e| e.to_string())?;
                let mut pair = Vec::new();
                for (variant, text) in [("a", &schema), ("b", &edited)] {
                    let dir = workspace.join(format!("schema-{variant}"));
                    fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
                    let file_name = Path::new(&schema_file).file_name().unwrap_or_default();
                    write(&dir.join(file_name), text)?;
                    let config = dir.join("codegen.toml");
                    let config_here = config_text.replacen(
                        &format!("schema = \"{schema_file}\""),
                        &format!("schema = \"{}\"", file_name.to_string_lossy()),
                        1,
                    );
                    write(&config, &config_here)?;
                    copy_overlays(&original, &dir)?;
                    pair.push(config);
                }
                let b = pair.pop().unwrap_or_default();
                let a = pair.pop().unwrap_or_default();
                generate_into(&a, &crate_dir)?;
                Some((a, b))
            }
        };
        Ok(BenchCrate {
            workspace,
            crate_dir,
            configs,
        })
    }

    fn build(&self, target_dir: &Path, release: bool) -> Result<f64> {
        let mut args = vec!["build", "--offline", "-p", "label-studio-client"];
        if release {
            args.push("--release");
        }
        let target_dir = [("CARGO_TARGET_DIR", target_dir.as_os_str())];
        Ok(cargo(&self.workspace, &args, &target_dir)?.took.as_secs_f64())
    }

    /// Median clean build of the crate alone, its dependencies already built.
    fn clean_builds(&self, target_dir: &Path, release: bool, runs: usize) -> Result<f64> {
        self.build(target_dir, release)?; // dependencies
        let mut times = Vec::new();
        for _ in 0..runs {
            let mut clean = vec!["clean", "--offline", "-p", "label-studio-client"];
            if release {
                clean.push("--release");
            }
            cargo(&self.workspace, &clean, &[("CARGO_TARGET_DIR", target_dir.as_os_str())])?;
            times.push(self.build(target_dir, release)?);
        }
        let profile = if release { "release" } else { "debug" };
        eprintln!("{}: clean build {profile} {:?} s", self.crate_dir.display(), times);
        Ok(median(times))
    }

    /// Median debug rebuild after regenerating with one field added, then removed, ...
    fn incremental_builds(&self, xtask: &Path, target_dir: &Path, runs: usize) -> Result<f64> {
        let Some((a, b)) = &self.configs else {
            return Err("no edited schema for the incremental build".to_owned());
        };
        generate_into(a, &self.crate_dir)?;
        self.build(target_dir, false)?;
        let mut times = Vec::new();
        for run in 0..runs {
            let config = if run % 2 == 0 { b } else { a };
            let changed = run_codegen(xtask, config, &self.crate_dir)?.stat("changed");
            if changed < 1.0 {
                return Err(format!("{}: the one-field change changed no file", config.display()));
            }
            times.push(self.build(target_dir, false)?);
        }
        eprintln!("incremental rebuilds (debug): {times:?} s");
        generate_into(a, &self.crate_dir)?;
        Ok(median(times))
    }
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).map_err(|e| format!("creating {}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("reading {}: {e}", from.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            fs::copy(&path, &target).map_err(|e| format!("copying {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn generate_into(config: &Path, out: &Path) -> Result<()> {
    codegen::run(config, out, codegen::output::Mode::Write)
        .map(drop)
        .map_err(|e| format!("generating from {}: {e}", config.display()))
}

/// Copies the config's overlays beside a copy of it in `dir`, at the same relative paths.
fn copy_overlays(config: &codegen::Config, dir: &Path) -> Result<()> {
    for (relative, source) in config.overlays.iter().zip(config.overlay_paths()) {
        let target = dir.join(relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
        }
        fs::copy(&source, &target).map_err(|e| format!("copying {}: {e}", source.display()))?;
    }
    Ok(())
}

/// Adds [`ADDED_FIELD`] as the first property of component schema `name`, editing the
/// text so everything else stays byte for byte.
fn add_field(schema: &str, name: &str) -> Result<String> {
    let start = schema
        .find(&format!("\"{name}\": {{"))
        .ok_or_else(|| format!("the description has no schema {name:?}"))?;
    let properties = schema[start..]
        .find("\"properties\": {")
        .map(|i| start + i + "\"properties\": {".len())
        .ok_or_else(|| format!("schema {name:?} has no properties"))?;
    let mut edited = String::with_capacity(schema.len() + ADDED_FIELD.len());
    edited.push_str(&schema[..properties]);
    edited.push_str(ADDED_FIELD);
    edited.push_str(&schema[properties..]);
    Ok(edited)
}

/// One criterion group: generated vs hand-written medians, in nanoseconds.
struct Pair {
    group: &'static str,
    what: &'static str,
    /// Criterion's medians.
    generated_ns: f64,
    hand_ns: f64,
    /// generated / hand-written from adjacent batches: the figure the target is judged on.
    paired_ratio: f64,
}

/// Criterion's figures for each benchmark, then the ratios from the paired run
/// (`BENCH_PAIRED=1`: adjacent ~1 ms batches of each side, median of 600 rounds), which
/// a slow spell of a shared machine cannot tilt the way it can tilt two criterion runs
/// taken seconds apart.
fn runtime_benches(root: &Path) -> Result<Vec<Pair>> {
    let criterion_dir = root.join("target/criterion");
    // Stale estimates from an older run must not pass for this run's.
    let _ = fs::remove_dir_all(&criterion_dir);
    let bench = ["bench", "--locked", "-p", "label-studio-client", "--bench", "runtime"];
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
            let text = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
            let value: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            value["median"]["point_estimate"]
                .as_f64()
                .ok_or_else(|| format!("{}: no median.point_estimate", path.display()))
        };
        let ratio = paired
            .lines()
            .filter_map(|line| line.strip_prefix("paired "))
            .find_map(|rest| {
                let mut words = rest.split_whitespace();
                (words.next() == Some(group)).then(|| words.next()?.parse::<f64>().ok())?
            })
            .ok_or_else(|| format!("the paired run printed no ratio for {group}:\n{paired}"))?;
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

struct Report {
    runs: usize,
    full_gen: Generation,
    seed_gen: Generation,
    lines: Lines,
    seed_lines: Lines,
    debug: f64,
    release: f64,
    seed_debug: f64,
    incremental: f64,
    runtime: Vec<Pair>,
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn time_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

impl Report {
    fn table(&self) -> String {
        let mut t = String::new();
        let machine = machine();
        let _ = writeln!(t, "cargo xtask bench — {machine}");
        let _ = writeln!(t, "\n| figure | measured | target / baseline | |");
        let _ = writeln!(t, "|---|---|---|---|");
        for (label, g, target) in [
            ("generate, full description", &self.full_gen, TARGET_FULL_GEN_MS),
            ("generate, seed endpoint", &self.seed_gen, TARGET_SEED_GEN_MS),
        ] {
            let _ = writeln!(
                t,
                "| {label} (median of {}) | {:.1} ms: load {:.1}, lower {:.1}, emit+format {:.1} (CPU: emit {:.1}, format {:.1}); process {:.1} ms; peak {:.0} MiB; {} files | ≤ {target} ms | {} |",
                self.runs,
                g.step_ms,
                g.load_ms,
                g.lower_ms,
                g.emit_and_format_ms,
                g.emit_cpu_ms,
                g.format_cpu_ms,
                g.process_ms,
                g.peak_rss_mib,
                g.files,
                verdict(g.step_ms <= target)
            );
        }
        let _ = writeln!(
            t,
            "| generated crate, full API | {} lines ({} generated + {} runtime) | | |",
            self.lines.total,
            self.lines.total - self.lines.runtime,
            self.lines.runtime
        );
        let _ = writeln!(
            t,
            "| clean build of the crate alone, debug | {:.1} s | ≤ {TARGET_BUILD_S} s | {} |",
            self.debug,
            verdict(self.debug <= TARGET_BUILD_S)
        );
        let _ = writeln!(
            t,
            "| clean build of the crate alone, release | {:.1} s | ≤ {TARGET_BUILD_S} s | {} |",
            self.release,
            verdict(self.release <= TARGET_BUILD_S)
        );
        let _ = writeln!(
            t,
            "| debug rebuild after one added field ({EDITED_SCHEMA}) | {:.1} s | | |",
            self.incremental
        );
        let _ = writeln!(
            t,
            "| seed endpoint crate: lines, clean debug build | {} lines, {:.1} s | | |",
            self.seed_lines.total, self.seed_debug
        );
        for pair in &self.runtime {
            let ratio = pair.paired_ratio;
            let _ = writeln!(
                t,
                "| {} | {} (hand-written {}); paired ratio {ratio:.3}× | ≤ {TARGET_RUNTIME_RATIO}× | {} |",
                pair.what,
                time_ns(pair.generated_ns),
                time_ns(pair.hand_ns),
                verdict(ratio <= TARGET_RUNTIME_RATIO)
            );
        }
        let _ = writeln!(t, "\n{PEERS}");
        t
    }

    fn json(&self) -> Value {
        let generation = |g: &Generation| {
            json!({
                "step_ms": g.step_ms, "process_ms": g.process_ms, "load_ms": g.load_ms,
                "lower_ms": g.lower_ms, "emit_and_format_ms": g.emit_and_format_ms,
                "emit_cpu_ms": g.emit_cpu_ms, "format_cpu_ms": g.format_cpu_ms,
                "peak_rss_mib": g.peak_rss_mib, "files": g.files,
            })
        };
        json!({
            "machine": machine(),
            "runs": self.runs,
            "generation": {
                "full": generation(&self.full_gen),
                "seed": generation(&self.seed_gen),
                "targets_ms": {"full": TARGET_FULL_GEN_MS, "seed": TARGET_SEED_GEN_MS},
            },
            "generated_crate": {
                "lines": self.lines.total,
                "runtime_lines": self.lines.runtime,
                "clean_build_debug_s": self.debug,
                "clean_build_release_s": self.release,
                "incremental_debug_s": self.incremental,
                "seed_lines": self.seed_lines.total,
                "seed_clean_build_debug_s": self.seed_debug,
                "target_s": TARGET_BUILD_S,
            },
            "runtime": self.runtime.iter().map(|p| json!({
                "benchmark": p.group,
                "generated_ns": p.generated_ns,
                "hand_written_ns": p.hand_ns,
                "criterion_ratio": p.generated_ns / p.hand_ns,
                "paired_ratio": p.paired_ratio,
                "target_ratio": TARGET_RUNTIME_RATIO,
            })).collect::<Vec<_>>(),
        })
    }
}

/// CPU model, core count and memory, from /proc (Linux).
fn machine() -> String {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kib| kib / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    format!("{model}, {cores} cores, {mem_gib:.0} GiB")
}
