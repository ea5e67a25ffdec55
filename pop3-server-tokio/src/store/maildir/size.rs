//! The exact wire size of a message file: what RETR will send, as
//! [`pop3_proto::body::wire_size`] defines it (bare LF counted as CRLF,
//! an unterminated last line closed with CRLF).

use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;

use pop3_proto::body::WireSizeCounter;

use super::file::open_regular;
use super::name::SizeFields;
use super::scan::Stamp;

/// Read buffer for measuring a message.
const CHUNK: usize = 64 * 1024;

/// Measures the message file at `path` with base name `base`, returning
/// its wire size and the stamp of the file that was measured.
///
/// Dovecot's `W=` field is the message's length with every line ending
/// counted as CRLF, which is the wire size except for the CRLF added to an
/// unterminated last line; so when `W=` is present and plausible (at
/// least the length, at most twice it, and `S=`, if present, equal to the
/// length) only the last octet is read. Otherwise the whole file is read.
pub(super) fn measure(path: &Path, base: &[u8]) -> io::Result<(u64, Stamp)> {
    let (mut file, meta) = open_regular(path)?;
    let stamp = Stamp::of(&meta);
    if let Some(crlf) = trusted_crlf_size(base, stamp.len) {
        let Some(last_at) = stamp.len.checked_sub(1) else {
            return Ok((0, stamp));
        };
        let mut last = [0u8; 1];
        file.read_exact_at(&mut last, last_at)?;
        let closing = if last == [b'\n'] { 0 } else { 2 };
        return Ok((crlf + closing, stamp));
    }
    let mut counter = WireSizeCounter::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => counter.update(buf.get(..n).unwrap_or_default()),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok((counter.finish(), stamp))
}

/// The `W=` size in `base`, if it can describe a file of `len` octets.
fn trusted_crlf_size(base: &[u8], len: u64) -> Option<u64> {
    let fields = SizeFields::parse(base);
    let crlf = fields.crlf?;
    let stored_matches = fields.stored.is_none_or(|stored| stored == len);
    let plausible = crlf >= len && crlf <= len.saturating_mul(2);
    (stored_matches && plausible).then_some(crlf)
}

#[cfg(test)]
mod tests {
    use pop3_proto::body::wire_size;

    use super::*;

    fn measured(name: &str, body: &[u8]) -> u64 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let base = super::super::name::base_name(name.as_bytes());
        let (size, stamp) = measure(&path, base).unwrap();
        assert_eq!(stamp.len, body.len() as u64);
        size
    }

    #[test]
    fn full_read_equals_wire_size() {
        let large = b"Subject: big\n\n".repeat(20_000);
        let bodies: [&[u8]; 6] = [
            b"",
            b"Subject: x\n\nbody\n",
            b"Subject: x\r\n\r\nbody\r\n",
            b"mixed\r\nbare\nend",
            b"ends in cr\r",
            &large,
        ];
        for body in bodies {
            assert_eq!(measured("1.V1I2M3.host", body), wire_size(body));
        }
    }

    #[test]
    fn w_field_is_used_with_the_last_octet() {
        let body = b"Subject: x\n\nbody\n";
        let w = body.len() + 3;
        let name = format!("1.M2P3.mx,S={},W={w}:2,S", body.len());
        assert_eq!(measured(&name, body), wire_size(body));
        let open = b"Subject: x\n\nno newline";
        let name = format!("1.M2P3.mx,S={},W={}:2,S", open.len(), open.len() + 2);
        assert_eq!(measured(&name, open), wire_size(open));
    }

    #[test]
    fn w_field_is_what_is_reported_when_plausible() {
        // A W= that disagrees with the content but is plausible is
        // trusted: this shows the file was not read.
        let body = b"a\nb\n";
        assert_eq!(measured("x,W=5", body), 5);
    }

    #[test]
    fn implausible_or_stale_w_field_is_ignored() {
        let body = b"a\nb\nc\n";
        let expected = wire_size(body);
        for name in ["x,W=3", "x,W=13", "x,S=7,W=8", "x,W=abc", "x,W="] {
            assert_eq!(measured(name, body), expected, "{name}");
        }
        assert_eq!(measured("x,W=0", b""), 0);
    }
}
