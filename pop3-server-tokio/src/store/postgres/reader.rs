//! RETR's body reader: the message a page at a time, so a large message
//! is never held whole.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use deadpool_postgres::Object;
use tokio::io::{AsyncRead, ReadBuf};
use tokio_postgres::Statement;

use crate::store::serve_buffered;

/// Octets fetched per query; the first page comes with the length, in the
/// query that opens the message, so a message of up to a page is one query.
pub(super) const PAGE: i32 = 256 * 1024;

type Fetch = Pin<Box<dyn Future<Output = io::Result<Vec<u8>>> + Send>>;

/// Reads `length` octets of a message body with `substring()` queries on
/// the session's connection.
pub(super) struct PageReader {
    client: Arc<Object>,
    statement: Statement,
    id: i64,
    /// Octets fetched so far (the next page starts after them).
    fetched: i32,
    length: i32,
    page: Vec<u8>,
    at: usize,
    fetching: Option<Fetch>,
}

impl PageReader {
    /// A reader that hands out `first` (the body's first octets, already
    /// fetched), then fetches the rest of `length` a page at a time.
    pub(super) fn new(
        client: Arc<Object>,
        statement: Statement,
        id: i64,
        length: i32,
        first: Vec<u8>,
    ) -> Self {
        Self {
            client,
            statement,
            id,
            fetched: i32::try_from(first.len()).unwrap_or(i32::MAX),
            length,
            page: first,
            at: 0,
            fetching: None,
        }
    }

    fn next_page(&self) -> Fetch {
        let client = Arc::clone(&self.client);
        let statement = self.statement.clone();
        let id = self.id;
        let from = self.fetched.saturating_add(1);
        let count = PAGE.min(self.length.saturating_sub(self.fetched));
        Box::pin(async move {
            let row = client
                .query_opt(&statement, &[&id, &from, &count])
                .await
                .map_err(io::Error::other)?
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "message removed"))?;
            let bytes: Vec<u8> = row.try_get(0).map_err(io::Error::other)?;
            Ok(bytes)
        })
    }
}

impl AsyncRead for PageReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if serve_buffered(&this.page, &mut this.at, buf) {
                return Poll::Ready(Ok(()));
            }
            if this.fetching.is_none() {
                if this.fetched >= this.length {
                    return Poll::Ready(Ok(()));
                }
                this.fetching = Some(this.next_page());
            }
            let Some(fetching) = this.fetching.as_mut() else {
                continue;
            };
            let page = match fetching.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    this.fetching = None;
                    result?
                }
            };
            let Ok(got) = i32::try_from(page.len()) else {
                return Poll::Ready(Err(io::Error::other("page larger than asked")));
            };
            if got == 0 {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "message shorter than at open",
                )));
            }
            this.fetched = this.fetched.saturating_add(got);
            this.page = page;
            this.at = 0;
        }
    }
}
