//! The `key=value%x01` list used by OAUTHBEARER and XOAUTH2.

use crate::sasl::SaslError;

const KVSEP: u8 = 0x01;
/// Pairs one message may carry. RFC 7628 defines three keys (`auth`,
/// `host`, `port`; XOAUTH2 adds `user`) and leaves room for extensions;
/// the cap keeps the repeated-key check, which compares each key with
/// every earlier one, cheap on a line of thousands of tiny pairs.
const MAX_PAIRS: usize = 32;

/// The pairs of one message, each key present at most once.
#[derive(Debug)]
pub(super) struct Pairs<'a>(Vec<(&'a [u8], &'a [u8])>);

impl<'a> Pairs<'a> {
    /// Reads `*(key "=" value %x01) %x01`, with `key = 1*ALPHA`, refusing a
    /// repeated key and anything after the closing `%x01`.
    pub(super) fn parse(mut input: &'a [u8]) -> Result<Self, SaslError> {
        let mut pairs: Vec<(&[u8], &[u8])> = Vec::new();
        loop {
            let end =
                memchr::memchr(KVSEP, input).ok_or(SaslError::Malformed("missing final %x01"))?;
            let (item, rest) = input.split_at(end);
            input = rest.get(1..).unwrap_or_default();
            if item.is_empty() {
                return if input.is_empty() {
                    Ok(Self(pairs))
                } else {
                    Err(SaslError::Malformed("data after the final %x01"))
                };
            }
            let eq = memchr::memchr(b'=', item).ok_or(SaslError::Malformed("key without value"))?;
            let (key, value) = item.split_at(eq);
            let value = value.get(1..).unwrap_or_default();
            if key.is_empty() || !key.iter().all(u8::is_ascii_alphabetic) {
                return Err(SaslError::Malformed("bad key"));
            }
            if pairs.iter().any(|(k, _)| *k == key) {
                return Err(SaslError::Malformed("repeated key"));
            }
            if pairs.len() == MAX_PAIRS {
                return Err(SaslError::Malformed("too many key=value pairs"));
            }
            pairs.push((key, value));
        }
    }

    /// The value of `key`, if present.
    pub(super) fn get(&self, key: &str) -> Option<&'a [u8]> {
        self.0
            .iter()
            .find(|(k, _)| *k == key.as_bytes())
            .map(|(_, v)| *v)
    }

    /// All values, for checking their characters.
    pub(super) fn values(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.0.iter().map(|(_, v)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pairs() {
        let pairs = Pairs::parse(b"host=a\x01port=1\x01empty=\x01\x01").unwrap();
        assert_eq!(pairs.get("host"), Some(&b"a"[..]));
        assert_eq!(pairs.get("port"), Some(&b"1"[..]));
        assert_eq!(pairs.get("empty"), Some(&b""[..]));
        assert_eq!(pairs.get("auth"), None);
        assert_eq!(pairs.values().count(), 3);
        assert_eq!(Pairs::parse(b"\x01").unwrap().values().count(), 0);
    }

    #[test]
    fn caps_the_number_of_pairs() {
        // Distinct keys of three letters, so only the cap can refuse them.
        let list = |n: usize| {
            let mut list: Vec<u8> = (0..n)
                .flat_map(|i| {
                    let key = [
                        b'a' + (i / 676 % 26) as u8,
                        b'a' + (i / 26 % 26) as u8,
                        b'a' + (i % 26) as u8,
                    ];
                    [&key[..], b"=\x01"].concat()
                })
                .collect();
            list.push(KVSEP);
            list
        };
        assert_eq!(
            Pairs::parse(&list(MAX_PAIRS)).unwrap().values().count(),
            MAX_PAIRS
        );
        assert!(matches!(
            Pairs::parse(&list(MAX_PAIRS + 1)),
            Err(SaslError::Malformed("too many key=value pairs"))
        ));
        assert!(matches!(
            Pairs::parse(&list(3000)),
            Err(SaslError::Malformed("too many key=value pairs"))
        ));
    }

    #[test]
    fn refuses_bad_lists() {
        for bad in [
            &b""[..],
            b"a=1",
            b"a=1\x01",
            b"a=1\x01\x01x",
            b"a=1\x01\x01\x01",
            b"a\x01\x01",
            b"=1\x01\x01",
            b"a1=1\x01\x01",
            b"a=1\x01a=2\x01\x01",
        ] {
            assert!(
                matches!(Pairs::parse(bad), Err(SaslError::Malformed(_))),
                "{bad:?}"
            );
        }
    }
}
