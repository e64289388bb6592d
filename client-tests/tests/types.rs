//! The generated types on their own: exact JSON for partial bodies, and decoding
//! replies liberally (missing fields, unknown values, values beyond documented limits).

mod common;

use common::{fixture, fixture_json};
use label_studio_client::models::{ImportStorageS3UpdateRequest, S3ImportStorage, StorageStatus};

#[test]
fn a_title_only_update_serializes_to_just_the_title() {
    let body = ImportStorageS3UpdateRequest {
        title: Some("New title".into()),
        ..Default::default()
    };
    assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"title":"New title"}"#);
}

#[test]
fn defaults_are_never_sent_implicitly() {
    let empty = serde_json::to_string(&ImportStorageS3UpdateRequest::default()).unwrap();
    assert_eq!(empty, "{}");
    // Explicitly chosen values are sent, including ones equal to the server default.
    let body = ImportStorageS3UpdateRequest {
        presign: Some(true),
        presign_ttl: Some(1),
        use_blob_urls: Some(false),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        serde_json::json!({"presign": true, "presign_ttl": 1, "use_blob_urls": false})
    );
}

#[test]
fn a_full_reply_decodes() {
    let storage: S3ImportStorage = serde_json::from_str(&fixture("s3_import_storage.json")).unwrap();
    assert_eq!(storage.id, 42);
    assert_eq!(storage.type_, "s3");
    assert_eq!(storage.status, Some(StorageStatus::Completed));
    assert_eq!(storage.created_at.to_rfc3339(), "2026-11-27T11:59:58.654321+00:00");
    assert_eq!(storage.last_sync.unwrap().timestamp_subsec_micros(), 123456);
    assert_eq!(storage.meta.as_ref().unwrap()["attempts"], 1);
    assert_eq!(storage.aws_session_token, None);
    assert_eq!(storage.presign_ttl, Some(15));
    assert_eq!(storage.project, 7);
    // Nothing is lost in a round trip.
    let again = serde_json::to_value(&storage).unwrap();
    let original = fixture_json("s3_import_storage.json");
    for (key, value) in original.as_object().unwrap() {
        if !value.is_null() {
            assert_eq!(&again[key], value, "{key}");
        }
    }
}

#[test]
fn a_reply_missing_optional_fields_and_type_decodes() {
    let storage: S3ImportStorage = serde_json::from_str(&fixture("s3_import_storage_minimal.json")).unwrap();
    assert_eq!(storage.id, 43);
    // `type` is required with a default: absent means the default.
    assert_eq!(storage.type_, "s3");
    assert_eq!(storage.status, None);
    assert_eq!(storage.title, None);
}

#[test]
fn a_reply_missing_a_required_field_without_default_is_an_error() {
    let err = serde_json::from_str::<S3ImportStorage>(r#"{"id": 1, "project": 7}"#).unwrap_err();
    assert!(err.to_string().contains("missing field `created_at`"), "{err}");
}

#[test]
fn an_unknown_status_is_kept() {
    let mut reply = fixture_json("s3_import_storage.json");
    reply["status"] = "paused".into();
    let storage: S3ImportStorage = serde_json::from_value(reply).unwrap();
    assert_eq!(storage.status, Some(StorageStatus::Unknown("paused".to_owned())));
    assert_eq!(serde_json::to_value(&storage).unwrap()["status"], "paused");
}

#[test]
fn every_known_status_decodes_to_its_variant() {
    let known = [
        "initialized",
        "queued",
        "in_progress",
        "failed",
        "completed",
        "completed_with_errors",
    ];
    for value in known {
        let status: StorageStatus = serde_json::from_value(value.into()).unwrap();
        assert!(!matches!(status, StorageStatus::Unknown(_)), "{value}");
        assert_eq!(status.as_str(), value);
        assert_eq!(status.to_string(), value);
    }
}

#[test]
fn values_beyond_documented_limits_and_unknown_fields_are_accepted() {
    let mut reply = fixture_json("s3_import_storage.json");
    reply["presign_ttl"] = 99999.into(); // SQLite servers store more than the schema's 32767
    reply["title"] = "t".repeat(3000).into(); // longer than today's 256
    reply["new_field_from_a_later_server"] = serde_json::json!({"x": 1});
    let storage: S3ImportStorage = serde_json::from_value(reply).unwrap();
    assert_eq!(storage.presign_ttl, Some(99999));
    assert_eq!(storage.title.unwrap().len(), 3000);
}

#[test]
fn nulls_in_nullable_fields_decode_as_none() {
    let mut reply = fixture_json("s3_import_storage.json");
    for key in [
        "title",
        "description",
        "bucket",
        "prefix",
        "meta",
        "last_sync",
        "last_sync_count",
        "status",
    ] {
        reply[key] = serde_json::Value::Null;
    }
    let storage: S3ImportStorage = serde_json::from_value(reply).unwrap();
    assert_eq!(
        (storage.title, storage.meta, storage.last_sync, storage.status),
        (None, None, None, None)
    );
}

#[test]
fn debug_redacts_credentials_in_requests_and_replies() {
    let storage: S3ImportStorage = serde_json::from_str(&fixture("s3_import_storage.json")).unwrap();
    let shown = format!("{storage:?}");
    assert!(
        !shown.contains("AKIAFAKEKEYID000") && !shown.contains("fake+secret"),
        "{shown}"
    );
    assert!(shown.contains("aws_secret_access_key: Some(<redacted>)"), "{shown}");
    assert!(shown.contains("aws_session_token: None"), "{shown}");
    assert!(shown.contains(r#"bucket: Some("images")"#), "{shown}");

    let body = ImportStorageS3UpdateRequest {
        aws_access_key_id: Some("AKIAFAKE".into()),
        aws_secret_access_key: Some("s3cr3t".into()),
        aws_session_token: Some("sess".into()),
        ..Default::default()
    };
    let shown = format!("{body:?}");
    assert!(
        !shown.contains("AKIAFAKE") && !shown.contains("s3cr3t") && !shown.contains("sess\""),
        "{shown}"
    );
}

#[test]
fn request_limits_name_field_limit_and_size() {
    let body = ImportStorageS3UpdateRequest {
        title: Some("x".repeat(2049)),
        ..Default::default()
    };
    let err = body.validate().unwrap_err();
    assert_eq!(err.field(), "title");
    assert_eq!(
        err.to_string(),
        "`title` is 2049 characters long; the API allows at most 2048 (maxLength)"
    );
    let ok = ImportStorageS3UpdateRequest {
        title: Some("é".repeat(2048)),
        ..Default::default()
    };
    assert!(ok.validate().is_ok(), "limits count characters, not bytes");
}
