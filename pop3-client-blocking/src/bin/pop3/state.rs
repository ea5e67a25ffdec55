//! The UIDs already delivered, one state file per account in the Maildir,
//! rewritten atomically (write, fsync, rename, fsync the folder).
//!
//! A delivery is recorded *before* its file moves from tmp/ to new/, as
//! pending with its file name. After a crash at any point the next run
//! finds one of: no record (the tmp/ file is an orphan; the message is
//! fetched again), a pending record with the file still in tmp/ (moved
//! into new/ now), or a pending record whose file already moved. So a
//! message is never lost and never delivered twice. A pending file found
//! nowhere (something cleaned tmp/ in between) is not counted as seen: it
//! is fetched again rather than lost. Nothing stays pending between
//! batches, so only a run killed mid-batch leaves a record behind: a
//! message of its last group that the user removed before the next run
//! is then delivered again, the price of never losing one.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::PathBuf;

use crate::exit::Failure;
use crate::maildir::{Maildir, sync_dir};

const HEADER: &str = "# pop3 fetch state v1";

/// The seen UIDs of one account, with the state file locked.
#[derive(Debug)]
pub(crate) struct SeenState {
    path: PathBuf,
    seen: BTreeSet<String>,
    /// Held for the life of the state: one fetch per account at a time.
    _lock: File,
}

impl SeenState {
    /// Locks and loads the state of `account` in `maildir`, finishing any
    /// delivery a crashed run left pending.
    pub(crate) fn open(maildir: &Maildir, account: &str) -> Result<Self, Failure> {
        let base = format!(".pop3-seen-{}", file_key(account));
        let path = maildir.root().join(&base);
        let lock_path = maildir.root().join(format!("{base}.lock"));
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| local(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(Failure::local(format!(
                    "another fetch for {account} into this Maildir is running"
                )));
            }
            Err(TryLockError::Error(e)) => return Err(local(&lock_path, e)),
        }
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(local(&path, e)),
        };
        let (seen, pending) = parse(&text).map_err(|why| {
            Failure::local(format!(
                "state file {} is damaged ({why}); refusing to guess what was fetched",
                path.display()
            ))
        })?;
        let mut state = Self {
            path,
            seen,
            _lock: lock,
        };
        if !pending.is_empty() {
            let (unpublished, moved): (Vec<_>, Vec<_>) =
                pending.iter().partition(|(_, name)| maildir.in_tmp(name));
            let published = maildir
                .published(moved.iter().map(|(_, name)| name.as_str()))
                .map_err(|e| local(maildir.root(), e))?;
            for (_, name) in &moved {
                if !published.contains(name.as_str()) {
                    eprintln!(
                        "pop3: {name}, delivered by an interrupted run, is gone from tmp/ \
                         and not in the Maildir; its message will be fetched again"
                    );
                }
            }
            let delivered = moved
                .iter()
                .filter(|(_, name)| published.contains(name.as_str()))
                .chain(&unpublished);
            state.seen.extend(delivered.map(|(uid, _)| uid.clone()));
            maildir
                .publish(unpublished.iter().map(|(_, name)| name.as_str()))
                .map_err(|e| local(maildir.root(), e))?;
            state.save(&[]).map_err(|e| local(&state.path, e))?;
        }
        Ok(state)
    }

    pub(crate) fn contains(&self, uid: &str) -> bool {
        self.seen.contains(uid)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }

    /// Records deliveries finished in tmp/ (as pending, durably), then
    /// moves them into new/. Only after this returns may the messages be
    /// deleted on the server.
    pub(crate) fn commit(
        &mut self,
        maildir: &Maildir,
        delivered: &[(String, String)],
    ) -> io::Result<()> {
        if delivered.is_empty() {
            return Ok(());
        }
        self.save(delivered)?;
        self.seen
            .extend(delivered.iter().map(|(uid, _)| uid.clone()));
        maildir.publish(delivered.iter().map(|(_, name)| name.as_str()))
    }

    /// Writes the state down with no delivery pending: every commit so far
    /// is in new/ (moved by [`SeenState::commit`]).
    pub(crate) fn settle(&self) -> io::Result<()> {
        self.save(&[])
    }

    /// Forgets UIDs the server no longer lists, so the file does not grow
    /// forever, and writes the state down.
    pub(crate) fn prune_and_save(&mut self, listed: &BTreeSet<&str>) -> io::Result<()> {
        self.seen.retain(|uid| listed.contains(uid.as_str()));
        self.save(&[])
    }

    /// Writes seen UIDs and `pending` deliveries to a new file, fsyncs
    /// it, and renames it over the old one.
    fn save(&self, pending: &[(String, String)]) -> io::Result<()> {
        let mut text = String::from(HEADER);
        text.push('\n');
        for uid in &self.seen {
            text.push_str("S ");
            text.push_str(uid);
            text.push('\n');
        }
        for (uid, name) in pending {
            text.push_str(&format!("P {uid} {name}\n"));
        }
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".new");
        let tmp = PathBuf::from(tmp);
        let mut file = File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &self.path)?;
        match self.path.parent() {
            Some(dir) => sync_dir(dir),
            None => Ok(()),
        }
    }
}

type Parsed = (BTreeSet<String>, Vec<(String, String)>);

fn parse(text: &str) -> Result<Parsed, String> {
    let mut seen = BTreeSet::new();
    let mut pending = Vec::new();
    let mut lines = text.lines();
    match lines.next() {
        None => return Ok((seen, pending)),
        Some(HEADER) => {}
        Some(other) => return Err(format!("unknown header {other:?}")),
    }
    for (i, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(' ').collect();
        match fields.as_slice() {
            ["S", uid] if valid_uid(uid) => {
                seen.insert((*uid).to_owned());
            }
            ["P", uid, name] if valid_uid(uid) && valid_name(name) => {
                pending.push(((*uid).to_owned(), (*name).to_owned()));
            }
            _ => return Err(format!("line {} unreadable", i + 2)),
        }
    }
    Ok((seen, pending))
}

/// RFC 1939 unique-ids: 1 to 70 octets in 0x21..0x7E.
fn valid_uid(uid: &str) -> bool {
    !uid.is_empty() && uid.len() <= 70 && uid.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains('/')
}

/// The account as a file-name part: safe characters kept, others %XX.
fn file_key(account: &str) -> String {
    account
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'@' | b'-') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn local(path: &std::path::Path, e: io::Error) -> Failure {
    Failure::local(format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, Maildir) {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path()).unwrap();
        (dir, maildir)
    }

    fn deliver(maildir: &Maildir, body: &[u8]) -> String {
        let mut d = maildir.create().unwrap();
        d.write(body).unwrap();
        d.finish().unwrap()
    }

    fn new_count(maildir: &Maildir) -> usize {
        fs::read_dir(maildir.root().join("new")).unwrap().count()
    }

    #[test]
    fn commit_survives_reopening() {
        let (_dir, maildir) = setup();
        let mut state = SeenState::open(&maildir, "a@h:110").unwrap();
        assert_eq!(state.len(), 0);
        let name = deliver(&maildir, b"m1\r\n");
        state
            .commit(&maildir, &[("uid-1".into(), name.clone())])
            .unwrap();
        assert!(maildir.root().join("new").join(&name).exists());
        drop(state);
        let state = SeenState::open(&maildir, "a@h:110").unwrap();
        assert!(state.contains("uid-1"));
        assert!(!state.contains("uid-2"));
    }

    #[test]
    fn a_second_fetch_for_the_account_is_locked_out() {
        let (_dir, maildir) = setup();
        let _first = SeenState::open(&maildir, "a@h:110").unwrap();
        let second = SeenState::open(&maildir, "a@h:110").unwrap_err();
        assert!(second.message.contains("running"));
        // Another account is independent.
        SeenState::open(&maildir, "b@h:110").unwrap();
    }

    #[test]
    fn pending_delivery_is_finished_after_a_crash() {
        let (_dir, maildir) = setup();
        let state = SeenState::open(&maildir, "a@h:110").unwrap();
        // Crash after the pending record, before the rename.
        let name = deliver(&maildir, b"m1\r\n");
        state.save(&[("uid-1".into(), name.clone())]).unwrap();
        drop(state);
        assert!(maildir.in_tmp(&name));
        let state = SeenState::open(&maildir, "a@h:110").unwrap();
        assert!(state.contains("uid-1"));
        assert!(!maildir.in_tmp(&name));
        assert_eq!(new_count(&maildir), 1);
        let text = fs::read_to_string(&state.path).unwrap();
        assert!(!text.contains("\nP "), "pending record kept: {text}");
    }

    #[test]
    fn pending_delivery_already_moved_is_not_moved_twice() {
        let (_dir, maildir) = setup();
        let state = SeenState::open(&maildir, "a@h:110").unwrap();
        let name = deliver(&maildir, b"m1\r\n");
        state.save(&[("uid-1".into(), name.clone())]).unwrap();
        maildir.publish([name.as_str()]).unwrap();
        // A mail reader moved it to cur/ before the next run.
        fs::rename(
            maildir.root().join("new").join(&name),
            maildir.root().join("cur").join(format!("{name}:2,S")),
        )
        .unwrap();
        drop(state);
        let state = SeenState::open(&maildir, "a@h:110").unwrap();
        assert!(state.contains("uid-1"));
        assert_eq!(new_count(&maildir), 0);
    }

    /// A pending delivery whose file left tmp/ without reaching the
    /// Maildir (tmp/ cleaned after the crash) is fetched again, not
    /// counted as seen.
    #[test]
    fn pending_delivery_found_nowhere_is_not_seen() {
        let (_dir, maildir) = setup();
        let state = SeenState::open(&maildir, "a@h:110").unwrap();
        let lost = deliver(&maildir, b"m1\r\n");
        let kept = deliver(&maildir, b"m2\r\n");
        state
            .save(&[("uid-1".into(), lost.clone()), ("uid-2".into(), kept)])
            .unwrap();
        fs::remove_file(maildir.root().join("tmp").join(&lost)).unwrap();
        drop(state);
        let state = SeenState::open(&maildir, "a@h:110").unwrap();
        assert!(!state.contains("uid-1"));
        assert!(state.contains("uid-2"));
        assert_eq!(new_count(&maildir), 1);
    }

    /// Once settled, a delivery the user then removes from the Maildir
    /// stays seen: it is not fetched again.
    #[test]
    fn settled_deliveries_stay_seen_when_the_user_removes_them() {
        let (_dir, maildir) = setup();
        let mut state = SeenState::open(&maildir, "a@h:110").unwrap();
        let name = deliver(&maildir, b"m1\r\n");
        state
            .commit(&maildir, &[("uid-1".into(), name.clone())])
            .unwrap();
        state.settle().unwrap();
        let text = fs::read_to_string(&state.path).unwrap();
        assert!(!text.contains("\nP "), "pending record kept: {text}");
        drop(state);
        fs::remove_file(maildir.root().join("new").join(&name)).unwrap();
        let state = SeenState::open(&maildir, "a@h:110").unwrap();
        assert!(state.contains("uid-1"));
    }

    #[test]
    fn pruning_forgets_what_the_server_dropped() {
        let (_dir, maildir) = setup();
        let mut state = SeenState::open(&maildir, "a@h:110").unwrap();
        let a = deliver(&maildir, b"a");
        let b = deliver(&maildir, b"b");
        state
            .commit(&maildir, &[("A".into(), a), ("B".into(), b)])
            .unwrap();
        state.prune_and_save(&["B"].into_iter().collect()).unwrap();
        drop(state);
        let state = SeenState::open(&maildir, "a@h:110").unwrap();
        assert!(!state.contains("A"));
        assert!(state.contains("B"));
    }

    #[test]
    fn a_damaged_file_is_refused_not_guessed() {
        let (_dir, maildir) = setup();
        let path = maildir
            .root()
            .join(format!(".pop3-seen-{}", file_key("a@h:110")));
        fs::write(&path, format!("{HEADER}\nS ok\nX what\n")).unwrap();
        let e = SeenState::open(&maildir, "a@h:110").unwrap_err();
        assert!(e.message.contains("damaged"), "{}", e.message);
        fs::write(&path, "something else\n").unwrap();
        assert!(SeenState::open(&maildir, "a@h:110").is_err());
    }

    #[test]
    fn file_keys_are_safe() {
        assert_eq!(
            file_key("alice@mail.example.org:995"),
            "alice@mail.example.org%3A995"
        );
        assert_eq!(file_key("../x y"), "..%2Fx%20y");
    }
}
