//! Maildir contents as tests see them: deliveries, and what is stored,
//! by file name, to compare before and after a fault.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use super::wire::wire_body;

/// Creates `new/`, `cur/` and `tmp/` under `maildir`.
pub fn create(maildir: &Path) {
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
}

/// Delivers a message into `new/` the way an MDA does: written in
/// `tmp/`, then renamed.
pub fn deliver(maildir: &Path, name: &str, body: &[u8]) -> PathBuf {
    create(maildir);
    let tmp = maildir.join("tmp").join(name);
    std::fs::write(&tmp, body).unwrap();
    let new = maildir.join("new").join(name);
    std::fs::rename(&tmp, &new).unwrap();
    new
}

/// Every message file in `new/` and `cur/`, by `sub/name`, with its
/// contents.
pub fn stored(maildir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(maildir.join(sub)) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let name = format!("{sub}/{}", entry.file_name().to_string_lossy());
            files.insert(name, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// Number of message files, without reading them. Names are counted
/// once each: a directory read while another process unlinks in it can
/// return an entry twice (seen on ext4 during a 5,000-message UPDATE).
pub fn count(maildir: &Path) -> usize {
    let mut names = std::collections::HashSet::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(maildir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            names.insert((sub, entry.file_name()));
        }
    }
    names.len()
}

/// A message of at least `size` octets with LF line endings, a line that
/// starts with a dot, and `tag` in its subject.
pub fn message(tag: &str, size: usize) -> Vec<u8> {
    let mut m = format!("From: a@example.org\nTo: alice@example.org\nSubject: {tag}\n\n.dot\n")
        .into_bytes();
    let mut i = 0;
    while m.len() < size {
        m.extend_from_slice(format!("line {i} of {tag}, padded with some text\n").as_bytes());
        i += 1;
    }
    m
}

/// Parses a UIDL listing into (number, uid) pairs.
pub fn uidl_pairs(listing: &[u8]) -> Vec<(u32, String)> {
    String::from_utf8(listing.to_vec())
        .unwrap()
        .lines()
        .map(|line| {
            let (n, uid) = line.split_once(' ').unwrap();
            (n.parse().unwrap(), uid.to_owned())
        })
        .collect()
}
