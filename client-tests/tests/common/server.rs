//! Helpers for tests against a real Label Studio (see `tests/e2e.rs`): where the
//! servers are, and plain-HTTP setup calls that do not go through the generated client.

use std::sync::OnceLock;

use label_studio_client::{Auth, Client};
use serde_json::{Value, json};

/// Where the servers are, from the environment.
pub struct Env {
    pub url: String,
    pub token: String,
    pub s3: String,
    /// A folder Label Studio may use for local-files storages.
    pub local_files: Option<String>,
    /// The server's database: `sqlite` (the default) or `postgres` (`e2e --postgres`).
    pub database: String,
}

pub fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!("{name} is not set: run these tests with `cargo xtask e2e` (see the top of tests/e2e.rs)")
            })
        };
        Env {
            url: var("LABEL_STUDIO_URL"),
            token: var("LABEL_STUDIO_API_KEY"),
            s3: var("E2E_S3_ENDPOINT"),
            local_files: std::env::var("E2E_LOCAL_FILES_ROOT").ok(),
            database: std::env::var("E2E_DATABASE").unwrap_or_else(|_| "sqlite".to_owned()),
        }
    })
}

pub fn client() -> Client {
    Client::new(&env().url, Auth::api_key(&env().token)).unwrap()
}

/// A plain HTTP call with the legacy token, for setting up and reading back.
pub async fn raw(method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Option<String>, String) {
    let http = reqwest::Client::new();
    let mut request = http
        .request(method.clone(), format!("{}{path}", env().url))
        .header("Authorization", format!("Token {}", env().token));
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, content_type, response.text().await.unwrap())
}

pub async fn raw_json(method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let (status, _, text) = raw(method.clone(), path, body).await;
    assert!(
        (200..300).contains(&status),
        "{method} {path} answered {status}: {text}"
    );
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

pub async fn new_project(title: &str) -> i64 {
    let project = raw_json(reqwest::Method::POST, "/api/projects", Some(json!({ "title": title }))).await;
    project["id"].as_i64().unwrap()
}

/// An S3 import storage on the seeded bucket (see `xtask/e2e/seed_s3.py`).
pub async fn new_storage(project: i64, prefix: &str) -> i64 {
    let body = json!({
        "project": project,
        "title": "e2e storage",
        "bucket": "e2e-data",
        "prefix": prefix,
        "s3_endpoint": env().s3,
        "aws_access_key_id": "e2e-access-key",
        "aws_secret_access_key": "e2e-secret-key",
        "region_name": "us-east-1",
    });
    let storage = raw_json(reqwest::Method::POST, "/api/storages/s3", Some(body)).await;
    storage["id"].as_i64().unwrap()
}

pub async fn get_storage(id: i64) -> Value {
    raw_json(reqwest::Method::GET, &format!("/api/storages/s3/{id}"), None).await
}

/// Runs a sync (inside the request, as the e2e server has no Redis); returns the raw reply.
pub async fn sync(id: i64) -> String {
    let (status, _, text) = raw(reqwest::Method::POST, &format!("/api/storages/s3/{id}/sync"), None).await;
    assert_eq!(status, 200, "sync of storage {id}: {text}");
    text
}

/// Saves a reply, byte for byte, as a fixture for the offline suite, when recording.
/// Only the S3 port (random per run) and credential values, should a reply ever carry
/// them, are replaced, so re-recording gives stable files.
pub fn record(name: &str, body: &str) {
    let Ok(dir) = std::env::var("E2E_RECORD_DIR") else {
        return;
    };
    let mut text = body.replace(&env().s3, "http://127.0.0.1:5000");
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(body) {
        for key in WRITE_ONLY {
            if let Some(Value::String(secret)) = map.get(*key).filter(|v| v.as_str() != Some("")) {
                text = text.replace(&format!("\"{secret}\""), "\"<scrubbed>\"");
            }
        }
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(format!("{dir}/{name}"), text).unwrap();
}

/// The server never returns these (they are write-only in practice), so they cannot be read back.
pub const WRITE_ONLY: &[&str] = &["aws_access_key_id", "aws_secret_access_key", "aws_session_token"];

/// What Label Studio's database holds for fields of S3 import storage `id`, read by the
/// script `cargo xtask e2e` names in `E2E_STORED_FIELDS` (for fields the API never returns).
pub fn stored_fields(id: i64, fields: &[&str]) -> Value {
    let script = std::env::var("E2E_STORED_FIELDS")
        .expect("E2E_STORED_FIELDS is not set: run these tests with `cargo xtask e2e`");
    let output = std::process::Command::new(&script)
        .arg(id.to_string())
        .args(fields)
        .output()
        .unwrap_or_else(|e| panic!("{script}: {e}"));
    assert!(
        output.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{script} printed no JSON: {e}"))
}
