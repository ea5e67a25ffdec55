//! `pop3d deliver --user U < message`: one message into the configured
//! store. Exit codes follow sysexits, as mail transports expect: 0
//! delivered, 75 try again later, 67 unknown or unusable user, 78 bad
//! configuration, 65 message refused.

use std::io::Read;
use std::process::ExitCode;

use pop3_proto::types::Username;
use pop3_server_tokio::auth::is_safe_maildrop_name;
use pop3_server_tokio::config::{StoreSettings, store_settings};
use pop3_server_tokio::store::postgres::{self, DeliverError, PostgresStore};

use crate::cli::StoreArgs;
use crate::{database, maildir_delivery};

const EX_DATAERR: u8 = 65;
const EX_NOUSER: u8 = 67;
const EX_TEMPFAIL: u8 = 75;
const EX_CONFIG: u8 = 78;

/// The largest message read from standard input.
const MAX_MESSAGE: u64 = 1 << 30;

pub(crate) fn run(user: &str, args: &StoreArgs) -> ExitCode {
    match deliver(user, args) {
        Ok(place) => {
            eprintln!("pop3d deliver: {user}: stored as {place}");
            ExitCode::SUCCESS
        }
        Err((code, message)) => {
            eprintln!("pop3d deliver: {user}: {message}");
            ExitCode::from(code)
        }
    }
}

fn deliver(user: &str, args: &StoreArgs) -> Result<String, (u8, String)> {
    let name = Username::try_from(user)
        .ok()
        .filter(is_safe_maildrop_name)
        .ok_or((EX_NOUSER, "not a usable maildrop name".to_owned()))?;
    let (file, over) = args.load().map_err(|e| (EX_CONFIG, e))?;
    let store = store_settings(&file, &over).map_err(|e| (EX_CONFIG, e.to_string()))?;
    let mut message = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_MESSAGE + 1)
        .read_to_end(&mut message)
        .map_err(|e| (EX_TEMPFAIL, format!("reading the message: {e}")))?;
    if message.len() as u64 > MAX_MESSAGE {
        return Err((EX_DATAERR, "message larger than 1 GiB".into()));
    }
    match store {
        StoreSettings::Maildir(template) => {
            let maildir = template.replace("%u", name.as_str());
            let root = maildir_delivery::mail_root(&template);
            maildir_delivery::deliver(&root, maildir.as_ref(), &message)
                .map(|path| path.display().to_string())
                .map_err(|e| (EX_TEMPFAIL, format!("{maildir}: {e}")))
        }
        StoreSettings::Postgres(url) => {
            let store = PostgresStore::new(&url).map_err(|e| (EX_CONFIG, e.to_string()))?;
            let runtime = database::runtime().map_err(|e| (EX_TEMPFAIL, e))?;
            runtime.block_on(async {
                let client = store
                    .connect()
                    .await
                    .map_err(|e| (EX_TEMPFAIL, format!("cannot connect to the database: {e}")))?;
                match postgres::deliver(&client, name.as_str(), &message).await {
                    Ok(uid) => Ok(format!("unique-id {uid}")),
                    Err(DeliverError::TooLarge(n)) => {
                        Err((EX_DATAERR, format!("message too large ({n} octets)")))
                    }
                    Err(e) => Err((EX_TEMPFAIL, e.to_string())),
                }
            })
        }
    }
}
