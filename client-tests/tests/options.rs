//! Per-call options on any builder: a timeout, extra headers and query pairs, a retry
//! policy, an `Idempotency-Key` (which also lets a POST or PATCH be retried).

mod common;

use std::time::Duration;

use common::{LEGACY_TOKEN, fixture, legacy_client};
use label_studio_client::{Auth, CallOptions, Client, Error, RetryPolicy};
use wiremock::matchers::{header, method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn storage_reply() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture("s3_import_storage.json"), "application/json")
}

#[tokio::test]
async fn extra_headers_and_query_pairs_go_on_this_call_only() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(header("x-trace-id", "t-1"))
        .and(query_param("dry_run", "1"))
        .respond_with(storage_reply())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(storage_reply())
        .mount(&server)
        .await;
    let client = legacy_client(&server);
    let options = CallOptions::new().header("x-trace-id", "t-1").query("dry_run", "1");
    client
        .import_storage()
        .s3()
        .update(42)
        .options(options)
        .send()
        .await
        .unwrap();
    client.import_storage().s3().get(42).send().await.unwrap();
    let sent = server.received_requests().await.unwrap();
    assert!(sent[1].headers.get("x-trace-id").is_none());
    assert_eq!(sent[1].url.query(), None);
}

#[tokio::test]
async fn a_call_timeout_overrides_the_clients() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(storage_reply().set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = legacy_client(&server); // 60 s by default
    let options = CallOptions::new().timeout(Duration::from_millis(200));
    let err = client
        .import_storage()
        .s3()
        .get(42)
        .options(options)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

/// Answers `method` with 503 (`Retry-After: 0`) once, then with a storage.
async fn unavailable_once(method_name: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(method_name))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method(method_name))
        .respond_with(storage_reply())
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_call_retry_policy_applies_where_the_client_has_none() {
    let server = unavailable_once("GET").await;
    let client = legacy_client(&server); // no retries
    let options = CallOptions::new().retry(RetryPolicy::new(2));
    client
        .import_storage()
        .s3()
        .get(42)
        .options(options)
        .send()
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_idempotency_key_is_sent_and_lets_a_patch_be_retried() {
    let server = unavailable_once("PATCH").await;
    let client = Client::builder(server.uri(), Auth::api_key(LEGACY_TOKEN))
        .retry(RetryPolicy::new(2))
        .build()
        .unwrap();
    let keyed = CallOptions::new().idempotency_key("k-42");
    client
        .import_storage()
        .s3()
        .update(42)
        .options(keyed)
        .send()
        .await
        .unwrap();
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2, "retried once");
    assert!(
        sent.iter()
            .all(|r| r.headers.get("idempotency-key").is_some_and(|v| v == "k-42"))
    );

    // Without a key, the same PATCH is not repeated.
    let server = unavailable_once("PATCH").await;
    let client = Client::builder(server.uri(), Auth::api_key(LEGACY_TOKEN))
        .retry(RetryPolicy::new(2))
        .build()
        .unwrap();
    let err = client.import_storage().s3().update(42).send().await.unwrap_err();
    assert!(matches!(&err, Error::Api(e) if e.status() == 503), "{err:?}");
}

#[tokio::test]
async fn a_header_http_refuses_is_a_config_error_without_its_value() {
    let server = MockServer::start().await;
    let options = CallOptions::new().header("x-secret", "line\nbreak-s3cr3t");
    let err = legacy_client(&server)
        .import_storage()
        .s3()
        .get(42)
        .options(options.clone())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("x-secret"), "{err}");
    for shown in [err.to_string(), format!("{err:?}"), format!("{options:?}")] {
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
