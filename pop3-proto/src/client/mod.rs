//! The client side: a FIFO of requests, their replies read as they come.
//!
//! # Driving a session
//!
//! ```text
//! let mut c = Client::new(ClientConfig::default());
//! c.capa()?;                               // requests may be queued at once
//! loop {
//!     // 1. Write everything the core produced: commands, SASL answers.
//!     while let Some(bytes) = c.poll_transmit() { write(bytes) }
//!     // 2. Feed what the server sent, in any chunking. An error means the
//!     //    server broke the protocol: drop the connection.
//!     c.handle_input(&read())?;
//!     // 3. Act on events, queuing more requests as they are needed.
//!     while let Some(event) = c.poll_event() {
//!         match event {
//!             ClientEvent::Greeting(Ok(g)) => { /* g.apop_timestamp */ }
//!             ClientEvent::Reply { id, result: Ok(Reply::TlsReady) } => {
//!                 handshake();                 // on the raw socket, now
//!                 c.tls_established()?;
//!                 c.capa()?;                   // RFC 2595: ask again
//!             }
//!             ClientEvent::Reply { id, result } => { /* typed per command */ }
//!             ClientEvent::BodyChunk { id, data } => sink.write_all(&data)?,
//!             ClientEvent::BodyEnd { id } => sink.flush()?,
//!             ClientEvent::AuthAborted { .. } | ClientEvent::Cancelled { .. } => {}
//!             ClientEvent::Greeting(Err(_)) => break,
//!         }
//!     }
//!     if c.state() == SessionState::Closed { break }
//! }
//! ```
//!
//! # Replies in order
//!
//! POP3 replies do not say what they answer; they come in the order the
//! commands were sent, so the client keeps a FIFO of what it expects and
//! reads each reply by the command at its head. When the server's last
//! CAPA listed PIPELINING (RFC 2449) every queued command is written at
//! once; otherwise one command is in flight at a time and the rest wait.
//! STLS and AUTH are barriers either way: sent only when nothing is in
//! flight, and nothing follows them until they finish, because they
//! change what the connection is (encrypted, authenticated).
//!
//! Requests end in the order they were made, whether by a reply (after
//! the last [`ClientEvent::BodyChunk`] for RETR and TOP), an
//! [`ClientEvent::AuthAborted`] or a [`ClientEvent::Cancelled`]: a loop
//! that waits for its oldest request never misses an ending.
//!
//! # Bounded memory
//!
//! Response lines are limited ([`ClientConfig::max_line`]), listings too
//! ([`ClientConfig::max_listing_entries`], and
//! [`ClientConfig::max_capability_octets`] for CAPA, LANG and bare AUTH);
//! message bodies are decoded as they arrive and handed out chunk by
//! chunk, never buffered whole. A server that exceeds a limit or breaks
//! the grammar puts the session in [`SessionState::Failed`]: a byte
//! stream cannot be resynchronized.
//!
//! # Example
//!
//! ```
//! use pop3_proto::client::{Client, ClientConfig, ClientEvent, Reply};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut client = Client::new(ClientConfig::default());
//! let login = client.user_pass("alice".parse()?, b"secret")?;
//! let stat = client.stat()?; // fine behind a pending login
//!
//! client.handle_input(b"+OK POP3 server ready\r\n")?;
//! assert_eq!(client.poll_transmit().as_deref(), Some(&b"USER alice\r\n"[..]));
//! client.handle_input(b"+OK\r\n")?;
//! assert_eq!(client.poll_transmit().as_deref(), Some(&b"PASS secret\r\n"[..]));
//! client.handle_input(b"+OK maildrop ready\r\n")?;
//! assert_eq!(client.poll_transmit().as_deref(), Some(&b"STAT\r\n"[..]));
//! client.handle_input(b"+OK 2 320\r\n")?;
//!
//! assert!(matches!(client.poll_event(), Some(ClientEvent::Greeting(Ok(_)))));
//! assert!(matches!(
//!     client.poll_event(),
//!     Some(ClientEvent::Reply { id, result: Ok(Reply::LoggedIn(_)) }) if id == login
//! ));
//! assert_eq!(
//!     client.poll_event(),
//!     Some(ClientEvent::Reply { id: stat, result: Ok(Reply::Stat { count: 2, size: 320 }) })
//! );
//! # Ok(())
//! # }
//! ```

mod config;
mod error;
mod events;
mod queue;
mod reader;
mod requests;
mod sasl;
mod session;

pub use config::ClientConfig;
pub use error::{ClientError, ProtocolError};
pub use events::{ClientEvent, Greeting, Reply, RequestId, ServerError, SessionState};
pub use sasl::SaslCredentials;
pub use session::Client;

#[cfg(test)]
mod tests;
