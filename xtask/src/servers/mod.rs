//! `cargo xtask servers`: conformance sweeps of real servers beside Label Studio, one per
//! folder of `servers/` (its `server.toml`: how to install and start it; the description
//! it serves, pinned; `sweep.toml`: how to seed it). For each server:
//!
//! 1. installs it (pinned, from its package registry) and starts it on loopback;
//! 2. checks that the description it serves is the pinned one (a new release must be
//!    pinned on purpose);
//! 3. generates its client, plans the sweep ([`plan`]) and runs it through the client
//!    ([`driver`]), logging each call's outcome;
//! 4. writes `target/e2e/<server>/conformance.json` (as Label Studio's) and the summary
//!    of every server, Label Studio's included, `target/e2e/servers.json`.

mod driver;
mod plan;
pub(crate) mod postgres;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::e2e::conformance;
use crate::e2e::services::Services;
use crate::error::{AtPath, Error, Result};
use crate::util::{captured, cargo, ensure_venv, free_port};

/// Share of operations a server's sweep must exercise.
const TARGET_EXERCISED: f64 = 0.80;

/// `servers/<name>/server.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerFile {
    name: String,
    producer: String,
    version: String,
    /// `pip` (`requirements.txt` into a virtual environment) or `npm` (`package.json`
    /// and `package-lock.json`, installed with `npm ci`).
    #[serde(default = "pip")]
    install: String,
    /// The command: from the server's virtual environment (pip) or PATH (npm), with
    /// `{port}`, `{run}` (its run folder), `{folder}` (its `servers/` folder) and
    /// `{pg_port}` filled in.
    command: Vec<String>,
    /// A throwaway PostgreSQL cluster it needs, with this database.
    postgres_database: Option<String>,
    /// The API key its client sends (the server's own test credentials).
    api_key: Option<String>,
    /// Being brought up: swept and reported, its targets not yet required (say why).
    draft: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    /// The path answering once the server is ready.
    health: String,
    /// Where the description is served, and where the API's paths start.
    description: String,
    base_path: String,
}

fn pip() -> String {
    "pip".to_owned()
}

/// Where a server was installed, and how its command is found.
enum Installed {
    Venv(PathBuf),
    Node(PathBuf),
}

/// Sweeps the servers named (all when none is).
pub fn run(root: &Path, names: &[String]) -> Result<ExitCode> {
    let e2e = root.join("target/e2e");
    let mut summaries = vec![label_studio_summary(&e2e)];
    let mut all_met = true;
    let wanted = |folder: &PathBuf| names.is_empty() || names.iter().any(|n| folder.ends_with(n));
    for folder in server_folders(root)?.into_iter().filter(wanted) {
        let (summary, met) = sweep_server(root, &e2e, &folder)?;
        all_met &= met;
        summaries.push(summary);
    }
    let path = e2e.join("servers.json");
    let text = serde_json::to_string_pretty(&json!({ "servers": summaries })).unwrap_or_default();
    fs::write(&path, text + "\n").at(&path)?;
    eprintln!("servers: summary in {}", path.display());
    Ok(if all_met { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn server_folders(root: &Path) -> Result<Vec<PathBuf>> {
    let servers = root.join("servers");
    let mut folders: Vec<PathBuf> = fs::read_dir(&servers)
        .at(&servers)?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.join("server.toml").is_file())
        .collect();
    folders.sort();
    Ok(folders)
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path).at(path)?;
    toml::from_str(&text).map_err(|e| Error::unexpected(path.display(), e.to_string()))
}

/// One server: started, checked, swept; its summary and whether it met the targets.
fn sweep_server(root: &Path, e2e: &Path, folder: &Path) -> Result<(Value, bool)> {
    let server: ServerFile = read_toml(&folder.join("server.toml"))?;
    let sweep: plan::SweepFile = read_toml(&folder.join("sweep.toml"))?;
    let dir = e2e.join(&server.name);
    let run_dir = dir.join("run");
    if run_dir.exists() {
        fs::remove_dir_all(&run_dir).at(&run_dir)?;
    }
    fs::create_dir_all(&run_dir).at(&run_dir)?;
    let installed = match server.install.as_str() {
        "pip" => Installed::Venv(ensure_venv(
            &folder.join("requirements.txt"),
            &dir.join("venv"),
            &server.name,
        )?),
        "npm" => Installed::Node(crate::util::ensure_node_modules(
            folder,
            &dir.join("node"),
            &server.name,
        )?),
        other => {
            return Err(Error::unexpected(
                folder.display(),
                format!("unknown install `{other}`"),
            ));
        }
    };

    let config_path = folder.join("codegen.toml");
    let config = codegen::Config::load(&config_path)?;
    let doc = codegen::load_document(&config)?;
    let (api, _) = codegen::lower::lower(&doc, &config)?;
    let generated = codegen::generate_from(&doc, &config)?;
    let driver = build_driver(root, &dir, &api, &generated.files, server.api_key.as_deref())?;
    let planned = plan::plan(&api, &sweep).map_err(|e| Error::unexpected(folder.display(), e))?;
    let plan_path = dir.join("plan.json");
    // The variables known before any call start the driver's own.
    let text = serde_json::to_string_pretty(&json!({"vars": sweep.vars, "calls": planned})).unwrap_or_default();
    fs::write(&plan_path, text).at(&plan_path)?;

    let services = Services::new();
    let pg_port = match &server.postgres_database {
        Some(database) => Some(postgres::start(&services, &run_dir, database)?),
        None => None,
    };
    let port = free_port()?;
    let places = Places {
        port,
        run: &run_dir,
        folder,
        pg_port,
    };
    let base = start(&services, &server, &installed, &places)?;
    check_description(&server, &base, &config.schema_path())?;
    let api_base = format!("{base}{}", server.base_path);
    eprintln!(
        "servers: {}: {} calls through the generated client",
        server.name,
        planned.len()
    );
    let output = captured(Command::new(&driver).arg(&plan_path).arg(&api_base), "the sweep driver")?;
    drop(services);
    let log = dir.join("conformance-calls.jsonl");
    let mut lines = String::from_utf8_lossy(&output.stdout).into_owned();
    for (id, why) in &sweep.not_exercised {
        lines.push_str(&format!(
            "{}\n",
            json!({"operation_id": id, "outcome": "not_exercised", "note": why})
        ));
    }
    fs::write(&log, lines).at(&log)?;
    let operations = conformance::described_operations(&config)?;
    let summary = conformance::report_for(&operations, &log, &dir.join("conformance.json"), TARGET_EXERCISED)?;
    let met = summary["targets_met"] == json!(true);
    let mut reported = server_summary(&server.name, &server.producer, &server.version, &summary);
    reported["targets_met"] = json!(met);
    if let Some(why) = &server.draft {
        eprintln!(
            "servers: {} is a draft, its targets not yet required: {why}",
            server.name
        );
        reported["draft"] = json!(why);
        return Ok((reported, true));
    }
    Ok((reported, met))
}

/// What a server's command and environment may name.
struct Places<'a> {
    port: u16,
    run: &'a Path,
    folder: &'a Path,
    pg_port: Option<u16>,
}

impl Places<'_> {
    fn fill(&self, text: &str) -> String {
        text.replace("{port}", &self.port.to_string())
            .replace("{run}", &self.run.display().to_string())
            .replace("{folder}", &self.folder.display().to_string())
            .replace("{pg_port}", &self.pg_port.map(|p| p.to_string()).unwrap_or_default())
    }
}

/// Starts the server in its own process group; its base URL once it answers.
fn start(services: &Services, server: &ServerFile, installed: &Installed, places: &Places<'_>) -> Result<String> {
    let mut command = match installed {
        Installed::Venv(venv) => Command::new(venv.join("bin").join(&server.command[0])),
        Installed::Node(modules) => {
            let mut command = Command::new(&server.command[0]);
            command.env("NODE_PATH", modules.join("node_modules"));
            command
        }
    };
    command.args(server.command[1..].iter().map(|a| places.fill(a)));
    command.envs(server.env.iter().map(|(k, v)| (k, places.fill(v))));
    let log = places.run.join("server.log");
    services.start(&server.name, command, &log)?;
    services.wait_tcp(&server.name, places.port, Duration::from_secs(180), &log)?;
    let base = format!("http://127.0.0.1:{}", places.port);
    wait_healthy(&format!("{base}{}", server.health), &log)?;
    Ok(base)
}

fn wait_healthy(url: &str, log: &Path) -> Result<()> {
    for _ in 0..120 {
        if http_get(url).is_ok_and(|(status, _)| status == 200) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Err(Error::Service(format!(
        "{url} never answered 200; see {}",
        log.display()
    )))
}

/// The description the server serves must be the pinned one, as JSON.
fn check_description(server: &ServerFile, base: &str, pinned: &Path) -> Result<()> {
    let (_, served) = http_get(&format!("{base}{}", server.description))?;
    let served: Value =
        serde_json::from_slice(&served).map_err(|e| Error::unexpected(&server.description, e.to_string()))?;
    let text = fs::read_to_string(pinned).at(pinned)?;
    let pinned_value: Value =
        serde_json::from_str(&text).map_err(|e| Error::unexpected(pinned.display(), e.to_string()))?;
    if served != pinned_value {
        return Err(Error::unexpected(
            pinned.display(),
            format!(
                "{} {} serves another description: pin it again (see servers/README.md)",
                server.name, server.version
            ),
        ));
    }
    Ok(())
}

/// A GET on loopback: status and body.
fn http_get(url: &str) -> Result<(u16, Vec<u8>)> {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(host).map_err(|e| Error::Service(format!("{url}: {e}")))?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| Error::Service(format!("{url}: {e}")))?;
    let mut reply = Vec::new();
    stream
        .read_to_end(&mut reply)
        .map_err(|e| Error::Service(format!("{url}: {e}")))?;
    let head_end = reply.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(reply.len());
    let head = String::from_utf8_lossy(&reply[..head_end]).into_owned();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut body = reply[(head_end + 4).min(reply.len())..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Ok((status, body))
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..line_end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&body[start..(start + size).min(body.len())]);
        body = &body[(start + size + 2).min(body.len())..];
    }
    out
}

/// The driver crate (`target/e2e/<server>/driver`) over the server's generated client.
fn build_driver(
    root: &Path,
    dir: &Path,
    api: &codegen::ir::Api,
    files: &[codegen::emit::OutputFile],
    api_key: Option<&str>,
) -> Result<PathBuf> {
    let client = dir.join("client");
    codegen::output::sync(&client, files, codegen::output::Mode::Write)?;
    let krate = api.krate.name.replace('-', "_");
    let driver = dir.join("driver");
    fs::create_dir_all(driver.join("src")).at(&driver)?;
    let manifest = format!(
        "[package]\nname = \"sweep-driver\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n{} = {{ path = \"../client\", features = [\"roundtrip\"] }}\n\
         chrono = {{ version = \"0.4\", default-features = false, features = [\"serde\"] }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt\"] }}\nurl = \"2\"\n",
        api.krate.name
    );
    write_if_changed(
        &dir.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"driver\", \"client\"]\n",
    )?;
    write_if_changed(&driver.join("Cargo.toml"), &manifest)?;
    let support = format!("{}{}", crate::wire::driver::SUPPORT, driver::support(&krate, api_key));
    write_if_changed(&driver.join("src/support.rs"), &support)?;
    write_if_changed(
        &driver.join("src/api.rs"),
        &crate::wire::driver::module(api, &krate, "crate::support::auth()"),
    )?;
    write_if_changed(&driver.join("src/main.rs"), driver::MAIN)?;
    if !dir.join("Cargo.lock").exists() {
        let lock = root.join("Cargo.lock");
        fs::copy(&lock, dir.join("Cargo.lock")).at(&lock)?;
    }
    let target = root.join("target/corpus/target");
    eprintln!("servers: building the sweep driver of {}", api.krate.name);
    cargo(
        dir,
        &["build", "--offline", "-p", "sweep-driver"],
        &[("CARGO_TARGET_DIR", target.as_os_str())],
    )?;
    Ok(target.join("debug/sweep-driver"))
}

fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    fs::write(path, text).at(path)
}

fn server_summary(name: &str, producer: &str, version: &str, summary: &Value) -> Value {
    let outcome = |o: &str| summary["outcomes"][o].clone();
    json!({
        "name": name,
        "producer": producer,
        "version": version,
        "operations": summary["total"],
        "exercised": summary["exercised"],
        "ok": outcome("ok"),
        "expected_error": outcome("expected_error"),
        "decode_error": outcome("decode_error"),
        "unexpected_error": outcome("unexpected_error"),
        "not_exercised": outcome("not_exercised"),
    })
}

/// Label Studio's figures, from the report `cargo xtask e2e` wrote (run it first).
fn label_studio_summary(e2e: &Path) -> Value {
    let path = e2e.join("conformance.json");
    let report: Value = fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let version = "1.23.2";
    let mut summary = server_summary(
        "label-studio",
        "Label Studio (Python, Django REST Framework)",
        version,
        &report["summary"],
    );
    summary["targets_met"] = report["summary"]["targets_met"].clone();
    if report.is_null() {
        summary["note"] = json!("no target/e2e/conformance.json: run `cargo xtask e2e` first");
    }
    summary
}
