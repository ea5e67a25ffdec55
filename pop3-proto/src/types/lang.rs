use std::fmt;
use std::str::FromStr;

use super::ValueError;

/// A language tag as used by the LANG command (RFC 6856, RFC 5646).
///
/// Accepted form: 1 to 64 octets of ASCII letters, digits and `-`,
/// starting with a letter; e.g. `en`, `de-ch`, `i-default`. Kept in lower
/// case, as tags are matched without regard to case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LanguageTag(Box<str>);

impl LanguageTag {
    /// The longest tag accepted.
    pub const MAX_LEN: usize = 64;

    /// The tag as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&[u8]> for LanguageTag {
    type Error = ValueError;

    fn try_from(bytes: &[u8]) -> Result<Self, ValueError> {
        let first = bytes.first().ok_or(ValueError::Empty)?;
        if bytes.len() > Self::MAX_LEN {
            return Err(ValueError::TooLong { max: Self::MAX_LEN });
        }
        if !first.is_ascii_alphabetic()
            || !bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            return Err(ValueError::ForbiddenCharacter);
        }
        let s = std::str::from_utf8(bytes).map_err(|_| ValueError::NotUtf8)?;
        Ok(Self(s.to_ascii_lowercase().into_boxed_str()))
    }
}

impl FromStr for LanguageTag {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::try_from(s.as_bytes())
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!("EN".parse::<LanguageTag>().unwrap(), "en".parse().unwrap());
        assert!("i-default".parse::<LanguageTag>().is_ok());
        for bad in ["", "-en", "1en", "en_US", "e n", "*"] {
            assert!(bad.parse::<LanguageTag>().is_err(), "{bad:?}");
        }
    }
}
