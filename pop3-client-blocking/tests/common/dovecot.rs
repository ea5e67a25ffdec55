//! Dovecot (`dovecot-pop3d` from Debian) as a test server: generated
//! configuration, passwd-file and certificates in a temporary folder,
//! listening on loopback ports picked at start, stopped on drop.

use std::fs;
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pop3_client_blocking::{LoginMethod, Mechanism};

use super::certs::certificates;
use super::{TestAccount, TestServer};

const DOVECOT: &str = "/usr/sbin/dovecot";
const POP3_SERVICE: &str = "/usr/lib/dovecot/pop3";
const PASSWORD: &str = "correct horse battery";
/// The one access token the test introspection endpoint calls active.
pub const TOKEN: &str = "ya29.test-token_for.alice";

/// One Dovecot instance.
pub struct Dovecot {
    dir: tempfile::TempDir,
    child: Child,
    plain: SocketAddr,
    tls: SocketAddr,
    /// Owner of the mail files (Dovecot refuses uid 0 for mail).
    mail_owner: Option<(u32, u32)>,
    counter: AtomicUsize,
    ca: PathBuf,
    alice: PathBuf,
}

/// Fails the test loudly when Dovecot is missing: a skipped interop test
/// must never pass for a run one.
fn require_dovecot() {
    for path in [DOVECOT, POP3_SERVICE] {
        assert!(
            Path::new(path).exists(),
            "{path} not found: Dovecot's POP3 server is needed for these tests; \
             install it with `apt-get install dovecot-pop3d`"
        );
    }
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn id(flag: &str, user: Option<&str>) -> String {
    let mut cmd = Command::new("id");
    cmd.arg(flag);
    if let Some(user) = user {
        cmd.arg(user);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "id {flag} {user:?} failed");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `doveadm pw`: a password hashed in one of Dovecot's schemes.
fn hash(scheme: &str, password: &str) -> String {
    let out = Command::new("doveadm")
        .args(["-O", "pw", "-s", scheme, "-p", password])
        .output()
        .unwrap();
    assert!(out.status.success(), "doveadm pw -s {scheme} failed");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

impl Dovecot {
    /// Starts Dovecot and waits for its greeting.
    pub fn start() -> Self {
        require_dovecot();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // Dovecot's unprivileged processes must reach into the folder.
        fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
        let (ca, cert, key) = certificates();
        fs::write(root.join("ca.pem"), ca).unwrap();
        fs::write(root.join("cert.pem"), cert).unwrap();
        fs::write(root.join("key.pem"), key).unwrap();

        let root_user = id("-u", None) == "0";
        let (login_user, internal_user, internal_group, mail_owner) = if root_user {
            // Dovecot's own users from the Debian package: its login
            // processes refuse to run as root, and mail refuses uid 0.
            let uid: u32 = id("-u", Some("dovecot")).parse().unwrap();
            let gid: u32 = id("-g", Some("dovecot")).parse().unwrap();
            let user = "dovecot".to_owned();
            ("dovenull".to_owned(), user.clone(), user, Some((uid, gid)))
        } else {
            let me = id("-un", None);
            (me.clone(), me, id("-gn", None), None)
        };
        let (uid, gid) = match mail_owner {
            Some(ids) => ids,
            None => (
                id("-u", None).parse().unwrap(),
                id("-g", None).parse().unwrap(),
            ),
        };

        let mut passwd = String::new();
        for (user, scheme) in [
            ("alice", "PLAIN"),
            ("bob", "CRAM-MD5"),
            ("carol", "SCRAM-SHA-256"),
        ] {
            let secret = if scheme == "PLAIN" {
                format!("{{PLAIN}}{PASSWORD}")
            } else {
                hash(scheme, PASSWORD)
            };
            let home = root.join("mail").join(user);
            for sub in ["cur", "new", "tmp"] {
                fs::create_dir_all(home.join("Maildir").join(sub)).unwrap();
            }
            passwd.push_str(&format!(
                "{user}:{secret}:{uid}:{gid}::{}::\n",
                home.display()
            ));
        }
        fs::write(root.join("passwd"), passwd).unwrap();
        if let Some((uid, gid)) = mail_owner {
            chown_tree(&root.join("mail"), uid, gid);
        }

        let plain = free_port();
        let tls = free_port();
        let introspection = introspection_endpoint();
        fs::write(
            root.join("oauth2.conf"),
            format!(
                "introspection_mode = post\nintrospection_url = http://{introspection}/introspect\n\
                 username_attribute = username\nactive_attribute = active\nactive_value = true\n"
            ),
        )
        .unwrap();
        let r = root.display();
        let config = format!(
            r#"protocols = pop3
listen = 127.0.0.1
base_dir = {r}/run
state_dir = {r}/state
instance_name = pop3-test-{plain_port}
log_path = {r}/dovecot.log
info_log_path = {r}/dovecot.log
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = 1
ssl = yes
ssl_cert = <{r}/cert.pem
ssl_key = <{r}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 scram-sha-256 apop oauthbearer xoauth2
auth_failure_delay = 0
auth_verbose = yes
mail_location = maildir:~/Maildir
pop3_lock_session = yes
passdb {{
  driver = passwd-file
  args = {r}/passwd
}}
passdb {{
  driver = oauth2
  args = {r}/oauth2.conf
}}
userdb {{
  driver = passwd-file
  args = {r}/passwd
}}
service pop3-login {{
  chroot =
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {plain_port}
  }}
  inet_listener pop3s {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"#,
            plain_port = plain.port(),
            tls_port = tls.port(),
        );
        fs::write(root.join("dovecot.conf"), config).unwrap();
        for sub in ["run", "state"] {
            fs::create_dir_all(root.join(sub)).unwrap();
        }
        let child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let ca = root.join("ca.pem");
        let alice = root.join("mail").join("alice").join("Maildir");
        let mut server = Self {
            ca,
            alice,
            dir,
            child,
            plain,
            tls,
            mail_owner,
            counter: AtomicUsize::new(0),
        };
        server.wait_ready();
        server
    }

    /// Waits for a greeting on the plain port (readiness, not timing).
    fn wait_ready(&mut self) {
        for _ in 0..200 {
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!("dovecot exited ({status}): {err}\n{}", self.log());
            }
            if let Ok(mut s) = TcpStream::connect(self.plain) {
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut buf = [0u8; 3];
                if s.read_exact(&mut buf).is_ok() && &buf == b"+OK" {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("dovecot did not answer\n{}", self.log());
    }

    /// Dovecot's log, for failing tests.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }
}

/// A minimal OAuth 2.0 token introspection endpoint (RFC 7662) for
/// Dovecot's oauth2 passdb: [`TOKEN`] is alice's, anything else is not
/// active. Serves until the test process ends.
fn introspection_endpoint() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Headers, then as much body as Content-Length says.
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            let (name, value) = l.split_once(':')?;
                            name.eq_ignore_ascii_case("content-length")
                                .then(|| value.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let text = String::from_utf8_lossy(&request);
            let body = if text.contains(TOKEN) {
                r#"{"active":true,"username":"alice"}"#
            } else {
                r#"{"active":false}"#
            };
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = std::io::Write::write_all(&mut stream, response.as_bytes());
        }
    });
    addr
}

fn chown_tree(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    if path.is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            chown_tree(&entry.unwrap().path(), uid, gid);
        }
    }
}

impl TestServer for Dovecot {
    fn kind(&self) -> &'static str {
        "dovecot"
    }

    fn addr(&self) -> SocketAddr {
        self.plain
    }

    fn tls_addr(&self) -> SocketAddr {
        self.tls
    }

    fn user(&self) -> &str {
        "alice"
    }

    fn password(&self) -> &[u8] {
        PASSWORD.as_bytes()
    }

    fn maildir(&self) -> &Path {
        &self.alice
    }

    fn accounts(&self) -> Vec<TestAccount> {
        use LoginMethod::{Apop, Sasl, UserPass};
        use Mechanism::{CramMd5, Login, Plain, ScramSha256};
        let password = PASSWORD.as_bytes().to_vec();
        vec![
            // A cleartext password works with every mechanism.
            TestAccount {
                user: "alice".into(),
                password: password.clone(),
                methods: vec![
                    UserPass,
                    Apop,
                    Sasl(Plain),
                    Sasl(Login),
                    Sasl(CramMd5),
                    Sasl(ScramSha256),
                ],
            },
            // Hashed schemes: their own mechanism and the cleartext ones.
            TestAccount {
                user: "bob".into(),
                password: password.clone(),
                methods: vec![UserPass, Sasl(Plain), Sasl(Login), Sasl(CramMd5)],
            },
            TestAccount {
                user: "carol".into(),
                password,
                methods: vec![UserPass, Sasl(Plain), Sasl(Login), Sasl(ScramSha256)],
            },
        ]
    }

    fn ca_file(&self) -> &Path {
        &self.ca
    }

    fn add_message(&self, content: &[u8]) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}.M{n}P{}.test", 1_700_000_000 + n, std::process::id());
        let dir = &self.alice;
        let tmp = dir.join("tmp").join(&name);
        fs::write(&tmp, content).unwrap();
        if let Some((uid, gid)) = self.mail_owner {
            std::os::unix::fs::chown(&tmp, Some(uid), Some(gid)).unwrap();
        }
        let path = dir.join("new").join(&name);
        fs::rename(&tmp, &path).unwrap();
        path
    }

    fn bearer_token(&self) -> Option<&str> {
        Some(TOKEN)
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its children too.
        let stopped = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- dovecot log ---\n{}", self.log());
        }
    }
}
