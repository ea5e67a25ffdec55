use thiserror::Error;

/// Why a value was refused by one of the validated types.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValueError {
    /// The value is empty where at least one character is required.
    #[error("value is empty")]
    Empty,
    /// The value is longer than the type allows.
    #[error("value is longer than {max} octets")]
    TooLong {
        /// The largest allowed length in octets.
        max: usize,
    },
    /// The value is shorter than the type allows.
    #[error("value is shorter than {min} octets")]
    TooShort {
        /// The smallest allowed length in octets.
        min: usize,
    },
    /// The value holds a character the type does not allow.
    #[error("value contains a forbidden character")]
    ForbiddenCharacter,
    /// A number is zero, too large, or not written in decimal digits.
    #[error("not a valid number")]
    InvalidNumber,
    /// The value is not valid UTF-8.
    #[error("value is not valid UTF-8")]
    NotUtf8,
}

impl ValueError {
    /// Checks a token: not empty, at most `max` octets, every octet
    /// `allowed`; the errors in that order.
    pub(crate) fn check_token(
        bytes: &[u8],
        max: usize,
        allowed: impl Fn(u8) -> bool,
    ) -> Result<(), Self> {
        if bytes.is_empty() {
            return Err(Self::Empty);
        }
        if bytes.len() > max {
            return Err(Self::TooLong { max });
        }
        if !bytes.iter().all(|&b| allowed(b)) {
            return Err(Self::ForbiddenCharacter);
        }
        Ok(())
    }
}
