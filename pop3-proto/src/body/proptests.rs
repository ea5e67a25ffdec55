//! Property tests: chunking never matters, encoder and decoder invert each
//! other, sizes agree, and TOP is a line-wise prefix of RETR.

use bytes::BytesMut;
use proptest::prelude::*;

use super::tests::{
    model_response, model_wire_form, retr, split, stuff_chunks, unstuff, unstuff_chunks,
};
use super::*;

/// Messages rich in the octets that matter here.
fn message() -> impl Strategy<Value = Vec<u8>> {
    let octet = prop_oneof![
        3 => Just(b'\n'),
        2 => Just(b'\r'),
        2 => Just(b'.'),
        2 => Just(b'a'),
        1 => Just(0u8),
        1 => Just(b' '),
        1 => any::<u8>(),
    ];
    prop::collection::vec(octet, 0..200)
}

/// Messages already in wire form: CRLF-terminated lines of any octets but
/// CR and LF.
fn wire_message() -> impl Strategy<Value = Vec<u8>> {
    let octet = prop_oneof![Just(b'.'), Just(b'x'), Just(0u8), any::<u8>()]
        .prop_filter("no line ends", |b| *b != b'\r' && *b != b'\n');
    let line = prop::collection::vec(octet, 0..8);
    prop::collection::vec(line, 0..20).prop_map(|lines| {
        lines
            .into_iter()
            .flat_map(|mut l| {
                l.extend_from_slice(b"\r\n");
                l
            })
            .collect()
    })
}

/// Chunk cut points, as raw positions clamped by [`split`].
fn cuts() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..260, 0..8)
}

/// RETR (`None`) or a TOP limit, small or huge.
fn limit() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![Just(None), (0u32..5).prop_map(Some), Just(Some(u32::MAX)),]
}

fn stuffer(limit: Option<u32>) -> DotStuffer {
    limit.map_or_else(DotStuffer::new, DotStuffer::top)
}

proptest! {
    #[test]
    fn encoder_matches_model_for_any_chunking(x in message(), cuts in cuts(), limit in limit()) {
        let whole = stuff_chunks(stuffer(limit), &[&x]);
        let chunked = stuff_chunks(stuffer(limit), &split(&x, &cuts));
        prop_assert_eq!(&whole, &chunked);
        prop_assert_eq!(whole.0, model_response(&x, limit));
    }

    #[test]
    fn sizes_agree(x in message(), cuts in cuts()) {
        let size = wire_size(&x);
        let mut counter = WireSizeCounter::new();
        for chunk in split(&x, &cuts) {
            counter.update(chunk);
        }
        prop_assert_eq!(counter.finish(), size);
        let (_, octets) = stuff_chunks(DotStuffer::new(), &split(&x, &cuts));
        prop_assert_eq!(octets, size);
        prop_assert_eq!(wire_form(&x), model_wire_form(&x));
        prop_assert_eq!(wire_form(&x).len() as u64, size);
    }

    #[test]
    fn unstuff_inverts_stuff(
        x in message(),
        limit in limit(),
        junk in message(),
        cuts in cuts(),
    ) {
        let (wire, octets) = stuff_chunks(stuffer(limit), &[&x]);
        let mut input = wire.clone();
        input.extend_from_slice(&junk);
        let (message, consumed, done) = unstuff_chunks(&split(&input, &cuts));
        prop_assert!(done);
        prop_assert_eq!(consumed, wire.len());
        prop_assert_eq!(message.len() as u64, octets);
        if limit.is_none() {
            prop_assert_eq!(message, wire_form(&x));
        }
    }

    #[test]
    fn wire_form_survives_roundtrip(x in wire_message(), y in message()) {
        prop_assert_eq!(unstuff(&retr(&x)).0, x.clone());
        prop_assert_eq!(wire_form(&x), x);
        let normal = wire_form(&y);
        prop_assert_eq!(unstuff(&retr(&normal)).0, normal.clone());
        prop_assert_eq!(wire_form(&normal), normal);
    }

    #[test]
    fn decoder_ignores_chunking(input in message(), cuts in cuts()) {
        let whole = unstuff(&input);
        let chunked = unstuff_chunks(&split(&input, &cuts));
        prop_assert_eq!(&whole, &chunked);
        if whole.2 {
            prop_assert!(input[..whole.1].ends_with(b"\n"));
        } else {
            prop_assert_eq!(whole.1, input.len());
        }
    }

    #[test]
    fn top_is_a_linewise_prefix_of_retr(x in message(), lines in 0u32..6) {
        let full = retr(&x);
        let part = stuff_chunks(DotStuffer::top(lines), &[&x]).0;
        let full = &full[..full.len() - 3];
        let part = &part[..part.len() - 3];
        prop_assert!(full.starts_with(part));
        prop_assert!(part.is_empty() || part.ends_with(b"\r\n"));
    }

    #[test]
    fn done_top_ignores_further_input(x in message(), more in message(), lines in 0u32..3) {
        let mut stuffer = DotStuffer::top(lines);
        let mut out = BytesMut::new();
        stuffer.encode(&x, &mut out);
        if stuffer.is_done() {
            let before = (out.clone(), stuffer.wire_octets());
            stuffer.encode(&more, &mut out);
            prop_assert_eq!((out, stuffer.wire_octets()), before);
        }
    }
}
