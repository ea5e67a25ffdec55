//! Writing one message into a Maildir the way a delivery agent does:
//! a unique name in `tmp/`, written and synced, then renamed into `new/`
//! and the directory synced, so a crash leaves either nothing or the
//! whole message.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Deliveries by this process, part of the unique name.
static DELIVERIES: AtomicU64 = AtomicU64::new(0);

/// Delivers `message` into `maildir` (created if missing, mode 0700, but
/// only below an existing mail root `root`); returns the new file.
pub(crate) fn deliver(root: &Path, maildir: &Path, message: &[u8]) -> io::Result<PathBuf> {
    if !root.as_os_str().is_empty() && !root.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("mail root {} is missing", root.display()),
        ));
    }
    for sub in ["tmp", "new", "cur"] {
        create_dirs_durably(&maildir.join(sub))?;
    }
    let name = unique_name()?;
    let tmp = maildir.join("tmp").join(&name);
    let new = maildir.join("new").join(&name);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    let written = file.write_all(message).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, &new)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    File::open(maildir.join("new"))?.sync_all()?;
    Ok(new)
}

/// Creates `dir` and its missing parents (mode 0700), then syncs the
/// parent of each one created: a first delivery into a new Maildir must
/// not be acknowledged with the folder holding it still only in memory.
fn create_dirs_durably(dir: &Path) -> io::Result<()> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|at| !at.is_dir()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    for created in missing {
        match created.parent() {
            // A relative path's first folder is in the current directory.
            Some(parent) if parent.as_os_str().is_empty() => File::open(".")?.sync_all()?,
            Some(parent) => File::open(parent)?.sync_all()?,
            None => {}
        }
    }
    Ok(())
}

/// `<seconds>.M<microseconds>P<pid>Q<count>R<random>.<host>`, unique
/// across processes and hosts sharing the Maildir.
fn unique_name() -> io::Result<String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(io::Error::other)?;
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(format!(
        "{}.M{}P{}Q{}R{:016x}.{}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        DELIVERIES.fetch_add(1, Ordering::Relaxed),
        u64::from_be_bytes(random),
        host()
    ))
}

/// The host name, with `/` and `:` escaped as the Maildir convention
/// asks.
fn host() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let raw = raw.trim();
    let raw = if raw.is_empty() { "localhost" } else { raw };
    raw.replace('/', "\\057").replace(':', "\\072")
}

/// The mail root of `template`: the directory above the first component
/// holding `%u`, which must exist before anything is created below it.
pub(crate) fn mail_root(template: &str) -> PathBuf {
    let mut root = PathBuf::new();
    for component in Path::new(template).components() {
        if component.as_os_str().to_string_lossy().contains("%u") {
            break;
        }
        root.push(component);
    }
    root
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_first_delivery_creates_the_folders_private() {
        let root = tempfile::tempdir().unwrap();
        let maildir = root.path().join("alice/Maildir");
        let new = deliver(root.path(), &maildir, b"Subject: x\n\nbody\n").unwrap();
        assert_eq!(std::fs::read(&new).unwrap(), b"Subject: x\n\nbody\n");
        for dir in [
            root.path().join("alice"),
            maildir.clone(),
            maildir.join("cur"),
        ] {
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", dir.display());
        }
        // A second delivery finds them in place.
        deliver(root.path(), &maildir, b"again\n").unwrap();
        assert_eq!(std::fs::read_dir(maildir.join("new")).unwrap().count(), 2);
    }
}
