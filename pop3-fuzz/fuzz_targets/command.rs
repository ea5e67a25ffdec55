//! The server's command parser on arbitrary lines.
//!
//! Invariants: a line holding NUL, CR or LF is never accepted; whatever
//! is accepted encodes to a line that parses back to the same command
//! (the parser's output is always something the encoder can write); the
//! SASL line parser accepts only `*` and canonical base64.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use pop3_proto::sasl::encode_base64;
use pop3_proto::types::SaslResponse;
use pop3_proto::{encode, parse};

fuzz_target!(|line: &[u8]| {
    if let Ok(command) = parse::command(line) {
        assert!(
            !line.iter().any(|b| matches!(b, 0 | b'\r' | b'\n')),
            "accepted a line with NUL, CR or LF: {line:?}"
        );
        let mut out = BytesMut::new();
        encode::command(&command, &mut out);
        let encoded = out.strip_suffix(b"\r\n").expect("encoder ends with CRLF");
        assert!(
            !encoded.iter().any(|b| matches!(b, 0 | b'\r' | b'\n')),
            "encoder wrote a line break or NUL: {encoded:?}"
        );
        assert_eq!(
            parse::command(encoded).as_ref(),
            Ok(&command),
            "re-encoded {line:?} as {encoded:?}"
        );
        assert!(
            encoded.len() <= line.len(),
            "the canonical form {encoded:?} is longer than {line:?}"
        );
    }
    match parse::sasl_response(line) {
        Ok(SaslResponse::Cancel) => assert_eq!(line, b"*"),
        Ok(SaslResponse::Data(data)) => {
            assert_eq!(encode_base64(data.expose_secret()).as_bytes(), line);
        }
        Err(_) => {}
    }
});
