//! The generated client against a local HTTP server (wiremock on 127.0.0.1):
//! what goes on the wire, every error kind, retries, and both auth modes.

mod common;
#[path = "client/retries.rs"]
mod retries;
#[path = "client/tokens.rs"]
mod tokens;

use std::time::Duration;

use common::{LEGACY_TOKEN, fixture, fixture_json, jwt, legacy_client};
use label_studio_client::models::StorageStatus;
use label_studio_client::{Auth, Client, Error, ErrorBody, RetryPolicy, Violation};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const STORAGE_PATH: &str = "/api/storages/s3/42";
const REFRESH_PATH: &str = "/api/token/refresh/";

fn storage_reply() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture("s3_import_storage.json"), "application/json")
}

async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

#[tokio::test]
async fn update_sends_patch_to_the_path_without_trailing_slash_with_only_set_fields() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(STORAGE_PATH))
        .and(header("authorization", format!("Token {LEGACY_TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .and(body_json(serde_json::json!({"title": "New title"})))
        .respond_with(storage_reply())
        .expect(1)
        .mount(&server)
        .await;

    let storage = legacy_client(&server)
        .import_storage()
        .s3()
        .update(42)
        .title("New title")
        .send()
        .await
        .unwrap();
    assert_eq!(storage.id, 42);
    assert_eq!(storage.status, Some(StorageStatus::Completed));
    let sent = requests(&server).await;
    assert_eq!(String::from_utf8_lossy(&sent[0].body), r#"{"title":"New title"}"#);
}

#[tokio::test]
async fn base_url_path_prefix_and_trailing_slash_are_handled() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/ls/api/storages/s3/42"))
        .respond_with(storage_reply())
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(format!("{}/ls/", server.uri()), Auth::api_key(LEGACY_TOKEN)).unwrap();
    assert_eq!(client.base_url(), format!("{}/ls", server.uri()));
    client.import_storage().s3().update(42).send().await.unwrap();
}

#[tokio::test]
async fn every_body_field_has_a_setter_that_sends_it() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(STORAGE_PATH))
        .respond_with(storage_reply())
        .mount(&server)
        .await;
    legacy_client(&server)
        .import_storage()
        .s3()
        .update(42)
        .regex_filter(".*")
        .use_blob_urls(true)
        .presign(false)
        .presign_ttl(5)
        .recursive_scan(true)
        .title("t")
        .description("d")
        .project(3)
        .bucket("b")
        .prefix("p/")
        .aws_access_key_id("ak")
        .aws_secret_access_key("sk")
        .aws_session_token("st")
        .aws_sse_kms_key_id("kms")
        .region_name("eu-west-1")
        .s3_endpoint("http://127.0.0.1:1")
        .send()
        .await
        .unwrap();
    let sent: serde_json::Value = serde_json::from_slice(&requests(&server).await[0].body).unwrap();
    let mut sent_keys: Vec<String> = sent.as_object().unwrap().keys().cloned().collect();
    sent_keys.sort();
    assert_eq!(sent_keys, update_body_fields(), "{sent}");
    assert_eq!(sent["presign"], false);
    assert_eq!(sent["s3_endpoint"], "http://127.0.0.1:1");
}

/// The writable properties of the update's request body, as the description lists them
/// (so a field the description adds makes the test above fail until it is set there).
fn update_body_fields() -> Vec<String> {
    let description = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schema/label-studio-1.23.2.openapi.json"
    );
    let description: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(description).unwrap()).unwrap();
    let schema =
        &description["paths"]["/api/storages/s3/{id}"]["patch"]["requestBody"]["content"]["application/json"]["schema"];
    let properties = schema["properties"].as_object().expect("an inline object schema");
    let mut writable: Vec<String> = properties
        .iter()
        .filter(|(_, p)| p["readOnly"] != true)
        .map(|(name, _)| name.clone())
        .collect();
    writable.sort();
    writable
}

#[tokio::test]
async fn a_broken_limit_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let err = legacy_client(&server)
        .import_storage()
        .s3()
        .update(42)
        .title("x".repeat(2049))
        .send()
        .await
        .unwrap_err();
    let Error::InvalidRequest(invalid) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(invalid.field(), "title");
    assert_eq!(
        invalid.violation(),
        &Violation::TooLong {
            max: 2048,
            actual: 2049
        }
    );
    assert_eq!(
        err.to_string(),
        "invalid request: `title` is 2049 characters long; the API allows at most 2048 (maxLength)"
    );
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn validation_errors_expose_detail_and_field_messages() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(fixture("error_validation.json"), "application/json"))
        .mount(&server)
        .await;
    let err = legacy_client(&server)
        .import_storage()
        .s3()
        .update(42)
        .presign_ttl(-1)
        .send()
        .await
        .unwrap_err();
    let api = err.api_error().expect("an API error");
    assert_eq!(api.status().as_u16(), 400);
    assert_eq!(api.detail(), Some("Validation error"));
    let fields = api.validation_errors();
    assert_eq!(fields["title"], ["Ensure this field has no more than 2048 characters."]);
    assert_eq!(
        fields["presign_ttl"],
        ["Ensure this value is greater than or equal to 0."]
    );
    assert_eq!(api.body(), &ErrorBody::Json(fixture_json("error_validation.json")));
    assert_eq!(
        err.to_string(),
        "PATCH /api/storages/s3/42 answered 400 Bad Request: Validation error; \
         presign_ttl: Ensure this value is greater than or equal to 0.; \
         title: Ensure this field has no more than 2048 characters."
    );
}

#[tokio::test]
async fn an_html_404_is_kept_as_text() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(fixture("not_found.html"), "text/html; charset=utf-8"))
        .mount(&server)
        .await;
    let err = legacy_client(&server)
        .import_storage()
        .s3()
        .update(42)
        .send()
        .await
        .unwrap_err();
    let api = err.api_error().expect("an API error");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert!(matches!(api.body(), ErrorBody::Text(t) if t.contains("<title>Not Found</title>")));
    assert_eq!(api.detail(), None);
    assert!(api.validation_errors().is_empty());
    assert_eq!(
        err.to_string(),
        format!(
            "PATCH /api/storages/s3/42 answered 404 Not Found: Not Found (text/html; charset=utf-8, {} bytes)",
            fixture("not_found.html").len()
        )
    );
}

#[tokio::test]
async fn debug_of_an_error_summarises_the_page_instead_of_printing_it() {
    let server = MockServer::start().await;
    let page = fixture("recorded/error-404-unknown-storage.html");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(page.clone(), "text/html; charset=utf-8"))
        .mount(&server)
        .await;
    let err = legacy_client(&server)
        .import_storage()
        .s3()
        .get(42)
        .send()
        .await
        .unwrap_err();
    for shown in [format!("{err:?}"), format!("{err:#?}"), err.to_string()] {
        assert!(shown.len() < 600, "{} characters: {shown}", shown.len());
        assert!(
            shown.contains("404 | Label Studio: Uh oh, this page doesn’t exist."),
            "{shown}"
        );
        assert!(shown.contains(&page.len().to_string()), "the size is given: {shown}");
    }
    // The whole page is still there for whoever wants it.
    assert!(matches!(err.api_error().unwrap().body(), ErrorBody::Text(t) if t.len() == page.len()));
}

#[tokio::test]
async fn a_django_error_page_is_summarised_by_its_exception() {
    let server = MockServer::start().await;
    let page = format!(
        "<!DOCTYPE html><html><head><title>OperationalError at /api/storages/s3/42</title></head><body>\
         <pre class=\"exception_value\">database is locked</pre>{}</body></html>",
        "<p>traceback</p>".repeat(500)
    );
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(page, "text/html"))
        .mount(&server)
        .await;
    let err = legacy_client(&server)
        .import_storage()
        .s3()
        .get(42)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with(
            "GET /api/storages/s3/42 answered 500 Internal Server Error: OperationalError: database is locked"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn an_empty_error_body_is_reported_as_empty() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let err = legacy_client(&server)
        .import_storage()
        .s3()
        .update(42)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.api_error().unwrap().body(), &ErrorBody::Empty);
    assert_eq!(
        err.to_string(),
        "PATCH /api/storages/s3/42 answered 500 Internal Server Error"
    );
}

#[tokio::test]
async fn decode_failures_name_the_json_path_and_hide_values() {
    let server = MockServer::start().await;
    let mut reply = fixture_json("s3_import_storage.json");
    reply["created_at"] = "fake+secret-looking".into();
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&reply))
        .mount(&server)
        .await;
    let err = legacy_client(&server)
        .import_storage()
        .s3()
        .update(42)
        .send()
        .await
        .unwrap_err();
    let Error::Decode(decode) = &err else { panic!("{err:?}") };
    assert_eq!(decode.json_path(), "created_at");
    assert_eq!(decode.status().as_u16(), 200);
    assert!(!decode.body().is_empty());
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(shown.contains("created_at"), "{shown}");
        assert!(!shown.contains("fake+secret"), "values must not leak: {shown}");
    }

    // A reply that is not JSON at all.
    server.reset().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html/>", "text/html"))
        .mount(&server)
        .await;
    let err = legacy_client(&server)
        .import_storage()
        .s3()
        .update(42)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("(text/html, 7 bytes) does not decode at `.`"),
        "{err}"
    );
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(storage_reply().set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = Client::builder(server.uri(), Auth::api_key(LEGACY_TOKEN))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client.import_storage().s3().update(42).send().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(err.to_string(), "PATCH /api/storages/s3/42 timed out");
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }; // closed again: nothing listens there now
    let client = Client::new(format!("http://127.0.0.1:{port}"), Auth::api_key(LEGACY_TOKEN)).unwrap();
    let err = client.import_storage().s3().update(42).send().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(shown.starts_with("PATCH /api/storages/s3/42 failed: "), "{shown}");
    assert!(!shown.contains(LEGACY_TOKEN), "{shown}");
}

#[tokio::test]
async fn bad_client_settings_are_config_errors() {
    for (url, expected) in [
        ("not a url", "base URL `not a url`"),
        ("ftp://127.0.0.1", "scheme must be http or https"),
        ("http://user:hunter2@127.0.0.1", "must not contain credentials"),
    ] {
        let err = Client::new(url, Auth::api_key(LEGACY_TOKEN)).unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(err.to_string().contains(expected), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}

#[tokio::test]
async fn an_existing_reqwest_client_can_be_used() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(header("x-app", "mine"))
        .respond_with(storage_reply())
        .expect(1)
        .mount(&server)
        .await;
    // Through the crate's own re-export: no reqwest version for the app to match.
    use label_studio_client::reqwest;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-app", "mine".parse().unwrap());
    let http = reqwest::Client::builder().default_headers(headers).build().unwrap();
    let client = Client::with_http_client(http, server.uri(), Auth::api_key(LEGACY_TOKEN)).unwrap();
    client.import_storage().s3().update(42).send().await.unwrap();
}

fn label(id: i64) -> serde_json::Value {
    serde_json::json!({
        "id": id, "links": [], "created_at": "2026-11-27T12:00:00Z", "updated_at": "2026-11-27T12:00:00Z",
        "value": {"choices": ["cat"]}, "title": format!("label {id}"), "created_by": 1, "organization": 1, "projects": [7]
    })
}

#[tokio::test]
async fn all_items_walks_every_page_until_there_is_no_next() {
    use futures_util::TryStreamExt as _;
    let server = MockServer::start().await;
    let page = |n: u32, next: Option<&str>, ids: &[i64]| {
        let results: Vec<_> = ids.iter().map(|id| label(*id)).collect();
        Mock::given(method("GET"))
            .and(path("/api/labels/"))
            .and(wiremock::matchers::query_param("page", n.to_string()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"count": 3, "next": next, "previous": null, "results": results})),
            )
            .expect(1)
    };
    page(1, Some("http://testserver/api/labels/?page=2"), &[1, 2])
        .mount(&server)
        .await;
    page(2, None, &[3]).mount(&server).await;
    let labels: Vec<_> = legacy_client(&server)
        .labels()
        .list()
        .all_items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(labels.iter().map(|l| l.id).collect::<Vec<_>>(), [1, 2, 3]);
}

#[tokio::test]
async fn all_items_stops_at_the_first_error() {
    use futures_util::StreamExt as _;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(fixture("not_found.html"), "text/html"))
        .mount(&server)
        .await;
    let results: Vec<_> = legacy_client(&server).labels().list().all_items().collect().await;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].as_ref().unwrap_err().status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn send_with_response_gives_status_headers_and_raw_body_beside_the_value() {
    let server = MockServer::start().await;
    let body = fixture("s3_import_storage.json");
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(body.clone(), "application/json")
                .insert_header("x-request-id", "abc-123"),
        )
        .mount(&server)
        .await;
    let reply = legacy_client(&server)
        .import_storage()
        .s3()
        .get(42)
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    assert_eq!(reply.headers()["x-request-id"], "abc-123");
    assert_eq!(reply.body(), body.as_bytes());
    assert_eq!(reply.operation_id(), "api_storages_s3_retrieve");
    assert_eq!(reply.value().id, 42);
    // Debug shows header names and the body's size, not their contents.
    let shown = format!("{reply:?}");
    assert!(shown.contains("x-request-id") && !shown.contains("abc-123"), "{shown}");
}

#[tokio::test]
async fn a_reply_that_does_not_decode_says_the_request_succeeded_and_keeps_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(r#"{"id": "not a number"}"#, "application/json"))
        .mount(&server)
        .await;
    let err = legacy_client(&server)
        .import_storage()
        .s3()
        .sync(42)
        .send()
        .await
        .unwrap_err();
    let Error::Decode(decode) = &err else { panic!("{err:?}") };
    assert_eq!(decode.status().as_u16(), 201);
    assert_eq!((decode.method(), decode.path()), ("POST", "/api/storages/s3/42/sync"));
    assert_eq!(decode.body(), br#"{"id": "not a number"}"#);
    assert_eq!(err.operation_id(), Some("api_storages_s3_sync_create"));
    let shown = err.to_string();
    assert!(
        shown.starts_with("POST /api/storages/s3/42/sync succeeded (201 Created), but its reply"),
        "{shown}"
    );
    assert!(shown.contains("do not simply send it again"), "{shown}");
}
