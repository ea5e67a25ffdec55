//! Validated value types shared by the client and the server.
//!
//! Every type that carries peer data checks its invariants on construction
//! (`TryFrom`, `FromStr` or a `new` returning `Result`), so a value that
//! exists is a value that can be sent on the wire unchanged.

mod capability;
mod code;
mod command;
mod error;
mod keyword;
mod lang;
mod mechanism;
pub(crate) mod number;
mod response;
mod secret;
mod text;
mod uid;
mod username;

pub use capability::{Capability, Expire};
pub use code::ResponseCode;
pub use command::{ApopDigest, AuthStart, Command, LangRequest, SaslResponse};
pub use error::ValueError;
pub use keyword::Keyword;
pub use lang::LanguageTag;
pub use mechanism::Mechanism;
pub use number::MessageNumber;
pub use response::{LangEntry, Response, ResponseKind, ScanListing, Status, UidListing};
pub use secret::Secret;
pub use text::Text;
pub use uid::Uid;
pub use username::Username;

/// `line` without one trailing CRLF (or bare LF, which framing also
/// accepts as a line ending), for the `TryFrom` impls that take a line
/// with or without its ending.
pub(crate) fn strip_line_end(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r\n")
        .or_else(|| line.strip_suffix(b"\n"))
        .unwrap_or(line)
}
