//! The server side: AUTHORIZATION -> TRANSACTION -> UPDATE.
//!
//! # Driving a session
//!
//! ```text
//! let mut s = Server::new(config, params, now);
//! loop {
//!     // 1. Feed what the peer sent (only while s.wants_input()).
//!     s.handle_input(now, &bytes);
//!     // 2. Act on events: credentials, messages, commit, TLS, close.
//!     while let Some(event) = s.poll_event() { ... }
//!     // 3. Stream a message body while one is open.
//!     while s.body_demand() == BodyDemand::Wanted { s.body_data(&chunk)?; }
//!     // 4. Write everything the core produced.
//!     while let Some(bytes) = s.poll_transmit(now) { write(bytes) }
//!     // 5. Sleep until input arrives or s.poll_timeout(); then s.handle_timeout(now).
//! }
//! ```
//!
//! # Bounded memory
//!
//! Output is pulled, never pushed: the core stops reading commands and
//! stops generating listings once [`ServerConfig::output_high_water`]
//! octets wait in its output buffer, and [`Server::body_demand`] reports
//! `Blocked` so the adapter stops reading the message file. Input is
//! bounded the same way: [`Server::wants_input`] turns false once a
//! line's worth of unprocessed input is buffered, so a peer that pipelines
//! faster than it reads is held back by TCP flow control rather than by
//! the server's memory. A line longer than the limit is discarded as it
//! arrives, never stored.

mod answers;
mod capa;
mod config;
mod dispatch;
mod events;
mod maildrop;
mod output;
mod sasl;
mod session;

pub use config::{ConnectionParams, ServerConfig, TlsMode};
pub use events::{
    BodyDemand, CloseReason, CommitOutcome, CommitRequest, Credentials, Deletion, Event,
    LoginError, LoginMethod, LoginRequest, Misuse, RetrieveError, RetrieveRequest, ScramLookup,
    SessionStats,
};
pub use maildrop::{Maildrop, MaildropError, MessageEntry};
pub use session::Server;
