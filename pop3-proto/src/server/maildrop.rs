use std::collections::HashSet;

use thiserror::Error;

use crate::types::{MessageNumber, Uid};

/// One message in the snapshot the application hands over at login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageEntry {
    /// Exact size in octets as RETR sends it (see [`crate::body::wire_size`]).
    pub size: u64,
    /// Its unique-id, stable across sessions.
    pub uid: Uid,
}

/// Why a snapshot was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MaildropError {
    /// Two messages share a unique-id (clients such as getmail refuse this).
    #[error("duplicate unique-id {0}")]
    DuplicateUid(Uid),
    /// More messages than message numbers can count.
    #[error("too many messages")]
    TooMany,
}

/// The maildrop as fixed at login: the message list never changes during
/// the session (RFC 1939), only the deletion marks do.
#[derive(Debug, Clone, Default)]
pub struct Maildrop {
    messages: Vec<MessageEntry>,
}

impl Maildrop {
    /// A snapshot of these messages, numbered from 1 in this order.
    /// Unique-ids must be unique.
    pub fn new(messages: Vec<MessageEntry>) -> Result<Self, MaildropError> {
        if u32::try_from(messages.len()).is_err() {
            return Err(MaildropError::TooMany);
        }
        let mut seen = HashSet::with_capacity(messages.len());
        if let Some(dup) = messages.iter().find(|m| !seen.insert(m.uid.as_str())) {
            return Err(MaildropError::DuplicateUid(dup.uid.clone()));
        }
        Ok(Self { messages })
    }

    /// The messages, in order.
    pub fn messages(&self) -> &[MessageEntry] {
        &self.messages
    }
}

/// The TRANSACTION state's view: the snapshot plus deletion marks.
#[derive(Debug)]
pub(crate) struct Mailbox {
    messages: Vec<MessageEntry>,
    deleted: Vec<bool>,
    live_count: u32,
    live_size: u64,
}

impl Mailbox {
    pub(crate) fn new(maildrop: Maildrop) -> Self {
        let messages = maildrop.messages;
        let live_size = messages
            .iter()
            .map(|m| m.size)
            .fold(0u64, u64::saturating_add);
        let live_count = u32::try_from(messages.len()).unwrap_or(u32::MAX);
        let deleted = vec![false; messages.len()];
        Self {
            messages,
            deleted,
            live_count,
            live_size,
        }
    }

    /// The message if it exists and is not marked deleted.
    pub(crate) fn live(&self, n: MessageNumber) -> Option<&MessageEntry> {
        let i = n.index();
        match self.deleted.get(i) {
            Some(false) => self.messages.get(i),
            _ => None,
        }
    }

    /// Whether `n` names a message marked deleted (for a precise `-ERR`).
    pub(crate) fn is_deleted(&self, n: MessageNumber) -> bool {
        self.deleted.get(n.index()) == Some(&true)
    }

    /// Marks `n` deleted; false if it does not exist or already is.
    pub(crate) fn delete(&mut self, n: MessageNumber) -> bool {
        let i = n.index();
        let (Some(mark), Some(entry)) = (self.deleted.get_mut(i), self.messages.get(i)) else {
            return false;
        };
        if *mark {
            return false;
        }
        *mark = true;
        self.live_count -= 1;
        self.live_size -= entry.size.min(self.live_size);
        true
    }

    /// Unmarks every message (RSET).
    pub(crate) fn reset(&mut self) {
        self.deleted.iter_mut().for_each(|d| *d = false);
        self.live_count = u32::try_from(self.messages.len()).unwrap_or(u32::MAX);
        self.live_size = self
            .messages
            .iter()
            .map(|m| m.size)
            .fold(0u64, u64::saturating_add);
    }

    pub(crate) fn live_count(&self) -> u32 {
        self.live_count
    }

    pub(crate) fn live_size(&self) -> u64 {
        self.live_size
    }

    /// The number of messages in the snapshot, deleted or not.
    pub(crate) fn len(&self) -> usize {
        self.messages.len()
    }

    /// The live message at index `i`, with its number.
    pub(crate) fn live_at(&self, i: usize) -> Option<(MessageNumber, &MessageEntry)> {
        match self.deleted.get(i) {
            Some(false) => Some((MessageNumber::from_index(i)?, self.messages.get(i)?)),
            _ => None,
        }
    }

    /// The messages marked deleted, in order.
    pub(crate) fn deletions(&self) -> Vec<super::Deletion> {
        self.messages
            .iter()
            .zip(&self.deleted)
            .enumerate()
            .filter(|(_, (_, deleted))| **deleted)
            .filter_map(|(i, (m, _))| {
                Some(super::Deletion {
                    number: MessageNumber::from_index(i)?,
                    uid: m.uid.clone(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(size: u64, uid: &str) -> MessageEntry {
        MessageEntry {
            size,
            uid: uid.parse().unwrap(),
        }
    }

    #[test]
    fn duplicate_uids_are_refused() {
        let err = Maildrop::new(vec![entry(1, "a"), entry(2, "a")]).unwrap_err();
        assert_eq!(err, MaildropError::DuplicateUid("a".parse().unwrap()));
    }

    #[test]
    fn marks_and_totals() {
        let mut m = Mailbox::new(Maildrop::new(vec![entry(10, "a"), entry(20, "b")]).unwrap());
        let one = MessageNumber::new(1).unwrap();
        let three = MessageNumber::new(3).unwrap();
        assert_eq!((m.live_count(), m.live_size()), (2, 30));
        assert!(m.delete(one));
        assert!(!m.delete(one));
        assert!(!m.delete(three));
        assert!(m.is_deleted(one));
        assert!(m.live(one).is_none());
        assert_eq!((m.live_count(), m.live_size()), (1, 20));
        assert_eq!(m.deletions().len(), 1);
        m.reset();
        assert_eq!((m.live_count(), m.live_size()), (2, 30));
        assert!(m.live(one).is_some());
    }
}
