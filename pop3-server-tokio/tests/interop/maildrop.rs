//! Where the test server keeps [`USER`]'s messages: a Maildir, or a fresh
//! PostgreSQL database holding the messages and the user (as
//! docs/scaling.md configures a fleet). Deliveries and the checks of what
//! is left go through here, so one test body serves both.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::cluster::{Cluster, connect};
use super::mail::Message;
use super::{PASSWORD, USER};

/// The store a test server runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Maildir,
    Postgres,
}

/// A backend set up for one server.
pub enum Maildrop {
    Maildir {
        /// [`USER`]'s Maildir.
        path: PathBuf,
    },
    Postgres(Box<Database>),
}

/// A database of its own, and a runtime to reach it from the
/// (synchronous) tests.
pub struct Database {
    url: String,
    runtime: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
    /// (message name, unique-id the store gave it), in delivery order.
    uids: Mutex<Vec<(String, String)>>,
}

impl Maildrop {
    /// An empty maildrop for [`USER`] (and, in PostgreSQL, the user's
    /// row: a `{PLAIN}` password, so APOP, CRAM-MD5 and SCRAM work too).
    pub fn create(backend: Backend, root: &Path) -> Self {
        match backend {
            Backend::Maildir => {
                let path = root.join("mail").join(USER).join("Maildir");
                for sub in ["tmp", "new", "cur"] {
                    std::fs::create_dir_all(path.join(sub)).unwrap();
                }
                Self::Maildir { path }
            }
            Backend::Postgres => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let (url, client) = runtime.block_on(async {
                    let url = Cluster::get().database(true).await;
                    let client = connect(&url).await;
                    client
                        .execute(
                            "INSERT INTO users (name, password) VALUES ($1, $2)",
                            &[&USER, &format!("{{PLAIN}}{PASSWORD}")],
                        )
                        .await
                        .unwrap();
                    (url, client)
                });
                Self::Postgres(Box::new(Database {
                    url,
                    runtime,
                    client,
                    uids: Mutex::new(Vec::new()),
                }))
            }
        }
    }

    /// The config file lines (before any table) that choose this store
    /// and its users; a Maildir server gets its paths as flags instead.
    pub fn config(&self) -> String {
        match self {
            Self::Maildir { .. } => String::new(),
            Self::Postgres(db) => format!(
                "store = \"postgres\"\n\
                 auth = \"postgres\"\n\
                 database_url = \"{}\"\n",
                db.url
            ),
        }
    }

    /// Stores `message` as an MDA would: a Maildir file written in `tmp/`
    /// and renamed into `new/` with modification time `mtime`, or a
    /// database delivery (the store orders by delivery, so `mtime` does
    /// not matter there).
    pub fn deliver(&self, message: &Message, mtime: u64) {
        match self {
            Self::Maildir { path } => {
                let tmp = path.join("tmp").join(&message.name);
                std::fs::write(&tmp, &message.bytes).unwrap();
                let file = std::fs::File::options().write(true).open(&tmp).unwrap();
                file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(mtime))
                    .unwrap();
                drop(file);
                std::fs::rename(&tmp, path.join("new").join(&message.name)).unwrap();
            }
            Self::Postgres(db) => {
                let uid = db
                    .runtime
                    .block_on(pop3_server_tokio::store::postgres::deliver(
                        &db.client,
                        USER,
                        &message.bytes,
                    ))
                    .unwrap();
                db.uids
                    .lock()
                    .unwrap()
                    .push((message.name.clone(), uid.as_str().to_owned()));
            }
        }
    }

    /// The unique-id the server gives `message`: its file name in a
    /// Maildir, the one chosen at delivery in PostgreSQL.
    pub fn uid(&self, message: &Message) -> String {
        match self {
            Self::Maildir { .. } => message.name.clone(),
            Self::Postgres(db) => db
                .uids
                .lock()
                .unwrap()
                .iter()
                .find(|(name, _)| *name == message.name)
                .map(|(_, uid)| uid.clone())
                .unwrap_or_else(|| panic!("{} was never delivered", message.name)),
        }
    }

    /// Every stored message as (name, bytes), sorted by name: the Maildir
    /// files in `new/` and `cur/` by base name, or the database rows by
    /// the message their unique-id was given to.
    pub fn contents(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = match self {
            Self::Maildir { path } => {
                let mut out = Vec::new();
                for sub in ["new", "cur"] {
                    for entry in std::fs::read_dir(path.join(sub)).unwrap() {
                        let path = entry.unwrap().path();
                        let name = path.file_name().unwrap().to_str().unwrap();
                        let base = name.split(':').next().unwrap().to_owned();
                        out.push((base, std::fs::read(&path).unwrap()));
                    }
                }
                out
            }
            Self::Postgres(db) => {
                let rows = db
                    .runtime
                    .block_on(db.client.query(
                        "SELECT m.uid, m.body FROM messages m \
                         JOIN mailboxes b ON b.id = m.mailbox_id \
                         WHERE b.name = $1 ORDER BY m.id",
                        &[&USER],
                    ))
                    .unwrap();
                let uids = db.uids.lock().unwrap();
                rows.iter()
                    .map(|row| {
                        let uid: String = row.get(0);
                        let name = uids
                            .iter()
                            .find(|(_, given)| *given == uid)
                            .map(|(name, _)| name.clone())
                            .unwrap_or_else(|| panic!("{uid} is no delivered message"));
                        (name, row.get::<_, Vec<u8>>(1))
                    })
                    .collect()
            }
        };
        out.sort();
        out
    }
}
