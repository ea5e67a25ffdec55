//! Reading a header off a connection, exactly and within a time limit.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::header::{Parsed, ProxyError, ProxyHeader, parse};

/// Why no header was read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The bytes were not an acceptable header.
    #[error(transparent)]
    Header(#[from] ProxyError),
    /// The peer closed or the socket failed before the header was whole.
    #[error("reading the PROXY header: {0}")]
    Io(#[from] std::io::Error),
    /// The header did not come in time.
    #[error("no PROXY header within {0:?}")]
    Timeout(Duration),
}

/// Reads one header from `stream`, taking no byte after it, within
/// `limit`.
pub async fn read_header<R: AsyncRead + Unpin>(
    stream: &mut R,
    limit: Duration,
) -> Result<ProxyHeader, ReadError> {
    tokio::time::timeout(limit, read_exact_header(stream))
        .await
        .map_err(|_| ReadError::Timeout(limit))?
}

async fn read_exact_header<R: AsyncRead + Unpin>(stream: &mut R) -> Result<ProxyHeader, ReadError> {
    let mut buf = Vec::with_capacity(64);
    loop {
        match parse(&buf)? {
            Parsed::Complete { header, .. } => return Ok(header),
            Parsed::Incomplete { needed } => {
                let have = buf.len();
                buf.resize(needed.max(have + 1), 0);
                let fresh = buf.get_mut(have..).unwrap_or_default();
                stream.read_exact(fresh).await?;
            }
        }
    }
}
