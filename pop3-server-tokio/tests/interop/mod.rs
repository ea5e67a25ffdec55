//! Shared by the `interop_*` tests: a real `pop3d` process on loopback
//! ports, the messages its Maildir starts with, the forms clients store
//! them in, and running a real client with a bound on how long it may take.

#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod daemon;
pub mod mail;
pub mod mda;
pub mod peer;

// Each test binary uses part of these.
#[allow(unused_imports)]
pub use daemon::Pop3d;
#[allow(unused_imports)]
pub use mail::{Message, crlf, header_block, late, lf, sample, stuffed};
#[allow(unused_imports)]
pub use peer::{Outcome, require, require_perl_module, run};

/// The account every test logs in with (a `{PLAIN}` entry, so APOP,
/// CRAM-MD5 and SCRAM work too).
pub const USER: &str = "alice";
pub const PASSWORD: &str = "wonderland";
