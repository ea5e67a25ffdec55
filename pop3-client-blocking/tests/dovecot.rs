//! The interop suite against Dovecot (`apt-get install dovecot-pop3d`),
//! one fresh instance per test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    unreachable_pub
)]

mod common;
mod suite;

use common::dovecot::Dovecot;

server_tests!(Dovecot::start();
    // The library.
    every_call_over_stls,
    every_mechanism_the_server_offers,
    wrong_password_is_an_auth_failure_for_every_method,
    login_best_prefers_scram_and_keeps_passwords_off_plain_text,
    certificates_are_checked,
    a_locked_maildrop_is_reported_as_in_use,
    pipelined_batches,
    a_large_message_streams_through,
    a_failing_sink_abandons_the_connection,
    // The pop3 command.
    fetch_keep_twice_downloads_only_new_mail,
    fetch_delete_removes_only_what_is_stored,
    fetch_max_size_leaves_large_mail_on_the_server,
    fetch_over_stls_and_with_password_sources,
    thin_commands_and_exit_statuses,
    in_use_maildrop_exits_temporary,
    stripped_stls_is_refused_when_required,
    dropped_connections_never_lose_or_duplicate,
    killed_fetch_with_delete_never_loses_or_duplicates,
);
