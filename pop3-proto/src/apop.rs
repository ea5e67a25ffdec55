//! APOP (RFC 1939 section 7): the client proves it knows a shared secret by
//! sending MD5(timestamp || secret), where the timestamp is the
//! `<...>` string from the server's greeting.
//!
//! The server needs the secret in plaintext, and MD5 is weak enough that
//! an active attacker can recover short secrets (CVE-2007-1558); servers
//! should let operators turn APOP off.

use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

use crate::types::ApopDigest;

/// MD5 of `timestamp` (angle brackets included) followed by `secret`.
pub fn digest(timestamp: &[u8], secret: &[u8]) -> ApopDigest {
    let mut md5 = Md5::new();
    md5.update(timestamp);
    md5.update(secret);
    ApopDigest(md5.finalize().into())
}

/// Whether `digest` is right for `timestamp` and `secret`, compared in
/// constant time.
pub fn verify(timestamp: &[u8], secret: &[u8], digest: &ApopDigest) -> bool {
    self::digest(timestamp, secret).0.ct_eq(&digest.0).into()
}

/// Builds a greeting timestamp `<unique@hostname>`.
///
/// `unique` must never repeat on this server (RFC 1939 suggests
/// `process-id.clock`). Returns `None` if either part is empty or holds
/// anything but ASCII letters, digits and `.@_+/-`: mpop refuses APOP for
/// any other character, and curl and Thunderbird need the `@`.
pub fn timestamp(unique: &str, hostname: &str) -> Option<String> {
    let allowed = |s: &str| {
        !s.is_empty()
            && s.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'@' | b'_' | b'+' | b'/' | b'-')
            })
    };
    (allowed(unique) && allowed(hostname)).then(|| format!("<{unique}@{hostname}>"))
}

/// Finds the timestamp in a greeting's text, for a client: from the first
/// `<` to the next `>`, brackets included. Returns `None` if there is
/// none, or if it is empty, lacks an `@` or holds spaces or control
/// characters; such a greeting does not offer APOP.
pub fn find_timestamp(greeting: &[u8]) -> Option<&[u8]> {
    let start = memchr::memchr(b'<', greeting)?;
    let rest = greeting.get(start..)?;
    let end = memchr::memchr(b'>', rest)?;
    let stamp = rest.get(..=end)?;
    let inner = stamp.get(1..end)?;
    let ok = !inner.is_empty()
        && inner.contains(&b'@')
        && inner.iter().all(|b| b.is_ascii_graphic() || *b >= 0x80);
    ok.then_some(stamp)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const STAMP: &[u8] = b"<1896.697170952@dbc.mtview.ca.us>";

    #[test]
    fn rfc_1939_example() {
        let d = digest(STAMP, b"tanstaaf");
        assert_eq!(d.to_string(), "c4c9334bac560ecc979e58001b3e22fb");
        assert!(verify(STAMP, b"tanstaaf", &d));
        assert!(!verify(STAMP, b"tanstaag", &d));
        assert!(!verify(
            b"<1896.697170953@dbc.mtview.ca.us>",
            b"tanstaaf",
            &d
        ));
        let mut flipped = d;
        flipped.0[15] ^= 1;
        assert!(!verify(STAMP, b"tanstaaf", &flipped));
    }

    #[test]
    fn builds_safe_timestamps() {
        assert_eq!(
            timestamp("1896.697170952", "dbc.mtview.ca.us")
                .unwrap()
                .as_bytes(),
            STAMP
        );
        assert_eq!(
            timestamp("a+b/c_d-e", "x@y").as_deref(),
            Some("<a+b/c_d-e@x@y>")
        );
        for (unique, host) in [
            ("", "h"),
            ("u", ""),
            ("a=", "h"),
            ("a b", "h"),
            ("u", "h>"),
            ("u", "ä"),
            ("u", "h\r\n"),
        ] {
            assert_eq!(timestamp(unique, host), None, "{unique:?} {host:?}");
        }
    }

    #[test]
    fn finds_timestamps_in_greetings() {
        let greeting = b"POP3 server ready <1896.697170952@dbc.mtview.ca.us> hi";
        assert_eq!(find_timestamp(greeting), Some(STAMP));
        assert_eq!(find_timestamp(b"ready <a@b>"), Some(&b"<a@b>"[..]));
        for none in [
            &b"ready"[..],
            b"<>",
            b"<ab>",
            b"<a@b",
            b"<a @b>",
            b"a@b>",
            b"<a\x01@b>",
        ] {
            assert_eq!(find_timestamp(none), None, "{none:?}");
        }
    }

    proptest! {
        #[test]
        fn find_never_panics(input in proptest::collection::vec(any::<u8>(), 0..100)) {
            if let Some(stamp) = find_timestamp(&input) {
                prop_assert!(stamp.starts_with(b"<") && stamp.ends_with(b">"));
            }
        }

        #[test]
        fn built_timestamps_are_found(unique in "[A-Za-z0-9._+/-]{1,20}", host in "[a-z0-9.-]{1,20}") {
            let stamp = timestamp(&unique, &host).unwrap();
            let greeting = format!("POP3 ready {stamp}");
            prop_assert_eq!(find_timestamp(greeting.as_bytes()), Some(stamp.as_bytes()));
        }
    }
}
