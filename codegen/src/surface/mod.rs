//! What a generated crate offers its callers — operations with their arguments, setters
//! and reply types; models with their fields and variants — read back from the Rust
//! files, so the crate on disk and a fresh generation compare the same way
//! ([`diff`] says what changed and whether a caller's code still compiles).

mod diff;

use std::collections::BTreeMap;

use quote::ToTokens;

pub use diff::{Change, Changes, Kind, diff};

use crate::emit::OutputFile;

/// The public API of one generated crate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Surface {
    /// By operationId.
    pub operations: BTreeMap<String, Operation>,
    /// By type name (all models live in `crate::models`).
    pub types: BTreeMap<String, Type>,
}

/// One operation as a caller writes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Operation {
    /// `client.import_storage().s3().update(id: i64)`.
    pub call: String,
    /// `PATCH /api/storages/s3/{id}`.
    pub endpoint: String,
    /// Setter name → its argument's type.
    pub setters: BTreeMap<String, String>,
    /// What `send()` gives.
    pub reply: String,
}

/// One model type.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Struct {
        /// Field name → type.
        fields: BTreeMap<String, String>,
        /// Serialized, so callers build it (a new field breaks their struct literals).
        sent: bool,
    },
    Enum {
        /// Variant → its payload type (empty for a unit variant).
        variants: BTreeMap<String, String>,
        /// `#[non_exhaustive]`: callers' matches already have a `_` arm.
        non_exhaustive: bool,
    },
    Alias(String),
}

impl Surface {
    /// Reads the surface of a generated crate's files (its `src/` paths; the runtime and
    /// generated tests are left out: they are the same for every API).
    pub fn of_files<'a>(files: impl IntoIterator<Item = &'a OutputFile>) -> crate::Result<Surface> {
        let mut surface = Surface::default();
        for file in files {
            let Some(module) = api_module(&file.path) else {
                continue;
            };
            let syntax = syn::parse_file(&file.contents).map_err(|e| crate::Error::Config {
                file: file.path.clone().into(),
                message: format!("cannot read it as Rust to compare APIs: {e}"),
            })?;
            if module.first().map(String::as_str) == Some("models") {
                read_types(&syntax, &mut surface.types);
            } else {
                read_groups(&syntax, &module, &mut surface.operations);
            }
        }
        Ok(surface)
    }

    /// Reads the surface of the crate written at `dir` (its generated `src/**/*.rs`).
    pub fn of_dir(dir: &std::path::Path) -> crate::Result<Surface> {
        let mut files = Vec::new();
        for path in crate::output::scan(dir)?
            .generated
            .into_iter()
            .filter(|p| p.ends_with(".rs"))
        {
            let full = dir.join(&path);
            let contents = std::fs::read_to_string(&full).map_err(|source| crate::Error::Io { path: full, source })?;
            files.push(OutputFile { path, contents });
        }
        Surface::of_files(&files)
    }
}

/// `src/import_storage/s3.rs` → `["import_storage", "s3"]`; `None` for files without API
/// of their own (runtime, crate root, generated tests).
fn api_module(path: &str) -> Option<Vec<String>> {
    let inner = path.strip_prefix("src/")?.strip_suffix(".rs")?;
    let mut parts: Vec<String> = inner.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    let skipped = ["runtime", "lib", "example_tests", "redaction_tests"];
    match parts.first() {
        None => None,
        Some(first) if skipped.contains(&first.as_str()) => None,
        Some(_) => Some(parts),
    }
}

/// Tokens as a reader writes them: `Option<Vec<String>>`, not `Option < Vec < String > >`.
fn text(tokens: &impl ToTokens) -> String {
    let raw = tokens.to_token_stream().to_string();
    let mut out = raw;
    for (from, to) in [
        (" < ", "<"),
        ("< ", "<"),
        (" <", "<"),
        (" >", ">"),
        (" ,", ","),
        (" :: ", "::"),
        (":: ", "::"),
        ("& ", "&"),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (",>", ">"),
    ] {
        out = out.replace(from, to);
    }
    out
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn has_attr_word(attrs: &[syn::Attribute], word: &str) -> bool {
    attrs.iter().any(|a| a.to_token_stream().to_string().contains(word))
}

/// Every `pub struct`, `pub enum` and `pub type` of a models file.
fn read_types(file: &syn::File, types: &mut BTreeMap<String, Type>) {
    for item in &file.items {
        match item {
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                let fields = s
                    .fields
                    .iter()
                    .filter(|f| is_pub(&f.vis))
                    .filter_map(|f| Some((f.ident.as_ref()?.to_string(), text(&f.ty))))
                    .collect();
                // Serialize derived unconditionally (not only under `roundtrip`).
                let sent = s.attrs.iter().any(|a| {
                    let t = a.to_token_stream().to_string();
                    t.starts_with("# [derive") && t.contains("Serialize")
                });
                types.insert(s.ident.to_string(), Type::Struct { fields, sent });
            }
            syn::Item::Enum(e) if is_pub(&e.vis) => {
                let variants = e
                    .variants
                    .iter()
                    .map(|v| (v.ident.to_string(), variant_payload(&v.fields)))
                    .collect();
                let non_exhaustive = has_attr_word(&e.attrs, "non_exhaustive");
                types.insert(
                    e.ident.to_string(),
                    Type::Enum {
                        variants,
                        non_exhaustive,
                    },
                );
            }
            syn::Item::Type(t) if is_pub(&t.vis) => {
                types.insert(t.ident.to_string(), Type::Alias(text(&t.ty)));
            }
            _ => {}
        }
    }
}

fn variant_payload(fields: &syn::Fields) -> String {
    match fields {
        syn::Fields::Unit => String::new(),
        syn::Fields::Unnamed(f) => f.unnamed.iter().map(|f| text(&f.ty)).collect::<Vec<_>>().join(", "),
        syn::Fields::Named(f) => f
            .named
            .iter()
            .map(|f| {
                format!(
                    "{}: {}",
                    f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default(),
                    text(&f.ty)
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A group's methods (one per operation, named by the request their builder sends)
/// with the setters and reply of the builder each returns (in the same file).
fn read_groups(file: &syn::File, module: &[String], operations: &mut BTreeMap<String, Operation>) {
    let impls: Vec<&syn::ItemImpl> = file
        .items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Impl(i) if i.trait_.is_none() => Some(i),
            _ => None,
        })
        .collect();
    let mut calls = Vec::new();
    for group in impls.iter().filter(|i| text(&i.self_ty).ends_with("Api")) {
        for method in methods(group) {
            let builder = match &method.sig.output {
                syn::ReturnType::Type(_, ty) => text(ty),
                syn::ReturnType::Default => continue,
            };
            let found = impls.iter().find(|i| text(&i.self_ty) == builder);
            // Crates generated before the spec named its operation have only the doc line.
            let Some((endpoint, op_id)) = found
                .and_then(|b| request_spec(b))
                .or_else(|| operation_doc(&method.attrs))
            else {
                continue;
            };
            let args: Vec<String> = method
                .sig
                .inputs
                .iter()
                .filter_map(|a| match a {
                    syn::FnArg::Typed(p) => Some(format!("{}: {}", text(&p.pat), text(&p.ty))),
                    syn::FnArg::Receiver(_) => None,
                })
                .collect();
            let chain: String = module.iter().map(|m| format!(".{m}()")).collect();
            let call = format!("client{chain}.{}({})", method.sig.ident, args.join(", "));
            let mut op = Operation {
                call,
                endpoint,
                ..Operation::default()
            };
            if let Some(found) = found {
                fill_builder(&mut op, found);
            }
            calls.push((op_id, method.sig.ident.to_string(), op));
        }
    }
    // An operation's twins (`create_upload`, `create_stream`) share its id: the call
    // with the shortest name keeps the id, each twin is `id (method)`.
    calls.sort_by_key(|(id, method, _)| (id.clone(), method.len(), method.clone()));
    let mut previous: Option<String> = None;
    for (op_id, method, op) in calls {
        let key = match previous.as_deref() == Some(op_id.as_str()) {
            true => format!("{op_id} ({method})"),
            false => op_id.clone(),
        };
        previous = Some(op_id);
        operations.insert(key, op);
    }
}

fn methods(block: &syn::ItemImpl) -> impl Iterator<Item = &syn::ImplItemFn> {
    block.items.iter().filter_map(|item| match item {
        syn::ImplItem::Fn(f) if is_pub(&f.vis) => Some(f),
        _ => None,
    })
}

/// The endpoint (`PATCH /api/x/{id}`) and operation id a builder's `request()` puts in
/// its `RequestSpec`: read from the code the call runs, not from its docs.
fn request_spec(builder: &syn::ItemImpl) -> Option<(String, String)> {
    let request = builder.items.iter().find_map(|item| match item {
        syn::ImplItem::Fn(f) if f.sig.ident == "request" => Some(f),
        _ => None,
    })?;
    request.block.stmts.iter().find_map(|stmt| {
        let syn::Stmt::Local(local) = stmt else { return None };
        let syn::Expr::Struct(spec) = &*local.init.as_ref()?.expr else {
            return None;
        };
        if spec.path.segments.last()?.ident != "RequestSpec" {
            return None;
        }
        let field = |name: &str| {
            let field = spec
                .fields
                .iter()
                .find(|f| matches!(&f.member, syn::Member::Named(i) if i == name))?;
            Some(&field.expr)
        };
        let method = match field("method")? {
            syn::Expr::Path(p) => p.path.segments.last()?.ident.to_string(),
            _ => return None,
        };
        let endpoint = format!("{method} {}", string_literal(field("template")?)?);
        Some((endpoint, string_literal(field("operation")?)?))
    })
}

fn string_literal(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s), ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// From "`PATCH /api/x/{id}` (operation `x_update`)." in a doc comment.
fn operation_doc(attrs: &[syn::Attribute]) -> Option<(String, String)> {
    attrs.iter().find_map(|attr| {
        let syn::Meta::NameValue(nv) = &attr.meta else {
            return None;
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s), ..
        }) = &nv.value
        else {
            return None;
        };
        let line = s.value();
        let (endpoint, rest) = line.trim().strip_prefix('`')?.split_once("` (operation `")?;
        let op_id = rest.split_once('`')?.0;
        Some((endpoint.to_owned(), op_id.to_owned()))
    })
}

/// The builder's setters and `send`'s reply type.
fn fill_builder(op: &mut Operation, builder: &syn::ItemImpl) {
    for method in methods(builder) {
        let name = method.sig.ident.to_string();
        if name == "send" {
            op.reply = reply_type(&method.sig.output);
        }
        if crate::naming::BUILDER_METHODS.contains(&name.as_str()) {
            continue;
        }
        let arg = method.sig.inputs.iter().find_map(|a| match a {
            syn::FnArg::Typed(p) => Some(text(&p.ty)),
            syn::FnArg::Receiver(_) => None,
        });
        op.setters.insert(name, arg.unwrap_or_default());
    }
}

/// `impl Future<Output = Result<T, crate::Error>>` → `T`.
fn reply_type(output: &syn::ReturnType) -> String {
    let full = match output {
        syn::ReturnType::Type(_, ty) => text(ty),
        syn::ReturnType::Default => return "()".to_owned(),
    };
    full.split_once("Output = Result<")
        .and_then(|(_, rest)| rest.rsplit_once(", crate::Error>"))
        .map(|(reply, _)| reply.to_owned())
        .unwrap_or(full)
}

/// The surface `config` generates from `description` in place of its own `schema`
/// (same overlays, names and secrets), with the generator's warnings.
pub fn of_description(
    config: &crate::Config,
    description: &std::path::Path,
) -> crate::Result<(Surface, Vec<crate::Warning>)> {
    let mut config = config.clone();
    config.schema = std::path::absolute(description).map_err(|e| crate::Error::Io {
        path: description.to_owned(),
        source: e,
    })?;
    let doc = crate::load_document(&config)?;
    let generated = crate::generate_from(&doc, &config)?;
    Ok((Surface::of_files(&generated.files)?, generated.warnings))
}
