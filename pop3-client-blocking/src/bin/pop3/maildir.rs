//! Maildir delivery the way delivery agents do it: write under tmp/,
//! fsync, then rename into new/ and fsync the directory, so a message is
//! either wholly in new/ or not there at all, whatever crashes when.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// A Maildir: the folder holding tmp/, new/ and cur/.
#[derive(Debug)]
pub(crate) struct Maildir {
    root: PathBuf,
    host: String,
}

impl Maildir {
    /// Opens the Maildir at `root`, creating it and its three folders if
    /// needed.
    pub(crate) fn open(root: &Path) -> io::Result<Self> {
        for sub in ["tmp", "new", "cur"] {
            create_dirs_durably(&root.join(sub))?;
        }
        Ok(Self {
            root: root.to_owned(),
            host: hostname(),
        })
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// Starts a delivery under a new unique name in tmp/.
    pub(crate) fn create(&self) -> io::Result<Delivery> {
        let name = self.unique_name()?;
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.root.join("tmp").join(&name))?;
        Ok(Delivery {
            name,
            out: LfWriter::new(BufWriter::new(file)),
        })
    }

    /// Moves finished deliveries from tmp/ into new/ and makes the moves
    /// durable. A name already in new/ (a repeat after a crash) is fine.
    pub(crate) fn publish<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> io::Result<()> {
        for name in names {
            let from = self.root.join("tmp").join(name);
            let to = self.root.join("new").join(name);
            match fs::rename(&from, &to) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound && to.exists() => {}
                Err(e) => return Err(e),
            }
        }
        sync_dir(&self.root.join("new"))
    }

    /// Whether `name` sits in tmp/ (delivered but not yet published).
    pub(crate) fn in_tmp(&self, name: &str) -> bool {
        self.root.join("tmp").join(name).is_file()
    }

    /// Which of the deliveries `names` are in new/, or in cur/ under any
    /// flags (a mail reader moved them there). cur/ is read once, and not
    /// at all when new/ has them all.
    pub(crate) fn published<'a>(
        &self,
        names: impl IntoIterator<Item = &'a str>,
    ) -> io::Result<HashSet<&'a str>> {
        let (mut found, mut wanted): (HashSet<&str>, HashSet<&str>) = names
            .into_iter()
            .partition(|name| self.root.join("new").join(name).is_file());
        if wanted.is_empty() {
            return Ok(found);
        }
        for entry in fs::read_dir(self.root.join("cur"))? {
            let file = entry?.file_name();
            let file = file.to_string_lossy();
            let base = file.split_once(':').map_or(&*file, |(base, _)| base);
            if let Some(name) = wanted.take(base) {
                found.insert(name);
            }
        }
        Ok(found)
    }

    /// `time.MusecPpidRrandom.host`, the unique-name form of the Maildir
    /// specification.
    fn unique_name(&self) -> io::Result<String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(|e| io::Error::other(e.to_string()))?;
        let random: String = random.iter().map(|b| format!("{b:02x}")).collect();
        Ok(format!(
            "{}.M{}P{}R{random}.{}",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            self.host
        ))
    }
}

/// One message being written to tmp/.
#[derive(Debug)]
pub(crate) struct Delivery {
    name: String,
    out: LfWriter<BufWriter<File>>,
}

impl Delivery {
    /// Appends message octets as received; CRLF is stored as LF, the
    /// Maildir convention.
    pub(crate) fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.out.write_all(data)
    }

    /// Abandons a partial message and removes its file.
    pub(crate) fn discard(self, maildir: &Maildir) {
        drop(self.out);
        // A leftover in tmp/ is harmless: readers never look there.
        let _ = fs::remove_file(maildir.root.join("tmp").join(&self.name));
    }

    /// Flushes and fsyncs the file; returns its name for publishing.
    pub(crate) fn finish(self) -> io::Result<String> {
        let file = self
            .out
            .finish()?
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        Ok(self.name)
    }
}

/// Creates `dir` and its missing parents, then syncs the parent of each
/// one created, so that mail stored in a new Maildir is not lost with a
/// folder that only existed in memory.
fn create_dirs_durably(dir: &Path) -> io::Result<()> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|at| !at.is_dir()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    fs::create_dir_all(dir)?;
    for created in missing {
        match created.parent() {
            Some(parent) if parent.as_os_str().is_empty() => sync_dir(Path::new("."))?,
            Some(parent) => sync_dir(parent)?,
            None => {}
        }
    }
    Ok(())
}

/// Makes a directory's entries (renames, new files) durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The host part of unique names, with `/` and `:` escaped as the
/// Maildir specification asks.
fn hostname() -> String {
    let raw = fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let raw = raw.trim();
    let raw = if raw.is_empty() { "localhost" } else { raw };
    raw.replace('/', "\\057").replace(':', "\\072")
}

/// Turns CRLF into LF on the way through, across write boundaries; a
/// CR not followed by LF is kept.
#[derive(Debug)]
pub(crate) struct LfWriter<W: Write> {
    inner: W,
    pending_cr: bool,
}

impl<W: Write> LfWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self {
            inner,
            pending_cr: false,
        }
    }

    /// Writes a CR held back at the very end, and returns the writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        if self.pending_cr {
            self.inner.write_all(b"\r")?;
        }
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for LfWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut out = Vec::with_capacity(data.len() + 1);
        let mut rest = data;
        if self.pending_cr {
            if rest.first() != Some(&b'\n') {
                out.push(b'\r');
            }
            self.pending_cr = false;
        }
        while let Some((&b, tail)) = rest.split_first() {
            if b == b'\r' {
                match tail.first() {
                    Some(b'\n') => {}
                    Some(_) => out.push(b'\r'),
                    None => self.pending_cr = true,
                }
            } else {
                out.push(b);
            }
            rest = tail;
        }
        self.inner.write_all(&out)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(chunks: &[&[u8]]) -> Vec<u8> {
        let mut w = LfWriter::new(Vec::new());
        for chunk in chunks {
            w.write_all(chunk).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn crlf_becomes_lf_across_chunks() {
        assert_eq!(convert(&[b"a\r\nb\r\n"]), b"a\nb\n");
        assert_eq!(convert(&[b"a\r", b"\nb\r", b"\r\n"]), b"a\nb\r\n");
        assert_eq!(convert(&[b"bare\rcr\n"]), b"bare\rcr\n");
        assert_eq!(convert(&[b"ends with cr\r"]), b"ends with cr\r");
        assert_eq!(convert(&[b"x\r", b"y"]), b"x\ry");
        assert_eq!(convert(&[b"\r", b"", b"\n"]), b"\n");
    }

    #[test]
    fn delivery_lands_in_new_only_when_published() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(&dir.path().join("Mail")).unwrap();
        let mut d = maildir.create().unwrap();
        d.write(b"Subject: x\r\n\r\nbody\r\n").unwrap();
        let name = d.finish().unwrap();
        assert!(maildir.in_tmp(&name));
        let new = maildir.root().join("new").join(&name);
        assert!(!new.exists());
        maildir.publish([name.as_str()]).unwrap();
        assert!(!maildir.in_tmp(&name));
        assert_eq!(fs::read(&new).unwrap(), b"Subject: x\n\nbody\n");
        // Publishing again (recovery after a crash) is harmless.
        maildir.publish([name.as_str()]).unwrap();
        assert!(new.exists());
    }

    #[test]
    fn unique_names_differ_and_follow_the_spec() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = Maildir::open(dir.path()).unwrap();
        let a = maildir.create().unwrap().finish().unwrap();
        let b = maildir.create().unwrap().finish().unwrap();
        assert_ne!(a, b);
        for name in [&a, &b] {
            assert!(!name.contains('/') && !name.contains(':'), "{name}");
            assert!(name.split('.').count() >= 3, "{name}");
        }
    }
}
