//! The client generated at build time works like the checked-in one: the update sends
//! only what was set, and the reply decodes into the generated types.

use label_studio_build_example::models::StorageStatus;
use label_studio_build_example::{Auth, Client};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn the_build_time_client_updates_an_s3_storage() {
    let server = MockServer::start().await;
    let reply = serde_json::json!({
        "id": 7, "type": "s3", "synchronizable": true, "presign": true, "bucket": "b",
        "created_at": "2026-12-05T10:00:00Z", "last_sync": null, "last_sync_count": null,
        "last_sync_job": null, "status": "completed", "traceback": null, "meta": {},
        "title": "Train", "project": 1
    });
    Mock::given(method("PATCH"))
        .and(path("/api/storages/s3/7"))
        .and(body_json(serde_json::json!({"title": "Train"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(server.uri(), Auth::api_key("KEY")).unwrap();
    let storage = client
        .import_storage()
        .s3()
        .update(7)
        .title("Train")
        .send()
        .await
        .unwrap();
    assert_eq!(storage.id, 7);
    assert_eq!(storage.status, Some(StorageStatus::Completed));
}
