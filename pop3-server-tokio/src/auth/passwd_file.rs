//! The Dovecot passwd-file: one user a line,
//! `user:password[:uid:gid:gecos:home:shell:extra_fields]`.
//!
//! Only the user and password fields are read; the rest (userdb data) is
//! ignored. Empty lines and lines starting with `#` are skipped; a CRLF
//! line end is accepted. Names are matched exactly, case included, as
//! Dovecot does without `auth_username_format`.
//!
//! Anything doubtful stops the load with the file name and line number:
//! a name [`Username`] refuses or that could leave the mail root (see
//! [`super::is_safe_maildrop_name`]), a user listed twice, an unknown
//! scheme, a value that does not have its scheme's form. A field with no
//! password, or a CRYPT value starting with `!` or `*`, is kept as an
//! account that cannot log in.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pop3_proto::server::LoginMethod;
use pop3_proto::types::{Username, ValueError};
use thiserror::Error;

use super::formats::PasswordFormatError;
use super::scheme::Scheme;
use super::stored::{PLAIN_SCRAM_ITERATIONS, StoredPassword, process_seed};
use super::user_name::is_safe_maildrop_name;

/// A users file, read whole and immutable.
///
/// Cloning is cheap (one `Arc`), so a request can keep the table it
/// started with while a reload installs a new one; see
/// [`super::SharedPasswdFile`] for the reloadable handle the daemon uses.
#[derive(Clone)]
pub struct PasswdFile {
    table: Arc<Table>,
}

struct Table {
    origin: String,
    users: HashMap<Username, UserEntry>,
    /// What an unknown user's password is checked against, so that the
    /// refusal costs what a real check costs: the first entry of the
    /// file's most common scheme.
    decoy: Option<Arc<StoredPassword>>,
}

/// One user's line.
#[derive(Debug, Clone)]
pub struct UserEntry {
    line: usize,
    password: Option<Arc<StoredPassword>>,
}

impl UserEntry {
    /// The line the user is defined on, counting from 1.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The stored password; `None` for an account that cannot log in.
    pub fn password(&self) -> Option<&StoredPassword> {
        self.password.as_deref()
    }

    pub(crate) fn password_arc(&self) -> Option<&Arc<StoredPassword>> {
        self.password.as_ref()
    }
}

/// Why a users file could not be read. Never carries a password.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read users file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A line is wrong.
    #[error("{origin}:{line}: {problem}")]
    Line {
        /// The file name, or what was given to [`PasswdFile::parse`].
        origin: String,
        /// The line number, counting from 1.
        line: usize,
        /// What is wrong with it.
        problem: LineProblem,
    },
    /// No random seed for the SCRAM salts of `{PLAIN}` users.
    #[error("{origin}: no randomness for SCRAM salts: {error}")]
    Random {
        /// The file name.
        origin: String,
        /// The system's error.
        error: getrandom::Error,
    },
}

impl LoadError {
    /// The line at fault, when one is.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Line { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LineProblem {
    /// The line is not UTF-8.
    #[error("not valid UTF-8")]
    NotUtf8,
    /// No `:` after the user name.
    #[error("no password field (expected user:password)")]
    MissingPasswordField,
    /// The user name is not a valid POP3 user name.
    #[error("invalid user name: {0}")]
    InvalidUsername(ValueError),
    /// The user name could name a path outside the user's maildrop.
    #[error("user name must not contain '/', '\\', '..' or '%', nor start with '.'")]
    UnsafeUsername,
    /// The user was already defined.
    #[error("user {user} is already defined on line {first_line}")]
    Duplicate {
        /// The user name.
        user: String,
        /// Where it was first defined.
        first_line: usize,
    },
    /// The password field is wrong.
    #[error(transparent)]
    Password(#[from] PasswordFormatError),
}

impl PasswdFile {
    /// Reads and parses the file at `path`. This is blocking file I/O plus
    /// a PBKDF2 run for each `{PLAIN}` user: call it before the runtime
    /// starts or from `spawn_blocking`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
            path: path.to_owned(),
            source,
        })?;
        match std::str::from_utf8(&bytes) {
            Ok(text) => {
                let file = Self::parse(text, &origin)?;
                file.derive_scram_keys();
                Ok(file)
            }
            Err(e) => {
                let before = bytes.get(..e.valid_up_to()).unwrap_or_default();
                let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
                Err(LoadError::Line {
                    origin,
                    line,
                    problem: LineProblem::NotUtf8,
                })
            }
        }
    }

    /// Derives every `{PLAIN}` user's SCRAM-SHA-256 keys now, so that a
    /// file's users all answer a SCRAM login equally fast.
    fn derive_scram_keys(&self) {
        for entry in self.table.users.values() {
            if let Some(password) = &entry.password {
                let _ = password.scram_secrets();
            }
        }
    }

    /// Parses users-file text; `origin` names it in errors. `{PLAIN}`
    /// users' SCRAM keys are derived when first asked for (see
    /// [`StoredPassword`]); [`PasswdFile::load`] derives them all.
    pub fn parse(text: &str, origin: &str) -> Result<Self, LoadError> {
        let seed = process_seed().map_err(|error| LoadError::Random {
            origin: origin.to_owned(),
            error,
        })?;
        let mut users: HashMap<Username, UserEntry> = HashMap::new();
        let mut decoys = DecoyChoice::default();
        for (index, raw) in text.split('\n').enumerate() {
            let line = index + 1;
            let content = raw.strip_suffix('\r').unwrap_or(raw);
            let trimmed = content.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let fail = |problem| LoadError::Line {
                origin: origin.to_owned(),
                line,
                problem,
            };
            let (name, password) = parse_line(content, &seed).map_err(fail)?;
            if let Some(first) = users.get(&name) {
                return Err(fail(LineProblem::Duplicate {
                    user: name.as_str().to_owned(),
                    first_line: first.line,
                }));
            }
            let password = password.map(Arc::new);
            if let Some(p) = &password {
                decoys.add(p);
            }
            users.insert(name, UserEntry { line, password });
        }
        Ok(Self {
            table: Arc::new(Table {
                origin: origin.to_owned(),
                users,
                decoy: decoys.pick(),
            }),
        })
    }

    /// The user's entry, if the file defines the user.
    pub fn get(&self, user: &Username) -> Option<&UserEntry> {
        self.table.users.get(user)
    }

    /// Whether some user's password scheme allows `method`; mechanisms no
    /// user can complete are not worth offering.
    pub fn allows_anyone(&self, method: &LoginMethod) -> bool {
        self.table
            .users
            .values()
            .filter_map(UserEntry::password)
            .any(|p| p.allows(method))
    }

    /// How many users the file defines.
    pub fn len(&self) -> usize {
        self.table.users.len()
    }

    /// Whether the file defines no user.
    pub fn is_empty(&self) -> bool {
        self.table.users.is_empty()
    }

    /// The file name given to [`PasswdFile::load`] or [`PasswdFile::parse`].
    pub fn origin(&self) -> &str {
        &self.table.origin
    }

    /// The SCRAM iteration count most of the file's SCRAM-capable users
    /// show (the smaller count wins a tie), or [`PLAIN_SCRAM_ITERATIONS`]
    /// when none can log in with SCRAM. Unknown users must show the same
    /// count, or the count alone would tell them from real ones.
    pub fn usual_scram_iterations(&self) -> u32 {
        let mut counts: HashMap<u32, usize> = HashMap::new();
        for iterations in self
            .table
            .users
            .values()
            .filter_map(UserEntry::password)
            .filter_map(|p| p.scram_iterations())
        {
            *counts.entry(iterations).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by_key(|&(iterations, n)| (n, std::cmp::Reverse(iterations)))
            .map_or(PLAIN_SCRAM_ITERATIONS, |(iterations, _)| iterations)
    }

    pub(crate) fn decoy(&self) -> Option<&Arc<StoredPassword>> {
        self.table.decoy.as_ref()
    }
}

impl fmt::Debug for PasswdFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswdFile")
            .field("origin", &self.table.origin)
            .field("users", &self.table.users.len())
            .finish_non_exhaustive()
    }
}

/// Reads `user:password[:...]`.
fn parse_line(
    content: &str,
    seed: &[u8; 32],
) -> Result<(Username, Option<StoredPassword>), LineProblem> {
    let mut fields = content.split(':');
    let name = fields.next().unwrap_or_default();
    let password = fields.next().ok_or(LineProblem::MissingPasswordField)?;
    let name = Username::try_from(name).map_err(LineProblem::InvalidUsername)?;
    if !is_safe_maildrop_name(&name) {
        return Err(LineProblem::UnsafeUsername);
    }
    let stored = StoredPassword::parse_field(password, &name, seed)?;
    Ok((name, stored))
}

/// Counts entries per scheme to pick the unknown-user decoy.
#[derive(Default)]
struct DecoyChoice {
    /// (scheme, first entry, count), in order of first appearance.
    seen: Vec<(Scheme, Arc<StoredPassword>, usize)>,
}

impl DecoyChoice {
    fn add(&mut self, password: &Arc<StoredPassword>) {
        match self
            .seen
            .iter_mut()
            .find(|(s, _, _)| *s == password.scheme())
        {
            Some((_, _, count)) => *count += 1,
            None => self.seen.push((password.scheme(), Arc::clone(password), 1)),
        }
    }

    /// The first entry of the most common scheme (the earlier scheme wins
    /// a tie).
    fn pick(self) -> Option<Arc<StoredPassword>> {
        let mut best: Option<(Arc<StoredPassword>, usize)> = None;
        for (_, entry, count) in self.seen {
            if best.as_ref().is_none_or(|(_, c)| count > *c) {
                best = Some((entry, count));
            }
        }
        best.map(|(entry, _)| entry)
    }
}

#[cfg(test)]
#[path = "passwd_file_tests.rs"]
mod tests;
