//! Feature `blocking`: the small runtime each client owns for its blocking calls (see
//! `blocking.rs`), kept apart so that the client holds it without depending on the
//! blocking calls themselves.

use std::sync::OnceLock;

use super::error::Error;

/// The client's runtime, made on first use. Shut down without waiting when the last
/// clone of the client goes, so dropping a client inside async code cannot panic.
#[derive(Default)]
pub(crate) struct OwnRuntime(OnceLock<Result<tokio::runtime::Runtime, String>>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(Ok(runtime)) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl OwnRuntime {
    pub(super) fn get(&self) -> Result<&tokio::runtime::Runtime, Error> {
        let made = self.0.get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        });
        made.as_ref()
            .map_err(|e| Error::Config(format!("cannot start the blocking client's runtime: {e}")))
    }
}
