//! Telling whether `new/` and `cur/` changed since a listing was taken,
//! from two `stat`s and no directory read.
//!
//! Every delivery, removal and rename in a directory sets its mtime and
//! ctime to the current time, so a directory whose identity (device,
//! inode) and times are unchanged holds the same names as when it was
//! listed. Times have a granularity, though (a clock tick of a few
//! milliseconds on Linux file systems, whole seconds on some): a change in
//! the same tick as the last one leaves them equal. So a listing counts
//! as current only if, when it was taken, both times of both directories
//! were older than a settling window: any later change then gets a
//! visibly later time.

use std::fs::File;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::scan::Sub;

/// How old a directory's times must be before a listing of it is trusted:
/// above the coarsest timestamp granularity in use (FAT's two seconds).
pub(super) const SETTLE: Duration = Duration::from_secs(3);

/// A directory's identity and last-change times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DirStamp {
    pub(super) dev: u64,
    pub(super) ino: u64,
    pub(super) mtime: i64,
    pub(super) mtime_nsec: i64,
    pub(super) ctime: i64,
    pub(super) ctime_nsec: i64,
}

/// The stamps of `new/` and `cur/`, in that order.
pub(super) type DirStamps = [DirStamp; 2];

impl DirStamp {
    /// The stamp of the directory at `path`, read from an open of it (on
    /// NFS, opening revalidates cached attributes).
    fn of(path: &Path) -> io::Result<Self> {
        let meta = File::open(path)?.metadata()?;
        Ok(Self {
            dev: meta.dev(),
            ino: meta.ino(),
            mtime: meta.mtime(),
            mtime_nsec: meta.mtime_nsec(),
            ctime: meta.ctime(),
            ctime_nsec: meta.ctime_nsec(),
        })
    }

    /// Whether both times are at least `settle` before `now`: a change
    /// made from `now` on cannot leave them as they are.
    pub(super) fn settled(&self, now: SystemTime, settle: Duration) -> bool {
        let Some(limit) = now.checked_sub(settle) else {
            return false;
        };
        [(self.mtime, self.mtime_nsec), (self.ctime, self.ctime_nsec)]
            .into_iter()
            .all(|(secs, nsec)| at(secs, nsec).is_some_and(|time| time <= limit))
    }
}

/// The time `secs` seconds and `nsec` nanoseconds after the epoch, if it
/// is representable (times before the epoch are not wanted here).
fn at(secs: i64, nsec: i64) -> Option<SystemTime> {
    let secs = u64::try_from(secs).ok()?;
    let nsec = u32::try_from(nsec).ok().filter(|&n| n < 1_000_000_000)?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::new(secs, nsec))
}

/// The current stamps of `maildir`'s `new/` and `cur/`, or `None` if
/// either cannot be read.
pub(super) fn current(maildir: &Path) -> Option<DirStamps> {
    let read = |sub: Sub| DirStamp::of(&maildir.join(sub.dir())).ok();
    Some([read(Sub::New)?, read(Sub::Cur)?])
}

/// The stamps to record with a listing about to be taken at `now`:
/// `current`, if both directories had settled (see the module docs).
pub(super) fn settled(
    current: Option<DirStamps>,
    now: SystemTime,
    settle: Duration,
) -> Option<DirStamps> {
    current.filter(|stamps| stamps.iter().all(|s| s.settled(now, settle)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(mtime: i64, ctime: i64) -> DirStamp {
        DirStamp {
            dev: 1,
            ino: 2,
            mtime,
            mtime_nsec: 500,
            ctime,
            ctime_nsec: 500,
        }
    }

    fn now(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::new(secs, 500)
    }

    #[test]
    fn times_within_the_window_are_not_settled() {
        let settle = Duration::from_secs(3);
        // Changed this very tick, or a moment ago.
        assert!(!stamp(1000, 1000).settled(now(1000), settle));
        assert!(!stamp(1000, 1000).settled(now(1002), settle));
        // Exactly the window ago, and longer.
        assert!(stamp(1000, 1000).settled(now(1003), settle));
        assert!(stamp(900, 950).settled(now(1003), settle));
    }

    #[test]
    fn a_recent_ctime_or_a_future_time_is_not_settled() {
        let settle = Duration::from_secs(3);
        // mtime set back by hand: the ctime still shows the change.
        assert!(!stamp(10, 1001).settled(now(1003), settle));
        assert!(!stamp(5000, 10).settled(now(1003), settle));
        assert!(!stamp(-1, 10).settled(now(1003), settle));
    }

    #[test]
    fn one_unsettled_directory_spoils_the_pair() {
        let settle = Duration::from_secs(3);
        let old = stamp(10, 10);
        let fresh = stamp(1002, 1002);
        assert_eq!(
            settled(Some([old, old]), now(1003), settle),
            Some([old, old])
        );
        assert_eq!(settled(Some([old, fresh]), now(1003), settle), None);
        assert_eq!(settled(None, now(1003), settle), None);
    }

    #[test]
    fn a_change_in_the_directory_changes_its_stamp() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["new", "cur"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let before = current(dir.path()).unwrap();
        assert_eq!(current(dir.path()), Some(before));
        // Set the times back, so the change cannot fall in the same tick.
        let new = std::fs::File::open(dir.path().join("new")).unwrap();
        new.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(100))
            .unwrap();
        let aged = current(dir.path()).unwrap();
        assert_ne!(aged, before);
        std::fs::write(dir.path().join("new/m"), b"x\n").unwrap();
        let after = current(dir.path()).unwrap();
        assert_ne!(after[0], aged[0]);
        assert_eq!(after[1], aged[1]);
        assert_eq!(current(&dir.path().join("missing")), None);
    }
}
