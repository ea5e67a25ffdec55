//! The connection under the session: plain TCP or TLS over it.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;

use rustls::{ClientConfig, ClientConnection, StreamOwned};

use crate::error::{Error, Result, from_io};
use crate::tls::server_name;

/// A connection in one of its lives.
#[derive(Debug)]
pub(crate) enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS, implicit or after STLS.
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
    /// Given up after an error, or taken for the TLS upgrade.
    Gone,
}

impl Stream {
    /// Runs the TLS handshake over `tcp` to the end, so certificate
    /// errors surface here rather than on the first read.
    pub(crate) fn handshake(
        mut tcp: TcpStream,
        config: Arc<ClientConfig>,
        host: &str,
    ) -> Result<Self> {
        let name = server_name(host)?;
        let mut conn = ClientConnection::new(config, name).map_err(Error::Tls)?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp).map_err(from_io)?;
        }
        Ok(Self::Tls(Box::new(StreamOwned::new(conn, tcp))))
    }

    pub(crate) fn is_tls(&self) -> bool {
        matches!(self, Self::Tls(_))
    }

    pub(crate) fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let result = match self {
            Self::Plain(s) => s.read(buf),
            Self::Tls(s) => s.read(buf),
            Self::Gone => return Err(Error::Abandoned),
        };
        result.map_err(from_io)
    }

    pub(crate) fn write_all(&mut self, data: &[u8]) -> Result<()> {
        let result = match self {
            Self::Plain(s) => s.write_all(data).and_then(|()| s.flush()),
            Self::Tls(s) => s.write_all(data).and_then(|()| s.flush()),
            Self::Gone => return Err(Error::Abandoned),
        };
        result.map_err(from_io)
    }

    /// Ends the connection: a TLS close_notify if possible, then TCP.
    pub(crate) fn close(&mut self) {
        match std::mem::replace(self, Self::Gone) {
            Self::Plain(s) => {
                let _ = s.shutdown(Shutdown::Both);
            }
            Self::Tls(mut s) => {
                s.conn.send_close_notify();
                // Best effort: the server may already have closed.
                let _ = s.conn.write_tls(&mut s.sock);
                let _ = s.sock.shutdown(Shutdown::Both);
            }
            Self::Gone => {}
        }
    }

    /// Takes the plain TCP stream out for the STLS upgrade.
    pub(crate) fn take_plain(&mut self) -> Option<TcpStream> {
        match std::mem::replace(self, Self::Gone) {
            Self::Plain(s) => Some(s),
            other => {
                *self = other;
                None
            }
        }
    }
}
