use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::{MAX_MESSAGE_LEN, SaslError};

/// The standard alphabet with padding required on input and output and
/// non-zero trailing bits refused, so each message has exactly one
/// encoding. The engine also refuses whitespace and anything after padding.
const STRICT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_allow_trailing_bits(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// The longest base64 text that can decode to [`MAX_MESSAGE_LEN`] octets
/// (or up to two more, which the check after decoding catches); longer
/// input is refused before anything is allocated.
const MAX_ENCODED_LEN: usize = MAX_MESSAGE_LEN.div_ceil(3) * 4;

/// Decodes one base64 SASL line, as strictly as RFC 5034 section 4 asks.
///
/// Empty input decodes to an empty message. The `=` that stands for an
/// empty initial response on the AUTH line is not base64: the command
/// parser handles it before calling this.
pub fn decode_base64(input: &[u8]) -> Result<Vec<u8>, SaslError> {
    if input.len() > MAX_ENCODED_LEN {
        return Err(SaslError::TooLong);
    }
    let data = STRICT.decode(input).map_err(|_| SaslError::InvalidBase64)?;
    if data.len() > MAX_MESSAGE_LEN {
        return Err(SaslError::TooLong);
    }
    Ok(data)
}

/// Encodes a SASL message as padded base64, without line breaks.
pub fn encode_base64(data: &[u8]) -> String {
    STRICT.encode(data)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn decodes_canonical_input() {
        assert_eq!(decode_base64(b"").unwrap(), b"");
        assert_eq!(decode_base64(b"Zg==").unwrap(), b"f");
        assert_eq!(decode_base64(b"Zm8=").unwrap(), b"fo");
        assert_eq!(decode_base64(b"Zm9v").unwrap(), b"foo");
        assert_eq!(decode_base64(b"+/+/").unwrap(), [0xfb, 0xff, 0xbf]);
    }

    #[test]
    fn refuses_sloppy_input() {
        for bad in [
            &b"Zg"[..],      // padding missing
            b"Zg=",          // padding short
            b"Zg===",        // padding long
            b"Zh==",         // non-zero trailing bits
            b"Zm9v\r\n",     // line break
            b" Zm9v",        // leading space
            b"Zm 9v",        // inner space
            b"Zm9vZg==Zg==", // data after padding
            b"Zm9v-_",       // URL-safe alphabet
            b"=",            // the AUTH line's empty marker is not base64
            b"Zm9v\0",
            b"\xff\xfe",
        ] {
            assert_eq!(decode_base64(bad), Err(SaslError::InvalidBase64), "{bad:?}");
        }
    }

    #[test]
    fn enforces_the_size_cap() {
        let max = encode_base64(&vec![7; MAX_MESSAGE_LEN]);
        assert_eq!(
            decode_base64(max.as_bytes()).unwrap().len(),
            MAX_MESSAGE_LEN
        );
        for extra in 1..=4 {
            let over = encode_base64(&vec![7; MAX_MESSAGE_LEN + extra]);
            assert!(
                matches!(decode_base64(over.as_bytes()), Err(SaslError::TooLong)),
                "{extra}"
            );
        }
    }

    proptest! {
        #[test]
        fn round_trips(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let text = encode_base64(&data);
            prop_assert_eq!(decode_base64(text.as_bytes()).unwrap(), data);
        }

        #[test]
        fn never_panics_and_is_canonical(input in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(data) = decode_base64(&input) {
                prop_assert_eq!(encode_base64(&data).into_bytes(), input);
            }
        }
    }
}
