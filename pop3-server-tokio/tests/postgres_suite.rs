//! One session suite, run against the Maildir store and the PostgreSQL
//! store: both must behave the same to a POP3 client.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod pg_support;

macro_rules! both_stores {
    ($($scenario:ident),* $(,)?) => {
        mod maildir {
            crate::session_suite!(crate::pg_support::MaildirBackend: $($scenario),*);
        }
        mod postgres {
            crate::session_suite!(crate::pg_support::PostgresBackend: $($scenario),*);
        }
    };
}

both_stores!(
    full_session_with_every_command,
    pipelined_burst_is_answered_in_order,
    large_message_streams_exactly,
    dropped_connection_deletes_nothing,
    idle_timeout_closes_without_update,
    deliveries_during_a_session_wait_for_the_next,
    message_removed_by_another_program_gives_a_clean_error,
    uidl_is_stable_across_sessions,
    second_session_gets_in_use,
);
