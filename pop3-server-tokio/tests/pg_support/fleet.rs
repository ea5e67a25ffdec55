//! Two `pop3d` processes on one PostgreSQL database behind HAProxy,
//! each reachable alone and both round-robin.

use std::net::SocketAddr;
use std::path::Path;

use super::cluster::{Cluster, connect};
use super::process::{Process, deliver_postgres, free_addr, pop3d, wait_listening};

pub struct Fleet {
    pub dir: tempfile::TempDir,
    pub url: String,
    pub instances: Vec<Process>,
    /// Frontends that reach instance 0 and instance 1 only.
    pub via: Vec<SocketAddr>,
    /// The balanced frontend.
    pub balanced: SocketAddr,
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
    pub async fn start() -> Self {
        Self::start_with(crate::common::USERS).await
    }

    /// A fleet whose users file is `users`.
    pub async fn start_with(users: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("users"), users).unwrap();
        let url = Cluster::get().database(false).await;
        let (ok, out, err) = pop3d(&["migrate", "--database-url", &url], b"");
        assert!(ok && out.contains("applied [1]"), "{out}{err}");
        let (ok, out, _) = pop3d(&["migrate", "--database-url", &url], b"");
        assert!(ok && out.contains("up to date"), "{out}");
        for i in 0..3 {
            let msg = crate::common::message(&format!("m{i}"), 800);
            deliver_postgres(&url, "alice", &msg);
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

    pub async fn stored(&self) -> i64 {
        connect(&self.url)
            .await
            .query_one("SELECT count(*) FROM messages", &[])
            .await
            .unwrap()
            .get(0)
    }
}
