//! A throwaway PostgreSQL cluster for one test binary: initdb into a
//! temporary directory (as the `postgres` user when running as root),
//! listening on 127.0.0.1 on a free port, one fresh database per test.
//! A detached watchdog stops it (pg_ctl stop) and removes the directory
//! once the test process is gone, however it ended.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio_postgres::NoTls;

/// What to run when PostgreSQL is missing.
pub const INSTALL_HINT: &str = "PostgreSQL is required: run `bash .ci/install-postgres-haproxy` (or `apt-get install -y postgresql`)";

pub struct Cluster {
    pub port: u16,
    pub bin: PathBuf,
    pub dir: PathBuf,
    pub as_postgres: bool,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

/// The binaries' directory: the newest /usr/lib/postgresql/N/bin, or
/// wherever `initdb` is on the PATH.
fn find_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    versions.retain(|p| p.join("initdb").is_file());
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(bin) = versions.pop() {
        return bin;
    }
    let which = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        .unwrap();
    let path = String::from_utf8_lossy(&which.stdout).trim().to_owned();
    assert!(!path.is_empty(), "{INSTALL_HINT}");
    Path::new(&path).parent().unwrap().to_owned()
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Cluster {
    /// The binary's cluster, started on first use.
    pub fn get() -> &'static Cluster {
        CLUSTER.get_or_init(Cluster::start)
    }

    fn start() -> Cluster {
        let bin = find_bin();
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("pop3d-pg-")
            .tempdir()
            .unwrap()
            .keep();
        if as_postgres {
            let status = Command::new("chown")
                .arg("postgres:postgres")
                .arg(&dir)
                .status()
                .unwrap();
            assert!(
                status.success(),
                "cannot give {} to the postgres user (is the Debian postgresql package installed?) {INSTALL_HINT}",
                dir.display()
            );
        }
        let port = free_port();
        let cluster = Cluster {
            port,
            bin,
            dir,
            as_postgres,
        };
        cluster.watch();
        let data = cluster.dir.join("data");
        let out = cluster
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb failed: {out:?}");
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='' -c fsync=off -c max_connections=300"
        );
        let out = cluster
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(cluster.dir.join("postgres.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let log = std::fs::read_to_string(cluster.dir.join("postgres.log")).unwrap_or_default();
        assert!(out.status.success(), "pg_ctl start failed: {out:?}\n{log}");
        cluster
    }

    /// A PostgreSQL program, run as the cluster's owner.
    pub fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// Stops the cluster and removes its directory when this process is
    /// gone. The watchdog must outlive this process, so it is not waited
    /// for.
    #[allow(clippy::zombie_processes)]
    fn watch(&self) {
        let stop = if self.as_postgres {
            format!(
                "runuser -u postgres -- '{}'",
                self.bin.join("pg_ctl").display()
            )
        } else {
            format!("'{}'", self.bin.join("pg_ctl").display())
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
             {stop} -D '{dir}/data' -m immediate stop; rm -rf '{dir}'",
            pid = std::process::id(),
            dir = self.dir.display(),
        );
        Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("setsid (util-linux) is needed to watch the test cluster");
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// A new, empty database for one test, migrated when `migrated`.
    pub async fn database(&self, migrated: bool) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::Relaxed)
        );
        let admin = connect(&self.url("postgres")).await;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let url = self.url(&name);
        if migrated {
            let mut client = connect(&url).await;
            pop3_server_tokio::store::postgres::migrate(&mut client)
                .await
                .unwrap();
        }
        url
    }
}

/// A client whose connection runs in the background.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}
