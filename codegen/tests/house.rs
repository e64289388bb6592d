//! House rules for the hand-written code, checked on every file rather than by review:
//! a function fits on a screen or two (at most 120 lines) and a file on a few (at most
//! 600), so a newcomer can read either whole; no two files of the generator use each
//! other, so each can be understood (and moved) from its imports down.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

const MAX_LINES: usize = 120;
const MAX_FILE_LINES: usize = 600;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// Every hand-written Rust file: the generator, its runtime and tests, the xtask, and the
/// generated client's tests. (`generated/` is the generator's, and held to other checks.)
fn hand_written_files() -> Vec<PathBuf> {
    let root = root();
    let mut files = Vec::new();
    let mut stack: Vec<PathBuf> = [
        "codegen/src",
        "codegen/runtime",
        "codegen/tests",
        "xtask/src",
        "client-tests",
    ]
    .iter()
    .map(|dir| root.join(dir))
    .collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// (name, first line, lines) of every function with a body, in impls, traits and inline modules too.
fn functions(items: &[syn::Item], found: &mut Vec<(String, usize, usize)>) {
    fn add(found: &mut Vec<(String, usize, usize)>, sig: &syn::Signature, block: &syn::Block) {
        let first = sig.fn_token.span.start().line;
        let last = block.brace_token.span.close().end().line;
        found.push((sig.ident.to_string(), first, last + 1 - first));
    }
    for item in items {
        match item {
            syn::Item::Fn(f) => add(found, &f.sig, &f.block),
            syn::Item::Impl(i) => {
                for item in &i.items {
                    if let syn::ImplItem::Fn(f) = item {
                        add(found, &f.sig, &f.block);
                    }
                }
            }
            syn::Item::Trait(t) => {
                for item in &t.items {
                    if let syn::TraitItem::Fn(syn::TraitItemFn {
                        sig,
                        default: Some(block),
                        ..
                    }) = item
                    {
                        add(found, sig, block);
                    }
                }
            }
            syn::Item::Mod(syn::ItemMod {
                content: Some((_, items)),
                ..
            }) => functions(items, found),
            _ => {}
        }
    }
}

#[test]
fn no_hand_written_function_is_longer_than_120_lines() {
    let files = hand_written_files();
    assert!(files.len() > 50, "found only {} files: is the walk right?", files.len());
    let mut too_long = Vec::new();
    let mut measured = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut found = Vec::new();
        functions(&parsed.items, &mut found);
        measured += found.len();
        for (name, line, lines) in found {
            if lines > MAX_LINES {
                let shown = file.strip_prefix(root()).unwrap_or(file);
                too_long.push(format!("{}:{line}: `{name}` has {lines} lines", shown.display()));
            }
        }
    }
    assert!(
        measured > 500,
        "measured only {measured} functions: is the parse right?"
    );
    assert!(
        too_long.is_empty(),
        "split these (at most {MAX_LINES} lines):\n{}",
        too_long.join("\n")
    );
}

#[test]
fn no_hand_written_file_is_longer_than_600_lines() {
    let files = hand_written_files();
    let too_long: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(file).unwrap().lines().count();
            let shown = file.strip_prefix(root()).unwrap_or(file).display().to_string();
            (lines > MAX_FILE_LINES).then(|| format!("{shown}: {lines} lines"))
        })
        .collect();
    assert!(files.len() > 50, "found only {} files: is the walk right?", files.len());
    assert!(
        too_long.is_empty(),
        "split these by concern (at most {MAX_FILE_LINES} lines):\n{}",
        too_long.join("\n")
    );
}

/// The module path of a file under `codegen/src` (`lower/names.rs` is `lower::names`,
/// `lower/mod.rs` is `lower`, `lib.rs` the crate).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// Every `a::b::c` path in `tokens` that starts at one of `roots`, with `use` groups
/// (`super::{a, b::c}`) spread out; `prefix` is the group's path so far.
fn paths_in(tokens: TokenStream, prefix: &[String], roots: &BTreeSet<String>, out: &mut Vec<Vec<String>>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        let is_sep = |at: usize| {
            matches!((tokens.get(at), tokens.get(at + 1)),
                (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                    if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':')
        };
        match &tokens[i] {
            TokenTree::Ident(first) if (!prefix.is_empty() || roots.contains(&first.to_string())) => {
                let mut path: Vec<String> = prefix.iter().cloned().chain([first.to_string()]).collect();
                i += 1;
                while is_sep(i) {
                    match tokens.get(i + 2) {
                        Some(TokenTree::Ident(next)) => path.push(next.to_string()),
                        Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                            paths_in(group.stream(), &path, roots, out);
                        }
                        _ => {}
                    }
                    i += 3;
                }
                out.push(path);
            }
            TokenTree::Group(group) => {
                paths_in(group.stream(), &[], roots, out);
                i += 1;
            }
            _ => i += 1,
        }
    }
}

/// For each file of `codegen/src`, the other files of it whose items it names, leaving
/// out its own ancestors' `mod.rs` (a child naming its parent's items is how Rust
/// modules nest, not a circle).
fn file_uses(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let files: Vec<PathBuf> = hand_written_files()
        .into_iter()
        .filter(|f| f.starts_with(src))
        .collect();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut uses = BTreeMap::new();
    for file in &files {
        let here = module_of(src, file);
        let is_dir_module = matches!(file.file_stem().and_then(|s| s.to_str()), Some("mod" | "lib"));
        let children: BTreeSet<String> = modules
            .iter()
            .filter(|m| m.len() == here.len() + 1 && m.starts_with(&here) && is_dir_module)
            .map(|m| m[here.len()].clone())
            .collect();
        let roots: BTreeSet<String> = ["crate", "super", "self"]
            .map(str::to_owned)
            .into_iter()
            .chain(children)
            .collect();
        let text = std::fs::read_to_string(file).unwrap();
        let tokens: TokenStream = text.parse().unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
        let mut paths = Vec::new();
        paths_in(tokens, &[], &roots, &mut paths);
        let mut targets = BTreeSet::new();
        for path in paths {
            let mut module = match path[0].as_str() {
                "crate" => Vec::new(),
                "super" | "self" => here.clone(),
                _ => [here.clone(), vec![path[0].clone()]].concat(),
            };
            let mut rest = path[1..].iter();
            if path[0] == "super" {
                module.pop();
            }
            for segment in rest.by_ref() {
                match segment.as_str() {
                    "super" => {
                        module.pop();
                    }
                    name => {
                        let deeper = [module.clone(), vec![name.to_owned()]].concat();
                        if !modules.contains(&deeper) {
                            break;
                        }
                        module = deeper;
                    }
                }
            }
            let ancestor = here.starts_with(&module) && module.len() < here.len();
            if module != here && !ancestor {
                targets.insert(module);
            }
        }
        uses.insert(here, targets);
    }
    uses
}

#[test]
fn no_two_files_of_the_generator_use_each_other() {
    let uses = file_uses(&root().join("codegen/src"));
    assert!(uses.len() > 40, "found only {} files: is the walk right?", uses.len());
    let edges: usize = uses.values().map(BTreeSet::len).sum();
    assert!(edges > 100, "found only {edges} uses between files: is the scan right?");
    // A circle shows as a path back to where it started; report each file's first one.
    let mut circles = BTreeSet::new();
    for start in uses.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in uses.get(&at).into_iter().flatten() {
                if next == start {
                    let mut circle: Vec<String> = trail.iter().map(|m| m.join("::")).collect();
                    let first = circle
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, m)| m.as_str())
                        .map_or(0, |(i, _)| i);
                    circle.rotate_left(first);
                    circles.insert(circle.join(" -> "));
                } else if seen.insert(next.clone()) {
                    stack.push((next.clone(), [trail.clone(), vec![next.clone()]].concat()));
                }
            }
        }
    }
    assert!(
        circles.is_empty(),
        "files of codegen/src that use each other (break each circle):\n{}",
        circles.into_iter().collect::<Vec<_>>().join("\n")
    );
}
