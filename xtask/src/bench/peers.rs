//! `cargo xtask bench --peers`: other Rust client generators, pinned, installed under
//! `target/peers/` by this module, and measured in the same run as ours on the same
//! descriptions, runs alternating between the tools so a slow spell hits all alike.
//!
//! What each gets: the vendor's description as is (we also apply our overlays and
//! config); progenitor gets it with extra request media types removed (it panics on
//! them otherwise). The seed endpoint is the description cut down to
//! `PATCH /api/storages/s3/{id}` and the token exchange its auth needs, and the
//! components they reach; ours reads that cut description too.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use super::inputs::{config_reading, json_bodies_only, seed_description};
use crate::error::{AtPath, Error, Result};
use crate::util::{captured, cargo, median};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Peer {
    Progenitor,
    OpenapiToRust,
    OpenapiGenerator,
}

impl Peer {
    pub const ALL: [Peer; 3] = [Peer::OpenapiToRust, Peer::Progenitor, Peer::OpenapiGenerator];

    pub fn label(self) -> &'static str {
        match self {
            Peer::Progenitor => "progenitor 0.15.1",
            Peer::OpenapiToRust => "openapi-to-rust 0.23.0",
            Peer::OpenapiGenerator => "openapi-generator 7.26.0",
        }
    }

    fn dir_name(self) -> &'static str {
        match self {
            Peer::Progenitor => "progenitor",
            Peer::OpenapiToRust => "openapi-to-rust",
            Peer::OpenapiGenerator => "openapi-generator",
        }
    }
}

/// A peer ready to run, or why it is missing.
pub struct Installed {
    pub peer: Peer,
    pub program: std::result::Result<PathBuf, String>,
}

/// Installs each peer once (an installed one is reused).
pub fn install(root: &Path) -> Vec<Installed> {
    Peer::ALL
        .iter()
        .map(|&peer| {
            let dir = root.join("target/peers").join(peer.dir_name());
            let program = install_one(root, peer, &dir).map_err(|e| e.to_string());
            if let Err(why) = &program {
                eprintln!("{}: not measured: {why}", peer.label());
            }
            Installed { peer, program }
        })
        .collect()
}

fn install_one(root: &Path, peer: Peer, dir: &Path) -> Result<PathBuf> {
    let (program, krate, version) = match peer {
        Peer::Progenitor => (dir.join("bin/cargo-progenitor"), "cargo-progenitor", "0.15.1"),
        Peer::OpenapiToRust => (dir.join("bin/openapi-to-rust"), "openapi-to-rust", "0.23.0"),
        Peer::OpenapiGenerator => return install_openapi_generator(dir),
    };
    if !program.is_file() {
        let root_arg = dir.display().to_string();
        let args = ["install", "--locked", "--root", &root_arg, krate, "--version", version];
        cargo(root, &args, &[])?;
    }
    Ok(program)
}

/// openapi-generator-cli from PyPI (a Java program): only where Java runs.
fn install_openapi_generator(dir: &Path) -> Result<PathBuf> {
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|o| o.status.success()) {
        return Err(Error::unexpected(
            "openapi-generator",
            "no Java runtime (`java -version` fails)",
        ));
    }
    let program = dir.join("bin/openapi-generator-cli");
    if !program.is_file() {
        captured(Command::new("python3").args(["-m", "venv"]).arg(dir), "python3 -m venv")?;
        let pip = dir.join("bin/pip");
        captured(
            Command::new(&pip).args(["install", "-q", "openapi-generator-cli==7.26.0"]),
            "pip install",
        )?;
    }
    Ok(program)
}

/// One description every tool generates from, and the targets for ours against the best
/// peer on it.
pub struct Workload {
    /// How the table names it.
    pub what: &'static str,
    /// Its folders under `target/bench/peers/`.
    key: &'static str,
    /// Ours reads the vendor's description through this config (overlays and all).
    ours_config: PathBuf,
    /// What the peers read, and progenitor's prepared copy.
    peers_input: PathBuf,
    progenitor_input: PathBuf,
    pub targets: Targets,
}

/// Ours over the best peer, at most.
#[derive(Clone, Copy)]
pub struct Targets {
    pub generate: f64,
    pub build: f64,
}

/// The whole API, whole-API targets: generation 0.25×, build 0.5× the best peer.
const WHOLE_API: Targets = Targets {
    generate: 0.25,
    build: 0.5,
};

/// Label Studio's whole description, its seed endpoint (ours through the real config, its
/// overlays included; the peers read the description cut to those operations), and
/// GitHub's (the corpus's pinned copy, 767 operations).
pub fn workloads(root: &Path, dir: &Path, seed_config: &Path) -> Result<Vec<Workload>> {
    fs::create_dir_all(dir).at(dir)?;
    let description = root.join("schema/label-studio-1.23.2.openapi.json");
    let text = fs::read_to_string(&description).at(&description)?;
    let full: Value =
        serde_json::from_str(&text).map_err(|e| Error::unexpected(description.display(), e.to_string()))?;
    let seed = seed_description(&full)?;
    let write = |name: &str, value: &Value| -> Result<PathBuf> {
        let path = dir.join(name);
        fs::write(&path, value.to_string()).at(&path)?;
        Ok(path)
    };
    let github = root.join("corpus/github/openapi.json");
    Ok(vec![
        Workload {
            what: "Label Studio, whole API",
            key: "full",
            ours_config: root.join("schema/codegen.toml"),
            peers_input: description.clone(),
            progenitor_input: write("full-progenitor.json", &json_bodies_only(full))?,
            targets: WHOLE_API,
        },
        Workload {
            what: "Label Studio, seed endpoint",
            key: "seed",
            ours_config: seed_config.to_owned(),
            peers_input: write("seed.json", &seed)?,
            progenitor_input: write("seed-progenitor.json", &json_bodies_only(seed))?,
            targets: Targets {
                generate: 1.0,
                build: 1.0,
            },
        },
        Workload {
            what: "GitHub, whole API",
            key: "github",
            ours_config: config_reading(
                root,
                &root.join("corpus/github/codegen.toml"),
                &github,
                &dir.join("ours-github.toml"),
            )?,
            peers_input: github.clone(),
            progenitor_input: progenitor_input(&github, &dir.join("github-progenitor.json"))?,
            targets: WHOLE_API,
        },
    ])
}

/// Generates with `peer` from `description` into a crate at `out` (replaced), timing the
/// whole process; returns milliseconds.
pub fn generate(installed: &Installed, program: &Path, description: &Path, out: &Path) -> Result<f64> {
    let _ = fs::remove_dir_all(out);
    let mut cmd = match installed.peer {
        Peer::Progenitor => {
            let mut cmd = Command::new(program);
            cmd.arg("progenitor").arg("-i").arg(description).arg("-o").arg(out);
            cmd.args(["-n", "peer-client", "-v", "0.1.0"]);
            cmd
        }
        Peer::OpenapiToRust => {
            let mut cmd = Command::new(program);
            cmd.arg("generate")
                .arg(description)
                .arg("--output-dir")
                .arg(out.join("src"));
            cmd.args(["--module-name", "peer_client", "--quiet"]);
            cmd
        }
        Peer::OpenapiGenerator => {
            let mut cmd = Command::new(program);
            cmd.args(["generate", "-g", "rust", "--package-name", "peer-client"]);
            // The description's version is empty, which it would write as `.0.0`.
            cmd.args(["--additional-properties", "packageVersion=0.1.0", "-i"])
                .arg(description);
            cmd.arg("-o").arg(out);
            cmd
        }
    };
    let started = Instant::now();
    captured(&mut cmd, installed.peer.label())?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if installed.peer == Peer::OpenapiToRust {
        as_crate(out)?;
    }
    Ok(ms)
}

/// openapi-to-rust writes a module and the dependencies it needs: make it a crate.
fn as_crate(out: &Path) -> Result<()> {
    let src = out.join("src");
    fs::rename(src.join("mod.rs"), src.join("lib.rs")).at(&src)?;
    let deps_path = src.join("REQUIRED_DEPS.toml");
    let deps = fs::read_to_string(&deps_path).at(&deps_path)?;
    let manifest = format!("[package]\nname = \"peer-client\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n{deps}");
    let path = out.join("Cargo.toml");
    fs::write(&path, manifest).at(&path)
}

/// Median clean build (debug) of a peer's crate alone, its dependencies built first.
pub fn clean_builds(crate_dir: &Path, target_dir: &Path, runs: usize) -> Result<f64> {
    super::crates::BenchCrate::peer(crate_dir, "peer-client")?.clean_builds(target_dir, false, runs)
}

/// One peer's figures on one workload, or why each is missing.
pub struct PeerFigures {
    pub peer: Peer,
    pub generate_ms: std::result::Result<f64, String>,
    pub build_s: std::result::Result<f64, String>,
    pub lines: Option<usize>,
}

/// Ours and each peer on one workload.
pub struct WorkloadFigures {
    pub what: &'static str,
    pub targets: Targets,
    pub ours_generate_ms: f64,
    pub ours_build_s: f64,
    pub ours_lines: usize,
    pub peers: Vec<PeerFigures>,
}

/// Every workload, measured in one run.
pub struct Comparison {
    pub workloads: Vec<WorkloadFigures>,
    /// `cargo xtask codegen` as run in this repository (the whole command, cargo's start
    /// included), regenerating Label Studio's crate; median ms, timed in the same rounds.
    pub xtask_codegen_ms: f64,
    /// The largest corpus document progenitor can generate, or why there is none.
    pub corpus: std::result::Result<CorpusFigures, String>,
}

/// How ours runs: `generate(config, out)` gives the process's milliseconds;
/// `xtask_codegen()` times `cargo xtask codegen` as invoked here.
pub struct Ours<'a> {
    pub generate: &'a dyn Fn(&Path, &Path) -> Result<f64>,
    pub xtask_codegen: &'a dyn Fn() -> Result<f64>,
}

/// Generation of every tool on every workload, alternating, `runs` timed rounds after a
/// warm-up; then each crate's clean debug builds.
pub fn compare(
    root: &Path,
    bench_dir: &Path,
    ours: &Ours<'_>,
    seed_config: &Path,
    runs: usize,
    build_runs: usize,
) -> Result<Comparison> {
    let installed = install(root);
    let dir = bench_dir.join("peers");
    let workloads = workloads(root, &dir.join("inputs"), seed_config)?;
    let mut our_times: Vec<Vec<f64>> = vec![Vec::new(); workloads.len()];
    let mut xtask_times = Vec::new();
    let mut peer_times: Vec<Vec<std::result::Result<Vec<f64>, String>>> = workloads
        .iter()
        .map(|_| installed.iter().map(|_| Ok(Vec::new())).collect())
        .collect();
    for _ in 0..runs + 1 {
        xtask_times.push((ours.xtask_codegen)()?);
        for (w, workload) in workloads.iter().enumerate() {
            let out = dir.join(format!("ours-{}", workload.key));
            our_times[w].push((ours.generate)(&workload.ours_config, &out)?);
            for (i, tool) in installed.iter().enumerate() {
                let Ok(program) = &tool.program else { continue };
                let slot = &mut peer_times[w][i];
                if slot.is_err() {
                    continue;
                }
                let description = match tool.peer {
                    Peer::Progenitor => &workload.progenitor_input,
                    _ => &workload.peers_input,
                };
                let out = peer_crate_dir(&dir, tool.peer, workload);
                match (generate(tool, program, description, &out), slot) {
                    (Ok(ms), Ok(times)) => times.push(ms),
                    (Err(e), slot) => *slot = Err(e.to_string()),
                    (Ok(_), Err(_)) => {}
                }
            }
        }
    }
    // The first round warms caches (and the JVM's files); it is not counted.
    let timed = |times: &Vec<f64>| median(times[1..].to_vec());
    let target_dir = dir.join("target");
    let mut figures = Vec::new();
    for ((workload, times), ours_times) in workloads.iter().zip(peer_times).zip(&our_times) {
        let ours_crate = super::crates::BenchCrate::prepare(
            root,
            &dir,
            &format!("ours-{}-build", workload.key),
            &workload.ours_config,
            None,
        )?;
        let peers = installed
            .iter()
            .zip(times)
            .map(|(tool, times)| {
                peer_figures(
                    tool,
                    times.map(|t| timed(&t)),
                    &peer_crate_dir(&dir, tool.peer, workload),
                    &target_dir,
                    build_runs,
                )
            })
            .collect();
        figures.push(WorkloadFigures {
            what: workload.what,
            targets: workload.targets,
            ours_generate_ms: timed(ours_times),
            ours_build_s: ours_crate.clean_builds(&target_dir, false, build_runs)?,
            ours_lines: super::crates::crate_lines(&ours_crate.crate_dir.join("src"))?.total,
            peers,
        });
    }
    let progenitor = installed.iter().find(|t| t.peer == Peer::Progenitor);
    let corpus = match progenitor {
        Some(progenitor) => progenitor_corpus(root, &dir, progenitor, ours.generate, runs, build_runs),
        None => Err("progenitor is not among the peers".to_owned()),
    };
    Ok(Comparison {
        workloads: figures,
        xtask_codegen_ms: timed(&xtask_times),
        corpus,
    })
}

fn peer_crate_dir(dir: &Path, peer: Peer, workload: &Workload) -> PathBuf {
    dir.join(format!("{}-{}/peer-client", peer.dir_name(), workload.key))
}

/// A peer's figures on one workload: its median generation (or why there is none), and
/// then its crate's lines and clean builds.
fn peer_figures(
    tool: &Installed,
    generate_ms: std::result::Result<f64, String>,
    crate_dir: &Path,
    target_dir: &Path,
    build_runs: usize,
) -> PeerFigures {
    let generate_ms = match &tool.program {
        Err(why) => Err(why.clone()),
        Ok(_) => generate_ms,
    };
    let (build_s, lines) = match &generate_ms {
        Ok(_) => (
            clean_builds(crate_dir, target_dir, build_runs).map_err(|e| e.to_string()),
            super::crates::crate_lines(&crate_dir.join("src")).ok().map(|l| l.total),
        ),
        Err(_) => (Err("not generated".to_owned()), None),
    };
    PeerFigures {
        peer: tool.peer,
        generate_ms,
        build_s,
        lines,
    }
}

/// Ours and progenitor on the largest corpus document progenitor can generate.
pub struct CorpusFigures {
    pub document: String,
    pub bytes: u64,
    /// `[ours, progenitor]`.
    pub generate_ms: [f64; 2],
    pub build_s: [f64; 2],
}

/// Tries progenitor on each corpus document, largest first, each with request bodies cut
/// to JSON and operations without a JSON body dropped (it fails on the others); on the
/// first it generates, measures both tools on that same input.
pub fn progenitor_corpus(
    root: &Path,
    dir: &Path,
    progenitor: &Installed,
    ours: &dyn Fn(&Path, &Path) -> Result<f64>,
    runs: usize,
    build_runs: usize,
) -> std::result::Result<CorpusFigures, String> {
    let program = progenitor.program.clone()?;
    let mut documents: Vec<(u64, PathBuf)> = fs::read_dir(root.join("corpus"))
        .map_err(|e| e.to_string())?
        .flatten()
        .filter_map(|entry| {
            let folder = entry.path();
            let document = ["openapi.json", "openapi.yaml"]
                .iter()
                .map(|n| folder.join(n))
                .find(|p| p.is_file())?;
            Some((fs::metadata(&document).ok()?.len(), document))
        })
        .collect();
    documents.sort_by_key(|(bytes, _)| std::cmp::Reverse(*bytes));
    let mut failed = Vec::new();
    for (bytes, document) in documents {
        let name = document
            .parent()
            .and_then(Path::file_name)
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let Ok(input) = progenitor_input(&document, &dir.join(format!("corpus-{name}.json"))) else {
            continue;
        };
        let out = dir.join(format!("progenitor-corpus-{name}/peer-client"));
        if generate(progenitor, &program, &input, &out).is_err() {
            continue;
        }
        let config = document.with_file_name("codegen.toml");
        let ours_config = config_reading(root, &config, &input, &dir.join(format!("ours-corpus-{name}.toml")));
        let figures = ours_config.and_then(|ours_config| {
            measure_corpus_pair(
                root,
                dir,
                (progenitor, &program, &input, &out),
                (ours, &ours_config),
                runs,
                build_runs,
            )
        });
        match figures {
            Ok((generate_ms, build_s)) => {
                return Ok(CorpusFigures {
                    document: name,
                    bytes,
                    generate_ms,
                    build_s,
                });
            }
            // Generated but not built (progenitor's Stripe crate does not compile): the
            // next document down, noting why this one is not the figure.
            Err(e) => failed.push(format!("{name}: {e}")),
        }
    }
    Err(format!(
        "progenitor generated and built none of the corpus documents ({})",
        failed.join("; ")
    ))
}

type PeerRun<'a> = (&'a Installed, &'a Path, &'a Path, &'a Path);
type OurRun<'a> = (&'a dyn Fn(&Path, &Path) -> Result<f64>, &'a Path);

/// Generation alternating between the two, then each crate's clean debug builds.
fn measure_corpus_pair(
    root: &Path,
    dir: &Path,
    (peer, program, input, out): PeerRun<'_>,
    (ours, config): OurRun<'_>,
    runs: usize,
    build_runs: usize,
) -> Result<([f64; 2], [f64; 2])> {
    let our_out = dir.join("ours-corpus-generate");
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..runs + 1 {
        mine.push(ours(config, &our_out)?);
        theirs.push(generate(peer, program, input, out)?);
    }
    let ours_crate = super::crates::BenchCrate::prepare(root, dir, "ours-corpus", config, None)?;
    let ours_build = ours_crate.clean_builds(&dir.join("target"), false, build_runs)?;
    let peer_build = clean_builds(out, &dir.join("target"), build_runs)?;
    Ok((
        [median(mine[1..].to_vec()), median(theirs[1..].to_vec())],
        [ours_build, peer_build],
    ))
}

/// A corpus document as progenitor can take it: JSON, request bodies cut to JSON,
/// operations without a JSON body dropped.
fn progenitor_input(document: &Path, json: &Path) -> Result<PathBuf> {
    let text = fs::read_to_string(document).at(document)?;
    let doc: Value = serde_yaml::from_str(&text).map_err(|e| Error::unexpected(document.display(), e.to_string()))?;
    let mut doc = json_bodies_only(doc);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            item.retain(|_, operation| {
                let content = operation.get("requestBody").and_then(|b| b.get("content"));
                content
                    .and_then(Value::as_object)
                    .is_none_or(|c| c.contains_key("application/json"))
            });
        }
    }
    fs::write(json, doc.to_string()).at(json)?;
    Ok(json.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workload_has_its_inputs_and_a_config_of_ours_that_loads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let seed_config = root.join("schema/codegen.toml");
        let workloads = workloads(root, dir.path(), &seed_config).unwrap();
        let keys: Vec<&str> = workloads.iter().map(|w| w.key).collect();
        assert_eq!(keys, ["full", "seed", "github"]);
        for w in &workloads {
            assert!(w.peers_input.is_file() && w.progenitor_input.is_file(), "{}", w.what);
            let config = codegen::Config::load(&w.ours_config).unwrap();
            assert!(config.schema_path().is_file(), "{}", w.what);
        }
        // GitHub's, as progenitor gets it: every request body JSON.
        let github: Value = serde_json::from_str(&fs::read_to_string(&workloads[2].progenitor_input).unwrap()).unwrap();
        for item in github["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                if let Some(content) = operation["requestBody"]["content"].as_object() {
                    assert_eq!(content.keys().collect::<Vec<_>>(), ["application/json"]);
                }
            }
        }
    }
}
