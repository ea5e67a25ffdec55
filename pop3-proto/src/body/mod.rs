//! Message bodies on the wire: line-ending normalization, octet counts,
//! and the dot-stuffing of multi-line responses (RFC 1939 section 3).
//!
//! # The contract
//!
//! The server, the client and the Maildir store all rely on these rules,
//! so they are exact:
//!
//! * **Wire form.** A stored message is sent with every LF that is not
//!   preceded by CR turned into CRLF. CRLF stays CRLF. A bare CR (one not
//!   followed by LF) passes through unchanged, as do NUL and every other
//!   octet. A non-empty message that does not end with LF gets CRLF
//!   appended (so `"a\r"` goes out as `"a\r\r\n"`); an empty message is
//!   nothing. [`wire_form`] computes it in one go.
//! * **Size.** [`wire_size`] (and the streaming [`WireSizeCounter`]) is the
//!   number of octets of the wire form: what STAT and LIST report. It
//!   excludes dot-stuffing and the terminating `.` line, as RFC 1939 asks.
//! * **Lines.** Only LF ends a line; bare CR is ordinary content. A line
//!   starts at the beginning of the message and after every LF. An *empty
//!   line* is one that is exactly LF or CRLF in the stored form.
//! * **Dot-stuffing.** [`DotStuffer`] emits the wire form with one more `.`
//!   in front of every line that begins with `.`, then `.` CRLF. For TOP it
//!   stops after the header section (every line up to and including the
//!   first empty line; the whole message if there is none) and at most
//!   `n` further lines.
//! * **Unstuffing.** [`DotUnstuffer`] undoes that on the client side: it
//!   drops the first `.` of every line that starts with one and stops right
//!   after the terminating line `.` CRLF (or `.` LF from sloppy servers),
//!   keeping line endings exactly as received.
//!
//! Every streaming type gives the same result however its input is cut
//! into chunks, including cuts inside CRLF, `..` or the terminator. State
//! is a few flags: nothing is buffered, and nothing is allocated per line.
//!
//! # Speed
//!
//! Spans between edit points are copied whole and found with `memchr`.
//! The decoder and [`wire_size`] only stop at rare spots (LF `.`, CRLF) and
//! run near memory speed; the encoder has to insert a CR on every line of
//! LF-stored mail; for RETR it scans 64 octets at a time and copies
//! line by line into a pre-sized output (TOP keeps a simpler per-line
//! loop), which puts it at about a quarter of memcpy speed.
//!
//! # Example
//!
//! ```
//! use bytes::BytesMut;
//! use pop3_proto::body::{DotStuffer, DotUnstuffer, wire_form, wire_size};
//!
//! let stored = b"Subject: hi\n\n.hidden\nlast";
//! let mut stuffer = DotStuffer::new();
//! let mut wire = BytesMut::new();
//! stuffer.encode(stored, &mut wire);
//! assert_eq!(stuffer.wire_octets(), wire_size(stored));
//! stuffer.finish(&mut wire);
//! assert_eq!(&wire[..], b"Subject: hi\r\n\r\n..hidden\r\nlast\r\n.\r\n");
//!
//! let mut unstuffer = DotUnstuffer::new();
//! let mut message = BytesMut::new();
//! let decoded = unstuffer.decode(&wire, &mut message);
//! assert!(decoded.done);
//! assert_eq!(decoded.consumed, wire.len());
//! assert_eq!(&message[..], &wire_form(stored)[..]);
//! ```

mod fast_stuff;
mod line;
mod stuff;
mod unstuff;
mod wire;

pub use stuff::DotStuffer;
pub use unstuff::{Decoded, DotUnstuffer};
pub use wire::{WireSizeCounter, wire_form, wire_size};

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
