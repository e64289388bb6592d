//! The bench's verdicts: a Markdown table on stdout and `target/bench/report.json`.

use std::fmt::Write as _;
use std::fs;

use serde_json::{Value, json};

use super::EDITED_SCHEMA;
use super::crates::Lines;
use super::generation::Generation;
use super::peers::Comparison;
use super::runtime::Pair;

/// Targets from the issue that asked for this command (#5).
const TARGET_FULL_GEN_MS: f64 = 100.0;
const TARGET_SEED_GEN_MS: f64 = 10.0;
const TARGET_BUILD_S: f64 = 12.0;
const TARGET_RUNTIME_RATIO: f64 = 1.05;

/// `cargo xtask codegen` as typed here, over the fastest peer on the whole description
/// (issue #23); the other ratios are each workload's own ([`super::peers::Targets`]).
const TARGET_XTASK_CODEGEN_RATIO: f64 = 1.0;

pub struct Report {
    pub runs: usize,
    pub full_gen: Generation,
    pub seed_gen: Generation,
    pub lines: Lines,
    pub seed_lines: Lines,
    pub debug: f64,
    pub release: f64,
    pub seed_debug: f64,
    /// The seed crate with the runtime copied into it rather than a dependency.
    pub seed_copied_lines: Lines,
    pub seed_copied_debug: f64,
    /// Clean debug build with one optional feature on, measured in the same run as `debug`.
    pub feature_debug: Vec<(&'static str, f64)>,
    pub incremental: f64,
    /// GitHub's crate with group features: whole, and two groups alone.
    pub group_builds: super::groups::GroupBuilds,
    /// The first `cargo xtask codegen` from an empty target directory, in seconds.
    pub first_run_s: f64,
    pub runtime: Vec<Pair>,
    /// A 50 MB import and export, streamed and buffered.
    pub transfers: Vec<super::transfer::Transfer>,
    /// The peers, with `--peers`.
    pub comparison: Option<Comparison>,
}

/// One figure: ours, each peer's (or why it is missing), the ratio to the best peer.
struct PeerRow {
    what: String,
    ours: String,
    peers: Vec<Result<String, String>>,
    ratio: Option<f64>,
    target: f64,
    ours_value: f64,
    best: Option<f64>,
}

impl PeerRow {
    fn new(what: String, ours: f64, peers: &[Result<f64, String>], unit: &str, target: f64) -> PeerRow {
        let best = peers.iter().filter_map(|p| p.as_ref().ok().copied()).reduce(f64::min);
        let show = |v: f64| {
            if unit == "ms" {
                format!("{v:.0} ms")
            } else {
                format!("{v:.2} s")
            }
        };
        PeerRow {
            what,
            ours: show(ours),
            peers: peers.iter().map(|p| p.clone().map(show)).collect(),
            ratio: best.map(|b| ours / b),
            target,
            ours_value: ours,
            best,
        }
    }
}

/// Ours against progenitor on the largest corpus document it generates (reported, no target).
fn corpus_line(corpus: &Result<super::peers::CorpusFigures, String>) -> String {
    match corpus {
        Ok(c) => format!(
            "\nLargest corpus document progenitor generates: `{}` ({} KB, prepared for it: JSON bodies only). Generate: ours {:.0} ms, progenitor {:.0} ms ({:.2}×). Clean debug build: ours {:.2} s, progenitor {:.2} s ({:.2}×).\n",
            c.document,
            c.bytes / 1000,
            c.generate_ms[0],
            c.generate_ms[1],
            c.generate_ms[0] / c.generate_ms[1],
            c.build_s[0],
            c.build_s[1],
            c.build_s[0] / c.build_s[1],
        ),
        Err(why) => format!(
            "\nLargest corpus document progenitor generates: none ({}).\n",
            first_line(why)
        ),
    }
}

/// A reason short enough for a table cell (report.json keeps the whole of it).
fn first_line(why: &str) -> String {
    let line = why.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    line.chars().take(120).collect()
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
    pub fn table(&self) -> String {
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
        for (feature, seconds) in &self.feature_debug {
            let extra = seconds - self.debug;
            let _ = writeln!(
                t,
                "| clean build of the crate alone, debug, feature `{feature}` | {seconds:.1} s ({extra:+.1} s, {:+.0}% over the default, same run) | | |",
                100.0 * extra / self.debug
            );
        }
        let _ = writeln!(
            t,
            "| debug rebuild after one added field ({EDITED_SCHEMA}) | {:.1} s | | |",
            self.incremental
        );
        let groups = &self.group_builds;
        let ratio = groups.two_groups_s / groups.whole_s;
        let _ = writeln!(
            t,
            "| GitHub's crate with group features: clean debug build, groups {} alone / all | {:.1} s / {:.1} s: {ratio:.2}× | ≤ {}× | {} |",
            super::groups::GROUPS.join(" + "),
            groups.two_groups_s,
            groups.whole_s,
            super::groups::TARGET_RATIO,
            verdict(ratio <= super::groups::TARGET_RATIO)
        );
        let _ = writeln!(
            t,
            "| first `cargo xtask codegen`, empty target directory | {:.0} s | ≤ {} s | {} |",
            self.first_run_s,
            super::first_run::TARGET_S,
            verdict(self.first_run_s <= super::first_run::TARGET_S)
        );
        let _ = writeln!(
            t,
            "| seed endpoint crate: lines, clean debug build | {} lines, {:.1} s | | |",
            self.seed_lines.total, self.seed_debug
        );
        let _ = writeln!(
            t,
            "| the same, runtime copied into the crate instead of a dependency | {} lines ({} runtime), {:.1} s | | |",
            self.seed_copied_lines.total, self.seed_copied_lines.runtime, self.seed_copied_debug
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
        t.push_str(&self.transfer_rows());
        match &self.comparison {
            Some(comparison) => t.push_str(&self.peer_table(comparison)),
            None => t.push_str("\n(peers not measured: `cargo xtask bench --peers` measures them in the same run)\n"),
        }
        t
    }

    /// Peak memory of the large transfers; streamed, it must stay under a share of the size.
    fn transfer_rows(&self) -> String {
        use super::transfer::TARGET_STREAMED_SHARE;
        let mut t = String::new();
        for run in &self.transfers {
            let size_mib = run.received_bytes.max(run.sent_bytes) as f64 / 1024.0 / 1024.0;
            let limit = size_mib * TARGET_STREAMED_SHARE;
            let (target, met) = match run.mode {
                "stream" => (format!("≤ {limit:.0} MiB"), verdict(run.peak_mib() <= limit).to_owned()),
                _ => ("(for comparison)".to_owned(), String::new()),
            };
            let _ = writeln!(
                t,
                "| {} MB import + export against Label Studio, {}: peak RSS | {:.0} MiB (sent {:.1} MiB, received {:.1} MiB) | {target} | {met} |",
                super::transfer::MEGABYTES,
                run.mode,
                run.peak_mib(),
                run.sent_bytes as f64 / 1024.0 / 1024.0,
                run.received_bytes as f64 / 1024.0 / 1024.0,
            );
        }
        t
    }

    /// Ours beside each peer, and the ratio to the best peer against the target.
    fn peer_table(&self, c: &Comparison) -> String {
        let mut t = String::from("\n| same run | ours |");
        let mut rule = String::from("|---|---|");
        for peer in c.workloads.first().map(|w| w.peers.as_slice()).unwrap_or_default() {
            t.push_str(&format!(" {} |", peer.peer.label()));
            rule.push_str("---|");
        }
        t.push_str(" ours / best peer | target |\n");
        t.push_str(&rule);
        t.push_str("---|---|\n");
        for row in self.peer_rows(c) {
            let cells: Vec<String> = row
                .peers
                .iter()
                .map(|v| v.clone().unwrap_or_else(|why| format!("— ({})", first_line(&why))))
                .collect();
            let verdict = row.ratio.map_or("no peer".to_owned(), |r| {
                format!("{r:.2}× ({})", verdict(r <= row.target))
            });
            let _ = writeln!(
                t,
                "| {} | {} | {} | {verdict} | ≤ {}× |",
                row.what,
                row.ours,
                cells.join(" | "),
                row.target
            );
        }
        t.push_str(&corpus_line(&c.corpus));
        t.push_str("\nOurs is the installed command (`cargo install --path codegen/cli`, release as `cargo install` builds it), and on one row `cargo xtask codegen` as typed in this repository. Peers get the vendor's description as is (ours also applies its overlays and config); progenitor gets it with extra request media types removed, and on GitHub's also without the operations whose body is not JSON (it fails on them otherwise). Seed endpoint: ours reads the whole description through the real config (overlays included) generating the seed operations; the peers read the description cut to PATCH /api/storages/s3/{id} and the token exchange its auth needs (POST /api/token/refresh/), and what they reach. Generation: whole process writing a fresh folder, tools alternating, median of the timed rounds. Builds: clean debug build of the crate alone, dependencies built.\n");
        t
    }

    fn peer_rows(&self, c: &Comparison) -> Vec<PeerRow> {
        let mut rows = Vec::new();
        for w in &c.workloads {
            let generation: Vec<Result<f64, String>> = w.peers.iter().map(|p| p.generate_ms.clone()).collect();
            rows.push(PeerRow::new(
                format!("generate, {}", w.what),
                w.ours_generate_ms,
                &generation,
                "ms",
                w.targets.generate,
            ));
            let build: Vec<Result<f64, String>> = w.peers.iter().map(|p| p.build_s.clone()).collect();
            rows.push(PeerRow::new(
                format!("clean debug build, {}", w.what),
                w.ours_build_s,
                &build,
                "s",
                w.targets.build,
            ));
        }
        if let Some(whole) = c.workloads.first() {
            let generation: Vec<Result<f64, String>> = whole.peers.iter().map(|p| p.generate_ms.clone()).collect();
            rows.push(PeerRow::new(
                format!("generate, {}: `cargo xtask codegen` as typed here", whole.what),
                c.xtask_codegen_ms,
                &generation,
                "ms",
                TARGET_XTASK_CODEGEN_RATIO,
            ));
        }
        rows
    }

    pub fn json(&self) -> Value {
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
                "clean_build_debug_with_feature_s": self.feature_debug.iter().map(|(f, s)| (f.to_string(), json!(s))).collect::<serde_json::Map<_, _>>(),
                "incremental_debug_s": self.incremental,
                "seed_lines": self.seed_lines.total,
                "seed_clean_build_debug_s": self.seed_debug,
                "seed_runtime_copied_lines": self.seed_copied_lines.total,
                "seed_runtime_copied_clean_build_debug_s": self.seed_copied_debug,
                "target_s": TARGET_BUILD_S,
            },
            "group_features": {
                "crate": "GitHub (corpus/github)",
                "groups": super::groups::GROUPS,
                "clean_build_debug_whole_s": self.group_builds.whole_s,
                "clean_build_debug_groups_s": self.group_builds.two_groups_s,
                "ratio": self.group_builds.two_groups_s / self.group_builds.whole_s,
                "target_ratio": super::groups::TARGET_RATIO,
                "met": self.group_builds.two_groups_s / self.group_builds.whole_s <= super::groups::TARGET_RATIO,
            },
            "first_run": {
                "command": "cargo xtask codegen",
                "seconds": self.first_run_s,
                "target_s": super::first_run::TARGET_S,
                "met": self.first_run_s <= super::first_run::TARGET_S,
            },
            "runtime": self.runtime.iter().map(|p| json!({
                "benchmark": p.group,
                "generated_ns": p.generated_ns,
                "hand_written_ns": p.hand_ns,
                "criterion_ratio": p.generated_ns / p.hand_ns,
                "paired_ratio": p.paired_ratio,
                "target_ratio": TARGET_RUNTIME_RATIO,
            })).collect::<Vec<_>>(),
            "transfers": self.transfers.iter().map(|run| {
                let size = run.received_bytes.max(run.sent_bytes) as f64;
                let limit_kib = size / 1024.0 * super::transfer::TARGET_STREAMED_SHARE;
                json!({
                    "mode": run.mode,
                    "sent_bytes": run.sent_bytes,
                    "received_bytes": run.received_bytes,
                    "peak_rss_kib": run.peak_rss_kib,
                    "target_peak_rss_kib": (run.mode == "stream").then_some(limit_kib),
                    "met": (run.mode == "stream").then_some(run.peak_rss_kib as f64 <= limit_kib),
                })
            }).collect::<Vec<_>>(),
            "peers": self.comparison.as_ref().map(|c| self.peers_json(c)),
        })
    }

    /// Every peer figure with its value, each peer's, the target and whether it is met.
    fn peers_json(&self, c: &Comparison) -> Value {
        let rows: Vec<Value> = self
            .peer_rows(c)
            .iter()
            .map(|row| {
                let labels = c.workloads.first().map(|w| w.peers.as_slice()).unwrap_or_default();
                let peers: serde_json::Map<String, Value> = labels
                    .iter()
                    .zip(&row.peers)
                    .map(|(p, v)| {
                        (
                            p.peer.label().to_owned(),
                            v.clone().map_or_else(|why| json!({"missing": why}), |v| json!(v)),
                        )
                    })
                    .collect();
                json!({
                    "figure": row.what, "ours": row.ours_value, "best_peer": row.best, "peers": peers,
                    "ratio": row.ratio, "target_ratio": row.target,
                    "met": row.ratio.map(|r| r <= row.target),
                })
            })
            .collect();
        let lines: Vec<Value> = c
            .workloads
            .iter()
            .map(|w| {
                let peers: serde_json::Map<String, Value> = w
                    .peers
                    .iter()
                    .map(|p| (p.peer.label().to_owned(), json!(p.lines)))
                    .collect();
                json!({"workload": w.what, "ours": w.ours_lines, "peers": peers})
            })
            .collect();
        let corpus = match &c.corpus {
            Ok(f) => json!({
                "document": f.document, "bytes": f.bytes,
                "generate_ms": {"ours": f.generate_ms[0], "progenitor": f.generate_ms[1], "ratio": f.generate_ms[0] / f.generate_ms[1]},
                "clean_build_debug_s": {"ours": f.build_s[0], "progenitor": f.build_s[1], "ratio": f.build_s[0] / f.build_s[1]},
            }),
            Err(why) => json!({"missing": why}),
        };
        json!({ "figures": rows, "rust_lines": lines, "progenitor_largest_corpus_document": corpus })
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
