//! Which user names may name a maildrop on disk.

use pop3_proto::types::Username;

/// Whether `name` is safe to join to the mail root as one path component:
/// no `/` or `\`, no `..`, no NUL, no `%` (a template expansion
/// character), and no leading `.` (hidden files, `.` and `..`).
///
/// [`Username`] already refuses control characters and edge spaces; this
/// adds the rules that keep a name inside its directory.
pub fn is_safe_maildrop_name(name: &Username) -> bool {
    let s = name.as_str();
    !s.starts_with('.') && !s.contains("..") && !s.contains(['/', '\\', '\0', '%'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn safe(s: &str) -> bool {
        is_safe_maildrop_name(&Username::try_from(s).unwrap())
    }

    #[test]
    fn ordinary_names_are_safe() {
        for ok in ["alice", "alice@example.org", "a.b", "Jürgen", "x-y_z+tag"] {
            assert!(safe(ok), "{ok}");
        }
    }

    #[test]
    fn names_that_could_leave_the_mail_root_are_not() {
        for bad in [
            "../etc", "a/b", "a\\b", "..", ".", ".hidden", "a..b", "%u", "a%2fb",
        ] {
            assert!(!safe(bad), "{bad}");
        }
    }
}
