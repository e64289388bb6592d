//! The conformance sweep's log (see `tests/conformance.rs`): one JSON line per call —
//! the operation, its outcome, a note — appended as it happens, so a sweep that stops
//! half way still leaves what it saw. `cargo xtask e2e` turns the log into
//! `target/e2e/conformance.json`, with an entry for every operation of the description.

use std::fmt::Debug;
use std::io::Write;
use std::sync::Mutex;

use label_studio_client::{Error, Response};
use serde_json::json;

pub struct Sweep {
    log: Mutex<std::fs::File>,
    /// Calls that went wrong: decode errors and unexpected errors.
    problems: Mutex<Vec<String>>,
}

impl Sweep {
    /// Appends to `E2E_CONFORMANCE_LOG`, or `target/e2e/conformance-calls.jsonl` (truncated).
    pub fn open() -> Sweep {
        let path = std::env::var("E2E_CONFORMANCE_LOG")
            .unwrap_or_else(|_| format!("{}/../target/e2e/conformance-calls.jsonl", env!("CARGO_MANIFEST_DIR")));
        if let Some(dir) = std::path::Path::new(&path).parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        let log = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        Sweep {
            log: Mutex::new(log),
            problems: Mutex::new(Vec::new()),
        }
    }

    fn write(&self, operation: &str, outcome: &str, note: String) {
        let line = json!({ "operation_id": operation, "outcome": outcome, "note": note });
        let mut log = self.log.lock().unwrap();
        writeln!(log, "{line}").unwrap();
        if outcome == "decode_error" || outcome == "unexpected_error" {
            eprintln!("conformance: {operation}: {outcome}: {note}");
            self.problems
                .lock()
                .unwrap()
                .push(format!("{operation}: {outcome}: {note}"));
        }
    }

    /// A call expected to succeed: the decoded value, or `None` after logging why not.
    pub fn ok<T>(&self, operation: &str, result: Result<Response<T>, Error>) -> Option<T> {
        match result {
            Ok(reply) if reply.operation_id() == operation => {
                self.write(operation, "ok", format!("{}", reply.status()));
                Some(reply.into_value())
            }
            Ok(reply) => {
                let note = format!("the call went to `{}`", reply.operation_id());
                self.write(operation, "unexpected_error", note);
                None
            }
            Err(err) => {
                self.failed(operation, &err, "expected success");
                None
            }
        }
    }

    /// [`ok`](Self::ok), for the calls later steps cannot do without.
    pub fn must<T>(&self, operation: &str, result: Result<Response<T>, Error>) -> T {
        self.ok(operation, result)
            .unwrap_or_else(|| panic!("{operation} failed; the sweep cannot go on without it"))
    }

    /// A call expected to fail with `status` (the test asked for that error).
    pub fn fails<T: Debug>(&self, operation: &str, status: u16, result: Result<Response<T>, Error>) {
        match result {
            Err(Error::Api(api)) if api.operation_id() == operation && api.status().as_u16() == status => {
                self.write(operation, "expected_error", api.to_string());
            }
            Err(err) => self.failed(operation, &err, &format!("expected {status}")),
            Ok(reply) => {
                let note = format!("expected {status}, got {}: {:?}", reply.status(), reply.value());
                self.write(operation, "unexpected_error", note);
            }
        }
    }

    /// An operation this sweep cannot call here, and why.
    pub fn not_exercised(&self, operation: &str, why: &str) {
        self.write(operation, "not_exercised", why.to_owned());
    }

    fn failed(&self, operation: &str, err: &Error, wanted: &str) {
        let outcome = match err {
            Error::Decode(_) => "decode_error",
            _ => "unexpected_error",
        };
        if let Error::Decode(decode) = err {
            // What the server sent, for whoever corrects the description (a test server's data).
            let body = String::from_utf8_lossy(decode.body());
            eprintln!(
                "conformance: {operation}: the reply was: {}",
                body.chars().take(1500).collect::<String>()
            );
        }
        let went_elsewhere = err.operation_id().filter(|id| *id != operation);
        let note = match went_elsewhere {
            Some(other) => format!("{wanted}; the call went to `{other}`: {err}"),
            None => format!("{wanted}: {err}"),
        };
        self.write(operation, outcome, note);
    }

    /// Fails the test if any call went wrong, listing them all.
    pub fn assert_clean(&self) {
        let problems = self.problems.lock().unwrap();
        assert!(
            problems.is_empty(),
            "{} calls went wrong:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
}
