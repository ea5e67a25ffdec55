//! SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding.
//!
//! A three-message exchange in which the client proves it knows the
//! password and the server proves it knows a key derived from it, while
//! the server stores only salted, iterated hashes ([`ScramSecrets`]).
//!
//! - [`ScramServer::start`] reads the client-first message; the caller
//!   looks up the user's [`ScramSecrets`] and passes them to
//!   [`ScramServerAwaitingSecrets::server_first`], then checks the
//!   client-final message with [`ScramServerAwaitingFinal::finish`].
//! - [`ScramClient::start`] writes the client-first message,
//!   [`ScramClientAwaitingServerFirst::handle_server_first`] answers the
//!   server, and [`ScramClientAwaitingServerFinal::verify_server_final`]
//!   checks the server's signature.
//!
//! Each state is consumed by its step, so no step can run twice.
//!
//! The gs2 flag may be `n` or `y`; `p=` (channel binding) is refused, as is
//! the mandatory-extension attribute `m=`. Accepting `y` is right only
//! because SCRAM-SHA-256-PLUS is never offered: a client sends `y` when it
//! could bind but believes the server cannot. Names are unescaped (`=2C` and
//! `=3D`) but SASLprep is not applied: names are compared as sent and
//! passwords are hashed as the octets given, which matches SASLprep for
//! ASCII passwords but not for every non-ASCII one.

mod client;
mod messages;
mod secrets;
mod server;

pub use client::{ScramClient, ScramClientAwaitingServerFinal, ScramClientAwaitingServerFirst};
pub use secrets::ScramSecrets;
pub use server::{
    ScramClientFirstInfo, ScramServer, ScramServerAwaitingFinal, ScramServerAwaitingSecrets,
};

/// The largest iteration count accepted from a server or used for a
/// dummy exchange.
///
/// Each iteration costs the client two SHA-256 compressions, so a hostile
/// server could otherwise make a client spin for hours. 2^20 is well above
/// today's recommendations (RFC 7677 asks for at least 4096; OWASP suggests
/// 600,000). Counts below 4096 are accepted, because they only weaken the
/// server's own storage.
pub const MAX_ITERATIONS: u32 = 1 << 20;

#[cfg(test)]
mod tests;
