//! Large transfers against a real Label Studio (started as `cargo xtask e2e` starts it):
//! the peak memory of one process importing a 50 MB tasks file and downloading the
//! project's export, streamed (`FilePart::open`, `send_stream().save_to()`) and buffered
//! (the file read into memory, `send()`), each in a process of its own
//! (`client-tests/src/bin/large_transfer.rs`, debug build as the tests use it).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::util::{captured, cargo};

/// The size of the tasks file, in MB (10^6 bytes).
pub const MEGABYTES: u64 = 50;

/// Streamed, a transfer must not hold more than this share of its size at once.
pub const TARGET_STREAMED_SHARE: f64 = 0.5;

/// One run of `large_transfer`.
pub struct Transfer {
    pub mode: &'static str,
    pub sent_bytes: u64,
    pub received_bytes: u64,
    pub peak_rss_kib: u64,
}

impl Transfer {
    pub fn peak_mib(&self) -> f64 {
        self.peak_rss_kib as f64 / 1024.0
    }
}

pub fn measure(root: &Path) -> Result<Vec<Transfer>> {
    let bin = ["-p", "label-studio-client-tests", "--bin", "large_transfer"];
    cargo(root, &[&["build", "--locked"][..], &bin[..]].concat(), &[])?;
    let exe = root.join("target/debug/large_transfer");
    let folder = root.join("target/bench/transfer");
    crate::e2e::with_servers(root, |env| {
        ["stream", "buffered"]
            .into_iter()
            .map(|mode| run(&exe, mode, &folder, env))
            .collect()
    })
}

fn run(exe: &Path, mode: &'static str, folder: &Path, env: &[(&'static str, String)]) -> Result<Transfer> {
    let mut command = Command::new(exe);
    command
        .args([mode, &MEGABYTES.to_string()])
        .arg(folder)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    let output = captured(&mut command, "large_transfer")?;
    let _ = std::fs::remove_dir_all(folder);
    let report: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| Error::Service(format!("large_transfer printed no report ({e})")))?;
    let number = |key: &str| {
        report[key]
            .as_u64()
            .ok_or_else(|| Error::Service(format!("large_transfer's report has no `{key}`: {report}")))
    };
    Ok(Transfer {
        mode,
        sent_bytes: number("sent_bytes")?,
        received_bytes: number("received_bytes")?,
        peak_rss_kib: number("peak_rss_kib")?,
    })
}
