//! Parsers for both directions of the protocol.
//!
//! The server side reads command lines ([`command`]) and SASL responses
//! ([`sasl_response`]); the client side reads response lines
//! ([`status_line`], [`stat_line`], the listing lines) or whole responses
//! ([`response`]). Framing into lines is separate ([`next_line`]), so
//! every parser here takes one complete line without its line ending.
//! nom is used inside and never appears in the public API: errors are
//! this crate's own small enums.

mod command;
mod error;
mod line;
mod response;

pub use command::{command, sasl_response};
pub use error::{CommandError, ResponseError};
pub use line::{LineEnd, next_line};
pub use response::{
    capability_line, continuation, greeting_timestamp, lang_line, mechanism_line, response,
    scan_line, stat_line, status_line, uid_line,
};
