//! Stage 3: IR → the files of a client crate. Reads only `crate::ir`.

mod builder;
mod call_docs;
mod checks;
mod client;
mod docs;
mod enums;
mod examples;
mod features;
mod file;
mod manifest;
mod mock;
mod plan;
mod redaction;
mod rust_type;
mod send;
mod types;
mod webhooks;

pub(crate) use file::has_header;
pub use file::OutputFile;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::ir::{Api, TypeDef};

/// The runtime's files a crate of models alone carries (`[crate] types_only`);
/// `models_only.rs` is its `mod.rs`.
const MODELS_RUNTIME: &[&str] = &[
    "invalid.rs",
    "models_only.rs",
    "nullable.rs",
    "support.rs",
    "validate.rs",
    "webhook.rs",
];

/// The hand-written runtime (client, auth, errors) a generated crate carries unless it
/// depends on the `openapi-typed-runtime` crate: that crate's own sources, copied
/// verbatim behind the generator's header, as `src/runtime/`.
fn runtime_files(types_only: bool) -> impl Iterator<Item = (String, &'static str)> {
    openapi_typed_runtime::SOURCES
        .iter()
        .filter(move |(name, _)| match types_only {
            true => MODELS_RUNTIME.contains(name),
            false => *name != "models_only.rs",
        })
        .map(move |(name, text)| {
            let name = if *name == "models_only.rs" { "mod.rs" } else { name };
            (format!("src/runtime/{name}"), *text)
        })
}

/// The features any of which compiles a models module: its types' together, or none
/// (always compiled) if one of them is ungated.
fn module_features(defs: &[&TypeDef]) -> Vec<String> {
    if defs.iter().any(|def| def.features.is_empty()) {
        return Vec::new();
    }
    let all: std::collections::BTreeSet<&String> = defs.iter().flat_map(|def| &def.features).collect();
    all.into_iter().cloned().collect()
}

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
    /// Each models module, with the features any of which compiles it (none: always).
    ModelsIndex(Vec<(String, Vec<String>)>),
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
    // A crate depending on `openapi-typed-runtime` carries none of it.
    let carries_runtime = api.krate.types_only || api.krate.runtime.is_none();
    for (path, text) in runtime_files(api.krate.types_only).filter(|_| carries_runtime) {
        jobs.push(Job::Text(OutputFile {
            path,
            contents: format!("{}\n{text}", file::header("//", &api.krate.source)),
        }));
    }
    let index = by_module
        .iter()
        .map(|(module, defs)| (module.clone(), module_features(defs)))
        .collect();
    jobs.push(Job::ModelsIndex(index));
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
    /// Every file of the runtime but the crate's own root goes into a crate that
    /// carries its runtime (the runtime crate's test checks its list is every file).
    #[test]
    fn every_runtime_source_is_copied_into_crates_that_carry_the_runtime() {
        let copied: Vec<String> = super::runtime_files(false).map(|(path, _)| path).collect();
        assert_eq!(copied.len(), openapi_typed_runtime::SOURCES.len() - 1);
        assert!(copied.contains(&"src/runtime/mod.rs".to_owned()));
        let models: Vec<String> = super::runtime_files(true).map(|(path, _)| path).collect();
        assert_eq!(models.len(), super::MODELS_RUNTIME.len());
        let mod_rs = super::runtime_files(true).find(|(path, _)| path == "src/runtime/mod.rs");
        assert_eq!(
            mod_rs.map(|(_, text)| text),
            openapi_typed_runtime::source("models_only.rs")
        );
    }
}
