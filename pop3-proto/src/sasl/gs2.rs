//! The GS2 header (RFC 5801 section 4) that starts SCRAM and OAUTHBEARER
//! messages: a channel-binding flag and an optional authorization name.

use super::{SaslError, saslname};
use crate::types::Username;

/// A parsed GS2 header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Gs2Header<'a> {
    /// The header exactly as sent, both commas included; SCRAM echoes it
    /// back in base64 as its channel binding.
    pub(super) raw: &'a str,
    /// The authorization identity from `a=`, if any.
    pub(super) authzid: Option<Username>,
}

/// Splits `message` into its GS2 header and the rest.
///
/// The flag may be `n` (no channel binding) or `y` (the client could bind
/// but thinks the server cannot); `p=` asks for binding, which is not
/// offered, so it is refused.
pub(super) fn split(message: &str) -> Result<(Gs2Header<'_>, &str), SaslError> {
    let (flag, after_flag) = message
        .split_once(',')
        .ok_or(SaslError::Malformed("missing GS2 header"))?;
    match flag {
        "n" | "y" => {}
        _ if flag.starts_with("p=") => return Err(SaslError::UnsupportedChannelBinding),
        _ => return Err(SaslError::Malformed("bad GS2 channel binding flag")),
    }
    let (authz, rest) = after_flag
        .split_once(',')
        .ok_or(SaslError::Malformed("unterminated GS2 header"))?;
    let authzid = if authz.is_empty() {
        None
    } else {
        let name = authz
            .strip_prefix("a=")
            .ok_or(SaslError::Malformed("bad GS2 authorization field"))?;
        Some(saslname::decode(name)?)
    };
    let raw = message
        .get(..flag.len() + authz.len() + 2)
        .ok_or(SaslError::Malformed("missing GS2 header"))?;
    Ok((Gs2Header { raw, authzid }, rest))
}

/// Writes a header with flag `n` and the given authorization name.
pub(super) fn encode(authzid: Option<&Username>) -> String {
    match authzid {
        Some(name) => format!("n,a={},", saslname::encode(name.as_str())),
        None => "n,,".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_headers() {
        let (h, rest) = split("n,,n=user,r=x").unwrap();
        assert_eq!((h.raw, h.authzid, rest), ("n,,", None, "n=user,r=x"));
        let (h, rest) = split("y,a=bob=2Cjr,\x01").unwrap();
        assert_eq!(h.raw, "y,a=bob=2Cjr,");
        assert_eq!(h.authzid.unwrap().as_str(), "bob,jr");
        assert_eq!(rest, "\x01");
        assert_eq!(encode(None), "n,,");
        let bob = Username::try_from("bob,jr").unwrap();
        assert_eq!(encode(Some(&bob)), "n,a=bob=2Cjr,");
    }

    #[test]
    fn refuses_bad_headers() {
        assert_eq!(
            split("p=tls-unique,,n=u"),
            Err(SaslError::UnsupportedChannelBinding)
        );
        for bad in [
            "",
            "n",
            "n,",
            "x,,",
            "N,,",
            "F,n,,",
            "n,b=x,",
            "n,a=,",
            "n,a=x=41,",
        ] {
            assert!(split(bad).is_err(), "{bad:?}");
        }
    }
}
