//! The generated client against a real Label Studio 1.23.2 and a real S3 API (moto).
//!
//! Run them with `cargo xtask e2e`, which starts both servers and passes their
//! addresses; or against servers you started yourself:
//!
//! ```text
//! LABEL_STUDIO_URL=http://127.0.0.1:8080 LABEL_STUDIO_API_KEY=<legacy token> \
//! E2E_S3_ENDPOINT=http://127.0.0.1:5000 \
//!   cargo test -p label-studio-client --test e2e -- --ignored <name>
//! ```
//!
//! Setting up projects and storages uses plain HTTP; the call under test — PATCH
//! `/api/storages/s3/{id}` — always goes through the generated client. With
//! `E2E_RECORD_DIR` set, the replies seen are written there as fixtures
//! (`client-tests/tests/fixtures/recorded/`), which the offline suite decodes.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::server::{
    WRITE_ONLY, client, env, get_storage, new_project, new_storage, raw, raw_json, record, stored_fields, sync,
};

use label_studio_client::models::{S3ImportStorage, StorageStatus};
use label_studio_client::{Auth, Client, Error, ErrorBody};
use serde_json::{Value, json};

/// Fields the update body can set, with a value different from a new storage's.
fn field_changes() -> Vec<(&'static str, Value)> {
    vec![
        ("regex_filter", json!(r".*\.json")),
        ("use_blob_urls", json!(true)),
        ("presign", json!(false)),
        ("presign_ttl", json!(30)),
        ("recursive_scan", json!(true)),
        ("title", json!("renamed storage")),
        ("description", json!("now described")),
        ("project", Value::Null), // filled in with a second project
        ("bucket", json!("e2e-data-2")),
        ("prefix", json!("sync/b/")),
        ("aws_access_key_id", json!("e2e-access-key-2")),
        ("aws_secret_access_key", json!("e2e-secret-key-2")),
        ("aws_session_token", json!("e2e-session-token")),
        ("aws_sse_kms_key_id", json!("e2e-kms-key")),
        ("region_name", json!("eu-west-1")),
        ("s3_endpoint", json!("http://127.0.0.1:1")),
    ]
}

/// Sends one field through the generated client's setter for it.
async fn update_one(id: i64, field: &str, value: &Value) -> Result<S3ImportStorage, Error> {
    let update = client().import_storage().s3().update(id);
    let text = || value.as_str().unwrap().to_owned();
    let update = match field {
        "regex_filter" => update.regex_filter(text()),
        "use_blob_urls" => update.use_blob_urls(value.as_bool().unwrap()),
        "presign" => update.presign(value.as_bool().unwrap()),
        "presign_ttl" => update.presign_ttl(value.as_i64().unwrap()),
        "recursive_scan" => update.recursive_scan(value.as_bool().unwrap()),
        "title" => update.title(text()),
        "description" => update.description(text()),
        "project" => update.project(value.as_i64().unwrap()),
        "bucket" => update.bucket(text()),
        "prefix" => update.prefix(text()),
        "aws_access_key_id" => update.aws_access_key_id(text()),
        "aws_secret_access_key" => update.aws_secret_access_key(text()),
        "aws_session_token" => update.aws_session_token(text()),
        "aws_sse_kms_key_id" => update.aws_sse_kms_key_id(text()),
        "region_name" => update.region_name(text()),
        "s3_endpoint" => update.s3_endpoint(text()),
        other => panic!("no setter for {other}"),
    };
    update.send().await
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn each_field_update_changes_that_field_and_nothing_else() {
    let project = new_project("e2e fields").await;
    let other_project = new_project("e2e fields, moved").await;
    let mut changes = field_changes();
    for (field, value) in changes.iter_mut() {
        if *field == "project" {
            *value = json!(other_project);
        }
    }
    for (field, value) in changes {
        let id = new_storage(project, "misc/").await;
        let before = get_storage(id).await;
        assert_ne!(
            before.get(field),
            Some(&value),
            "{field}: pick a value that differs from the default"
        );

        let reply = update_one(id, field, &value)
            .await
            .unwrap_or_else(|e| panic!("updating {field}: {e}"));
        assert_eq!(reply.id, id);

        let after = get_storage(id).await;
        if WRITE_ONLY.contains(&field) {
            assert!(after.get(field).is_none(), "{field} is never returned");
            let stored = stored_fields(id, &[field]);
            assert_eq!(stored[field], value, "{field} did not reach the database");
        } else {
            assert_eq!(after[field], value, "{field} did not change");
        }
        for (key, old) in before.as_object().unwrap() {
            if key != field {
                assert_eq!(
                    &after[key], old,
                    "updating only {field} changed {key} (a default or null leaked)"
                );
            }
        }
    }
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn moving_prefix_and_filter_changes_what_a_sync_imports() {
    let project = new_project("e2e sync").await;
    let id = new_storage(project, "misc/").await;
    let updated = client()
        .import_storage()
        .s3()
        .update(id)
        .prefix("sync/a/")
        .regex_filter(r".*\.json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (updated.prefix.as_deref(), updated.regex_filter.as_deref()),
        (Some("sync/a/"), Some(r".*\.json"))
    );

    let synced: Value = serde_json::from_str(&sync(id).await).unwrap();
    assert_eq!(synced["status"], "completed", "{synced}");
    assert_eq!(synced["last_sync_count"], 2, "{synced}");
    let tasks = raw_json(reqwest::Method::GET, &format!("/api/tasks?project={project}"), None).await;
    let mut texts: Vec<&str> = tasks["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["data"]["text"].as_str())
        .collect();
    texts.sort();
    // sync/a/1.json and 2.json: not misc/task.json (old prefix), 3.txt (filter) or sync/b/4.json.
    assert_eq!(texts, ["one", "two"]);
}

/// An empty update changes nothing and returns the storage: a way to read it through the client.
async fn read_through_client(id: i64) -> S3ImportStorage {
    client().import_storage().s3().update(id).send().await.unwrap()
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn replies_decode_in_every_status_a_sync_can_reach() {
    let project = new_project("e2e statuses").await;

    let fresh = new_storage(project, "misc/").await;
    let storage = read_through_client(fresh).await;
    assert_eq!(storage.status, Some(StorageStatus::Initialized));
    assert_eq!(
        storage.type_, "s3",
        "PATCH replies leave out `type`; its schema default fills in"
    );
    record(
        "storage-200-initialized.json",
        &raw(
            reqwest::Method::PATCH,
            &format!("/api/storages/s3/{fresh}"),
            Some(json!({})),
        )
        .await
        .2,
    );

    let completed = new_storage(project, "misc/").await;
    record("storage-200-sync-completed.json", &sync(completed).await);
    let storage = read_through_client(completed).await;
    assert_eq!(storage.status, Some(StorageStatus::Completed));
    assert_eq!(storage.last_sync_count, Some(1));
    assert!(storage.last_sync.is_some() && storage.meta.is_some());
    record(
        "storage-200-completed.json",
        &raw(
            reqwest::Method::PATCH,
            &format!("/api/storages/s3/{completed}"),
            Some(json!({})),
        )
        .await
        .2,
    );

    // A non-JSON object under the prefix fails the sync (after importing the JSON ones).
    let failed = new_storage(project, "sync/a/").await;
    record("storage-200-sync-failed.json", &sync(failed).await);
    let storage = read_through_client(failed).await;
    assert_eq!(storage.status, Some(StorageStatus::Failed));
    assert!(storage.traceback.as_deref().unwrap_or_default().contains("Traceback"));
    record(
        "storage-200-failed.json",
        &raw(reqwest::Method::GET, &format!("/api/storages/s3/{failed}"), None)
            .await
            .2,
    );
    // `queued` and `in_progress` only exist while a sync runs in a worker; without Redis
    // a sync runs inside the request, so they cannot be observed here.
}

/// The error a PATCH gets, checking it is the documented kind.
async fn api_error(update: label_studio_client::import_storage::s3::UpdateBuilder) -> label_studio_client::ApiError {
    match update.send().await {
        Err(Error::Api(e)) => *e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn server_validation_errors_name_the_field() {
    let project = new_project("e2e validation").await;
    let id = new_storage(project, "misc/").await;
    let s3 = || client().import_storage().s3().update(id);

    // The description allows 2048 characters; the server stores at most 256.
    let e = api_error(s3().title("t".repeat(300))).await;
    assert_eq!((e.status().as_u16(), e.detail()), (400, Some("Validation error")));
    assert_eq!(
        e.validation_errors()["title"],
        ["Ensure this field has no more than 256 characters."]
    );
    record(
        "error-400-title-too-long.json",
        &raw(
            reqwest::Method::PATCH,
            &format!("/api/storages/s3/{id}"),
            Some(json!({"title": "t".repeat(300)})),
        )
        .await
        .2,
    );

    // The description documents no minimum for the request, so the client sends it.
    let e = api_error(s3().presign_ttl(-1)).await;
    assert_eq!(
        e.validation_errors()["presign_ttl"],
        ["Ensure this value is greater than or equal to 0."]
    );

    let e = api_error(s3().project(999_999)).await;
    assert_eq!(
        e.validation_errors()["project"],
        [r#"Invalid pk "999999" - object does not exist."#]
    );

    // The bucket is checked against S3 whenever the body names one.
    let e = api_error(s3().bucket("no-such-bucket")).await;
    assert_eq!(
        e.validation_errors()["non_field_errors"],
        ["Cannot find bucket no-such-bucket in S3"]
    );
    record(
        "error-400-bucket-not-found.json",
        &raw(
            reqwest::Method::PATCH,
            &format!("/api/storages/s3/{id}"),
            Some(json!({"bucket": "no-such-bucket"})),
        )
        .await
        .2,
    );

    // None of these changed the storage.
    let storage = get_storage(id).await;
    assert_eq!(
        (storage["title"].as_str(), storage["presign_ttl"].as_i64()),
        (Some("e2e storage"), Some(1))
    );

    // Beyond the maximum the description gives replies (32767) but not requests: on
    // SQLite the server stores it (and the reply decodes); on PostgreSQL, where the
    // column is a smallint, it refuses it.
    let beyond = s3().presign_ttl(99_999).send().await;
    match env().database.as_str() {
        "postgres" => {
            let e = beyond.unwrap_err();
            let errors = e.api_error().map(|e| e.validation_errors()).unwrap_or_default();
            assert_eq!(
                errors["presign_ttl"],
                ["Ensure this value is less than or equal to 32767."]
            );
        }
        _ => assert_eq!(beyond.unwrap().presign_ttl, Some(99_999)),
    }
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn client_side_limits_stop_a_request_the_server_would_refuse() {
    let project = new_project("e2e limits").await;
    let id = new_storage(project, "misc/").await;
    let err = client()
        .import_storage()
        .s3()
        .update(id)
        .title("t".repeat(2049))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(get_storage(id).await["title"], "e2e storage");
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn an_unknown_storage_is_an_html_404() {
    let e = api_error(client().import_storage().s3().update(987_654).title("x")).await;
    assert_eq!(e.status().as_u16(), 404);
    assert_eq!(e.content_type(), Some("text/html; charset=utf-8"));
    assert!(matches!(e.body(), ErrorBody::Text(html) if html.contains("<title>404 | Label Studio</title>")));
    record(
        "error-404-unknown-storage.html",
        &raw(reqwest::Method::PATCH, "/api/storages/s3/987654", Some(json!({})))
            .await
            .2,
    );
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn missing_and_wrong_credentials_are_401s_with_the_servers_reason() {
    let project = new_project("e2e auth").await;
    let id = new_storage(project, "misc/").await;
    let none = Client::new(&env().url, Auth::none()).unwrap();
    let e = api_error(none.import_storage().s3().update(id).title("x")).await;
    assert_eq!(
        (e.status().as_u16(), e.detail()),
        (401, Some("Authentication credentials were not provided."))
    );

    let wrong = Client::new(&env().url, Auth::api_key("0".repeat(40))).unwrap();
    let e = api_error(wrong.import_storage().s3().update(id).title("x")).await;
    assert_eq!((e.status().as_u16(), e.detail()), (401, Some("Invalid token.")));
    let reply = reqwest::Client::new()
        .patch(format!("{}/api/storages/s3/{id}", env().url))
        .header("Authorization", format!("Token {}", "0".repeat(40)))
        .send()
        .await
        .unwrap();
    record("error-401-invalid-token.json", &reply.text().await.unwrap());
    assert_eq!(get_storage(id).await["title"], "e2e storage");
}

/// Creates a personal access token for the test user through the API.
async fn create_personal_access_token() -> String {
    let (status, _, text) = raw(reqwest::Method::POST, "/api/token/", None).await;
    assert_ne!(
        status, 409,
        "the test user already has a personal access token (a previous run stopped early); \
         revoke it in Label Studio's account settings, or use a fresh server"
    );
    assert_eq!(status, 201, "{text}");
    serde_json::from_str::<Value>(&text).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn a_personal_access_token_works_across_access_token_rejection_and_expiry() {
    let project = new_project("e2e pat").await;
    let id = new_storage(project, "misc/").await;
    let pat = create_personal_access_token().await;
    let client = Client::new(&env().url, Auth::refresh_token(&pat)).unwrap();
    let titled = |title: &'static str| {
        let client = client.clone();
        async move { client.import_storage().s3().update(id).title(title).send().await }
    };

    titled("via pat 1").await.unwrap();
    // The e2e server rejects access tokens 20 s after issue, while they still look valid
    // for 40 s more (a server clock running ahead): the client must renew on the 401.
    tokio::time::sleep(Duration::from_secs(22)).await;
    titled("via pat 2").await.unwrap();
    // Past the renewed token's own expiry (60 s): calls keep working.
    tokio::time::sleep(Duration::from_secs(62)).await;
    assert_eq!(titled("via pat 3").await.unwrap().title.as_deref(), Some("via pat 3"));

    // A revoked personal access token: the exchange fails, and says so.
    raw_json(
        reqwest::Method::POST,
        "/api/token/blacklist/",
        Some(json!({ "refresh": pat })),
    )
    .await;
    let revoked = Client::new(&env().url, Auth::refresh_token(&pat)).unwrap();
    let err = revoked
        .import_storage()
        .s3()
        .update(id)
        .title("never")
        .send()
        .await
        .unwrap_err();
    let Error::Auth(inner) = &err else { panic!("{err:?}") };
    assert_eq!(inner.status().map(|s| s.as_u16()), Some(401), "{err}");
    assert!(
        !format!("{err} {err:?}").contains(&pat),
        "the token leaked into the error"
    );
    assert_eq!(get_storage(id).await["title"], "via pat 3");
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn thirty_two_concurrent_updates_from_one_client_all_apply() {
    let project = new_project("e2e concurrency").await;
    let mut ids = Vec::new();
    for _ in 0..32 {
        ids.push(new_storage(project, "misc/").await);
    }
    let client = client();
    let mut calls = tokio::task::JoinSet::new();
    for (n, id) in ids.iter().copied().enumerate() {
        let client = client.clone();
        calls.spawn(async move {
            client
                .import_storage()
                .s3()
                .update(id)
                .title(format!("parallel {n}"))
                .send()
                .await
        });
    }
    let mut replies = BTreeMap::new();
    while let Some(result) = calls.join_next().await {
        let storage = result.unwrap().unwrap();
        replies.insert(storage.id, storage.title);
    }
    assert_eq!(replies.len(), 32);
    for (n, id) in ids.iter().enumerate() {
        let expected = format!("parallel {n}");
        assert_eq!(replies[id].as_deref(), Some(expected.as_str()));
        assert_eq!(get_storage(*id).await["title"], expected, "update {n} was lost");
    }
}
