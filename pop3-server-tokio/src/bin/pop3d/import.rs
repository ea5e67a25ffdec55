//! `pop3d import-maildir`: Maildirs into PostgreSQL with their
//! unique-ids, read through the Maildir store itself (so the unique-ids
//! are exactly those POP3 clients saw, and the Maildir is locked against
//! POP3 sessions meanwhile).

use std::process::ExitCode;

use pop3_proto::server::{CommitOutcome, Deletion};
use pop3_proto::types::{MessageNumber, Username};
use pop3_server_tokio::config::{self, FileConfig, Overrides, StoreKind, StoreSettings};
use pop3_server_tokio::store::postgres::{self, PostgresStore};
use pop3_server_tokio::store::{MaildirStore, MaildropStore, OpenMaildrop};
use tokio::io::AsyncReadExt;

use crate::cli::StoreArgs;
use crate::database;

pub(crate) fn run(users: &[String], remove: bool, args: &StoreArgs) -> ExitCode {
    let result = args.load().and_then(|(file, over)| {
        let (template, url) = endpoints(&file, &over)?;
        let source = MaildirStore::new(template);
        let target = PostgresStore::new(&url).map_err(|e| e.to_string())?;
        database::runtime()?.block_on(async {
            database::check_schema(&target).await?;
            let mut failed = false;
            for user in users {
                match import_user(&source, &target, user, remove).await {
                    Ok((copied, present)) => println!(
                        "pop3d import-maildir: {user}: {copied} imported, {present} already there"
                    ),
                    Err(message) => {
                        eprintln!("pop3d import-maildir: {user}: {message}");
                        failed = true;
                    }
                }
            }
            Ok(failed)
        })
    });
    match result {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("pop3d import-maildir: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The Maildir template to read and the database to write.
fn endpoints(file: &FileConfig, over: &Overrides) -> Result<(String, String), String> {
    let maildir = Overrides {
        store: Some(StoreKind::Maildir),
        ..over.clone()
    };
    let StoreSettings::Maildir(template) =
        config::store_settings(file, &maildir).map_err(|e| e.to_string())?
    else {
        return Err("no Maildir template".into());
    };
    let url = config::database_url(file, over, "store").map_err(|e| e.to_string())?;
    Ok((template, url))
}

/// Copies one user's messages; returns (imported, already present).
async fn import_user(
    source: &MaildirStore,
    target: &PostgresStore,
    user: &str,
    remove: bool,
) -> Result<(usize, usize), String> {
    let name = Username::try_from(user).map_err(|e| e.to_string())?;
    let mut maildir = source.open(&name).await.map_err(|e| e.to_string())?;
    let client = target
        .connect()
        .await
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    let mailbox = postgres::mailbox_id(&client, user)
        .await
        .map_err(|e| e.to_string())?;
    let entries = maildir.snapshot().messages().to_vec();
    let (mut copied, mut present) = (0, 0);
    let mut deletions = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let mut reader = match maildir.open_message(index).await {
            Ok(reader) => reader,
            Err(e) => {
                eprintln!("pop3d import-maildir: {user}: {} skipped: {e:?}", entry.uid);
                continue;
            }
        };
        let mut message = Vec::new();
        reader
            .read_to_end(&mut message)
            .await
            .map_err(|e| format!("reading {}: {e}", entry.uid))?;
        if postgres::import(&client, mailbox, &entry.uid, &message)
            .await
            .map_err(|e| format!("storing {}: {e}", entry.uid))?
        {
            copied += 1;
        } else {
            present += 1;
        }
        if let Some(number) = MessageNumber::from_index(index) {
            deletions.push(Deletion {
                number,
                uid: entry.uid.clone(),
            });
        }
    }
    if remove {
        match maildir.commit(&deletions).await {
            CommitOutcome::Done => {}
            other => {
                return Err(format!(
                    "not every message was removed from the Maildir: {other:?}"
                ));
            }
        }
    }
    Ok((copied, present))
}
