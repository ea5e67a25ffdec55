//! The test mail: Maildirs for every user of every scenario and a
//! Dovecot passwd-file listing them, read alike by both servers.
//!
//! Messages are stored as an MDA such as Postfix's `local` writes them:
//! LF line ends, in `new/`, with plain unique names (no `S=`/`W=` size
//! fields), so each server measures sizes itself on first sight. Users of
//! one group get hard links to the same message files, which keeps the
//! tree small; the big maildrops get files of their own (a file can have
//! only so many links).

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, chown};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Seconds since the epoch of the first message's mtime; each message is
/// one second later, so delivery order is the file order.
const EPOCH: u64 = 1_700_000_000;

/// A group of users with identical maildrops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// User names are this prefix and a number from 0.
    pub prefix: String,
    /// Users in the group.
    pub users: usize,
    /// Messages in each maildrop.
    pub messages: usize,
    /// Octets of each message file.
    pub size: usize,
    /// Whether every user's messages are links to one shared set.
    pub shared: bool,
}

/// Who owns the mail (the mail server's mail uid).
#[derive(Debug, Clone, Copy)]
pub struct Owner {
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
}

/// One message of exactly `size` octets (at least a header's worth),
/// LF line ends, with a few body lines starting with `.` so that RETR
/// must dot-stuff.
pub fn message(size: usize, user: &str, n: usize) -> Vec<u8> {
    let mut text = String::new();
    let _ = write!(
        text,
        "Return-Path: <sender@example.org>\n\
         Received: from mx.example.org by mail.example.net; Tue, 14 Nov 2023 22:13:20 +0000\n\
         From: Sender <sender@example.org>\n\
         To: {user}@example.net\n\
         Subject: Benchmark message {n}\n\
         Date: Tue, 14 Nov 2023 22:13:20 +0000\n\
         Message-ID: <{n}.{user}@example.org>\n\
         MIME-Version: 1.0\n\
         Content-Type: text/plain; charset=us-ascii\n\n"
    );
    let words = [
        "lorem",
        "ipsum",
        "dolor",
        "sit",
        "amet",
        "consectetur",
        "adipiscing",
        "elit",
        "sed",
        "do",
        "eiusmod",
        "tempor",
    ];
    let mut line_no = 0usize;
    // Body lines of up to 72 characters until the size is reached.
    while text.len() < size {
        let room = size - text.len();
        let mut line = String::new();
        if line_no % 16 == 1 {
            line.push('.');
        }
        let mut w = line_no;
        while line.len() < 71 {
            let word = words.get(w % words.len()).copied().unwrap_or("x");
            if !line.is_empty() && !line.ends_with('.') {
                line.push(' ');
            }
            line.push_str(word);
            w += 7;
        }
        line.truncate(71);
        line.push('\n');
        if line.len() > room {
            // Pad the last line to fill the size exactly.
            line = "z".repeat(room.saturating_sub(1));
            line.push('\n');
        }
        text.push_str(&line);
        line_no += 1;
    }
    text.into_bytes()
}

/// Creates a directory (0700) owned by `owner`.
fn make_dir(path: &Path, owner: Owner) -> io::Result<()> {
    match fs::DirBuilder::new().mode(0o700).create(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    chown(path, Some(owner.uid), Some(owner.gid))
}

/// Writes message `n` to `path`, owned by `owner`, with its mtime.
fn write_message(path: &Path, content: &[u8], n: usize, owner: Owner) -> io::Result<()> {
    fs::write(path, content)?;
    chown(path, Some(owner.uid), Some(owner.gid))?;
    let file = fs::File::options().write(true).open(path)?;
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(EPOCH + n as u64))
}

/// A Maildir base name for message `n` of user number `u`.
fn base_name(n: usize, u: usize) -> String {
    format!("{}.M{n}P{u}.pop3bench", EPOCH + n as u64)
}

/// Builds `root/mail/<user>/Maildir` for every user of `groups`, and
/// `root/passwd` with `password` for all and homes under `root/mail`.
/// Returns the number of users.
pub fn populate(root: &Path, groups: &[Group], password: &str, owner: Owner) -> io::Result<usize> {
    let mail = root.join("mail");
    let shared_root = root.join("shared");
    fs::create_dir_all(&mail)?;
    fs::create_dir_all(&shared_root)?;
    let mut passwd = String::new();
    let mut count = 0;
    for group in groups {
        let shared = shared_root.join(&group.prefix);
        if group.shared {
            make_dir(&shared, owner)?;
            for n in 0..group.messages {
                let content = message(group.size, &group.prefix, n);
                write_message(&shared.join(n.to_string()), &content, n, owner)?;
            }
        }
        for u in 0..group.users {
            let user = format!("{}{u}", group.prefix);
            let home = mail.join(&user);
            let maildir = home.join("Maildir");
            make_dir(&home, owner)?;
            make_dir(&maildir, owner)?;
            for sub in ["cur", "new", "tmp"] {
                make_dir(&maildir.join(sub), owner)?;
            }
            let new = maildir.join("new");
            for n in 0..group.messages {
                let path = new.join(base_name(n, u));
                if group.shared {
                    fs::hard_link(shared.join(n.to_string()), &path)?;
                } else {
                    write_message(&path, &message(group.size, &user, n), n, owner)?;
                }
            }
            let _ = writeln!(
                passwd,
                "{user}:{{PLAIN}}{password}:{}:{}::{}::",
                owner.uid,
                owner.gid,
                home.display()
            );
            count += 1;
        }
    }
    fs::write(root.join("passwd"), passwd)?;
    Ok(count)
}

/// The pop3d Maildir template for a tree made by [`populate`].
pub fn maildir_template(root: &Path) -> PathBuf {
    root.join("mail").join("%u").join("Maildir")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> Owner {
        let meta = fs::metadata(".").unwrap();
        use std::os::unix::fs::MetadataExt;
        Owner {
            uid: meta.uid(),
            gid: meta.gid(),
        }
    }

    #[test]
    fn messages_have_the_exact_size_and_need_stuffing() {
        for size in [600, 4096, 1 << 20] {
            let m = message(size, "s0", 3);
            assert_eq!(m.len(), size);
            assert_eq!(m.last(), Some(&b'\n'));
            let text = String::from_utf8(m).unwrap();
            assert!(text.contains("\n\n"), "header and body are separated");
            assert!(text.lines().any(|l| l.starts_with('.')));
            assert!(text.lines().all(|l| l.len() < 1000));
        }
    }

    #[test]
    fn tree_and_passwd_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let groups = [
            Group {
                prefix: "s".into(),
                users: 2,
                messages: 3,
                size: 700,
                shared: true,
            },
            Group {
                prefix: "b".into(),
                users: 1,
                messages: 4,
                size: 800,
                shared: false,
            },
        ];
        let n = populate(dir.path(), &groups, "pw", me()).unwrap();
        assert_eq!(n, 3);
        let new = dir.path().join("mail/s1/Maildir/new");
        let names: Vec<_> = fs::read_dir(&new).unwrap().collect();
        assert_eq!(names.len(), 3);
        assert_eq!(
            fs::read_dir(dir.path().join("mail/b0/Maildir/new"))
                .unwrap()
                .count(),
            4
        );
        assert!(dir.path().join("mail/b0/Maildir/tmp").is_dir());
        let first = new.join(base_name(0, 1));
        assert_eq!(fs::metadata(&first).unwrap().len(), 700);
        let passwd = fs::read_to_string(dir.path().join("passwd")).unwrap();
        assert_eq!(passwd.lines().count(), 3);
        assert!(passwd.starts_with("s0:{PLAIN}pw:"));
        assert!(passwd.contains(&format!("::{}::", dir.path().join("mail/b0").display())));
    }
}
