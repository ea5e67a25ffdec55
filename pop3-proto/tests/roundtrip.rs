//! Property tests: every command and response encodes to bytes that parse
//! back to the same value, whatever the chunking of the parser's input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bytes::BytesMut;
use pop3_proto::types::{
    ApopDigest, AuthStart, Capability, Command, Expire, Keyword, LangEntry, LangRequest, Mechanism,
    MessageNumber, Response, ResponseCode, ResponseKind, SaslResponse, ScanListing, Secret, Status,
    Text, Uid, UidListing, Username,
};
use pop3_proto::{encode, parse};
use proptest::prelude::*;

fn number() -> impl Strategy<Value = MessageNumber> {
    prop_oneof![1u32..20, Just(u32::MAX), 1u32..].prop_map(|n| MessageNumber::new(n).unwrap())
}

fn username() -> impl Strategy<Value = Username> {
    "[a-zA-Z0-9._@+-]([a-zA-Z0-9._@+ ü-]{0,30}[a-zA-Z0-9._@+ü-])?"
        .prop_map(|s| Username::try_from(s).unwrap())
}

fn mechanism() -> impl Strategy<Value = Mechanism> {
    prop_oneof![
        Just(Mechanism::Plain),
        Just(Mechanism::Login),
        Just(Mechanism::CramMd5),
        Just(Mechanism::ScramSha256),
        Just(Mechanism::OAuthBearer),
        Just(Mechanism::XOAuth2),
        "X-[A-Z0-9_-]{1,18}".prop_map(|s| s.parse().unwrap()),
    ]
}

fn password() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        any::<u8>().prop_filter("line safe", |b| !matches!(b, 0 | b'\r' | b'\n')),
        1..100,
    )
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        username().prop_map(Command::User),
        password().prop_map(|p| Command::Pass(Secret::new(p))),
        (username(), any::<[u8; 16]>()).prop_map(|(name, d)| Command::Apop {
            name,
            digest: ApopDigest(d)
        }),
        Just(Command::Auth(None)),
        (
            mechanism(),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..200))
        )
            .prop_map(|(mechanism, ir)| Command::Auth(Some(AuthStart {
                mechanism,
                initial_response: ir.map(Secret::new),
            }))),
        Just(Command::Capa),
        Just(Command::Stls),
        Just(Command::Utf8),
        Just(Command::Lang(None)),
        Just(Command::Lang(Some(LangRequest::Wildcard))),
        "[a-z]{1,8}(-[a-z0-9]{1,8}){0,2}"
            .prop_map(|t| Command::Lang(Some(LangRequest::Tag(t.parse().unwrap())))),
        Just(Command::Stat),
        proptest::option::of(number()).prop_map(Command::List),
        number().prop_map(Command::Retr),
        number().prop_map(Command::Dele),
        Just(Command::Noop),
        Just(Command::Rset),
        (number(), any::<u32>()).prop_map(|(msg, lines)| Command::Top { msg, lines }),
        proptest::option::of(number()).prop_map(Command::Uidl),
        Just(Command::Quit),
    ]
}

/// Text that does not start with something shaped like a response code.
fn text() -> impl Strategy<Value = Text> {
    "([^\\[\r\n\0][^\r\n\0]{0,60})?".prop_map(|s| Text::try_from(s).unwrap())
}

fn code() -> impl Strategy<Value = ResponseCode> {
    prop_oneof![
        Just(ResponseCode::InUse),
        Just(ResponseCode::LoginDelay),
        Just(ResponseCode::SysTemp),
        Just(ResponseCode::SysPerm),
        Just(ResponseCode::Auth),
        Just(ResponseCode::Utf8),
        "X-[A-Z0-9]{1,8}(/[A-Z0-9-]{1,8}){0,2}".prop_map(|s| s.parse().unwrap()),
    ]
}

fn uid() -> impl Strategy<Value = Uid> {
    "[!-~]{1,70}".prop_map(|s| Uid::try_from(s).unwrap())
}

fn capability() -> impl Strategy<Value = Capability> {
    let known = [
        "TOP",
        "USER",
        "UIDL",
        "RESP-CODES",
        "AUTH-RESP-CODE",
        "PIPELINING",
        "STLS",
        "SASL",
        "LOGIN-DELAY",
        "EXPIRE",
        "UTF8",
        "LANG",
        "IMPLEMENTATION",
    ];
    prop_oneof![
        Just(Capability::Top),
        Just(Capability::User),
        Just(Capability::Uidl),
        Just(Capability::RespCodes),
        Just(Capability::AuthRespCode),
        Just(Capability::Pipelining),
        Just(Capability::Stls),
        Just(Capability::Lang),
        proptest::collection::vec(mechanism(), 0..6).prop_map(Capability::Sasl),
        (any::<u32>(), any::<bool>())
            .prop_map(|(seconds, per_user)| Capability::LoginDelay { seconds, per_user }),
        (proptest::option::of(any::<u32>()), any::<bool>()).prop_map(|(days, per_user)| {
            Capability::Expire {
                policy: days.map_or(Expire::Never, Expire::Days),
                per_user,
            }
        }),
        any::<bool>().prop_map(|user| Capability::Utf8 { user }),
        text().prop_map(Capability::Implementation),
        ("[!-~]{1,12}", proptest::collection::vec("[!-~]{1,8}", 0..4))
            .prop_filter("not a known tag", move |(tag, _)| {
                !known.iter().any(|k| k.eq_ignore_ascii_case(tag))
            })
            .prop_map(|(tag, params)| Capability::Other {
                tag: tag.into(),
                params: params.into_iter().map(Into::into).collect(),
            }),
    ]
}

fn response() -> impl Strategy<Value = (Response, ResponseKind)> {
    prop_oneof![
        (any::<bool>(), proptest::option::of(code()), text()).prop_map(|(ok, code, text)| (
            Response::Status(Status { ok, code, text }),
            ResponseKind::Status
        )),
        (any::<u32>(), any::<u64>())
            .prop_map(|(count, size)| (Response::Stat { count, size }, ResponseKind::Stat)),
        (number(), any::<u64>()).prop_map(|(number, size)| {
            (
                Response::Scan(ScanListing { number, size }),
                ResponseKind::Scan,
            )
        }),
        (
            text(),
            proptest::collection::vec((number(), any::<u64>()), 0..30)
        )
            .prop_map(|(text, e)| {
                let entries = e
                    .into_iter()
                    .map(|(number, size)| ScanListing { number, size })
                    .collect();
                (Response::ScanList { text, entries }, ResponseKind::ScanList)
            }),
        (number(), uid()).prop_map(|(number, uid)| {
            (Response::Uid(UidListing { number, uid }), ResponseKind::Uid)
        }),
        (text(), proptest::collection::vec((number(), uid()), 0..30)).prop_map(|(text, e)| {
            let entries = e
                .into_iter()
                .map(|(number, uid)| UidListing { number, uid })
                .collect();
            (Response::UidList { text, entries }, ResponseKind::UidList)
        }),
        (text(), proptest::collection::vec(capability(), 0..20)).prop_map(
            |(text, capabilities)| {
                (
                    Response::Capabilities { text, capabilities },
                    ResponseKind::Capabilities,
                )
            }
        ),
        (
            text(),
            proptest::collection::vec(("[a-z]{2,3}", text()), 0..5)
        )
            .prop_map(|(text, e)| {
                let entries = e
                    .into_iter()
                    .map(|(tag, description)| LangEntry {
                        tag: tag.parse().unwrap(),
                        description,
                    })
                    .collect();
                (
                    Response::Languages { text, entries },
                    ResponseKind::Languages,
                )
            }),
        (text(), proptest::collection::vec(mechanism(), 0..8)).prop_map(|(text, mechanisms)| {
            (
                Response::Mechanisms { text, mechanisms },
                ResponseKind::Mechanisms,
            )
        }),
        proptest::collection::vec(any::<u8>(), 0..300)
            .prop_map(|d| (Response::Continuation(d), ResponseKind::SaslStep)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn command_encode_parse(cmd in command()) {
        let mut out = BytesMut::new();
        encode::command(&cmd, &mut out);
        prop_assert!(out.ends_with(b"\r\n"));
        let line = &out[..out.len() - 2];
        prop_assert_eq!(parse::command(line), Ok(cmd.clone()));
        // TryFrom takes the line with its CRLF, with a bare LF, or bare.
        prop_assert_eq!(Command::try_from(&out[..]), Ok(cmd.clone()));
        prop_assert_eq!(Command::try_from([line, b"\n"].concat().as_slice()), Ok(cmd.clone()));
        prop_assert_eq!(Command::try_from(line), Ok(cmd.clone()));
        // The keyword on the wire is the command's Keyword.
        let word = line.split(|b| *b == b' ').next().unwrap();
        prop_assert_eq!(Keyword::try_from(word), Ok(Keyword::from(&cmd)));
        // A second line after the first is never taken as part of it.
        let mut two = out.to_vec();
        two.extend_from_slice(b"NOOP\r\n");
        prop_assert!(Command::try_from(two.as_slice()).is_err());
    }

    #[test]
    fn capability_encode_parse(capability in capability()) {
        let mut out = BytesMut::new();
        encode::capability_line(&capability, &mut out);
        prop_assert!(out.ends_with(b"\r\n"));
        let line = &out[..out.len() - 2];
        prop_assert_eq!(parse::capability_line(line), Ok(capability.clone()));
        prop_assert_eq!(Capability::try_from(&out[..]), Ok(capability.clone()));
        prop_assert_eq!(Capability::try_from(line), Ok(capability));
    }

    #[test]
    fn sasl_response_encode_parse(data in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..300))) {
        let response = data.map_or(SaslResponse::Cancel, |d| SaslResponse::Data(Secret::new(d)));
        let mut out = BytesMut::new();
        encode::sasl_response(&response, &mut out);
        prop_assert_eq!(parse::sasl_response(&out[..out.len() - 2]), Ok(response));
    }

    #[test]
    fn response_encode_parse((response, kind) in response(), junk in "[ -~]{0,20}") {
        let mut out = BytesMut::new();
        encode::response(&response, &mut out);
        let len = out.len();
        // Whole: exactly the response is consumed.
        let (parsed, used) = parse::response(kind, &out, 8192).unwrap().unwrap();
        prop_assert_eq!(&parsed, &response);
        prop_assert_eq!(used, len);
        // With trailing data: the same, and the rest is left alone.
        out.extend_from_slice(junk.as_bytes());
        let (parsed, used) = parse::response(kind, &out, 8192).unwrap().unwrap();
        prop_assert_eq!(&parsed, &response);
        prop_assert_eq!(used, len);
        // TryFrom wants exactly one response: trailing data is refused.
        if !junk.is_empty() {
            prop_assert!(Response::try_from((kind, &out[..])).is_err());
        }
        // Every strict prefix is incomplete, never an error or a wrong value.
        for cut in 0..len {
            prop_assert_eq!(parse::response(kind, &out[..cut], 8192), Ok(None), "prefix {}", cut);
        }
        // TryFrom takes the whole response, with or without its last CRLF.
        prop_assert_eq!(Response::try_from((kind, &out[..len])), Ok(response.clone()));
        prop_assert_eq!(Response::try_from((kind, &out[..len - 2])), Ok(response));
    }

    #[test]
    fn command_parser_never_panics(line in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse::command(&line);
        let _ = parse::sasl_response(&line);
    }

    #[test]
    fn response_parsers_never_panic(input in proptest::collection::vec(any::<u8>(), 0..300)) {
        for kind in [ResponseKind::Status, ResponseKind::Stat, ResponseKind::Scan, ResponseKind::ScanList,
            ResponseKind::Uid, ResponseKind::UidList, ResponseKind::Capabilities,
            ResponseKind::Languages, ResponseKind::Mechanisms, ResponseKind::SaslStep] {
            let _ = parse::response(kind, &input, 512);
        }
    }
}
