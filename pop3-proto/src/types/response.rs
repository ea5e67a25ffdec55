use super::{Capability, LanguageTag, MessageNumber, ResponseCode, Text, Uid};
use crate::parse::ResponseError;

/// A status line: `+OK` or `-ERR`, an optional response code, and text.
///
/// ABNF (RFC 2449 section 3):
/// `single-line = status [SP [resp-code SP] text] CRLF`,
/// `status = "+OK" / "-ERR"`. Text that itself begins with something
/// shaped like `[CODE]` reads back as a code: put codes in `code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// `true` for `+OK`.
    pub ok: bool,
    /// The response code, if any.
    pub code: Option<ResponseCode>,
    /// The text after the status and code.
    pub text: Text,
}

impl Status {
    /// A `+OK` with text and no code.
    pub fn ok(text: Text) -> Self {
        Self {
            ok: true,
            code: None,
            text,
        }
    }

    /// A `-ERR` with an optional code.
    pub fn err(code: Option<ResponseCode>, text: Text) -> Self {
        Self {
            ok: false,
            code,
            text,
        }
    }
}

/// One `msg-number SP size` line of LIST (RFC 1939 "scan listing").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanListing {
    /// The message number.
    pub number: MessageNumber,
    /// The exact size in octets, as RETR would send it (before stuffing).
    pub size: u64,
}

/// One `msg-number SP unique-id` line of UIDL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UidListing {
    /// The message number.
    pub number: MessageNumber,
    /// Its unique-id.
    pub uid: Uid,
}

/// One line of the LANG listing: `tag SP description` (RFC 6856).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangEntry {
    /// The language tag.
    pub tag: LanguageTag,
    /// Its description.
    pub description: Text,
}

/// A complete response from server to client, other than message bodies
/// (which are streamed; see [`crate::body`]).
///
/// ABNF (RFC 2449 section 9, RFC 1939, RFC 5034 section 4):
///
/// ```text
/// single-line  = status [SP text] CRLF        ; 512 octets maximum
/// multi-line   = single-line *dot-stuffed "." CRLF
/// dot-stuffed  = *CHAR CRLF                   ; must be dot-stuffed
/// status       = "+OK" / "-ERR"
/// text         = *schar / resp-code *CHAR
/// continue-req = "+" SP [base64] CRLF         ; SASL challenge
/// ```
///
/// The `+OK` text then takes a shape fixed by the command answered:
/// `count SP size` for STAT, `msg SP size` for `LIST msg`, `msg SP
/// unique-id` for `UIDL msg`; the listings carry one scan listing,
/// unique-id listing, capability, `lang-tag SP description` or mechanism
/// name per dot-stuffed line. A `-ERR` is always a single line.
///
/// On the wire a response does not say what it answers; the client knows
/// from the command it sent, so parsing takes a [`ResponseKind`]: see
/// [`crate::parse::response`] for buffered input, or `Response::try_from
/// ((kind, bytes))` for bytes that hold exactly one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// A plain status line.
    Status(Status),
    /// `+OK count size` answering STAT.
    Stat {
        /// Messages not marked deleted.
        count: u32,
        /// Their total size in octets.
        size: u64,
    },
    /// `+OK msg size` answering `LIST msg`.
    Scan(ScanListing),
    /// `+OK text`, then one line per message, then `.`: answering `LIST`.
    ScanList {
        /// Text of the first line.
        text: Text,
        /// The listing.
        entries: Vec<ScanListing>,
    },
    /// `+OK msg uid` answering `UIDL msg`.
    Uid(UidListing),
    /// `+OK text`, then one line per message, then `.`: answering `UIDL`.
    UidList {
        /// Text of the first line.
        text: Text,
        /// The listing.
        entries: Vec<UidListing>,
    },
    /// `+OK text`, then one capability per line, then `.`.
    Capabilities {
        /// Text of the first line.
        text: Text,
        /// The capabilities.
        capabilities: Vec<Capability>,
    },
    /// `+OK text`, then one language per line, then `.`: answering `LANG`.
    Languages {
        /// Text of the first line.
        text: Text,
        /// The languages.
        entries: Vec<LangEntry>,
    },
    /// `+OK text`, then one mechanism per line, then `.`: answering a bare
    /// `AUTH` (the pre-RFC 5034 listing some clients still send).
    Mechanisms {
        /// Text of the first line.
        text: Text,
        /// The mechanisms.
        mechanisms: Vec<super::Mechanism>,
    },
    /// `+ base64`: a SASL challenge (RFC 5034), decoded.
    Continuation(Vec<u8>),
}

impl TryFrom<(ResponseKind, &[u8])> for Response {
    type Error = ResponseError;

    /// Parses `bytes` as exactly one response of `kind`, by the rules of
    /// [`crate::parse::response`]. The final line ending may be left out;
    /// any other missing part (a listing without its `.` line) or any
    /// octet after the response is [`ResponseError::Malformed`]. Lines
    /// are not limited in length here: the bytes are already in memory.
    fn try_from((kind, bytes): (ResponseKind, &[u8])) -> Result<Self, ResponseError> {
        let ended;
        let input = if bytes.ends_with(b"\n") {
            bytes
        } else {
            ended = [bytes, b"\r\n"].concat();
            ended.as_slice()
        };
        match crate::parse::response(kind, input, usize::MAX)? {
            Some((response, used)) if used == input.len() => Ok(response),
            _ => Err(ResponseError::Malformed),
        }
    }
}

/// What response a client expects, which decides how a line is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// A status line only.
    Status,
    /// STAT.
    Stat,
    /// `LIST msg`.
    Scan,
    /// `LIST`.
    ScanList,
    /// `UIDL msg`.
    Uid,
    /// `UIDL`.
    UidList,
    /// CAPA.
    Capabilities,
    /// `LANG` with no argument.
    Languages,
    /// A bare `AUTH`.
    Mechanisms,
    /// A step of a SASL exchange: a continuation or a final status.
    SaslStep,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(kind: ResponseKind, bytes: &[u8]) -> Result<Response, ResponseError> {
        Response::try_from((kind, bytes))
    }

    #[test]
    fn exactly_one_response_with_or_without_the_last_line_end() {
        let stat = Response::Stat {
            count: 2,
            size: 320,
        };
        assert_eq!(
            parse(ResponseKind::Stat, b"+OK 2 320\r\n"),
            Ok(stat.clone())
        );
        assert_eq!(parse(ResponseKind::Stat, b"+OK 2 320"), Ok(stat));
        let list = b"+OK 2 messages\r\n1 120\r\n2 200\r\n.";
        let Ok(Response::ScanList { entries, .. }) = parse(ResponseKind::ScanList, list) else {
            panic!("scan listing expected");
        };
        assert_eq!(entries.len(), 2);
        let Ok(Response::Status(status)) = parse(ResponseKind::ScanList, b"-ERR [SYS/TEMP] x")
        else {
            panic!("status expected");
        };
        assert_eq!(status.code, Some(ResponseCode::SysTemp));
        assert_eq!(
            parse(ResponseKind::SaslStep, b"+ VXNlcm5hbWU6\r\n"),
            Ok(Response::Continuation(b"Username:".to_vec()))
        );
    }

    #[test]
    fn incomplete_or_trailing_input_is_malformed() {
        use ResponseError::*;
        let cases: &[(ResponseKind, &[u8], ResponseError)] = &[
            (ResponseKind::Status, b"", BadStatus),
            (ResponseKind::ScanList, b"+OK\r\n1 120\r\n", Malformed),
            (ResponseKind::Status, b"+OK\r\n+OK\r\n", Malformed),
            (
                ResponseKind::Capabilities,
                b"+OK\r\nTOP\r\n.\r\nx",
                Malformed,
            ),
            (ResponseKind::Status, b"OK\r\n", BadStatus),
            (ResponseKind::Stat, b"+OK two", Malformed),
            (ResponseKind::UidList, b"+OK\r\n1\r\n.\r\n", BadListingLine),
        ];
        for (kind, bytes, error) in cases {
            assert_eq!(
                parse(*kind, bytes),
                Err(*error),
                "{kind:?} {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}
