//! LOGIN (draft-murchison-sasl-login): the server prompts for a user name,
//! then a password, each answered in its own message.
//!
//! Some clients send the user name as an initial response on the AUTH
//! line; the server then skips the first prompt.

use super::{SaslError, check_len};
use crate::types::{Secret, Username};

/// The first challenge, before base64. Clients ignore the wording, but
/// these are the words every implementation sends.
pub const USERNAME_PROMPT: &[u8] = b"Username:";

/// The second challenge, before base64.
pub const PASSWORD_PROMPT: &[u8] = b"Password:";

/// The longest password accepted, in octets; the same limit as PLAIN.
pub const MAX_PASSWORD_LEN: usize = super::plain::MAX_PASSWORD_LEN;

/// Reads the answer to [`USERNAME_PROMPT`].
pub fn decode_username(response: &[u8]) -> Result<Username, SaslError> {
    check_len(response)?;
    Username::try_from(response).map_err(SaslError::InvalidUsername)
}

/// Reads the answer to [`PASSWORD_PROMPT`]: 1 to [`MAX_PASSWORD_LEN`]
/// octets without NUL, kept as sent (not necessarily UTF-8).
pub fn decode_password(response: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
    if response.is_empty() || response.len() > MAX_PASSWORD_LEN || response.contains(&0) {
        return Err(SaslError::InvalidPassword);
    }
    Ok(Secret::new(response.to_vec()))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::types::ValueError;

    #[test]
    fn decodes_answers() {
        assert_eq!(decode_username(b"tim").unwrap().as_str(), "tim");
        assert_eq!(
            decode_password(b"tanstaaf").unwrap().expose_secret(),
            b"tanstaaf"
        );
        assert_eq!(USERNAME_PROMPT, b"Username:");
        assert_eq!(PASSWORD_PROMPT, b"Password:");
    }

    #[test]
    fn refuses_bad_answers() {
        assert_eq!(
            decode_username(b""),
            Err(SaslError::InvalidUsername(ValueError::Empty))
        );
        assert!(decode_username(b"a\0b").is_err());
        assert!(decode_username(b"\xff").is_err());
        assert_eq!(
            decode_username(&vec![b'a'; crate::sasl::MAX_MESSAGE_LEN + 1]),
            Err(SaslError::TooLong)
        );
        assert_eq!(decode_password(b""), Err(SaslError::InvalidPassword));
        assert_eq!(decode_password(b"a\0"), Err(SaslError::InvalidPassword));
        assert!(decode_password(&[b'p'; MAX_PASSWORD_LEN]).is_ok());
        assert_eq!(
            decode_password(&[b'p'; MAX_PASSWORD_LEN + 1]),
            Err(SaslError::InvalidPassword)
        );
    }

    proptest! {
        #[test]
        fn never_panics(input in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode_username(&input);
            let _ = decode_password(&input);
        }
    }
}
