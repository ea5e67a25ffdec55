use std::fmt;

use super::ValueError;

/// Human-readable text after `+OK`/`-ERR` or in a listing.
///
/// Any UTF-8 without CR, LF or NUL, so it can never end a line early or
/// smuggle a second response. The server shortens text to keep its lines
/// within RFC 2449's 512-octet limit ([`Text::truncated`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Text(Box<str>);

impl Text {
    /// Text with no characters.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `s` may be used as text.
    pub fn is_valid(s: &str) -> bool {
        !s.bytes().any(|b| matches!(b, b'\r' | b'\n' | b'\0'))
    }

    /// `s` with every CR, LF and NUL replaced by a space, cut to at most
    /// `max` octets on a character boundary. Never fails: for text that
    /// comes from configuration or the application rather than a peer.
    pub fn truncated(s: &str, max: usize) -> Self {
        let mut end = s.len().min(max);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let cut = s.get(..end).unwrap_or_default();
        let clean: String = cut
            .chars()
            .map(|c| {
                if matches!(c, '\r' | '\n' | '\0') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        Self(clean.into_boxed_str())
    }

    /// Text decoded from peer bytes: invalid UTF-8 is replaced, CR, LF and
    /// NUL become spaces. For a client reading whatever a server sends.
    pub fn lossy(bytes: &[u8]) -> Self {
        let s = String::from_utf8_lossy(bytes);
        Self::truncated(&s, usize::MAX)
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryFrom<&str> for Text {
    type Error = ValueError;

    fn try_from(s: &str) -> Result<Self, ValueError> {
        if Self::is_valid(s) {
            Ok(Self(s.into()))
        } else {
            Err(ValueError::ForbiddenCharacter)
        }
    }
}

impl TryFrom<String> for Text {
    type Error = ValueError;

    fn try_from(s: String) -> Result<Self, ValueError> {
        if Self::is_valid(&s) {
            Ok(Self(s.into_boxed_str()))
        } else {
            Err(ValueError::ForbiddenCharacter)
        }
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_line_breaks() {
        assert!(Text::try_from("fine text\twith tab").is_ok());
        for bad in ["a\rb", "a\nb", "a\0b"] {
            assert!(Text::try_from(bad).is_err());
        }
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(Text::truncated("héllo", 2).as_str(), "h");
        assert_eq!(Text::truncated("a\r\nb", 10).as_str(), "a  b");
        assert_eq!(Text::lossy(b"ok \xff").as_str(), "ok \u{fffd}");
    }
}
