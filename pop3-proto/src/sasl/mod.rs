//! SASL mechanisms for `AUTH` (RFC 5034): message codecs and exchange state.
//!
//! Everything here works on decoded SASL messages. The AUTH line and its
//! `+ ` continuations carry base64; [`decode_base64`] turns a line into
//! message bytes (strictly, as RFC 5034 section 4 requires) and
//! [`encode_base64`] does the reverse for challenges and responses.
//!
//! Nothing here reads a clock or makes random numbers: nonces and unique
//! challenge parts come from the caller, so a test can replay an exchange
//! byte for byte.

pub mod cram_md5;
pub mod login;
pub mod oauth;
pub mod plain;
pub mod scram;

mod base64_strict;
mod error;
mod gs2;
mod hex;
mod mac;
mod saslname;

pub use base64_strict::{decode_base64, encode_base64};
pub use error::SaslError;

/// The longest decoded SASL message accepted, in octets.
///
/// Real messages are far shorter (a PLAIN message is at most 1,536 octets);
/// the margin leaves room for large OAuth 2.0 bearer tokens while keeping
/// the memory one unauthenticated client can claim small.
pub const MAX_MESSAGE_LEN: usize = 16 * 1024;

/// Refuses a message longer than [`MAX_MESSAGE_LEN`] before any parsing.
fn check_len(message: &[u8]) -> Result<(), SaslError> {
    if message.len() > MAX_MESSAGE_LEN {
        Err(SaslError::TooLong)
    } else {
        Ok(())
    }
}
