use super::{Capability, LanguageTag, MessageNumber, ResponseCode, Text, Uid};

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
/// On the wire a response does not say what it answers; the client knows
/// from the command it sent, so parsing takes a [`ResponseKind`].
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
