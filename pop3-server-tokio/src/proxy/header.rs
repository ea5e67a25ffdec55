//! What a PROXY header says, and the entry point of the parser.

use std::net::SocketAddr;

use super::{v1, v2};

/// The decoded header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyHeader {
    /// The proxy speaks for itself (a health check) or does not know the
    /// client's address: the socket's own peer address stands.
    Local,
    /// A relayed TCP connection.
    Proxied {
        /// The client.
        source: SocketAddr,
        /// The address the client connected to.
        destination: SocketAddr,
    },
}

impl ProxyHeader {
    /// The client address to use for a connection whose socket peer is
    /// `socket_peer`.
    pub fn client(&self, socket_peer: SocketAddr) -> SocketAddr {
        match self {
            Self::Local => socket_peer,
            Self::Proxied { source, .. } => *source,
        }
    }
}

/// The parser's progress on the bytes read so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    /// A whole header, `length` octets long; what follows belongs to the
    /// client.
    Complete {
        /// The header.
        header: ProxyHeader,
        /// Its length in octets.
        length: usize,
    },
    /// More is needed: read until the input is `needed` octets long
    /// (never more than the header can be, so nothing after it is read).
    Incomplete {
        /// The input length to read up to before calling again.
        needed: usize,
    },
}

/// Why a header was refused. The connection is then closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    /// The bytes start neither version's signature.
    #[error("not a PROXY protocol header")]
    NotProxy,
    /// The header breaks the grammar.
    #[error("malformed PROXY header: {0}")]
    Malformed(&'static str),
    /// The header is longer than accepted.
    #[error("PROXY header too long")]
    TooLong,
    /// A well-formed header this server does not serve (UDP, a newer
    /// version).
    #[error("unsupported PROXY header: {0}")]
    Unsupported(&'static str),
}

/// Octets read before the version can be told apart: shorter than either
/// version's smallest header (15 and 16 octets), so never too many.
pub(super) const PREFIX: usize = 12;

/// Parses the start of a connection's input.
pub fn parse(input: &[u8]) -> Result<Parsed, ProxyError> {
    let shown = input.len().min(PREFIX);
    let head = input.get(..shown).unwrap_or_default();
    let v1_like = v1::SIGNATURE.starts_with(
        head.get(..shown.min(v1::SIGNATURE.len()))
            .unwrap_or_default(),
    );
    let v2_like = v2::SIGNATURE.starts_with(head);
    if !v1_like && !v2_like {
        return Err(ProxyError::NotProxy);
    }
    if input.len() < PREFIX {
        return Ok(Parsed::Incomplete { needed: PREFIX });
    }
    if v2_like {
        v2::parse(input)
    } else {
        v1::parse(input)
    }
}
