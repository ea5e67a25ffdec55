//! HMAC (RFC 2104) over MD5 and SHA-256 without a fallible constructor.

use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use sha2::{Digest, Sha256};

/// The block size of both MD5 and SHA-256.
const BLOCK: usize = 64;

/// The key as RFC 2104 uses it: hashed when longer than a block, then
/// padded with zeros to a block. Passing this block to `KeyInit::new`
/// gives the same MAC as the raw key, and `new` cannot fail.
fn block_key<D: Digest>(key: &[u8]) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        copy(&mut block, &D::digest(key));
    } else {
        copy(&mut block, key);
    }
    block
}

fn copy(dst: &mut [u8], src: &[u8]) {
    dst.iter_mut().zip(src).for_each(|(d, s)| *d = *s);
}

/// HMAC-MD5, for CRAM-MD5.
pub(super) fn hmac_md5(key: &[u8], data: &[u8]) -> [u8; 16] {
    let block = block_key::<Md5>(key);
    let mut mac = <Hmac<Md5> as KeyInit>::new((&block).into());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA-256 over the concatenation of `parts`, for SCRAM.
pub(super) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let block = block_key::<Sha256>(key);
    let mut mac = <Hmac<Sha256> as KeyInit>::new((&block).into());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// SHA-256, for SCRAM's `H()`.
pub(super) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::hex;

    #[test]
    fn matches_rfc_4231_and_rfc_2202_vectors() {
        // RFC 4231 test case 2 and test case 6 (a key longer than a block).
        assert_eq!(
            hex::encode(&hmac_sha256(
                b"Jefe",
                &[b"what do ya want ", b"for nothing?"]
            )),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex::encode(&hmac_sha256(
                &[0xaa; 131],
                &[b"Test Using Larger Than Block-Size Key - Hash Key First"]
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        // RFC 2202 HMAC-MD5 test cases 2 and 6.
        assert_eq!(
            hex::encode(&hmac_md5(b"Jefe", b"what do ya want for nothing?")),
            "750c783e6ab0b503eaa86e310a5db738"
        );
        assert_eq!(
            hex::encode(&hmac_md5(
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"
        );
    }

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            hex::encode(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
