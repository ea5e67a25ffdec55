//! Listing the messages in `new/` and `cur/`, in delivery order.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::Metadata;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::name::base_name;

/// The two Maildir directories that hold delivered messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Sub {
    /// Delivered, not yet seen by a mail reader.
    New,
    /// Seen by a mail reader (which may have added flags).
    Cur,
}

impl Sub {
    /// The directory's name inside the Maildir.
    pub(super) fn dir(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Cur => "cur",
        }
    }
}

/// Where a message file is: its directory and full name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Location {
    /// `new` or `cur`.
    pub(super) sub: Sub,
    /// The full file name, flags included.
    pub(super) name: OsString,
}

impl Location {
    /// The message's identity: the name before the info suffix.
    pub(super) fn base(&self) -> &[u8] {
        base_name(self.name.as_bytes())
    }

    /// The file's path under `maildir`.
    pub(super) fn path(&self, maildir: &Path) -> PathBuf {
        maildir.join(self.sub.dir()).join(&self.name)
    }
}

/// What identifies a version of a file's contents without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    /// Length in octets.
    pub(super) len: u64,
    /// Modification time, seconds since the epoch.
    pub(super) mtime: i64,
    /// Nanoseconds within that second.
    pub(super) mtime_nsec: i64,
}

impl Stamp {
    /// The stamp of a file with this metadata.
    pub(super) fn of(meta: &Metadata) -> Self {
        Self {
            len: meta.len(),
            mtime: meta.mtime(),
            mtime_nsec: meta.mtime_nsec(),
        }
    }
}

/// One message file found by a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    /// Where it is.
    pub(super) location: Location,
    /// Its length and mtime when seen.
    pub(super) stamp: Stamp,
}

/// The regular files in `new/` and `cur/`, ordered by delivery: mtime,
/// then base name (then directory and full name, so the order is total).
///
/// Dot files and anything not a regular file (links included) are left
/// out, as are files that vanish while being looked at. A file seen under
/// two names (renamed from `new/` to `cur/` during the scan, or hard
/// linked) is listed once, under the later name in `(directory, name)`
/// order, which puts `cur/` after `new/`.
pub(super) fn scan(maildir: &Path) -> io::Result<Vec<Found>> {
    let mut by_inode: HashMap<(u64, u64), Found> = HashMap::new();
    for sub in [Sub::New, Sub::Cur] {
        for entry in std::fs::read_dir(maildir.join(sub.dir()))? {
            let entry = entry?;
            let name = entry.file_name();
            if name.as_bytes().starts_with(b".") {
                continue;
            }
            let meta = match entry.metadata() {
                Ok(meta) => meta,
                Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
                Err(err) => return Err(err),
            };
            if !meta.file_type().is_file() {
                continue;
            }
            let found = Found {
                location: Location { sub, name },
                stamp: Stamp::of(&meta),
            };
            by_inode
                .entry((meta.dev(), meta.ino()))
                .and_modify(|kept| {
                    if found.location > kept.location {
                        *kept = found.clone();
                    }
                })
                .or_insert(found);
        }
    }
    let mut found: Vec<Found> = by_inode.into_values().collect();
    found.sort_by(|a, b| {
        (a.stamp.mtime, a.stamp.mtime_nsec, a.location.base())
            .cmp(&(b.stamp.mtime, b.stamp.mtime_nsec, b.location.base()))
            .then_with(|| a.location.cmp(&b.location))
    });
    Ok(found)
}
