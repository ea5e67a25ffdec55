//! Every AUTHORIZATION command and reply shape against a scripted server,
//! and how a refused USER is handled.

use super::*;
use crate::types::{Expire, LangEntry, LangRequest, Mechanism};

const A: SessionState = SessionState::Authorization;
const T: SessionState = SessionState::Transaction;

fn authorization_cases() -> Vec<Case> {
    vec![
        Case {
            name: "CAPA",
            logged_in: false,
            request: Client::capa,
            wire: b"CAPA\r\n",
            server: b"+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN SCRAM-SHA-256\r\n\
RESP-CODES\r\nEXPIRE NEVER\r\nX-PARTY hats\r\n.\r\n",
            events: |id| {
                vec![ok(
                    id,
                    Reply::Capabilities(vec![
                        Capability::Top,
                        Capability::User,
                        Capability::Sasl(vec![Mechanism::Plain, Mechanism::ScramSha256]),
                        Capability::RespCodes,
                        Capability::Expire {
                            policy: Expire::Never,
                            per_user: false,
                        },
                        Capability::Other {
                            tag: "X-PARTY".into(),
                            params: vec!["hats".into()],
                        },
                    ]),
                )]
            },
            state: A,
        },
        Case {
            name: "CAPA refused",
            logged_in: false,
            request: Client::capa,
            wire: b"CAPA\r\n",
            server: b"-ERR unknown command\r\n",
            events: |id| vec![err(id, None, "unknown command")],
            state: A,
        },
        Case {
            name: "USER/PASS",
            logged_in: false,
            request: |c| c.user_pass(user("alice"), b"pass word"),
            wire: b"USER alice\r\nPASS pass word\r\n",
            server: b"+OK send PASS\r\n+OK alice has 2 messages\r\n",
            events: |id| vec![ok(id, Reply::LoggedIn(text("alice has 2 messages")))],
            state: T,
        },
        Case {
            name: "PASS refused, maildrop locked",
            logged_in: false,
            request: |c| c.user_pass(user("alice"), b"secret"),
            wire: b"USER alice\r\nPASS secret\r\n",
            server: b"+OK\r\n-ERR [IN-USE] Do you have another POP session running?\r\n",
            events: |id| {
                vec![err(
                    id,
                    Some(ResponseCode::InUse),
                    "Do you have another POP session running?",
                )]
            },
            state: A,
        },
        Case {
            name: "APOP",
            logged_in: false,
            request: |c| c.apop(user("mrose"), b"tanstaaf"),
            wire: b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
            server: b"+OK mrose's maildrop has 2 messages (320 octets)\r\n",
            events: |id| {
                vec![ok(
                    id,
                    Reply::LoggedIn(text("mrose's maildrop has 2 messages (320 octets)")),
                )]
            },
            state: T,
        },
        Case {
            name: "APOP refused",
            logged_in: false,
            request: |c| c.apop(user("mrose"), b"wrong"),
            wire: b"APOP mrose e578a46980172682bdd742405bfe7df7\r\n",
            server: b"-ERR [AUTH] permission denied\r\n",
            events: |id| vec![err(id, Some(ResponseCode::Auth), "permission denied")],
            state: A,
        },
        Case {
            name: "bare AUTH",
            logged_in: false,
            request: Client::auth_list,
            wire: b"AUTH\r\n",
            server: b"+OK\r\nPLAIN\r\nscram-sha-256\r\nX-OTHER\r\n.\r\n",
            events: |id| {
                vec![ok(
                    id,
                    Reply::Mechanisms(vec![
                        Mechanism::Plain,
                        Mechanism::ScramSha256,
                        Mechanism::Other("X-OTHER".into()),
                    ]),
                )]
            },
            state: A,
        },
        Case {
            name: "UTF8",
            logged_in: false,
            request: Client::utf8,
            wire: b"UTF8\r\n",
            server: b"+OK UTF8 enabled\r\n",
            events: |id| vec![ok(id, Reply::Ok(text("UTF8 enabled")))],
            state: A,
        },
        Case {
            name: "LANG listing",
            logged_in: false,
            request: |c| c.lang(None),
            wire: b"LANG\r\n",
            server: b"+OK Language listing follows\r\nen English\r\nde Deutsch\r\n.\r\n",
            events: |id| {
                vec![ok(
                    id,
                    Reply::Languages(vec![
                        LangEntry {
                            tag: "en".parse().unwrap(),
                            description: text("English"),
                        },
                        LangEntry {
                            tag: "de".parse().unwrap(),
                            description: text("Deutsch"),
                        },
                    ]),
                )]
            },
            state: A,
        },
        Case {
            name: "LANG tag",
            logged_in: false,
            request: |c| c.lang(Some(LangRequest::Tag("en".parse().unwrap()))),
            wire: b"LANG en\r\n",
            server: b"+OK en English\r\n",
            events: |id| vec![ok(id, Reply::Ok(text("en English")))],
            state: A,
        },
        Case {
            name: "LANG *",
            logged_in: false,
            request: |c| c.lang(Some(LangRequest::Wildcard)),
            wire: b"LANG *\r\n",
            server: b"-ERR [UTF8] not now\r\n",
            events: |id| vec![err(id, Some(ResponseCode::Utf8), "not now")],
            state: A,
        },
        Case {
            name: "QUIT in AUTHORIZATION",
            logged_in: false,
            request: Client::quit,
            wire: b"QUIT\r\n",
            server: b"+OK bye\r\n",
            events: |id| vec![ok(id, Reply::Ok(text("bye")))],
            state: SessionState::Closed,
        },
    ]
}

#[test]
fn every_authorization_command_and_reply_shape() {
    for case in &authorization_cases() {
        run(case);
    }
}

#[test]
fn user_refused_without_pipelining_never_sends_pass() {
    let mut client = session(false, false);
    let login = client.user_pass(user("nobody"), b"secret").unwrap();
    let stat = client.stat().unwrap();
    let capa = client.capa().unwrap();
    assert_eq!(sent(&mut client), b"USER nobody\r\n");
    let written = feed(&mut client, b"-ERR [AUTH] no such user\r\n");
    assert_eq!(written, b"CAPA\r\n", "no PASS, and STAT was cancelled");
    assert_eq!(
        drain(&mut client),
        vec![
            err(login, Some(ResponseCode::Auth), "no such user"),
            ClientEvent::Cancelled { id: stat },
        ]
    );
    feed(&mut client, b"+OK\r\n.\r\n");
    assert_eq!(
        drain(&mut client),
        vec![ok(capa, Reply::Capabilities(vec![]))]
    );
    assert_eq!(client.state(), SessionState::Authorization);
}

#[test]
fn user_refused_with_pipelining_drops_the_pass_reply() {
    for how in [Feed::Whole, Feed::ByteByByte] {
        let mut client = session(true, false);
        let login = client.user_pass(user("nobody"), b"secret").unwrap();
        let noop = client.noop().unwrap();
        let capa = client.capa().unwrap();
        assert_eq!(
            sent(&mut client),
            b"USER nobody\r\nPASS secret\r\nNOOP\r\nCAPA\r\n"
        );
        let server: &[u8] = b"-ERR [AUTH] no such user\r\n-ERR send USER first\r\n\
-ERR not logged in\r\n+OK\r\nUSER\r\n.\r\n";
        match how {
            Feed::ByteByByte => server.iter().for_each(|b| {
                client.handle_input(&[*b]).unwrap();
            }),
            _ => client.handle_input(server).unwrap(),
        }
        assert_eq!(
            drain(&mut client),
            vec![
                err(login, Some(ResponseCode::Auth), "no such user"),
                err(noop, None, "not logged in"),
                ok(capa, Reply::Capabilities(vec![Capability::User])),
            ],
            "{how:?}"
        );
        assert!(client.is_idle());
        assert!(
            !client.pipelining_allowed(),
            "the new CAPA replaced the old"
        );
    }
}

#[test]
fn server_error_helpers() {
    let e = |code| ServerError {
        code,
        text: text("x"),
    };
    for code in [
        ResponseCode::InUse,
        ResponseCode::LoginDelay,
        ResponseCode::SysTemp,
    ] {
        assert!(e(Some(code.clone())).is_temporary(), "{code}");
        assert!(!e(Some(code)).is_auth());
    }
    assert!(e(Some(ResponseCode::Auth)).is_auth());
    assert!(!e(Some(ResponseCode::Auth)).is_temporary());
    assert!(e(Some(ResponseCode::SysPerm)).is_permanent());
    assert!(!e(None).is_temporary() && !e(None).is_auth() && !e(None).is_permanent());
    assert_eq!(e(Some(ResponseCode::InUse)).to_string(), "-ERR [IN-USE] x");
    assert_eq!(e(None).to_string(), "-ERR x");
}
