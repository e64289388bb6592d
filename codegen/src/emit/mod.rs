//! Stage 3: IR → the files of a client crate. Reads only `crate::ir`.

mod builder;
mod call_docs;
mod client;
mod docs;
mod examples;
mod file;
mod manifest;
mod redaction;
mod send;
mod types;
mod webhooks;

pub(crate) use file::has_header;
pub use file::{Emitted, OutputFile};

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::ir::{Api, TypeDef};

/// The hand-written runtime (client, auth, errors) a generated crate carries unless it
/// depends on the `codegen-runtime` crate. It lives in `codegen/runtime/` and is copied
/// verbatim, behind the same header.
const RUNTIME: &[(&str, &str)] = &[
    ("src/runtime/auth.rs", include_str!("../../runtime/auth.rs")),
    ("src/runtime/blocking.rs", include_str!("../../runtime/blocking.rs")),
    ("src/runtime/body.rs", include_str!("../../runtime/body.rs")),
    ("src/runtime/call.rs", include_str!("../../runtime/call.rs")),
    ("src/runtime/client.rs", include_str!("../../runtime/client.rs")),
    ("src/runtime/download.rs", include_str!("../../runtime/download.rs")),
    ("src/runtime/encode.rs", include_str!("../../runtime/encode.rs")),
    ("src/runtime/error.rs", include_str!("../../runtime/error.rs")),
    ("src/runtime/hooks.rs", include_str!("../../runtime/hooks.rs")),
    ("src/runtime/invalid.rs", include_str!("../../runtime/invalid.rs")),
    ("src/runtime/mod.rs", include_str!("../../runtime/mod.rs")),
    ("src/runtime/nullable.rs", include_str!("../../runtime/nullable.rs")),
    ("src/runtime/options.rs", include_str!("../../runtime/options.rs")),
    ("src/runtime/redirect.rs", include_str!("../../runtime/redirect.rs")),
    ("src/runtime/reply.rs", include_str!("../../runtime/reply.rs")),
    ("src/runtime/response.rs", include_str!("../../runtime/response.rs")),
    ("src/runtime/stream.rs", include_str!("../../runtime/stream.rs")),
    ("src/runtime/summary.rs", include_str!("../../runtime/summary.rs")),
    ("src/runtime/support.rs", include_str!("../../runtime/support.rs")),
    ("src/runtime/trace.rs", include_str!("../../runtime/trace.rs")),
    ("src/runtime/upload.rs", include_str!("../../runtime/upload.rs")),
    ("src/runtime/validate.rs", include_str!("../../runtime/validate.rs")),
    ("src/runtime/webhook.rs", include_str!("../../runtime/webhook.rs")),
];

/// The part of the runtime a crate of models alone needs (`[crate] types_only`).
const MODELS_RUNTIME: &[(&str, &str)] = &[
    ("src/runtime/invalid.rs", include_str!("../../runtime/invalid.rs")),
    ("src/runtime/mod.rs", include_str!("../../runtime/models_only.rs")),
    ("src/runtime/nullable.rs", include_str!("../../runtime/nullable.rs")),
    ("src/runtime/support.rs", include_str!("../../runtime/support.rs")),
    ("src/runtime/validate.rs", include_str!("../../runtime/validate.rs")),
    ("src/runtime/webhook.rs", include_str!("../../runtime/webhook.rs")),
];

/// CPU time spent building tokens and formatting them, summed over threads, and
/// the wall time of the whole (parallel) stage.
#[derive(Clone, Copy, Debug, Default)]
pub struct EmitTimings {
    pub emit: Duration,
    pub format: Duration,
    pub wall: Duration,
}

/// One file to produce. Tokens are not `Send`, so each file is emitted and formatted
/// on the thread that picks its job.
enum Job<'a> {
    Text(OutputFile),
    Group(&'a [String]),
    ModelsIndex(Vec<String>),
    Models(String, Vec<&'a TypeDef>),
    RedactionTests,
    ExampleTests(usize),
    TypesLib,
    Webhooks,
}

/// Stage 3: every file of the crate, emitted and formatted in parallel, sorted by path;
/// and how long that took.
pub fn emit(api: &Api) -> Result<(Vec<OutputFile>, EmitTimings)> {
    let started = Instant::now();
    let groups = client::Groups::new(api);
    let mut by_module: BTreeMap<String, Vec<&TypeDef>> = BTreeMap::new();
    for def in &api.types {
        by_module.entry(def.module()).or_default().push(def);
    }
    let mut jobs = vec![Job::Text(manifest::cargo_toml(api))];
    // A crate depending on `codegen-runtime` carries none of it.
    let runtime = match (api.krate.types_only, &api.krate.runtime) {
        (true, _) => MODELS_RUNTIME,
        (false, None) => RUNTIME,
        (false, Some(_)) => &[],
    };
    for (path, text) in runtime {
        jobs.push(Job::Text(OutputFile {
            path: (*path).to_owned(),
            contents: format!("{}\n{text}", file::header("//", &api.krate.source)),
        }));
    }
    jobs.push(Job::ModelsIndex(by_module.keys().cloned().collect()));
    jobs.extend(by_module.into_iter().map(|(module, names)| Job::Models(module, names)));
    if api.krate.types_only {
        jobs.push(Job::TypesLib);
    } else {
        jobs.extend(groups.paths().map(|p| Job::Group(p.as_slice())));
    }
    if webhooks::applies(api) {
        jobs.push(Job::Webhooks);
    }
    if redaction::applies(api) {
        jobs.push(Job::RedactionTests);
    }
    if examples::applies(api) {
        jobs.extend((0..=examples::parts(api)).map(Job::ExampleTests));
    }
    // Biggest first, so the threads finish together (the output order is fixed later).
    jobs.sort_by_key(|job| std::cmp::Reverse(cost(api, job)));

    let results = crate::parallel::map(&jobs, |job| -> Result<(Vec<OutputFile>, Duration, Duration)> {
        let started = Instant::now();
        let emitted = match job {
            Job::Text(file) => return Ok((vec![file.clone()], Duration::ZERO, Duration::ZERO)),
            Job::Group(path) => {
                let emitted = groups.emit(api, path)?;
                let emitted_at = Instant::now();
                let files = emitted
                    .into_iter()
                    .map(|e| file::format(e, &api.krate.source))
                    .collect::<Result<Vec<_>>>()?;
                return Ok((files, emitted_at - started, emitted_at.elapsed()));
            }
            Job::ModelsIndex(modules) => types::emit_models_index(modules)?,
            Job::Models(module, defs) => types::emit_models(api, module, defs)?,
            Job::ExampleTests(part) => examples::emit_example_tests(api, *part)?,
            Job::TypesLib => client::emit_types_lib(api)?,
            Job::Webhooks => webhooks::emit_webhooks(api)?,
            Job::RedactionTests => match redaction::emit_redaction_tests(api)? {
                Some(emitted) => emitted,
                None => {
                    return Err(crate::error::Error::Emit {
                        file: "src/redaction_tests.rs".to_owned(),
                        message: "no type with a sensitive field".to_owned(),
                    });
                }
            },
        };
        let emitted_at = Instant::now();
        let file = file::format(emitted, &api.krate.source)?;
        Ok((vec![file], emitted_at - started, emitted_at.elapsed()))
    });
    let mut timings = EmitTimings::default();
    let mut files = Vec::with_capacity(results.len());
    for result in results {
        let (emitted, emit, format) = result?;
        timings.emit += emit;
        timings.format += format;
        files.extend(emitted);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    timings.wall = started.elapsed();
    Ok((files, timings))
}

/// A rough size of a job's output, in fields and parameters.
fn cost(api: &Api, job: &Job<'_>) -> usize {
    match job {
        Job::Text(_) | Job::ModelsIndex(_) | Job::RedactionTests | Job::TypesLib => 0,
        Job::Webhooks => 4 * api.webhooks.list.len(),
        Job::ExampleTests(0) if examples::parts(api) > 0 => 0,
        Job::ExampleTests(_) => api.examples.len().min(examples::TESTS_PER_FILE),
        Job::Models(_, defs) => defs
            .iter()
            .map(|def| {
                8 + match &def.kind {
                    crate::ir::TypeKind::Struct(s) => 3 * s.fields.len(),
                    crate::ir::TypeKind::StringEnum(e) => 3 * e.variants.len(),
                    crate::ir::TypeKind::IntEnum(e) => 3 * e.variants.len(),
                    crate::ir::TypeKind::Union(u) => 2 * u.variants.len(),
                }
            })
            .sum(),
        Job::Group(path) => api
            .operations
            .iter()
            .filter(|op| op.group.as_slice() == *path)
            .map(|op| {
                let body = match &op.body {
                    Some(crate::ir::Body::Fields { fields, .. }) => fields.len(),
                    Some(crate::ir::Body::Form { fields, .. }) => fields.len(),
                    _ => 1,
                };
                20 + 4 * (op.params().count() + body)
            })
            .sum(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_runtime_source_is_copied_into_crates_that_carry_the_runtime() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime");
        let mut sources: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".rs") && name != "models_only.rs")
            .map(|name| format!("src/runtime/{name}"))
            .collect();
        sources.sort();
        let copied: Vec<&str> = super::RUNTIME.iter().map(|(path, _)| *path).collect();
        assert_eq!(sources, copied);
    }
}
