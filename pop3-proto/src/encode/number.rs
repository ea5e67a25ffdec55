use bytes::{BufMut, BytesMut};

/// Writes `n` in decimal without going through `fmt`: listings of a large
/// maildrop write hundreds of thousands of numbers.
pub(crate) fn put_u64(out: &mut BytesMut, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(d) = digits.get_mut(start) {
            // `n % 10` is below 10, so the cast cannot truncate.
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || start == 0 {
            break;
        }
    }
    out.put_slice(digits.get(start..).unwrap_or_default());
}

/// Writes `n` in decimal.
pub(crate) fn put_u32(out: &mut BytesMut, n: u32) {
    put_u64(out, u64::from(n));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal() {
        for n in [0u64, 1, 9, 10, 99, 100, 4_294_967_295, u64::MAX] {
            let mut out = BytesMut::new();
            put_u64(&mut out, n);
            assert_eq!(&out[..], n.to_string().as_bytes());
        }
    }
}
