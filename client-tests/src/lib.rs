//! The generated Label Studio client's hand-written tests (`tests/`), the replies they
//! decode (`tests/fixtures/`) and its benchmarks (`benches/`). Kept out of `generated/`,
//! which holds only what the generator writes. No library code: this file only compiles
//! the README's examples, so the README cannot drift from the client's API.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
