//! Replaced by the passwd-file implementation.

/// Users file.
#[derive(Debug)]
pub struct PasswdFile;
