//! The generated Label Studio client's hand-written tests (`tests/`), the replies they
//! decode (`tests/fixtures/`) and its benchmarks (`benches/`). Kept out of `generated/`,
//! which holds only what the generator writes. No library code; two programs
//! in `src/bin/`: `large_transfer` (the large-transfer test and the bench) and `soak`
//! (`cargo xtask soak`). (The README's examples
//! are compiled by `client-tests/features`, where the optional features are on.)
