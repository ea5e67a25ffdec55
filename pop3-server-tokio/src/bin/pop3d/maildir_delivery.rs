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
    let mut builder = DirBuilder::new();
    builder.recursive(true).mode(0o700);
    for sub in ["tmp", "new", "cur"] {
        builder.create(maildir.join(sub))?;
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
