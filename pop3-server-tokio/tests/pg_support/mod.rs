//! Helpers for the PostgreSQL and fleet tests: a throwaway PostgreSQL
//! cluster, servers over either store, the session suite both stores
//! must pass, and the `pop3d` binary as a process.

#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    async_fn_in_trait,
    unused_imports,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod backend;
pub mod cluster;
pub mod fleet;
pub mod process;
pub mod server;
pub mod suite;

pub use backend::{Backend, MaildirBackend, PostgresBackend};

/// Runs each named suite scenario as a test against `$backend`.
#[macro_export]
macro_rules! session_suite {
    ($backend:ty: $($scenario:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                $crate::pg_support::suite::$scenario::<$backend>().await;
            }
        )*
    };
}
