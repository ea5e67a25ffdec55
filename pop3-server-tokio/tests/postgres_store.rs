//! What only the PostgreSQL store has: UPDATE as one transaction that
//! fails whole, the users-table authenticator, and the `pop3d deliver`,
//! `migrate` and `import-maildir` commands.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod pg_support;

use common::{Wire, message, wire_body};
use pg_support::backend::{Backend, MaildirBackend, PostgresBackend};
use pg_support::cluster::Cluster;
use pg_support::process::{deliver_postgres, pop3d};
use pg_support::server::{Served, ServerOptions, passwd_users};
use pg_support::suite::login;
use pop3_server_tokio::auth::postgres::PostgresUsers;
use pop3_server_tokio::auth::{Authenticator, Scheme, hash_password};
use pop3_server_tokio::store::PostgresStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_update_answers_sys_temp_and_deletes_nothing() {
    let backend = PostgresBackend::create().await;
    let served = Served::start(passwd_users(), backend.store(), ServerOptions::default()).await;
    for tag in ["a", "b", "c"] {
        backend.deliver("alice", &message(tag, 100)).await;
    }
    let mut w = login(&served).await;
    w.ok("DELE 1").await;
    w.ok("DELE 3").await;
    // The session's own connection (the one holding the advisory lock)
    // is cut before QUIT.
    let killed: i64 = backend
        .admin
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_locks \
             WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(killed, 1);
    let answer = w.ask("QUIT").await;
    assert!(answer.starts_with("-ERR [SYS/TEMP]"), "{answer}");
    assert_eq!(backend.stored("alice").await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_table_authenticates_every_scheme_it_holds() {
    let backend = PostgresBackend::create().await;
    let argon = hash_password(Scheme::Argon2id, b"s3cret pass").unwrap();
    for (name, password) in [
        ("alice", Some("{PLAIN}wonderland".to_owned())),
        ("dave", Some(argon)),
        ("locked", None),
        ("broken", Some("{NOPE}x".to_owned())),
    ] {
        backend
            .admin
            .execute(
                "INSERT INTO users (name, password) VALUES ($1, $2)",
                &[&name, &password],
            )
            .await
            .unwrap();
    }
    let store = PostgresStore::new(&backend.url).unwrap();
    let users = PostgresUsers::new(store.pool().clone()).unwrap();

    // SCRAM-SHA-256 keys: derived for a {PLAIN} row, and the same keys
    // every time; none for a one-way hash, an unknown or a locked user.
    let scram = |name: &str| {
        let user = pop3_proto::types::Username::try_from(name).unwrap();
        let users = &users;
        async move { users.scram_secrets(&user).await }
    };
    let alice = scram("alice").await.expect("alice's keys");
    let again = scram("alice").await.expect("alice's keys again");
    let expected = pop3_proto::sasl::scram::ScramSecrets::derive(b"wonderland", &alice.salt, 4096);
    assert_eq!(
        (alice.stored_key, alice.server_key, alice.iterations),
        (expected.stored_key, expected.server_key, 4096)
    );
    assert_eq!(
        (again.salt, again.stored_key),
        (alice.salt.clone(), alice.stored_key)
    );
    for name in ["dave", "nobody", "locked", "broken"] {
        assert!(scram(name).await.is_none(), "{name}");
    }

    let served = Served::start(users, store, ServerOptions::default()).await;
    backend.deliver("dave", &message("for dave", 100)).await;

    let mut w = Wire::connect(served.addr).await;
    w.line().await;
    w.login("dave", "s3cret pass").await;
    assert!(w.ok("STAT").await.starts_with("+OK 1 "));
    w.ok("QUIT").await;

    // APOP needs the plaintext secret: alice has one.
    let mut w = Wire::connect(served.addr).await;
    let greeting = w.line().await;
    let stamp = pop3_proto::apop::find_timestamp(greeting.as_bytes()).unwrap();
    let digest = pop3_proto::apop::digest(stamp, b"wonderland");
    w.ok(&format!("APOP alice {digest}")).await;
    w.ok("QUIT").await;

    for (user, password) in [
        ("dave", "wrong"),
        ("nobody", "wonderland"),
        ("locked", ""),
        ("broken", "x"),
    ] {
        let mut w = Wire::connect(served.addr).await;
        w.line().await;
        w.ok(&format!("USER {user}")).await;
        let answer = w.ask(&format!("PASS {password}x")).await;
        assert!(answer.starts_with("-ERR [AUTH]"), "{user}: {answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliver_writes_into_either_store() {
    let message = message("delivered", 1000);
    // PostgreSQL.
    let url = Cluster::get().database(true).await;
    deliver_postgres(&url, "alice", &message);
    let pg = PostgresStore::new(&url).unwrap();
    let served = Served::start(passwd_users(), pg, ServerOptions::default()).await;
    let mut w = login(&served).await;
    assert_eq!(w.multi("RETR 1").await, wire_body(&message));
    w.ok("QUIT").await;

    // Maildir: tmp/ then new/, a unique name each time.
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("%u/Maildir").display().to_string();
    for _ in 0..2 {
        let (ok, _, err) = pop3d(
            &["deliver", "--user", "alice", "--maildir", &template],
            &message,
        );
        assert!(ok, "{err}");
    }
    let maildir = dir.path().join("alice/Maildir");
    assert_eq!(std::fs::read_dir(maildir.join("tmp")).unwrap().count(), 0);
    let new: Vec<_> = std::fs::read_dir(maildir.join("new"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(new.len(), 2);
    assert_eq!(std::fs::read(&new[0]).unwrap(), message);

    // A name that could leave the mail root, and a missing mail root.
    let (ok, _, _) = pop3d(&["deliver", "--user", "../x", "--maildir", &template], b"m");
    assert!(!ok);
    let (ok, _, err) = pop3d(
        &[
            "deliver",
            "--user",
            "alice",
            "--maildir",
            "/nonexistent/root/%u",
        ],
        b"m",
    );
    assert!(!ok, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_keeps_unique_ids_and_can_run_again() {
    let maildir = MaildirBackend::create().await;
    let messages: Vec<Vec<u8>> = (0..4).map(|i| message(&format!("m{i}"), 300)).collect();
    for m in &messages {
        maildir.deliver("alice", m).await;
    }
    let uidl = |served: &Served| {
        let addr = served.addr;
        async move {
            let mut w = Wire::connect(addr).await;
            w.line().await;
            w.login("alice", "wonderland").await;
            let list = w.multi("UIDL").await;
            w.ok("QUIT").await;
            w.until_closed().await;
            list
        }
    };
    let before = {
        let served = Served::start(passwd_users(), maildir.store(), ServerOptions::default()).await;
        uidl(&served).await
    };
    let url = Cluster::get().database(true).await;
    let template = maildir.dir.path().join("%u/Maildir").display().to_string();
    let args = [
        "import-maildir",
        "--user",
        "alice",
        "--maildir",
        &template,
        "--database-url",
        &url,
    ];
    let (ok, out, err) = pop3d(&args, b"");
    assert!(
        ok && out.contains("4 imported, 0 already there"),
        "{out}{err}"
    );
    let (ok, out, err) = pop3d(&args, b"");
    assert!(
        ok && out.contains("0 imported, 4 already there"),
        "{out}{err}"
    );

    let served = Served::start(
        passwd_users(),
        PostgresStore::new(&url).unwrap(),
        ServerOptions::default(),
    )
    .await;
    assert_eq!(uidl(&served).await, before);
    let mut w = login(&served).await;
    assert_eq!(w.multi("RETR 4").await, wire_body(&messages[3]));
    w.ok("QUIT").await;
    w.until_closed().await;

    // --remove empties the Maildir once everything is in the database.
    let mut with_remove = args.to_vec();
    with_remove.push("--remove");
    let (ok, out, err) = pop3d(&with_remove, b"");
    assert!(ok, "{out}{err}");
    assert!(maildir.stored("alice").await.is_empty());
}

#[test]
fn serving_needs_a_migrated_database() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(Cluster::get().database(false));
    let args = [
        "--listen",
        "127.0.0.1:1",
        "--users",
        "/dev/null",
        "--store",
        "postgres",
        "--database-url",
        &url,
        "--check-config",
    ];
    let (ok, _, err) = pop3d(&args, b"");
    assert!(!ok && err.contains("pop3d migrate"), "{err}");
    let (ok, _, err) = pop3d(&["migrate", "--database-url", &url], b"");
    assert!(ok, "{err}");
    let (ok, out, err) = pop3d(&args, b"");
    assert!(ok, "{out}{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pooled_session_connection_gives_its_lock_back() {
    let backend = PostgresBackend::create().await;
    let served = Served::start(passwd_users(), backend.store(), ServerOptions::default()).await;
    backend.deliver("alice", &message("a", 100)).await;
    let count = |sql: &'static str| {
        let admin = &backend.admin;
        async move { admin.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    let advisory = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
                    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
    let pooled = "SELECT count(*) FROM pg_stat_activity \
                  WHERE application_name = 'pop3d' AND datname = current_database()";
    for quit in [false, true] {
        let mut w = login(&served).await;
        assert_eq!(count(advisory).await, 1);
        if quit {
            w.ok("QUIT").await;
            // UPDATE gives the lock back before answering.
            assert_eq!(count(advisory).await, 0);
        } else {
            w.ok("DELE 1").await;
            drop(w);
            // A session that just stops gives it back soon after.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while count(advisory).await != 0 {
                assert!(std::time::Instant::now() < deadline, "lock kept");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
        // The connection itself stays open in the pool, lock-free.
        assert!(count(pooled).await >= 1);
    }
    assert_eq!(backend.stored("alice").await.len(), 1);
}
