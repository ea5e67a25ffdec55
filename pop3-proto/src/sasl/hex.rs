//! Hexadecimal digests as CRAM-MD5 writes them.

/// Writes `bytes` as lowercase hex, the form RFC 2195 uses.
pub(super) fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            if let Some(&d) = DIGITS.get(usize::from(nibble)) {
                out.push(char::from(d));
            }
        }
    }
    out
}

/// Reads exactly `N` octets written as `2 * N` hex digits of either case.
pub(super) fn decode<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
    if text.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let [hi, lo] = pair else { return None };
        *byte = (digit(*hi)? << 4) | digit(*lo)?;
    }
    Some(out)
}

fn digit(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_accepts_both_cases() {
        assert_eq!(encode(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(decode::<3>(b"00abff"), Some([0x00, 0xab, 0xff]));
        assert_eq!(decode::<3>(b"00ABFF"), Some([0x00, 0xab, 0xff]));
    }

    #[test]
    fn refuses_bad_digits_and_lengths() {
        assert_eq!(decode::<2>(b"abc"), None);
        assert_eq!(decode::<2>(b"abcdef"), None);
        assert_eq!(decode::<2>(b"abcg"), None);
        assert_eq!(decode::<2>(b"+1bc"), None);
        assert_eq!(decode::<2>(b" abc"), None);
    }
}
