//! Server side: stored message to dot-stuffed multi-line response.

use bytes::{BufMut, BytesMut};
use memchr::memchr_iter;

use super::line::Limit;
use super::wire::cr_before;

/// Streaming encoder of a RETR or TOP body: the wire form of the stored
/// message, dot-stuffed, then `.` CRLF from [`DotStuffer::finish`].
///
/// Feed the stored message in chunks of any size. Input is copied in spans
/// between the points that need an edit (a CR before a bare LF, a `.` in
/// front of a line). For RETR, the bulk of the traffic, all but the last
/// couple of hundred octets of each chunk go through a faster path that
/// scans 64 octets at a time and copies with fixed-size moves.
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
        // Fewer than a few blocks of octets remain (or this is TOP): one
        // search per LF, exact copies.
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

// ---------------------------------------------------------------------------
// RETR fast path
//
// Stored mail has an LF every ~70 octets, and every LF-stored line needs an
// edit, so the cost is all per line: finding the LF and copying the line.
// One `memchr` call and two `extend_from_slice` calls per line (each
// updating the `BytesMut` length in memory) cost several times the copy
// itself. The fast path instead
//
// * finds LFs 64 octets at a time with plain comparisons that the compiler
//   turns into SIMD (see `lf_bits`), with no call per line;
// * writes into a zero-filled stretch of `out` at a local offset, so the
//   length is set once per chunk;
// * copies every span with one fixed-size copy (`SHORT` or `LONG` octets)
//   that may run past the span's end: the overrun is overwritten by what
//   follows, or cut off at the end. Fixed sizes compile to a few vector
//   moves instead of a `memcpy` call.

/// Octets examined per step.
const BLOCK: usize = 64;
/// A fixed copy that covers a typical mail line and its line ending.
const SHORT: usize = 80;
/// A fixed copy that covers any span the fast path copies: spans never
/// start more than one block before the block being examined.
const LONG: usize = 2 * BLOCK;
/// Input octets per stretch of `out` zero-filled at once: small enough that
/// the stretch is still in cache when it is overwritten, and that little
/// is filled in vain past the end of a small chunk.
const PIECE: usize = 2048;

/// For octet `i` of a block, the bit of its 8-octet row: `1 << (i / 8)`.
/// Masking each octet's comparison result with it and OR-ing the eight
/// rows together leaves, in octet `j` of a `u64`, bit `k` for octet
/// `8k + j`; see [`lf_bits`].
#[rustfmt::skip]
const ROW_BITS: [u8; BLOCK] = [
    1, 1, 1, 1, 1, 1, 1, 1,
    2, 2, 2, 2, 2, 2, 2, 2,
    4, 4, 4, 4, 4, 4, 4, 4,
    8, 8, 8, 8, 8, 8, 8, 8,
    16, 16, 16, 16, 16, 16, 16, 16,
    32, 32, 32, 32, 32, 32, 32, 32,
    64, 64, 64, 64, 64, 64, 64, 64,
    128, 128, 128, 128, 128, 128, 128, 128,
];

/// Where [`stuff_blocks`] left off.
struct Done {
    /// Input before this is in `out`.
    flushed: usize,
    /// Every LF before this has been handled.
    scanned: usize,
    /// Stuffing dots added.
    dots: u64,
}

/// The LFs of `block`, transposed: bit `8j + k` is set when octet `8k + j`
/// is LF. Written so that it compiles to vector compares, ANDs and ORs.
fn lf_bits(block: &[u8; BLOCK]) -> u64 {
    let mut rows = [0u8; BLOCK];
    for (bit, (&octet, &row)) in rows.iter_mut().zip(block.iter().zip(ROW_BITS.iter())) {
        *bit = if octet == b'\n' { row } else { 0 };
    }
    rows.chunks_exact(8)
        .map(|lanes| u64::from_le_bytes(lanes.try_into().unwrap_or_default()))
        .fold(0, |acc, lanes| acc | lanes)
}

/// The position of the single set bit `bit` of an [`lf_bits`] result.
fn single_position(bit: u32) -> usize {
    let bit = bit as usize;
    ((bit & 7) << 3) | ((bit >> 3) & 7)
}

/// Undoes the transposition of [`lf_bits`] (an 8x8 bit matrix transpose):
/// bit `p` of the result is set when octet `p` is LF.
fn positions(mut x: u64) -> u64 {
    let t = (x ^ (x >> 7)) & 0x00AA_00AA_00AA_00AA;
    x ^= t ^ (t << 7);
    let t = (x ^ (x >> 14)) & 0x0000_CCCC_0000_CCCC;
    x ^= t ^ (t << 14);
    let t = (x ^ (x >> 28)) & 0x0000_0000_F0F0_F0F0;
    x ^ t ^ (t << 28)
}

/// A stretch of `out` being filled at offset `at`.
struct Writer<'a> {
    dst: &'a mut [u8],
    at: usize,
}

impl Writer<'_> {
    /// Appends `chunk[from..to]` (at most [`LONG`] octets), possibly
    /// writing garbage past its end and reading past `to`: the caller
    /// guarantees room in `dst` and octets in `chunk`.
    fn span(&mut self, chunk: &[u8], from: usize, to: usize) {
        if to - from <= SHORT {
            self.copy_fixed::<SHORT>(chunk, from);
        } else {
            self.copy_fixed::<LONG>(chunk, from);
        }
        self.at += to - from;
    }

    fn copy_fixed<const N: usize>(&mut self, chunk: &[u8], from: usize) {
        let dst = self
            .dst
            .get_mut(self.at..)
            .and_then(|d| d.first_chunk_mut::<N>());
        let src = chunk.get(from..).and_then(|s| s.first_chunk::<N>());
        if let (Some(dst), Some(src)) = (dst, src) {
            *dst = *src;
        }
    }

    /// Writes `octet`, keeping it only if `keep`; else the next write
    /// overwrites it.
    fn put_if(&mut self, octet: u8, keep: bool) {
        if let Some(slot) = self.dst.get_mut(self.at) {
            *slot = octet;
        }
        self.at += usize::from(keep);
    }
}

/// RETR fast path: encodes `chunk` from its start up to a block boundary
/// a little before its end, appending to `out`. `prev_cr` tells whether
/// the octet before `chunk` was CR; a `.` opening `chunk` is the caller's.
///
/// Invariant at the start of each block: `src` (first octet not yet
/// copied) is at most one block behind, so every span fits in [`LONG`].
/// Blocks need a block of lookahead plus [`LONG`] octets for the fixed
/// copies, so short chunks skip this path entirely.
fn stuff_blocks(chunk: &[u8], prev_cr: bool, out: &mut BytesMut) -> Done {
    let start = out.len();
    let mut written = 0;
    let mut src = 0;
    let mut base = 0;
    let mut dots = 0;
    // The octet before `base`, for an LF at the start of a block.
    let mut before_block = if prev_cr { b'\r' } else { 0 };
    let fits = |base: usize| base + BLOCK + LONG <= chunk.len();
    while fits(base) {
        let piece_end = (base + PIECE).min(chunk.len());
        // Each input octet gives at most two output octets (LF gains a CR,
        // a `.` after LF gains a `.`); a fixed copy may overrun by LONG.
        let need = start + written + 2 * (piece_end - src) + LONG + 2;
        if out.len() < need {
            out.resize(need, 0);
        }
        let Some(dst) = out.get_mut(start..) else {
            break;
        };
        let mut w = Writer { dst, at: written };
        while base < piece_end && fits(base) {
            // The block and the octet after it (for a `.` after an LF).
            let Some(window) = chunk
                .get(base..)
                .and_then(|s| s.first_chunk::<{ BLOCK + 1 }>())
            else {
                break;
            };
            let Some(block) = window.first_chunk::<BLOCK>() else {
                break;
            };
            let at = |p: usize| window.get(p).copied().unwrap_or(0);
            let lfs = lf_bits(block);
            if lfs & lfs.wrapping_sub(1) == 0 {
                // At most one LF (the common case for mail lines longer
                // than a block): copy up to it, or to the block's end if
                // there is none, so `src` never falls behind.
                let has_lf = lfs != 0;
                let p = if has_lf {
                    single_position(lfs.trailing_zeros())
                } else {
                    BLOCK
                };
                let before = if p == 0 { before_block } else { at(p - 1) };
                let lf = base + p;
                w.span(chunk, src, lf);
                src = lf;
                w.put_if(b'\r', has_lf && before != b'\r');
                if has_lf && at(p + 1) == b'.' {
                    w.span(chunk, src, lf + 1);
                    w.put_if(b'.', true);
                    dots += 1;
                    src = lf + 1;
                }
            } else {
                // Several LFs (short lines): one at a time, then copy to
                // the block's end.
                let mut lfs = positions(lfs);
                while lfs != 0 {
                    let p = lfs.trailing_zeros() as usize & (BLOCK - 1);
                    lfs &= lfs - 1;
                    let lf = base + p;
                    let before = if p == 0 { before_block } else { at(p - 1) };
                    if before != b'\r' {
                        w.span(chunk, src, lf);
                        w.put_if(b'\r', true);
                        src = lf;
                    }
                    if at(p + 1) == b'.' {
                        w.span(chunk, src, lf + 1);
                        w.put_if(b'.', true);
                        dots += 1;
                        src = lf + 1;
                    }
                }
                w.span(chunk, src, base + BLOCK);
                src = base + BLOCK;
            }
            before_block = at(BLOCK - 1);
            base += BLOCK;
        }
        written = w.at;
    }
    out.truncate(start + written);
    Done {
        flushed: src,
        scanned: base,
        dots,
    }
}

#[cfg(test)]
mod fast_path_tests {
    //! The shared property tests use short messages; these feed messages
    //! long enough for [`stuff_blocks`] and check it against the models.

    use bytes::BytesMut;
    use proptest::prelude::*;

    use super::super::tests::{model_response, split, stuff_chunks};
    use super::super::wire_size;
    use super::*;

    /// Lines of 0 to 150 octets, some dotted, ending in LF, CRLF, CR or
    /// nothing: blocks with no, one and several LFs, and spans of every
    /// length up to a few blocks.
    fn long_message() -> impl Strategy<Value = Vec<u8>> {
        let body_octet = prop_oneof![20 => Just(b'x'), 1 => Just(b'.'), 1 => Just(b'\r')];
        let ending = prop_oneof![
            6 => Just(&b"\n"[..]),
            3 => Just(&b"\r\n"[..]),
            1 => Just(&b"\r"[..]),
            1 => Just(&b""[..]),
        ];
        let line = (
            any::<bool>(),
            prop::collection::vec(body_octet, 0..150),
            ending,
        )
            .prop_map(|(dot, body, ending)| {
                let mut line = if dot { vec![b'.'] } else { Vec::new() };
                line.extend_from_slice(&body);
                line.extend_from_slice(ending);
                line
            });
        prop::collection::vec(line, 0..40).prop_map(|lines| lines.concat())
    }

    /// Dense line ends and dots: mostly blocks with several LFs.
    fn dense_message() -> impl Strategy<Value = Vec<u8>> {
        let octet = prop_oneof![
            3 => Just(b'\n'),
            2 => Just(b'\r'),
            2 => Just(b'.'),
            4 => Just(b'a'),
            1 => any::<u8>(),
        ];
        prop::collection::vec(octet, 0..1500)
    }

    fn cuts() -> impl Strategy<Value = Vec<usize>> {
        prop::collection::vec(0usize..3000, 0..6)
    }

    fn check_retr(x: &[u8], cuts: &[usize]) -> Result<(), TestCaseError> {
        let (wire, octets) = stuff_chunks(DotStuffer::new(), &split(x, cuts));
        prop_assert_eq!(wire, model_response(x, None));
        prop_assert_eq!(octets, wire_size(x));
        Ok(())
    }

    proptest! {
        #[test]
        fn long_lines_match_model(x in long_message(), cuts in cuts()) {
            check_retr(&x, &cuts)?;
        }

        #[test]
        fn dense_lines_match_model(x in dense_message(), cuts in cuts()) {
            check_retr(&x, &cuts)?;
        }

        #[test]
        fn top_of_long_messages_matches_model(x in long_message(), lines in 0u32..30) {
            let (wire, _) = stuff_chunks(DotStuffer::top(lines), &[&x]);
            prop_assert_eq!(wire, model_response(&x, Some(lines)));
        }
    }

    /// Every line length from 0 to 300, each line ending and a leading
    /// dot or not: LFs land at every offset of a block, including its
    /// last octet with the `.` or CR on the other side of the boundary.
    #[test]
    fn every_line_length_and_ending() {
        for len in 0..300 {
            for ending in [&b"\n"[..], b"\r\n"] {
                let mut x = Vec::new();
                for i in 0..12 {
                    if i % 3 == 1 {
                        x.push(b'.');
                    }
                    x.extend(std::iter::repeat_n(b'y', len));
                    x.extend_from_slice(ending);
                }
                let (wire, octets) = stuff_chunks(DotStuffer::new(), &[&x]);
                assert_eq!(wire, model_response(&x, None), "len {len}");
                assert_eq!(octets, wire_size(&x), "len {len}");
            }
        }
    }

    /// The fast path covers all but the last few blocks of a long chunk
    /// and hands back a consistent position.
    #[test]
    fn fast_path_covers_long_chunks() {
        let x: Vec<u8> = b"line of text\n.dotted\r\nlast\n".repeat(100);
        let mut out = BytesMut::new();
        let done = stuff_blocks(&x, false, &mut out);
        assert!(done.scanned + BLOCK + LONG > x.len(), "{}", done.scanned);
        assert!(done.scanned + BLOCK + LONG <= x.len() + BLOCK);
        assert!(done.flushed <= done.scanned);
        assert!(done.flushed + BLOCK >= done.scanned);
        // What it wrote is a prefix of the model's output, with a stuffing
        // dot for every `.` after an LF it handled.
        assert!(model_response(&x, None).starts_with(&out));
        let dotted = x
            .windows(2)
            .take(done.scanned)
            .filter(|pair| pair == b"\n.")
            .count();
        assert_eq!(done.dots, dotted as u64);
        assert!(dotted > 90);
    }

    /// A CR ending one chunk and the LF opening the next stay one CRLF,
    /// with both chunks long enough for the fast path.
    #[test]
    fn carried_cr_across_long_chunks() {
        let mut first = b"a".repeat(500);
        first.push(b'\r');
        let mut second = b"\n.b\n".to_vec();
        second.extend(b"c".repeat(500));
        second.push(b'\n');
        let (wire, _) = stuff_chunks(DotStuffer::new(), &[&first, &second]);
        assert_eq!(wire, model_response(&[first, second].concat(), None));
    }
}
