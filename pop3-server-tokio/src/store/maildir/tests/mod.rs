//! Whole-store tests on Maildirs written the way delivery agents write
//! them.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use pop3_proto::types::Username;
use tokio::io::AsyncReadExt;

use super::{MaildirStore, OpenMaildir};
use crate::store::{MaildropStore, MessageReader, OpenError, OpenMaildrop};

mod commit;
mod layout;
mod listing;
mod lock;
mod retrieve;
mod sizes;
mod uids;

/// A message as Postfix's `local`/`virtual` delivery writes it: LF line
/// endings, a `Delivered-To`/`Return-Path` prologue.
pub(super) fn postfix_message(subject: &str) -> Vec<u8> {
    format!(
        "Return-Path: <sender@example.org>\n\
         X-Original-To: alice@example.com\n\
         Delivered-To: alice@example.com\n\
         Received: from mx.example.org (mx.example.org [192.0.2.1])\n\
         \tby mail.example.com (Postfix) with ESMTPS id 4XyZ1234\n\
         \tfor <alice@example.com>; Mon, 25 Nov 2024 16:33:20 +0000 (UTC)\n\
         From: Sender <sender@example.org>\n\
         To: alice@example.com\n\
         Subject: {subject}\n\
         \n\
         Hello,\n\
         .a line that needs dot-stuffing\n\
         \n\
         -- \n\
         Sender\n"
    )
    .into_bytes()
}

/// A mail root holding users' Maildirs at `<root>/<user>/Maildir`.
pub(super) struct Fixture {
    pub(super) root: tempfile::TempDir,
    pub(super) store: MaildirStore,
}

impl Fixture {
    pub(super) fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let store = MaildirStore::new(format!("{}/%u/Maildir", root.path().display()));
        Self { root, store }
    }

    pub(super) fn maildir(&self, user: &str) -> PathBuf {
        self.root.path().join(user).join("Maildir")
    }

    /// Writes a message file at `<maildir>/<sub>/<name>` with this mtime
    /// (seconds since the epoch), creating the Maildir as needed.
    pub(super) fn deliver(
        &self,
        user: &str,
        sub: &str,
        name: &str,
        body: &[u8],
        mtime: u64,
    ) -> PathBuf {
        let maildir = self.maildir(user);
        for dir in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(maildir.join(dir)).unwrap();
        }
        let path = maildir.join(sub).join(name);
        std::fs::write(&path, body).unwrap();
        set_mtime(&path, mtime);
        path
    }

    pub(super) async fn open(&self, user: &str) -> Result<OpenMaildir, OpenError> {
        self.store.open(&username(user)).await
    }
}

pub(super) fn set_mtime(path: &Path, mtime: u64) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(mtime))
        .unwrap();
}

pub(super) fn username(name: &str) -> Username {
    Username::try_from(name).unwrap()
}

/// The snapshot's unique-ids, in order.
pub(super) fn uids(open: &OpenMaildir) -> Vec<String> {
    open.snapshot()
        .messages()
        .iter()
        .map(|m| m.uid.to_string())
        .collect()
}

/// The snapshot's sizes, in order.
pub(super) fn sizes(open: &OpenMaildir) -> Vec<u64> {
    open.snapshot().messages().iter().map(|m| m.size).collect()
}

pub(super) async fn read_all(mut reader: MessageReader) -> Vec<u8> {
    let mut out = Vec::new();
    reader.read_to_end(&mut out).await.unwrap();
    out
}

/// The names in a Maildir subdirectory, sorted.
pub(super) fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
