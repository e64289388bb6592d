//! What goes on the wire, as insta snapshots: a pull request that changes a request
//! line, a header or a body shows it here. Credentials are masked by the renderer;
//! `Debug` output is snapshotted as users would see it in logs.

mod common;

use std::time::Duration;

use common::{fixture, jwt, legacy_client, render};
use label_studio_client::models::{ImportStorageS3UpdateRequest, S3ImportStorage};
use label_studio_client::{Auth, Client};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture("s3_import_storage.json"), "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/token/refresh/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"access": jwt("w", Duration::from_secs(300))})),
        )
        .mount(&server)
        .await;
    server
}

async fn sent(server: &MockServer) -> String {
    let requests = server.received_requests().await.unwrap_or_default();
    requests.iter().map(render).collect::<Vec<_>>().join("\n\n----\n\n")
}

#[tokio::test]
async fn title_only_update() {
    let server = server().await;
    legacy_client(&server)
        .import_storage()
        .s3()
        .update(42)
        .title("Images (2026)")
        .send()
        .await
        .unwrap();
    insta::assert_snapshot!(sent(&server).await);
}

#[tokio::test]
async fn update_moving_the_bucket_filter_with_credentials() {
    let server = server().await;
    legacy_client(&server)
        .import_storage()
        .s3()
        .update(7)
        .bucket("images")
        .prefix("train/")
        .regex_filter(r".*\.jpg")
        .aws_access_key_id("AKIAFAKEKEYID000")
        .aws_secret_access_key("fake-secret")
        .presign_ttl(15)
        .use_blob_urls(true)
        .send()
        .await
        .unwrap();
    insta::assert_snapshot!(sent(&server).await);
}

#[tokio::test]
async fn personal_access_token_exchange_then_bearer_call() {
    let server = server().await;
    let client = Client::new(server.uri(), Auth::refresh_token("personal-access-token")).unwrap();
    client
        .import_storage()
        .s3()
        .update(42)
        .description("via PAT")
        .send()
        .await
        .unwrap();
    insta::assert_snapshot!(sent(&server).await);
}

#[test]
fn debug_of_a_reply_redacts_credentials() {
    let storage: S3ImportStorage = serde_json::from_str(&fixture("s3_import_storage.json")).unwrap();
    insta::assert_snapshot!(format!("{storage:#?}"));
}

#[test]
fn debug_of_a_request_body_client_and_builder_redacts_credentials() {
    let body = ImportStorageS3UpdateRequest {
        title: Some("t".into()),
        aws_access_key_id: Some("AKIAFAKEKEYID000".into()),
        aws_secret_access_key: Some("fake-secret".into()),
        ..Default::default()
    };
    let client = Client::new("http://127.0.0.1:8080", Auth::api_key("0123456789abcdef")).unwrap();
    let builder = client.import_storage().s3().update(1).aws_session_token("fake-session");
    insta::assert_snapshot!(format!("{body:#?}\n\n{client:#?}\n\n{builder:#?}"));
}
