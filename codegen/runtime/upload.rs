//! What a request sends that may be too large to hold: a file read as it is sent, or
//! a stream, beside bytes in memory; and the HTTP body that sends them in order.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use tokio::io::{AsyncRead, ReadBuf};

use super::error::Error;

/// A stream of an upload's chunks.
type Chunks = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// Content to send: bytes in memory, a file (read as it is sent, never loaded whole),
/// or a stream of chunks (sent once: a call sending one is not retried).
#[derive(Clone)]
pub struct Upload {
    source: Source,
}

#[derive(Clone)]
enum Source {
    Bytes(Bytes),
    File {
        path: PathBuf,
        len: u64,
    },
    /// Shared so the upload stays `Clone`; taken by the first try that sends it.
    Stream {
        len: Option<u64>,
        chunks: Arc<Mutex<Option<Chunks>>>,
    },
}

impl Upload {
    /// Bytes in memory (a `Vec<u8>`, a `String` or `Bytes` also convert with `into()`).
    pub fn bytes(bytes: impl Into<Bytes>) -> Upload {
        Upload {
            source: Source::Bytes(bytes.into()),
        }
    }

    /// The file at `path`, read as the request is sent (each try reads it again). Its
    /// length is taken now and sent as `Content-Length`; a file that then changes
    /// length fails the call rather than sending something else.
    pub fn file(path: impl Into<PathBuf>) -> Result<Upload, Error> {
        let path = path.into();
        let metadata = std::fs::metadata(&path).map_err(|source| Error::Io {
            what: format!("reading {}", path.display()),
            source,
        })?;
        if !metadata.is_file() {
            return Err(Error::Io {
                what: format!("reading {}", path.display()),
                source: io::Error::new(io::ErrorKind::InvalidInput, "not a file"),
            });
        }
        let len = metadata.len();
        Ok(Upload {
            source: Source::File { path, len },
        })
    }

    /// A stream of chunks, sent as they come; `len`, if known, is sent as
    /// `Content-Length` (some servers refuse a body without one). A stream can be
    /// sent only once, so a call sending one is never retried.
    pub fn stream(len: Option<u64>, chunks: impl Stream<Item = io::Result<Bytes>> + Send + 'static) -> Upload {
        Upload {
            source: Source::Stream {
                len,
                chunks: Arc::new(Mutex::new(Some(Box::pin(chunks)))),
            },
        }
    }

    /// The length in bytes, if known.
    pub fn len(&self) -> Option<u64> {
        match &self.source {
            Source::Bytes(bytes) => Some(bytes.len() as u64),
            Source::File { len, .. } => Some(*len),
            Source::Stream { len, .. } => *len,
        }
    }

    /// No content at all (known to be empty).
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The content, if it is in memory.
    pub fn in_memory(&self) -> Option<&Bytes> {
        match &self.source {
            Source::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The file's name, for an upload from a file.
    pub(crate) fn file_name(&self) -> Option<String> {
        match &self.source {
            Source::File { path, .. } => Some(path.file_name()?.to_string_lossy().into_owned()),
            _ => None,
        }
    }
}

impl From<Vec<u8>> for Upload {
    fn from(bytes: Vec<u8>) -> Upload {
        Upload::bytes(bytes)
    }
}

impl From<Bytes> for Upload {
    fn from(bytes: Bytes) -> Upload {
        Upload::bytes(bytes)
    }
}

impl From<&'static [u8]> for Upload {
    fn from(bytes: &'static [u8]) -> Upload {
        Upload::bytes(bytes)
    }
}

impl From<String> for Upload {
    fn from(text: String) -> Upload {
        Upload::bytes(text)
    }
}

impl PartialEq for Upload {
    /// Bytes by content, files by path and length, streams only with themselves.
    fn eq(&self, other: &Upload) -> bool {
        match (&self.source, &other.source) {
            (Source::Bytes(a), Source::Bytes(b)) => a == b,
            (Source::File { path: a, len: m }, Source::File { path: b, len: n }) => a == b && m == n,
            (Source::Stream { chunks: a, .. }, Source::Stream { chunks: b, .. }) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for Upload {}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The content may be large or private: where it comes from and its size only.
        match &self.source {
            Source::Bytes(bytes) => write!(f, "Upload(bytes, len: {})", bytes.len()),
            Source::File { path, len } => write!(f, "Upload(file {}, len: {len})", path.display()),
            Source::Stream { len, .. } => write!(f, "Upload(stream, len: {len:?})"),
        }
    }
}

/// Part of a request body: bytes, or an upload read as it is sent.
#[derive(Clone)]
pub(crate) enum Piece {
    Bytes(Bytes),
    Upload(Upload),
}

/// The HTTP body of one try: the pieces in order, files opened and streams taken now,
/// so a missing file fails before anything is sent.
pub(crate) fn http_body(pieces: &[Piece]) -> Result<reqwest::Body, Error> {
    let mut open = VecDeque::new();
    let mut len = Some(0u64);
    for piece in pieces {
        let (reading, piece_len) = match piece {
            Piece::Bytes(bytes) => (Reading::Bytes(bytes.clone()), Some(bytes.len() as u64)),
            Piece::Upload(upload) => (opened(upload)?, upload.len()),
        };
        len = len.zip(piece_len).map(|(a, b)| a + b);
        open.push_back(reading);
    }
    Ok(reqwest::Body::wrap(PiecesBody { open, len }))
}

fn opened(upload: &Upload) -> Result<Reading, Error> {
    match &upload.source {
        Source::Bytes(bytes) => Ok(Reading::Bytes(bytes.clone())),
        Source::File { path, len } => {
            let file = std::fs::File::open(path).map_err(|source| Error::Io {
                what: format!("reading {}", path.display()),
                source,
            })?;
            Ok(Reading::File(FileReading {
                file: tokio::fs::File::from_std(file),
                path: path.clone(),
                left: *len,
            }))
        }
        Source::Stream { chunks, .. } => {
            let taken = chunks.lock().map(|mut chunks| chunks.take()).ok().flatten();
            let chunks = taken.ok_or_else(|| Error::Io {
                what: "sending an upload's stream".to_owned(),
                source: io::Error::other("the stream was sent already: a stream can be sent once"),
            })?;
            Ok(Reading::Stream(Mutex::new(chunks)))
        }
    }
}

/// Whether every try can send the pieces again (no stream among them).
pub(crate) fn repeatable(pieces: &[Piece]) -> bool {
    pieces.iter().all(|piece| match piece {
        Piece::Upload(upload) => !matches!(upload.source, Source::Stream { .. }),
        Piece::Bytes(_) => true,
    })
}

/// The file as much of the upload as read so far.
struct FileReading {
    file: tokio::fs::File,
    path: PathBuf,
    /// Bytes still to send: the length the upload was made with.
    left: u64,
}

enum Reading {
    Bytes(Bytes),
    File(FileReading),
    /// A `Mutex` only to be `Sync` (as reqwest asks of a body); never contended.
    Stream(Mutex<Chunks>),
}

/// The pieces as one body; `len` is its exact length when every piece's is known
/// (hyper sends it as `Content-Length`, else the body goes chunked).
struct PiecesBody {
    open: VecDeque<Reading>,
    len: Option<u64>,
}

/// How much of a file one chunk reads.
const CHUNK: usize = 64 * 1024;

impl http_body::Body for PiecesBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, io::Error>>> {
        loop {
            let Some(front) = self.open.front_mut() else {
                return Poll::Ready(None);
            };
            let next = match front {
                Reading::Bytes(bytes) => Poll::Ready(Some(Ok(std::mem::take(bytes)))),
                Reading::File(file) => poll_file(file, cx),
                Reading::Stream(chunks) => match chunks.get_mut() {
                    Ok(chunks) => chunks.as_mut().poll_next(cx).map_err(|error| {
                        io::Error::new(error.kind(), UploadFailure(format!("the upload's stream: {error}")))
                    }),
                    Err(_) => Poll::Ready(Some(Err(io::Error::other(UploadFailure(
                        "the upload's stream panicked".to_owned(),
                    ))))),
                },
            };
            match next {
                Poll::Ready(Some(Ok(chunk))) if !chunk.is_empty() => {
                    return Poll::Ready(Some(Ok(http_body::Frame::data(chunk))));
                }
                Poll::Ready(Some(Ok(_))) if !matches!(front, Reading::Bytes(_)) => continue,
                Poll::Ready(Some(Ok(_))) | Poll::Ready(None) => {
                    self.open.pop_front();
                }
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.len {
            Some(len) => http_body::SizeHint::with_exact(len),
            None => http_body::SizeHint::default(),
        }
    }
}

/// The next chunk of a file, at most what is left of its length: `None` at the end. A
/// file shorter than it was is an error; anything past its length is not sent.
fn poll_file(reading: &mut FileReading, cx: &mut Context<'_>) -> Poll<Option<io::Result<Bytes>>> {
    if reading.left == 0 {
        return Poll::Ready(None);
    }
    let size = CHUNK.min(usize::try_from(reading.left).unwrap_or(CHUNK));
    let mut buffer = vec![0u8; size];
    let mut filled = ReadBuf::new(&mut buffer);
    match Pin::new(&mut reading.file).poll_read(cx, &mut filled) {
        Poll::Pending => Poll::Pending,
        Poll::Ready(Err(error)) => Poll::Ready(Some(Err(with_path(&reading.path, error)))),
        Poll::Ready(Ok(())) => {
            let read = filled.filled().len();
            if read == 0 {
                let shorter = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the file is shorter than when the upload was made",
                );
                return Poll::Ready(Some(Err(with_path(&reading.path, shorter))));
            }
            reading.left -= read as u64;
            buffer.truncate(read);
            Poll::Ready(Some(Ok(Bytes::from(buffer))))
        }
    }
}

fn with_path(path: &Path, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), UploadFailure(format!("{}: {error}", path.display())))
}

/// Why reading an upload failed, told apart from the connection's own I/O errors.
#[derive(Debug)]
struct UploadFailure(String);

impl fmt::Display for UploadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UploadFailure {}

/// The upload's own failure inside a request's error (a file that shrank or could not
/// be read, a caller's stream that failed), if that is what ended the request.
pub(crate) fn failure_in(error: &reqwest::Error) -> Option<io::Error> {
    let mut cause = std::error::Error::source(error);
    while let Some(error) = cause {
        if let Some(io) = error.downcast_ref::<io::Error>()
            && let Some(failure) = io.get_ref().and_then(|inner| inner.downcast_ref::<UploadFailure>())
        {
            return Some(io::Error::new(io.kind(), failure.0.clone()));
        }
        cause = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(future)
    }

    fn temp_file(name: &str, content: &[u8]) -> PathBuf {
        let path = std::env::temp_dir().join(format!("upload-{name}-{}", std::process::id()));
        std::fs::write(&path, content).unwrap();
        path
    }

    async fn collected(body: reqwest::Body) -> Result<Vec<u8>, String> {
        let mut body = std::pin::pin!(body);
        let mut all = Vec::new();
        while let Some(frame) = std::future::poll_fn(|cx| http_body::Body::poll_frame(body.as_mut(), cx)).await {
            let frame = frame.map_err(|e| {
                let cause = std::error::Error::source(&e).map(|c| c.to_string());
                format!("{e}: {}", cause.unwrap_or_default())
            })?;
            if let Ok(data) = frame.into_data() {
                all.extend_from_slice(&data);
            }
        }
        Ok(all)
    }

    #[test]
    fn pieces_are_sent_in_order_with_their_exact_length() {
        let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let path = temp_file("order", &content);
        let pieces = [
            Piece::Bytes(Bytes::from_static(b"head-")),
            Piece::Upload(Upload::file(&path).unwrap()),
            Piece::Bytes(Bytes::from_static(b"-tail")),
        ];
        let body = http_body(&pieces).unwrap();
        assert_eq!(http_body::Body::size_hint(&body).exact(), Some(200_010));
        let sent = run(collected(body)).unwrap();
        let mut expected = b"head-".to_vec();
        expected.extend(&content);
        expected.extend(b"-tail");
        assert!(sent == expected, "the body differs from its pieces");
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn a_file_that_shrank_fails_the_body_instead_of_sending_less() {
        let path = temp_file("shrank", b"0123456789");
        let pieces = [Piece::Upload(Upload::file(&path).unwrap())];
        std::fs::write(&path, b"01234").unwrap();
        let error = run(collected(http_body(&pieces).unwrap())).unwrap_err();
        assert!(error.contains("shorter") && error.contains("upload-shrank"), "{error}");
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let Err(Error::Io { what, .. }) = Upload::file("/no/such/upload.bin") else {
            panic!("expected an I/O error")
        };
        assert!(what.contains("/no/such/upload.bin"), "{what}");
    }

    #[test]
    fn a_stream_is_sent_once_and_makes_its_body_unrepeatable() {
        let chunks = futures_util::stream::iter([Ok(Bytes::from_static(b"ab")), Ok(Bytes::from_static(b"c"))]);
        let pieces = [Piece::Upload(Upload::stream(None, chunks))];
        assert!(!repeatable(&pieces));
        let body = http_body(&pieces).unwrap();
        assert_eq!(http_body::Body::size_hint(&body).exact(), None);
        assert_eq!(run(collected(body)).unwrap(), b"abc");
        assert!(matches!(http_body(&pieces), Err(Error::Io { .. })));
    }
}
