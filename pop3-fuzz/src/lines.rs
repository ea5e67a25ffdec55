//! Splitting a byte stream into CRLF lines for checks on what a peer wrote.

/// The longest status or listing line the server may write, CRLF
/// included (RFC 2449 section 4).
pub const MAX_RESPONSE_LINE: usize = 512;

/// The lines of `out`, each with its line ending; a last line without
/// LF is returned as is.
pub fn split(out: &[u8]) -> impl Iterator<Item = &[u8]> {
    out.split_inclusive(|b| *b == b'\n')
}

/// Whether a line (with or without its ending) is a SASL continuation.
pub fn is_continuation(line: &[u8]) -> bool {
    let content = content(line);
    content == b"+" || content.starts_with(b"+ ")
}

/// A line without its CRLF or LF.
pub fn content(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The first line of `out`, without its ending.
pub fn first(out: &[u8]) -> &[u8] {
    split(out).next().map(content).unwrap_or_default()
}

/// Whether `out` starts with a `+OK` status line.
pub fn is_ok(out: &[u8]) -> bool {
    let line = first(out);
    line == b"+OK" || line.starts_with(b"+OK ")
}

/// Whether `out` starts with a `-ERR` status line.
pub fn is_err(out: &[u8]) -> bool {
    let line = first(out);
    line == b"-ERR" || line.starts_with(b"-ERR ")
}
