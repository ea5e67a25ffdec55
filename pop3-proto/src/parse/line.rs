use memchr::memchr;

/// Where the next line in a buffer ends, as found by [`next_line`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnd {
    /// A complete line: `content` octets of text, `total` octets including
    /// its CRLF (or bare LF, which is accepted as a line ending).
    Complete {
        /// Octets before the line ending.
        content: usize,
        /// Octets including the line ending.
        total: usize,
    },
    /// No line ending yet and the buffer is still within the limit.
    Incomplete,
    /// More than `max` octets without a line ending: the line is too long
    /// and the reader should discard up to the next LF.
    TooLong,
}

/// Finds the first line in `buf`, allowing at most `max` octets including
/// the line ending.
///
/// Only LF ends a line; a CR directly before it is part of the ending,
/// any other CR is left in the content for the parser to refuse.
pub fn next_line(buf: &[u8], max: usize) -> LineEnd {
    let window = buf.get(..max).unwrap_or(buf);
    match memchr(b'\n', window) {
        Some(lf) => {
            let content = if lf > 0 && window.get(lf - 1) == Some(&b'\r') {
                lf - 1
            } else {
                lf
            };
            LineEnd::Complete {
                content,
                total: lf + 1,
            }
        }
        None if buf.len() >= max => LineEnd::TooLong,
        None => LineEnd::Incomplete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_crlf_and_lf_lines() {
        assert_eq!(
            next_line(b"STAT\r\nNOOP", 255),
            LineEnd::Complete {
                content: 4,
                total: 6
            }
        );
        assert_eq!(
            next_line(b"STAT\nNOOP", 255),
            LineEnd::Complete {
                content: 4,
                total: 5
            }
        );
        assert_eq!(
            next_line(b"\r\n", 255),
            LineEnd::Complete {
                content: 0,
                total: 2
            }
        );
        assert_eq!(
            next_line(b"ST\rAT\n", 255),
            LineEnd::Complete {
                content: 5,
                total: 6
            }
        );
    }

    #[test]
    fn limits_include_the_line_ending() {
        assert_eq!(
            next_line(b"abc\r\n", 5),
            LineEnd::Complete {
                content: 3,
                total: 5
            }
        );
        assert_eq!(next_line(b"abcd\r\n", 5), LineEnd::TooLong);
        assert_eq!(next_line(b"abcd", 5), LineEnd::Incomplete);
        assert_eq!(next_line(b"abcde", 5), LineEnd::TooLong);
        assert_eq!(next_line(b"", 5), LineEnd::Incomplete);
    }
}
