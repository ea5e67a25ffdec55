//! The wire form of a stored message and its exact size.

use memchr::memchr_iter;
use memchr::memmem::Finder;

/// Counts the octets of the wire form of a message fed in chunks.
///
/// Gives the same answer as [`wire_size`] for any chunking: a CR that ends
/// one chunk still pairs with an LF that starts the next.
///
/// Bare LFs are counted as all LFs minus CRLF pairs: both are bulk SIMD
/// scans, much faster than visiting every line.
#[derive(Debug, Clone)]
pub struct WireSizeCounter {
    crlf: Finder<'static>,
    /// Stored octets seen so far.
    len: u64,
    /// LFs not preceded by CR: each gains a CR on the wire.
    bare_lf: u64,
    /// Whether the last octet seen was CR.
    prev_cr: bool,
    /// Whether the last octet seen was LF.
    ends_with_lf: bool,
}

impl Default for WireSizeCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl WireSizeCounter {
    /// A counter that has seen nothing (an empty message, size 0).
    pub fn new() -> Self {
        Self {
            crlf: Finder::new(b"\r\n"),
            len: 0,
            bare_lf: 0,
            prev_cr: false,
            ends_with_lf: false,
        }
    }

    /// Accounts for the next `chunk` of the stored message.
    pub fn update(&mut self, chunk: &[u8]) {
        let Some(&last) = chunk.last() else {
            return;
        };
        let lf = memchr_iter(b'\n', chunk).count();
        let mut paired = self.crlf.find_iter(chunk).count();
        if self.prev_cr && chunk.first() == Some(&b'\n') {
            paired += 1;
        }
        self.bare_lf += lf.saturating_sub(paired) as u64;
        self.len += chunk.len() as u64;
        self.prev_cr = last == b'\r';
        self.ends_with_lf = last == b'\n';
    }

    /// The wire size of everything seen so far, as if it were the whole
    /// message (including the CRLF added to an unterminated last line).
    pub fn finish(&self) -> u64 {
        let final_crlf = if self.len > 0 && !self.ends_with_lf {
            2
        } else {
            0
        };
        self.len + self.bare_lf + final_crlf
    }
}

/// The number of octets `stored` takes on the wire, before dot-stuffing
/// and without the terminator: the size STAT and LIST report.
pub fn wire_size(stored: &[u8]) -> u64 {
    let mut counter = WireSizeCounter::new();
    counter.update(stored);
    counter.finish()
}

/// `stored` in wire form: bare LF becomes CRLF and a non-empty message
/// that does not end with LF gets CRLF appended. See the module docs.
pub fn wire_form(stored: &[u8]) -> Vec<u8> {
    let capacity = usize::try_from(wire_size(stored)).unwrap_or(stored.len());
    let mut out = Vec::with_capacity(capacity);
    let mut flushed = 0;
    for lf in memchr_iter(b'\n', stored) {
        if !cr_before(stored, lf, false) {
            out.extend_from_slice(stored.get(flushed..lf).unwrap_or_default());
            out.push(b'\r');
            flushed = lf;
        }
    }
    out.extend_from_slice(stored.get(flushed..).unwrap_or_default());
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Whether the LF at `lf` in `chunk` is preceded by CR; `carried_cr` is
/// the answer for an LF at the very start of a chunk.
pub(super) fn cr_before(chunk: &[u8], lf: usize, carried_cr: bool) -> bool {
    match lf.checked_sub(1) {
        Some(prev) => chunk.get(prev) == Some(&b'\r'),
        None => carried_cr,
    }
}
