//! Every TRANSACTION command and reply shape against a scripted server.

use super::*;
use crate::types::{Command, ScanListing, UidListing};

const T: SessionState = SessionState::Transaction;

fn scan(number: u32, size: u64) -> ScanListing {
    ScanListing {
        number: n(number),
        size,
    }
}

fn uid(number: u32, uid: &str) -> UidListing {
    UidListing {
        number: n(number),
        uid: uid.parse().unwrap(),
    }
}

fn transaction_cases() -> Vec<Case> {
    vec![
        Case {
            name: "STAT",
            logged_in: true,
            request: Client::stat,
            wire: b"STAT\r\n",
            server: b"+OK 2 320\r\n",
            events: |id| {
                vec![ok(
                    id,
                    Reply::Stat {
                        count: 2,
                        size: 320,
                    },
                )]
            },
            state: T,
        },
        Case {
            name: "STAT of an empty maildrop, extra text",
            logged_in: true,
            request: Client::stat,
            wire: b"STAT\r\n",
            server: b"+ok 0 0 nothing here\r\n",
            events: |id| vec![ok(id, Reply::Stat { count: 0, size: 0 })],
            state: T,
        },
        Case {
            name: "STAT refused",
            logged_in: true,
            request: Client::stat,
            wire: b"STAT\r\n",
            server: b"-ERR [SYS/TEMP] try later\r\n",
            events: |id| vec![err(id, Some(ResponseCode::SysTemp), "try later")],
            state: T,
        },
        Case {
            name: "LIST",
            logged_in: true,
            request: |c| c.list(None),
            wire: b"LIST\r\n",
            server: b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
            events: |id| vec![ok(id, Reply::ScanList(vec![scan(1, 120), scan(2, 200)]))],
            state: T,
        },
        Case {
            name: "LIST of nothing, LF line endings",
            logged_in: true,
            request: |c| c.list(None),
            wire: b"LIST\r\n",
            server: b"+OK\n.\n",
            events: |id| vec![ok(id, Reply::ScanList(vec![]))],
            state: T,
        },
        Case {
            name: "LIST msg",
            logged_in: true,
            request: |c| c.list(Some(n(2))),
            wire: b"LIST 2\r\n",
            server: b"+OK 2 200\r\n",
            events: |id| vec![ok(id, Reply::Scan(scan(2, 200)))],
            state: T,
        },
        Case {
            name: "LIST of a missing message",
            logged_in: true,
            request: |c| c.list(Some(n(3))),
            wire: b"LIST 3\r\n",
            server: b"-ERR no such message, only 2 messages in maildrop\r\n",
            events: |id| {
                vec![err(
                    id,
                    None,
                    "no such message, only 2 messages in maildrop",
                )]
            },
            state: T,
        },
        Case {
            name: "UIDL",
            logged_in: true,
            request: |c| c.uidl(None),
            wire: b"UIDL\r\n",
            server: b"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n",
            events: |id| {
                vec![ok(
                    id,
                    Reply::UidList(vec![
                        uid(1, "whqtswO00WBw418f9t5JxYwZ"),
                        uid(2, "QhdPYR:00WBw1Ph7x7"),
                    ]),
                )]
            },
            state: T,
        },
        Case {
            name: "UIDL msg",
            logged_in: true,
            request: |c| c.uidl(Some(n(2))),
            wire: b"UIDL 2\r\n",
            server: b"+OK 2 QhdPYR:00WBw1Ph7x7\r\n",
            events: |id| vec![ok(id, Reply::Uid(uid(2, "QhdPYR:00WBw1Ph7x7")))],
            state: T,
        },
        Case {
            name: "RETR",
            logged_in: true,
            request: |c| c.retr(n(1)),
            wire: b"RETR 1\r\n",
            server: b"+OK 120 octets\r\nSubject: x\r\n\r\n..dot\r\n..\r\n.\r\n",
            events: |id| {
                vec![
                    ok(
                        id,
                        Reply::BodyStart {
                            size_hint: Some(120),
                            text: text("120 octets"),
                        },
                    ),
                    body(id, b"Subject: x\r\n\r\n.dot\r\n.\r\n"),
                    ClientEvent::BodyEnd { id },
                ]
            },
            state: T,
        },
        Case {
            name: "RETR of an empty message, sloppy LF terminator",
            logged_in: true,
            request: |c| c.retr(n(1)),
            wire: b"RETR 1\r\n",
            server: b"+OK message follows\r\n.\n",
            events: |id| {
                vec![
                    ok(
                        id,
                        Reply::BodyStart {
                            size_hint: None,
                            text: text("message follows"),
                        },
                    ),
                    ClientEvent::BodyEnd { id },
                ]
            },
            state: T,
        },
        Case {
            name: "RETR keeps bare LF, NUL and bare CR as received",
            logged_in: true,
            request: |c| c.retr(n(2)),
            wire: b"RETR 2\r\n",
            server: b"+OK\r\na\nb\0c\rd\r\n.\r\n",
            events: |id| {
                vec![
                    ok(
                        id,
                        Reply::BodyStart {
                            size_hint: None,
                            text: text(""),
                        },
                    ),
                    body(id, b"a\nb\0c\rd\r\n"),
                    ClientEvent::BodyEnd { id },
                ]
            },
            state: T,
        },
        Case {
            name: "RETR refused",
            logged_in: true,
            request: |c| c.retr(n(9)),
            wire: b"RETR 9\r\n",
            server: b"-ERR no such message\r\n",
            events: |id| vec![err(id, None, "no such message")],
            state: T,
        },
        Case {
            name: "TOP",
            logged_in: true,
            request: |c| c.top(n(1), 0),
            wire: b"TOP 1 0\r\n",
            server: b"+OK\r\nSubject: x\r\n\r\n.\r\n",
            events: |id| {
                vec![
                    ok(
                        id,
                        Reply::BodyStart {
                            size_hint: None,
                            text: text(""),
                        },
                    ),
                    body(id, b"Subject: x\r\n\r\n"),
                    ClientEvent::BodyEnd { id },
                ]
            },
            state: T,
        },
        Case {
            name: "DELE",
            logged_in: true,
            request: |c| c.dele(n(1)),
            wire: b"DELE 1\r\n",
            server: b"+OK message 1 deleted\r\n",
            events: |id| vec![ok(id, Reply::Ok(text("message 1 deleted")))],
            state: T,
        },
        Case {
            name: "DELE twice",
            logged_in: true,
            request: |c| c.dele(n(1)),
            wire: b"DELE 1\r\n",
            server: b"-ERR message 1 already deleted\r\n",
            events: |id| vec![err(id, None, "message 1 already deleted")],
            state: T,
        },
        Case {
            name: "RSET",
            logged_in: true,
            request: Client::rset,
            wire: b"RSET\r\n",
            server: b"+OK maildrop has 2 messages (320 octets)\r\n",
            events: |id| {
                vec![ok(
                    id,
                    Reply::Ok(text("maildrop has 2 messages (320 octets)")),
                )]
            },
            state: T,
        },
        Case {
            name: "NOOP",
            logged_in: true,
            request: Client::noop,
            wire: b"NOOP\r\n",
            server: b"+OK\r\n",
            events: |id| vec![ok(id, Reply::Ok(text("")))],
            state: T,
        },
        Case {
            name: "raw send",
            logged_in: true,
            request: |c| c.send(Command::Uidl(Some(n(1)))),
            wire: b"UIDL 1\r\n",
            server: b"+OK 1 abc\r\n",
            events: |id| vec![ok(id, Reply::Uid(uid(1, "abc")))],
            state: T,
        },
        Case {
            name: "QUIT, commit failed",
            logged_in: true,
            request: Client::quit,
            wire: b"QUIT\r\n",
            server: b"-ERR [SYS/TEMP] some deleted messages not removed\r\n",
            events: |id| {
                vec![err(
                    id,
                    Some(ResponseCode::SysTemp),
                    "some deleted messages not removed",
                )]
            },
            state: SessionState::Closed,
        },
        Case {
            name: "QUIT",
            logged_in: true,
            request: Client::quit,
            wire: b"QUIT\r\n",
            server: b"+OK dewey POP3 server signing off (maildrop empty)\r\n",
            events: |id| {
                vec![ok(
                    id,
                    Reply::Ok(text("dewey POP3 server signing off (maildrop empty)")),
                )]
            },
            state: SessionState::Closed,
        },
    ]
}

#[test]
fn every_transaction_command_and_reply_shape() {
    for case in &transaction_cases() {
        run(case);
    }
}
