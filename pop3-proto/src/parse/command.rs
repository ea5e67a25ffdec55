use nom::Parser;
use nom::bytes::complete::take_while1;
use nom::character::complete::digit1;
use nom::combinator::{all_consuming, opt, rest};
use nom::sequence::preceded;

use super::CommandError;
use crate::sasl::decode_base64;
use crate::types::number::{parse_decimal_u32, parse_decimal_u64};
use crate::types::{
    ApopDigest, AuthStart, Command, LangRequest, LanguageTag, Mechanism, MessageNumber,
    SaslResponse, Secret, Username,
};

type NomError<'a> = nom::error::Error<&'a [u8]>;

/// Parses one command line, without its line ending.
///
/// Keywords are matched without regard to case. Arguments are separated
/// by exactly one space; trailing spaces are ignored except after PASS,
/// where everything after the first space is the password.
pub fn command(line: &[u8]) -> Result<Command, CommandError> {
    if line.is_empty() {
        return Err(CommandError::Empty);
    }
    if line.iter().any(|b| matches!(b, b'\0' | b'\r' | b'\n')) {
        return Err(CommandError::ForbiddenCharacter);
    }
    let (keyword, args) = split_keyword(line)?;
    if keyword.eq_ignore_ascii_case(b"PASS") {
        return pass(args);
    }
    if line.iter().any(|b| b.is_ascii_control()) {
        return Err(CommandError::ForbiddenCharacter);
    }
    let args = args.map(trim_trailing_spaces).filter(|a| !a.is_empty());
    let mut upper = [0u8; 4];
    for (u, k) in upper.iter_mut().zip(keyword) {
        *u = k.to_ascii_uppercase();
    }
    match upper.get(..keyword.len()).unwrap_or_default() {
        b"USER" => user(args),
        b"APOP" => apop(args),
        b"AUTH" => auth(args),
        b"CAPA" => no_args(args, Command::Capa),
        b"STLS" => no_args(args, Command::Stls),
        b"UTF8" => no_args(args, Command::Utf8),
        b"LANG" => lang(args),
        b"STAT" => no_args(args, Command::Stat),
        b"LIST" => optional_number(args).map(Command::List),
        b"RETR" => number_arg(args).map(Command::Retr),
        b"DELE" => number_arg(args).map(Command::Dele),
        b"NOOP" => no_args(args, Command::Noop),
        b"RSET" => no_args(args, Command::Rset),
        b"TOP" => top(args),
        b"UIDL" => optional_number(args).map(Command::Uidl),
        b"QUIT" => no_args(args, Command::Quit),
        _ => Err(CommandError::Unknown),
    }
}

/// Parses a client line inside a SASL exchange: `*` cancels, anything
/// else must be strict base64 (an empty line is an empty response).
pub fn sasl_response(line: &[u8]) -> Result<SaslResponse, CommandError> {
    if line == b"*" {
        return Ok(SaslResponse::Cancel);
    }
    decode_base64(line)
        .map(|data| SaslResponse::Data(Secret::new(data)))
        .map_err(|_| CommandError::InvalidBase64)
}

/// Splits `keyword [SP args]`; the keyword is 1 to 4 letters or digits.
fn split_keyword(line: &[u8]) -> Result<(&[u8], Option<&[u8]>), CommandError> {
    let keyword = take_while1::<_, _, NomError<'_>>(|b: u8| b.is_ascii_alphanumeric());
    let parsed = all_consuming((
        keyword,
        opt(preceded(nom::bytes::complete::tag(&b" "[..]), rest)),
    ))
    .parse(line);
    match parsed {
        Ok((_, (keyword, args))) if keyword.len() <= 4 => Ok((keyword, args)),
        Ok(_) => Err(CommandError::Unknown),
        Err(_) if line.iter().any(|b| b.is_ascii_control()) => {
            Err(CommandError::ForbiddenCharacter)
        }
        Err(_) => Err(CommandError::Unknown),
    }
}

fn trim_trailing_spaces(args: &[u8]) -> &[u8] {
    let end = args.iter().rposition(|b| *b != b' ').map_or(0, |i| i + 1);
    args.get(..end).unwrap_or_default()
}

/// Splits arguments on single spaces, refusing empty ones.
fn split_args(args: &[u8]) -> Result<Vec<&[u8]>, CommandError> {
    let parts: Vec<&[u8]> = args.split(|b| *b == b' ').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(CommandError::BadSpacing);
    }
    Ok(parts)
}

fn no_args(args: Option<&[u8]>, command: Command) -> Result<Command, CommandError> {
    match args {
        None => Ok(command),
        Some(_) => Err(CommandError::TooManyArguments),
    }
}

fn message_number(arg: &[u8]) -> Result<MessageNumber, CommandError> {
    all_consuming(digit1::<_, NomError<'_>>)
        .parse(arg)
        .ok()
        .and_then(|(_, digits)| parse_decimal_u32(digits))
        .and_then(MessageNumber::new)
        .ok_or(CommandError::InvalidMessageNumber)
}

fn number_arg(args: Option<&[u8]>) -> Result<MessageNumber, CommandError> {
    match split_args(args.ok_or(CommandError::MissingArgument)?)?.as_slice() {
        [n] => message_number(n),
        _ => Err(CommandError::TooManyArguments),
    }
}

fn optional_number(args: Option<&[u8]>) -> Result<Option<MessageNumber>, CommandError> {
    args.map(|a| number_arg(Some(a))).transpose()
}

fn top(args: Option<&[u8]>) -> Result<Command, CommandError> {
    match split_args(args.ok_or(CommandError::MissingArgument)?)?.as_slice() {
        [msg, lines] => Ok(Command::Top {
            msg: message_number(msg)?,
            lines: line_count(lines)?,
        }),
        [_] => Err(CommandError::MissingArgument),
        _ => Err(CommandError::TooManyArguments),
    }
}

/// A TOP line count: any decimal number; values past `u32::MAX` mean
/// "the whole body" and are capped, as clients use huge counts to peek.
fn line_count(arg: &[u8]) -> Result<u32, CommandError> {
    let (_, digits) = all_consuming(digit1::<_, NomError<'_>>)
        .parse(arg)
        .map_err(|_| CommandError::InvalidLineCount)?;
    Ok(parse_decimal_u64(digits).map_or(u32::MAX, |n| u32::try_from(n).unwrap_or(u32::MAX)))
}

fn username(arg: &[u8]) -> Result<Username, CommandError> {
    Username::try_from(arg).map_err(|_| CommandError::InvalidUsername)
}

fn user(args: Option<&[u8]>) -> Result<Command, CommandError> {
    username(args.ok_or(CommandError::MissingArgument)?).map(Command::User)
}

fn pass(args: Option<&[u8]>) -> Result<Command, CommandError> {
    match args {
        Some(password) if !password.is_empty() => Ok(Command::Pass(Secret::new(password.to_vec()))),
        _ => Err(CommandError::MissingArgument),
    }
}

fn apop(args: Option<&[u8]>) -> Result<Command, CommandError> {
    let args = args.ok_or(CommandError::MissingArgument)?;
    let split = args
        .iter()
        .rposition(|b| *b == b' ')
        .ok_or(CommandError::MissingArgument)?;
    let (name, digest) = args.split_at(split);
    let digest = digest.get(1..).unwrap_or_default();
    Ok(Command::Apop {
        name: username(name)?,
        digest: hex_digest(digest)?,
    })
}

fn hex_digest(hex: &[u8]) -> Result<ApopDigest, CommandError> {
    if hex.len() != 32 {
        return Err(CommandError::InvalidDigest);
    }
    let mut digest = [0u8; 16];
    for (byte, pair) in digest.iter_mut().zip(hex.chunks_exact(2)) {
        let text = std::str::from_utf8(pair).map_err(|_| CommandError::InvalidDigest)?;
        if !pair.iter().all(u8::is_ascii_hexdigit) {
            return Err(CommandError::InvalidDigest);
        }
        *byte = u8::from_str_radix(text, 16).map_err(|_| CommandError::InvalidDigest)?;
    }
    Ok(ApopDigest(digest))
}

fn auth(args: Option<&[u8]>) -> Result<Command, CommandError> {
    let Some(args) = args else {
        return Ok(Command::Auth(None));
    };
    let (mechanism, initial) = match split_args(args)?.as_slice() {
        [mechanism] => (*mechanism, None),
        [mechanism, initial] => (*mechanism, Some(*initial)),
        _ => return Err(CommandError::TooManyArguments),
    };
    let mechanism = Mechanism::try_from(mechanism).map_err(|_| CommandError::InvalidMechanism)?;
    let initial_response = match initial {
        None => None,
        Some(b"=") => Some(Secret::new(Vec::new())),
        Some(data) => Some(Secret::new(
            decode_base64(data).map_err(|_| CommandError::InvalidBase64)?,
        )),
    };
    Ok(Command::Auth(Some(AuthStart {
        mechanism,
        initial_response,
    })))
}

fn lang(args: Option<&[u8]>) -> Result<Command, CommandError> {
    let Some(args) = args else {
        return Ok(Command::Lang(None));
    };
    match split_args(args)?.as_slice() {
        [b"*"] => Ok(Command::Lang(Some(LangRequest::Wildcard))),
        [tag] => LanguageTag::try_from(*tag)
            .map(|t| Command::Lang(Some(LangRequest::Tag(t))))
            .map_err(|_| CommandError::InvalidLanguage),
        _ => Err(CommandError::TooManyArguments),
    }
}

/// The three-way feeding check the integration tests use too.
#[cfg(test)]
#[path = "../../tests/common/three_ways.rs"]
mod three_ways;

#[cfg(test)]
mod tests {
    use std::fmt::Debug;

    use super::*;
    use crate::parse::{LineEnd, next_line};

    /// The framing limit the server reads command and SASL lines with.
    const MAX_LINE: usize = 16 * 1024;

    fn n(v: u32) -> MessageNumber {
        MessageNumber::new(v).unwrap()
    }

    /// Splits the first complete line off `buf`: its content and the rest.
    fn frame(buf: &[u8]) -> Option<(&[u8], &[u8])> {
        match next_line(buf, MAX_LINE) {
            LineEnd::Complete { content, total } => Some((&buf[..content], &buf[total..])),
            LineEnd::Incomplete => None,
            LineEnd::TooLong => panic!("test line over the limit"),
        }
    }

    /// Feeds `line` and its CRLF through the framing the server uses three
    /// ways (see [`three_ways::parsed_three_ways`]) and returns the parse.
    fn fed_three_ways<T: PartialEq + Debug>(line: &[u8], parse: fn(&[u8]) -> T) -> T {
        let shown = String::from_utf8_lossy(line);
        assert!(!line.contains(&b'\n'), "a line cannot hold LF: {shown}");
        three_ways::parsed_three_ways(&[line, b"\r\n"].concat(), frame, parse)
    }

    #[test]
    fn every_command_parses() {
        let cases: Vec<(&[u8], Command)> = vec![
            (b"USER mrose", Command::User("mrose".parse().unwrap())),
            (b"user mrose", Command::User("mrose".parse().unwrap())),
            (
                b"PASS secret with spaces ",
                Command::Pass(Secret::new(b"secret with spaces ".to_vec())),
            ),
            (
                b"APOP mrose c4c9334bac560ecc979e58001b3e22fb",
                Command::Apop {
                    name: "mrose".parse().unwrap(),
                    digest: hex_digest(b"c4c9334bac560ecc979e58001b3e22fb").unwrap(),
                },
            ),
            (b"AUTH", Command::Auth(None)),
            (
                b"AUTH plain",
                Command::Auth(Some(AuthStart {
                    mechanism: Mechanism::Plain,
                    initial_response: None,
                })),
            ),
            (
                b"AUTH PLAIN =",
                Command::Auth(Some(AuthStart {
                    mechanism: Mechanism::Plain,
                    initial_response: Some(Secret::new(vec![])),
                })),
            ),
            (
                b"AUTH PLAIN AHRlc3QAdGVzdA==",
                Command::Auth(Some(AuthStart {
                    mechanism: Mechanism::Plain,
                    initial_response: Some(Secret::new(b"\0test\0test".to_vec())),
                })),
            ),
            (b"CAPA", Command::Capa),
            (b"STLS", Command::Stls),
            (b"UTF8", Command::Utf8),
            (b"LANG", Command::Lang(None)),
            (b"LANG *", Command::Lang(Some(LangRequest::Wildcard))),
            (
                b"LANG en",
                Command::Lang(Some(LangRequest::Tag("en".parse().unwrap()))),
            ),
            (b"STAT", Command::Stat),
            (b"stat ", Command::Stat),
            (b"LIST", Command::List(None)),
            (b"LIST 2", Command::List(Some(n(2)))),
            (b"RETR 1", Command::Retr(n(1))),
            (b"DELE 1", Command::Dele(n(1))),
            (b"NOOP", Command::Noop),
            (b"RSET", Command::Rset),
            (
                b"TOP 1 0",
                Command::Top {
                    msg: n(1),
                    lines: 0,
                },
            ),
            (
                b"TOP 1 99999999",
                Command::Top {
                    msg: n(1),
                    lines: 99_999_999,
                },
            ),
            (
                b"TOP 1 99999999999999999999999",
                Command::Top {
                    msg: n(1),
                    lines: u32::MAX,
                },
            ),
            (b"UIDL", Command::Uidl(None)),
            (b"UIDL 4294967295", Command::Uidl(Some(n(u32::MAX)))),
            (b"QUIT", Command::Quit),
        ];
        for (line, expected) in cases {
            assert_eq!(
                fed_three_ways(line, command),
                Ok(expected),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn bad_lines_get_precise_errors() {
        use CommandError::*;
        let cases: &[(&[u8], CommandError)] = &[
            (b"", Empty),
            (b"FOO", Unknown),
            (b"RETRIEVE 1", Unknown),
            (b"RETR", MissingArgument),
            (b"RETR 0", InvalidMessageNumber),
            (b"RETR -1", InvalidMessageNumber),
            (b"RETR 4294967296", InvalidMessageNumber),
            (b"RETR 1x", InvalidMessageNumber),
            (b"RETR 1 2", TooManyArguments),
            (b"RETR  1", BadSpacing),
            (b"TOP 1", MissingArgument),
            (b"TOP 1 -1", InvalidLineCount),
            (b"TOP 1 2 3", TooManyArguments),
            (b"STAT 1", TooManyArguments),
            (b"QUIT now", TooManyArguments),
            (b"USER", MissingArgument),
            (b"PASS", MissingArgument),
            (b"PASS ", MissingArgument),
            (b"USER a\x01b", ForbiddenCharacter),
            (b"STAT\tX", ForbiddenCharacter),
            (b"ST\0AT", ForbiddenCharacter),
            (b"STAT\r", ForbiddenCharacter),
            (b"USER \xff\xfe", InvalidUsername),
            (b"APOP mrose", MissingArgument),
            (b"APOP mrose c4c9", InvalidDigest),
            (
                b"APOP mrose c4c9334bac560ecc979e58001b3e22fg",
                InvalidDigest,
            ),
            (b"AUTH PLAIN !!!", InvalidBase64),
            (b"AUTH PLAIN AHRlc3QAdGVzdA", InvalidBase64),
            (b"AUTH PL AIN x", TooManyArguments),
            (b"AUTH P*N", InvalidMechanism),
            (b"LANG en_US", InvalidLanguage),
            (b"\xc3\xa9T", Unknown),
        ];
        for (line, expected) in cases {
            assert_eq!(
                fed_three_ways(line, command),
                Err(*expected),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn sasl_lines() {
        let cases: &[(&[u8], Result<SaslResponse, CommandError>)] = &[
            (b"*", Ok(SaslResponse::Cancel)),
            (b"", Ok(SaslResponse::Data(Secret::new(vec![])))),
            (
                b"dGVzdA==",
                Ok(SaslResponse::Data(Secret::new(b"test".to_vec()))),
            ),
            (b"dGVzdA", Err(CommandError::InvalidBase64)),
            (b"**", Err(CommandError::InvalidBase64)),
        ];
        for (line, expected) in cases {
            assert_eq!(
                &fed_three_ways(line, sasl_response),
                expected,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
