//! The client's response parsers on arbitrary server output.
//!
//! The first byte picks the line limit; the rest is read as every kind of
//! response. Invariants: a response is never taken from beyond the input
//! or from a line over the limit; every strict prefix of a complete
//! response is "incomplete", never an error or another value; a parsed
//! response encodes to bytes that parse back to the same value; the
//! single-line parsers and the APOP timestamp finders agree with it.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use pop3_fuzz::values::looks_like_code;
use pop3_proto::types::{Response, ResponseKind};
use pop3_proto::{apop, encode, parse};

const KINDS: [ResponseKind; 10] = [
    ResponseKind::Status,
    ResponseKind::Stat,
    ResponseKind::Scan,
    ResponseKind::ScanList,
    ResponseKind::Uid,
    ResponseKind::UidList,
    ResponseKind::Capabilities,
    ResponseKind::Languages,
    ResponseKind::Mechanisms,
    ResponseKind::SaslStep,
];

/// Strict prefixes of `taken` to try: around every line ending (where
/// a parser could mistake a partial line for a whole one) and a spread
/// in between, at most about 64.
fn cuts(taken: &[u8]) -> Vec<usize> {
    let used = taken.len();
    let mut cuts: Vec<usize> = taken
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .flat_map(|(i, _)| [i.saturating_sub(1), i, i + 1])
        .take(48)
        .chain((0..16).map(|i| i * used / 16))
        .filter(|cut| *cut < used)
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// Whether a listing's first-line text starts like a response code. A
/// listing keeps no code of its own, so `+OK [A] [B] x` keeps `[B] x` as
/// text, which written back reads as code `B`: the documented ambiguity
/// of status text, not a fault, so such values are not re-encoded.
fn listing_text_reads_as_code(response: &Response) -> bool {
    let text = match response {
        Response::ScanList { text, .. }
        | Response::UidList { text, .. }
        | Response::Capabilities { text, .. }
        | Response::Languages { text, .. }
        | Response::Mechanisms { text, .. } => text,
        _ => return false,
    };
    looks_like_code(text)
}

fuzz_target!(|data: &[u8]| {
    let Some((&limit, input)) = data.split_first() else {
        return;
    };
    let max_line = if limit == 0 {
        8192
    } else {
        usize::from(limit) * 4
    };
    for kind in KINDS {
        let Ok(Some((response, used))) = parse::response(kind, input, max_line) else {
            continue;
        };
        assert!(used > 0 && used <= input.len());
        let taken = &input[..used];
        assert!(taken.ends_with(b"\n"));
        for line in taken.split_inclusive(|b| *b == b'\n') {
            assert!(line.len() <= max_line, "line over {max_line}: {line:?}");
        }
        for cut in cuts(taken) {
            assert_eq!(
                parse::response(kind, &input[..cut], max_line),
                Ok(None),
                "{kind:?}: prefix of {cut} octets"
            );
        }
        if !listing_text_reads_as_code(&response) {
            let mut out = BytesMut::new();
            encode::response(&response, &mut out);
            assert_eq!(
                parse::response(kind, &out, usize::MAX),
                Ok(Some((response.clone(), out.len()))),
                "{kind:?}: {taken:?} re-encoded as {out:?}"
            );
        }
        let first = taken.split(|b| *b == b'\n').next().unwrap_or_default();
        let first = first.strip_suffix(b"\r").unwrap_or(first);
        match &response {
            Response::Status(status) => {
                assert_eq!(parse::status_line(first).as_ref(), Ok(status));
            }
            Response::Stat { .. } => {
                assert_eq!(parse::stat_line(first).as_ref(), Ok(&response));
            }
            _ => {}
        }
    }
    for line in input.split(|b| *b == b'\n') {
        if let Some(stamp) = apop::find_timestamp(line) {
            assert!(stamp.starts_with(b"<") && stamp.ends_with(b">") && stamp.contains(&b'@'));
        }
        if let Ok(status) = parse::status_line(line)
            && let Some(stamp) = parse::greeting_timestamp(status.text.as_str())
        {
            assert!(stamp.starts_with('<') && stamp.ends_with('>'));
        }
        let _ = parse::continuation(line);
        let _ = parse::capability_line(line);
        let _ = parse::scan_line(line);
        let _ = parse::uid_line(line);
        let _ = parse::lang_line(line);
        let _ = parse::mechanism_line(line);
    }
});
