use std::time::Duration;

use crate::types::{Expire, Mechanism, Text};

/// Policy shared by every connection of a server; cheap to share in an
/// `Arc`.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Text of the greeting line, before any APOP timestamp.
    pub greeting: Text,
    /// The host name used in CRAM-MD5 challenges.
    pub hostname: String,
    /// `IMPLEMENTATION` text in CAPA, if any.
    pub implementation: Option<Text>,
    /// Whether APOP is accepted (it needs a plaintext-equivalent secret
    /// and MD5 is weak, CVE-2007-1558: operators may turn it off).
    pub apop: bool,
    /// The SASL mechanisms offered, in order of preference. PLAIN, LOGIN
    /// and the bearer-token mechanisms are only offered where cleartext
    /// credentials are allowed; unsupported names are never offered.
    pub mechanisms: Vec<Mechanism>,
    /// Whether USER/PASS is offered (subject to the cleartext rule).
    pub user_pass: bool,
    /// Whether the UTF8 and LANG commands (RFC 6856) are offered.
    pub utf8: bool,
    /// LOGIN-DELAY seconds to advertise, if the operator enforces one.
    pub login_delay: Option<u32>,
    /// EXPIRE policy to advertise, if any.
    pub expire: Option<Expire>,
    /// Inactivity time after which the session is closed without
    /// entering UPDATE. RFC 1939 asks for at least 10 minutes.
    pub autologout: Duration,
    /// Time from connection to login after which a session still in
    /// AUTHORIZATION is closed, however many commands it sends: RFC 1939
    /// lets a client keep a connection with one command per autologout
    /// period, which would let unauthenticated peers hold connection
    /// places for ever. `None` turns it off. The default, 10 minutes, is
    /// RFC 1939's shortest autologout, so a silent client is never closed
    /// sooner than the RFC allows; below that, it can be. A session past
    /// both deadlines is closed as idle.
    pub login_timeout: Option<Duration>,
    /// Commands refused for syntax or state before the session is closed.
    pub max_bad_commands: u32,
    /// Failed logins before the session is closed.
    pub max_login_failures: u32,
    /// Longest command line accepted, CRLF included. RFC 2449 sets 255;
    /// a little more costs nothing and helps long passwords.
    pub max_command_line: usize,
    /// Longest AUTH line or SASL response line accepted, CRLF included;
    /// bearer tokens can run to several kilobytes.
    pub max_sasl_line: usize,
    /// A secret fixed for the server's lifetime, from which the fake SCRAM
    /// salt of an unknown user is derived, so that the same unknown name
    /// always gets the same salt and cannot be told from a real one. Fill
    /// it with random bytes at start-up; the default of zeros hides nothing.
    pub secret_seed: [u8; 32],
    /// Iteration count for the fake SCRAM secrets of unknown users: use the
    /// count real users have.
    pub scram_iterations: u32,
    /// Output octets the core buffers before it stops producing more
    /// until the adapter has taken them with `poll_transmit`.
    pub output_high_water: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            greeting: Text::truncated("POP3 server ready", 100),
            hostname: "localhost".into(),
            implementation: None,
            apop: false,
            mechanisms: vec![
                Mechanism::ScramSha256,
                Mechanism::CramMd5,
                Mechanism::Plain,
                Mechanism::Login,
            ],
            user_pass: true,
            utf8: true,
            login_delay: None,
            expire: None,
            autologout: Duration::from_secs(600),
            login_timeout: Some(Duration::from_secs(600)),
            max_bad_commands: 20,
            max_login_failures: 3,
            max_command_line: 1024,
            max_sasl_line: 16 * 1024,
            secret_seed: [0; 32],
            scram_iterations: 4096,
            output_high_water: 64 * 1024,
        }
    }
}

/// Whether and how this connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// TLS from the first byte (POP3S, port 995).
    Implicit,
    /// Plain text, with STLS offered to upgrade.
    StlsAvailable,
    /// Plain text and no TLS available.
    None,
}

/// What the adapter knows about one connection before it starts.
#[derive(Debug, Clone)]
pub struct ConnectionParams {
    /// The transport's TLS state.
    pub tls: TlsMode,
    /// Whether cleartext credentials (USER/PASS, PLAIN, LOGIN, bearer
    /// tokens) are allowed before TLS: true for loopback peers or when the
    /// operator allows it (RFC 8314 section 3). Always allowed on TLS.
    pub cleartext_without_tls: bool,
    /// The APOP timestamp for the greeting (`<unique@host>`), unique per
    /// connection; see [`crate::apop::timestamp`]. APOP is offered only
    /// when this is set and [`ServerConfig::apop`] is on.
    pub apop_timestamp: Option<String>,
    /// Fresh random bytes for this connection, from which SCRAM nonces
    /// and CRAM-MD5 challenges are derived (the core has no randomness).
    pub random: [u8; 32],
}
