use std::fmt;
use std::str::FromStr;

use super::ValueError;

/// A unique-id as reported by UIDL.
///
/// ABNF (RFC 1939 section 7): `unique-id = 1*70 uchar`,
/// `uchar = %x21-7E`. Stable across sessions for the life of a message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uid(Box<str>);

impl Uid {
    /// The longest unique-id RFC 1939 allows.
    pub const MAX_LEN: usize = 70;

    /// The unique-id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Checks `bytes` against the unique-id grammar.
    pub fn validate(bytes: &[u8]) -> Result<(), ValueError> {
        ValueError::check_token(bytes, Self::MAX_LEN, |b| b.is_ascii_graphic())
    }
}

impl TryFrom<&[u8]> for Uid {
    type Error = ValueError;

    fn try_from(bytes: &[u8]) -> Result<Self, ValueError> {
        Self::validate(bytes)?;
        let text = std::str::from_utf8(bytes).map_err(|_| ValueError::NotUtf8)?;
        Ok(Self(text.into()))
    }
}

impl TryFrom<&str> for Uid {
    type Error = ValueError;

    fn try_from(s: &str) -> Result<Self, ValueError> {
        Self::try_from(s.as_bytes())
    }
}

impl TryFrom<String> for Uid {
    type Error = ValueError;

    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::validate(s.as_bytes())?;
        Ok(Self(s.into_boxed_str()))
    }
}

impl FromStr for Uid {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::try_from(s)
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Uid {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_is_enforced() {
        assert!(Uid::try_from("whqtswO00WBw418f9t5JxYwZ").is_ok());
        assert!(Uid::try_from("!").is_ok());
        assert!(Uid::try_from("~".repeat(70).as_str()).is_ok());
        assert_eq!(Uid::try_from(""), Err(ValueError::Empty));
        assert_eq!(
            Uid::try_from("a".repeat(71).as_str()),
            Err(ValueError::TooLong { max: 70 })
        );
        for bad in ["a b", "a\tb", "a\r", "\u{7f}", "é"] {
            assert_eq!(
                Uid::try_from(bad),
                Err(ValueError::ForbiddenCharacter),
                "{bad:?}"
            );
        }
    }
}
