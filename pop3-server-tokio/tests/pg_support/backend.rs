//! The two stores behind one interface, for the shared suite.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use pop3_server_tokio::store::{MaildirStore, MaildropStore, PostgresStore};

use super::cluster::{Cluster, connect};

/// A store to test, with the ways a test reaches around the server.
pub trait Backend: Sized + Send + Sync + 'static {
    type Store: MaildropStore;
    /// A fresh, empty store.
    async fn create() -> Self;
    fn store(&self) -> Self::Store;
    /// Delivers a message, as an MDA would, while the server runs.
    async fn deliver(&self, user: &str, message: &[u8]);
    /// The stored messages of `user`, in delivery order.
    async fn stored(&self, user: &str) -> Vec<Vec<u8>>;
    /// Removes the `index`th stored message behind the server's back.
    async fn remove_behind(&self, user: &str, index: usize);
}

pub struct MaildirBackend {
    pub dir: tempfile::TempDir,
    delivered: AtomicU32,
}

impl MaildirBackend {
    pub fn maildir(&self, user: &str) -> PathBuf {
        self.dir.path().join(user).join("Maildir")
    }

    fn files(&self, user: &str) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.maildir(user).join(sub)) {
                files.extend(entries.map(|e| e.unwrap().path()));
            }
        }
        files.sort_by_key(|p| p.file_name().unwrap().to_owned());
        files
    }
}

impl Backend for MaildirBackend {
    type Store = MaildirStore;

    async fn create() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            delivered: AtomicU32::new(0),
        }
    }

    fn store(&self) -> MaildirStore {
        MaildirStore::new(self.dir.path().join("%u/Maildir").display().to_string())
    }

    async fn deliver(&self, user: &str, message: &[u8]) {
        let maildir = self.maildir(user);
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        let n = self.delivered.fetch_add(1, Ordering::Relaxed);
        let name = format!("1700000000.M{n:06}P1.test");
        std::fs::write(maildir.join("tmp").join(&name), message).unwrap();
        std::fs::rename(
            maildir.join("tmp").join(&name),
            maildir.join("new").join(&name),
        )
        .unwrap();
    }

    async fn stored(&self, user: &str) -> Vec<Vec<u8>> {
        self.files(user)
            .iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect()
    }

    async fn remove_behind(&self, user: &str, index: usize) {
        std::fs::remove_file(&self.files(user)[index]).unwrap();
    }
}

pub struct PostgresBackend {
    pub url: String,
    pub admin: tokio_postgres::Client,
    store: PostgresStore,
}

impl Backend for PostgresBackend {
    type Store = PostgresStore;

    async fn create() -> Self {
        let url = Cluster::get().database(true).await;
        Self {
            admin: connect(&url).await,
            store: PostgresStore::new(&url).unwrap(),
            url,
        }
    }

    fn store(&self) -> PostgresStore {
        self.store.clone()
    }

    async fn deliver(&self, user: &str, message: &[u8]) {
        pop3_server_tokio::store::postgres::deliver(&self.admin, user, message)
            .await
            .unwrap();
    }

    async fn stored(&self, user: &str) -> Vec<Vec<u8>> {
        self.admin
            .query(
                "SELECT m.body FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id \
                 WHERE b.name = $1 ORDER BY m.id",
                &[&user],
            )
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<_, Vec<u8>>(0))
            .collect()
    }

    async fn remove_behind(&self, user: &str, index: usize) {
        let id: i64 = self
            .admin
            .query(
                "SELECT m.id FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id \
                 WHERE b.name = $1 ORDER BY m.id",
                &[&user],
            )
            .await
            .unwrap()[index]
            .get(0);
        self.admin
            .execute("DELETE FROM messages WHERE id = $1", &[&id])
            .await
            .unwrap();
    }
}
