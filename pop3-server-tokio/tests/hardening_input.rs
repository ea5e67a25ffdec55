//! Every bad-input line of the protocol checklist, over a real socket:
//! each gets its `-ERR` (or a close where the checklist allows one), the
//! session goes on where it should, and the server keeps serving others.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod hardening;

use hardening::{Options, TestServer, Wire, maildir};

/// One attack: bytes sent in a state, and the answers expected, in order:
/// each must start with `+OK`, `-ERR` or `+` as given and contain the
/// given words (case-insensitively).
struct Case {
    name: &'static str,
    logged_in: bool,
    send: Vec<u8>,
    answers: &'static [(&'static str, &'static str)],
}

fn case(
    name: &'static str,
    logged_in: bool,
    send: impl Into<Vec<u8>>,
    answers: &'static [(&'static str, &'static str)],
) -> Case {
    Case {
        name,
        logged_in,
        send: send.into(),
        answers,
    }
}

const TOO_LONG: &[(&str, &str)] = &[("-ERR", "too long")];
const FORBIDDEN: &[(&str, &str)] = &[("-ERR", "forbidden character")];
const BAD_NUMBER: &[(&str, &str)] = &[("-ERR", "invalid message number")];
const LOGGED_IN: &[(&str, &str)] = &[("-ERR", "already logged in")];
const NOT_LOGGED_IN: &[(&str, &str)] = &[("-ERR", "not logged in")];
const AUTH_FAILED: &[(&str, &str)] = &[("+OK", ""), ("-ERR", "[AUTH]")];

fn cases() -> Vec<Case> {
    let long = |prefix: &str, n: usize| format!("{prefix}{}\r\n", "a".repeat(n)).into_bytes();
    vec![
        // Line limits and line endings.
        case(
            "command line over the limit",
            false,
            long("USER ", 5000),
            TOO_LONG,
        ),
        case(
            "no newline for 1 MiB, then one",
            false,
            [vec![b'x'; 1 << 20], b"\r\n".to_vec()].concat(),
            TOO_LONG,
        ),
        case("bare CR inside a line", false, "NOOP\rSTAT\r\n", FORBIDDEN),
        case("bare LF ends a line", false, "USER alice\n", &[("+OK", "")]),
        case("NUL in a command", false, "US\0ER alice\r\n", FORBIDDEN),
        case(
            "NUL in a password",
            false,
            "USER alice\r\nPASS won\0derland\r\n",
            &[("+OK", ""), ("-ERR", "forbidden character")],
        ),
        case("tab as separator", false, "USER\talice\r\n", FORBIDDEN),
        case(
            "tab inside an argument",
            false,
            "USER al\tice\r\n",
            FORBIDDEN,
        ),
        case(
            "non-UTF-8 user name",
            false,
            b"USER \xff\xfe\r\n".to_vec(),
            &[("-ERR", "invalid user name")],
        ),
        case(
            "non-UTF-8 keyword",
            false,
            b"\xc3\x28\r\n".to_vec(),
            &[("-ERR", "unknown command")],
        ),
        case(
            "non-UTF-8 password",
            false,
            b"USER alice\r\nPASS \xff\xfe\r\n".to_vec(),
            AUTH_FAILED,
        ),
        case("empty line", false, "\r\n", &[("-ERR", "empty")]),
        case("unknown command", false, "FROB\r\n", &[("-ERR", "unknown")]),
        // Overlong credentials.
        case(
            "overlong USER",
            false,
            long("USER ", 300),
            &[("-ERR", "invalid user name")],
        ),
        case(
            "overlong PASS",
            false,
            [b"USER alice\r\n".to_vec(), long("PASS ", 2000)].concat(),
            &[("+OK", ""), ("-ERR", "too long")],
        ),
        case(
            "overlong AUTH line",
            false,
            long("AUTH PLAIN ", 20_000),
            TOO_LONG,
        ),
        case(
            "overlong SASL response",
            false,
            [b"AUTH PLAIN\r\n".to_vec(), long("", 20_000)].concat(),
            &[("+", ""), ("-ERR", "too long")],
        ),
        // SASL misuse.
        case(
            "invalid base64 initial response",
            false,
            "AUTH PLAIN !!!!\r\n",
            &[("-ERR", "base64")],
        ),
        case(
            "invalid base64 response",
            false,
            "AUTH PLAIN\r\nab=c\r\n",
            &[("+", ""), ("-ERR", "base64")],
        ),
        case(
            "empty SASL response",
            false,
            "AUTH PLAIN\r\n\r\n",
            &[("+", ""), ("-ERR", "authentication failed")],
        ),
        case(
            "empty initial response (=)",
            false,
            "AUTH PLAIN =\r\n",
            &[("-ERR", "authentication failed")],
        ),
        case(
            "* cancels an exchange",
            false,
            "AUTH PLAIN\r\n*\r\n",
            &[("+", ""), ("-ERR", "cancel")],
        ),
        case(
            "unknown mechanism",
            false,
            "AUTH X-NOPE\r\n",
            &[("-ERR", "unsupported")],
        ),
        // Commands in the wrong state.
        case("STAT before login", false, "STAT\r\n", NOT_LOGGED_IN),
        case("RETR before login", false, "RETR 1\r\n", NOT_LOGGED_IN),
        case(
            "PASS without USER",
            false,
            "PASS wonderland\r\n",
            &[("-ERR", "")],
        ),
        case("AUTH after login", true, "AUTH PLAIN\r\n", LOGGED_IN),
        case("USER after login", true, "USER carol\r\n", LOGGED_IN),
        case(
            "APOP after login",
            true,
            "APOP alice 0123456789abcdef0123456789abcdef\r\n",
            LOGGED_IN,
        ),
        case("STLS after login", true, "STLS\r\n", LOGGED_IN),
        // Message numbers and arguments.
        case("RETR 0", true, "RETR 0\r\n", BAD_NUMBER),
        case("RETR -1", true, "RETR -1\r\n", BAD_NUMBER),
        case("RETR 4294967296", true, "RETR 4294967296\r\n", BAD_NUMBER),
        case("RETR 1x", true, "RETR 1x\r\n", BAD_NUMBER),
        case("DELE 0", true, "DELE 0\r\n", BAD_NUMBER),
        case("LIST -1", true, "LIST -1\r\n", BAD_NUMBER),
        case("UIDL 1x", true, "UIDL 1x\r\n", BAD_NUMBER),
        case(
            "RETR of no such message",
            true,
            "RETR 2\r\n",
            &[("-ERR", "no such message")],
        ),
        case(
            "RETR without argument",
            true,
            "RETR\r\n",
            &[("-ERR", "missing")],
        ),
        case(
            "TOP without line count",
            true,
            "TOP 1\r\n",
            &[("-ERR", "missing")],
        ),
        case(
            "RETR with extra argument",
            true,
            "RETR 1 2\r\n",
            &[("-ERR", "too many")],
        ),
        case(
            "LIST with extra argument",
            true,
            "LIST 1 2\r\n",
            &[("-ERR", "too many")],
        ),
        case(
            "STAT with an argument",
            true,
            "STAT 1\r\n",
            &[("-ERR", "too many")],
        ),
        case(
            "double space",
            true,
            "RETR  1\r\n",
            &[("-ERR", "one space")],
        ),
        case(
            "TOP negative lines",
            true,
            "TOP 1 -1\r\n",
            &[("-ERR", "number of lines")],
        ),
        // User names that would leave the mail root.
        case(
            "user ../alice",
            false,
            "USER ../alice\r\nPASS wonderland\r\n",
            AUTH_FAILED,
        ),
        case(
            "user /etc/passwd",
            false,
            "USER /etc/passwd\r\nPASS x\r\n",
            AUTH_FAILED,
        ),
        case(
            "user alice/../carol",
            false,
            "USER alice/../carol\r\nPASS c4r0l\r\n",
            AUTH_FAILED,
        ),
        case(
            "user %u",
            false,
            "USER %u\r\nPASS wonderland\r\n",
            AUTH_FAILED,
        ),
        case(
            "user ..",
            false,
            "USER ..\r\nPASS wonderland\r\n",
            AUTH_FAILED,
        ),
        case("user with NUL", false, "USER alice\0/../x\r\n", FORBIDDEN),
    ]
}

/// Runs one case on a fresh connection, then proves the session still
/// works: in TRANSACTION it still lists the one message, before login it
/// still quits cleanly.
async fn run(server: &TestServer, case: &Case) {
    let mut w = server.connect().await;
    if case.logged_in {
        w.greeted_login("alice", "wonderland").await;
    } else {
        assert!(w.line().await.starts_with("+OK"));
    }
    w.send(&case.send).await;
    for (status, words) in case.answers {
        let answer = w.line().await;
        assert!(
            answer.starts_with(status) && answer.to_lowercase().contains(&words.to_lowercase()),
            "{}: expected {status} …{words}…, got {answer:?}",
            case.name
        );
    }
    if case.logged_in {
        let stat = w.ask("STAT").await;
        assert!(stat.starts_with("+OK 1 "), "{}: then {stat:?}", case.name);
    }
    let quit = w.ask("QUIT").await;
    assert!(quit.starts_with("+OK"), "{}: then {quit:?}", case.name);
    assert!(w.until_closed().await.is_empty(), "{}", case.name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_line_gets_its_error_and_the_server_serves_on() {
    let server = TestServer::start(Options::default()).await;
    maildir::deliver(
        &server.maildir("alice"),
        "1700000000.a",
        &maildir::message("a", 300),
    );
    maildir::deliver(
        &server.maildir("carol"),
        "1700000000.c",
        &maildir::message("c", 300),
    );
    for case in cases() {
        run(&server, &case).await;
    }
    server.still_serves().await;
    // No hostile name made a directory anywhere: only the two real
    // users' Maildirs exist.
    let mut made: Vec<String> = std::fs::read_dir(&server.mail_root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    made.sort();
    assert_eq!(made, ["alice", "carol"]);
    assert_eq!(
        std::fs::read_dir(server.dir.path()).unwrap().count(),
        4,
        "users, cert, key and mail only"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_bad_commands_is_cut_off_at_the_limit() {
    let server = TestServer::start(Options::default()).await;
    let mut bystander = server.connect().await;
    assert!(bystander.line().await.starts_with("+OK"));
    // A megabyte of junk commands, read concurrently: the server answers
    // up to its limit, closes, and reads no further.
    let (answers, _) = exchange(server.addr, "FROB\r\n".repeat(200_000)).await;
    let lines: Vec<&str> = answers.lines().collect();
    let limit = pop3_proto::server::ServerConfig::default().max_bad_commands as usize;
    assert_eq!(lines.len(), 1 + limit + 1, "{answers}");
    assert!(lines[0].starts_with("+OK"));
    assert!(lines[1..=limit].iter().all(|l| l.starts_with("-ERR")));
    assert!(
        lines[limit + 1]
            .to_lowercase()
            .contains("too many bad commands")
    );
    // Another session is untouched.
    bystander.ok("USER alice").await;
    drop(bystander);
    server.still_serves().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_pipelined_burst_is_answered_in_order() {
    let server = TestServer::start(Options::default()).await;
    maildir::deliver(
        &server.maildir("alice"),
        "1700000000.a",
        &maildir::message("a", 300),
    );
    let count = 20_000;
    let mut burst = String::from("USER alice\r\nPASS wonderland\r\n");
    for i in 0..count {
        burst.push_str(if i % 2 == 0 { "NOOP\r\n" } else { "LIST 1\r\n" });
    }
    burst.push_str("QUIT\r\n");
    let (answers, sent) = exchange(server.addr, burst).await;
    assert!(sent, "the burst could not be written");
    let lines: Vec<&str> = answers.lines().collect();
    assert_eq!(lines.len(), 3 + count + 1);
    for (i, line) in lines[3..3 + count].iter().enumerate() {
        if i % 2 == 0 {
            assert_eq!(*line, "+OK", "answer {i}");
        } else {
            assert!(line.starts_with("+OK 1 "), "answer {i}: {line}");
        }
    }
    assert!(lines[3 + count].starts_with("+OK"));
    server.still_serves().await;
}

/// Writes `input` in one go while reading every answer until the server
/// closes; returns the answers and whether all of `input` was written.
/// Reading alongside matters: the server stops reading while its answers
/// are not taken.
async fn exchange(addr: std::net::SocketAddr, input: String) -> (String, bool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let reading = tokio::spawn(async move {
        let mut answers = Vec::new();
        let _ = read.read_to_end(&mut answers).await;
        answers
    });
    let sent = write.write_all(input.as_bytes()).await.is_ok();
    let answers = tokio::time::timeout(hardening::wire::READ_LIMIT, reading)
        .await
        .expect("server did not close")
        .unwrap();
    (String::from_utf8(answers).unwrap(), sent)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_after_stls_are_discarded_and_a_second_stls_refused() {
    let server = TestServer::start(Options::default()).await;
    maildir::deliver(
        &server.maildir("alice"),
        "1700000000.a",
        &maildir::message("a", 300),
    );
    let mut w = server.connect().await;
    assert!(w.line().await.starts_with("+OK"));
    // A man in the middle's injection rides along with STLS in one write.
    w.send(b"STLS\r\nUSER alice\r\nPASS wonderland\r\nDELE 1\r\nQUIT\r\n")
        .await;
    assert!(w.line().await.starts_with("+OK"));
    let mut w: Wire = w.upgrade(&server.cert_pem).await;
    // None of it was acted on: no USER is pending, nothing is deleted.
    let pass = w.ask("PASS wonderland").await;
    assert!(pass.starts_with("-ERR"), "{pass}");
    let again = w.ask("STLS").await;
    assert!(again.starts_with("-ERR"), "{again}");
    let capa = String::from_utf8(w.multi("CAPA").await).unwrap();
    assert!(!capa.contains("STLS"), "{capa}");
    w.ok("USER alice").await;
    w.ok("PASS wonderland").await;
    assert!(w.ok("STAT").await.starts_with("+OK 1 "));
    w.ok("QUIT").await;
    assert_eq!(maildir::count(&server.maildir("alice")), 1);
    server.still_serves().await;
}
