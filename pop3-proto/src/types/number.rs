use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

use super::ValueError;

/// A message number within a maildrop: 1 for the first message.
///
/// ABNF (RFC 1939, RFC 2449): `msg-number = 1*DIGIT` whose value is at
/// least 1. Values above `u32::MAX` are refused rather than wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageNumber(NonZeroU32);

impl MessageNumber {
    /// The message number `n`, or `None` for 0.
    pub const fn new(n: u32) -> Option<Self> {
        match NonZeroU32::new(n) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// The number as sent on the wire.
    pub const fn get(self) -> u32 {
        self.0.get()
    }

    /// The zero-based position of this message in a maildrop listing.
    pub const fn index(self) -> usize {
        (self.0.get() - 1) as usize
    }

    /// The message number of the zero-based position `index`, if it fits.
    pub fn from_index(index: usize) -> Option<Self> {
        u32::try_from(index)
            .ok()?
            .checked_add(1)
            .and_then(Self::new)
    }
}

impl TryFrom<u32> for MessageNumber {
    type Error = ValueError;

    fn try_from(n: u32) -> Result<Self, ValueError> {
        Self::new(n).ok_or(ValueError::InvalidNumber)
    }
}

impl FromStr for MessageNumber {
    type Err = ValueError;

    /// Parses decimal digits only: no sign, no spaces, no overflow.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let n = parse_decimal_u32(s.as_bytes()).ok_or(ValueError::InvalidNumber)?;
        Self::try_from(n)
    }
}

impl fmt::Display for MessageNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Parses `1*DIGIT` into a `u32`, refusing anything else or an overflow.
pub(crate) fn parse_decimal_u32(digits: &[u8]) -> Option<u32> {
    parse_decimal_u64(digits).and_then(|n| u32::try_from(n).ok())
}

/// Parses `1*DIGIT` into a `u64`, refusing anything else or an overflow.
pub(crate) fn parse_decimal_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &d| {
        if d.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_full_range() {
        assert_eq!("1".parse::<MessageNumber>().unwrap().get(), 1);
        assert_eq!(
            "4294967295".parse::<MessageNumber>().unwrap().get(),
            u32::MAX
        );
        assert_eq!("007".parse::<MessageNumber>().unwrap().get(), 7);
    }

    #[test]
    fn refuses_what_is_not_a_message_number() {
        for bad in [
            "0",
            "-1",
            "+1",
            "4294967296",
            "1x",
            "",
            " 1",
            "1 ",
            "99999999999999999999999",
        ] {
            assert!(
                bad.parse::<MessageNumber>().is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn index_round_trips() {
        let n = MessageNumber::new(42).unwrap();
        assert_eq!(n.index(), 41);
        assert_eq!(MessageNumber::from_index(41), Some(n));
        assert_eq!(MessageNumber::from_index(u32::MAX as usize), None);
    }
}
