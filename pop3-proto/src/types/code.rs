use std::fmt;
use std::str::FromStr;

use super::ValueError;

/// An extended response code in square brackets after `+OK`/`-ERR`.
///
/// ABNF (RFC 2449 section 8): `resp-code = "[" resp-level *("/" resp-level) "]"`,
/// `resp-level = 1*rchar`, `rchar = %x21-2E / %x30-5C / %x5E-7F`.
/// The named codes are from RFC 2449, RFC 3206 and RFC 6856.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResponseCode {
    /// `[IN-USE]`: the maildrop is locked by another session (RFC 2449).
    InUse,
    /// `[LOGIN-DELAY]`: logged in too soon after the last login (RFC 2449).
    LoginDelay,
    /// `[SYS/TEMP]`: a temporary server failure; try again later (RFC 3206).
    SysTemp,
    /// `[SYS/PERM]`: a permanent server failure (RFC 3206).
    SysPerm,
    /// `[AUTH]`: the credentials were wrong or not acceptable (RFC 3206).
    Auth,
    /// `[UTF8]`: the operation needs UTF-8 mode (RFC 6856).
    Utf8,
    /// Any other well-formed code, e.g. `SYS/TEMP/QUOTA`, without brackets.
    Other(Box<str>),
}

impl ResponseCode {
    /// The longest code accepted, without brackets.
    pub const MAX_LEN: usize = 64;

    /// The code as written between the brackets.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InUse => "IN-USE",
            Self::LoginDelay => "LOGIN-DELAY",
            Self::SysTemp => "SYS/TEMP",
            Self::SysPerm => "SYS/PERM",
            Self::Auth => "AUTH",
            Self::Utf8 => "UTF8",
            Self::Other(code) => code,
        }
    }

    /// Whether the code says the failure is temporary: the client should
    /// keep its credentials and try again later rather than ask the user.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::InUse | Self::LoginDelay | Self::SysTemp)
    }

    fn is_rchar(b: u8) -> bool {
        matches!(b, 0x21..=0x2E | 0x30..=0x5C | 0x5E..=0x7F)
    }
}

impl TryFrom<&[u8]> for ResponseCode {
    type Error = ValueError;

    fn try_from(bytes: &[u8]) -> Result<Self, ValueError> {
        if bytes.is_empty() {
            return Err(ValueError::Empty);
        }
        if bytes.len() > Self::MAX_LEN {
            return Err(ValueError::TooLong { max: Self::MAX_LEN });
        }
        let levels_ok = bytes
            .split(|b| *b == b'/')
            .all(|level| !level.is_empty() && level.iter().all(|b| Self::is_rchar(*b)));
        if !levels_ok {
            return Err(ValueError::ForbiddenCharacter);
        }
        let upper: String = bytes
            .iter()
            .map(|b| char::from(b.to_ascii_uppercase()))
            .collect();
        Ok(match upper.as_str() {
            "IN-USE" => Self::InUse,
            "LOGIN-DELAY" => Self::LoginDelay,
            "SYS/TEMP" => Self::SysTemp,
            "SYS/PERM" => Self::SysPerm,
            "AUTH" => Self::Auth,
            "UTF8" => Self::Utf8,
            _ => Self::Other(upper.into_boxed_str()),
        })
    }
}

impl FromStr for ResponseCode {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::try_from(s.as_bytes())
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_other_codes() {
        assert_eq!(
            "in-use".parse::<ResponseCode>().unwrap(),
            ResponseCode::InUse
        );
        assert_eq!(
            "SYS/TEMP".parse::<ResponseCode>().unwrap(),
            ResponseCode::SysTemp
        );
        assert_eq!(
            "SYS/TEMP/QUOTA".parse::<ResponseCode>().unwrap().as_str(),
            "SYS/TEMP/QUOTA"
        );
        for bad in ["", "/", "A//B", "A]", "A B", "A/"] {
            assert!(bad.parse::<ResponseCode>().is_err(), "{bad:?}");
        }
    }
}
