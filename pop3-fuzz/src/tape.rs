//! A fixed run of fuzz bytes read as a stream of small decisions.

/// Decisions for a session harness: how to cut input, what the
/// application answers. Reads cycle through a fixed slice, so an all-zero
/// tape always takes the first choice (the happy path) and a fuzzer
/// mutation changes a few decisions rather than shifting all of them.
#[derive(Debug, Clone)]
pub struct Tape {
    bytes: Vec<u8>,
    next: usize,
}

impl Tape {
    /// A tape over `bytes`; an empty one reads as zeros.
    pub fn new(bytes: &[u8]) -> Self {
        let bytes = if bytes.is_empty() {
            vec![0]
        } else {
            bytes.to_vec()
        };
        Self { bytes, next: 0 }
    }

    /// The next byte.
    pub fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.next % self.bytes.len()).copied();
        self.next = self.next.wrapping_add(1);
        b.unwrap_or(0)
    }

    /// A choice among `n` options (0 when `n` is 0).
    pub fn pick(&mut self, n: usize) -> usize {
        let b = usize::from(self.byte());
        b.checked_rem(n).unwrap_or(0)
    }

    /// True with probability about `1 / n`, never on a zero byte.
    pub fn one_in(&mut self, n: u8) -> bool {
        let b = self.byte();
        b != 0 && b.is_multiple_of(n.max(1))
    }

    /// Splits `len` octets into chunk lengths: whole, byte by byte, or in
    /// pieces of a tape-chosen size.
    pub fn chunks(&mut self, len: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut left = len;
        match self.byte() {
            0 => out.push(len),
            1 => out.resize(len, 1),
            _ => {
                while left > 0 {
                    let size = usize::from(self.byte()).max(1).min(left);
                    out.push(size);
                    left -= size;
                }
            }
        }
        out
    }
}
