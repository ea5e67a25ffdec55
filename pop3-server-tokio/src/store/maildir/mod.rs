//! Replaced by the Maildir implementation.

/// Maildir store.
#[derive(Debug)]
pub struct MaildirStore;
