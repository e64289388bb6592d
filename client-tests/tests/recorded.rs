//! Replies recorded from a real Label Studio 1.23.2 by the end-to-end suite
//! (`cargo xtask e2e --record`), decoded offline: the types must accept exactly
//! what the server sends, byte for byte.

mod common;

use label_studio_client::models::{S3ImportStorage, StorageStatus};
use label_studio_client::{Error, ErrorBody};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/recorded");

fn recorded(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}"))
        .unwrap_or_else(|e| panic!("{name}: {e} (re-record with `cargo xtask e2e --record`)"))
}

/// Every file the recorder wrote, named `<kind>-<status>-<what>`, goes through the client:
/// a 2xx decodes into a storage, anything else is an `Error::Api` with that status.
#[tokio::test]
async fn every_recording_goes_through_the_client_as_its_status_says() {
    let mut names: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no recordings in {DIR}");
    for name in &names {
        let status: u16 = name
            .split('-')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{name}: not named <kind>-<status>-<what>"));
        match through_client(name).await {
            Ok(storage) if (200..300).contains(&status) => assert!(storage.id > 0, "{name}"),
            Err(err) if !(200..300).contains(&status) => {
                let api = err.api_error().unwrap_or_else(|| panic!("{name}: {err}"));
                assert_eq!(api.status().as_u16(), status, "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn recorded_storages_decode_in_each_status() {
    for (name, status) in [
        ("storage-200-initialized.json", StorageStatus::Initialized),
        ("storage-200-completed.json", StorageStatus::Completed),
        ("storage-200-sync-completed.json", StorageStatus::Completed),
        ("storage-200-failed.json", StorageStatus::Failed),
        ("storage-200-sync-failed.json", StorageStatus::Failed),
    ] {
        let storage: S3ImportStorage = serde_json::from_str(&recorded(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(storage.status, Some(status), "{name}");
        assert_eq!(
            storage.type_, "s3",
            "{name}: `type` is absent from PATCH replies and defaults"
        );
        // The server never sends credentials back, though the description lists them.
        assert_eq!(storage.aws_secret_access_key, None, "{name}");
    }
    let failed: S3ImportStorage = serde_json::from_str(&recorded("storage-200-failed.json")).unwrap();
    assert!(failed.traceback.unwrap().starts_with("Traceback"));
    let completed: S3ImportStorage = serde_json::from_str(&recorded("storage-200-completed.json")).unwrap();
    assert_eq!(completed.last_sync_count, Some(1));
    assert!(completed.meta.unwrap()["time_completed"].is_string());
}

/// Serves a recording with its status and content type, and calls the client.
async fn through_client(name: &str) -> Result<S3ImportStorage, Error> {
    let status: u16 = name.split('-').nth(1).unwrap().parse().unwrap();
    let content_type = if name.ends_with(".html") {
        "text/html; charset=utf-8"
    } else {
        "application/json"
    };
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(status).set_body_raw(recorded(name), content_type))
        .mount(&server)
        .await;
    common::legacy_client(&server)
        .import_storage()
        .s3()
        .update(1)
        .send()
        .await
}

#[tokio::test]
async fn recorded_replies_through_the_client() {
    for name in [
        "storage-200-initialized.json",
        "storage-200-completed.json",
        "storage-200-failed.json",
    ] {
        through_client(name).await.unwrap_or_else(|e| panic!("{name}: {e}"));
    }

    let err = through_client("error-400-title-too-long.json").await.unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(
        api.validation_errors()["title"],
        ["Ensure this field has no more than 256 characters."]
    );

    let err = through_client("error-400-bucket-not-found.json").await.unwrap_err();
    assert!(
        err.to_string()
            .ends_with("non_field_errors: Cannot find bucket no-such-bucket in S3"),
        "{err}"
    );

    let err = through_client("error-401-invalid-token.json").await.unwrap_err();
    assert_eq!(err.api_error().unwrap().detail(), Some("Invalid token."));

    let err = through_client("error-404-unknown-storage.html").await.unwrap_err();
    let api = err.api_error().unwrap();
    assert!(matches!(api.body(), ErrorBody::Text(html) if html.contains("<title>404 | Label Studio</title>")));
    assert!(
        err.to_string().len() < 200,
        "a 170 kB page is summarised, not printed: {err}"
    );
}
