//! Attribute syntax shared by the four SCRAM messages (RFC 5802 section 7).

use crate::sasl::{SaslError, decode_base64};

/// Reads the next comma-separated field, which must be `key` followed by a
/// non-empty value (`key` includes the `=`).
pub(super) fn take<'a>(
    fields: &mut impl Iterator<Item = &'a str>,
    key: &str,
    missing: &'static str,
) -> Result<&'a str, SaslError> {
    fields
        .next()
        .and_then(|field| field.strip_prefix(key))
        .filter(|value| !value.is_empty())
        .ok_or(SaslError::Malformed(missing))
}

/// [`take`] for a message's first field, where RFC 5802 reserves `m=` for
/// extensions a peer must understand to go on; none are, so it is refused.
pub(super) fn take_first<'a>(
    fields: &mut impl Iterator<Item = &'a str>,
    key: &str,
    missing: &'static str,
) -> Result<&'a str, SaslError> {
    let first = fields.next();
    if first.is_some_and(|field| field.starts_with("m=")) {
        return Err(SaslError::UnsupportedExtension);
    }
    take(&mut first.into_iter(), key, missing)
}

/// Checks the optional trailing extensions (`ALPHA "=" 1*value-char`),
/// which are otherwise ignored.
pub(super) fn check_extensions<'a>(fields: impl Iterator<Item = &'a str>) -> Result<(), SaslError> {
    for field in fields {
        let mut bytes = field.bytes();
        match (bytes.next(), bytes.next(), bytes.next()) {
            (Some(key), Some(b'='), Some(_)) if key.is_ascii_alphabetic() => {}
            _ => return Err(SaslError::Malformed("bad SCRAM extension")),
        }
    }
    Ok(())
}

/// Whether `nonce` is 1 or more printable ASCII characters other than `,`.
pub(super) fn is_valid_nonce(nonce: &str) -> bool {
    !nonce.is_empty()
        && nonce
            .bytes()
            .all(|b| matches!(b, 0x21..=0x2b | 0x2d..=0x7e))
}

/// Reads `i=`'s value: a positive decimal without leading zeros, at most
/// [`super::MAX_ITERATIONS`].
pub(super) fn parse_iterations(text: &str) -> Result<u32, SaslError> {
    if text.starts_with('0') || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SaslError::IterationCount);
    }
    text.parse::<u32>()
        .ok()
        .filter(|n| (1..=super::MAX_ITERATIONS).contains(n))
        .ok_or(SaslError::IterationCount)
}

/// Decodes a base64 value that must hold exactly 32 octets (a proof or a
/// signature).
pub(super) fn decode_key(text: &str, what: &'static str) -> Result<[u8; 32], SaslError> {
    decode_base64(text.as_bytes())?
        .try_into()
        .map_err(|_| SaslError::Malformed(what))
}

/// The message as text: SCRAM attribute values are UTF-8.
pub(super) fn as_text(message: &[u8]) -> Result<&str, SaslError> {
    crate::sasl::check_len(message)?;
    std::str::from_utf8(message).map_err(|_| SaslError::Malformed("SCRAM message is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_attributes() {
        let mut fields = "r=abc,s=".split(',');
        assert_eq!(take(&mut fields, "r=", "r").unwrap(), "abc");
        assert_eq!(take(&mut fields, "s=", "s"), Err(SaslError::Malformed("s")));
        assert_eq!(take(&mut fields, "i=", "i"), Err(SaslError::Malformed("i")));
        assert_eq!(
            take(&mut "x=1".split(','), "r=", "r"),
            Err(SaslError::Malformed("r"))
        );
    }

    #[test]
    fn checks_extensions_and_nonces() {
        assert!(check_extensions(["x=1", "Y=a=b"].into_iter()).is_ok());
        for bad in ["", "x", "x=", "1=a", "xy=a", "=a"] {
            assert!(check_extensions([bad].into_iter()).is_err(), "{bad:?}");
        }
        assert_eq!(
            take_first(&mut "m=x,n=u".split(','), "n=", "n"),
            Err(SaslError::UnsupportedExtension)
        );
        assert_eq!(take_first(&mut "n=u".split(','), "n=", "n"), Ok("u"));
        assert!(is_valid_nonce("!~%hvY$k0"));
        for bad in ["", "a,b", "a b", "a\u{7f}", "é"] {
            assert!(!is_valid_nonce(bad), "{bad:?}");
        }
    }

    #[test]
    fn parses_iteration_counts() {
        assert_eq!(parse_iterations("4096"), Ok(4096));
        assert_eq!(parse_iterations("1"), Ok(1));
        assert_eq!(
            parse_iterations("1048576"),
            Ok(super::super::MAX_ITERATIONS)
        );
        for bad in [
            "",
            "0",
            "04096",
            "-1",
            "+1",
            "1048577",
            "4294967296",
            "1e3",
            " 1",
        ] {
            assert_eq!(
                parse_iterations(bad),
                Err(SaslError::IterationCount),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn decodes_keys() {
        let text = crate::sasl::encode_base64(&[9; 32]);
        assert_eq!(decode_key(&text, "k"), Ok([9; 32]));
        let short = crate::sasl::encode_base64(&[9; 31]);
        assert_eq!(decode_key(&short, "k"), Err(SaslError::Malformed("k")));
        assert_eq!(decode_key("!!", "k"), Err(SaslError::InvalidBase64));
    }
}
