//! `saslname` (RFC 5802 section 7, RFC 5801): names inside GS2 and SCRAM
//! messages, where `,` is written `=2C` and `=` is written `=3D`.
//!
//! Only this escaping is applied. SASLprep (RFC 4013) is not: names are
//! compared exactly as sent, and a server that wants case or Unicode
//! folding must do it itself.

use super::SaslError;
use crate::types::Username;

/// Undoes the escaping and validates the result as a [`Username`].
///
/// `=` followed by anything but `2C` or `3D` is refused, and so is a raw
/// `,` (it can only appear if the caller split the message wrongly).
pub(super) fn decode(value: &str) -> Result<Username, SaslError> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(pos) = rest.find(['=', ',']) {
        let (plain, tail) = rest.split_at(pos);
        out.push_str(plain);
        rest = if let Some(after) = tail.strip_prefix("=2C") {
            out.push(',');
            after
        } else if let Some(after) = tail.strip_prefix("=3D") {
            out.push('=');
            after
        } else {
            return Err(SaslError::Malformed("bad escape in a SASL name"));
        };
    }
    out.push_str(rest);
    Username::try_from(out).map_err(SaslError::InvalidUsername)
}

/// Escapes `=` and `,` so the name can sit inside a GS2 or SCRAM message.
pub(super) fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '=' => out.push_str("=3D"),
            ',' => out.push_str("=2C"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::types::ValueError;

    #[test]
    fn unescapes_commas_and_equals() {
        assert_eq!(decode("a=2Cb=3Dc").unwrap().as_str(), "a,b=c");
        assert_eq!(decode("=3D=3D").unwrap().as_str(), "==");
        assert_eq!(encode("a,b=c"), "a=2Cb=3Dc");
    }

    #[test]
    fn refuses_other_escapes_and_bad_names() {
        for bad in ["a=2c", "a=3d", "a=", "a=2", "=41", "a,b", "a=X"] {
            assert!(
                matches!(decode(bad), Err(SaslError::Malformed(_))),
                "{bad:?}"
            );
        }
        assert_eq!(
            decode(""),
            Err(SaslError::InvalidUsername(ValueError::Empty))
        );
        assert!(matches!(
            decode("a\u{1}b"),
            Err(SaslError::InvalidUsername(_))
        ));
    }

    proptest! {
        #[test]
        fn round_trips(name in "[ -~]{0,40}") {
            let ok = Username::try_from(name.as_str());
            let decoded = decode(&encode(&name));
            prop_assert_eq!(decoded.ok(), ok.ok());
        }
    }
}
