//! Client side: dot-stuffed multi-line response back to the message.

use bytes::{BufMut, BytesMut};
use memchr::memmem::Finder;

/// What one call to [`DotUnstuffer::decode`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded {
    /// Input octets used. After the terminator the rest of the input is
    /// the next response and is left alone.
    pub consumed: usize,
    /// Whether the terminating `.` line has been seen.
    pub done: bool,
}

/// Most input searched for a dot-line at once: the span found is copied
/// right after, and a bounded search leaves it in cache for the copy.
pub(super) const SCAN: usize = 16 * 1024;

/// Where the decoder is within the current line.
///
/// The only octets ever held back are a line-initial `.` and a CR after
/// it, until the next octet tells whether they form the terminator: that
/// is all the state there is, whatever the line length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a line.
    LineStart,
    /// After a line-initial `.` (held back).
    Dot,
    /// After a line-initial `.` CR (both held back).
    DotCr,
    /// Inside a line.
    Inside,
    /// After the terminator.
    Done,
}

/// Streaming decoder of a multi-line response body (the octets after the
/// `+OK` line).
///
/// Removes the first `.` of every line that starts with one (RFC 1939:
/// `..x` becomes `.x`, and a lone `.x` from a sloppy server becomes `x`),
/// keeps line endings as received and stops right after `.` CRLF (or `.`
/// LF). Output does not depend on how the input is cut into chunks.
#[derive(Debug, Clone)]
pub struct DotUnstuffer {
    state: State,
    /// Finds LF `.`, the only place inside the body that needs attention,
    /// so spans between dot-lines are copied whole.
    dot_line: Finder<'static>,
}

impl Default for DotUnstuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl DotUnstuffer {
    /// A decoder at the start of a response body.
    pub fn new() -> Self {
        Self {
            state: State::LineStart,
            dot_line: Finder::new(b"\n."),
        }
    }

    /// Whether the terminating line has been seen.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Appends the message octets in `input` to `out`, consuming input up
    /// to and including the terminator at most.
    pub fn decode(&mut self, input: &[u8], out: &mut BytesMut) -> Decoded {
        let mut pos = 0;
        if self.state != State::Done {
            out.reserve(input.len());
        }
        loop {
            let next = input.get(pos).copied();
            match (self.state, next) {
                (State::Done, _) => break,
                (_, None) => break,
                (State::LineStart, Some(b'.')) => {
                    pos += 1;
                    self.state = State::Dot;
                }
                (State::Dot | State::DotCr, Some(b'\n')) => {
                    pos += 1;
                    self.state = State::Done;
                }
                (State::Dot, Some(b'\r')) => {
                    pos += 1;
                    self.state = State::DotCr;
                }
                (State::DotCr, Some(_)) => {
                    // `.` CR then not LF: not the terminator, so the dot
                    // goes and the CR is content.
                    out.put_u8(b'\r');
                    self.state = State::Inside;
                }
                (State::LineStart | State::Dot, Some(_)) => self.state = State::Inside,
                (State::Inside, Some(_)) => {
                    let rest = input.get(pos..).unwrap_or_default();
                    let (span, state) = self.span_to_dot_line(rest);
                    out.extend_from_slice(rest.get(..span).unwrap_or_default());
                    pos += span;
                    self.state = state;
                }
            }
        }
        Decoded {
            consumed: pos,
            done: self.is_done(),
        }
    }

    /// The length of the prefix of `rest` (which is inside a line) that can
    /// be copied as is: through the first LF followed by `.`, or all of the
    /// first [`SCAN`] octets. Also the state after that prefix; an LF
    /// ending it leaves a `.` after it to the line-start state.
    fn span_to_dot_line(&self, rest: &[u8]) -> (usize, State) {
        let rest = rest.get(..SCAN).unwrap_or(rest);
        if let Some(lf) = self.dot_line.find(rest) {
            return (lf + 1, State::LineStart);
        }
        let state = if rest.last() == Some(&b'\n') {
            State::LineStart
        } else {
            State::Inside
        };
        (rest.len(), state)
    }
}
