//! What a Maildir file name says about its message.
//!
//! A name is `BASE` or `BASE:2,FLAGS`: delivery agents (Postfix, Dovecot,
//! Courier) pick a unique `BASE`, and mail readers rename the file to
//! change the info after the first `:`, never the base. The base is
//! therefore the message's identity for as long as it lives.
//!
//! Dovecot adds comma-separated fields to the base: `,S=<octets>` (the
//! file's length) and `,W=<octets>` (the RFC 822 size: the length with
//! every line ending counted as CRLF).

/// The identity part of a file name: everything before the first `:`.
pub(super) fn base_name(name: &[u8]) -> &[u8] {
    match name.iter().position(|&b| b == b':') {
        Some(colon) => name.get(..colon).unwrap_or(name),
        None => name,
    }
}

/// The sizes Dovecot wrote into a base name, when they are well-formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct SizeFields {
    /// `S=`: the stored length.
    pub(super) stored: Option<u64>,
    /// `W=`: the length with each line ending counted as CRLF.
    pub(super) crlf: Option<u64>,
}

impl SizeFields {
    /// Reads `S=` and `W=` from the fields after the base name's first
    /// comma. A field that is not a plain decimal number is ignored.
    pub(super) fn parse(base: &[u8]) -> Self {
        let mut fields = Self::default();
        for field in base.split(|&b| b == b',').skip(1) {
            if let Some(value) = field.strip_prefix(b"S=") {
                fields.stored = decimal(value).or(fields.stored);
            } else if let Some(value) = field.strip_prefix(b"W=") {
                fields.crlf = decimal(value).or(fields.crlf);
            }
        }
        fields
    }
}

/// A decimal number of 1 to 19 digits (always fits in `u64`).
fn decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_is_before_the_first_colon() {
        assert_eq!(
            base_name(b"1732550000.V801I2a3bM123456.host"),
            b"1732550000.V801I2a3bM123456.host"
        );
        assert_eq!(
            base_name(b"1.M2P3.host,S=10,W=12:2,S"),
            b"1.M2P3.host,S=10,W=12"
        );
        assert_eq!(base_name(b"a:b:2,S"), b"a");
        assert_eq!(base_name(b":2,S"), b"");
    }

    #[test]
    fn dovecot_size_fields() {
        let f = SizeFields::parse(b"1.M2P3.host,S=1234,W=1260");
        assert_eq!(
            f,
            SizeFields {
                stored: Some(1234),
                crlf: Some(1260)
            }
        );
        let f = SizeFields::parse(b"1.M2P3.host,W=7");
        assert_eq!(
            f,
            SizeFields {
                stored: None,
                crlf: Some(7)
            }
        );
        assert_eq!(SizeFields::parse(b"1.M2P3.host"), SizeFields::default());
    }

    #[test]
    fn malformed_size_fields_are_ignored() {
        for base in [
            &b"x,W="[..],
            b"x,W=12a",
            b"x,W=-1",
            b"x,W= 12",
            b"x,W=99999999999999999999",
            b"W=12",
        ] {
            assert_eq!(
                SizeFields::parse(base).crlf,
                None,
                "{:?}",
                String::from_utf8_lossy(base)
            );
        }
    }
}
