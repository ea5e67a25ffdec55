//! Session rules: deletions only after QUIT, autologout, commit outcomes,
//! storage faults, bounded buffering and misuse by the application.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::{Session, TestApp, config, params};
use pop3_proto::server::{
    BodyDemand, CloseReason, CommitOutcome, Credentials, Event, LoginError, LoginRequest, Maildrop,
    ServerConfig, TlsMode,
};

fn two_messages() -> TestApp {
    TestApp::default()
        .with_message(b"Subject: 1\n\none\n")
        .with_message(b"Subject: 2\n\ntwo\n")
}

/// Sends `bytes` and returns what was written before the login request
/// they raise, with the request itself left for the test to answer.
fn login_request(s: &mut Session, bytes: &[u8]) -> (String, LoginRequest) {
    s.server.handle_input(s.now, bytes);
    let Some(Event::Login(request)) = s.server.poll_event() else {
        panic!("login request expected")
    };
    let mut out = String::new();
    while let Some(b) = s.server.poll_transmit(s.now) {
        out += &String::from_utf8_lossy(&b);
    }
    (out, request)
}

fn logged_in(app: TestApp) -> Session {
    let mut s = Session::plain(app);
    s.greeting();
    assert!(
        s.send(b"USER mrose\r\nPASS tanstaaf\r\n")
            .contains("+OK maildrop")
    );
    s
}

#[test]
fn deletions_are_handed_over_only_at_quit() {
    let mut s = logged_in(two_messages());
    assert_eq!(s.send(b"DELE 2\r\n"), "+OK message 2 deleted\r\n");
    assert!(s.app.commits.is_empty());
    assert_eq!(
        s.send(b"QUIT\r\n"),
        "+OK POP3 server signing off (1 messages left)\r\n"
    );
    assert_eq!(s.app.commits.len(), 1);
    assert_eq!(s.app.commits[0][0].number.get(), 2);
    assert_eq!(s.app.commits[0][0].uid.as_str(), "uid-2");
    assert_eq!(s.closed, Some(CloseReason::Quit));
    assert_eq!(s.server.stats().deleted_messages, 1);
}

#[test]
fn autologout_closes_without_update() {
    let mut s = logged_in(two_messages());
    s.send(b"DELE 1\r\n");
    assert_eq!(s.advance_time(Duration::from_secs(500)), "");
    assert_eq!(s.send(b"NOOP\r\n"), "+OK\r\n", "input restarts the timer");
    assert_eq!(s.advance_time(Duration::from_secs(599)), "");
    assert!(s.closed.is_none());
    assert_eq!(
        s.advance_time(Duration::from_secs(2)),
        "-ERR Autologout; idle for too long\r\n"
    );
    assert_eq!(s.closed, Some(CloseReason::Timeout));
    assert!(s.app.commits.is_empty(), "a timeout deletes nothing");
    assert_eq!(s.server.poll_timeout(), None);
}

/// Commands keep an unauthenticated session from the autologout, but
/// not past the login timeout; a session that logged in is not bound by it.
#[test]
fn a_session_that_never_logs_in_is_closed_at_the_login_timeout() {
    let mut cfg = config();
    cfg.login_timeout = Some(Duration::from_secs(300));
    let mut s = Session::new(
        cfg.clone(),
        params(TlsMode::Implicit, false),
        two_messages(),
    );
    let start = s.now;
    s.greeting();
    for _ in 0..5 {
        assert_eq!(s.advance_time(Duration::from_secs(59)), "");
        assert!(s.send(b"CAPA\r\n").starts_with("+OK"));
        // The adapter sleeps until this: the login deadline, before the
        // autologout that the command just pushed back.
        assert_eq!(
            s.server.poll_timeout(),
            Some(start + Duration::from_secs(300))
        );
    }
    assert!(s.closed.is_none());
    assert_eq!(
        s.advance_time(Duration::from_secs(5)),
        "-ERR Too long without logging in\r\n"
    );
    assert_eq!(s.closed, Some(CloseReason::LoginTimeout));

    let mut s = Session::new(cfg, params(TlsMode::Implicit, false), two_messages());
    s.greeting();
    assert_eq!(s.advance_time(Duration::from_secs(299)), "");
    assert!(
        s.send(b"USER mrose\r\nPASS tanstaaf\r\n")
            .contains("+OK maildrop")
    );
    for _ in 0..5 {
        assert_eq!(s.advance_time(Duration::from_secs(100)), "");
        assert_eq!(s.send(b"NOOP\r\n"), "+OK\r\n");
    }
    assert!(s.closed.is_none());
}

/// A silent client reaches both deadlines at once with the defaults; it
/// is closed as idle, as before there was a login timeout.
#[test]
fn a_silent_client_past_both_deadlines_is_closed_as_idle() {
    let mut cfg = config();
    cfg.autologout = Duration::from_secs(600);
    cfg.login_timeout = Some(Duration::from_secs(600));
    let mut s = Session::new(cfg, params(TlsMode::Implicit, false), two_messages());
    s.greeting();
    assert_eq!(
        s.advance_time(Duration::from_secs(601)),
        "-ERR Autologout; idle for too long\r\n"
    );
    assert_eq!(s.closed, Some(CloseReason::Timeout));
}

#[test]
fn without_a_login_timeout_commands_keep_an_unauthenticated_session() {
    let mut cfg = config();
    cfg.login_timeout = None;
    let mut s = Session::new(cfg, params(TlsMode::Implicit, false), two_messages());
    s.greeting();
    for _ in 0..20 {
        assert_eq!(s.advance_time(Duration::from_secs(500)), "");
        assert!(s.send(b"CAPA\r\n").starts_with("+OK"));
    }
    assert!(s.closed.is_none());
}

#[test]
fn bytes_that_never_finish_a_command_do_not_keep_the_session() {
    let mut s = logged_in(two_messages());
    for _ in 0..7 {
        assert_eq!(s.advance_time(Duration::from_secs(80)), "");
        s.server.handle_input(s.now, b"N");
    }
    // 560 s in, one more byte: still no complete command since login.
    assert_eq!(
        s.advance_time(Duration::from_secs(41)),
        "-ERR Autologout; idle for too long\r\n"
    );
    assert_eq!(s.closed, Some(CloseReason::Timeout));
}

#[test]
fn a_command_finished_by_its_last_byte_restarts_the_timer() {
    let mut s = logged_in(two_messages());
    s.server.handle_input(s.now, b"NO");
    s.advance_time(Duration::from_secs(500));
    assert_eq!(s.send(b"OP\r\n"), "+OK\r\n");
    assert_eq!(s.advance_time(Duration::from_secs(599)), "");
    assert!(s.closed.is_none());
}

#[test]
fn autologout_is_at_least_the_configured_time() {
    let s = logged_in(two_messages());
    let deadline = s.server.poll_timeout().unwrap();
    assert!(deadline >= s.now + Duration::from_secs(600));
}

/// An autologout or login timeout too long for `Instant` to hold means
/// none at all, rather than an overflow.
#[test]
fn an_autologout_beyond_any_instant_means_none() {
    let mut cfg = config();
    cfg.autologout = Duration::MAX;
    cfg.login_timeout = Some(Duration::MAX);
    let mut s = Session::new(cfg, params(TlsMode::Implicit, false), two_messages());
    s.greeting();
    assert_eq!(s.server.poll_timeout(), None);
    assert!(
        s.send(b"USER mrose\r\nPASS tanstaaf\r\n")
            .contains("+OK maildrop")
    );
    assert_eq!(s.server.poll_timeout(), None);
    assert_eq!(s.advance_time(Duration::from_secs(86_400 * 365)), "");
    assert_eq!(s.send(b"NOOP\r\n"), "+OK\r\n");
}

#[test]
fn a_dropped_session_commits_nothing() {
    let mut s = logged_in(two_messages());
    s.send(b"DELE 1\r\nDELE 2\r\n");
    let app = s.app.clone();
    drop(s);
    assert!(app.commits.is_empty());
}

#[test]
fn partial_and_failed_commits_answer_sys_temp() {
    let mut app = two_messages();
    app.commit_outcome = CommitOutcome::Partial { removed: 1 };
    let mut s = logged_in(app);
    s.send(b"DELE 1\r\nDELE 2\r\n");
    assert_eq!(
        s.send(b"QUIT\r\n"),
        "-ERR [SYS/TEMP] Only 1 of 2 messages could be deleted\r\n"
    );
    assert_eq!(s.server.stats().deleted_messages, 1);

    let mut app = two_messages();
    app.commit_outcome = CommitOutcome::Failed;
    let mut s = logged_in(app);
    s.send(b"DELE 1\r\n");
    assert_eq!(
        s.send(b"QUIT\r\n"),
        "-ERR [SYS/TEMP] Messages could not be deleted\r\n"
    );
    assert_eq!(s.closed, Some(CloseReason::Quit));
}

#[test]
fn no_timeout_while_the_commit_runs() {
    let mut s = logged_in(two_messages());
    s.server.handle_input(s.now, b"QUIT\r\n");
    let Some(Event::Commit(request)) = s.server.poll_event() else {
        panic!("commit expected")
    };
    assert_eq!(s.server.poll_timeout(), None);
    s.now += Duration::from_secs(3600);
    s.server.handle_timeout(s.now);
    s.server.commit_done(request, CommitOutcome::Done).unwrap();
    assert!(s.drive().starts_with("+OK POP3 server signing off"));
}

#[test]
fn a_vanished_message_gets_a_clean_err() {
    let mut app = two_messages();
    app.gone.insert(1);
    let mut s = logged_in(app);
    assert_eq!(
        s.send(b"RETR 1\r\n"),
        "-ERR Message 1 is no longer available\r\n"
    );
    assert_eq!(
        s.send(b"RETR 2\r\n"),
        "+OK 19 octets\r\nSubject: 2\r\n\r\ntwo\r\n.\r\n"
    );
}

#[test]
fn a_read_error_mid_body_closes_without_update() {
    let mut s = logged_in(two_messages());
    s.server.handle_input(s.now, b"DELE 2\r\nRETR 1\r\n");
    let mut retrieve = None;
    while let Some(event) = s.server.poll_event() {
        if let Event::Retrieve(r) = event {
            retrieve = Some(r);
        }
    }
    s.server.retrieve_start(retrieve.unwrap()).unwrap();
    s.server.body_data(b"Subject: 1\n").unwrap();
    s.server.body_abort();
    assert!(matches!(
        s.server.poll_event(),
        Some(Event::Closed(CloseReason::StorageError))
    ));
    assert!(s.server.body_data(b"more").is_err());
}

#[test]
fn top_stops_asking_for_data_once_it_has_the_lines() {
    let mut s = logged_in(TestApp::default().with_message(b"H: 1\n\nline1\nline2\nline3\n"));
    s.server.handle_input(s.now, b"TOP 1 1\r\n");
    let Some(Event::Retrieve(r)) = s.server.poll_event() else {
        panic!()
    };
    assert_eq!(r.top_lines(), Some(1));
    s.server.retrieve_start(r).unwrap();
    assert_eq!(s.server.body_demand(), BodyDemand::Wanted);
    s.server.body_data(b"H: 1\n\nline1\nli").unwrap();
    assert_eq!(s.server.body_demand(), BodyDemand::Complete);
    s.server.body_end().unwrap();
    assert_eq!(
        s.drive(),
        "+OK Top of message follows\r\nH: 1\r\n\r\nline1\r\n.\r\n"
    );
}

#[test]
fn output_is_bounded_when_the_peer_does_not_read() {
    let big = vec![b'x'; 100]
        .into_iter()
        .chain(*b"\n")
        .cycle()
        .take(1 << 20)
        .collect::<Vec<u8>>();
    let mut app = TestApp::default().with_message(&big);
    app.chunk = 16 * 1024;
    let mut s = logged_in(app);
    let high_water = config().output_high_water;
    // 50 pipelined RETRs of 1 MiB, sent at once; the peer reads nothing.
    s.server
        .handle_input(s.now, "RETR 1\r\n".repeat(50).as_bytes());
    let Some(Event::Retrieve(r)) = s.server.poll_event() else {
        panic!()
    };
    s.server.retrieve_start(r).unwrap();
    let mut fed = 0usize;
    while s.server.body_demand() == BodyDemand::Wanted {
        s.server.body_data(&big[fed..fed + 16 * 1024]).unwrap();
        fed += 16 * 1024;
    }
    assert_eq!(s.server.body_demand(), BodyDemand::Blocked);
    assert!(
        fed <= high_water + 16 * 1024,
        "stopped asking after {fed} octets"
    );
    assert!(
        s.server.poll_event().is_none(),
        "later RETRs wait their turn"
    );
    // More pipelined input is refused once a line's worth waits.
    s.server
        .handle_input(s.now, "NOOP\r\n".repeat(4000).as_bytes());
    assert!(!s.server.wants_input());
    // Draining in pieces never hands over more than the bound at once.
    let mut largest = 0;
    let mut total = 0;
    for _ in 0..200 {
        let mut progressed = false;
        while let Some(event) = s.server.poll_event() {
            if let Event::Retrieve(r) = event {
                s.server.retrieve_start(r).unwrap();
                fed = 0;
            }
        }
        while s.server.body_demand() == BodyDemand::Wanted {
            if fed == big.len() {
                s.server.body_end().unwrap();
                break;
            }
            s.server.body_data(&big[fed..fed + 16 * 1024]).unwrap();
            fed += 16 * 1024;
            progressed = true;
        }
        if let Some(bytes) = s.server.poll_transmit(s.now) {
            largest = largest.max(bytes.len());
            total += bytes.len();
            progressed = true;
        }
        if !progressed {
            break;
        }
    }
    assert!(
        largest <= high_water + 16 * 1024 + 1024,
        "largest write {largest}"
    );
    assert!(total > 4 << 20, "the session made progress: {total}");
}

#[test]
fn answers_to_stale_requests_are_refused() {
    let mut s = Session::plain(two_messages());
    s.greeting();
    s.server
        .handle_input(s.now, b"USER mrose\r\nPASS tanstaaf\r\n");
    let Some(Event::Login(request)) = s.server.poll_event() else {
        panic!()
    };
    s.now += Duration::from_secs(601);
    s.server.handle_timeout(s.now);
    let err = s
        .server
        .accept_login(request, Maildrop::default())
        .unwrap_err();
    assert_eq!(err.reason, "no such login is pending");
    assert!(
        s.server
            .reject_login(*err.value, LoginError::Temporary)
            .is_err()
    );
    assert!(s.server.body_end().is_err());
    assert!(s.server.tls_established(s.now).is_err());
}

#[test]
fn login_rejections_carry_their_codes() {
    use pop3_proto::server::LoginError::*;
    for (error, line) in [
        (LoginDelay, "-ERR [LOGIN-DELAY] Logged in too recently\r\n"),
        (
            Temporary,
            "-ERR [SYS/TEMP] Temporary failure; try again later\r\n",
        ),
        (Permanent, "-ERR [SYS/PERM] Maildrop is unavailable\r\n"),
        (
            Utf8Required,
            "-ERR [UTF8] This maildrop needs UTF8 mode\r\n",
        ),
    ] {
        let mut s = Session::plain(two_messages());
        s.greeting();
        s.server
            .handle_input(s.now, b"USER mrose\r\nPASS tanstaaf\r\n");
        let Some(Event::Login(request)) = s.server.poll_event() else {
            panic!()
        };
        s.server.reject_login(request, error).unwrap();
        assert_eq!(s.drive(), format!("+OK Send PASS\r\n{line}"));
    }
}

#[test]
fn implicit_tls_allows_cleartext_and_offers_no_stls() {
    let mut s = Session::new(config(), params(TlsMode::Implicit, false), two_messages());
    s.greeting();
    assert!(s.server.is_tls());
    let capa = s.send(b"CAPA\r\n");
    assert!(
        capa.contains("\r\nUSER\r\n") && !capa.contains("STLS"),
        "{capa}"
    );
    assert_eq!(s.send(b"STLS\r\n"), "-ERR Already using TLS\r\n");
}

#[test]
fn without_tls_available_stls_is_refused() {
    let mut s = Session::new(config(), params(TlsMode::None, true), two_messages());
    s.greeting();
    assert!(!s.send(b"CAPA\r\n").contains("STLS"));
    assert_eq!(s.send(b"STLS\r\n"), "-ERR STLS is not available\r\n");
}

#[test]
fn long_listings_are_produced_as_they_are_drained() {
    let mut app = TestApp::default();
    for i in 0..20_000 {
        app = app.with_message(format!("Subject: {i}\n\nbody\n").as_bytes());
    }
    let mut s = logged_in(app);
    s.server.handle_input(s.now, b"UIDL\r\n");
    let first = s.server.poll_transmit(s.now).unwrap();
    assert!(
        first.len() <= config().output_high_water + 100,
        "{}",
        first.len()
    );
    let mut all = first.to_vec();
    while let Some(b) = s.server.poll_transmit(s.now) {
        all.extend_from_slice(&b);
    }
    let text = String::from_utf8(all).unwrap();
    assert_eq!(text.lines().count(), 20_002);
    assert!(text.ends_with("20000 uid-20000\r\n.\r\n"));
}

#[test]
fn utf8_mode_is_off_until_the_client_turns_it_on() {
    let mut s = Session::plain(two_messages());
    s.greeting();
    assert!(!s.server.utf8_enabled());
    assert!(s.send(b"CAPA\r\nLANG en\r\n").contains("\r\nUTF8 USER\r\n"));
    assert!(!s.server.utf8_enabled(), "CAPA and LANG leave it off");
    let (_, request) = login_request(&mut s, b"USER mrose\r\nPASS tanstaaf\r\n");
    assert!(!request.utf8_enabled());
    s.server.accept_login(request, Maildrop::default()).unwrap();
    s.drive();
    assert!(!s.server.utf8_enabled());
}

#[test]
fn after_utf8_the_login_request_says_so_and_names_may_be_utf8() {
    let mut app = two_messages();
    app.users.push(("jürgen".into(), "pässwörd".into()));
    let mut s = Session::plain(app);
    s.greeting();
    assert_eq!(s.send(b"UTF8\r\n"), "+OK UTF8 enabled\r\n");
    assert!(s.server.utf8_enabled());
    let (out, request) = login_request(&mut s, "USER jürgen\r\nPASS pässwörd\r\n".as_bytes());
    assert_eq!(out, "+OK Send PASS\r\n");
    assert!(request.utf8_enabled());
    assert_eq!(request.username().as_str(), "jürgen");
    assert_eq!(
        request.credentials(),
        &Credentials::Password("pässwörd".as_bytes().to_vec().into())
    );
    s.server.accept_login(request, Maildrop::default()).unwrap();
    assert!(s.drive().starts_with("+OK maildrop has 0 messages"));
    assert!(s.server.utf8_enabled(), "the mode lasts into TRANSACTION");
    assert_eq!(s.server.username().unwrap().as_str(), "jürgen");
}

#[test]
fn sasl_logins_carry_the_utf8_flag_too() {
    let mut s = Session::plain(two_messages());
    s.greeting();
    s.send(b"UTF8\r\n");
    // PLAIN with "\0mrose\0tanstaaf" as its initial response.
    let (_, request) = login_request(&mut s, b"AUTH PLAIN AG1yb3NlAHRhbnN0YWFm\r\n");
    assert!(request.utf8_enabled());
    assert_eq!(request.username().as_str(), "mrose");
}

#[test]
fn refusing_a_login_for_want_of_utf8_sends_the_utf8_code() {
    let mut s = Session::plain(two_messages());
    s.greeting();
    // An application whose maildrop needs UTF-8 mode: it refuses the
    // login until the client has sent UTF8, then accepts it.
    let (_, request) = login_request(&mut s, b"USER mrose\r\nPASS tanstaaf\r\n");
    assert!(!request.utf8_enabled());
    s.server
        .reject_login(request, LoginError::Utf8Required)
        .unwrap();
    assert_eq!(s.drive(), "-ERR [UTF8] This maildrop needs UTF8 mode\r\n");
    assert_eq!(s.send(b"UTF8\r\n"), "+OK UTF8 enabled\r\n");
    let (_, request) = login_request(&mut s, b"USER mrose\r\nPASS tanstaaf\r\n");
    assert!(request.utf8_enabled());
    s.server.accept_login(request, Maildrop::default()).unwrap();
    assert!(s.drive().starts_with("+OK maildrop"));
}

#[test]
fn utf8_is_only_for_the_authorization_state() {
    let mut s = logged_in(two_messages());
    assert_eq!(s.send(b"UTF8\r\n"), "-ERR Already logged in\r\n");
    assert!(!s.server.utf8_enabled());
    assert_eq!(s.server.stats().bad_commands, 1);
    assert_eq!(s.send(b"STAT\r\n"), "+OK 2 38\r\n", "the session goes on");
}

#[test]
fn utf8_is_unknown_when_not_offered() {
    let config = ServerConfig {
        utf8: false,
        ..common::config()
    };
    let mut s = Session::new(config, params(TlsMode::StlsAvailable, true), two_messages());
    s.greeting();
    assert!(!s.send(b"CAPA\r\n").contains("UTF8"));
    assert_eq!(s.send(b"UTF8\r\n"), "-ERR Unknown command\r\n");
    assert!(!s.server.utf8_enabled());
}

#[test]
fn stls_turns_utf8_mode_off_until_it_is_sent_again_over_tls() {
    let mut s = Session::plain(two_messages());
    s.greeting();
    s.send(b"UTF8\r\n");
    assert!(s.server.utf8_enabled());
    assert_eq!(s.send(b"STLS\r\n"), "+OK Begin TLS negotiation now\r\n");
    assert_eq!(s.tls_handshakes, 1);
    assert!(!s.server.utf8_enabled());
    let (_, request) = login_request(&mut s, b"USER mrose\r\nPASS tanstaaf\r\n");
    assert!(!request.utf8_enabled());
    s.server
        .reject_login(request, LoginError::Utf8Required)
        .unwrap();
    s.drive();
    assert_eq!(s.send(b"UTF8\r\n"), "+OK UTF8 enabled\r\n");
    assert!(s.server.utf8_enabled());
}
