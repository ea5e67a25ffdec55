//! The tokio adapter around `pop3-proto`'s server core, and the pieces of
//! the `pop3d` daemon: Maildir storage, passwd-file authentication, TLS,
//! connection limits and the listener.
//!
//! Data flows one way: socket bytes go into the core, the core's events
//! are answered here from the [`auth::Authenticator`] and the
//! [`store::MaildropStore`], and the core's output goes back to the socket.

pub mod auth;
pub mod config;
pub mod demo;
pub mod limits;
pub mod listener;
pub mod proxy;
pub mod services;
pub mod session;
pub mod store;
pub mod tls;
pub mod transport;

pub use services::Services;
pub use session::{EndReason, SessionEnd, run_session};
