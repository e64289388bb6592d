//! House rules for the hand-written code, checked on every file rather than by review:
//! a function fits on a screen or two (at most 120 lines), so a newcomer can read it whole.

use std::path::{Path, PathBuf};

const MAX_LINES: usize = 120;

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
