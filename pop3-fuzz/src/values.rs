//! Valid protocol values built from fuzz bytes.
//!
//! pop3-proto's types validate on construction and do not implement
//! `Arbitrary`, so these builders map raw bytes into each type's grammar
//! (replacing what the grammar forbids) and construct through the public
//! API; a value that still fails validation ends the input early.

use libfuzzer_sys::arbitrary::{Error, Result, Unstructured};
use pop3_proto::types::{
    ApopDigest, AuthStart, Capability, Command, Expire, LangEntry, LangRequest, LanguageTag,
    Mechanism, MessageNumber, Response, ResponseCode, ResponseKind, ScanListing, Secret, Status,
    Text, Uid, UidListing, Username,
};

/// CAPA tags with a meaning of their own; `Capability::Other` must not
/// use them or it would read back as the known capability.
const KNOWN_TAGS: [&str; 13] = [
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

fn invalid<T, E>(_: E) -> Result<T> {
    Err(Error::IncorrectFormat)
}

/// Up to `max` raw bytes.
fn bytes<'a>(u: &mut Unstructured<'a>, max: usize) -> Result<&'a [u8]> {
    let len = u.int_in_range(0..=max)?;
    u.bytes(len)
}

/// Bytes mapped into `lo..=hi` (inclusive), at least `min` of them.
fn ranged(u: &mut Unstructured<'_>, min: usize, max: usize, lo: u8, hi: u8) -> Result<Vec<u8>> {
    let len = u.int_in_range(min..=max)?;
    let span = u16::from(hi - lo) + 1;
    Ok(u.bytes(len)?
        .iter()
        .map(|b| {
            let offset = u16::from(*b) % span;
            lo + u8::try_from(offset).unwrap_or(0)
        })
        .collect())
}

/// A message number.
pub fn number(u: &mut Unstructured<'_>) -> Result<MessageNumber> {
    let n = if u.arbitrary()? {
        u.int_in_range(1..=20)?
    } else {
        u.int_in_range(1..=u32::MAX)?
    };
    MessageNumber::new(n).ok_or(Error::IncorrectFormat)
}

/// A user name: UTF-8 with controls replaced and the ends trimmed.
pub fn username(u: &mut Unstructured<'_>) -> Result<Username> {
    let raw = String::from_utf8_lossy(bytes(u, 60)?).into_owned();
    let clean: String = raw
        .chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect();
    let trimmed = clean.trim_matches(' ');
    let name = if trimmed.is_empty() { "u" } else { trimmed };
    Username::try_from(name).or_else(invalid)
}

/// Status or listing text: UTF-8 with CR, LF and NUL replaced.
pub fn text(u: &mut Unstructured<'_>) -> Result<Text> {
    let raw = String::from_utf8_lossy(bytes(u, 80)?).into_owned();
    Ok(Text::truncated(&raw, usize::MAX))
}

/// Whether `text`, written right after a status with no code, would read
/// back as a response code (the documented ambiguity of `Status`).
pub fn looks_like_code(text: &Text) -> bool {
    let s = text.as_str();
    let Some(rest) = s.strip_prefix('[') else {
        return false;
    };
    rest.split_once(']')
        .is_some_and(|(code, _)| ResponseCode::try_from(code.as_bytes()).is_ok())
}

/// Text that reads back as itself after `+OK` with no code.
pub fn plain_text(u: &mut Unstructured<'_>) -> Result<Text> {
    let t = text(u)?;
    if looks_like_code(&t) {
        Err(Error::IncorrectFormat)
    } else {
        Ok(t)
    }
}

/// A SASL mechanism: one of the named ones or another valid name.
pub fn mechanism(u: &mut Unstructured<'_>) -> Result<Mechanism> {
    Ok(match u.int_in_range(0..=6)? {
        0 => Mechanism::Plain,
        1 => Mechanism::Login,
        2 => Mechanism::CramMd5,
        3 => Mechanism::ScramSha256,
        4 => Mechanism::OAuthBearer,
        5 => Mechanism::XOAuth2,
        _ => {
            let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let name: Vec<u8> = ranged(u, 1, 20, 0, 63)?
                .iter()
                .filter_map(|i| alphabet.get(usize::from(*i)).copied())
                .collect();
            Mechanism::try_from(name.as_slice()).or_else(invalid)?
        }
    })
}

/// A response code: one of the named ones or another valid code.
pub fn code(u: &mut Unstructured<'_>) -> Result<ResponseCode> {
    Ok(match u.int_in_range(0..=6)? {
        0 => ResponseCode::InUse,
        1 => ResponseCode::LoginDelay,
        2 => ResponseCode::SysTemp,
        3 => ResponseCode::SysPerm,
        4 => ResponseCode::Auth,
        5 => ResponseCode::Utf8,
        _ => {
            let raw = ranged(u, 1, 64, 0x21, 0x7e)?;
            ResponseCode::try_from(raw.as_slice()).or_else(invalid)?
        }
    })
}

/// A unique-id: 1 to 70 octets of 0x21..=0x7E.
pub fn uid(u: &mut Unstructured<'_>) -> Result<Uid> {
    let raw = ranged(u, 1, Uid::MAX_LEN, 0x21, 0x7e)?;
    Uid::try_from(raw.as_slice()).or_else(invalid)
}

/// A language tag.
pub fn language(u: &mut Unstructured<'_>) -> Result<LanguageTag> {
    let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
    let first = alphabet
        .get(usize::from(u.int_in_range(0u8..=51)?))
        .copied()
        .unwrap_or(b'a');
    let mut tag = vec![first];
    tag.extend(
        ranged(u, 0, LanguageTag::MAX_LEN - 1, 0, 62)?
            .iter()
            .filter_map(|i| alphabet.get(usize::from(*i)).copied()),
    );
    LanguageTag::try_from(tag.as_slice()).or_else(invalid)
}

/// A word of printable ASCII without spaces.
fn word(u: &mut Unstructured<'_>, max: usize) -> Result<String> {
    let raw = ranged(u, 1, max, 0x21, 0x7e)?;
    String::from_utf8(raw).or_else(invalid)
}

/// A CAPA line's capability.
pub fn capability(u: &mut Unstructured<'_>) -> Result<Capability> {
    Ok(match u.int_in_range(0..=13)? {
        0 => Capability::Top,
        1 => Capability::User,
        2 => Capability::Uidl,
        3 => Capability::RespCodes,
        4 => Capability::AuthRespCode,
        5 => Capability::Pipelining,
        6 => Capability::Stls,
        7 => Capability::Lang,
        8 => {
            let n = u.int_in_range(0..=6)?;
            Capability::Sasl((0..n).map(|_| mechanism(u)).collect::<Result<_>>()?)
        }
        9 => Capability::LoginDelay {
            seconds: u.arbitrary()?,
            per_user: u.arbitrary()?,
        },
        10 => Capability::Expire {
            policy: match u.arbitrary::<Option<u32>>()? {
                Some(days) => Expire::Days(days),
                None => Expire::Never,
            },
            per_user: u.arbitrary()?,
        },
        11 => Capability::Utf8 {
            user: u.arbitrary()?,
        },
        12 => Capability::Implementation(text(u)?),
        _ => {
            let tag = word(u, 16)?;
            if KNOWN_TAGS.iter().any(|k| k.eq_ignore_ascii_case(&tag)) {
                return Err(Error::IncorrectFormat);
            }
            let n = u.int_in_range(0..=4)?;
            let params = (0..n)
                .map(|_| word(u, 10).map(String::into_boxed_str))
                .collect::<Result<_>>()?;
            Capability::Other {
                tag: tag.into_boxed_str(),
                params,
            }
        }
    })
}

/// A command, any of them, with valid arguments.
pub fn command(u: &mut Unstructured<'_>) -> Result<Command> {
    let optional = |u: &mut Unstructured<'_>| -> Result<Option<MessageNumber>> {
        if u.arbitrary()? {
            number(u).map(Some)
        } else {
            Ok(None)
        }
    };
    Ok(match u.int_in_range(0..=19)? {
        0 => Command::User(username(u)?),
        1 => {
            let password: Vec<u8> = bytes(u, 120)?
                .iter()
                .map(|b| {
                    if matches!(b, 0 | b'\r' | b'\n') {
                        b'x'
                    } else {
                        *b
                    }
                })
                .collect();
            if password.is_empty() {
                return Err(Error::IncorrectFormat);
            }
            Command::Pass(Secret::new(password))
        }
        2 => Command::Apop {
            name: username(u)?,
            digest: ApopDigest(u.arbitrary()?),
        },
        3 => Command::Auth(None),
        4 => Command::Auth(Some(AuthStart {
            mechanism: mechanism(u)?,
            initial_response: if u.arbitrary()? {
                Some(Secret::new(bytes(u, 300)?.to_vec()))
            } else {
                None
            },
        })),
        5 => Command::Capa,
        6 => Command::Stls,
        7 => Command::Utf8,
        8 => Command::Lang(None),
        9 => Command::Lang(Some(LangRequest::Wildcard)),
        10 => Command::Lang(Some(LangRequest::Tag(language(u)?))),
        11 => Command::Stat,
        12 => Command::List(optional(u)?),
        13 => Command::Retr(number(u)?),
        14 => Command::Dele(number(u)?),
        15 => Command::Noop,
        16 => Command::Rset,
        17 => Command::Top {
            msg: number(u)?,
            lines: u.arbitrary()?,
        },
        18 => Command::Uidl(optional(u)?),
        _ => Command::Quit,
    })
}

/// Up to `max` items built by `item`.
fn list<T>(
    u: &mut Unstructured<'_>,
    max: usize,
    item: impl Fn(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let n = u.int_in_range(0..=max)?;
    (0..n).map(|_| item(u)).collect()
}

/// A whole response and the kind a client would read it as, within the
/// domain where encoding then parsing gives the value back.
pub fn response(u: &mut Unstructured<'_>) -> Result<(Response, ResponseKind)> {
    let scan = |u: &mut Unstructured<'_>| -> Result<ScanListing> {
        Ok(ScanListing {
            number: number(u)?,
            size: u.arbitrary()?,
        })
    };
    let uid_entry = |u: &mut Unstructured<'_>| -> Result<UidListing> {
        Ok(UidListing {
            number: number(u)?,
            uid: uid(u)?,
        })
    };
    Ok(match u.int_in_range(0..=9)? {
        0 => {
            let ok = u.arbitrary()?;
            let code = if u.arbitrary()? { Some(code(u)?) } else { None };
            let text = if code.is_some() {
                text(u)?
            } else {
                plain_text(u)?
            };
            (
                Response::Status(Status { ok, code, text }),
                ResponseKind::Status,
            )
        }
        1 => (
            Response::Stat {
                count: u.arbitrary()?,
                size: u.arbitrary()?,
            },
            ResponseKind::Stat,
        ),
        2 => (Response::Scan(scan(u)?), ResponseKind::Scan),
        3 => (
            Response::ScanList {
                text: plain_text(u)?,
                entries: list(u, 30, scan)?,
            },
            ResponseKind::ScanList,
        ),
        4 => (Response::Uid(uid_entry(u)?), ResponseKind::Uid),
        5 => (
            Response::UidList {
                text: plain_text(u)?,
                entries: list(u, 30, uid_entry)?,
            },
            ResponseKind::UidList,
        ),
        6 => (
            Response::Capabilities {
                text: plain_text(u)?,
                capabilities: list(u, 20, capability)?,
            },
            ResponseKind::Capabilities,
        ),
        7 => (
            Response::Languages {
                text: plain_text(u)?,
                entries: list(u, 6, |u| {
                    Ok(LangEntry {
                        tag: language(u)?,
                        description: text(u)?,
                    })
                })?,
            },
            ResponseKind::Languages,
        ),
        8 => (
            Response::Mechanisms {
                text: plain_text(u)?,
                mechanisms: list(u, 8, mechanism)?,
            },
            ResponseKind::Mechanisms,
        ),
        _ => (
            Response::Continuation(bytes(u, 600)?.to_vec()),
            ResponseKind::SaslStep,
        ),
    })
}
