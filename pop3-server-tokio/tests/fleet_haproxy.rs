//! Two `pop3d` processes on one PostgreSQL behind HAProxy (PROXY protocol
//! v2): the maildrop lock holds across instances, a killed instance
//! loses nothing and frees the lock, and the logs name the real client.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod pg_support;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::{Duration, Instant};

use pg_support::cluster::{Cluster, connect};
use pg_support::process::{Client, Process, free_addr, pop3d, wait_listening};

/// The client's own loopback address, distinct from HAProxy's
/// (127.0.0.1), so the logs show whose address they carry.
const CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));

struct Fleet {
    dir: tempfile::TempDir,
    url: String,
    instances: Vec<Process>,
    /// Frontends that reach instance 0 and instance 1 only.
    via: Vec<SocketAddr>,
    /// The balanced frontend.
    balanced: SocketAddr,
    _haproxy: Process,
}

fn pop3d_config(dir: &Path, url: &str, listen: SocketAddr) -> std::path::PathBuf {
    let path = dir.join(format!("pop3d-{}.toml", listen.port()));
    std::fs::write(
        &path,
        format!(
            "proxy_listen = [\"{listen}\"]\n\
             proxy_trusted = [\"127.0.0.1/32\"]\n\
             users = \"{users}\"\n\
             store = \"postgres\"\n\
             database_url = \"{url}\"\n\
             [limits]\n\
             login_failure_delay_ms = 0\n",
            users = dir.join("users").display(),
        ),
    )
    .unwrap();
    path
}

fn haproxy_config(
    dir: &Path,
    fronts: &[SocketAddr; 3],
    servers: &[SocketAddr],
) -> std::path::PathBuf {
    let path = dir.join("haproxy.cfg");
    let mut cfg = String::from(
        "global\n    maxconn 200\n\
         defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n",
    );
    for (i, (front, server)) in fronts.iter().zip(servers).enumerate() {
        cfg.push_str(&format!(
            "listen only{i}\n    bind {front}\n    server pop3d{i} {server} send-proxy-v2\n"
        ));
    }
    cfg.push_str(&format!(
        "listen balanced\n    bind {}\n    balance roundrobin\n",
        fronts[2]
    ));
    for (i, server) in servers.iter().enumerate() {
        cfg.push_str(&format!("    server pop3d{i} {server} send-proxy-v2\n"));
    }
    std::fs::write(&path, cfg).unwrap();
    path
}

impl Fleet {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("users"), pg_support::server::USERS).unwrap();
        let url = Cluster::get().database(false).await;
        let (ok, out, err) = pop3d(&["migrate", "--database-url", &url], b"");
        assert!(ok && out.contains("applied [1]"), "{out}{err}");
        let (ok, out, _) = pop3d(&["migrate", "--database-url", &url], b"");
        assert!(ok && out.contains("up to date"), "{out}");
        for i in 0..3 {
            let msg = common::message(&format!("m{i}"), 800);
            let (ok, _, err) = pop3d(
                &[
                    "deliver",
                    "--user",
                    "alice",
                    "--store",
                    "postgres",
                    "--database-url",
                    &url,
                ],
                &msg,
            );
            assert!(ok, "{err}");
        }
        let servers = [free_addr(), free_addr()];
        let instances: Vec<Process> = servers
            .iter()
            .enumerate()
            .map(|(i, addr)| {
                let config = pop3d_config(dir.path(), &url, *addr);
                Process::pop3d(&config, dir.path().join(format!("pop3d{i}.log")))
            })
            .collect();
        let fronts = [free_addr(), free_addr(), free_addr()];
        let haproxy = Process::haproxy(
            &haproxy_config(dir.path(), &fronts, &servers),
            dir.path().join("haproxy.log"),
        );
        for front in fronts {
            wait_listening(front);
        }
        Self {
            dir,
            url,
            instances,
            via: fronts[..2].to_vec(),
            balanced: fronts[2],
            _haproxy: haproxy,
        }
    }

    async fn stored(&self) -> i64 {
        connect(&self.url)
            .await
            .query_one("SELECT count(*) FROM messages", &[])
            .await
            .unwrap()
            .get(0)
    }
}

/// The `session ended` JSON log lines of an instance for `client`.
fn session_lines(log: &str, client: SocketAddr) -> Vec<String> {
    let peer = format!("\"peer\":\"{client}\"");
    log.lines()
        .filter(|l| l.contains("session ended") && l.contains(&peer))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_holds_across_instances_and_survives_kill_9() {
    let mut fleet = Fleet::start().await;
    assert_eq!(fleet.stored().await, 3);

    // Logged in through instance 0: instance 1 says [IN-USE].
    let mut first = Client::connect_from(CLIENT, fleet.via[0]).await;
    assert!(first.login("alice", "wonderland").await.starts_with("+OK"));
    assert!(first.ok("STAT").await.starts_with("+OK 3 "));
    let mut second = Client::connect_from(CLIENT, fleet.via[1]).await;
    let answer = second.login("alice", "wonderland").await;
    assert!(answer.starts_with("-ERR [IN-USE]"), "{answer}");
    second.ok("QUIT").await;
    second.until_closed().await;

    // Mid-session, with every message marked deleted, instance 0 dies.
    for i in 1..=3 {
        first.ok(&format!("DELE {i}")).await;
    }
    fleet.instances[0].kill_9();
    first.until_closed().await;

    // The database ends the dead instance's connection and its lock:
    // instance 1 lets alice in (bounded wait), and nothing was deleted.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut again = loop {
        let mut c = Client::connect_from(CLIENT, fleet.via[1]).await;
        let answer = c.login("alice", "wonderland").await;
        if answer.starts_with("+OK") {
            break c;
        }
        assert!(answer.starts_with("-ERR [IN-USE]"), "{answer}");
        assert!(Instant::now() < deadline, "lock not released after kill -9");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(again.ok("STAT").await.starts_with("+OK 3 "));
    again.ok("QUIT").await;
    again.until_closed().await;
    assert_eq!(fleet.stored().await, 3);

    // The surviving instance logged the client's own address and port,
    // as HAProxy's PROXY header gave it.
    fleet.instances[1].wait_for_log(&again.local.to_string());
    let log = fleet.instances[1].log_text();
    let lines = session_lines(&log, again.local);
    assert_eq!(lines.len(), 1, "{log}");
    assert!(lines[0].contains("\"user\":\"alice\""), "{}", lines[0]);
    let refused = session_lines(&log, second.local);
    assert_eq!(refused.len(), 1, "{log}");
    assert!(refused[0].contains("\"user\":\"-\""), "{}", refused[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balanced_sessions_share_one_maildrop() {
    let fleet = Fleet::start().await;
    // Round-robin over both instances: each session deletes one message,
    // and the next (on the other instance) sees the result.
    for left in (0..3).rev() {
        let mut c = Client::connect_from(CLIENT, fleet.balanced).await;
        assert!(c.login("alice", "wonderland").await.starts_with("+OK"));
        assert!(
            c.ok("STAT")
                .await
                .starts_with(&format!("+OK {} ", left + 1))
        );
        c.ok("DELE 1").await;
        c.ok("QUIT").await;
        c.until_closed().await;
    }
    assert_eq!(fleet.stored().await, 0);
    let both = fleet
        .instances
        .iter()
        .filter(|p| p.log_text().contains("\"user\":\"alice\""))
        .count();
    assert_eq!(both, 2, "sessions did not reach both instances");
    drop(fleet.dir);
}
