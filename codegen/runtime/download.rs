//! A download read as it arrives (a call's `send_stream()`): its chunks, or straight to
//! a file or any `AsyncWrite`, never the whole body in memory.

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, HeaderMap};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::error::Error;
use super::stream::Chunks;

/// A reply's body as it arrives: a `Stream` of `Bytes` chunks, or written to a file
/// with [`save_to`](Self::save_to). A read error or a chunk later than the call's
/// timeout ends it with that error.
#[must_use = "a download does nothing unless read"]
pub struct ByteStream {
    chunks: Chunks,
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    /// Bytes given so far.
    read: u64,
}

impl ByteStream {
    pub(crate) fn new(chunks: Chunks, operation: &'static str, status: StatusCode, headers: HeaderMap) -> Self {
        ByteStream {
            chunks,
            operation,
            status,
            headers,
            read: 0,
        }
    }

    /// The next chunk, or `None` at the end (the same as `futures_util::StreamExt::next`,
    /// without importing it).
    pub async fn next(&mut self) -> Option<Result<Bytes, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The HTTP status of the reply (a success).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The reply's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body's length, when the server said it (`Content-Length`).
    pub fn content_length(&self) -> Option<u64> {
        let value = self.headers.get(CONTENT_LENGTH)?;
        value.to_str().ok()?.trim().parse().ok()
    }

    /// The operationId of the call.
    pub fn operation_id(&self) -> &str {
        self.operation
    }

    /// Writes the rest of the body to `out` (flushed at the end); gives the bytes written.
    pub async fn write_to<W: AsyncWrite + Unpin>(mut self, out: &mut W) -> Result<u64, Error> {
        let operation = self.operation;
        let written_to = |source| Error::Io {
            what: format!("writing the reply of `{operation}`"),
            source,
        };
        let mut written = 0;
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            out.write_all(&chunk).await.map_err(written_to)?;
            written += chunk.len() as u64;
        }
        out.flush().await.map_err(written_to)?;
        Ok(written)
    }

    /// Saves the body as the file `path`; gives its length. Written beside it under a
    /// temporary name and renamed once complete and on disk, so `path` never holds part
    /// of a download: on any error the temporary file is removed and `path` is as it was.
    pub async fn save_to(self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let path = path.as_ref();
        let partial = partial_name(path);
        let failed = |what: &str, source| Error::Io {
            what: format!("{what} {}", partial.display()),
            source,
        };
        let mut file = tokio::fs::File::create(&partial)
            .await
            .map_err(|e| failed("creating", e))?;
        let saved = async {
            let written = self.write_to(&mut file).await?;
            file.sync_all().await.map_err(|e| failed("writing", e))?;
            drop(file);
            tokio::fs::rename(&partial, path).await.map_err(|source| Error::Io {
                what: format!("renaming {} to {}", partial.display(), path.display()),
                source,
            })?;
            Ok(written)
        };
        let result = saved.await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&partial).await;
        }
        result
    }
}

/// `dir/.name.<random>.part` beside `path`: hidden, and unique so that two downloads to
/// one name do not write into each other.
fn partial_name(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let unique = super::support::random_u64();
    path.with_file_name(format!(".{name}.{unique:016x}.part"))
}

impl Stream for ByteStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.chunks.as_mut().poll_next(cx);
        if let Poll::Ready(Some(Ok(chunk))) = &next {
            self.read += chunk.len() as u64;
        }
        next
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The content may be private: how far it got, not what it holds.
        f.debug_struct("ByteStream")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("content_length", &self.content_length())
            .field("read", &self.read)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn download(chunks: Vec<Result<Bytes, Error>>) -> ByteStream {
        let chunks: Chunks = Box::pin(futures_util::stream::iter(chunks));
        ByteStream::new(chunks, "download", StatusCode::OK, HeaderMap::new())
    }

    fn failed() -> Error {
        Error::Timeout {
            method: "GET".to_owned(),
            path: "/file".to_owned(),
        }
    }

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(future)
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_saved_download_is_the_whole_body_and_nothing_else_is_left() {
        let dir = std::env::temp_dir().join(format!("download-ok-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let chunks = vec![Ok(Bytes::from_static(b"abc")), Ok(Bytes::from_static(b"def"))];
        let written = run(download(chunks).save_to(dir.join("out.bin"))).unwrap();
        assert_eq!(
            (written, std::fs::read(dir.join("out.bin")).unwrap()),
            (6, b"abcdef".to_vec())
        );
        assert_eq!(files_in(&dir), ["out.bin"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_download_that_fails_midway_leaves_the_old_file_and_no_partial_one() {
        let dir = std::env::temp_dir().join(format!("download-cut-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("out.bin"), b"previous").unwrap();
        let chunks = vec![Ok(Bytes::from_static(b"abc")), Err(failed())];
        let error = run(download(chunks).save_to(dir.join("out.bin"))).unwrap_err();
        assert!(matches!(error, Error::Timeout { .. }), "{error}");
        assert_eq!(std::fs::read(dir.join("out.bin")).unwrap(), b"previous");
        assert_eq!(files_in(&dir), ["out.bin"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_folder_that_cannot_be_written_is_an_io_error_naming_the_file() {
        let missing = std::env::temp_dir().join(format!("download-missing-{}", std::process::id()));
        let error = run(download(vec![]).save_to(missing.join("out.bin"))).unwrap_err();
        let Error::Io { what, .. } = &error else {
            panic!("expected an I/O error, got {error}")
        };
        assert!(what.contains("download-missing"), "{what}");
    }
}
