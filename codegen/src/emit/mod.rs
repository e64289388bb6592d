//! Stage 3: IR → the files of a client crate. Reads only `crate::ir`.

mod client;
mod docs;
mod file;
mod manifest;
mod types;

pub use file::OutputFile;

use crate::error::Result;
use crate::ir::Api;

/// The hand-written runtime every generated crate carries (client, auth, errors).
/// It lives in `codegen/runtime/` and is copied verbatim, behind the same header.
const RUNTIME: &[(&str, &str)] = &[
    ("src/runtime/auth.rs", include_str!("../../runtime/auth.rs")),
    ("src/runtime/body.rs", include_str!("../../runtime/body.rs")),
    ("src/runtime/client.rs", include_str!("../../runtime/client.rs")),
    ("src/runtime/error.rs", include_str!("../../runtime/error.rs")),
    ("src/runtime/mod.rs", include_str!("../../runtime/mod.rs")),
    ("src/runtime/nullable.rs", include_str!("../../runtime/nullable.rs")),
    ("src/runtime/validate.rs", include_str!("../../runtime/validate.rs")),
];

/// Every file of the crate, sorted by path.
pub fn emit(api: &Api) -> Result<Vec<OutputFile>> {
    let mut files = vec![manifest::cargo_toml(api), types::emit_models(api)?];
    files.extend(client::emit_modules(api)?);
    for (path, text) in RUNTIME {
        files.push(OutputFile {
            path: (*path).to_owned(),
            contents: format!("{}\n{text}", file::header("//", &api.krate.source)),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
