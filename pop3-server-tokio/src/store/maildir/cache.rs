//! The cache: each message's wire size, measured once, and the whole
//! listing of `new/` and `cur/`, kept in the Maildir so a login needs
//! neither to read every message again nor, while the directories are
//! unchanged, to look at every file.
//!
//! The file `pop3d-cache` is text. The first line is
//!
//! ```text
//! pop3d-size-cache 2 <count> <directory stamps, or ->
//! ```
//!
//! then one line a message file, in snapshot order:
//!
//! ```text
//! <wire size> <length> <mtime seconds> <mtime nanoseconds> <n|c> <file name>
//! ```
//!
//! (`n` for `new/`, `c` for `cur/`). The name is written with every octet
//! outside 0x21-0x7E, and `%` itself, as `%XX` (upper-case hex). A size
//! counts only while the file's length and mtime are unchanged, so an
//! edited message found by a full scan is measured again. The listing
//! counts as a whole only when the stamps of `new/` and `cur/` (device,
//! inode, mtime and ctime of each, see [`super::dirs`]) are recorded and
//! still current, and exactly `<count>` lines are intact. A missing,
//! foreign or damaged cache (or line) is rebuilt, never an error; a name
//! that could leave its directory is never taken from it. Version 1 files
//! (`pop3d-size-cache 1`, base names and sizes, no listing) are read for
//! their sizes. The file is replaced atomically: written to
//! `pop3d-cache.tmp`, flushed, renamed over, and the directory flushed.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::dirs::{DirStamp, DirStamps};
use super::file::{open_regular, sync_dir};
use super::scan::{Location, Stamp, Sub};

/// The cache file's name inside the Maildir.
pub(super) const CACHE_FILE: &str = "pop3d-cache";
/// The name the next cache is written under before it replaces the last.
const CACHE_TMP: &str = "pop3d-cache.tmp";
/// The first word of the first line; the version follows.
const MAGIC: &str = "pop3d-size-cache";
/// A larger file is not a cache this daemon wrote (100,000 messages take
/// about eight megabytes).
const MAX_CACHE_LEN: u64 = 128 << 20;

/// One message file as the cache records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Cached {
    /// Where it is.
    pub(super) location: Location,
    /// The stamp of the file when it was measured.
    pub(super) stamp: Stamp,
    /// Its wire size.
    pub(super) size: u64,
}

/// The cached files, and whether they are a complete listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct SizeCache {
    /// The stamps of `new/` and `cur/` under which `files` is the whole
    /// listing; `None` if it may not be.
    pub(super) dirs: Option<DirStamps>,
    /// The files, in snapshot order. (From a version 1 file: base names
    /// as names in `new/`, good only for their sizes.)
    pub(super) files: Vec<Cached>,
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

    /// The cached files, if they are the whole listing of directories
    /// whose stamps are now `dirs`.
    pub(super) fn listing_for(&self, dirs: Option<&DirStamps>) -> Option<&[Cached]> {
        match (&self.dirs, dirs) {
            (Some(cached), Some(current)) if cached == current => Some(&self.files),
            _ => None,
        }
    }

    /// The cached sizes by base name, each with the stamp it is good for.
    pub(super) fn sizes(&self) -> HashMap<&[u8], (Stamp, u64)> {
        self.files
            .iter()
            .map(|cached| (cached.location.base(), (cached.stamp, cached.size)))
            .collect()
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
        let Some(header) = lines.next().and_then(Header::parse) else {
            return Self::default();
        };
        let mut damaged = false;
        // The count is only a hint: the file may be damaged or forged.
        let mut files = Vec::with_capacity(header.count.unwrap_or(0).min(4096));
        for line in lines.filter(|line| !line.is_empty()) {
            match parse_line(line, header.listing) {
                Some(cached) => files.push(cached),
                None => damaged = true,
            }
        }
        let whole = !damaged && header.count == Some(files.len());
        Self {
            dirs: header.dirs.filter(|_| whole),
            files,
        }
    }

    fn render(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128 + self.files.len() * 96);
        out.extend_from_slice(format!("{MAGIC} 2 {} ", self.files.len()).as_bytes());
        match &self.dirs {
            Some(dirs) => {
                let fields: Vec<String> = dirs.iter().flat_map(stamp_fields).collect();
                out.extend_from_slice(fields.join(" ").as_bytes());
            }
            None => out.push(b'-'),
        }
        out.push(b'\n');
        for Cached {
            location,
            stamp,
            size,
        } in &self.files
        {
            let sub = match location.sub {
                Sub::New => 'n',
                Sub::Cur => 'c',
            };
            let fields = format!(
                "{size} {} {} {} {sub} ",
                stamp.len, stamp.mtime, stamp.mtime_nsec
            );
            out.extend_from_slice(fields.as_bytes());
            escape(location.name.as_bytes(), &mut out);
            out.push(b'\n');
        }
        out
    }
}

/// What the first line says.
struct Header {
    /// Version 2 or later: lines name files; version 1: base names.
    listing: bool,
    /// How many lines follow (version 2).
    count: Option<usize>,
    /// The directory stamps the listing was taken under (version 2).
    dirs: Option<DirStamps>,
}

impl Header {
    fn parse(line: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(line).ok()?;
        let mut fields = text.split(' ');
        if fields.next()? != MAGIC {
            return None;
        }
        match fields.next()? {
            "1" if fields.next().is_none() => Some(Self {
                listing: false,
                count: None,
                dirs: None,
            }),
            "2" => {
                let count = fields.next()?.parse().ok()?;
                let rest: Vec<&str> = fields.collect();
                let dirs = match rest.as_slice() {
                    ["-"] => None,
                    fields => Some(parse_dirs(fields)?),
                };
                Some(Self {
                    listing: true,
                    count: Some(count),
                    dirs,
                })
            }
            _ => None,
        }
    }
}

fn stamp_fields(stamp: &DirStamp) -> [String; 6] {
    [
        stamp.dev.to_string(),
        stamp.ino.to_string(),
        stamp.mtime.to_string(),
        stamp.mtime_nsec.to_string(),
        stamp.ctime.to_string(),
        stamp.ctime_nsec.to_string(),
    ]
}

fn parse_dirs(fields: &[&str]) -> Option<DirStamps> {
    let [a, b, c, d, e, f, g, h, i, j, k, l] = fields else {
        return None;
    };
    let stamp = |dev: &str, ino: &str, mt: &str, mn: &str, ct: &str, cn: &str| {
        Some(DirStamp {
            dev: dev.parse().ok()?,
            ino: ino.parse().ok()?,
            mtime: mt.parse().ok()?,
            mtime_nsec: mn.parse().ok()?,
            ctime: ct.parse().ok()?,
            ctime_nsec: cn.parse().ok()?,
        })
    };
    Some([stamp(a, b, c, d, e, f)?, stamp(g, h, i, j, k, l)?])
}

/// One entry line, or `None` if it is damaged.
fn parse_line(line: &[u8], listing: bool) -> Option<Cached> {
    let text = std::str::from_utf8(line).ok()?;
    let mut fields = text.split(' ');
    let size = fields.next()?.parse().ok()?;
    let len = fields.next()?.parse().ok()?;
    let mtime = fields.next()?.parse().ok()?;
    let mtime_nsec = fields.next()?.parse().ok()?;
    let sub = if listing {
        match fields.next()? {
            "n" => Sub::New,
            "c" => Sub::Cur,
            _ => return None,
        }
    } else {
        Sub::New
    };
    let name = unescape(fields.next()?)?;
    if fields.next().is_some() || !is_plain_name(&name) {
        return None;
    }
    Some(Cached {
        location: Location {
            sub,
            name: OsString::from_vec(name),
        },
        stamp: Stamp {
            len,
            mtime,
            mtime_nsec,
        },
        size,
    })
}

/// Whether `name` can only name a file directly inside its directory,
/// and one a scan would list: the cache is file input, and a forged
/// `../` must not reach outside the Maildir.
fn is_plain_name(name: &[u8]) -> bool {
    !name.is_empty() && !name.starts_with(b".") && !name.contains(&b'/') && !name.contains(&0)
}

fn escape(name: &[u8], out: &mut Vec<u8>) {
    for &b in name {
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

    fn dir_stamp(ino: u64) -> DirStamp {
        DirStamp {
            dev: 2049,
            ino,
            mtime: 1_732_550_000,
            mtime_nsec: 1,
            ctime: 1_732_550_001,
            ctime_nsec: 999_999_999,
        }
    }

    fn cached(sub: Sub, name: &[u8], len: u64, size: u64) -> Cached {
        Cached {
            location: Location {
                sub,
                name: OsString::from_vec(name.to_vec()),
            },
            stamp: stamp(len),
            size,
        }
    }

    #[test]
    fn round_trips_odd_names_and_the_directory_stamps() {
        let dir = tempfile::tempdir().unwrap();
        let long = vec![b'z'; 200];
        let names: [&[u8]; 5] = [
            b"1732550000.V801I2a3bM123456.host:2,S",
            b"with space and %",
            "caf\u{e9}".as_bytes(),
            b"\xff\n\r:2,",
            &long,
        ];
        let files = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let sub = if i % 2 == 0 { Sub::Cur } else { Sub::New };
                cached(sub, name, i as u64, 1000 + i as u64)
            })
            .collect();
        for dirs in [None, Some([dir_stamp(7), dir_stamp(8)])] {
            let cache = SizeCache {
                dirs,
                files: Vec::clone(&files),
            };
            cache.store(dir.path()).unwrap();
            assert!(!dir.path().join(CACHE_TMP).exists());
            let loaded = SizeCache::load(dir.path());
            assert_eq!(loaded, cache);
            assert_eq!(loaded.listing_for(dirs.as_ref()).is_some(), dirs.is_some());
        }
        let loaded = SizeCache::load(dir.path());
        let sizes = loaded.sizes();
        assert_eq!(sizes.get(&b"with space and %"[..]), Some(&(stamp(1), 1001)));
        assert_eq!(sizes.get(&b"\xff\n\r"[..]), Some(&(stamp(3), 1003)));
        assert_eq!(sizes.get(&b"unknown"[..]), None);
    }

    #[test]
    fn listing_counts_only_under_the_same_directory_stamps() {
        let dirs = [dir_stamp(7), dir_stamp(8)];
        let cache = SizeCache {
            dirs: Some(dirs),
            files: vec![cached(Sub::New, b"a", 1, 3)],
        };
        assert_eq!(cache.listing_for(Some(&dirs)), Some(&cache.files[..]));
        let mut changed = dirs;
        changed[1].mtime_nsec += 1;
        assert_eq!(cache.listing_for(Some(&changed)), None);
        let mut changed = dirs;
        changed[0].ctime += 1;
        assert_eq!(cache.listing_for(Some(&changed)), None);
        assert_eq!(cache.listing_for(None), None);
    }

    #[test]
    fn damaged_lines_are_dropped_and_spoil_the_listing() {
        let header = "pop3d-size-cache 2 8 1 2 3 4 5 6 7 8 9 10 11 12\n";
        let text = format!(
            "{header}\
            12 10 5 6 n good\n\
            x 10 5 6 n bad-size\n\
            12 10 5 n bad-fields\n\
            12 10 5 6 x bad-sub\n\
            12 10 5 6 c bad%G1escape\n\
            12 10 5 6 c extra field\n\
            12 10 5 6 c \n\
            14 12 5 6 c last-without-newline"
        );
        let cache = SizeCache::parse(text.as_bytes());
        let good = |sub, name: &[u8], len, size| Cached {
            location: Location {
                sub,
                name: OsString::from_vec(name.to_vec()),
            },
            stamp: Stamp {
                len,
                mtime: 5,
                mtime_nsec: 6,
            },
            size,
        };
        let expected = SizeCache {
            dirs: None,
            files: vec![
                good(Sub::New, b"good", 10, 12),
                good(Sub::Cur, b"last-without-newline", 12, 14),
            ],
        };
        assert_eq!(cache, expected);
    }

    #[test]
    fn a_short_or_long_listing_is_not_whole() {
        let dirs = [dir_stamp(7), dir_stamp(8)];
        let whole = SizeCache {
            dirs: Some(dirs),
            files: vec![cached(Sub::New, b"a", 1, 3), cached(Sub::Cur, b"b", 2, 4)],
        };
        let text = String::from_utf8(whole.render()).unwrap();
        assert_eq!(SizeCache::parse(text.as_bytes()), whole);
        // Cut after the first entry, as a crash mid-write could leave it.
        let cut = text.split_inclusive('\n').take(2).collect::<String>();
        let loaded = SizeCache::parse(cut.as_bytes());
        assert_eq!(loaded.dirs, None);
        assert_eq!(loaded.files, whole.files[..1]);
        let longer = format!("{text}9 9 5 6 n extra\n");
        assert_eq!(SizeCache::parse(longer.as_bytes()).dirs, None);
    }

    #[test]
    fn names_that_leave_the_directory_are_refused() {
        let text = b"pop3d-size-cache 2 6 -\n\
            1 1 5 6 c ..\n\
            1 1 5 6 c ../../etc/shadow\n\
            1 1 5 6 n a%2Fb\n\
            1 1 5 6 n .hidden\n\
            1 1 5 6 n nul%00\n\
            1 1 5 6 n fine\n";
        let cache = SizeCache::parse(text);
        let names: Vec<_> = cache
            .files
            .iter()
            .map(|c| c.location.name.clone())
            .collect();
        assert_eq!(names, [OsString::from("fine")]);
    }

    #[test]
    fn version_one_gives_sizes_but_no_listing() {
        let text = b"pop3d-size-cache 1\n12 10 5 6 base.host\n";
        let cache = SizeCache::parse(text);
        assert_eq!(cache.dirs, None);
        let expected = Stamp {
            len: 10,
            mtime: 5,
            mtime_nsec: 6,
        };
        assert_eq!(cache.sizes().get(&b"base.host"[..]), Some(&(expected, 12)));
    }

    #[test]
    fn foreign_or_missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(SizeCache::load(dir.path()), SizeCache::default());
        for text in [
            &b"\x00\x01garbage\n12 10 5 6 n a\n"[..],
            b"pop3d-size-cache 3 1 -\n12 10 5 6 n a\n",
            b"pop3d-size-cache 2 1 1 2 3\n12 10 5 6 n a\n",
        ] {
            std::fs::write(dir.path().join(CACHE_FILE), text).unwrap();
            assert_eq!(SizeCache::load(dir.path()), SizeCache::default());
        }
    }

    #[test]
    fn stale_temporary_file_does_not_block_a_store() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CACHE_TMP), b"half written").unwrap();
        let cache = SizeCache {
            dirs: None,
            files: vec![cached(Sub::New, b"a", 1, 3)],
        };
        cache.store(dir.path()).unwrap();
        assert_eq!(SizeCache::load(dir.path()), cache);
    }
}
