//! Exports and their files, and webhooks.

use super::*;

/// Exports (made, converted, downloaded), the synchronous export, and uploaded files.
pub(super) async fn exports_and_files(s: &Sweeper, project: i64) {
    let (log, c) = (&s.log, &s.client);
    let exports = c.projects().exports();
    log.ok(
        "api_projects_export_formats_retrieve",
        exports.list_formats(project).send_with_response().await,
    );
    let export = log.must(
        "api_projects_exports_create",
        exports.create(project).title("sweep export").send_with_response().await,
    );
    log.ok(
        "api_projects_exports_list",
        exports.list(project).send_with_response().await,
    );
    log.ok(
        "api_projects_exports_retrieve",
        exports.get(export.id, project).send_with_response().await,
    );
    log.ok(
        "api_projects_exports_convert_create",
        exports.convert(export.id, project, "CSV").send_with_response().await,
    );
    let file = log.must(
        "api_projects_exports_download_retrieve",
        exports
            .download(export.id, project)
            .export_type("JSON")
            .send_with_response()
            .await,
    );
    let tasks: Value = serde_json::from_slice(&file).expect("the JSON export is JSON");
    assert!(
        tasks.as_array().is_some_and(|t| !t.is_empty()),
        "annotated tasks are exported: {tasks}"
    );
    log.ok(
        "api_projects_export_retrieve",
        exports
            .download_sync(project)
            .export_type("JSON")
            .send_with_response()
            .await,
    );
    log.ok(
        "api_projects_exports_destroy",
        exports.delete(export.id, project).send_with_response().await,
    );

    let uploads = log.must(
        "api_projects_file_uploads_list",
        c.files().list(project).all(true).send_with_response().await,
    );
    let upload = uploads.first().expect("the uploaded tasks file is listed");
    log.ok(
        "api_import_file_upload_retrieve",
        c.files().get(upload.id).send_with_response().await,
    );
    let name = upload.file.clone();
    // `file` is `upload/<project>/<name>`; the download route is `/data/upload/<project>/<name>`.
    log.ok(
        "data_upload_retrieve",
        c.files()
            .download(name.trim_start_matches("upload/"))
            .send_with_response()
            .await,
    );
    let replacement =
        FilePart::new("replaced.json", br#"[{"text": "replaced"}]"#.to_vec()).content_type("application/json");
    log.ok(
        "api_import_file_upload_partial_update",
        c.files()
            .update_upload(upload.id)
            .file(replacement)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_import_file_upload_destroy",
        c.files().delete(upload.id).send_with_response().await,
    );
    log.ok(
        "api_projects_file_uploads_destroy",
        c.files().delete_many(project).send_with_response().await,
    );
    log.fails(
        "api_projects_imports_retrieve",
        404,
        c.tasks()
            .create_many_status(project, 999_999)
            .send_with_response()
            .await,
    );
    log.fails(
        "api_projects_reimports_retrieve",
        404,
        c.projects().get_reimport(project, 999_999).send_with_response().await,
    );
}

/// Webhooks: the event list, and one webhook made, changed, replaced and deleted.
pub(super) async fn webhooks(s: &Sweeper, project: i64) {
    let (log, c) = (&s.log, &s.client);
    log.ok(
        "api_webhooks_info_retrieve",
        c.webhooks().info().send_with_response().await,
    );
    let hook = log.must(
        "api_webhooks_create",
        c.webhooks()
            .create(project, "http://127.0.0.1:9/hook")
            .send_payload(false)
            .send_with_response()
            .await,
    );
    log.ok("api_webhooks_list", c.webhooks().list().send_with_response().await);
    log.ok(
        "api_webhooks_retrieve",
        c.webhooks().get(hook.id).send_with_response().await,
    );
    log.ok(
        "api_webhooks_partial_update",
        c.webhooks().update(hook.id).is_active(false).send_with_response().await,
    );
    log.ok(
        "api_webhooks_update",
        c.webhooks()
            .replace(hook.id, "http://127.0.0.1:9/other")
            .send_with_response()
            .await,
    );
    log.ok(
        "api_webhooks_destroy",
        c.webhooks().delete(hook.id).send_with_response().await,
    );
}
