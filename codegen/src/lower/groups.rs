//! The call tree: which groups hold which calls and child groups, and each group's
//! handle type (`client.import_storage().s3()` returns an `S3Api`).

use std::collections::BTreeMap;

use crate::ir::{Group, Operation};
use crate::naming;

/// Every group on the way to a call, from the root (the empty path) down, with its
/// calls (by index into `operations`) and child groups in the order calls meet them.
pub(super) fn group_tree<I>(operations: &[Operation<I>]) -> BTreeMap<Vec<String>, Group> {
    let mut tree: BTreeMap<Vec<String>, Group> = BTreeMap::new();
    tree.entry(Vec::new()).or_default();
    for (index, op) in operations.iter().enumerate() {
        for depth in 1..=op.group.len() {
            let segment = &op.group[depth - 1];
            let parent = tree.entry(op.group[..depth - 1].to_vec()).or_default();
            if !parent.children.contains(segment) {
                parent.children.push(segment.clone());
            }
            tree.entry(op.group[..depth].to_vec()).or_insert_with(|| Group {
                // The only type of a group's module besides its builders, which
                // `names::name_builders` keeps clear of this name.
                handle: naming::handle_name(segment),
                ..Group::default()
            });
        }
        tree.entry(op.group.clone()).or_default().operations.push(index);
    }
    tree
}
