//! Shared by the `interop_*` tests: a real `pop3d` process on loopback
//! ports over a Maildir or PostgreSQL, the messages its maildrop starts
//! with, the forms clients store them in, running a real client with a
//! bound on how long it may take, and a macro that runs each test body
//! against both stores.

#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

/// The throwaway PostgreSQL cluster the PostgreSQL tests share.
#[path = "../pg_support/cluster.rs"]
pub mod cluster;
pub mod daemon;
pub mod mail;
pub mod maildrop;
pub mod mda;
pub mod peer;

// Each test binary uses part of these.
#[allow(unused_imports)]
pub use daemon::Pop3d;
#[allow(unused_imports)]
pub use mail::{Message, crlf, header_block, late, lf, sample, stuffed};
#[allow(unused_imports)]
pub use maildrop::Backend;
#[allow(unused_imports)]
pub use peer::{Outcome, require, require_perl_module, run};

/// The account every test logs in with (a `{PLAIN}` entry, so APOP,
/// CRAM-MD5 and SCRAM work too).
pub const USER: &str = "alice";
pub const PASSWORD: &str = "wonderland";

/// Turns each named test body, a `fn(Backend)`, into two tests:
/// `maildir::<name>` and `postgres::<name>`.
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod maildir {
            $(
                #[test]
                fn $test() {
                    super::$test($crate::interop::Backend::Maildir);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $test() {
                    super::$test($crate::interop::Backend::Postgres);
                }
            )*
        }
    };
}
