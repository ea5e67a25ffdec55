//! The size cache: wire sizes measured once and kept in the Maildir, so
//! a login does not read every message again.
//!
//! The file `pop3d-cache` is text: the line `pop3d-size-cache 1`, then
//! one line a message:
//!
//! ```text
//! <wire size> <length> <mtime seconds> <mtime nanoseconds> <base name>
//! ```
//!
//! The base name is written with every octet outside 0x21-0x7E, and `%`
//! itself, as `%XX` (upper-case hex). An entry counts only while the
//! file's length and mtime are unchanged, so an edited message is measured
//! again. A missing, foreign or damaged cache (or line) is rebuilt, never
//! an error. The file is replaced atomically: written to
//! `pop3d-cache.tmp`, flushed, renamed over, and the directory flushed.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::file::{open_regular, sync_dir};
use super::scan::Stamp;

/// The cache file's name inside the Maildir.
pub(super) const CACHE_FILE: &str = "pop3d-cache";
/// The name the next cache is written under before it replaces the last.
const CACHE_TMP: &str = "pop3d-cache.tmp";
/// The first line; a file without it is not (this version of) the cache.
const HEADER: &str = "pop3d-size-cache 1";
/// A larger file is not a cache this daemon wrote (10,000 messages take
/// about a megabyte).
const MAX_CACHE_LEN: u64 = 64 << 20;

/// Wire sizes by base name, each with the stamp of the file measured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct SizeCache {
    entries: HashMap<Vec<u8>, (Stamp, u64)>,
}

impl SizeCache {
    /// The cache stored in `maildir`, or an empty one.
    pub(super) fn load(maildir: &Path) -> Self {
        let path = maildir.join(CACHE_FILE);
        let mut text = Vec::new();
        let read = open_regular(&path).and_then(|(file, meta)| {
            if meta.len() > MAX_CACHE_LEN {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "too large"));
            }
            file.take(MAX_CACHE_LEN).read_to_end(&mut text)
        });
        match read {
            Ok(_) => Self::parse(&text),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Self::default(),
            Err(err) => {
                tracing::warn!(path = %path.display(), error = %err, "maildir: size cache unreadable, rebuilding");
                Self::default()
            }
        }
    }

    /// The cached wire size of the message `base`, if its file still has
    /// this stamp.
    pub(super) fn get(&self, base: &[u8], stamp: Stamp) -> Option<u64> {
        match self.entries.get(base) {
            Some(&(cached, size)) if cached == stamp => Some(size),
            _ => None,
        }
    }

    /// Records the wire size of the message `base` with this stamp.
    pub(super) fn insert(&mut self, base: &[u8], stamp: Stamp, size: u64) {
        self.entries.insert(base.to_vec(), (stamp, size));
    }

    /// Writes the cache to `maildir`, replacing the old one atomically.
    pub(super) fn store(&self, maildir: &Path) -> io::Result<()> {
        let tmp = maildir.join(CACHE_TMP);
        match std::fs::remove_file(&tmp) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(&self.render())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, maildir.join(CACHE_FILE))?;
        sync_dir(maildir)
    }

    fn parse(text: &[u8]) -> Self {
        let mut lines = text.split(|&b| b == b'\n');
        if lines.next() != Some(HEADER.as_bytes()) {
            return Self::default();
        }
        let entries = lines
            .filter(|line| !line.is_empty())
            .filter_map(parse_line)
            .collect();
        Self { entries }
    }

    fn render(&self) -> Vec<u8> {
        let mut sorted: Vec<_> = self.entries.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = Vec::with_capacity(HEADER.len() + 1 + sorted.len() * 96);
        out.extend_from_slice(HEADER.as_bytes());
        out.push(b'\n');
        for (base, (stamp, size)) in sorted {
            let fields = format!("{size} {} {} {} ", stamp.len, stamp.mtime, stamp.mtime_nsec);
            out.extend_from_slice(fields.as_bytes());
            escape(base, &mut out);
            out.push(b'\n');
        }
        out
    }
}

/// One entry line, or `None` if it is damaged.
fn parse_line(line: &[u8]) -> Option<(Vec<u8>, (Stamp, u64))> {
    let text = std::str::from_utf8(line).ok()?;
    let mut fields = text.split(' ');
    let size = fields.next()?.parse().ok()?;
    let len = fields.next()?.parse().ok()?;
    let mtime = fields.next()?.parse().ok()?;
    let mtime_nsec = fields.next()?.parse().ok()?;
    let base = unescape(fields.next()?)?;
    if fields.next().is_some() || base.is_empty() {
        return None;
    }
    let stamp = Stamp {
        len,
        mtime,
        mtime_nsec,
    };
    Some((base, (stamp, size)))
}

fn escape(base: &[u8], out: &mut Vec<u8>) {
    for &b in base {
        if (0x21..=0x7E).contains(&b) && b != b'%' {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
}

fn unescape(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            let hex = std::str::from_utf8(&hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(len: u64) -> Stamp {
        Stamp {
            len,
            mtime: 1_732_550_000,
            mtime_nsec: 123_456_789,
        }
    }

    #[test]
    fn round_trips_odd_base_names() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = SizeCache::default();
        let long = vec![b'z'; 200];
        let names: [&[u8]; 5] = [
            b"1732550000.V801I2a3bM123456.host",
            b"with space and %",
            "caf\u{e9}".as_bytes(),
            b"\xff\n\r",
            &long,
        ];
        for (i, name) in names.iter().enumerate() {
            cache.insert(name, stamp(i as u64), 1000 + i as u64);
        }
        cache.store(dir.path()).unwrap();
        assert!(!dir.path().join(CACHE_TMP).exists());
        let loaded = SizeCache::load(dir.path());
        assert_eq!(loaded, cache);
        assert_eq!(loaded.get(names[1], stamp(1)), Some(1001));
        assert_eq!(loaded.get(names[1], stamp(2)), None);
        assert_eq!(loaded.get(b"unknown", stamp(1)), None);
    }

    #[test]
    fn damaged_lines_are_dropped_and_good_ones_kept() {
        let text = b"pop3d-size-cache 1\n\
            12 10 5 6 good\n\
            x 10 5 6 bad-size\n\
            12 10 5 bad-fields\n\
            12 10 5 6 bad%G1escape\n\
            12 10 5 6 extra field\n\
            12 10 5 6 \n\
            14 12 5 6 last-without-newline";
        let cache = SizeCache::parse(text);
        let mut expected = SizeCache::default();
        expected.insert(
            b"good",
            Stamp {
                len: 10,
                mtime: 5,
                mtime_nsec: 6,
            },
            12,
        );
        expected.insert(
            b"last-without-newline",
            Stamp {
                len: 12,
                mtime: 5,
                mtime_nsec: 6,
            },
            14,
        );
        assert_eq!(cache, expected);
    }

    #[test]
    fn foreign_or_missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(SizeCache::load(dir.path()), SizeCache::default());
        std::fs::write(
            dir.path().join(CACHE_FILE),
            b"\x00\x01garbage\n12 10 5 6 a\n",
        )
        .unwrap();
        assert_eq!(SizeCache::load(dir.path()), SizeCache::default());
    }

    #[test]
    fn stale_temporary_file_does_not_block_a_store() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CACHE_TMP), b"half written").unwrap();
        let mut cache = SizeCache::default();
        cache.insert(b"a", stamp(1), 3);
        cache.store(dir.path()).unwrap();
        assert_eq!(SizeCache::load(dir.path()), cache);
    }
}
