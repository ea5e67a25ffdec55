use nom::Parser;
use nom::bytes::complete::{tag_no_case, take_till1};
use nom::character::complete::{char as one_char, digit1};
use nom::combinator::{opt, rest};
use nom::sequence::{preceded, terminated};

use super::{LineEnd, ResponseError, next_line};
use crate::sasl::decode_base64;
use crate::types::number::{parse_decimal_u32, parse_decimal_u64};
use crate::types::{
    Capability, Expire, LangEntry, LanguageTag, Mechanism, MessageNumber, Response, ResponseCode,
    ResponseKind, ScanListing, Status, Text, Uid, UidListing,
};

type NomError<'a> = nom::error::Error<&'a [u8]>;

/// Parses a status line: `+OK` or `-ERR`, an optional `[CODE]`, and text.
///
/// Lenient where it costs nothing: the status is matched without regard
/// to case, and text that is not valid UTF-8 is kept with replacement
/// characters rather than refused.
pub fn status_line(line: &[u8]) -> Result<Status, ResponseError> {
    let mut ok = opt(tag_no_case::<_, _, NomError<'_>>(&b"+OK"[..]));
    let mut err = tag_no_case::<_, _, NomError<'_>>(&b"-ERR"[..]);
    let (after, ok) = match ok.parse(line) {
        Ok((after, Some(_))) => (after, true),
        _ => match err.parse(line) {
            Ok((after, _)) => (after, false),
            Err(_) => return Err(ResponseError::BadStatus),
        },
    };
    let after = match after {
        [] => after,
        [b' ', text @ ..] => text,
        _ => return Err(ResponseError::BadStatus),
    };
    let (code, text) = split_code(after);
    Ok(Status {
        ok,
        code,
        text: Text::lossy(text),
    })
}

/// Splits a leading `[CODE]` off status text, if it is a valid code.
fn split_code(text: &[u8]) -> (Option<ResponseCode>, &[u8]) {
    let mut bracketed = preceded(
        one_char::<_, NomError<'_>>('['),
        terminated(take_till1(|b| b == b']'), one_char(']')),
    );
    match bracketed.parse(text) {
        Ok((after, code)) => match ResponseCode::try_from(code) {
            Ok(code) => (Some(code), after.strip_prefix(b" ").unwrap_or(after)),
            Err(_) => (None, text),
        },
        Err(_) => (None, text),
    }
}

/// Parses `n1 SP n2 [SP ignored]`, the shape of STAT, `LIST n` and scan
/// listing lines.
fn two_numbers(text: &[u8]) -> Option<(u32, u64)> {
    let (after, (a, _, b)) = (digit1::<_, NomError<'_>>, one_char(' '), digit1)
        .parse(text)
        .ok()?;
    if !(after.is_empty() || after.starts_with(b" ")) {
        return None;
    }
    Some((parse_decimal_u32(a)?, parse_decimal_u64(b)?))
}

/// Parses the answer to STAT: [`Response::Stat`], or the `-ERR` status.
pub fn stat_line(line: &[u8]) -> Result<Response, ResponseError> {
    let status = status_line(line)?;
    if !status.ok {
        return Ok(Response::Status(status));
    }
    let (count, size) =
        two_numbers(status.text.as_str().as_bytes()).ok_or(ResponseError::Malformed)?;
    Ok(Response::Stat { count, size })
}

/// Parses one scan listing, `msg SP size`: a LIST line, or the text of
/// the `+OK` answering `LIST msg`.
pub fn scan_line(line: &[u8]) -> Result<ScanListing, ResponseError> {
    let (number, size) = two_numbers(line).ok_or(ResponseError::BadListingLine)?;
    let number = MessageNumber::new(number).ok_or(ResponseError::BadListingLine)?;
    Ok(ScanListing { number, size })
}

/// Parses one unique-id listing, `msg SP uid`.
pub fn uid_line(line: &[u8]) -> Result<UidListing, ResponseError> {
    let (uid, number) = terminated(digit1::<_, NomError<'_>>, one_char(' '))
        .parse(line)
        .map_err(|_| ResponseError::BadListingLine)?;
    let number = parse_decimal_u32(number)
        .and_then(MessageNumber::new)
        .ok_or(ResponseError::BadListingLine)?;
    let uid = Uid::try_from(uid).map_err(|_| ResponseError::BadListingLine)?;
    Ok(UidListing { number, uid })
}

/// Parses one LANG listing line, `tag SP description`.
pub fn lang_line(line: &[u8]) -> Result<LangEntry, ResponseError> {
    let (tag, description) = match line.iter().position(|b| *b == b' ') {
        Some(space) => {
            let (tag, description) = line.split_at(space);
            (tag, description.get(1..).unwrap_or_default())
        }
        None => (line, &b""[..]),
    };
    let tag = LanguageTag::try_from(tag).map_err(|_| ResponseError::BadListingLine)?;
    Ok(LangEntry {
        tag,
        description: Text::lossy(description),
    })
}

/// Parses one line of the mechanism list a bare `AUTH` returns.
pub fn mechanism_line(line: &[u8]) -> Result<Mechanism, ResponseError> {
    Mechanism::try_from(line).map_err(|_| ResponseError::BadListingLine)
}

/// Parses one CAPA line. Unknown or malformed capabilities are kept as
/// [`Capability::Other`] so a client never fails on a server's extension.
pub fn capability_line(line: &[u8]) -> Result<Capability, ResponseError> {
    let (params, tag) = take_till1::<_, _, NomError<'_>>(|b| b == b' ')
        .parse(line)
        .map_err(|_| ResponseError::BadListingLine)?;
    let params_text = params.strip_prefix(b" ").unwrap_or(params);
    let words: Vec<&[u8]> = params_text
        .split(|b| *b == b' ')
        .filter(|w| !w.is_empty())
        .collect();
    let upper = tag.to_ascii_uppercase();
    let known = match (upper.as_slice(), words.as_slice()) {
        (b"TOP", []) => Some(Capability::Top),
        (b"USER", []) => Some(Capability::User),
        (b"UIDL", []) => Some(Capability::Uidl),
        (b"RESP-CODES", []) => Some(Capability::RespCodes),
        (b"AUTH-RESP-CODE", []) => Some(Capability::AuthRespCode),
        (b"PIPELINING", []) => Some(Capability::Pipelining),
        (b"STLS", []) => Some(Capability::Stls),
        (b"LANG", []) => Some(Capability::Lang),
        (b"SASL", mechs) => Some(Capability::Sasl(
            mechs
                .iter()
                .filter_map(|m| Mechanism::try_from(*m).ok())
                .collect(),
        )),
        (b"UTF8", []) => Some(Capability::Utf8 { user: false }),
        (b"UTF8", [user]) if user.eq_ignore_ascii_case(b"USER") => {
            Some(Capability::Utf8 { user: true })
        }
        (b"LOGIN-DELAY", [seconds, rest @ ..]) => per_user(rest).and_then(|per_user| {
            let seconds = parse_decimal_u32(seconds)?;
            Some(Capability::LoginDelay { seconds, per_user })
        }),
        (b"EXPIRE", [policy, rest @ ..]) => per_user(rest).and_then(|per_user| {
            let policy = if policy.eq_ignore_ascii_case(b"NEVER") {
                Expire::Never
            } else {
                Expire::Days(parse_decimal_u32(policy)?)
            };
            Some(Capability::Expire { policy, per_user })
        }),
        (b"IMPLEMENTATION", _) => Some(Capability::Implementation(Text::lossy(params_text))),
        _ => None,
    };
    Ok(known.unwrap_or_else(|| Capability::Other {
        tag: String::from_utf8_lossy(tag).into(),
        params: words
            .iter()
            .map(|w| String::from_utf8_lossy(w).into())
            .collect(),
    }))
}

/// The optional trailing `USER` of LOGIN-DELAY and EXPIRE.
fn per_user(rest: &[&[u8]]) -> Option<bool> {
    match rest {
        [] => Some(false),
        [user] if user.eq_ignore_ascii_case(b"USER") => Some(true),
        _ => None,
    }
}

/// Parses a SASL continuation `+ base64` (or a bare `+`): `Some(data)`,
/// or `None` when the line is not a continuation (a status line follows).
pub fn continuation(line: &[u8]) -> Result<Option<Vec<u8>>, ResponseError> {
    let data = match line {
        [b'+'] => &b""[..],
        [b'+', b' ', data @ ..] => data,
        _ => return Ok(None),
    };
    let parsed: Result<_, nom::Err<NomError<'_>>> = rest.parse(data);
    let (_, data) = parsed.map_err(|_| ResponseError::BadContinuation)?;
    decode_base64(data)
        .map(Some)
        .map_err(|_| ResponseError::BadContinuation)
}

/// Reads one whole response of the expected `kind` from the start of
/// `input`, multi-line responses included.
///
/// Returns `Ok(None)` when `input` does not hold the whole response yet,
/// else the response and how many octets it took. Lines are limited to
/// `max_line` octets. This reads listings into memory; the client state
/// machine reads them line by line instead.
pub fn response(
    kind: ResponseKind,
    input: &[u8],
    max_line: usize,
) -> Result<Option<(Response, usize)>, ResponseError> {
    let mut lines = Lines {
        input,
        pos: 0,
        max_line,
    };
    let Some(first) = lines.next_line()? else {
        return Ok(None);
    };
    if kind == ResponseKind::SaslStep
        && let Some(data) = continuation(first)?
    {
        return Ok(Some((Response::Continuation(data), lines.pos)));
    }
    let one_line = |response| Ok(Some((response, lines.pos)));
    let status = status_line(first)?;
    if !status.ok {
        return one_line(Response::Status(status));
    }
    let text = status.text.clone();
    let response = match kind {
        ResponseKind::Status | ResponseKind::SaslStep => Response::Status(status),
        ResponseKind::Stat => stat_line(first)?,
        ResponseKind::Scan => Response::Scan(scan_line(text.as_str().as_bytes())?),
        ResponseKind::Uid => Response::Uid(uid_line(text.as_str().as_bytes())?),
        ResponseKind::ScanList => match lines.listing(scan_line)? {
            Some(entries) => Response::ScanList { text, entries },
            None => return Ok(None),
        },
        ResponseKind::UidList => match lines.listing(uid_line)? {
            Some(entries) => Response::UidList { text, entries },
            None => return Ok(None),
        },
        ResponseKind::Capabilities => match lines.listing(capability_line)? {
            Some(capabilities) => Response::Capabilities { text, capabilities },
            None => return Ok(None),
        },
        ResponseKind::Languages => match lines.listing(lang_line)? {
            Some(entries) => Response::Languages { text, entries },
            None => return Ok(None),
        },
        ResponseKind::Mechanisms => match lines.listing(mechanism_line)? {
            Some(mechanisms) => Response::Mechanisms { text, mechanisms },
            None => return Ok(None),
        },
    };
    Ok(Some((response, lines.pos)))
}

/// A cursor over the lines of a buffer.
struct Lines<'a> {
    input: &'a [u8],
    pos: usize,
    max_line: usize,
}

impl<'a> Lines<'a> {
    fn next_line(&mut self) -> Result<Option<&'a [u8]>, ResponseError> {
        let rest = self.input.get(self.pos..).unwrap_or_default();
        match next_line(rest, self.max_line) {
            LineEnd::Complete { content, total } => {
                self.pos += total;
                Ok(rest.get(..content))
            }
            LineEnd::Incomplete => Ok(None),
            LineEnd::TooLong => Err(ResponseError::LineTooLong),
        }
    }

    /// Reads dot-stuffed lines up to the `.` terminator.
    fn listing<T>(
        &mut self,
        parse: impl Fn(&[u8]) -> Result<T, ResponseError>,
    ) -> Result<Option<Vec<T>>, ResponseError> {
        let mut items = Vec::new();
        loop {
            let Some(line) = self.next_line()? else {
                return Ok(None);
            };
            match line {
                b"." => return Ok(Some(items)),
                [b'.', unstuffed @ ..] => items.push(parse(unstuffed)?),
                _ => items.push(parse(line)?),
            }
        }
    }
}

/// Finds the APOP timestamp (`<...>`, RFC 1939 section 7) in greeting text.
pub fn greeting_timestamp(text: &str) -> Option<&str> {
    let start = text.find('<')?;
    let len = text.get(start..)?.find('>')?;
    text.get(start..=start + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        let s = status_line(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>").unwrap();
        assert!(s.ok);
        assert_eq!(s.code, None);
        assert_eq!(
            greeting_timestamp(s.text.as_str()),
            Some("<1896.697170952@dbc.mtview.ca.us>")
        );
        let s = status_line(b"-ERR [IN-USE] Do you have another POP session running?").unwrap();
        assert!(!s.ok);
        assert_eq!(s.code, Some(ResponseCode::InUse));
        assert_eq!(s.text.as_str(), "Do you have another POP session running?");
        let s = status_line(b"-ERR [not a code] x").unwrap();
        assert_eq!(s.code, None);
        assert_eq!(s.text.as_str(), "[not a code] x");
        assert_eq!(status_line(b"+OK").unwrap().text.as_str(), "");
        assert_eq!(
            status_line(b"-ERR [SYS/TEMP]").unwrap().code,
            Some(ResponseCode::SysTemp)
        );
        assert_eq!(status_line(b"OK"), Err(ResponseError::BadStatus));
        assert_eq!(status_line(b"+OKAY"), Err(ResponseError::BadStatus));
    }

    #[test]
    fn numbers_and_listings() {
        assert_eq!(
            stat_line(b"+OK 2 320").unwrap(),
            Response::Stat {
                count: 2,
                size: 320
            }
        );
        assert!(matches!(
            stat_line(b"-ERR no").unwrap(),
            Response::Status(_)
        ));
        assert_eq!(stat_line(b"+OK two"), Err(ResponseError::Malformed));
        assert_eq!(scan_line(b"1 120").unwrap().size, 120);
        assert_eq!(scan_line(b"0 120"), Err(ResponseError::BadListingLine));
        assert_eq!(
            uid_line(b"1 whqtswO00WBw418f9t5JxYwZ")
                .unwrap()
                .uid
                .as_str(),
            "whqtswO00WBw418f9t5JxYwZ"
        );
        assert_eq!(uid_line(b"1  x"), Err(ResponseError::BadListingLine));
    }

    #[test]
    fn capabilities() {
        assert_eq!(capability_line(b"top").unwrap(), Capability::Top);
        assert_eq!(
            capability_line(b"SASL PLAIN CRAM-MD5").unwrap(),
            Capability::Sasl(vec![Mechanism::Plain, Mechanism::CramMd5])
        );
        assert_eq!(
            capability_line(b"LOGIN-DELAY 900 USER").unwrap(),
            Capability::LoginDelay {
                seconds: 900,
                per_user: true
            }
        );
        assert_eq!(
            capability_line(b"EXPIRE NEVER").unwrap(),
            Capability::Expire {
                policy: Expire::Never,
                per_user: false
            }
        );
        assert_eq!(
            capability_line(b"IMPLEMENTATION Shlemazle Plotz v302").unwrap(),
            Capability::Implementation(Text::try_from("Shlemazle Plotz v302").unwrap())
        );
        assert_eq!(
            capability_line(b"X-FOO a b").unwrap(),
            Capability::Other {
                tag: "X-FOO".into(),
                params: vec!["a".into(), "b".into()]
            }
        );
        assert!(matches!(
            capability_line(b"LOGIN-DELAY soon").unwrap(),
            Capability::Other { .. }
        ));
        assert!(capability_line(b"").is_err());
    }

    #[test]
    fn continuations() {
        assert_eq!(continuation(b"+ ").unwrap(), Some(vec![]));
        assert_eq!(continuation(b"+").unwrap(), Some(vec![]));
        assert_eq!(
            continuation(b"+ VXNlcm5hbWU6").unwrap(),
            Some(b"Username:".to_vec())
        );
        assert_eq!(continuation(b"+OK").unwrap(), None);
        assert_eq!(continuation(b"+ !!"), Err(ResponseError::BadContinuation));
    }

    #[test]
    fn whole_responses() {
        let input = b"+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n+OK";
        let (r, used) = response(ResponseKind::ScanList, input, 512)
            .unwrap()
            .unwrap();
        assert_eq!(used, input.len() - 3);
        let Response::ScanList { entries, .. } = r else {
            panic!("{r:?}")
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(
            response(ResponseKind::ScanList, &input[..20], 512),
            Ok(None)
        );
        let (r, _) = response(ResponseKind::ScanList, b"-ERR no\r\n", 512)
            .unwrap()
            .unwrap();
        assert!(matches!(r, Response::Status(Status { ok: false, .. })));
    }
}
