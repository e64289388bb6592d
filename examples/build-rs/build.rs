//! Generates the S3 import storage calls of Label Studio into `OUT_DIR/client.rs`, with
//! the config made in code (a `codegen.toml` works too: `Builder::from_config_file`).

use openapi_typed_codegen::config::Selection;

fn main() {
    let mut config = openapi_typed_codegen::Config::for_schema("../../schema/label-studio-1.23.2.openapi.json");
    config.krate.name = "label-studio-build-example".to_owned();
    config.operations.include = Selection::Ids(vec![
        "api_storages_s3_retrieve".to_owned(),
        "api_storages_s3_partial_update".to_owned(),
    ]);
    config
        .types
        .rename
        .insert("StatusC5aEnum".to_owned(), "StorageStatus".to_owned());
    let secrets = ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"];
    config.fields.sensitive = secrets.map(str::to_owned).to_vec();
    if let Err(err) = openapi_typed_codegen::Builder::from_config(config).generate() {
        // A build script reports by failing; the message says what and where.
        panic!("generating the Label Studio client failed: {err}");
    }
}
