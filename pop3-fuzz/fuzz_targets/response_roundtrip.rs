//! Response values built from fuzz bytes: encode, then parse.
//!
//! Invariants: the parser reads back the same value and exactly the
//! encoded octets, leaves trailing input alone, and calls every strict
//! prefix incomplete.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use pop3_fuzz::values;
use pop3_proto::{encode, parse};

/// A limit no encoded test value reaches.
const NO_LIMIT: usize = usize::MAX;

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let (response, kind) = values::response(u)?;
    let mut out = BytesMut::new();
    encode::response(&response, &mut out);
    let len = out.len();
    assert!(out.ends_with(b"\r\n"));
    assert_eq!(
        parse::response(kind, &out, NO_LIMIT),
        Ok(Some((response.clone(), len))),
        "{out:?}"
    );
    let step = 1 + len / 31;
    for cut in (0..len).step_by(step) {
        assert_eq!(
            parse::response(kind, &out[..cut], NO_LIMIT),
            Ok(None),
            "prefix {cut} of {out:?}"
        );
    }
    let junk_len = u.int_in_range(0..=40)?;
    out.extend_from_slice(u.bytes(junk_len)?);
    assert_eq!(
        parse::response(kind, &out, NO_LIMIT),
        Ok(Some((response, len))),
        "with trailing data: {out:?}"
    );
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
