use std::fmt;

/// A value that must not appear in logs: passwords, SASL data, tokens.
///
/// `Debug` prints `Secret(<redacted>)`; the value is reached only through
/// [`Secret::expose_secret`], so every place that reads it is easy to find.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a sensitive value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The wrapped value.
    pub fn expose_secret(&self) -> &T {
        &self.0
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new(b"hunter2".to_vec());
        let shown = format!("{s:?} {s:#?}");
        assert!(!shown.contains("hunter2"));
        assert!(!shown.contains("104")); // the byte value of 'h'
        assert_eq!(s.expose_secret(), b"hunter2");
    }
}
