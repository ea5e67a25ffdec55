use std::fmt;
use std::str::FromStr;

use super::{Command, ValueError};

/// A command keyword: the first word of every command line.
///
/// ABNF (RFC 2449 section 9, restating RFC 1939 section 3):
/// `keyword = 3*4VCHAR`, `VCHAR = %x21-7E` (RFC 5234). Keywords are
/// matched without regard to case, so the value is kept in upper case:
/// `stat` and `STAT` are equal, hash alike and display as `STAT`.
///
/// This is the shape of any keyword, known or not; [`Command`] holds the
/// ones this crate implements. CAPA tags are not keywords: RFC 2449 gives
/// them their own, longer grammar (`capa-tag = 1*cchar`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Keyword {
    bytes: [u8; 4],
    len: u8,
}

impl Keyword {
    /// The shortest keyword, in octets.
    pub const MIN_LEN: usize = 3;
    /// The longest keyword, in octets.
    pub const MAX_LEN: usize = 4;

    /// `USER` (RFC 1939).
    pub const USER: Self = Self::known(*b"USER");
    /// `PASS` (RFC 1939).
    pub const PASS: Self = Self::known(*b"PASS");
    /// `APOP` (RFC 1939).
    pub const APOP: Self = Self::known(*b"APOP");
    /// `AUTH` (RFC 5034).
    pub const AUTH: Self = Self::known(*b"AUTH");
    /// `CAPA` (RFC 2449).
    pub const CAPA: Self = Self::known(*b"CAPA");
    /// `STLS` (RFC 2595).
    pub const STLS: Self = Self::known(*b"STLS");
    /// `UTF8` (RFC 6856).
    pub const UTF8: Self = Self::known(*b"UTF8");
    /// `LANG` (RFC 6856).
    pub const LANG: Self = Self::known(*b"LANG");
    /// `STAT` (RFC 1939).
    pub const STAT: Self = Self::known(*b"STAT");
    /// `LIST` (RFC 1939).
    pub const LIST: Self = Self::known(*b"LIST");
    /// `RETR` (RFC 1939).
    pub const RETR: Self = Self::known(*b"RETR");
    /// `DELE` (RFC 1939).
    pub const DELE: Self = Self::known(*b"DELE");
    /// `NOOP` (RFC 1939).
    pub const NOOP: Self = Self::known(*b"NOOP");
    /// `RSET` (RFC 1939).
    pub const RSET: Self = Self::known(*b"RSET");
    /// `TOP` (RFC 1939).
    pub const TOP: Self = Self {
        bytes: *b"TOP\0",
        len: 3,
    };
    /// `UIDL` (RFC 1939).
    pub const UIDL: Self = Self::known(*b"UIDL");
    /// `QUIT` (RFC 1939).
    pub const QUIT: Self = Self::known(*b"QUIT");

    /// A four-letter keyword spelled in upper case in this file.
    const fn known(bytes: [u8; 4]) -> Self {
        Self { bytes, len: 4 }
    }

    /// The keyword as text, in upper case.
    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        // Only VCHAR octets are ever stored, so this is always ASCII.
        std::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl TryFrom<&[u8]> for Keyword {
    type Error = ValueError;

    fn try_from(bytes: &[u8]) -> Result<Self, ValueError> {
        ValueError::check_token(bytes, Self::MAX_LEN, |b| b.is_ascii_graphic())?;
        if bytes.len() < Self::MIN_LEN {
            return Err(ValueError::TooShort { min: Self::MIN_LEN });
        }
        let mut keyword = Self {
            bytes: [0; 4],
            len: 0,
        };
        for (slot, b) in keyword.bytes.iter_mut().zip(bytes) {
            *slot = b.to_ascii_uppercase();
            keyword.len += 1;
        }
        Ok(keyword)
    }
}

impl TryFrom<&str> for Keyword {
    type Error = ValueError;

    fn try_from(s: &str) -> Result<Self, ValueError> {
        Self::try_from(s.as_bytes())
    }
}

impl FromStr for Keyword {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::try_from(s.as_bytes())
    }
}

impl From<&Command> for Keyword {
    /// The keyword `command` is sent with.
    fn from(command: &Command) -> Self {
        match command {
            Command::User(_) => Self::USER,
            Command::Pass(_) => Self::PASS,
            Command::Apop { .. } => Self::APOP,
            Command::Auth(_) => Self::AUTH,
            Command::Capa => Self::CAPA,
            Command::Stls => Self::STLS,
            Command::Utf8 => Self::UTF8,
            Command::Lang(_) => Self::LANG,
            Command::Stat => Self::STAT,
            Command::List(_) => Self::LIST,
            Command::Retr(_) => Self::RETR,
            Command::Dele(_) => Self::DELE,
            Command::Noop => Self::NOOP,
            Command::Rset => Self::RSET,
            Command::Top { .. } => Self::TOP,
            Command::Uidl(_) => Self::UIDL,
            Command::Quit => Self::QUIT,
        }
    }
}

impl PartialEq<str> for Keyword {
    /// Compares without regard to case, as keywords are matched.
    fn eq(&self, other: &str) -> bool {
        self.as_str().eq_ignore_ascii_case(other)
    }
}

impl PartialEq<&str> for Keyword {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl fmt::Debug for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keyword({:?})", self.as_str())
    }
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Keyword {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_ignores_case_and_display_is_upper_case() {
        let lower: Keyword = "stat".parse().unwrap();
        assert_eq!(lower, Keyword::STAT);
        assert_eq!(lower, "StAt");
        assert_eq!(lower.to_string(), "STAT");
        assert_eq!(Keyword::try_from(&b"top"[..]).unwrap(), Keyword::TOP);
        assert_eq!(Keyword::TOP.as_str(), "TOP");
        assert_eq!(format!("{:?}", Keyword::TOP), "Keyword(\"TOP\")");
        assert_ne!(Keyword::TOP, "TOPS");
        assert_eq!("X-Y".parse::<Keyword>().unwrap().as_str(), "X-Y");
    }

    #[test]
    fn grammar_is_three_or_four_visible_characters() {
        assert_eq!(Keyword::try_from(""), Err(ValueError::Empty));
        assert_eq!(
            Keyword::try_from("ST"),
            Err(ValueError::TooShort { min: 3 })
        );
        assert_eq!(
            Keyword::try_from("STATS"),
            Err(ValueError::TooLong { max: 4 })
        );
        for bad in ["ST T", "ST\tT", "ST\u{7f}", "S\0AT", "\u{e9}T"] {
            assert_eq!(
                Keyword::try_from(bad),
                Err(ValueError::ForbiddenCharacter),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn every_command_has_the_keyword_it_is_sent_with() {
        let n = crate::MessageNumber::new(1).unwrap();
        let commands = [
            Command::User("u".parse().unwrap()),
            Command::Pass(crate::Secret::new(b"p".to_vec())),
            Command::Apop {
                name: "u".parse().unwrap(),
                digest: crate::ApopDigest([0; 16]),
            },
            Command::Auth(None),
            Command::Capa,
            Command::Stls,
            Command::Utf8,
            Command::Lang(None),
            Command::Stat,
            Command::List(None),
            Command::Retr(n),
            Command::Dele(n),
            Command::Noop,
            Command::Rset,
            Command::Top { msg: n, lines: 0 },
            Command::Uidl(None),
            Command::Quit,
        ];
        for command in &commands {
            let keyword = Keyword::from(command);
            assert_eq!(keyword.as_str(), command.keyword());
            assert_eq!(keyword, command.keyword().parse::<Keyword>().unwrap());
        }
    }
}
