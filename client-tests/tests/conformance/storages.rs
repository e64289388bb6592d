//! Storages of each kind that runs locally (S3 on moto, GCS on its emulator, local
//! files, Redis), their lists, and Azure's calls that need no server.

use super::*;

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
pub(super) async fn s3_storages(s: &Sweeper, project: i64) {
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
pub(super) async fn gcs_storages(s: &Sweeper, project: i64) {
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
pub(super) async fn local_storages(s: &Sweeper, project: i64) {
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
pub(super) async fn redis_storages(s: &Sweeper, project: i64) {
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
pub(super) async fn storage_lists(s: &Sweeper, project: i64) {
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
pub(super) fn azure_storages(s: &Sweeper) {
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
