//! The PROXY protocol (HAProxy's, versions 1 and 2): a load balancer in
//! front of `pop3d` sends one header before the client's bytes, naming
//! the client's real address. Listeners that ask for it accept the header
//! only from trusted networks; the address it carries is then what logs,
//! per-address limits and login penalties see.
//!
//! [`parse`] is sans-IO and never reads past the header, so the POP3 (or
//! TLS) bytes after it stay in the socket; [`read_header`] drives it on a
//! stream with a time limit.

mod header;
mod network;
mod read;
mod v1;
mod v2;

#[cfg(test)]
mod tests;

pub use header::{Parsed, ProxyError, ProxyHeader, parse};
pub use network::{Network, NetworkError, TrustedNetworks};
pub use read::{ReadError, read_header};

/// The longest header accepted, in octets: the version 2 fixed part and
/// room for addresses and a few TLVs. Longer headers are refused.
pub const MAX_HEADER: usize = 16 + 1024;
