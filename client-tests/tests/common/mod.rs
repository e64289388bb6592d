//! Helpers shared by the test files: fixtures, fake JWTs, and request rendering.
#![allow(dead_code)] // each test file uses a different subset

pub mod server;
pub mod sweep;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use label_studio_client::{Auth, Client};
use wiremock::MockServer;

pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

/// The S3 import storage the fixtures' replies hold, typed.
pub fn s3_storage() -> label_studio_client::models::S3ImportStorage {
    serde_json::from_str(&fixture("s3_import_storage.json")).unwrap()
}

/// A mock server answering `GET` of S3 import storage 42 after 5 s: longer than any
/// timeout the tests set.
pub async fn slow_storage_server() -> label_studio_client::mock::MockServer {
    let mock = label_studio_client::mock::MockServer::start().await;
    let slow = Duration::from_secs(5);
    mock.import_storage()
        .s3()
        .get(42)
        .returns(s3_storage())
        .delay(slow)
        .await;
    mock
}

pub const LEGACY_TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";

pub fn legacy_client(server: &MockServer) -> Client {
    Client::new(server.uri(), Auth::api_key(LEGACY_TOKEN)).unwrap()
}

/// An unsigned JWT whose `exp` is `valid_for` from now (the client never checks signatures).
pub fn jwt(subject: &str, valid_for: Duration) -> String {
    let exp = (SystemTime::now() + valid_for)
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = enc.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = enc.encode(format!(r#"{{"token_type":"access","exp":{exp},"jti":"{subject}"}}"#));
    format!("{header}.{claims}.c2lnbmF0dXJl")
}

/// A request as a reviewer wants to see it: request line, sorted headers with the
/// credentials masked and the random port dropped, then the exact body.
pub fn render(request: &wiremock::Request) -> String {
    let mut out = format!("{} {}", request.method, request.url.path());
    if let Some(query) = request.url.query() {
        out.push_str(&format!("?{query}"));
    }
    out.push('\n');
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .filter(|(name, _)| name.as_str() != "host")
        .map(|(name, value)| {
            let value = value.to_str().unwrap_or("<binary>");
            let value = match name.as_str() {
                "authorization" => match value.split_once(' ') {
                    Some((scheme, _)) => format!("{scheme} <redacted>"),
                    None => "<redacted>".to_owned(),
                },
                _ => value.to_owned(),
            };
            (name.to_string(), value)
        })
        .collect();
    headers.sort();
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    out.push_str(&String::from_utf8_lossy(&request.body));
    out
}
