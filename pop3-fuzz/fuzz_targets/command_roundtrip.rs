//! Command values built from fuzz bytes: encode, then parse.
//!
//! Invariants: the encoder writes exactly one line (CRLF only at the end,
//! no NUL) and the parser reads it back as the same command; SASL lines
//! round-trip the same way.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use pop3_fuzz::values;
use pop3_proto::types::{SaslResponse, Secret};
use pop3_proto::{encode, parse};

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let command = values::command(u)?;
    let mut out = BytesMut::new();
    encode::command(&command, &mut out);
    let line = out.strip_suffix(b"\r\n").expect("encoder ends with CRLF");
    assert!(
        !line.iter().any(|b| matches!(b, 0 | b'\r' | b'\n')),
        "{command:?} encoded with a line break or NUL: {line:?}"
    );
    assert_eq!(parse::command(line), Ok(command), "{line:?}");

    let sasl = if u.arbitrary()? {
        SaslResponse::Cancel
    } else {
        let len = u.int_in_range(0..=600)?;
        SaslResponse::Data(Secret::new(u.bytes(len)?.to_vec()))
    };
    let mut out = BytesMut::new();
    encode::sasl_response(&sasl, &mut out);
    let line = out.strip_suffix(b"\r\n").expect("encoder ends with CRLF");
    assert_eq!(parse::sasl_response(line), Ok(sasl));
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
