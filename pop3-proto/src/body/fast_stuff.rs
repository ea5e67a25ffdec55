//! RETR fast path of [`DotStuffer`](super::DotStuffer): the bulk of every
//! RETR goes through here.
//!
//! Stored mail has an LF every ~70 octets, and every LF-stored line needs
//! an edit, so the cost is all per line: finding the LF and copying the
//! line. One `memchr` call and two `extend_from_slice` calls per line (each
//! updating the `BytesMut` length in memory) cost several times the copy
//! itself. The fast path instead
//!
//! * finds LFs 64 octets at a time with plain comparisons that the compiler
//!   turns into SIMD (see [`lf_bits`]), with no call per line;
//! * works a piece of input at a time, writing into a zero-filled window
//!   of `out` at a local offset, so the buffer's length is set once per
//!   piece;
//! * views the piece's input and output as fixed-size arrays addressed
//!   through power-of-two masks, so the compiler can prove every access in
//!   range and emits no bounds checks (the loop's invariants keep the
//!   offsets from ever reaching a mask);
//! * copies every span with fixed-size copies ([`SHORT`] or [`LONG`]
//!   octets) that may run past the span's end: the overrun is overwritten
//!   by what follows, or cut off at the end. Fixed sizes compile to a few
//!   vector moves instead of a `memcpy` call.
//! * aligns those moves: a copy stores the span's first 16 octets, then
//!   the rest from the next 16-octet boundary of the output. Every
//!   inserted CR shifts the output against the input, and 16-octet stores
//!   that straddle 8-octet boundaries ran the copy at less than half speed.

use bytes::BytesMut;

/// Octets examined per step.
const BLOCK: usize = 64;
/// A fixed copy that covers a typical mail line and its line ending.
const SHORT: usize = 80;
/// A fixed copy that covers any span the fast path copies: spans never
/// start more than one block before the block being examined.
const LONG: usize = 2 * BLOCK;
/// Input offsets a piece can address: a power of two, for the mask.
const IN_SPAN: usize = 2048;
/// Input octets of blocks per piece: as many as [`IN_SPAN`] allows, as
/// each piece costs a buffer resize. The output window zero-filled for a
/// piece then stays in cache until it is overwritten, and for typical mail
/// stays under 2 KiB, the most glibc fills with its vector `memset` (larger
/// fills use `rep stosb`, which starts slowly).
const PIECE: usize = IN_SPAN - 3 * BLOCK;
// The last block of a piece starts before `PIECE` and is read with the
// octet after it: all of that must stay within the mask.
const _: () = assert!(PIECE + BLOCK < IN_SPAN);
/// Input octets a piece reads from where it starts (the fixed copies may
/// read past the last offset).
const IN_WINDOW: usize = IN_SPAN + LONG + ALIGN;
/// Output offsets a piece can address: each input octet gives at most two.
const OUT_SPAN: usize = 2 * IN_SPAN;
/// Output octets a piece may write, zero-filled before it starts.
const OUT_WINDOW: usize = OUT_SPAN + LONG + ALIGN;
/// Stores of a fixed copy after its first start at multiples of this
/// (in memory, not in the window).
const ALIGN: usize = 16;

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
pub(super) struct Done {
    /// Input before this is in `out`.
    pub(super) flushed: usize,
    /// Every LF before this has been handled, and a `.` after it.
    pub(super) scanned: usize,
    /// Stuffing dots added.
    pub(super) dots: u64,
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

/// One piece of input being encoded into a zero-filled window of `out`.
/// Offsets are relative to the piece's start on both sides.
struct Piece<'a> {
    inp: &'a [u8; IN_WINDOW],
    dst: &'a mut [u8; OUT_WINDOW],
    /// First input octet not yet copied.
    src: usize,
    /// Output octets written.
    at: usize,
    /// The octet before the piece, for an LF opening it.
    before: u8,
    /// Stuffing dots added.
    dots: u64,
    /// Address of `dst` modulo [`ALIGN`], to align the copies' stores.
    misalign: usize,
}

impl Piece<'_> {
    /// Encodes the blocks at `b`, `b + BLOCK`, ... while `b < end`, each
    /// with the octet after it in the input; returns where it stopped.
    /// Each block handles its LFs and a `.` after each of them.
    fn run(&mut self, mut b: usize, end: usize) -> usize {
        while b < end {
            let Some(block) = self
                .inp
                .get(b & (IN_SPAN - 1)..)
                .and_then(|s| s.first_chunk::<BLOCK>())
            else {
                break;
            };
            let lfs = lf_bits(block);
            if lfs == 0 {
                // No LF: copy to the block's end, so `src` never falls
                // more than a block behind.
                self.span_to(b + BLOCK);
            } else if lfs & (lfs - 1) == 0 {
                // One LF: the common case for mail lines longer than a
                // block.
                self.line_end(b + single_position(lfs.trailing_zeros()));
            } else {
                // Several LFs (short lines): one at a time.
                let mut lfs = positions(lfs);
                while lfs != 0 {
                    let p = lfs.trailing_zeros() as usize & (BLOCK - 1);
                    lfs &= lfs - 1;
                    self.line_end(b + p);
                }
                self.span_to(b + BLOCK);
            }
            b += BLOCK;
        }
        b
    }

    /// Handles the LF at `lf`: a CR in front unless one is there, and a
    /// stuffing `.` after it if the next line starts with `.`. Copies up
    /// to the LF even when nothing is inserted, so `src` keeps up.
    fn line_end(&mut self, lf: usize) {
        let before = match lf.checked_sub(1) {
            Some(prev) => self.octet(prev),
            None => self.before,
        };
        self.span_to(lf);
        self.put_if(b'\r', before != b'\r');
        if self.octet(lf + 1) == b'.' {
            // `src` is at the LF: write it and the stuffing dot directly.
            self.put_if(b'\n', true);
            self.put_if(b'.', true);
            self.src = lf + 1;
            self.dots += 1;
        }
    }

    /// Appends `inp[src..to]` (at most [`LONG`] octets), possibly writing
    /// garbage past its end, and moves `src` to `to`.
    fn span_to(&mut self, to: usize) {
        let len = to - self.src;
        if len <= SHORT {
            self.copy_fixed::<SHORT>();
        } else {
            self.copy_fixed::<LONG>();
        }
        self.at += len;
        self.src = to;
    }

    /// Copies [`ALIGN`] octets from `src` to `at`, then `N` more from
    /// where the output reaches an [`ALIGN`] boundary: at least `N + 1`
    /// octets in all, with every store but the first aligned.
    fn copy_fixed<const N: usize>(&mut self) {
        let to = self.at & (OUT_SPAN - 1);
        let from = self.src & (IN_SPAN - 1);
        self.copy_at::<ALIGN>(from, to);
        let skip = ALIGN - ((to + self.misalign) & (ALIGN - 1));
        self.copy_at::<N>(from + skip, to + skip);
    }

    /// Copies `N` octets from input offset `from` to output offset `to`.
    fn copy_at<const N: usize>(&mut self, from: usize, to: usize) {
        let dst = self
            .dst
            .get_mut(to..)
            .and_then(|d| d.first_chunk_mut::<N>());
        let src = self.inp.get(from..).and_then(|s| s.first_chunk::<N>());
        if let (Some(dst), Some(src)) = (dst, src) {
            *dst = *src;
        }
    }

    /// Writes `octet`, keeping it only if `keep`; else the next write
    /// overwrites it.
    fn put_if(&mut self, octet: u8, keep: bool) {
        if let Some(slot) = self.dst.get_mut(self.at & (OUT_SPAN - 1)) {
            *slot = octet;
        }
        self.at += usize::from(keep);
    }

    /// Input octet `i`.
    fn octet(&self, i: usize) -> u8 {
        self.inp.get(i & (IN_SPAN - 1)).copied().unwrap_or(0)
    }
}

/// RETR fast path: encodes `chunk` from its start, a block at a time, up
/// to the last block that has an octet after it in `chunk`, appending to
/// `out`. `prev_cr` tells whether the octet before `chunk` was CR; a `.`
/// opening `chunk` is the caller's.
///
/// Pieces are read straight from `chunk` while a whole input window is
/// left; the last stretch is copied into a zero-padded window first.
/// Invariant at the start of each block: `src` (first octet not yet
/// copied) is at most one block behind, so every span fits in [`LONG`].
pub(super) fn stuff_blocks(chunk: &[u8], prev_cr: bool, out: &mut BytesMut) -> Done {
    let start = out.len();
    let mut written = 0;
    let mut src = 0;
    let mut base = 0;
    let mut dots = 0;
    let mut padded = None;
    loop {
        let rest = chunk.get(src..).unwrap_or_default();
        // Blocks need the octet after them: stop where none is left.
        let end = match rest.first_chunk::<IN_WINDOW>() {
            Some(_) => PIECE,
            None => rest.len().saturating_sub(BLOCK).min(PIECE),
        };
        let b = base - src;
        if b >= end {
            break;
        }
        let inp = match rest.first_chunk::<IN_WINDOW>() {
            Some(window) => window,
            None => {
                let window = padded.get_or_insert([0u8; IN_WINDOW]);
                if let Some(head) = window.get_mut(..rest.len()) {
                    head.copy_from_slice(rest);
                }
                &*window
            }
        };
        let need = start + written + OUT_WINDOW;
        if out.len() < need {
            out.resize(need, 0);
        }
        let Some(dst) = out
            .get_mut(start + written..)
            .and_then(|d| d.first_chunk_mut::<OUT_WINDOW>())
        else {
            break;
        };
        let before = match src.checked_sub(1) {
            Some(prev) => chunk.get(prev).copied().unwrap_or(0),
            None if prev_cr => b'\r',
            None => 0,
        };
        let misalign = dst.as_ptr() as usize & (ALIGN - 1);
        let mut piece = Piece {
            misalign,
            inp,
            dst,
            src: 0,
            at: 0,
            before,
            dots: 0,
        };
        let reached = piece.run(b, end);
        base = src + reached;
        src += piece.src;
        written += piece.at;
        dots += piece.dots;
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
    use super::super::{DotStuffer, wire_size};
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

    /// The fast path covers every block that has an octet after it, in
    /// chunks of any length (several pieces, a padded last stretch, or
    /// that alone), and hands back a consistent position.
    #[test]
    fn fast_path_covers_all_but_the_last_block() {
        let text = b"line of text\n.dotted\r\nlast\n";
        for repeat in [3, 4, 100, 1000] {
            let x: Vec<u8> = text.repeat(repeat);
            let mut out = BytesMut::new();
            let done = stuff_blocks(&x, false, &mut out);
            let blocks = (x.len() - 1) / BLOCK;
            assert_eq!(done.scanned, blocks * BLOCK, "{} octets", x.len());
            assert!(done.flushed <= done.scanned);
            assert!(done.flushed + BLOCK >= done.scanned);
            assert_model_prefix(&x, &out, &done);
        }
    }

    /// What [`stuff_blocks`] wrote is a prefix of the model's output, with
    /// a stuffing dot for every `.` after an LF it handled.
    fn assert_model_prefix(x: &[u8], out: &[u8], done: &Done) {
        assert!(model_response(x, None).starts_with(out));
        let dotted = x
            .windows(2)
            .take(done.scanned)
            .filter(|pair| pair == b"\n.")
            .count();
        assert_eq!(done.dots, dotted as u64);
    }

    /// The copies align their stores to the output's address: start the
    /// output at each of the 16 alignments, with spans of every length
    /// and every shift a CR can cause.
    #[test]
    fn output_at_every_alignment() {
        // A `.` opening the chunk is the caller's: start with a line.
        let mut x = b"first\n".to_vec();
        for len in 0..150 {
            if len % 7 == 0 {
                x.push(b'.');
            }
            x.extend(std::iter::repeat_n(b'z', len));
            x.extend_from_slice(if len % 3 == 0 { b"\r\n" } else { b"\n" });
        }
        for offset in 0..ALIGN {
            let mut out = BytesMut::with_capacity(4 * x.len());
            out.extend_from_slice(&vec![b'#'; offset]);
            let done = stuff_blocks(&x, false, &mut out);
            let wrote = out.get(offset..).unwrap_or_default();
            assert_model_prefix(&x, wrote, &done);
            assert!(
                done.flushed + BLOCK >= x.len() - 1 - BLOCK,
                "offset {offset}"
            );
        }
    }

    #[test]
    fn short_chunks_skip_the_fast_path() {
        let x = b"a\n.b\n".repeat(20);
        let mut out = BytesMut::new();
        let done = stuff_blocks(&x[..BLOCK], false, &mut out);
        assert_eq!((done.scanned, done.flushed, done.dots), (0, 0, 0));
        assert!(out.is_empty());
        let done = stuff_blocks(&x[..BLOCK + 1], false, &mut out);
        assert_eq!(done.scanned, BLOCK);
        assert_model_prefix(&x[..BLOCK + 1], &out, &done);
    }

    #[test]
    fn dotted_lines_are_counted_in_long_chunks() {
        let x: Vec<u8> = b"line of text\n.dotted\r\nlast\n".repeat(1000);
        let mut out = BytesMut::new();
        let done = stuff_blocks(&x, false, &mut out);
        assert_model_prefix(&x, &out, &done);
        assert!(done.dots > 900);
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
