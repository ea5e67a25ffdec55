//! Hand-written cases for every rule in the module docs, plus helpers and
//! naive reference models shared with the property tests.

use bytes::BytesMut;

use super::unstuff::SCAN;
use super::*;

/// `data` cut at `cuts` (any order, repeats give empty chunks).
pub(super) fn split<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(data.len())).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(&data[start..cut]);
        start = cut;
    }
    chunks.push(&data[start..]);
    chunks
}

/// Runs `stuffer` over `chunks`; returns the whole response and the
/// encoder's `wire_octets` before `finish`.
pub(super) fn stuff_chunks(mut stuffer: DotStuffer, chunks: &[&[u8]]) -> (Vec<u8>, u64) {
    let mut out = BytesMut::new();
    for chunk in chunks {
        stuffer.encode(chunk, &mut out);
    }
    let octets = stuffer.wire_octets();
    stuffer.finish(&mut out);
    (out.to_vec(), octets)
}

/// The RETR response for `stored` in one chunk.
pub(super) fn retr(stored: &[u8]) -> Vec<u8> {
    stuff_chunks(DotStuffer::new(), &[stored]).0
}

/// The TOP response for `stored` in one chunk.
pub(super) fn top(stored: &[u8], lines: u32) -> Vec<u8> {
    stuff_chunks(DotStuffer::top(lines), &[stored]).0
}

/// Runs a fresh decoder over `chunks`, stopping once it is done; returns
/// the message, the total input consumed and whether it finished.
pub(super) fn unstuff_chunks(chunks: &[&[u8]]) -> (Vec<u8>, usize, bool) {
    let mut decoder = DotUnstuffer::new();
    let mut out = BytesMut::new();
    let mut consumed = 0;
    for chunk in chunks {
        let decoded = decoder.decode(chunk, &mut out);
        consumed += decoded.consumed;
        if decoded.done {
            return (out.to_vec(), consumed, true);
        }
        assert_eq!(decoded.consumed, chunk.len(), "unfinished must consume all");
    }
    (out.to_vec(), consumed, false)
}

/// The message in `wire` in one chunk.
pub(super) fn unstuff(wire: &[u8]) -> (Vec<u8>, usize, bool) {
    unstuff_chunks(&[wire])
}

/// Octet-by-octet model of the wire form.
pub(super) fn model_wire_form(stored: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut prev = None;
    for &b in stored {
        if b == b'\n' && prev != Some(b'\r') {
            out.push(b'\r');
        }
        out.push(b);
        prev = Some(b);
    }
    if prev.is_some_and(|p| p != b'\n') {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Line-by-line model of a RETR (`None`) or TOP response.
pub(super) fn model_response(stored: &[u8], top: Option<u32>) -> Vec<u8> {
    let lines: Vec<&[u8]> = stored.split_inclusive(|&b| b == b'\n').collect();
    let take = match top {
        None => lines.len(),
        Some(n) => match lines.iter().position(|l| *l == b"\n" || *l == b"\r\n") {
            None => lines.len(),
            Some(blank) => (blank + 1).saturating_add(n as usize).min(lines.len()),
        },
    };
    let wire = model_wire_form(&lines[..take].concat());
    let mut out = Vec::new();
    for line in wire.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b".") {
            out.push(b'.');
        }
        out.extend_from_slice(line);
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[test]
fn wire_form_rules() {
    let cases: &[(&[u8], &[u8])] = &[
        (b"", b""),
        (b"a", b"a\r\n"),
        (b"a\n", b"a\r\n"),
        (b"a\r\n", b"a\r\n"),
        (b"\n", b"\r\n"),
        (b"\n\n", b"\r\n\r\n"),
        (b"a\nb\r\nc", b"a\r\nb\r\nc\r\n"),
        (b"a\rb\n", b"a\rb\r\n"),
        (b"a\r", b"a\r\r\n"),
        (b"\r", b"\r\r\n"),
        (b"\r\r\n", b"\r\r\n"),
        (b"a\n\rb", b"a\r\n\rb\r\n"),
        (b"a\0b\n\0", b"a\0b\r\n\0\r\n"),
    ];
    for &(stored, wire) in cases {
        assert_eq!(wire_form(stored), wire, "{stored:?}");
        assert_eq!(wire_size(stored), wire.len() as u64, "{stored:?}");
        assert_eq!(model_wire_form(stored), wire, "{stored:?}");
    }
}

#[test]
fn counter_pairs_cr_and_lf_across_chunks() {
    let mut counter = WireSizeCounter::new();
    assert_eq!(counter.finish(), 0);
    for chunk in [&b"a\r"[..], b"", b"\nb\n", b"c"] {
        counter.update(chunk);
    }
    // a CR LF b CR LF c CR LF
    assert_eq!(counter.finish(), 9);
    assert_eq!(wire_size(b"a\r\nb\nc"), 9);

    let mut counter = WireSizeCounter::new();
    counter.update(b"a\r");
    counter.update(b"b\n");
    assert_eq!(counter.finish(), wire_size(b"a\rb\n"));
    assert_eq!(counter.finish(), 5);
}

#[test]
fn retr_line_endings() {
    assert_eq!(retr(b""), b".\r\n");
    assert_eq!(retr(b"a"), b"a\r\n.\r\n");
    assert_eq!(retr(b"a\nb\n"), b"a\r\nb\r\n.\r\n");
    assert_eq!(retr(b"a\r\nb\r\n"), b"a\r\nb\r\n.\r\n");
    assert_eq!(retr(b"a\nb\r\nc"), b"a\r\nb\r\nc\r\n.\r\n");
    assert_eq!(retr(b"a\rb\n"), b"a\rb\r\n.\r\n");
    assert_eq!(retr(b"a\r"), b"a\r\r\n.\r\n");
    assert_eq!(retr(b"\0\n\0"), b"\0\r\n\0\r\n.\r\n");
}

#[test]
fn retr_dot_stuffing() {
    assert_eq!(retr(b".\n"), b"..\r\n.\r\n");
    assert_eq!(retr(b"..\n"), b"...\r\n.\r\n");
    assert_eq!(retr(b".x\n"), b"..x\r\n.\r\n");
    assert_eq!(retr(b"."), b"..\r\n.\r\n");
    // A body line that is exactly "." must not end the response early.
    assert_eq!(
        retr(b"H: v\n\nfirst\n.\nlast\n"),
        b"H: v\r\n\r\nfirst\r\n..\r\nlast\r\n.\r\n"
    );
    // Only LF starts a line: a dot after a bare CR is content.
    assert_eq!(retr(b"a\r.b\n"), b"a\r.b\r\n.\r\n");
    // Dots elsewhere in a line are left alone.
    assert_eq!(retr(b"a.b.\n"), b"a.b.\r\n.\r\n");
}

#[test]
fn retr_across_chunks() {
    let (wire, octets) = stuff_chunks(DotStuffer::new(), &[b"a\r", b"\nb"]);
    assert_eq!(wire, b"a\r\nb\r\n.\r\n");
    assert_eq!(octets, 6);
    let (wire, _) = stuff_chunks(DotStuffer::new(), &[b"a\n", b".b\n", b"", b".", b"\n"]);
    assert_eq!(wire, b"a\r\n..b\r\n..\r\n.\r\n");
    let (wire, _) = stuff_chunks(DotStuffer::new(), &[b"a\r", b".\n"]);
    assert_eq!(wire, b"a\r.\r\n.\r\n");
}

#[test]
fn wire_octets_counts_the_final_crlf() {
    let mut stuffer = DotStuffer::new();
    let mut out = BytesMut::new();
    assert_eq!(stuffer.wire_octets(), 0);
    stuffer.encode(b".a\nb", &mut out);
    // ".a" CRLF "b" + the CRLF finish will add; the stuffed dot is excluded.
    assert_eq!(stuffer.wire_octets(), 7);
    assert_eq!(stuffer.wire_octets(), wire_size(b".a\nb"));
}

const MESSAGE: &[u8] = b"H1: a\nH2: b\n\nl1\nl2\nl3\n";

#[test]
fn top_counts_body_lines() {
    assert_eq!(top(MESSAGE, 0), b"H1: a\r\nH2: b\r\n\r\n.\r\n");
    assert_eq!(top(MESSAGE, 1), b"H1: a\r\nH2: b\r\n\r\nl1\r\n.\r\n");
    assert_eq!(top(MESSAGE, 3), retr(MESSAGE));
    assert_eq!(top(MESSAGE, 4), retr(MESSAGE));
    assert_eq!(top(MESSAGE, u32::MAX), retr(MESSAGE));
}

#[test]
fn top_without_blank_line_is_all_headers() {
    assert_eq!(top(b"H: a\nH: b", 0), b"H: a\r\nH: b\r\n.\r\n");
    assert_eq!(top(b"H: a\n.\n", 0), b"H: a\r\n..\r\n.\r\n");
    assert_eq!(top(b"", 0), b".\r\n");
}

#[test]
fn top_blank_line_first() {
    assert_eq!(top(b"\nb1\nb2\n", 0), b"\r\n.\r\n");
    assert_eq!(top(b"\nb1\nb2\n", 1), b"\r\nb1\r\n.\r\n");
    assert_eq!(top(b"\r\nb1\r\nb2\r\n", 1), b"\r\nb1\r\n.\r\n");
}

#[test]
fn top_blank_line_kinds() {
    // CRLF-blank and LF-blank both end the headers.
    assert_eq!(
        top(b"H: a\r\n\r\nb1\r\nb2\r\n", 1),
        b"H: a\r\n\r\nb1\r\n.\r\n"
    );
    assert_eq!(
        top(b"H: a\r\n\nb1\r\nb2\r\n", 1),
        b"H: a\r\n\r\nb1\r\n.\r\n"
    );
    // Lines holding only a CR plus more, or a space, are not blank.
    assert_eq!(top(b"H\n\r\r\nb1\n", 0), b"H\r\n\r\r\nb1\r\n.\r\n");
    assert_eq!(top(b"H\n \nb1\n", 0), b"H\r\n \r\nb1\r\n.\r\n");
    // A bare CR alone on a "line" does not end it.
    assert_eq!(top(b"H\n\rb\n\nb1\n", 0), b"H\r\n\rb\r\n\r\n.\r\n");
}

#[test]
fn top_blank_line_split_across_chunks() {
    let (wire, _) = stuff_chunks(DotStuffer::top(0), &[b"H: a\r\n\r", b"\nb1\n"]);
    assert_eq!(wire, b"H: a\r\n\r\n.\r\n");
    let (wire, _) = stuff_chunks(DotStuffer::top(0), &[b"H: a\r\n", b"\r", b"x\n\nb\n"]);
    assert_eq!(wire, b"H: a\r\n\rx\r\n\r\n.\r\n");
    let (wire, _) = stuff_chunks(DotStuffer::top(1), &[b"H\n", b"\n", b".b1", b"\nb2\n"]);
    assert_eq!(wire, b"H\r\n\r\n..b1\r\n.\r\n");
}

#[test]
fn top_unterminated_last_body_line() {
    assert_eq!(top(b"H\n\nb1", 5), b"H\r\n\r\nb1\r\n.\r\n");
    assert_eq!(top(b"H\n\nb1\nb2", 1), b"H\r\n\r\nb1\r\n.\r\n");
}

#[test]
fn top_is_done_and_ignores_the_rest() {
    let mut stuffer = DotStuffer::top(1);
    let mut out = BytesMut::new();
    stuffer.encode(b"H\n\nb1\nb2", &mut out);
    assert!(stuffer.is_done());
    assert_eq!(stuffer.wire_octets(), 9);
    stuffer.encode(b"\nmore\n", &mut out);
    assert_eq!(stuffer.wire_octets(), 9);
    stuffer.finish(&mut out);
    assert_eq!(&out[..], b"H\r\n\r\nb1\r\n.\r\n");

    let mut stuffer = DotStuffer::top(3);
    stuffer.encode(MESSAGE, &mut BytesMut::new());
    assert!(stuffer.is_done());
    let mut stuffer = DotStuffer::top(4);
    stuffer.encode(MESSAGE, &mut BytesMut::new());
    assert!(!stuffer.is_done());
    assert!(!DotStuffer::new().is_done());
}

#[test]
fn unstuff_dots() {
    assert_eq!(unstuff(b"..\r\n.\r\n"), (b".\r\n".to_vec(), 7, true));
    assert_eq!(unstuff(b"...\r\n.\r\n"), (b"..\r\n".to_vec(), 8, true));
    assert_eq!(unstuff(b"..x\r\n.\r\n"), (b".x\r\n".to_vec(), 8, true));
    // RFC 1939: a line starting with "." and more text loses the dot.
    assert_eq!(unstuff(b".x\r\n.\r\n"), (b"x\r\n".to_vec(), 7, true));
    assert_eq!(unstuff(b".\rx\r\n.\r\n"), (b"\rx\r\n".to_vec(), 8, true));
    assert_eq!(unstuff(b"a.\r\n.\r\n"), (b"a.\r\n".to_vec(), 7, true));
    assert_eq!(unstuff(b".\r\n"), (Vec::new(), 3, true));
}

#[test]
fn unstuff_keeps_line_endings() {
    assert_eq!(
        unstuff(b"a\nb\r\n\0\r\rc\n.\n"),
        (b"a\nb\r\n\0\r\rc\n".to_vec(), 12, true)
    );
    assert_eq!(unstuff(b"a\n.\n"), (b"a\n".to_vec(), 4, true));
}

#[test]
fn unstuff_stops_after_terminator() {
    let input = b"a\r\n.\r\n+OK next\r\n";
    assert_eq!(unstuff(input), (b"a\r\n".to_vec(), 6, true));
    let mut decoder = DotUnstuffer::new();
    let mut out = BytesMut::new();
    let decoded = decoder.decode(input, &mut out);
    assert_eq!(
        decoded,
        Decoded {
            consumed: 6,
            done: true
        }
    );
    assert!(decoder.is_done());
    let again = decoder.decode(b"more", &mut out);
    assert_eq!(
        again,
        Decoded {
            consumed: 0,
            done: true
        }
    );
    assert_eq!(&out[..], b"a\r\n");
}

#[test]
fn unstuff_split_inside_terminator_and_dots() {
    let splits: &[&[&[u8]]] = &[
        &[b"a\r", b"\n.", b"\r", b"\n"],
        &[b"a\r\n.", b"\r\nX"],
        &[b"a\r\n", b".\r", b"\nX"],
        &[b"a\r\n.", b".\r\n.\r\n"],
        &[b"a\r\n", b".", b".", b"\r\n", b".\r\n"],
    ];
    let expected: &[&[u8]] = &[b"a\r\n", b"a\r\n", b"a\r\n", b"a\r\n.\r\n", b"a\r\n.\r\n"];
    for (chunks, want) in splits.iter().zip(expected) {
        let (message, _, done) = unstuff_chunks(chunks);
        assert!(done, "{chunks:?}");
        assert_eq!(message, *want, "{chunks:?}");
    }
    let (_, consumed, _) = unstuff_chunks(&[b"a\r\n.", b"\r\nX"]);
    assert_eq!(consumed, 6);
}

#[test]
fn unstuff_unfinished_consumes_everything() {
    assert_eq!(unstuff(b"a\r\n."), (b"a\r\n".to_vec(), 4, false));
    assert_eq!(unstuff(b"a\r\n.\r"), (b"a\r\n".to_vec(), 5, false));
    assert_eq!(unstuff(b"a"), (b"a".to_vec(), 1, false));
    assert_eq!(unstuff(b""), (Vec::new(), 0, false));
}

#[test]
fn roundtrip_single_octets() {
    let stored = b"H: v\n\n.\n..\n.x\r\na\rb\0\n.";
    let wire = retr(stored);
    let chunks: Vec<&[u8]> = wire.chunks(1).collect();
    let (message, consumed, done) = unstuff_chunks(&chunks);
    assert!(done);
    assert_eq!(consumed, wire.len());
    assert_eq!(message, wire_form(stored));
}

/// A dot-line or the terminator just before, across or after the end of
/// the stretch the decoder searches at once, in one chunk.
#[test]
fn unstuff_dot_lines_around_the_search_stretch() {
    for len in SCAN - 4..SCAN + 4 {
        let line = vec![b'a'; len];
        let wire = [&line[..], b"\r\n..x\r\n.\r\n"].concat();
        let want = [&line[..], b"\r\n.x\r\n"].concat();
        assert_eq!(unstuff(&wire), (want, wire.len(), true), "len {len}");
        let wire = [&line[..], b"\r\n.\r\n+OK"].concat();
        let want = [&line[..], b"\r\n"].concat();
        assert_eq!(unstuff(&wire), (want, wire.len() - 3, true), "len {len}");
    }
}
