//! Stage 2: lower an `openapiv3` document into the IR (`crate::ir`).
//!
//! Operations are picked by the config; the component schemas they reach are lowered
//! once each (a worklist), inline schemas are named after where they sit, and last,
//! every type learns whether it travels in requests, responses or both.

mod auth;
mod body;
mod cycles;
mod dedupe;
mod define;
mod derives;
mod examples;
mod field_state;
mod groups;
mod ids;
mod media;
mod names;
mod objects;
mod operation;
mod operation_id;
mod pagination;
mod placement;
mod refs;
mod resources;
mod response;
mod schema;
mod schema_ref;
mod shared_names;
mod skip;
mod stream;
mod unions;
mod webhooks;

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::OpenAPI;

use self::ids::{Api, Body, Example, Field, Operation, ProvisionalId, TypeDef, TypeRef, Webhooks};
use crate::config::Config;
use crate::error::{Error, Result, Warning};
use crate::ir::Crate;
use crate::load::Document;
use crate::naming::{self, Scope};
use crate::pointer::Pointer;

/// Lowers `doc` as `config` asks. Warnings are decisions the generator made on its own.
pub fn lower(doc: &Document, config: &Config) -> Result<(crate::ir::Api, Vec<Warning>)> {
    let (api, warnings) = lower_document(doc, config).map_err(|e| e.in_file(|p| doc.name(p)))?;
    let warnings = warnings
        .into_iter()
        .map(|w| match w.pointer.starts_with('#') {
            true => Warning {
                pointer: doc.name(&w.pointer),
                ..w
            },
            false => w,
        })
        .collect();
    Ok((api, warnings))
}

fn lower_document(doc: &Document, config: &Config) -> Result<(crate::ir::Api, Vec<Warning>)> {
    let mut skipped: BTreeMap<String, skip::Skipped> = BTreeMap::new();
    loop {
        let failures = match lower_pass(doc, config, &skipped)? {
            Pass::Done(api, warnings) => {
                let skips = skipped.iter().map(|(at, s)| s.warning(at));
                return Ok((*api, skips.chain(warnings).collect()));
            }
            Pass::Failed { failures, lowered } => (failures, lowered),
        };
        skipped.extend(skips_for(doc, failures)?);
    }
}

/// One pass over the document, leaving out `skipped`; thrown away if anything failed.
enum Pass {
    Done(Box<crate::ir::Api>, Vec<Warning>),
    Failed {
        failures: Vec<skip::Failure>,
        /// The operations this pass lowered, `(pointer, operationId)`.
        lowered: Vec<(String, String)>,
    },
}

/// Which operations the failures of a pass take out of the next one.
fn skips_for(
    doc: &Document,
    (failures, lowered): (Vec<skip::Failure>, Vec<(String, String)>),
) -> Result<Vec<(String, skip::Skipped)>> {
    let mut skips = Vec::new();
    let mut raw = None;
    for failure in failures {
        match failure {
            skip::Failure::Operation { at, id, error } => {
                let text = error.to_string();
                let why = text.strip_prefix(&format!("{at}: ")).unwrap_or(&text).to_owned();
                skips.push((at, skip::Skipped { id, why }));
            }
            skip::Failure::Component { name, error } => {
                let raw = raw.get_or_insert_with(|| serde_json::to_value(&doc.openapi).unwrap_or_default());
                let reached = skip::operations_reaching(raw, &name, &lowered);
                if reached.is_empty() {
                    return Err(error);
                }
                let why = format!("it uses the schema `{name}`, which cannot be generated: {error}");
                skips.extend(
                    reached
                        .into_iter()
                        .map(|(at, id)| (at, skip::Skipped { id, why: why.clone() })),
                );
            }
        }
    }
    Ok(skips)
}

fn lower_pass(doc: &Document, config: &Config, skipped: &BTreeMap<String, skip::Skipped>) -> Result<Pass> {
    let mut read_warnings = Vec::new();
    let described_webhooks = webhooks::read(&doc.openapi, &mut read_warnings);
    let mut lowerer = Lowerer::new(&doc.openapi, config, skipped)?;
    lowerer.warnings.extend(read_warnings);
    let mut operations = lowerer.lower_operations(!described_webhooks.is_empty())?;
    let origins: Vec<String> = operations.iter().map(|op| op.origin.clone()).collect();
    let groups: Vec<&str> = operations
        .iter()
        .filter_map(|op| op.group.first())
        .map(String::as_str)
        .collect();
    let (webhooks, webhooks_tried) = lowerer.lower_webhooks(&described_webhooks, &origins, &groups)?;
    // A models crate, or a description of components alone (a schema library), wants
    // every schema, not only those calls reach.
    if config.krate.types_only || doc.openapi.paths.paths.is_empty() {
        let all = doc
            .openapi
            .components
            .iter()
            .flat_map(|c| c.schemas.keys().rev().cloned());
        lowerer.pending_components.extend(all);
    }
    while let Some(component) = lowerer.pending_components.pop() {
        if lowerer.lowered_components.contains(&component) {
            continue;
        }
        if let Err(error) = lowerer.lower_component(&component) {
            lowerer.fail(skip::Failure::Component {
                name: component.clone(),
                error,
            })?;
        }
        lowerer.lowered_components.insert(component);
    }
    lowerer.check_late_defaults();
    if !lowerer.failures.is_empty() {
        let mut lowered: Vec<(String, String)> =
            operations.iter().map(|op| (op.origin.clone(), op.id.clone())).collect();
        lowered.dedup();
        lowered.extend(webhooks_tried);
        return Ok(Pass::Failed {
            failures: lowerer.failures,
            lowered,
        });
    }
    let auth = lowerer.lower_auth(&operations)?;
    for op in &mut operations {
        op.pagination = lowerer.pagination_of(op);
    }
    lowerer.box_cycles();
    lowerer.mark_usage(&operations, &webhooks);
    lowerer.order_unions();
    lowerer.warn_unused_renames();
    operations.sort_by(|a, b| (&a.group, &a.method_name).cmp(&(&b.group, &b.method_name)));

    // Without calls a client would be all unused runtime: the crate is its types.
    let types_only = config.krate.types_only || operations.is_empty();
    if types_only && !config.krate.types_only {
        let message = "no calls to generate: the crate holds the types alone, as with `[crate] types_only = true`";
        lowerer.warn(&Pointer::root().join("paths"), message.to_owned());
    }
    let info = &doc.openapi.info;
    let source = doc
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let api = Api {
        title: info.title.clone(),
        version: info.version.clone(),
        description: info.description.clone(),
        krate: Crate {
            name: config.krate.name.clone(),
            version: config.krate.version.clone(),
            description: config.krate.description.clone(),
            source,
            types_only,
            runtime: config.krate.runtime.as_ref().map(|r| r.pairs()),
            group_features: config.krate.group_features && !types_only,
        },
        auth,
        types: Vec::new(),
        groups: groups::group_tree(&operations),
        operations,
        examples: lowerer.examples.into_values().collect(),
        webhooks,
    };
    let mut api = ids::reindex(api, lowerer.types, &lowerer.type_ids)?;
    derives::close(&mut api.types);
    dedupe::mark_aliases(&mut api.types);
    let mut api = shared_names::name_shared_shapes(api, &mut lowerer.type_names)?;
    field_state::settle(&mut api.types);
    placement::place_types(&mut api.types, &api.operations, &api.webhooks);
    if api.krate.group_features {
        placement::gate_types(&mut api.types, &api.operations, &api.webhooks);
    }
    Ok(Pass::Done(Box::new(api), lowerer.warnings))
}

pub(crate) struct Lowerer<'a> {
    doc: &'a OpenAPI,
    config: &'a Config,
    /// Every type name handed out so far, components first so they keep their names.
    type_names: Scope,
    /// Component schema name → Rust name.
    component_names: BTreeMap<String, String>,
    renames_used: BTreeSet<String>,
    /// Keyed by Rust name, so output order is sorted and stable.
    types: BTreeMap<String, TypeDef>,
    /// Provisional type ids (in the order names were first referred to) → names; the
    /// final ids are positions in name order, set by [`reindex`].
    type_ids: Vec<String>,
    id_by_name: BTreeMap<String, ProvisionalId>,
    pending_components: Vec<String>,
    lowered_components: BTreeSet<String>,
    /// Components being inlined right now (aliases), to stop self-containing aliases.
    inlining: Vec<String>,
    /// `$ref`s into the middle of a schema, lowered once each.
    deep_refs: BTreeMap<String, schema::Lowered>,
    /// Named types made for inline schemas, by the pointer they were written at.
    inline_at: BTreeMap<String, schema::Lowered>,
    /// Lowering a call's twin (upload, stream): inline schemas already lowered are reused.
    reuse_inline_types: bool,
    /// Components whose lowering has started and not finished (for cycles).
    components_in_progress: BTreeSet<String>,
    /// Property names taken for secrets by the name rule alone (warned about once).
    secrets_by_name: BTreeSet<String>,
    warnings: Vec<Warning>,
    /// Operations left out of this pass (by pointer), and why.
    skipped: &'a BTreeMap<String, skip::Skipped>,
    /// What this pass could not lower; any makes it a failed pass.
    failures: Vec<skip::Failure>,
    /// Examples by where they sit (a schema inlined twice gives its examples once).
    examples: BTreeMap<String, Example>,
    /// Field defaults whose type was not lowered yet (components are lowered on
    /// demand): `(struct, wire name, where)`, checked once every type is.
    unchecked_defaults: Vec<(String, String, Pointer)>,
}

impl<'a> Lowerer<'a> {
    fn new(doc: &'a OpenAPI, config: &'a Config, skipped: &'a BTreeMap<String, skip::Skipped>) -> Result<Self> {
        let mut lowerer = Lowerer {
            doc,
            config,
            type_names: Scope::new(),
            component_names: BTreeMap::new(),
            renames_used: BTreeSet::new(),
            types: BTreeMap::new(),
            type_ids: Vec::new(),
            id_by_name: BTreeMap::new(),
            pending_components: Vec::new(),
            lowered_components: BTreeSet::new(),
            inlining: Vec::new(),
            deep_refs: BTreeMap::new(),
            inline_at: BTreeMap::new(),
            reuse_inline_types: false,
            components_in_progress: BTreeSet::new(),
            secrets_by_name: BTreeSet::new(),
            warnings: Vec::new(),
            skipped,
            failures: Vec::new(),
            examples: BTreeMap::new(),
            unchecked_defaults: Vec::new(),
        };
        for (raw, rust) in &config.types.rename {
            if !naming::is_valid_ident(rust) {
                return Err(config.error(format!("rename of `{raw}` to `{rust}`: not a valid Rust type name")));
            }
            if naming::is_prelude(rust) {
                return Err(config.error(format!(
                    "rename of `{raw}` to `{rust}`: that name is Rust's own `{rust}`, which the generated code uses"
                )));
            }
        }
        let components: Vec<String> = doc.components.iter().flat_map(|c| c.schemas.keys().cloned()).collect();
        for component in components {
            let candidate = naming::type_name(&component);
            let name = lowerer.claim_type_name(&component, &candidate);
            if naming::is_prelude(&candidate) && !config.types.rename.contains_key(&component) {
                let at = Pointer::root().join("components").join("schemas").join(&component);
                lowerer.warn(&at, prelude_warning(&candidate, &name));
            }
            lowerer.component_names.insert(component, name);
        }
        Ok(lowerer)
    }

    /// Records what could not be lowered, to skip it next pass; but operations the
    /// config names one by one were asked for, so their failure stops generation.
    fn fail(&mut self, failure: skip::Failure) -> Result<()> {
        if self.config.operations.ids().is_some() {
            return Err(match failure {
                skip::Failure::Operation { error, .. } | skip::Failure::Component { error, .. } => error,
            });
        }
        self.failures.push(failure);
        Ok(())
    }

    pub(super) fn warn(&mut self, at: &Pointer, message: String) {
        self.warnings.push(Warning {
            pointer: at.to_string(),
            message,
        });
    }

    fn component_type_name(&self, component: &str) -> String {
        self.component_names
            .get(component)
            .cloned()
            .unwrap_or_else(|| naming::type_name(component))
    }

    /// A fresh name for an inline schema; `hint` is its default name.
    fn new_type_name(&mut self, hint: &str, at: &Pointer) -> String {
        let candidate = naming::type_name(hint);
        let name = self.claim_type_name(&candidate, &candidate);
        if self.config.types.rename.contains_key(&candidate) {
            return name;
        }
        if naming::is_prelude(&candidate) {
            self.warn(at, prelude_warning(&candidate, &name));
        } else if name != candidate {
            self.warn(
                at,
                format!("the type name `{candidate}` is taken (by a schema of that name); this one is `{name}`"),
            );
        }
        name
    }

    /// Applies a configured rename for `key`, else claims `candidate` (suffixed if taken).
    fn claim_type_name(&mut self, key: &str, candidate: &str) -> String {
        if let Some(renamed) = self.config.types.rename.get(key) {
            self.renames_used.insert(key.to_owned());
            return self.type_names.claim(renamed);
        }
        self.type_names.claim(&naming::unshadowed(candidate))
    }

    fn insert_type(&mut self, def: TypeDef) {
        self.types.insert(def.name.clone(), def);
    }

    /// A reference to the named type (defined now or later).
    pub(super) fn named(&mut self, name: &str) -> TypeRef {
        if let Some(id) = self.id_by_name.get(name) {
            return TypeRef::Named(*id);
        }
        let id = ProvisionalId(self.type_ids.len());
        self.type_ids.push(name.to_owned());
        self.id_by_name.insert(name.to_owned(), id);
        TypeRef::Named(id)
    }

    pub(super) fn name_of(&self, id: ProvisionalId) -> &str {
        &self.type_ids[id.0]
    }

    /// The type a provisional id names, once it is defined.
    pub(super) fn def(&self, id: ProvisionalId) -> Option<&TypeDef> {
        self.types.get(self.name_of(id))
    }

    fn warn_unused_renames(&mut self) {
        let unused: Vec<String> = self
            .config
            .types
            .rename
            .keys()
            .filter(|k| !self.renames_used.contains(*k))
            .cloned()
            .collect();
        for key in unused {
            self.warnings.push(Warning {
                pointer: self.config.file.display().to_string(),
                message: format!("`[types.rename]` entry `{key}` matches no schema"),
            });
        }
    }

    /// Marks each type with the directions it travels in, following fields.
    /// Read-only fields never travel in requests, write-only ones never in responses.
    fn mark_usage(&mut self, operations: &[Operation], webhooks: &Webhooks) {
        let mut stack: Vec<(ProvisionalId, bool)> = Vec::new();
        // A webhook's payload is received.
        stack.extend(
            webhooks
                .list
                .iter()
                .filter_map(|w| w.payload.named())
                .map(|n| (n, false)),
        );
        for op in operations {
            match &op.body {
                Some(Body::Fields { type_id, .. }) => stack.push((*type_id, true)),
                Some(Body::Whole { ty, .. }) => stack.extend(ty.named().map(|n| (n, true))),
                Some(Body::Form { fields, .. }) => {
                    stack.extend(fields.iter().filter_map(|f| f.ty.named()).map(|n| (n, true)))
                }
                Some(Body::Raw { .. } | Body::Parts { .. }) | None => {}
            }
            if let Some(ty) = op.response.decoded_type() {
                stack.extend(ty.named().map(|n| (n, false)));
            }
            for error in &op.errors {
                stack.extend(error.body.iter().filter_map(TypeRef::named).map(|n| (n, false)));
            }
            for param in op.params() {
                stack.extend(param.ty.named().map(|n| (n, true)));
            }
        }
        while let Some((id, request)) = stack.pop() {
            let Some(def) = self.types.get_mut(&self.type_ids[id.0]) else {
                continue;
            };
            let flag = if request {
                &mut def.usage.request
            } else {
                &mut def.usage.response
            };
            if *flag {
                continue;
            }
            *flag = true;
            let travels = |f: &Field| if request { !f.read_only } else { !f.write_only };
            for (_, ty) in def.kind.refs().filter(|(field, _)| field.is_none_or(travels)) {
                stack.extend(ty.named().map(|n| (n, request)));
            }
        }
    }
}

/// An error for something in the description this generator cannot express.
fn unsupported(at: &Pointer, what: &str) -> Error {
    Error::Unsupported {
        pointer: at.to_string(),
        what: what.to_owned(),
    }
}

/// An error for a config entry naming something the description lacks, with a hint.
/// The warning for a type renamed so as not to shadow Rust's prelude.
fn prelude_warning(candidate: &str, name: &str) -> String {
    format!(
        "the type name `{candidate}` is Rust's own `{candidate}`, which the generated code uses; this one is \
         `{name}` (`[types] rename` can choose another)"
    )
}

fn unknown_operation(config: &Config, list: &str, id: &str, known: &[&str]) -> Error {
    let mut closest: Vec<(usize, &str)> = known.iter().map(|k| (edit_distance(id, k), *k)).collect();
    closest.sort();
    let hint = match closest.first() {
        Some((d, k)) if *d <= id.len() / 3 + 2 => format!("; did you mean `{k}`?"),
        _ => String::new(),
    };
    config.error(format!(
        "`[operations] {list}` names `{id}`, which is not an operationId in {}{hint}",
        config.schema.display()
    ))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
