//! Storage faults a test can cause: a small full file system, ownership
//! handed to an unprivileged user.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted for one test; unmounted when dropped.
pub struct SmallFs {
    pub path: PathBuf,
}

impl SmallFs {
    /// Mounts a tmpfs of `size` (as `mount` spells it) with at most
    /// `inodes` files at `path`; the error says why it could not.
    pub fn mount(path: &Path, size: &str, inodes: u32) -> Result<Self, String> {
        std::fs::create_dir_all(path).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={size},nr_inodes={inodes},mode=0755"))
            .arg("tmpfs")
            .arg(path)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(Self {
                path: path.to_owned(),
            })
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    }

    /// Uses up every free block, then every free inode. Returns the
    /// files made, to free the space again.
    pub fn fill(&self) -> Vec<PathBuf> {
        let filler = self.unused("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        loop {
            if let Err(err) = file.write_all(&chunk) {
                assert_eq!(err.kind(), std::io::ErrorKind::StorageFull, "{err}");
                break;
            }
        }
        // The last partial chunk may leave a few bytes; take them too.
        while file.write_all(&[0]).is_ok() {}
        let mut made = vec![filler];
        loop {
            let path = self.unused("inode");
            match std::fs::File::create(&path) {
                Ok(_) => made.push(path),
                Err(err) => {
                    assert_eq!(err.kind(), std::io::ErrorKind::StorageFull, "{err}");
                    break;
                }
            }
        }
        made
    }
}

impl SmallFs {
    /// A name in the root not yet taken, starting with `stem`.
    fn unused(&self, stem: &str) -> PathBuf {
        (0..)
            .map(|i| self.path.join(format!("{stem}-{i}")))
            .find(|path| !path.exists())
            .unwrap()
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Gives `path` and everything under it to `uid` (group `uid` too).
pub fn chown_tree(path: &Path, uid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(uid)).unwrap();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            chown_tree(&entry.unwrap().path(), uid);
        }
    }
}
