//! Tests of the generated client's optional features live in `tests/`. It is a crate of
//! its own so that `label-studio-client-tests` (and its benchmarks) build the client with
//! its default features. No library code: this file only compiles the README's examples
//! (with every feature on), so the README cannot drift from the client's API.

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
