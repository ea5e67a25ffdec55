//! Encoders: commands for the client, responses for the server.
//!
//! Everything is written into a caller-supplied [`bytes::BytesMut`] so an
//! adapter can batch many responses into one write. Message bodies are
//! encoded by [`crate::body::DotStuffer`].

mod command;
mod number;
mod response;

pub use command::{command, sasl_response};
pub(crate) use number::{put_u32, put_u64};
pub(crate) use response::put_uid_line;
pub use response::{
    capability_line, continuation, lang_line, mechanism_line, response, scan_line, status_line,
    terminator, uid_line,
};
