//! `pop3d --demo`: a ready-to-run data directory with a user, a Maildir
//! holding a few messages, a self-signed certificate and a config file
//! pointing at them, all on loopback ports.

use std::fs;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The demo account.
pub const DEMO_USER: &str = "alice";
/// The demo account's password.
pub const DEMO_PASSWORD: &str = "wonderland";
/// Plain POP3 (with STLS) port of the demo.
pub const DEMO_PORT: u16 = 1110;
/// POP3S port of the demo.
pub const DEMO_TLS_PORT: u16 = 1995;

/// Messages the demo Maildir starts with, stored with LF line endings as
/// Postfix delivers them.
const MESSAGES: &[(&str, &str)] = &[
    (
        "1700000000.M1P1.demo",
        "From: Bob <bob@example.org>\nTo: Alice <alice@example.org>\nSubject: Welcome\nDate: Tue, 14 Nov 2023 22:13:20 +0000\nMessage-ID: <welcome@example.org>\n\nHello Alice,\n\nthis is your demo maildrop. Fetch it with any POP3 client.\n",
    ),
    (
        "1700000100.M2P1.demo",
        "From: Carol <carol@example.org>\nTo: Alice <alice@example.org>\nSubject: Dots\nDate: Tue, 14 Nov 2023 22:15:00 +0000\nMessage-ID: <dots@example.org>\n\nA line that starts with a dot follows:\n.like this one\n..and this\n.\nThe line above held a single dot.\n",
    ),
    (
        "1700000200.M3P1.demo",
        "From: Dave <dave@example.org>\nTo: Alice <alice@example.org>\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\nDate: Tue, 14 Nov 2023 22:16:40 +0000\nMessage-ID: <utf8@example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nGrüße aus der Demo.\n",
    ),
];

/// Why the demo directory could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The certificate could not be generated.
    #[error("generating the demo certificate: {0}")]
    Certificate(#[from] rcgen::Error),
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Creates what is missing under `dir` and returns the path of its
/// `pop3d.toml`. Existing files are kept, so mail deleted in one run stays
/// deleted in the next.
pub fn prepare(dir: &Path) -> Result<PathBuf, DemoError> {
    fs::create_dir_all(dir).map_err(io_at(dir))?;
    let dir = dir.canonicalize().map_err(io_at(dir))?;
    let users = dir.join("users");
    if !users.exists() {
        write_private(
            &users,
            format!(
                "# Dovecot passwd-file format: user:{{SCHEME}}secret\n\
                 # {{PLAIN}} allows every login method (APOP, CRAM-MD5, SCRAM too);\n\
                 # use `pop3d hash-password` for production accounts.\n\
                 {DEMO_USER}:{{PLAIN}}{DEMO_PASSWORD}\n"
            )
            .as_bytes(),
        )?;
    }
    let maildir = dir.join("mail").join(DEMO_USER).join("Maildir");
    if !maildir.exists() {
        for sub in ["tmp", "new", "cur"] {
            let path = maildir.join(sub);
            fs::create_dir_all(&path).map_err(io_at(&path))?;
        }
        for (name, text) in MESSAGES {
            let path = maildir.join("new").join(name);
            fs::write(&path, text).map_err(io_at(&path))?;
        }
    }
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    if !cert.exists() || !key.exists() {
        let generated = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ])?;
        write_private(&key, generated.signing_key.serialize_pem().as_bytes())?;
        fs::write(&cert, generated.cert.pem()).map_err(io_at(&cert))?;
    }
    let config = dir.join("pop3d.toml");
    if !config.exists() {
        let text = format!(
            "# pop3d demo configuration; every key is described in docs/operations.md.\n\
             listen = [\"127.0.0.1:{DEMO_PORT}\"]\n\
             tls_listen = [\"127.0.0.1:{DEMO_TLS_PORT}\"]\n\
             cert = {cert:?}\n\
             key = {key:?}\n\
             users = {users:?}\n\
             maildir = {maildir:?}\n\
             hostname = \"localhost\"\n\
             apop = true\n\
             \n\
             [limits]\n\
             login_failure_delay_ms = 500\n",
            cert = cert.display().to_string(),
            key = key.display().to_string(),
            users = users.display().to_string(),
            maildir = dir
                .join("mail")
                .join("%u")
                .join("Maildir")
                .display()
                .to_string(),
        );
        fs::write(&config, text).map_err(io_at(&config))?;
    }
    Ok(config)
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, contents: &[u8]) -> Result<(), DemoError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io_at(path))?;
    file.write_all(contents).map_err(io_at(path))
}

/// What to tell the person who started the demo, given where it listens.
pub fn instructions(dir: &Path, plain: &[SocketAddr], tls: &[SocketAddr]) -> String {
    let mut text = format!(
        "pop3d demo: data in {dir}\n  user {DEMO_USER}, password {DEMO_PASSWORD} (self-signed certificate {cert})\n",
        dir = dir.display(),
        cert = dir.join("cert.pem").display(),
    );
    for addr in plain {
        text.push_str(&format!(
            "  POP3 with STLS on {addr}:  curl -k --ssl-reqd pop3://{addr}/ -u {DEMO_USER}:{DEMO_PASSWORD}\n"
        ));
    }
    for addr in tls {
        text.push_str(&format!(
            "  POP3S on {addr}:  curl -k pop3s://{addr}/1 -u {DEMO_USER}:{DEMO_PASSWORD}\n"
        ));
    }
    text.push_str("  stop with Ctrl-C");
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FileConfig, Overrides, Settings};

    #[test]
    fn prepares_a_usable_directory_and_keeps_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        let config = prepare(&dir).unwrap();
        let settings =
            Settings::resolve(FileConfig::load(&config).unwrap(), Overrides::default()).unwrap();
        assert!(settings.apop);
        assert_eq!(settings.listen.len(), 1);
        assert_eq!(settings.tls_listen.len(), 1);
        let (cert, key) = settings.tls.clone().unwrap();
        crate::tls::load_server_config(&cert, &key).unwrap();
        let new = dir.join("mail/alice/Maildir/new");
        assert_eq!(fs::read_dir(&new).unwrap().count(), MESSAGES.len());
        let users = fs::read_to_string(dir.join("users")).unwrap();
        assert!(users.contains("alice:{PLAIN}wonderland"));

        // A second run keeps what the first made (a deleted message stays
        // deleted).
        let first = fs::read_dir(&new).unwrap().next().unwrap().unwrap().path();
        fs::remove_file(&first).unwrap();
        prepare(&dir).unwrap();
        assert_eq!(fs::read_dir(&new).unwrap().count(), MESSAGES.len() - 1);
    }
}
