//! Where a TOP response stops: line accounting for [`super::DotStuffer`].

/// What the current line holds so far, as far as "is it empty?" cares.
///
/// An empty line is exactly LF or CRLF in the stored form, so a line that
/// has only seen one CR may still turn out empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LineSoFar {
    /// Nothing yet.
    Empty,
    /// Exactly one CR.
    Cr,
    /// Anything else: the line is not empty.
    Other,
}

impl LineSoFar {
    /// The state after `more` octets of the same line (no LF in `more`).
    fn extend(self, more: &[u8]) -> Self {
        match (self, more) {
            (state, []) => state,
            (Self::Empty, b"\r") => Self::Cr,
            _ => Self::Other,
        }
    }
}

/// How much of the message a response still lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Limit {
    /// RETR: everything.
    All,
    /// TOP, still in the header section; `line` tracks the current line.
    Headers { body_lines: u32, line: LineSoFar },
    /// TOP, in the body, `remaining` (at least 1) lines still to send.
    Body { remaining: u32 },
    /// TOP, done: every further octet is dropped.
    Reached,
}

impl Limit {
    /// The limit for `TOP n lines`.
    pub(super) fn top(lines: u32) -> Self {
        Self::Headers {
            body_lines: lines,
            line: LineSoFar::Empty,
        }
    }

    /// Accounts for a line ending: `tail` is the part of the line seen in
    /// the current chunk, before its LF. Returns whether the limit is now
    /// reached, i.e. this LF is the last octet to send.
    pub(super) fn end_line(&mut self, tail: &[u8]) -> bool {
        *self = match *self {
            Self::All => Self::All,
            Self::Headers { body_lines, line } => match line.extend(tail) {
                LineSoFar::Other => Self::Headers {
                    body_lines,
                    line: LineSoFar::Empty,
                },
                LineSoFar::Empty | LineSoFar::Cr => Self::body(body_lines),
            },
            Self::Body { remaining } => Self::body(remaining.saturating_sub(1)),
            Self::Reached => Self::Reached,
        };
        *self == Self::Reached
    }

    /// Accounts for the unterminated `partial` line at the end of a chunk.
    pub(super) fn continue_line(&mut self, partial: &[u8]) {
        if let Self::Headers { line, .. } = self {
            *line = line.extend(partial);
        }
    }

    /// The state for a body with `lines` lines still to send.
    fn body(lines: u32) -> Self {
        if lines == 0 {
            Self::Reached
        } else {
            Self::Body { remaining: lines }
        }
    }
}
