//! Shared pieces of the hardening battery (`tests/hardening_*.rs`): an
//! in-process server, the `pop3d` binary as a child process, a raw
//! line-level client and Maildir helpers. Each battery file uses only
//! some of them.

#![allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod daemon;
pub mod fault;
pub mod maildir;
/// The in-process server task, shared with `tests/common`.
#[path = "../common/serve.rs"]
pub mod serve;
pub mod server;
/// The line-level client, shared with `tests/common`.
#[path = "../common/wire.rs"]
pub mod wire;

pub use daemon::Daemon;
pub use server::{Options, TestServer};
pub use wire::Wire;

/// Users every battery server knows; plaintext secrets so every login
/// method works.
pub const USERS: &str = "alice:{PLAIN}wonderland\ncarol:{PLAIN}c4r0l\ndave:{PLAIN}d4v3\n";
