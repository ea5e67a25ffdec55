//! The server configuration and maildrop a run starts from, chosen by the
//! tape.

use std::time::Duration;

use pop3_proto::body::{DotStuffer, wire_size};
use pop3_proto::server::{ConnectionParams, Maildrop, MessageEntry, ServerConfig, TlsMode};
use pop3_proto::types::{Expire, Mechanism, Text, Uid};

use crate::tape::Tape;

/// A line of 400 octets: dot-stuffed with CRLF it is still within the
/// 512-octet response limit, so every output line can be checked.
const LONG_LINE: &[u8] = &[b'x'; 400];

/// Stored messages with the edge cases of the wire form: empty, a lone
/// dot, dots to stuff, bare CR, bare LF, NUL, no final line ending.
const BODIES: [&[u8]; 11] = [
    b"Subject: one\r\n\r\nHello\r\n",
    b"",
    b".",
    b".\r\n",
    b"..\n.\n...\r\n",
    b"Subject: x\n\n.hidden\nlast",
    b"a\r",
    b"\r\n\r\n\r\n",
    b"x\0y\r\n.\r\n.\n",
    b"From: a\r\nTo: b\r\n\r\nl1\r\nl2\r\n.l3\r\nl4\r\n",
    LONG_LINE,
];

/// Unique-ids at the edges of the grammar: long, short, punctuation.
const UIDS: [&str; 6] = [
    "whqtswO00WBw418f9t5JxYwZ",
    "QhdPYR:00WBw1Ph7x7",
    "!",
    "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
    "a.b-c_d",
    "1",
];

/// The mechanisms a configuration may offer, one tape bit each.
fn mechanism_choices() -> [Mechanism; 7] {
    [
        Mechanism::ScramSha256,
        Mechanism::CramMd5,
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::OAuthBearer,
        Mechanism::XOAuth2,
        Mechanism::Other("X-UNKNOWN".into()),
    ]
}

/// One stored message and what the snapshot says about it.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) data: Vec<u8>,
    pub(crate) listed: u64,
    pub(crate) uid: Uid,
}

impl Message {
    /// What RETR or `TOP lines` must send after its `+OK` line.
    pub(crate) fn expected_body(&self, top: Option<u32>) -> Vec<u8> {
        let mut stuffer = top.map_or_else(DotStuffer::new, DotStuffer::top);
        let mut out = bytes::BytesMut::new();
        stuffer.encode(&self.data, &mut out);
        stuffer.finish(&mut out);
        out.to_vec()
    }
}

/// Everything fixed at the start of a run.
pub(crate) struct Setup {
    pub(crate) config: ServerConfig,
    pub(crate) params: ConnectionParams,
    pub(crate) messages: Vec<Message>,
}

impl Setup {
    pub(crate) fn from_tape(tape: &mut Tape) -> Self {
        let flags = tape.byte();
        let tls = match flags % 3 {
            0 => TlsMode::StlsAvailable,
            1 => TlsMode::Implicit,
            _ => TlsMode::None,
        };
        let or_default = |b: u8, default, f: &dyn Fn(u8) -> usize| {
            if b == 0 { default } else { f(b) }
        };
        let bad = tape.byte();
        let failures = tape.byte();
        let high_water = tape.byte();
        let command_line = tape.byte();
        let sasl_line = tape.byte();
        let mechanisms = tape.byte();
        let config = ServerConfig {
            greeting: Text::truncated("POP3 server ready", 100),
            implementation: Some(Text::truncated("pop3-fuzz", 100)),
            apop: flags & 0x08 == 0,
            mechanisms: mechanism_choices()
                .into_iter()
                .enumerate()
                .filter(|(i, _)| mechanisms == 0 || mechanisms & (1 << i) != 0)
                .map(|(_, m)| m)
                .collect(),
            user_pass: flags & 0x20 == 0,
            utf8: flags & 0x10 == 0,
            login_delay: (flags & 0x40 != 0).then_some(60),
            expire: (flags & 0x80 != 0).then_some(Expire::Never),
            autologout: Duration::from_secs(600),
            login_timeout: match failures >> 4 & 3 {
                0 => Some(Duration::from_secs(600)),
                1 => None,
                2 => Some(Duration::from_secs(30)),
                _ => Some(Duration::from_secs(1)),
            },
            max_bad_commands: if bad == 0 { 20 } else { u32::from(bad % 32) },
            max_login_failures: if failures == 0 {
                3
            } else {
                u32::from(failures % 8)
            },
            max_command_line: or_default(command_line, 1024, &|b| 255 + usize::from(b)),
            max_sasl_line: or_default(sasl_line, 16 * 1024, &|b| 256 + usize::from(b) * 64),
            secret_seed: [9; 32],
            scram_iterations: 1,
            output_high_water: or_default(high_water, 64 * 1024, &|b| usize::from(b) * 16),
            ..ServerConfig::default()
        };
        let params = ConnectionParams {
            tls,
            cleartext_without_tls: flags & 0x04 == 0,
            apop_timestamp: Some("<1896.697170952@dbc.mtview.ca.us>".into()),
            random: [tape.byte(); 32],
        };
        let count = tape.pick(7);
        let messages = (0..count)
            .map(|i| {
                let data = BODIES
                    .get(tape.pick(BODIES.len()))
                    .copied()
                    .unwrap_or_default()
                    .to_vec();
                let mismatch = u64::from(tape.one_in(16));
                let uid = UIDS.get(i).copied().unwrap_or("uid");
                Message {
                    listed: wire_size(&data) + mismatch,
                    data,
                    uid: Uid::try_from(uid).expect("valid unique-id"),
                }
            })
            .collect();
        Self {
            config,
            params,
            messages,
        }
    }

    /// The snapshot handed over at every successful login.
    pub(crate) fn maildrop(&self) -> Maildrop {
        let entries = self
            .messages
            .iter()
            .map(|m| MessageEntry {
                size: m.listed,
                uid: m.uid.clone(),
            })
            .collect();
        Maildrop::new(entries).expect("unique-ids are unique")
    }

    /// The most output one input line may cause: a few status lines, a
    /// CAPA or mechanism listing, a whole LIST or UIDL listing, the
    /// longest body, and a SASL challenge echoing a client nonce.
    pub(crate) fn output_bound(&self) -> usize {
        let longest_body = self
            .messages
            .iter()
            .map(|m| m.expected_body(None).len())
            .max()
            .unwrap_or(0);
        8 * 1024 + self.messages.len() * 100 + longest_body + self.continuation_bound()
    }

    /// The longest SASL continuation line the server may write: the
    /// SCRAM server-first message repeats the client's nonce, which is
    /// bounded by the longest SASL line the server reads.
    pub(crate) fn continuation_bound(&self) -> usize {
        self.config.max_sasl_line + 256
    }
}
