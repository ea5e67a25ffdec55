use std::fmt;
use std::str::FromStr;

use super::ValueError;

/// A maildrop or login name, as given to USER, APOP or a SASL mechanism.
///
/// RFC 1939 says only "a string identifying a mailbox"; this type accepts
/// 1 to 255 octets of UTF-8 (ASCII is a subset) with no control characters
/// and no leading or trailing space. As ABNF (RFC 5234; `UTF8-n` from
/// RFC 3629), at most 255 octets: `name = nchar [*(nchar / SP) nchar]`,
/// `nchar = %x21-7E / UTF8-2 / UTF8-3 / UTF8-4` except U+0080 to U+009F.
///
/// It does not decide what a name means to storage: an adapter must still
/// refuse names such as `../x` before they reach a file system.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Username(Box<str>);

impl Username {
    /// The longest name accepted, in octets.
    pub const MAX_LEN: usize = 255;

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn validate(s: &str) -> Result<(), ValueError> {
        if s.is_empty() {
            return Err(ValueError::Empty);
        }
        if s.len() > Self::MAX_LEN {
            return Err(ValueError::TooLong { max: Self::MAX_LEN });
        }
        if s.chars().any(char::is_control) || s.starts_with(' ') || s.ends_with(' ') {
            return Err(ValueError::ForbiddenCharacter);
        }
        Ok(())
    }
}

impl TryFrom<&[u8]> for Username {
    type Error = ValueError;

    fn try_from(bytes: &[u8]) -> Result<Self, ValueError> {
        let s = std::str::from_utf8(bytes).map_err(|_| ValueError::NotUtf8)?;
        Self::try_from(s)
    }
}

impl TryFrom<&str> for Username {
    type Error = ValueError;

    fn try_from(s: &str) -> Result<Self, ValueError> {
        Self::validate(s)?;
        Ok(Self(s.into()))
    }
}

impl TryFrom<String> for Username {
    type Error = ValueError;

    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::validate(&s)?;
        Ok(Self(s.into_boxed_str()))
    }
}

impl FromStr for Username {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::try_from(s)
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_and_international_names() {
        for ok in ["mrose", "alice@example.org", "Jürgen", "first last", "a"] {
            assert!(Username::try_from(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn refuses_control_characters_and_edges() {
        assert_eq!(Username::try_from(""), Err(ValueError::Empty));
        for bad in ["a\0b", "a\rb", "a\nb", "a\tb", " a", "a ", "\u{7f}"] {
            assert_eq!(
                Username::try_from(bad),
                Err(ValueError::ForbiddenCharacter),
                "{bad:?}"
            );
        }
        assert_eq!(Username::try_from(&b"\xff"[..]), Err(ValueError::NotUtf8));
        assert!(Username::try_from("x".repeat(256).as_str()).is_err());
    }
}
