//! A blocking POP3 client over `std::net`, with TLS (rustls), SASL and
//! pipelining, built on the sans-IO [`pop3_proto::client`] machine.
//!
//! Each method sends one command and waits for its answer; message
//! bodies stream into any [`std::io::Write`], so a 100 MB message is
//! never held in memory. A `-ERR` is an [`Error::Server`] that keeps the
//! response code and text, so a caller can tell "try later"
//! ([`Error::is_temporary`]) from "wrong password"
//! ([`Error::is_auth_failure`]).
//!
//! # Connect and log in
//!
//! Implicit TLS (port 995) is the default to prefer (RFC 8314).
//! [`Client::login_best`] picks the strongest method the server offers
//! and never sends a password in clear over an unencrypted connection.
//!
//! ```no_run
//! use pop3_client_blocking::{Client, ConnectOptions, LoginPolicy};
//!
//! # fn main() -> Result<(), pop3_client_blocking::Error> {
//! let options = ConnectOptions::default();
//! let mut client = Client::connect_tls("mail.example.org", 995, &options)?;
//! let method = client.login_best("alice", b"secret", LoginPolicy::default())?;
//! println!("logged in with {method}");
//! # client.quit()
//! # }
//! ```
//!
//! # STLS on port 110
//!
//! ```no_run
//! use pop3_client_blocking::{Client, ConnectOptions, Error};
//!
//! # fn main() -> Result<(), Error> {
//! let mut client = Client::connect("mail.example.org", 110, &ConnectOptions::default())?;
//! // Refuses with Error::StlsNotOffered if the server (or someone on the
//! // path) hides STLS: never fall back to plain text silently.
//! client.stls()?;
//! client.login("alice", b"secret")?;
//! # client.quit()
//! # }
//! ```
//!
//! # A chosen SASL mechanism
//!
//! ```no_run
//! use pop3_client_blocking::{Client, ConnectOptions, Mechanism};
//!
//! # fn main() -> Result<(), pop3_client_blocking::Error> {
//! let mut client = Client::connect_tls("mail.example.org", 995, &ConnectOptions::default())?;
//! client.auth(&Mechanism::ScramSha256, "alice", b"secret")?;
//! // Bearer tokens go where the password would:
//! // client.auth(&Mechanism::XOAuth2, "alice@example.org", token.as_bytes())?;
//! # client.quit()
//! # }
//! ```
//!
//! # List and download messages
//!
//! ```no_run
//! use std::fs::File;
//! use pop3_client_blocking::{Client, ConnectOptions};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mut client = Client::connect_tls("mail.example.org", 995, &ConnectOptions::default())?;
//! # client.login("alice", b"secret")?;
//! for entry in client.uidl()? {
//!     let mut file = File::create(format!("{}.eml", entry.uid))?;
//!     let size = client.retr(entry.number.get(), &mut file)?;
//!     println!("{} ({size} octets)", entry.uid);
//! }
//! // Headers and the first 5 lines of message 1:
//! client.top(1, 5, &mut std::io::stdout())?;
//! # Ok(())
//! # }
//! ```
//!
//! # Delete, and know why something failed
//!
//! ```no_run
//! use pop3_client_blocking::{Client, ConnectOptions, Error, LoginPolicy};
//!
//! # fn main() -> Result<(), Error> {
//! let mut client = Client::connect_tls("mail.example.org", 995, &ConnectOptions::default())?;
//! match client.login_best("alice", b"secret", LoginPolicy::default()) {
//!     Ok(_) => {}
//!     Err(e) if e.is_temporary() => {
//!         eprintln!("mailbox busy ({e}); try again later");
//!         return Ok(());
//!     }
//!     Err(e) if e.is_auth_failure() => return Err(e),
//!     Err(e) => return Err(e),
//! }
//! client.dele(1)?;
//! client.quit()?; // deletions happen here, and only here
//! # Ok(())
//! # }
//! ```
//!
//! # Pipelined batches
//!
//! [`Client::retr_many`] and [`Client::dele_many`] put up to 100
//! commands on the wire at once when the server advertises PIPELINING.
//!
//! ```no_run
//! use std::io;
//! use pop3_client_blocking::{Client, ConnectOptions, RetrSink, ServerError};
//!
//! struct Sizes(Vec<(u32, usize)>);
//!
//! impl RetrSink for Sizes {
//!     fn begin(&mut self, msg: u32, _hint: Option<u64>) -> io::Result<()> {
//!         self.0.push((msg, 0));
//!         Ok(())
//!     }
//!     fn data(&mut self, _msg: u32, data: &[u8]) -> io::Result<()> {
//!         if let Some(last) = self.0.last_mut() {
//!             last.1 += data.len();
//!         }
//!         Ok(())
//!     }
//!     fn end(&mut self, _msg: u32) -> io::Result<()> {
//!         Ok(())
//!     }
//!     fn refused(&mut self, msg: u32, error: ServerError) -> io::Result<()> {
//!         eprintln!("message {msg}: {error}");
//!         Ok(())
//!     }
//! }
//!
//! # fn main() -> Result<(), pop3_client_blocking::Error> {
//! # let mut client = Client::connect_tls("mail.example.org", 995, &ConnectOptions::default())?;
//! # client.login("alice", b"secret")?;
//! client.capa()?; // learn whether PIPELINING is offered
//! let mut sizes = Sizes(Vec::new());
//! client.retr_many(&[1, 2, 3], &mut sizes)?;
//! client.dele_many(&[1, 2, 3])?;
//! client.quit()
//! # }
//! ```
//!
//! # Certificates
//!
//! The system's trust store is used (rustls-native-certs), plus
//! [`TlsOptions::extra_ca_file`] if given.
//! [`TlsOptions::danger_accept_invalid_certificates`] turns checking off,
//! for tests against throwaway servers only.

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod auth;
mod batch;
mod client;
mod commands;
mod error;
mod options;
mod stream;
mod tls;

pub use auth::{LoginMethod, LoginPolicy};
pub use batch::RetrSink;
pub use client::Client;
pub use commands::Stat;
pub use error::{Error, Result};
pub use options::{ConnectOptions, TlsOptions};
pub use pop3_proto::client::{ClientConfig, Greeting, SaslCredentials, ServerError};
pub use pop3_proto::{Capability, Mechanism, ResponseCode, ScanListing, Text, Uid, UidListing};
