//! Checks for the body codecs, shared by the `body` target.

use bytes::BytesMut;
use pop3_proto::body::{DotStuffer, DotUnstuffer, WireSizeCounter, wire_form, wire_size};

use crate::tape::Tape;

/// Octets of decision tape before the message.
const TAPE_LEN: usize = 8;

/// Cuts `data` into the chunks `lengths` names.
fn chunked<'a>(data: &'a [u8], lengths: &[usize]) -> Vec<&'a [u8]> {
    let mut rest = data;
    lengths
        .iter()
        .map(|&n| {
            let (chunk, tail) = rest.split_at(n.min(rest.len()));
            rest = tail;
            chunk
        })
        .collect()
}

/// Stuffs `stored` fed in `chunks` and returns the encoder's wire count
/// and the output, terminator included.
fn stuff(mut stuffer: DotStuffer, chunks: &[&[u8]]) -> (u64, bool, Vec<u8>) {
    let mut out = BytesMut::new();
    for chunk in chunks {
        stuffer.encode(chunk, &mut out);
    }
    let octets = stuffer.wire_octets();
    let done = stuffer.is_done();
    stuffer.finish(&mut out);
    (octets, done, out.to_vec())
}

/// Unstuffs `chunks` in order and returns the message, the octets
/// consumed and whether the terminator was seen. Input after the
/// terminator must be left alone.
fn unstuff(chunks: &[&[u8]]) -> (Vec<u8>, usize, bool) {
    let mut decoder = DotUnstuffer::new();
    let mut message = BytesMut::new();
    let mut consumed = 0;
    for chunk in chunks {
        let was_done = decoder.is_done();
        let decoded = decoder.decode(chunk, &mut message);
        assert!(decoded.consumed <= chunk.len());
        if was_done {
            assert_eq!(decoded.consumed, 0, "input consumed after the terminator");
        }
        if !decoded.done {
            assert_eq!(decoded.consumed, chunk.len(), "input left before the end");
        }
        assert_eq!(decoded.done, decoder.is_done());
        consumed += decoded.consumed;
    }
    (message.to_vec(), consumed, decoder.is_done())
}

/// Runs every body invariant on one fuzz input:
///
/// - the wire size is the same from [`wire_size`], [`wire_form`]'s
///   length, a [`WireSizeCounter`] fed in chunks and the encoder's count;
/// - the stuffed output is the same for any chunking, has no bare LF,
///   and ends with exactly one terminator line;
/// - unstuffing it in any chunking gives back exactly [`wire_form`],
///   stops right after the terminator and leaves what follows alone;
/// - TOP gives the same for any chunking, a prefix of the wire form
///   ending at a line boundary, and all of it when the count is large;
/// - unstuffing arbitrary bytes gives the same for any chunking and never
///   outputs more than it consumed.
pub fn check(data: &[u8]) {
    let (tape, stored) = data.split_at(TAPE_LEN.min(data.len()));
    let mut tape = Tape::new(tape);

    let wire = wire_form(stored);
    let size = wire_size(stored);
    assert_eq!(size, wire.len() as u64);
    let mut counter = WireSizeCounter::new();
    for chunk in chunked(stored, &tape.chunks(stored.len())) {
        counter.update(chunk);
    }
    assert_eq!(counter.finish(), size);

    let (octets, _, whole) = stuff(DotStuffer::new(), &[stored]);
    assert_eq!(octets, size);
    let (octets, _, pieces) = stuff(
        DotStuffer::new(),
        &chunked(stored, &tape.chunks(stored.len())),
    );
    assert_eq!(octets, size);
    assert_eq!(pieces, whole, "stuffing depends on chunking");
    for (i, _) in whole.iter().enumerate().filter(|(_, b)| **b == b'\n') {
        assert!(i > 0 && whole.get(i - 1) == Some(&b'\r'), "bare LF at {i}");
    }
    assert!(whole.ends_with(b"\r\n.\r\n") || whole == b".\r\n");

    let mut stream = whole.clone();
    stream.extend_from_slice(b"+OK next\r\n");
    let (message, consumed, done) = unstuff(&chunked(&stream, &tape.chunks(stream.len())));
    assert!(done);
    assert_eq!(consumed, whole.len());
    assert_eq!(message, wire, "unstuffing does not undo stuffing");

    let lines = match tape.byte() {
        0 => u32::MAX,
        b => u32::from(b % 8),
    };
    let (_, top_done, top) = stuff(DotStuffer::top(lines), &[stored]);
    let (_, top_done_pieces, top_pieces) = stuff(
        DotStuffer::top(lines),
        &chunked(stored, &tape.chunks(stored.len())),
    );
    assert_eq!(top_pieces, top, "TOP depends on chunking");
    assert_eq!(top_done_pieces, top_done);
    let (top_message, _, done) = unstuff(&[&top]);
    assert!(done);
    assert!(wire.starts_with(&top_message), "TOP is not a prefix");
    assert!(top_message.is_empty() || top_message.ends_with(b"\r\n"));
    if lines == u32::MAX {
        assert_eq!(top_message, wire);
    }

    let (raw_whole, raw_consumed, raw_done) = unstuff(&[stored]);
    let (raw_pieces, pieces_consumed, pieces_done) =
        unstuff(&chunked(stored, &tape.chunks(stored.len())));
    assert_eq!(raw_pieces, raw_whole, "unstuffing depends on chunking");
    assert_eq!((pieces_consumed, pieces_done), (raw_consumed, raw_done));
    assert!(raw_whole.len() <= raw_consumed);
}
