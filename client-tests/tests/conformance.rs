//! The conformance sweep: every operation of the description that one local server
//! can serve, called through the generated client against a real Label Studio, its
//! reply decoded with the generated types. Each call is logged (see `common/sweep.rs`);
//! `cargo xtask e2e` turns the log into `target/e2e/conformance.json`.
//!
//! The sweep seeds what it calls on: users, projects with a labeling config, tasks
//! (from JSON and from an uploaded file), annotations, predictions, drafts, labels,
//! views with filters, webhooks, storages of each kind that runs locally (S3 on moto,
//! GCS on its emulator, local files, Redis), an ML backend (a stand-in) and exports.
//! What changes a user's own credentials runs as a second user (`E2E_SWEEP_TOKEN`);
//! as it resets that user's legacy token, the sweep runs once per server: against a
//! `cargo xtask e2e --serve`, restart the servers before running it again.

mod common;

use std::collections::BTreeMap;

use common::server::env;
use common::sweep::Sweep;
use label_studio_client::{Auth, Client, FilePart};
use serde_json::{Value, json};

const LABEL_CONFIG: &str = r#"<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text">
    <Choice value="positive"/>
    <Choice value="negative"/>
  </Choices>
</View>"#;

/// A choice annotation (or prediction) result for [`LABEL_CONFIG`].
fn choice(value: &str) -> Vec<BTreeMap<String, Value>> {
    let item = json!({
        "from_name": "sentiment",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": [value]},
    });
    vec![serde_json::from_value(item).unwrap()]
}

fn task_data(text: &str) -> BTreeMap<String, Value> {
    BTreeMap::from([("text".to_owned(), json!(text))])
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run the sweep with `cargo xtask e2e`"))
}

/// What the sweep calls with, and what it made so far.
struct Sweeper {
    log: Sweep,
    /// The first user (an administrator), legacy token.
    client: Client,
    /// A second user of the same organization, for its own credentials.
    second: Client,
}

#[tokio::test]
#[ignore = "needs a running Label Studio: cargo xtask e2e"]
async fn every_operation_against_a_real_server() {
    let s = Sweeper {
        log: Sweep::open(),
        client: Client::new(&env().url, Auth::api_key(&env().token)).unwrap(),
        second: Client::new(&env().url, Auth::api_key(var("E2E_SWEEP_TOKEN"))).unwrap(),
    };
    let organization = users_and_organization(&s).await;
    let project = projects(&s).await;
    let tasks = tasks_and_imports(&s, project).await;
    annotations_and_predictions(&s, project, &tasks).await;
    labels(&s, project, organization).await;
    views_and_actions(&s, project, &tasks).await;
    exports_and_files(&s, project).await;
    webhooks(&s, project).await;
    s3_storages(&s, project).await;
    gcs_storages(&s, project).await;
    local_storages(&s, project).await;
    redis_storages(&s, project).await;
    storage_lists(&s, project).await;
    azure_storages(&s);
    ml_backend(&s, project, &tasks).await;
    state_machine(&s, &tasks).await;
    own_credentials(&s).await;
    members_and_cleanup(&s, organization, project, &tasks).await;
    s.log.assert_clean();
}

/// Users, the organization, its invite, and the settings of both.
async fn users_and_organization(s: &Sweeper) -> i64 {
    let (log, c) = (&s.log, &s.client);
    let me = log.must(
        "api_current_user_whoami_retrieve",
        c.users().whoami().send_with_response().await,
    );
    let organization = me.active_organization.expect("the first user has an organization");
    log.ok("api_users_list", c.users().list().send_with_response().await);
    log.ok("api_users_retrieve", c.users().get(me.id).send_with_response().await);
    let hotkeys = log.must(
        "api_current_user_hotkeys_retrieve",
        c.users().get_hotkeys().send_with_response().await,
    );
    let mut custom = hotkeys.custom_hotkeys;
    custom.insert(
        "annotation:submit".to_owned(),
        json!({"key": "ctrl+enter", "active": true}),
    );
    log.ok(
        "api_current_user_hotkeys_partial_update",
        c.users()
            .update_hotkeys()
            .custom_hotkeys(custom)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_current_user_token_retrieve",
        c.users().get_token().send_with_response().await,
    );

    log.ok(
        "api_organizations_list",
        c.organizations().list().send_with_response().await,
    );
    let org = log.must(
        "api_organizations_retrieve",
        c.organizations().get(organization).send_with_response().await,
    );
    log.ok(
        "api_organizations_partial_update",
        c.organizations()
            .update(organization)
            .title(org.title.clone())
            .send_with_response()
            .await,
    );
    log.ok(
        "api_invite_retrieve",
        c.organizations().get_invite().send_with_response().await,
    );
    log.ok(
        "api_invite_reset_token_create",
        c.organizations().reset_token().send_with_response().await,
    );
    log.ok(
        "api_organizations_memberships_list",
        c.organizations()
            .members()
            .list(organization)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_organizations_memberships_retrieve",
        c.organizations()
            .members()
            .get(organization, me.id)
            .send_with_response()
            .await,
    );

    let jwt = log.must(
        "api_jwt_settings_retrieve",
        c.jwt_settings().get().send_with_response().await,
    );
    log.ok(
        "api_jwt_settings_create",
        c.jwt_settings()
            .update()
            .api_tokens_enabled(jwt.api_tokens_enabled.unwrap_or(true))
            .legacy_api_tokens_enabled(jwt.legacy_api_tokens_enabled.unwrap_or(true))
            .send_with_response()
            .await,
    );
    let policy = log.must(
        "api_session_policy_retrieve",
        c.session_policy().get().send_with_response().await,
    );
    log.ok(
        "api_session_policy_partial_update",
        c.session_policy()
            .update()
            .max_session_age(policy.max_session_age.unwrap_or(20_160))
            .send_with_response()
            .await,
    );
    organization
}

/// A project with a labeling config, and the calls on projects themselves.
async fn projects(s: &Sweeper) -> i64 {
    let (log, c) = (&s.log, &s.client);
    let project = log.must(
        "api_projects_create",
        c.projects()
            .create()
            .title("Sweep project")
            .label_config(LABEL_CONFIG)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_projects_retrieve",
        c.projects().get(project.id).send_with_response().await,
    );
    log.ok(
        "api_projects_partial_update",
        c.projects()
            .update(project.id)
            .description("made by the conformance sweep")
            .send_with_response()
            .await,
    );
    log.ok("api_projects_list", c.projects().list().send_with_response().await);
    log.ok(
        "api_projects_counts_list",
        c.projects().list_counts().send_with_response().await,
    );
    log.ok(
        "api_projects_validate_label_config",
        c.projects()
            .validate_label_config(project.id, LABEL_CONFIG)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_projects_validate_create",
        c.projects().validate_config(LABEL_CONFIG).send_with_response().await,
    );
    project.id
}

/// Tasks from a JSON body, from an uploaded file and one by one; reading and changing them.
async fn tasks_and_imports(s: &Sweeper, project: i64) -> Vec<i64> {
    let (log, c) = (&s.log, &s.client);
    let body: Vec<_> = (1..=3)
        .map(|i| serde_json::from_value(json!({"data": {"text": format!("imported {i}")}})).unwrap())
        .collect();
    log.ok(
        "api_projects_import_create",
        c.projects()
            .import_tasks(project, body)
            .return_task_ids(true)
            .send_with_response()
            .await,
    );
    let file = FilePart::new(
        "tasks.json",
        br#"[{"text": "uploaded 1"}, {"text": "uploaded 2"}]"#.to_vec(),
    )
    .content_type("application/json");
    log.ok(
        "api_projects_import_create",
        c.projects()
            .import_tasks_upload(project, file)
            .send_with_response()
            .await,
    );
    let created = log.must(
        "api_tasks_create",
        c.tasks()
            .create()
            .project(project)
            .data(task_data("created one by one"))
            .send_with_response()
            .await,
    );
    let list = log.must(
        "api_tasks_list",
        c.tasks().list().project(project).send_with_response().await,
    );
    let ids: Vec<i64> = list.tasks.iter().map(|t| t.id).collect();
    assert_eq!(ids.len(), 6, "three imported, two uploaded, one created");
    log.ok(
        "api_tasks_retrieve",
        c.tasks().get(created.id).send_with_response().await,
    );
    log.ok(
        "api_tasks_partial_update",
        c.tasks()
            .update(created.id)
            .data(task_data("changed"))
            .send_with_response()
            .await,
    );
    log.ok(
        "api_projects_tasks_list",
        c.projects().list_tasks(project).send_with_response().await,
    );
    log.fails(
        "api_tasks_agreement_retrieve",
        403,
        c.tasks().get_agreement(created.id).send_with_response().await,
    );
    ids
}

/// Annotations, drafts and predictions on the project's tasks.
async fn annotations_and_predictions(s: &Sweeper, project: i64, tasks: &[i64]) {
    let (log, c) = (&s.log, &s.client);
    let annotation = log.must(
        "api_tasks_annotations_create",
        c.annotations()
            .create(tasks[0])
            .result(choice("positive"))
            .send_with_response()
            .await,
    );
    log.ok(
        "api_tasks_annotations_list",
        c.annotations().list(tasks[0]).send_with_response().await,
    );
    log.ok(
        "api_annotations_retrieve",
        c.annotations().get(annotation.id).send_with_response().await,
    );
    log.ok(
        "api_annotations_partial_update",
        c.annotations()
            .update(annotation.id)
            .ground_truth(true)
            .send_with_response()
            .await,
    );
    let draft = log.must(
        "api_tasks_annotations_create",
        c.annotations()
            .create(tasks[1])
            .result(choice("negative"))
            .send_with_response()
            .await,
    );
    log.ok(
        "api_annotations_convert_to_draft_create",
        c.annotations().convert_to_draft(draft.id).send_with_response().await,
    );

    let prediction = log.must(
        "api_predictions_create",
        c.predictions()
            .create()
            .task(tasks[2])
            .result(choice("negative"))
            .score(0.75)
            .model_version("sweep-1")
            .send_with_response()
            .await,
    );
    log.ok(
        "api_predictions_list",
        c.predictions().list().project(project).send_with_response().await,
    );
    log.ok(
        "api_predictions_retrieve",
        c.predictions().get(prediction.id).send_with_response().await,
    );
    log.ok(
        "api_predictions_partial_update",
        c.predictions()
            .update(prediction.id)
            .score(0.5)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_predictions_update",
        c.predictions()
            .replace(prediction.id)
            .task(tasks[2])
            .result(choice("positive"))
            .send_with_response()
            .await,
    );
    let imported: Vec<_> = vec![
        serde_json::from_value(json!({"task": tasks[3], "result": choice("positive"), "model_version": "sweep-2"}))
            .unwrap(),
    ];
    log.ok(
        "api_projects_import_predictions_create",
        c.projects()
            .import_predictions(project, imported)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_predictions_destroy",
        c.predictions().delete(prediction.id).send_with_response().await,
    );
    log.ok(
        "api_projects_annotators_retrieve",
        c.projects().list_unique_annotators(project).send_with_response().await,
    );
}

/// Labels (an organization's label library) and their links to projects.
async fn labels(s: &Sweeper, project: i64, organization: i64) {
    let (log, c) = (&s.log, &s.client);
    let new: Vec<_> = vec![
        serde_json::from_value(json!({
            "project": project, "from_name": "sentiment", "value": {"choices": ["neutral"]}, "title": "neutral"
        }))
        .unwrap(),
    ];
    let created = log.must("api_labels_create", c.labels().create(new).send_with_response().await);
    let label = created.first().expect("one label made").id;
    log.ok("api_labels_list", c.labels().list().send_with_response().await);
    log.ok("api_labels_retrieve", c.labels().get(label).send_with_response().await);
    log.ok(
        "api_labels_partial_update",
        c.labels()
            .update(label)
            .description("added by the sweep")
            .organization(organization)
            .send_with_response()
            .await,
    );
    let links = log.must(
        "api_label_links_list",
        c.projects().labels().list().send_with_response().await,
    );
    let link = links
        .results
        .iter()
        .find(|l| l.project == project && l.label == label)
        .expect("the label is linked to the project")
        .id;
    log.ok(
        "api_label_links_retrieve",
        c.projects().labels().get(link).send_with_response().await,
    );
    log.ok(
        "api_label_links_partial_update",
        c.projects()
            .labels()
            .update(link)
            .from_name("sentiment")
            .send_with_response()
            .await,
    );
    log.ok(
        "api_labels_bulk_create",
        c.projects()
            .labels()
            .update_many(json!({"choices": ["neutral"]}), json!({"choices": ["mixed"]}))
            .project(project)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_label_links_destroy",
        c.projects().labels().delete(link).send_with_response().await,
    );
    let relinked = log.must(
        "api_label_links_create",
        c.projects()
            .labels()
            .create("sentiment", project, label)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_label_links_destroy",
        c.projects().labels().delete(relinked.id).send_with_response().await,
    );
    log.ok(
        "api_labels_destroy",
        c.labels().delete(label).send_with_response().await,
    );
}

/// Data Manager views with filters, actions on the tasks they select, and the columns.
async fn views_and_actions(s: &Sweeper, project: i64, tasks: &[i64]) {
    let (log, c) = (&s.log, &s.client);
    let data = serde_json::from_value(json!({
        "filters": {
            "conjunction": "and",
            "items": [{"filter": "filter:tasks:total_annotations", "operator": "greater_or_equal", "type": "Number", "value": 0}]
        },
        "ordering": ["tasks:id"]
    }))
    .unwrap();
    let view = log.must(
        "api_dm_views_create",
        c.views()
            .create()
            .project(project)
            .data(data)
            .send_with_response()
            .await,
    );
    let second = log.must(
        "api_dm_views_create",
        c.views().create().project(project).send_with_response().await,
    );
    log.ok(
        "api_dm_views_list",
        c.views().list().project(project).send_with_response().await,
    );
    log.ok(
        "api_dm_views_retrieve",
        c.views().get(view.id).send_with_response().await,
    );
    fn unfiltered<T: serde::de::DeserializeOwned>() -> T {
        serde_json::from_value(json!({"ordering": ["-tasks:id"]})).unwrap()
    }
    log.ok(
        "api_dm_views_partial_update",
        c.views()
            .update(view.id, unfiltered())
            .project(project)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_dm_views_update",
        c.views()
            .replace(view.id, unfiltered())
            .project(project)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_dm_views_order_create",
        c.views()
            .update_order(project, vec![second.id, view.id])
            .send_with_response()
            .await,
    );
    log.ok(
        "api_dm_views_destroy",
        c.views().delete(second.id).send_with_response().await,
    );

    log.ok(
        "api_dm_actions_retrieve",
        c.actions().list(project).send_with_response().await,
    );
    log.ok(
        "api_dm_actions_form_retrieve",
        c.actions()
            .get_form("retrieve_tasks_predictions", project)
            .send_with_response()
            .await,
    );
    let selected = serde_json::from_value(json!({"all": false, "included": [tasks[4]]})).unwrap();
    log.ok(
        "api_dm_actions_create",
        c.actions()
            .create("delete_tasks_predictions".into(), project)
            .view(view.id)
            .selected_items(selected)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_dm_columns_retrieve",
        c.data_manager().list_columns(project).send_with_response().await,
    );
    log.ok(
        "api_dm_project_retrieve",
        c.data_manager()
            .get_project()
            .project(project)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_dm_views_reset_destroy",
        c.views().delete_all(project).send_with_response().await,
    );
}

/// Exports (made, converted, downloaded), the synchronous export, and uploaded files.
async fn exports_and_files(s: &Sweeper, project: i64) {
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
async fn webhooks(s: &Sweeper, project: i64) {
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

/// The five calls on a storage `$api` just made (`$id`): list, get, update (as
/// `$update` builds it), sync and delete, logged under `$operation` + `_list`, ...
macro_rules! storage_life {
    ($log:expr, $api:expr, $operation:literal, $project:expr, $id:expr, $update:expr) => {
        $log.ok(
            concat!($operation, "_list"),
            $api.list($project).send_with_response().await,
        );
        $log.ok(
            concat!($operation, "_retrieve"),
            $api.get($id).send_with_response().await,
        );
        $log.ok(
            concat!($operation, "_partial_update"),
            $update.send_with_response().await,
        );
        $log.ok(
            concat!($operation, "_sync_create"),
            $api.sync($id).send_with_response().await,
        );
        $log.ok(
            concat!($operation, "_destroy"),
            $api.delete($id).send_with_response().await,
        );
    };
}

/// S3 import and export storages on moto (`xtask/e2e/seed_s3.py` made the buckets).
async fn s3_storages(s: &Sweeper, project: i64) {
    let log = &s.log;
    let s3 = s.client.import_storage().s3();
    let validate = s3.validate().project(project).bucket("e2e-data").prefix("misc/");
    let validate = validate.s3_endpoint(&env().s3).region_name("us-east-1");
    let validate = validate
        .aws_access_key_id("e2e-access-key")
        .aws_secret_access_key("e2e-secret-key");
    log.ok("api_storages_s3_validate_create", validate.send_with_response().await);
    let create = s3.create().project(project).bucket("e2e-data").prefix("misc/");
    let create = create.s3_endpoint(&env().s3).region_name("us-east-1");
    let create = create
        .aws_access_key_id("e2e-access-key")
        .aws_secret_access_key("e2e-secret-key");
    let id = log.must("api_storages_s3_create", create.send_with_response().await).id;
    storage_life!(log, s3, "api_storages_s3", project, id, s3.update(id).title("sweep s3"));

    let export = s.client.export_storage().s3();
    let validate = export.validate().project(project).bucket("e2e-export");
    let validate = validate.s3_endpoint(&env().s3).region_name("us-east-1");
    let validate = validate
        .aws_access_key_id("e2e-access-key")
        .aws_secret_access_key("e2e-secret-key");
    log.ok(
        "api_storages_export_s3_validate_create",
        validate.send_with_response().await,
    );
    let create = export.create().project(project).bucket("e2e-export").prefix("sweep/");
    let create = create.s3_endpoint(&env().s3).region_name("us-east-1");
    let create = create
        .aws_access_key_id("e2e-access-key")
        .aws_secret_access_key("e2e-secret-key");
    let id = log
        .must("api_storages_export_s3_create", create.send_with_response().await)
        .id;
    let update = export.update(id).title("sweep s3 export");
    storage_life!(log, export, "api_storages_export_s3", project, id, update);
}

/// GCS storages on the emulator (no credentials: the emulator takes anonymous calls).
async fn gcs_storages(s: &Sweeper, project: i64) {
    let log = &s.log;
    let gcs = s.client.import_storage().gcs();
    let validate = gcs.validate().project(project).bucket("e2e-gcs").prefix("gcs/");
    log.ok("api_storages_gcs_validate_create", validate.send_with_response().await);
    let create = gcs.create().project(project).bucket("e2e-gcs").prefix("gcs/");
    let id = log
        .must("api_storages_gcs_create", create.send_with_response().await)
        .id;
    storage_life!(
        log,
        gcs,
        "api_storages_gcs",
        project,
        id,
        gcs.update(id).title("sweep gcs")
    );

    let export = s.client.export_storage().gcs();
    let validate = export.validate().project(project).bucket("e2e-gcs-export");
    log.ok(
        "api_storages_export_gcs_validate_create",
        validate.send_with_response().await,
    );
    let create = export
        .create()
        .project(project)
        .bucket("e2e-gcs-export")
        .prefix("sweep/");
    let id = log
        .must("api_storages_export_gcs_create", create.send_with_response().await)
        .id;
    let update = export.update(id).title("sweep gcs export");
    storage_life!(log, export, "api_storages_export_gcs", project, id, update);
}

/// Local-files storages in folders below the server's document root.
async fn local_storages(s: &Sweeper, project: i64) {
    let log = &s.log;
    let root = env()
        .local_files
        .as_deref()
        .expect("E2E_LOCAL_FILES_ROOT: `cargo xtask e2e` sets it");
    let (tasks, exports) = (format!("{root}/sweep-tasks"), format!("{root}/sweep-exports"));
    std::fs::create_dir_all(&tasks).unwrap();
    std::fs::create_dir_all(&exports).unwrap();
    let task = json!({"data": {"text": "from a file"}}).to_string();
    std::fs::write(format!("{tasks}/task.json"), task).unwrap();

    let local = s.client.import_storage().local();
    let validate = local.validate().project(project).path(&tasks);
    log.ok(
        "api_storages_localfiles_validate_create",
        validate.send_with_response().await,
    );
    let create = local.create().project(project).path(&tasks).regex_filter(r".*\.json");
    let id = log
        .must("api_storages_localfiles_create", create.send_with_response().await)
        .id;
    let update = local.update(id, &tasks).title("sweep local");
    storage_life!(log, local, "api_storages_localfiles", project, id, update);

    let export = s.client.export_storage().local();
    let validate = export.validate().project(project).path(&exports);
    log.ok(
        "api_storages_export_localfiles_validate_create",
        validate.send_with_response().await,
    );
    let create = export.create().project(project).path(&exports);
    let id = log
        .must(
            "api_storages_export_localfiles_create",
            create.send_with_response().await,
        )
        .id;
    let update = export.update(id, &exports).title("sweep local export");
    storage_life!(log, export, "api_storages_export_localfiles", project, id, update);
}

/// Redis storages on the local Redis. Updates name the server again: the server checks
/// the connection with only what an update sends (without them: 400 "Can't connect to
/// Redis server.").
async fn redis_storages(s: &Sweeper, project: i64) {
    let log = &s.log;
    let port = var("E2E_REDIS_PORT");
    let redis = s.client.import_storage().redis();
    let validate = redis.validate().project(project).host("127.0.0.1").port(port.clone());
    log.ok(
        "api_storages_redis_validate_create",
        validate.send_with_response().await,
    );
    let create = redis
        .create()
        .project(project)
        .host("127.0.0.1")
        .port(port.clone())
        .path("sweep/");
    let id = log
        .must("api_storages_redis_create", create.send_with_response().await)
        .id;
    let update = redis
        .update(id)
        .host("127.0.0.1")
        .port(port.clone())
        .title("sweep redis");
    storage_life!(log, redis, "api_storages_redis", project, id, update);

    let export = s.client.export_storage().redis();
    let validate = export.validate().project(project).host("127.0.0.1").port(port.clone());
    log.ok(
        "api_storages_export_redis_validate_create",
        validate.send_with_response().await,
    );
    let create = export.create().project(project).host("127.0.0.1").port(port.clone());
    let id = log
        .must(
            "api_storages_export_redis_create",
            create.path("sweep-export/").send_with_response().await,
        )
        .id;
    let update = export
        .update(id)
        .host("127.0.0.1")
        .port(port)
        .title("sweep redis export");
    storage_life!(log, export, "api_storages_export_redis", project, id, update);
}

/// The lists across storage kinds, and which kinds the server offers.
async fn storage_lists(s: &Sweeper, project: i64) {
    let (log, c) = (&s.log, &s.client);
    log.ok(
        "api_storages_list",
        c.import_storage().list().project(project).send_with_response().await,
    );
    log.ok(
        "api_storages_export_list",
        c.export_storage().list().project(project).send_with_response().await,
    );
    log.ok(
        "api_storages_types_retrieve",
        c.import_storage().list_types().send_with_response().await,
    );
    log.ok(
        "api_storages_export_types_retrieve",
        c.export_storage().list_types().send_with_response().await,
    );
}

/// Azure Blob storages need an Azure account: Label Studio builds the connection to
/// `https://<account>.blob.core.windows.net` itself, with no setting for an emulator.
fn azure_storages(s: &Sweeper) {
    for kind in ["storages_azure", "storages_export_azure"] {
        for call in [
            "validate_create",
            "create",
            "list",
            "retrieve",
            "partial_update",
            "sync_create",
            "destroy",
        ] {
            s.log.not_exercised(
                &format!("api_{kind}_{call}"),
                "needs an Azure account: Label Studio 1.23.2 always connects to *.blob.core.windows.net",
            );
        }
    }
}

/// An ML backend (the stand-in from `xtask/e2e/fake_ml_backend.py`) and what it serves.
async fn ml_backend(s: &Sweeper, project: i64, tasks: &[i64]) {
    let (log, c) = (&s.log, &s.client);
    let url = var("E2E_ML_URL");
    let backend = log.must(
        "api_ml_create",
        c.ml()
            .create()
            .project(project)
            .url(&url)
            .title("stand-in")
            .send_with_response()
            .await,
    );
    log.ok("api_ml_list", c.ml().list().project(project).send_with_response().await);
    log.ok("api_ml_retrieve", c.ml().get(backend.id).send_with_response().await);
    log.ok(
        "api_ml_partial_update",
        c.ml()
            .update(backend.id, &url, project)
            .title("stand-in, renamed")
            .send_with_response()
            .await,
    );
    log.ok(
        "api_ml_predict_test_create",
        c.ml()
            .test_predict(backend.id, true, &url, project)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_ml_interactive_annotating_create",
        c.ml()
            .predict_interactive(backend.id, tasks[0])
            .send_with_response()
            .await,
    );
    log.ok(
        "api_ml_train_create",
        c.ml().train(backend.id).send_with_response().await,
    );
    log.ok(
        "api_ml_versions_retrieve",
        c.ml().list_model_versions(backend.id).send_with_response().await,
    );
    log.ok("api_ml_destroy", c.ml().delete(backend.id).send_with_response().await);
}

/// The task state machine: its history, and a transition the open-source server lacks.
async fn state_machine(s: &Sweeper, tasks: &[i64]) {
    let (log, c) = (&s.log, &s.client);
    log.ok(
        "api_fsm_entities_history_list",
        c.fsm().state_history(tasks[0], "task").send_with_response().await,
    );
    log.fails(
        "api_fsm_entities_transition_create",
        400,
        c.fsm()
            .execute_transition(tasks[0], "task", "no_such_transition")
            .send_with_response()
            .await,
    );
}

/// A user's own credentials, as the second user: personal access tokens (made, listed,
/// exchanged, rotated, revoked) and a reset of the legacy token.
async fn own_credentials(s: &Sweeper) {
    let (log, c) = (&s.log, &s.second);
    let token = log
        .must("api_token_create", c.tokens().create().send_with_response().await)
        .token;
    log.ok("api_token_list", c.tokens().list().send_with_response().await);
    log.ok(
        "api_token_refresh_create",
        c.tokens().refresh(token.clone()).send_with_response().await,
    );
    let rotated = log.must(
        "api_token_rotate_create",
        c.tokens().rotate(token).send_with_response().await,
    );
    log.ok(
        "api_token_blacklist_create",
        c.tokens().blacklist(rotated.refresh).send_with_response().await,
    );
    let reset = log.must(
        "api_current_user_reset_token_create",
        c.users().reset_token().send_with_response().await,
    );
    let token = reset.token.expect("a new legacy token");
    let renewed = Client::new(&env().url, Auth::api_key(token)).unwrap();
    let me = renewed
        .users()
        .whoami()
        .send()
        .await
        .expect("the new legacy token works");
    assert_eq!(me.email.as_deref(), Some("e2e-sweep@example.com"));
}

/// A user added and removed, and the project and its tasks deleted.
async fn members_and_cleanup(s: &Sweeper, organization: i64, project: i64, tasks: &[i64]) {
    let (log, c) = (&s.log, &s.client);
    let user = log.must(
        "api_users_create",
        c.users()
            .create("sweep-member")
            .email("sweep-member@example.com")
            .first_name("Sweep")
            .send_with_response()
            .await,
    );
    log.ok(
        "api_users_partial_update",
        c.users().update(user.id).last_name("Member").send_with_response().await,
    );
    log.ok(
        "api_organizations_memberships_destroy",
        c.organizations()
            .members()
            .delete(organization, user.id)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_users_destroy",
        c.users().delete(user.id).send_with_response().await,
    );

    log.ok(
        "api_tasks_destroy",
        c.tasks().delete(tasks[5]).send_with_response().await,
    );
    log.ok(
        "api_annotations_destroy",
        c.annotations()
            .delete(first_annotation(s, tasks[0]).await)
            .send_with_response()
            .await,
    );
    log.ok(
        "api_projects_tasks_destroy",
        c.tasks().delete_all_tasks(project).send_with_response().await,
    );
    log.ok(
        "api_projects_destroy",
        c.projects().delete(project).send_with_response().await,
    );
}

async fn first_annotation(s: &Sweeper, task: i64) -> i64 {
    let annotations = s
        .client
        .annotations()
        .list(task)
        .send()
        .await
        .expect("the task's annotations");
    annotations.first().expect("the task has an annotation").id
}
