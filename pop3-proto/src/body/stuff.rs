//! Server side: stored message to dot-stuffed multi-line response.

use bytes::{BufMut, BytesMut};
use memchr::memchr_iter;

use super::fast_stuff::stuff_blocks;
use super::line::Limit;
use super::wire::cr_before;

/// Streaming encoder of a RETR or TOP body: the wire form of the stored
/// message, dot-stuffed, then `.` CRLF from [`DotStuffer::finish`].
///
/// Feed the stored message in chunks of any size. Input is copied in spans
/// between the points that need an edit (a CR before a bare LF, a `.` in
/// front of a line). For RETR, the bulk of the traffic, all but the last
/// block of each chunk goes through a faster path that scans 64 octets at
/// a time and copies with fixed-size moves.
#[derive(Debug, Clone)]
pub struct DotStuffer {
    limit: Limit,
    /// Whether the next input octet starts a line.
    at_line_start: bool,
    /// Whether the last input octet was CR, for an LF opening the next chunk.
    prev_cr: bool,
    /// Wire-form octets sent so far (dot-stuffing excluded).
    wire: u64,
}

impl Default for DotStuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl DotStuffer {
    /// An encoder for RETR: the whole message.
    pub fn new() -> Self {
        Self::with_limit(Limit::All)
    }

    /// An encoder for `TOP n lines`: the header section (up to and
    /// including the first empty line, or the whole message if there is
    /// none), then at most `lines` lines of the body.
    pub fn top(lines: u32) -> Self {
        Self::with_limit(Limit::top(lines))
    }

    fn with_limit(limit: Limit) -> Self {
        Self {
            limit,
            at_line_start: true,
            prev_cr: false,
            wire: 0,
        }
    }

    /// Whether a TOP limit has been reached: further input is ignored, so
    /// the caller can stop reading the message.
    pub fn is_done(&self) -> bool {
        self.limit == Limit::Reached
    }

    /// The wire-form octets of what this encoder sends, before
    /// dot-stuffing, counting the CRLF that [`finish`](Self::finish) adds
    /// after an unterminated last line. For RETR, once the whole message
    /// is fed, this equals [`wire_size`](super::wire_size) of it.
    pub fn wire_octets(&self) -> u64 {
        if self.at_line_start {
            self.wire
        } else {
            self.wire + 2
        }
    }

    /// Appends the dot-stuffed wire form of the next `chunk` of the stored
    /// message to `out`.
    pub fn encode(&mut self, chunk: &[u8], out: &mut BytesMut) {
        let Some(&last) = chunk.last() else {
            return;
        };
        if self.is_done() {
            return;
        }
        let start_len = out.len();
        let mut dots = 0u64;
        if self.at_line_start && chunk.first() == Some(&b'.') {
            out.put_u8(b'.');
            dots += 1;
        }
        // `chunk[flushed..]` is not yet in `out`; LFs before `scanned` are
        // dealt with; `chunk[line..]` is the current line's part in this
        // chunk (only tracked for TOP, which never takes the fast path).
        let mut flushed = 0;
        let mut scanned = 0;
        let mut line = 0;
        let limited = self.limit != Limit::All;
        if !limited {
            let done = stuff_blocks(chunk, self.prev_cr, out);
            flushed = done.flushed;
            scanned = done.scanned;
            dots += done.dots;
        }
        // At most a block of octets remains (or this is TOP): one search
        // per LF, exact copies.
        out.reserve(chunk.len() - flushed + (chunk.len() - scanned) / 64 + 4);
        let carried_cr = self.prev_cr;
        let rest = chunk.get(scanned..).unwrap_or_default();
        for lf in memchr_iter(b'\n', rest).map(|at| at + scanned) {
            let next = lf + 1;
            if !cr_before(chunk, lf, carried_cr) {
                out.extend_from_slice(chunk.get(flushed..lf).unwrap_or_default());
                out.extend_from_slice(b"\r\n");
                flushed = next;
            }
            if limited {
                let tail = chunk.get(line..lf).unwrap_or_default();
                line = next;
                if self.limit.end_line(tail) {
                    flush(chunk, &mut flushed, next, out);
                    self.at_line_start = true;
                    self.wire += (out.len() - start_len) as u64 - dots;
                    return;
                }
            }
            if chunk.get(next) == Some(&b'.') {
                flush(chunk, &mut flushed, next, out);
                out.put_u8(b'.');
                dots += 1;
            }
        }
        flush(chunk, &mut flushed, chunk.len(), out);
        self.limit
            .continue_line(chunk.get(line..).unwrap_or_default());
        self.at_line_start = last == b'\n';
        self.prev_cr = last == b'\r';
        self.wire += (out.len() - start_len) as u64 - dots;
    }

    /// Ends the response: CRLF if the last line sent was unterminated,
    /// then the terminating `.` CRLF.
    pub fn finish(self, out: &mut BytesMut) {
        if !self.at_line_start {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b".\r\n");
    }
}

/// Copies `chunk[*flushed..to]` to `out` and marks it copied.
fn flush(chunk: &[u8], flushed: &mut usize, to: usize, out: &mut BytesMut) {
    out.extend_from_slice(chunk.get(*flushed..to).unwrap_or_default());
    *flushed = to;
}
