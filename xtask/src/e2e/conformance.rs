//! `target/e2e/conformance.json`: what the conformance sweep (`client-tests/tests/conformance.rs`)
//! saw of every operation in the description, and whether that meets the targets.
//!
//! The sweep logs one JSON line per call; an operation called several times gets its
//! worst outcome, and one never called is `not_exercised`. Targets: at least 85% of
//! all operations exercised (`ok` or `expected_error`), no `decode_error`, no
//! `unexpected_error`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::{Value, json};

use crate::error::{AtPath, Error, Result};

/// Outcomes from worst to best: the first one an operation got decides its entry.
const OUTCOMES: &[&str] = &[
    "decode_error",
    "unexpected_error",
    "ok",
    "expected_error",
    "not_exercised",
];
const TARGET_EXERCISED: f64 = 0.85;

/// One operation of the description.
pub(crate) struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
}

/// Writes the report from the sweep's log in `e2e`; prints a summary. `Ok(true)` when
/// the targets are met.
pub fn report(root: &Path, e2e: &Path, report: &str) -> Result<bool> {
    let config = codegen::Config::load(&root.join("schema/codegen.toml"))?;
    let operations = described_operations(&config)?;
    let log = e2e.join("conformance-calls.jsonl");
    let summary = report_for(&operations, &log, &e2e.join(report), TARGET_EXERCISED)?;
    Ok(summary["targets_met"] == json!(true))
}

/// The report of one server's sweep (its log of calls) over `operations`, written to
/// `out`; its summary (`total`, `exercised`, `outcomes`, `targets_met`).
pub(crate) fn report_for(operations: &[Operation], log: &Path, out: &Path, target: f64) -> Result<Value> {
    let calls = read_log(log)?;
    for id in calls.keys() {
        if !operations.iter().any(|op| &op.id == id) {
            return Err(Error::unexpected(
                log.display(),
                format!("`{id}` is not an operation of the description"),
            ));
        }
    }
    let entries: Vec<Value> = operations
        .iter()
        .map(|op| {
            let (outcome, note) = verdict(calls.get(&op.id).map(Vec::as_slice).unwrap_or_default());
            json!({"operation_id": op.id, "method": op.method, "path": op.path, "outcome": outcome, "note": note})
        })
        .collect();
    let count = |outcome: &str| entries.iter().filter(|e| e["outcome"] == outcome).count();
    let exercised = count("ok") + count("expected_error");
    let share = exercised as f64 / entries.len().max(1) as f64;
    let met = share >= target && count("decode_error") == 0 && count("unexpected_error") == 0;
    let counts: BTreeMap<&str, usize> = OUTCOMES.iter().map(|o| (*o, count(o))).collect();
    let summary = json!({"total": entries.len(), "exercised": exercised, "outcomes": counts, "targets_met": met});
    let report = json!({"operations": entries, "summary": summary});
    let path = out;
    let text = serde_json::to_string_pretty(&report).unwrap_or_default();
    fs::write(path, text + "\n").at(path)?;

    eprintln!(
        "\nconformance: {exercised}/{} operations exercised ({:.1}%, target {:.0}%); {}",
        entries.len(),
        share * 100.0,
        target * 100.0,
        OUTCOMES
            .iter()
            .map(|o| format!("{o} {}", counts[o]))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for entry in entries
        .iter()
        .filter(|e| e["outcome"] != "ok" && e["outcome"] != "expected_error")
    {
        eprintln!(
            "  {} {} {} ({}): {}",
            entry["outcome"].as_str().unwrap_or_default(),
            entry["method"].as_str().unwrap_or_default(),
            entry["path"].as_str().unwrap_or_default(),
            entry["operation_id"].as_str().unwrap_or_default(),
            entry["note"].as_str().unwrap_or_default()
        );
    }
    eprintln!(
        "conformance: report in {}; targets {}",
        path.display(),
        if met { "met" } else { "MISSED" }
    );
    Ok(summary)
}

/// Every operation of the configured description, in document order.
pub(crate) fn described_operations(config: &codegen::Config) -> Result<Vec<Operation>> {
    let doc = codegen::load::load(&config.schema_path())?;
    let mut operations = Vec::new();
    for (path, item) in &doc.openapi.paths.paths {
        let Some(item) = item.as_item() else { continue };
        for (method, op) in item.iter() {
            operations.push(Operation {
                id: op.operation_id.clone().unwrap_or_else(|| format!("{method} {path}")),
                method: method.to_uppercase(),
                path: path.clone(),
            });
        }
    }
    Ok(operations)
}

/// The sweep's log: operationId → (outcome, note) for each call. No log, no calls.
fn read_log(log: &Path) -> Result<BTreeMap<String, Vec<(String, String)>>> {
    let text = match fs::read_to_string(log) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        read => read.at(log)?,
    };
    let mut calls: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at_line = || format!("{}:{}", log.display(), n + 1);
        let record: Value = serde_json::from_str(line).map_err(|e| Error::unexpected(at_line(), e.to_string()))?;
        let field = |name: &str| record[name].as_str().unwrap_or_default().to_owned();
        let outcome = field("outcome");
        if !OUTCOMES.contains(&outcome.as_str()) {
            return Err(Error::unexpected(at_line(), format!("unknown outcome `{outcome}`")));
        }
        calls
            .entry(field("operation_id"))
            .or_default()
            .push((outcome, field("note")));
    }
    Ok(calls)
}

/// The worst outcome among an operation's calls, with the note of its first such call.
fn verdict(calls: &[(String, String)]) -> (String, String) {
    for outcome in OUTCOMES {
        if let Some((_, note)) = calls.iter().find(|(o, _)| o == outcome) {
            let more = calls.iter().filter(|(o, _)| o == outcome).count() - 1;
            let note = if more > 0 {
                format!("{note} (and {more} more)")
            } else {
                note.clone()
            };
            return ((*outcome).to_owned(), note);
        }
    }
    ("not_exercised".to_owned(), "no call in the sweep".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(o, n)| ((*o).to_owned(), (*n).to_owned())).collect()
    }

    #[test]
    fn the_worst_outcome_of_an_operations_calls_decides() {
        let seen = calls(&[("ok", "200"), ("decode_error", "at `avatar`"), ("ok", "201")]);
        assert_eq!(verdict(&seen), ("decode_error".to_owned(), "at `avatar`".to_owned()));
        let seen = calls(&[("expected_error", "404"), ("ok", "200"), ("ok", "201")]);
        assert_eq!(verdict(&seen), ("ok".to_owned(), "200 (and 1 more)".to_owned()));
        assert_eq!(verdict(&[]).0, "not_exercised");
    }

    #[test]
    fn a_log_with_an_unknown_outcome_is_refused() {
        let dir = std::env::temp_dir().join(format!("conformance-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let log = dir.join("calls.jsonl");
        fs::write(
            &log,
            "{\"operation_id\": \"a\", \"outcome\": \"fine\", \"note\": \"\"}\n",
        )
        .unwrap();
        let err = read_log(&log).unwrap_err().to_string();
        assert!(err.contains("unknown outcome `fine`"), "{err}");
        assert!(
            read_log(&dir.join("missing.jsonl")).unwrap().is_empty(),
            "no log, no calls"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
