//! A users file that can be read again while the server runs (SIGHUP).

use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock};

use pop3_proto::sasl::scram::ScramSecrets;
use pop3_proto::server::{LoginError, LoginRequest};
use pop3_proto::types::Username;

use super::passwd_file::{LoadError, PasswdFile};
use super::{Account, Authenticator};

/// The daemon's authenticator: the [`PasswdFile`] at a path, replaced
/// whole by [`SharedPasswdFile::reload`].
///
/// Each login works on the table current when it started (a cheap
/// clone), so a reload never changes a check half-way. A reload that
/// fails leaves the current table in place.
#[derive(Debug)]
pub struct SharedPasswdFile {
    path: PathBuf,
    current: RwLock<PasswdFile>,
}

impl SharedPasswdFile {
    /// Loads the file at `path`; see [`PasswdFile::load`] (blocking).
    pub fn load(path: impl Into<PathBuf>) -> Result<Self, LoadError> {
        let path = path.into();
        let current = PasswdFile::load(&path)?;
        Ok(Self {
            path,
            current: RwLock::new(current),
        })
    }

    /// Reads the file again and, if it parses, makes it current; returns
    /// the new user count. On error the old table stays. Blocking: run it
    /// from `spawn_blocking`.
    pub fn reload(&self) -> Result<usize, LoadError> {
        let fresh = PasswdFile::load(&self.path)?;
        let count = fresh.len();
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = fresh;
        Ok(count)
    }

    /// The table in use now.
    pub fn current(&self) -> PasswdFile {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The file this handle reads.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Authenticator for SharedPasswdFile {
    async fn authenticate(&self, request: &LoginRequest) -> Result<Account, LoginError> {
        let table = self.current();
        table.authenticate(request).await
    }

    async fn scram_secrets(&self, user: &Username) -> Option<ScramSecrets> {
        let table = self.current();
        table.scram_secrets(user).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reload_replaces_the_table_and_keeps_it_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users");
        std::fs::write(&path, "alice:{PLAIN}one\n").unwrap();
        let shared = SharedPasswdFile::load(&path).unwrap();
        let alice = Username::try_from("alice").unwrap();
        let bob = Username::try_from("bob").unwrap();
        let before = shared.current();
        assert!(before.get(&bob).is_none());

        std::fs::write(&path, "alice:{PLAIN}two\nbob:{PLAIN}three\n").unwrap();
        assert_eq!(shared.reload().unwrap(), 2);
        let after = shared.current();
        let alice_pw = after.get(&alice).unwrap().password().unwrap();
        assert!(alice_pw.verify(b"two") && !alice_pw.verify(b"one"));
        assert!(after.get(&bob).is_some());
        // A table taken before the reload is unchanged.
        assert!(
            before
                .get(&alice)
                .unwrap()
                .password()
                .unwrap()
                .verify(b"one")
        );

        std::fs::write(&path, "alice:{PLAIN}four\nalice:{PLAIN}five\n").unwrap();
        let err = shared.reload().unwrap_err();
        assert_eq!(err.line(), Some(2));
        assert_eq!(shared.current().len(), 2, "old table kept");

        std::fs::remove_file(&path).unwrap();
        assert!(matches!(shared.reload(), Err(LoadError::Io { .. })));
        assert_eq!(shared.path(), path);
    }
}
