//! `pop3d.toml`: the daemon's settings, read from a file and overridden by
//! command-line flags, checked before anything is started.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use pop3_proto::types::{Expire, Mechanism};
use serde::Deserialize;

use crate::proxy::{Network, TrustedNetworks};

/// Why the settings are unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said, with line and column.
        message: String,
    },
    /// The settings are inconsistent or incomplete.
    #[error("{0}")]
    Invalid(String),
}

/// Log line format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Where maildrops are kept (`store`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// One Maildir per user (`maildir` template).
    #[default]
    Maildir,
    /// PostgreSQL (`database_url`), shared by any number of instances.
    Postgres,
}

/// Who may log in (`auth`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum AuthKind {
    /// A Dovecot passwd-file (`users`).
    #[default]
    PasswdFile,
    /// The `users` table in PostgreSQL (`database_url`).
    Postgres,
}

/// The checked store choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSettings {
    /// Maildirs at this path template (with `%u`).
    Maildir(String),
    /// PostgreSQL at this URL.
    Postgres(String),
}

/// The checked authenticator choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthSettings {
    /// A passwd-file.
    PasswdFile(PathBuf),
    /// PostgreSQL at this URL.
    Postgres(String),
}

/// The `[limits]` table.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Connections open at once, in total.
    pub max_connections: usize,
    /// Connections open at once from one IPv4 address or one IPv6 /64.
    pub max_connections_per_ip: usize,
    /// Seconds of inactivity before a session is closed (RFC 1939's
    /// autologout: at least 600). Bytes that do not complete a command do
    /// not count as activity.
    pub idle_timeout_secs: u64,
    /// Seconds from connection to login after which a session that has
    /// not logged in is closed, however many commands it sends; 0 turns
    /// it off. Below 600, a client silent before login is closed sooner
    /// than RFC 1939's ten-minute autologout minimum.
    pub login_timeout_secs: u64,
    /// Refused commands before a session is closed.
    pub max_bad_commands: u32,
    /// Failed logins before a session is closed.
    pub max_login_failures: u32,
    /// Delay before answering a failed login, doubled for each recent
    /// failure from the same address (an IPv6 /64 counts as one); 0 turns
    /// it off.
    pub login_failure_delay_ms: u64,
    /// The most the failed-login delay grows to.
    pub login_failure_delay_max_ms: u64,
    /// Seconds a TLS handshake may take.
    pub tls_handshake_timeout_secs: u64,
    /// Seconds running sessions may go on after SIGTERM or SIGINT.
    pub shutdown_grace_secs: u64,
    /// Seconds a proxy may take to send the PROXY header.
    pub proxy_header_timeout_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            max_connections_per_ip: 16,
            idle_timeout_secs: 600,
            login_timeout_secs: 600,
            max_bad_commands: 20,
            max_login_failures: 3,
            login_failure_delay_ms: 2000,
            login_failure_delay_max_ms: 15_000,
            tls_handshake_timeout_secs: 30,
            shutdown_grace_secs: 30,
            proxy_header_timeout_secs: 10,
        }
    }
}

/// The longest time limit accepted, in seconds: a week. Far longer values
/// would overflow the clock arithmetic that deadlines are made of.
const MAX_LIMIT_SECS: u64 = 7 * 24 * 3600;

impl Limits {
    /// Refuses time limits too long to be meant.
    fn check_durations(&self) -> Result<(), ConfigError> {
        for (key, secs) in [
            ("idle_timeout_secs", self.idle_timeout_secs),
            ("login_timeout_secs", self.login_timeout_secs),
            (
                "tls_handshake_timeout_secs",
                self.tls_handshake_timeout_secs,
            ),
            ("shutdown_grace_secs", self.shutdown_grace_secs),
            ("proxy_header_timeout_secs", self.proxy_header_timeout_secs),
            (
                "login_failure_delay_ms",
                self.login_failure_delay_ms.div_ceil(1000),
            ),
            (
                "login_failure_delay_max_ms",
                self.login_failure_delay_max_ms.div_ceil(1000),
            ),
        ] {
            if secs > MAX_LIMIT_SECS {
                return Err(ConfigError::Invalid(format!(
                    "`{key}` is over a week ({MAX_LIMIT_SECS} s)"
                )));
            }
        }
        Ok(())
    }
}

/// The file's keys. Every key is optional; see `docs/operations.md`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct FileConfig {
    /// Plain POP3 listeners (STLS offered when a certificate is set).
    pub listen: Vec<SocketAddr>,
    /// POP3S listeners (TLS from the first byte).
    pub tls_listen: Vec<SocketAddr>,
    /// PEM certificate chain.
    pub cert: Option<PathBuf>,
    /// PEM private key.
    pub key: Option<PathBuf>,
    /// Users file in Dovecot passwd-file format.
    pub users: Option<PathBuf>,
    /// Maildir path template with `%u` for the user name.
    pub maildir: Option<String>,
    /// Accept cleartext credentials without TLS from non-loopback peers.
    pub allow_cleartext: Option<bool>,
    /// Host name for the greeting's APOP timestamp and CRAM-MD5.
    pub hostname: Option<String>,
    /// Greeting text.
    pub greeting: Option<String>,
    /// Log format.
    pub log_format: Option<LogFormat>,
    /// Offer APOP (needs `{PLAIN}` passwords; MD5-based).
    pub apop: Option<bool>,
    /// Offer USER/PASS.
    pub user_pass: Option<bool>,
    /// SASL mechanisms offered, in order.
    pub mechanisms: Option<Vec<String>>,
    /// Where maildrops are kept: `maildir` (default) or `postgres`.
    pub store: Option<StoreKind>,
    /// Who may log in: `passwd-file` (default) or `postgres`.
    pub auth: Option<AuthKind>,
    /// PostgreSQL connection URL, for `store` or `auth` = `postgres`.
    pub database_url: Option<String>,
    /// Plain POP3 listeners behind a proxy: each connection starts with a
    /// PROXY protocol (v1 or v2) header.
    pub proxy_listen: Vec<SocketAddr>,
    /// POP3S listeners behind a proxy (PROXY header, then TLS).
    pub proxy_tls_listen: Vec<SocketAddr>,
    /// Networks the PROXY listeners accept connections from, e.g.
    /// `["127.0.0.1/32"]`.
    pub proxy_trusted: Vec<String>,
    /// LOGIN-DELAY (RFC 2449): advertised, and a login to a maildrop
    /// sooner than this many seconds after the last one is refused.
    pub login_delay_secs: Option<u32>,
    /// EXPIRE (RFC 2449): `"never"`, or the days retrieved messages are
    /// kept at least. Advertised only: the site's retention job deletes.
    pub expire: Option<ExpireSetting>,
    /// The `[limits]` table.
    pub limits: Limits,
}

/// The `expire` key: a number of days, or `"never"`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum ExpireSetting {
    /// Days.
    Days(u32),
    /// A word: only `never` is one.
    Word(String),
}

impl ExpireSetting {
    fn policy(&self) -> Result<Expire, ConfigError> {
        match self {
            Self::Days(days) => Ok(Expire::Days(*days)),
            Self::Word(word) if word.eq_ignore_ascii_case("never") => Ok(Expire::Never),
            Self::Word(word) => Err(ConfigError::Invalid(format!(
                "`expire` must be a number of days or \"never\", not {word:?}"
            ))),
        }
    }
}

impl FileConfig {
    /// Reads and parses a file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses file contents; `path` is only for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }
}

/// Values from the command line that replace the file's.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--listen`, if given at all.
    pub listen: Vec<SocketAddr>,
    /// `--tls-listen`, if given at all.
    pub tls_listen: Vec<SocketAddr>,
    /// `--cert`.
    pub cert: Option<PathBuf>,
    /// `--key`.
    pub key: Option<PathBuf>,
    /// `--users`.
    pub users: Option<PathBuf>,
    /// `--maildir`.
    pub maildir: Option<String>,
    /// `--allow-cleartext`.
    pub allow_cleartext: bool,
    /// `--log-format`.
    pub log_format: Option<LogFormat>,
    /// `--store`.
    pub store: Option<StoreKind>,
    /// `--database-url`.
    pub database_url: Option<String>,
}

/// The checked settings the daemon runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Plain listeners.
    pub listen: Vec<SocketAddr>,
    /// Implicit-TLS listeners.
    pub tls_listen: Vec<SocketAddr>,
    /// Certificate and key, if TLS is on.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Who may log in.
    pub auth: AuthSettings,
    /// Where maildrops are kept.
    pub store: StoreSettings,
    /// Plain listeners expecting a PROXY header.
    pub proxy_listen: Vec<SocketAddr>,
    /// Implicit-TLS listeners expecting a PROXY header.
    pub proxy_tls_listen: Vec<SocketAddr>,
    /// Where PROXY headers are accepted from.
    pub proxy_trusted: TrustedNetworks,
    /// Cleartext off loopback allowed.
    pub allow_cleartext: bool,
    /// Host name.
    pub hostname: String,
    /// Greeting text.
    pub greeting: String,
    /// Log format.
    pub log_format: LogFormat,
    /// APOP offered.
    pub apop: bool,
    /// USER/PASS offered.
    pub user_pass: bool,
    /// SASL mechanisms offered, if set; `None` offers those of
    /// [`SERVABLE`] that some user in the users file can complete.
    pub mechanisms: Option<Vec<Mechanism>>,
    /// LOGIN-DELAY seconds, advertised and enforced.
    pub login_delay: Option<u32>,
    /// EXPIRE policy, advertised.
    pub expire: Option<Expire>,
    /// Limits.
    pub limits: Limits,
}

/// Mechanisms the daemon can serve from a users file. OAUTHBEARER and
/// XOAUTH2 need a token verifier, which the passwd-file backend has not.
pub const SERVABLE: &[Mechanism] = &[
    Mechanism::ScramSha256,
    Mechanism::CramMd5,
    Mechanism::Plain,
    Mechanism::Login,
];

impl Settings {
    /// Merges the file (if any) with the overrides and checks the result.
    pub fn resolve(file: FileConfig, over: Overrides) -> Result<Self, ConfigError> {
        let proxy_trusted = proxy_trusted(&file)?;
        let auth = auth_settings(&file, &over)?;
        let store = store_settings(&file, &over)?;
        let listen = if over.listen.is_empty() {
            file.listen
        } else {
            over.listen
        };
        let tls_listen = if over.tls_listen.is_empty() {
            file.tls_listen
        } else {
            over.tls_listen
        };
        if listen.is_empty()
            && tls_listen.is_empty()
            && file.proxy_listen.is_empty()
            && file.proxy_tls_listen.is_empty()
        {
            return Err(ConfigError::Invalid(
                "nothing to listen on: set `listen` or `tls_listen` (or --listen/--tls-listen)"
                    .into(),
            ));
        }
        let tls = match (over.cert.or(file.cert), over.key.or(file.key)) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => {
                return Err(ConfigError::Invalid(
                    "`cert` and `key` must be given together".into(),
                ));
            }
        };
        if !(tls_listen.is_empty() && file.proxy_tls_listen.is_empty()) && tls.is_none() {
            return Err(ConfigError::Invalid(
                "`tls_listen` needs `cert` and `key`".into(),
            ));
        }
        let mechanisms = match file.mechanisms {
            None => None,
            Some(names) => Some(
                names
                    .iter()
                    .map(|name| parse_mechanism(name))
                    .collect::<Result<_, _>>()?,
            ),
        };
        if file.login_delay_secs == Some(0) {
            return Err(ConfigError::Invalid(
                "`login_delay_secs` must be positive (leave it out for no delay)".into(),
            ));
        }
        let expire = file
            .expire
            .as_ref()
            .map(ExpireSetting::policy)
            .transpose()?;
        let limits = file.limits;
        if limits.max_connections == 0 || limits.max_connections_per_ip == 0 {
            return Err(ConfigError::Invalid(
                "connection limits must be at least 1".into(),
            ));
        }
        if limits.idle_timeout_secs == 0 {
            return Err(ConfigError::Invalid(
                "`idle_timeout_secs` must be positive".into(),
            ));
        }
        limits.check_durations()?;
        Ok(Self {
            listen,
            tls_listen,
            tls,
            auth,
            store,
            proxy_listen: file.proxy_listen,
            proxy_tls_listen: file.proxy_tls_listen,
            proxy_trusted,
            allow_cleartext: over.allow_cleartext || file.allow_cleartext.unwrap_or(false),
            hostname: file.hostname.unwrap_or_else(|| "localhost".into()),
            greeting: file.greeting.unwrap_or_else(|| "POP3 server ready".into()),
            log_format: over.log_format.or(file.log_format).unwrap_or_default(),
            apop: file.apop.unwrap_or(false),
            user_pass: file.user_pass.unwrap_or(true),
            mechanisms,
            login_delay: file.login_delay_secs,
            expire,
            limits,
        })
    }

    /// The idle timeout.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.limits.idle_timeout_secs)
    }

    /// The login timeout, unless turned off.
    pub fn login_timeout(&self) -> Option<Duration> {
        let secs = self.limits.login_timeout_secs;
        (secs > 0).then(|| Duration::from_secs(secs))
    }
}

/// The store the file and flags choose, checked: also what `pop3d
/// deliver`, `migrate` and `import-maildir` use.
pub fn store_settings(file: &FileConfig, over: &Overrides) -> Result<StoreSettings, ConfigError> {
    match over.store.or(file.store).unwrap_or_default() {
        StoreKind::Maildir => {
            let maildir = over
                .maildir
                .clone()
                .or(file.maildir.clone())
                .ok_or_else(|| {
                    ConfigError::Invalid("`maildir` (a path template with %u) is required".into())
                })?;
            if !maildir.contains("%u") {
                return Err(ConfigError::Invalid(format!(
                    "`maildir` must contain %u for the user name: {maildir}"
                )));
            }
            Ok(StoreSettings::Maildir(maildir))
        }
        StoreKind::Postgres => Ok(StoreSettings::Postgres(database_url(file, over, "store")?)),
    }
}

/// The authenticator the file and flags choose, checked.
pub fn auth_settings(file: &FileConfig, over: &Overrides) -> Result<AuthSettings, ConfigError> {
    match file.auth.unwrap_or_default() {
        AuthKind::PasswdFile => over
            .users
            .clone()
            .or(file.users.clone())
            .map(AuthSettings::PasswdFile)
            .ok_or_else(|| ConfigError::Invalid("`users` (the passwd-file) is required".into())),
        AuthKind::Postgres => Ok(AuthSettings::Postgres(database_url(file, over, "auth")?)),
    }
}

/// The database URL, required because `key` is `postgres`.
pub fn database_url(file: &FileConfig, over: &Overrides, key: &str) -> Result<String, ConfigError> {
    over.database_url
        .clone()
        .or(file.database_url.clone())
        .ok_or_else(|| ConfigError::Invalid(format!("`{key} = \"postgres\"` needs `database_url`")))
}

/// The trusted networks, required when a PROXY listener is set.
fn proxy_trusted(file: &FileConfig) -> Result<TrustedNetworks, ConfigError> {
    let networks = file
        .proxy_trusted
        .iter()
        .map(|text| {
            text.parse::<Network>()
                .map_err(|e| ConfigError::Invalid(format!("`proxy_trusted`: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let proxied = !(file.proxy_listen.is_empty() && file.proxy_tls_listen.is_empty());
    if proxied && networks.is_empty() {
        return Err(ConfigError::Invalid(
            "`proxy_listen` needs `proxy_trusted` (the proxies' networks, e.g. [\"127.0.0.1/32\"])"
                .into(),
        ));
    }
    if file.limits.proxy_header_timeout_secs == 0 {
        return Err(ConfigError::Invalid(
            "`proxy_header_timeout_secs` must be positive".into(),
        ));
    }
    Ok(TrustedNetworks::new(networks))
}

fn parse_mechanism(name: &str) -> Result<Mechanism, ConfigError> {
    let mechanism: Mechanism = name
        .parse()
        .map_err(|_| ConfigError::Invalid(format!("not a SASL mechanism name: {name}")))?;
    if SERVABLE.contains(&mechanism) {
        Ok(mechanism)
    } else {
        Err(ConfigError::Invalid(format!(
            "mechanism {name} is not supported with a users file (supported: SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FileConfig, ConfigError> {
        FileConfig::parse(text, Path::new("test.toml"))
    }

    const MINIMAL: &str = r#"
        listen = ["127.0.0.1:1110"]
        users = "/etc/pop3d/users"
        maildir = "/srv/mail/%u/Maildir"
    "#;

    #[test]
    fn minimal_file_gets_defaults() {
        let s = Settings::resolve(parse(MINIMAL).unwrap(), Overrides::default()).unwrap();
        assert_eq!(s.listen, vec!["127.0.0.1:1110".parse().unwrap()]);
        assert!(s.tls.is_none());
        assert!(!s.allow_cleartext);
        assert!(!s.apop);
        assert_eq!(s.limits, Limits::default());
        assert_eq!(s.mechanisms, None);
        assert_eq!(s.idle_timeout(), Duration::from_secs(600));
        assert_eq!(s.login_timeout(), Some(Duration::from_secs(600)));
    }

    #[test]
    fn login_timeout_is_set_or_turned_off() {
        let with = |secs: u64| {
            let text = format!("{MINIMAL}\n[limits]\nlogin_timeout_secs = {secs}\n");
            Settings::resolve(parse(&text).unwrap(), Overrides::default())
        };
        assert_eq!(
            with(120).unwrap().login_timeout(),
            Some(Duration::from_secs(120))
        );
        assert_eq!(with(0).unwrap().login_timeout(), None);
        assert!(with(u64::MAX / 2).is_err());
    }

    #[test]
    fn flags_override_the_file() {
        let over = Overrides {
            listen: vec!["[::1]:2110".parse().unwrap()],
            maildir: Some("/var/mail/%u".into()),
            allow_cleartext: true,
            log_format: Some(LogFormat::Json),
            ..Overrides::default()
        };
        let s = Settings::resolve(parse(MINIMAL).unwrap(), over).unwrap();
        assert_eq!(s.listen, vec!["[::1]:2110".parse().unwrap()]);
        assert_eq!(s.store, StoreSettings::Maildir("/var/mail/%u".into()));
        assert!(s.allow_cleartext);
        assert_eq!(s.log_format, LogFormat::Json);
    }

    #[test]
    fn flags_alone_are_enough() {
        let over = Overrides {
            listen: vec!["127.0.0.1:1110".parse().unwrap()],
            users: Some("users".into()),
            maildir: Some("mail/%u".into()),
            ..Overrides::default()
        };
        assert!(Settings::resolve(FileConfig::default(), over).is_ok());
    }

    #[test]
    fn login_delay_and_expire() {
        let resolve = |extra: &str| {
            Settings::resolve(
                parse(&format!("{MINIMAL}{extra}")).unwrap(),
                Overrides::default(),
            )
        };
        let s = resolve("").unwrap();
        assert_eq!((s.login_delay, s.expire), (None, None));
        let s = resolve("login_delay_secs = 900\nexpire = 30\n").unwrap();
        assert_eq!(
            (s.login_delay, s.expire),
            (Some(900), Some(Expire::Days(30)))
        );
        let s = resolve("expire = \"NEVER\"\n").unwrap();
        assert_eq!(s.expire, Some(Expire::Never));
        let s = resolve("expire = 0\n").unwrap();
        assert_eq!(s.expire, Some(Expire::Days(0)));
        let err = resolve("expire = \"soon\"\n").unwrap_err();
        assert!(err.to_string().contains("\"never\""), "{err}");
        let err = resolve("login_delay_secs = 0\n").unwrap_err();
        assert!(err.to_string().contains("login_delay_secs"), "{err}");
        assert!(parse("expire = -1\n").is_err());
        assert!(parse("login_delay_secs = \"15m\"\n").is_err());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_reported() {
        let err = parse("listen = [\"127.0.0.1:1110\"]\nlisten_tls = []\n").unwrap_err();
        assert!(err.to_string().contains("listen_tls"), "{err}");
        assert!(parse("[limits]\nmax_connection = 3\n").is_err());
        assert!(parse("listen = [\"not an address\"]\n").is_err());
    }

    #[test]
    fn inconsistent_settings_are_refused() {
        let cases = [
            (
                "users = \"u\"\nmaildir = \"m/%u\"\n",
                "nothing to listen on",
            ),
            (
                "tls_listen = [\"127.0.0.1:1995\"]\nusers = \"u\"\nmaildir = \"m/%u\"\n",
                "needs `cert`",
            ),
            (
                "listen = [\"127.0.0.1:1110\"]\nusers = \"u\"\nmaildir = \"m\"\n",
                "%u",
            ),
            (
                "listen = [\"127.0.0.1:1110\"]\nmaildir = \"m/%u\"\n",
                "`users`",
            ),
            (
                "listen = [\"127.0.0.1:1110\"]\nusers = \"u\"\nmaildir = \"m/%u\"\ncert = \"c\"\n",
                "together",
            ),
            (
                "listen = [\"127.0.0.1:1110\"]\nusers = \"u\"\nmaildir = \"m/%u\"\nmechanisms = [\"OAUTHBEARER\"]\n",
                "not supported",
            ),
            (
                "listen = [\"127.0.0.1:1110\"]\nusers = \"u\"\nmaildir = \"m/%u\"\n[limits]\nidle_timeout_secs = 9223372036854775807\n",
                "`idle_timeout_secs` is over a week",
            ),
            (
                "listen = [\"127.0.0.1:1110\"]\nusers = \"u\"\nmaildir = \"m/%u\"\n[limits]\nshutdown_grace_secs = 604801\n",
                "`shutdown_grace_secs` is over a week",
            ),
        ];
        for (text, expected) in cases {
            let err = Settings::resolve(parse(text).unwrap(), Overrides::default()).unwrap_err();
            assert!(err.to_string().contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn defaults_keep_maildir_and_passwd_file() {
        let s = Settings::resolve(parse(MINIMAL).unwrap(), Overrides::default()).unwrap();
        assert_eq!(
            s.store,
            StoreSettings::Maildir("/srv/mail/%u/Maildir".into())
        );
        assert_eq!(s.auth, AuthSettings::PasswdFile("/etc/pop3d/users".into()));
        assert!(s.proxy_listen.is_empty());
        assert_eq!(s.limits.proxy_header_timeout_secs, 10);
    }

    #[test]
    fn postgres_store_and_auth_need_only_the_url() {
        let text = r#"
            proxy_listen = ["127.0.0.1:2110"]
            proxy_trusted = ["127.0.0.1/32", "::1"]
            store = "postgres"
            auth = "postgres"
            database_url = "postgresql://pop3d@127.0.0.1/mail"
        "#;
        let s = Settings::resolve(parse(text).unwrap(), Overrides::default()).unwrap();
        let url = "postgresql://pop3d@127.0.0.1/mail".to_owned();
        assert_eq!(s.store, StoreSettings::Postgres(url.clone()));
        assert_eq!(s.auth, AuthSettings::Postgres(url));
        assert_eq!(s.proxy_listen, vec!["127.0.0.1:2110".parse().unwrap()]);
        assert!(s.proxy_trusted.trusts("127.0.0.1".parse().unwrap()));
        assert!(s.proxy_trusted.trusts("::1".parse().unwrap()));
        assert!(!s.proxy_trusted.trusts("127.0.0.2".parse().unwrap()));

        let over = Overrides {
            store: Some(StoreKind::Postgres),
            database_url: Some("host=db user=pop3d".into()),
            ..Overrides::default()
        };
        let s = Settings::resolve(parse(MINIMAL).unwrap(), over).unwrap();
        assert_eq!(
            s.store,
            StoreSettings::Postgres("host=db user=pop3d".into())
        );
    }

    #[test]
    fn postgres_and_proxy_mistakes_are_refused() {
        let cases = [
            (
                "listen = [\"127.0.0.1:1110\"]\nusers = \"u\"\nstore = \"postgres\"\n",
                "needs `database_url`",
            ),
            (
                "listen = [\"127.0.0.1:1110\"]\nmaildir = \"m/%u\"\nauth = \"postgres\"\n",
                "needs `database_url`",
            ),
            (
                "proxy_listen = [\"127.0.0.1:1110\"]\nusers = \"u\"\nmaildir = \"m/%u\"\n",
                "needs `proxy_trusted`",
            ),
            (
                "proxy_listen = [\"127.0.0.1:1110\"]\nproxy_trusted = [\"10.0.0.0/33\"]\nusers = \"u\"\nmaildir = \"m/%u\"\n",
                "proxy_trusted",
            ),
            (
                "proxy_tls_listen = [\"127.0.0.1:1995\"]\nproxy_trusted = [\"127.0.0.1\"]\nusers = \"u\"\nmaildir = \"m/%u\"\n",
                "needs `cert`",
            ),
        ];
        for (text, expected) in cases {
            let err = Settings::resolve(parse(text).unwrap(), Overrides::default()).unwrap_err();
            assert!(err.to_string().contains(expected), "{text}: {err}");
        }
        assert!(parse("store = \"mysql\"\n").is_err());
        assert!(parse("auth = \"ldap\"\n").is_err());
    }
}
