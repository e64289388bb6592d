//! The stream oracle, run by `cargo xtask wire`: the generated OpenAI client's streamed
//! chat completion against a real OpenAI-compatible server (LiteLLM's proxy from PyPI,
//! answering with a mock response, no model needed), and, differentially, the official
//! `openai` SDK and our client reading the same recorded streams (the real server's,
//! and `xtask/wire/streams/*.sse` with the format's edge cases) into the same events.
//! Python side: `xtask/wire/streams.py`; Rust side: `xtask/wire/streams.rs`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::e2e::services::Services;
use crate::error::{AtPath, Error, Result};
use crate::util::{captured, ensure_venv, free_port};

/// What LiteLLM's mock answers every chat completion with.
const MOCK_ANSWER: &str = "The quick brown fox jumps over the lazy dog.";

/// The streams part of the report, and whether everything held.
pub struct Outcome {
    pub report: Value,
    pub passed: bool,
}

pub fn run(wire: &Path, spec: &Path, driver: &Path, sdk_venv: &Path) -> Result<Outcome> {
    let dir = wire.join("streams");
    fs::create_dir_all(&dir).at(&dir)?;
    let venv = ensure_venv(
        &spec.join("litellm-requirements.txt"),
        &wire.join("litellm-venv"),
        "litellm",
    )?;
    let services = Services::new();
    let (base, key) = start_litellm(&services, &venv, &dir)?;
    let version = package_version(&venv, "litellm");

    let live_path = dir.join("live.json");
    driver_run(driver, &["live", &base, &key], &live_path)?;
    let live: Value = read_json(&live_path)?;
    let mut problems = live_problems(&live);

    // The real server's stream, recorded, then replayed to both readers.
    let recordings = dir.join("recorded");
    fs::create_dir_all(&recordings).at(&recordings)?;
    let python = sdk_venv.join("bin/python");
    let script = spec.join("streams.py");
    let recorded = recordings.join("litellm.sse");
    captured(
        Command::new(&python)
            .arg(&script)
            .args(["record", &base, &key])
            .arg(&recorded),
        "streams.py record",
    )?;
    for entry in fs::read_dir(spec.join("streams")).at(&spec.join("streams"))? {
        let path = entry.at(&spec.join("streams"))?.path();
        if path.extension().is_some_and(|e| e == "sse") {
            let target = recordings.join(path.file_name().unwrap_or_default());
            fs::copy(&path, &target).at(&path)?;
        }
    }
    let port = free_port()?;
    let mut replay = Command::new(&python);
    replay.arg(&script).args(["replay", &port.to_string()]).arg(&recordings);
    let log = dir.join("replay.log");
    services.start("replay server", replay, &log)?;
    services.wait_tcp("replay server", port, Duration::from_secs(20), &log)?;
    let replay_base = format!("http://127.0.0.1:{port}");

    let mut recorded_report = Vec::new();
    for name in recording_names(&recordings)? {
        let compared = compare_readers(driver, &python, &script, &replay_base, &dir, &name)?;
        if compared["equal"] != json!(true) {
            problems.push(format!("the recorded stream `{name}` is read differently"));
        }
        recorded_report.push(compared);
    }
    let passed = problems.is_empty();
    let report = json!({
        "server": "litellm",
        "server_version": version,
        "live": live,
        "recorded": recorded_report,
        "problems": problems,
    });
    Ok(Outcome { report, passed })
}

/// LiteLLM's proxy on a free loopback port, with a key of this run: its base URL and key.
fn start_litellm(services: &Services, venv: &Path, dir: &Path) -> Result<(String, String)> {
    let config = dir.join("litellm.yaml");
    let text = format!(
        "model_list:\n  - model_name: mock-gpt\n    litellm_params:\n      model: openai/gpt-4o-mini\n      \
         api_key: unused\n      mock_response: \"{MOCK_ANSWER}\"\n"
    );
    fs::write(&config, text).at(&config)?;
    let key = format!(
        "sk-wire-{:x}",
        std::process::id() as u64 * 0x9e37_79b9 + free_port()? as u64
    );
    let port = free_port()?;
    let mut litellm = Command::new(venv.join("bin/litellm"));
    litellm
        .arg("--config")
        .arg(&config)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .env("LITELLM_MASTER_KEY", &key)
        .env("LITELLM_TELEMETRY", "False")
        .env("LITELLM_LOG", "ERROR");
    let log = dir.join("litellm.log");
    services.start("LiteLLM proxy", litellm, &log)?;
    services.wait_tcp("LiteLLM proxy", port, Duration::from_secs(120), &log)?;
    Ok((format!("http://127.0.0.1:{port}"), key))
}

/// What the real server's answers say about our client.
fn live_problems(live: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if live["answer"] != json!(MOCK_ANSWER) {
        problems.push(format!("the JSON call answered {}", live["answer"]));
    }
    if live["streamed_text"] != json!(MOCK_ANSWER) {
        problems.push(format!("the streamed call's deltas make {}", live["streamed_text"]));
    }
    if live["events"].as_u64().unwrap_or(0) < 2 {
        problems.push("the streamed call gave fewer than two events".to_owned());
    }
    if live["errors"].as_array().is_some_and(|e| !e.is_empty()) {
        problems.push(format!("the streamed call's events failed: {}", live["errors"]));
    }
    problems
}

fn recording_names(folder: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .at(folder)?
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

/// The SDK's chunks and our events of one recorded stream, compared as JSON (fields
/// left unset, which the SDK gives as `null` and we leave out, ignored).
fn compare_readers(driver: &Path, python: &Path, script: &Path, base: &str, dir: &Path, name: &str) -> Result<Value> {
    let (sdk_path, ours_path) = (
        dir.join(format!("{name}.sdk.json")),
        dir.join(format!("{name}.ours.json")),
    );
    captured(
        Command::new(python)
            .arg(script)
            .args(["sdk-read", base, name])
            .arg(&sdk_path),
        "streams.py sdk-read",
    )?;
    driver_run(driver, &["replay", base, name], &ours_path)?;
    let sdk = without_nulls(read_json(&sdk_path)?);
    let ours = without_nulls(read_json(&ours_path)?);
    let events = |v: &Value| v.as_array().map_or(0, Vec::len);
    let differences: Vec<String> = match (sdk.as_array(), ours.as_array()) {
        (Some(sdk), Some(ours)) if sdk.len() == ours.len() => sdk
            .iter()
            .zip(ours)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("event {}: the SDK read {a}, we read {b}", i + 1))
            .collect(),
        _ => vec![format!(
            "the SDK read {} events, we read {}",
            events(&sdk),
            events(&ours)
        )],
    };
    Ok(json!({
        "name": name,
        "sdk_events": events(&sdk),
        "our_events": events(&ours),
        "equal": differences.is_empty(),
        "differences": differences,
    }))
}

fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

fn driver_run(driver: &Path, args: &[&str], out: &Path) -> Result<()> {
    captured(
        Command::new(driver).arg("streams").args(args).arg(out),
        &format!("wire-driver streams {}", args[0]),
    )
    .map(drop)
}

fn read_json(path: &PathBuf) -> Result<Value> {
    let text = fs::read_to_string(path).at(path)?;
    serde_json::from_str(&text).map_err(|e| Error::unexpected(path.display(), e.to_string()))
}

fn package_version(venv: &Path, package: &str) -> String {
    let script = format!("import importlib.metadata as m; print(m.version({package:?}))");
    Command::new(venv.join("bin/python"))
        .args(["-c", &script])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}
