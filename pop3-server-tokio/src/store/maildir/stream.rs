//! Reading a message file for RETR: small ones whole, large ones in big
//! chunks, each read on the blocking pool while the one before is sent.
//!
//! A trip to the blocking pool costs two thread wake-ups, far more than
//! reading a few hundred kilobytes from the page cache, so the number of
//! trips is what matters: one for a message up to [`CHUNK`], and one per
//! [`CHUNK`] for larger ones, started as soon as the previous chunk is
//! handed over so that reading overlaps sending. A session holds at most
//! two chunks.

use std::fs::File;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, ReadBuf};
use tokio::task::JoinHandle;

use crate::store::serve_buffered;

/// Octets read from the file per trip to the blocking pool.
pub(super) const CHUNK: usize = 128 * 1024;

/// Reads up to [`CHUNK`] octets from the file's position into `buf`
/// (emptied first; its memory is reused, and never zero-filled). Fewer
/// than [`CHUNK`] means the file ended. A `buf` with the capacity for
/// what is left, or for a chunk, takes one `read` (and one more to see
/// the end).
pub(super) fn read_chunk(file: &File, mut buf: Vec<u8>) -> io::Result<Vec<u8>> {
    buf.clear();
    file.take(CHUNK as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// A message file being streamed, one chunk read ahead.
pub(super) struct Chunked {
    file: Arc<File>,
    /// The chunk being handed out, and how much of it has been.
    chunk: Vec<u8>,
    at: usize,
    /// The read of the next chunk, if the file may go on.
    next: Option<JoinHandle<io::Result<Vec<u8>>>>,
}

impl Chunked {
    /// Streams `file` from `first`, a full chunk just read from it; starts
    /// reading the next. Must be called within the runtime.
    pub(super) fn start(file: File, first: Vec<u8>) -> Self {
        let mut chunked = Self {
            file: Arc::new(file),
            chunk: first,
            at: 0,
            next: None,
        };
        chunked.read_ahead(Vec::with_capacity(CHUNK));
        chunked
    }

    /// Starts reading the next chunk into `spare`.
    fn read_ahead(&mut self, spare: Vec<u8>) {
        let file = Arc::clone(&self.file);
        self.next = Some(tokio::task::spawn_blocking(move || {
            read_chunk(&file, spare)
        }));
    }
}

impl AsyncRead for Chunked {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if serve_buffered(&this.chunk, &mut this.at, out) {
                return Poll::Ready(Ok(()));
            }
            // This chunk is out; the next, if any, takes its place.
            let Some(next) = this.next.as_mut() else {
                return Poll::Ready(Ok(()));
            };
            let read = ready!(Pin::new(next).poll(cx));
            this.next = None;
            let filled = match read {
                Ok(Ok(filled)) => filled,
                Ok(Err(err)) => return Poll::Ready(Err(err)),
                Err(err) => return Poll::Ready(Err(io::Error::other(err))),
            };
            let spare = std::mem::replace(&mut this.chunk, filled);
            this.at = 0;
            if this.chunk.len() >= CHUNK {
                this.read_ahead(spare);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;

    use super::*;

    fn file_with(body: &[u8]) -> (tempfile::TempDir, File) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m");
        std::fs::write(&path, body).unwrap();
        let file = File::open(&path).unwrap();
        (dir, file)
    }

    async fn stream(body: &[u8], read_size: usize) -> Vec<u8> {
        let (_dir, file) = file_with(body);
        let first = read_chunk(&file, Vec::with_capacity(CHUNK)).unwrap();
        assert_eq!(first.len(), CHUNK);
        let mut reader = Chunked::start(file, first);
        let mut out = Vec::new();
        let mut buf = vec![0u8; read_size];
        loop {
            let n = reader.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        out
    }

    fn body(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[tokio::test]
    async fn streams_every_octet_in_order() {
        for len in [CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 12_345] {
            let expected = body(len);
            for read_size in [1000, 64 * 1024, CHUNK + 7] {
                assert_eq!(
                    stream(&expected, read_size).await,
                    expected,
                    "{len} {read_size}"
                );
            }
        }
    }

    #[test]
    fn a_short_chunk_is_the_end_of_the_file() {
        let (_dir, file) = file_with(&body(CHUNK + 10));
        let first = read_chunk(&file, Vec::new()).unwrap();
        assert_eq!(first.len(), CHUNK);
        let second = read_chunk(&file, first).unwrap();
        assert_eq!(second, body(CHUNK + 10)[CHUNK..]);
        assert!(read_chunk(&file, second).unwrap().is_empty());
    }
}
