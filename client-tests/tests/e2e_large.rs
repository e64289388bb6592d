//! A large import and export against a real Label Studio: a 50 MB tasks file uploaded
//! from disk (`FilePart::open`) and the project's export streamed to disk
//! (`send_stream().save_to()`), both through `src/bin/large_transfer.rs`, whose peak
//! memory `cargo xtask bench` reports. Run with `cargo xtask e2e`.

mod common;

use std::process::Command;

use common::server::env;
use serde_json::Value;

#[test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
fn a_50_mb_import_and_its_export_go_through_files_whole() {
    let folder = std::env::temp_dir().join(format!("e2e-large-{}", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_large_transfer"))
        .args(["stream", "50"])
        .arg(&folder)
        .env("LABEL_STUDIO_URL", &env().url)
        .env("LABEL_STUDIO_API_KEY", &env().token)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "large_transfer failed: {stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let tasks = report["tasks"].as_u64().unwrap();
    assert_eq!(report["imported"].as_u64(), Some(tasks), "{report}");
    assert!(report["sent_bytes"].as_u64().unwrap() >= 50_000_000, "{report}");
    assert!(report["received_bytes"].as_u64().unwrap() >= 50_000_000, "{report}");

    // Every task came back, each once, its text whole.
    let exported = std::fs::read(folder.join("export.json")).unwrap();
    assert_eq!(exported.len() as u64, report["received_bytes"].as_u64().unwrap());
    let exported: Vec<Value> = serde_json::from_slice(&exported).unwrap();
    let mut numbers: Vec<u64> = exported.iter().filter_map(|t| t["data"]["n"].as_u64()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (0..tasks).collect::<Vec<_>>());
    assert!(
        exported
            .iter()
            .all(|t| t["data"]["text"].as_str().map(str::len) == Some(64 * 1024))
    );
    std::fs::remove_dir_all(&folder).unwrap();
}
