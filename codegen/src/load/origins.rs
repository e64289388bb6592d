//! Where each piece of a bundled tree was written, so errors and warnings name the
//! file (and line) a problem is in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::parse::{is_json, position_of};
use crate::error::Error;
use crate::pointer::Pointer;

/// Where each piece came from, and the other files' texts (to find lines in).
pub(super) struct Sources {
    pub origins: Origins,
    pub(super) texts: BTreeMap<PathBuf, String>,
}

impl Sources {
    /// A structure error in the bundled tree, moved to the file (and, for a file other
    /// than the root, the line) it was written in.
    pub fn locate_error(&self, error: Error) -> Error {
        let Error::Structure { pointer, message, .. } = error else {
            return error;
        };
        let (file, pointer) = self.origins.locate(&pointer);
        let text = self.texts.get(&file);
        let position = text.and_then(|text| position_of(text, is_json(&file, text), &pointer));
        let (line, column) = position.unwrap_or((0, 0));
        Error::Structure {
            file,
            line,
            column,
            pointer: pointer.to_string(),
            message,
        }
    }
}

/// Where the pieces of a bundled tree were written: the root file, except below the
/// places listed (a pointer in the tree → a file and a pointer in it).
#[derive(Clone, Debug, Default)]
pub struct Origins {
    pub(super) root: PathBuf,
    pub(super) pieces: Vec<(String, PathBuf, String)>,
}

impl Origins {
    pub fn of(root: &Path) -> Origins {
        Origins {
            root: root.to_owned(),
            pieces: Vec::new(),
        }
    }

    /// The file and the pointer in it for `pointer` (`#/…`) in the bundled tree.
    pub fn locate(&self, pointer: &str) -> (PathBuf, Pointer) {
        let inside = |at: &str| pointer == at || pointer.strip_prefix(at).is_some_and(|r| r.starts_with('/'));
        let best = self
            .pieces
            .iter()
            .filter(|(at, _, _)| inside(at))
            .max_by_key(|(at, _, _)| at.len());
        match best {
            Some((at, file, there)) => {
                let rest = &pointer[at.len()..];
                (
                    file.clone(),
                    Pointer::from_ref(&format!("#{there}{rest}")).unwrap_or_default(),
                )
            }
            None => (self.root.clone(), Pointer::from_ref(pointer).unwrap_or_default()),
        }
    }

    /// `file#/pointer` for a pointer in the bundled tree.
    pub fn name(&self, pointer: &str) -> String {
        if !pointer.starts_with('#') {
            return format!("{}{pointer}", self.root.display());
        }
        let (file, pointer) = self.locate(pointer);
        format!("{}{pointer}", file.display())
    }
}
