//! Maildir storage, as Postfix, Dovecot and Courier write it.
//!
//! Each user's Maildir is found from a path template such as
//! `/srv/mail/%u/Maildir`. At login the Maildir is created if missing
//! (mode 0700; the directory above the user's part of the template must
//! exist), locked, and its `new/` and `cur/` listed; `tmp/` is never
//! read, and dot files and anything but regular files are ignored.
//!
//! - Order: by file mtime, then base name: delivery order, stable from
//!   one session to the next.
//! - Sizes: exactly what RETR sends (see [`pop3_proto::body::wire_size`]),
//!   taken from Dovecot's `W=` name field when present, else measured once
//!   and kept in the cache `pop3d-cache`.
//! - Listing: kept in the same cache with the stamps (device, inode,
//!   mtime, ctime) of `new/` and `cur/`. While both are unchanged, and
//!   were already a few seconds old when the listing was taken (so no
//!   change can have shared their timestamps' clock tick), a login reuses
//!   it and looks at no message file. Delivery agents and mail readers
//!   never rewrite a message in place, so this misses none of their
//!   changes; a file edited in place without a rename keeps its old size
//!   until a directory next changes.
//! - Unique-ids: the base name (the file name before `:`), hashed if it
//!   does not fit the UIDL grammar, so they survive flag renames and
//!   moves from `new/` to `cur/`.
//! - Lock: `flock` on `pop3d.lock`, across processes; a second session
//!   gets `[IN-USE]`.
//! - Deletions happen only at commit, which follows renames made by other
//!   programs during the session and flushes the directories.
//!
//! Mail delivered during a session is not in its snapshot and is left
//! alone. File work runs on tokio's blocking thread pool.

use std::sync::Arc;
use std::time::Duration;

use pop3_proto::types::Username;

use crate::store::{MaildropStore, OpenError};

mod cache;
mod commit;
mod dirs;
mod error;
mod file;
mod layout;
mod locate;
mod lock;
mod name;
mod open;
mod path;
mod read_ahead;
mod scan;
mod size;
mod snapshot;
mod stream;
mod uid;

#[cfg(test)]
mod tests;

pub use open::OpenMaildir;

/// Maildirs located by a path template; opens them as [`OpenMaildir`].
#[derive(Debug, Clone)]
pub struct MaildirStore {
    template: Arc<str>,
    /// How long `new/` and `cur/` must have been still before a listing
    /// of them is reused.
    settle: Duration,
}

impl MaildirStore {
    /// A store whose Maildirs are at `template` with every `%u` replaced
    /// by the user name, e.g. `/srv/mail/%u/Maildir`.
    ///
    /// A user name that could reach outside its own directory (empty,
    /// starting with `.`, or holding `/`, `\`, `%`, NUL or a control
    /// character) is refused at open with [`OpenError::Permanent`], as is
    /// every user if the template has no `%u`.
    pub fn new(template: impl Into<String>) -> Self {
        Self {
            template: Arc::from(template.into()),
            settle: dirs::SETTLE,
        }
    }

    /// The same store with another settling window, so tests can reuse
    /// listings of directories they have just written.
    #[cfg(test)]
    pub(super) fn with_settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    /// The path template.
    pub fn template(&self) -> &str {
        &self.template
    }
}

impl MaildropStore for MaildirStore {
    type Open = OpenMaildir;

    async fn open(&self, user: &Username) -> Result<OpenMaildir, OpenError> {
        let maildir = match path::maildir_path(&self.template, user.as_str()) {
            Ok(maildir) => maildir,
            Err(path::PathError::UnsafeUser) => {
                tracing::warn!(user = ?user.as_str(), "maildir: user name unsafe in a path");
                return Err(OpenError::Permanent(
                    "user name cannot name a maildir".into(),
                ));
            }
            Err(path::PathError::NoPlaceholder) => {
                tracing::warn!(template = %self.template, "maildir: template has no %u");
                return Err(OpenError::Permanent("maildir template has no %u".into()));
            }
        };
        let template = Arc::clone(&self.template);
        let task_maildir = maildir.clone();
        let settle = self.settle;
        // Built on the blocking pool too: its setup is linear in the
        // maildrop's size.
        tokio::task::spawn_blocking(move || {
            snapshot::take(&template, &task_maildir, settle)
                .map(|snapshot| OpenMaildir::new(task_maildir, snapshot))
        })
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "maildir: open task failed");
            OpenError::Temporary("maildir open task failed".into())
        })?
    }
}
