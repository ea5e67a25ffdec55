//! From a user name to a Maildir path, refusing names that could leave
//! the mail root.

use std::path::{Path, PathBuf};

/// The placeholder for the user name in a path template.
pub(super) const USER: &str = "%u";

/// Why a path could not be made for a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PathError {
    /// The name could name another directory once put in a path.
    UnsafeUser,
    /// The template has no `%u`: every user would share one maildrop.
    NoPlaceholder,
}

/// Whether `user` is safe to put in a path as one ordinary component:
/// non-empty, not `.`-led (which also rules out `.` and `..`), and free of
/// separators (`/`, `\`), `%` (so it cannot form another placeholder),
/// NUL and control characters.
pub(super) fn is_safe_user(user: &str) -> bool {
    !user.is_empty()
        && !user.starts_with('.')
        && !user
            .chars()
            .any(|c| matches!(c, '/' | '\\' | '%') || c.is_control())
}

/// The Maildir of `user` under `template` (every `%u` replaced).
pub(super) fn maildir_path(template: &str, user: &str) -> Result<PathBuf, PathError> {
    if !is_safe_user(user) {
        return Err(PathError::UnsafeUser);
    }
    if !template.contains(USER) {
        return Err(PathError::NoPlaceholder);
    }
    Ok(PathBuf::from(template.replace(USER, user)))
}

/// The directory that must already exist for the template to be usable:
/// the parent of the first component holding `%u`. Everything below it
/// belongs to one user and may be created; if it is missing, the mail
/// store is probably not mounted and nothing should be created.
pub(super) fn mail_root(template: &str) -> Option<PathBuf> {
    let mut root = PathBuf::new();
    for component in Path::new(template).components() {
        if component.as_os_str().to_string_lossy().contains(USER) {
            return Some(root);
        }
        root.push(component);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_are_substituted() {
        let path = maildir_path("/srv/mail/%u/Maildir", "alice").unwrap();
        assert_eq!(path, Path::new("/srv/mail/alice/Maildir"));
        let path = maildir_path("/srv/%u/mail/%u", "bob@example.org").unwrap();
        assert_eq!(path, Path::new("/srv/bob@example.org/mail/bob@example.org"));
        let path = maildir_path("/srv/mail/%u", "j\u{f6}rg m").unwrap();
        assert_eq!(path, Path::new("/srv/mail/j\u{f6}rg m"));
    }

    #[test]
    fn unsafe_names_are_refused() {
        for user in [
            "", ".", "..", ".hidden", "../etc", "a/b", "/abs", "a\\b", "a\0b", "%u", "50%", "a\nb",
            "a\u{7f}", "a\u{85}b",
        ] {
            assert_eq!(
                maildir_path("/srv/mail/%u/Maildir", user),
                Err(PathError::UnsafeUser),
                "{user:?}"
            );
        }
    }

    #[test]
    fn template_without_placeholder_is_refused() {
        assert_eq!(
            maildir_path("/srv/mail/Maildir", "alice"),
            Err(PathError::NoPlaceholder)
        );
    }

    #[test]
    fn mail_root_is_above_the_user_component() {
        assert_eq!(
            mail_root("/srv/mail/%u/Maildir"),
            Some(PathBuf::from("/srv/mail"))
        );
        assert_eq!(
            mail_root("/home/user-%u/Maildir"),
            Some(PathBuf::from("/home"))
        );
        assert_eq!(mail_root("%u/Maildir"), Some(PathBuf::new()));
        assert_eq!(mail_root("/srv/mail"), None);
    }
}
