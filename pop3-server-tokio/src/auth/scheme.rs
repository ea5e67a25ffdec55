//! Replaced by the scheme implementation.

/// Password scheme.
#[derive(Debug)]
pub enum Scheme {}
