//! `cargo xtask wire`: the vendors' official SDKs as oracles. For each API of
//! `xtask/wire/apis.toml` (a corpus description with an official SDK), calls derived
//! from the description ([`calls`]) are made through the generated client (a driver
//! written from the IR, [`driver`]) and through the SDK (`xtask/wire/sdk.py`), both
//! against a local capture server (`xtask/wire/capture.py`); what arrived is compared
//! ([`compare`]). A difference passes only when `xtask/wire/explained.toml` explains it,
//! quoting the description; the report is `target/wire/report.json`.

pub(crate) mod calls;
mod compare;
pub(crate) mod driver;
mod streams;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use crate::e2e::services::Services;
use crate::error::{AtPath, Error, Result};
use crate::util::{captured, cargo, ensure_node_modules, ensure_venv, free_port};
use calls::Call;
use compare::Captured;

/// One API of `xtask/wire/apis.toml`.
#[derive(Deserialize)]
struct ApiEntry {
    /// The corpus folder (its description and codegen.toml).
    name: String,
    /// The SDK's package (on PyPI, or npm for the `node` runner).
    sdk: String,
    /// `python` (xtask/wire/sdk.py, the default) or `node` (xtask/wire/octokit.js).
    #[serde(default)]
    runner: Runner,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Runner {
    #[default]
    Python,
    Node,
}

/// Where each runner's SDKs are installed.
struct Sdks {
    venv: PathBuf,
    node_modules: PathBuf,
}

#[derive(Deserialize)]
struct Apis {
    api: Vec<ApiEntry>,
}

/// A difference some SDK makes on purpose, or a departure from its own description.
#[derive(Deserialize)]
struct Explained {
    api: String,
    /// An operationId; `*` stands for any run of characters.
    operation: String,
    /// Text the difference line contains.
    what: String,
    /// Why it is not ours to fix, quoting the description.
    #[allow(dead_code)] // read by people; the file requires it
    why: String,
}

#[derive(Deserialize, Default)]
struct ExplainedFile {
    #[serde(default)]
    explained: Vec<Explained>,
}

/// Everything one API's run needs.
struct Prepared {
    entry: ApiEntry,
    calls: Vec<Call>,
    calls_path: PathBuf,
    krate: String,
}

pub fn run(root: &Path) -> Result<ExitCode> {
    let wire = root.join("target/wire");
    let spec = root.join("xtask/wire");
    let apis: Apis = read_toml(&spec.join("apis.toml"))?;
    let explained: ExplainedFile = read_toml(&spec.join("explained.toml"))?;
    let sdks = Sdks {
        venv: ensure_venv(&spec.join("requirements.txt"), &wire.join("venv"), "wire")?,
        node_modules: ensure_node_modules(&spec, &wire.join("node"), "wire")?.join("node_modules"),
    };
    let venv = &sdks.venv;
    let prepared = apis
        .api
        .into_iter()
        .map(|entry| prepare(root, &wire, entry))
        .collect::<Result<Vec<_>>>()?;
    let driver = build_driver(root, &wire, &prepared)?;

    let captures = wire.join("captures.jsonl");
    let _ = fs::remove_file(&captures);
    let services = Services::new();
    let port = free_port()?;
    let mut capture = Command::new(venv.join("bin/python"));
    capture
        .arg(spec.join("capture.py"))
        .arg(port.to_string())
        .arg(&captures);
    let log = wire.join("capture.log");
    services.start("capture server", capture, &log)?;
    let base = format!("http://127.0.0.1:{port}");
    services.wait_tcp("capture server", port, Duration::from_secs(20), &log)?;

    let mut report = Vec::new();
    let mut unexplained = 0;
    for api in &prepared {
        let refused = make_calls(&driver, &sdks, &spec, api, &base)?;
        let captured = read_captures(&captures)?;
        let (entry, count) = api_report(api, &captured, &refused, &explained.explained, &sdks);
        unexplained += count;
        report.push(entry);
    }
    drop(services);
    let streams = streams::run(&wire, &spec, &driver, venv)?;
    let report = json!({ "apis": report, "streams": streams.report });
    let path = wire.join("report.json");
    fs::write(&path, serde_json::to_string_pretty(&report).unwrap_or_default()).at(&path)?;
    print_summary(&report);
    eprintln!("wire: report in {}", path.display());
    Ok(if unexplained == 0 && streams.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path).at(path)?;
    toml::from_str(&text).map_err(|e| Error::unexpected(path.display(), e.to_string()))
}

/// Generates the API's client into `target/wire/clients/<name>` and derives its calls.
fn prepare(root: &Path, wire: &Path, entry: ApiEntry) -> Result<Prepared> {
    let config_path = root.join("corpus").join(&entry.name).join("codegen.toml");
    let config = codegen::Config::load(&config_path)?;
    let doc = codegen::load_document(&config)?;
    let (api, _) = codegen::lower::lower(&doc, &config)?;
    let generated = codegen::generate_from(&doc, &config)?;
    codegen::output::sync(
        &wire.join("clients").join(&entry.name),
        &generated.files,
        codegen::output::Mode::Write,
    )?;
    let calls = calls::derive(&api, &entry.name);
    let dir = wire.join(&entry.name);
    fs::create_dir_all(&dir).at(&dir)?;
    let calls_path = dir.join("calls.json");
    let text = serde_json::to_string_pretty(&calls).unwrap_or_default();
    fs::write(&calls_path, text).at(&calls_path)?;
    let krate = api.krate.name.replace('-', "_");
    let module = driver::module(&api, &krate, "Auth::none()");
    let module_path = wire.join("driver/src").join(format!("{}.rs", module_name(&entry.name)));
    fs::create_dir_all(module_path.parent().unwrap_or(wire)).at(wire)?;
    codegen_write(&module_path, &module)?;
    Ok(Prepared {
        entry,
        calls,
        calls_path,
        krate,
    })
}

fn module_name(api: &str) -> String {
    api.replace('-', "_")
}

/// Writes only when the content changed, so cargo rebuilds only what did.
fn codegen_write(path: &Path, text: &str) -> Result<()> {
    if fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    fs::write(path, text).at(path)
}

/// The driver crate (`target/wire/driver`) over every API's client; returns its binary.
fn build_driver(root: &Path, wire: &Path, apis: &[Prepared]) -> Result<PathBuf> {
    let dir = wire.join("driver");
    let mut deps = String::new();
    let mut modules = String::new();
    let mut arms = String::new();
    let mut impls = String::new();
    for api in apis {
        let name = &api.entry.name;
        let module = module_name(name);
        deps.push_str(&format!(
            "{} = {{ path = \"../clients/{name}\", features = [\"roundtrip\"] }}\n",
            api.krate.replace('_', "-")
        ));
        modules.push_str(&format!("mod {module};\n"));
        arms.push_str(&format!("        {name:?} => {module}::call(&base_url, call).await,\n"));
        impls.push_str(&driver::support_impls(&api.krate));
    }
    let manifest = format!(
        "[package]\nname = \"wire-driver\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n{deps}chrono = {{ version = \"0.4\", default-features = false, features = [\"serde\"] }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n"
    );
    let members: Vec<String> = std::iter::once("\"driver\"".to_owned())
        .chain(apis.iter().map(|a| format!("\"clients/{}\"", a.entry.name)))
        .collect();
    codegen_write(
        &wire.join("Cargo.toml"),
        &format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", members.join(", ")),
    )?;
    let lock = root.join("Cargo.lock");
    if !wire.join("Cargo.lock").exists() {
        fs::copy(&lock, wire.join("Cargo.lock")).at(&lock)?;
    }
    codegen_write(&dir.join("Cargo.toml"), &manifest)?;
    codegen_write(
        &dir.join("src/support.rs"),
        &format!("{}{}\n{impls}", driver::SUPPORT, driver::WIRE_SENT),
    )?;
    // The stream oracle reads events through the OpenAI client.
    let streams = spec_file(root, "streams.rs")?;
    codegen_write(&dir.join("src/streams.rs"), &streams)?;
    codegen_write(&dir.join("src/main.rs"), &main_rs(&modules, &arms))?;
    let target = root.join("target/corpus/target");
    let env = [("CARGO_TARGET_DIR", target.as_os_str())];
    eprintln!("wire: building the driver (every API's generated client)");
    cargo(wire, &["build", "--offline", "-p", "wire-driver"], &env)?;
    Ok(target.join("debug/wire-driver"))
}

fn spec_file(root: &Path, name: &str) -> Result<String> {
    let path = root.join("xtask/wire").join(name);
    fs::read_to_string(&path).at(&path)
}

fn main_rs(modules: &str, arms: &str) -> String {
    format!(
        "// Written by `cargo xtask wire`: makes each call of a calls.json through the generated client.\n\
         mod support;\nmod streams;\n{modules}\n\
         #[tokio::main(flavor = \"current_thread\")]\n\
         async fn main() {{\n    \
             let args: Vec<String> = std::env::args().collect();\n    \
             if args[1] == \"streams\" {{\n        \
                 if let Err(error) = streams::run(&args[2..]).await {{\n            \
                     eprintln!(\"{{error}}\");\n            \
                     std::process::exit(1);\n        \
                 }}\n        \
                 return;\n    \
             }}\n    \
             let (api, calls, base) = (&args[1], &args[2], &args[3]);\n    \
             let calls: Vec<support::Call> = serde_json::from_str(&std::fs::read_to_string(calls).expect(\"calls.json\")).expect(\"calls\");\n    \
             for call in &calls {{\n        \
                 let base_url = format!(\"{{base}}/c/{{}}/rust\", call.id);\n        \
                 let result = match api.as_str() {{\n{arms}        \
                     other => Err(format!(\"no API {{other}}\")),\n        \
                 }};\n        \
                 if let Err(error) = result {{\n            \
                     println!(\"{{}}\", serde_json::json!({{\"call\": call.id, \"error\": error}}));\n        \
                 }}\n    \
             }}\n\
         }}\n"
    )
}

/// Both sides make every call; returns what each refused to send, by call id.
fn make_calls(driver: &Path, sdks: &Sdks, spec: &Path, api: &Prepared, base: &str) -> Result<Refused> {
    let name = &api.entry.name;
    eprintln!("wire: {name}: {} calls through the generated client", api.calls.len());
    let ours = captured(
        Command::new(driver).arg(name).arg(&api.calls_path).arg(base),
        "the wire driver",
    )?;
    eprintln!("wire: {name}: the same calls through {}", api.entry.sdk);
    let mut command = match api.entry.runner {
        Runner::Python => {
            let mut c = Command::new(sdks.venv.join("bin/python"));
            c.arg(spec.join("sdk.py"));
            c
        }
        Runner::Node => {
            let mut c = Command::new("node");
            c.arg(spec.join("octokit.js")).env("NODE_PATH", &sdks.node_modules);
            c
        }
    };
    command.arg(name).arg(&api.calls_path).arg(base);
    let sdk = captured(&mut command, "the SDK side")?;
    Ok(Refused {
        ours: errors_by_call(&ours.stdout),
        sdk: errors_by_call(&sdk.stdout),
    })
}

/// What a side printed for calls it could not make (or whose reply it could not read).
struct Refused {
    ours: BTreeMap<String, String>,
    sdk: BTreeMap<String, String>,
}

fn errors_by_call(stdout: &[u8]) -> BTreeMap<String, String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| Some((v["call"].as_str()?.to_owned(), v["error"].as_str()?.to_owned())))
        .collect()
}

fn read_captures(path: &Path) -> Result<BTreeMap<(String, String), Captured>> {
    let text = fs::read_to_string(path).unwrap_or_default();
    let mut by_call = BTreeMap::new();
    for line in text.lines() {
        let captured: Captured =
            serde_json::from_str(line).map_err(|e| Error::unexpected(path.display(), e.to_string()))?;
        // A retried request: the first is what counts.
        by_call
            .entry((captured.call.clone(), captured.side.clone()))
            .or_insert(captured);
    }
    Ok(by_call)
}

/// One API's entry of the report, and how many of its differences nobody explained.
fn api_report(
    api: &Prepared,
    captured: &BTreeMap<(String, String), Captured>,
    refused: &Refused,
    explained: &[Explained],
    sdks: &Sdks,
) -> (serde_json::Value, usize) {
    let name = &api.entry.name;
    let mut differences = Vec::new();
    let (mut equal, mut sdk_defaults) = (0, 0);
    for call in &api.calls {
        let ours = captured.get(&(call.id.clone(), "rust".to_owned()));
        let sdk = captured.get(&(call.id.clone(), "sdk".to_owned()));
        let found = match (ours, sdk) {
            (Some(a), Some(b)) => {
                let outcome = compare::compare(call, a, b);
                sdk_defaults += outcome.sdk_defaults;
                outcome.differences
            }
            (None, Some(_)) => vec![format!(
                "only the SDK sent it; ours: {}",
                refused.ours.get(&call.id).map_or("nothing sent", String::as_str)
            )],
            (Some(_), None) => vec![format!(
                "only ours sent it; the SDK: {}",
                refused.sdk.get(&call.id).map_or("nothing sent", String::as_str)
            )],
            (None, None) => vec!["neither side sent it".to_owned()],
        };
        if found.is_empty() {
            equal += 1;
        }
        for what in found {
            let why = explained
                .iter()
                .find(|e| &e.api == name && glob(&e.operation, &call.operation) && what.contains(&e.what));
            differences.push(json!({
                "call": call.id,
                "operation": call.operation,
                "variant": call.variant,
                "what": what,
                "explained": why.is_some(),
            }));
        }
    }
    let unexplained = differences.iter().filter(|d| d["explained"] == false).count();
    let entry = json!({
        "name": name,
        "sdk": api.entry.sdk,
        "sdk_version": sdk_version(sdks, &api.entry),
        "calls": api.calls.len(),
        "equal": equal,
        "sdk_sent_defaults": sdk_defaults,
        "unexplained": unexplained,
        "differences": differences,
    });
    (entry, unexplained)
}

/// Does `text` match `pattern`, where `*` stands for any run of characters?
fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

fn sdk_version(sdks: &Sdks, entry: &ApiEntry) -> String {
    let package = &entry.sdk;
    if entry.runner == Runner::Node {
        let manifest = sdks.node_modules.join(package).join("package.json");
        let text = fs::read_to_string(manifest).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        return value["version"].as_str().unwrap_or_default().to_owned();
    }
    let script = format!("import importlib.metadata as m; print(m.version({package:?}))");
    Command::new(sdks.venv.join("bin/python"))
        .args(["-c", &script])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn print_summary(report: &serde_json::Value) {
    println!("| API | SDK | calls | equal | differences | unexplained |");
    println!("|---|---|---|---|---|---|");
    for api in report["apis"].as_array().into_iter().flatten() {
        println!(
            "| {} | {} {} | {} | {} | {} | {} |",
            api["name"].as_str().unwrap_or_default(),
            api["sdk"].as_str().unwrap_or_default(),
            api["sdk_version"].as_str().unwrap_or_default(),
            api["calls"],
            api["equal"],
            api["differences"].as_array().map_or(0, Vec::len),
            api["unexplained"],
        );
    }
    let streams = &report["streams"];
    println!(
        "\nstreams: {} {}: live JSON and streamed calls {}; recorded streams read alike by the SDK and us: {}",
        streams["server"].as_str().unwrap_or_default(),
        streams["server_version"].as_str().unwrap_or_default(),
        if streams["live"]["errors"] == serde_json::json!([]) {
            "ok"
        } else {
            "FAILED"
        },
        streams["recorded"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| format!(
                "{} ({} events, equal: {})",
                r["name"].as_str().unwrap_or_default(),
                r["our_events"],
                r["equal"]
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for problem in streams["problems"].as_array().into_iter().flatten() {
        println!("  {}", problem.as_str().unwrap_or_default());
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn operation_patterns_match_by_their_stars() {
        assert!(glob("*", "anything"));
        assert!(glob("Delete*", "DeleteCustomersCustomer"));
        assert!(!glob("Delete*", "PostCustomers"));
        assert!(glob("get_*_history_*", "get_run_history_v1_get"));
        assert!(!glob("get_*_history_*", "get_runs_v1_get"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exactly"));
    }
}
