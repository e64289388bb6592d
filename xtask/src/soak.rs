//! `cargo xtask soak`: a bounded soak against a real Label Studio (started as `e2e`
//! starts it): `client-tests/src/bin/soak.rs` runs the user journey on many clients at
//! once for some minutes, checking each write by reading it back. Passes with no lost
//! write, no panic and the client's memory flat; writes `target/e2e/soak.json`.

use std::path::Path;
use std::process::{Command, ExitCode};

use serde_json::Value;

use crate::error::{AtPath, Error, Result};
use crate::util::{captured, cargo};

pub struct Options {
    pub clients: u16,
    pub minutes: u16,
}

/// Memory is flat when the end is at most this much above the first round (KiB)…
const RSS_SLACK_KIB: u64 = 16 * 1024;
/// …plus this share of it.
const RSS_SLACK_SHARE: f64 = 0.25;

pub fn run(root: &Path, options: &Options) -> Result<ExitCode> {
    let bin = ["-p", "label-studio-client-tests", "--bin", "soak"];
    cargo(root, &[&["build", "--release", "--locked"][..], &bin[..]].concat(), &[])?;
    let exe = root.join("target/release/soak");
    let seconds = u64::from(options.minutes) * 60;
    eprintln!("soak: {} clients for {} min", options.clients, options.minutes);
    let report = crate::e2e::with_servers(root, |env| {
        let mut command = Command::new(&exe);
        command
            .args([options.clients.to_string(), seconds.to_string()])
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        let output = captured(&mut command, "soak")?;
        serde_json::from_slice::<Value>(&output.stdout)
            .map_err(|e| Error::Service(format!("the soak printed no report ({e})")))
    })?;
    let path = root.join("target/e2e/soak.json");
    std::fs::write(&path, format!("{report:#}\n")).at(&path)?;
    let number = |key: &str| report[key].as_u64().unwrap_or(u64::MAX);
    let (first, end) = (number("rss_kib_after_first_round"), number("rss_kib_at_end"));
    let flat = end as f64 <= first as f64 * (1.0 + RSS_SLACK_SHARE) + RSS_SLACK_KIB as f64;
    println!(
        "soak: {} journeys, {} HTTP exchanges, errors {}, lost writes {}, panics {}, RSS {} KiB after the first round, {} KiB at the end ({})",
        number("journeys"),
        number("exchanges"),
        report["errors"],
        number("lost_writes"),
        number("panics"),
        first,
        end,
        if flat { "flat" } else { "GREW" },
    );
    println!("wrote {}", path.display());
    let passed = number("lost_writes") == 0 && number("panics") == 0 && flat && number("journeys") > 0;
    Ok(if passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
