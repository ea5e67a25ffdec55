//! Command-line interface of `pop3d`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use pop3_server_tokio::config::{LogFormat, Overrides, StoreKind};

/// A POP3 server on Maildir, with TLS, SASL and limits.
#[derive(Debug, Parser)]
#[command(name = "pop3d", version, args_conflicts_with_subcommands = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    #[command(flatten)]
    pub(crate) serve: ServeArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Configuration file (TOML; see docs/operations.md).
    #[arg(long, value_name = "FILE", conflicts_with = "demo")]
    pub(crate) config: Option<PathBuf>,
    /// Serve a demo: creates a data directory with a user, a Maildir and a
    /// self-signed certificate, on 127.0.0.1:1110 (STLS) and :1995 (POP3S).
    #[arg(long)]
    pub(crate) demo: bool,
    /// Where --demo keeps its data.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "pop3d-demo",
        requires = "demo"
    )]
    pub(crate) demo_dir: PathBuf,
    /// Plain POP3 listener (STLS offered when a certificate is set).
    /// Repeatable; replaces the file's `listen`.
    #[arg(long, value_name = "ADDR")]
    pub(crate) listen: Vec<SocketAddr>,
    /// POP3S (implicit TLS) listener. Repeatable; replaces `tls_listen`.
    #[arg(long, value_name = "ADDR")]
    pub(crate) tls_listen: Vec<SocketAddr>,
    /// PEM certificate chain.
    #[arg(long, value_name = "PEM")]
    pub(crate) cert: Option<PathBuf>,
    /// PEM private key.
    #[arg(long, value_name = "PEM")]
    pub(crate) key: Option<PathBuf>,
    /// Users file (Dovecot passwd-file format).
    #[arg(long, value_name = "FILE")]
    pub(crate) users: Option<PathBuf>,
    /// Maildir path template, `%u` standing for the user name.
    #[arg(long, value_name = "TEMPLATE")]
    pub(crate) maildir: Option<String>,
    /// Allow USER/PASS, PLAIN and LOGIN without TLS from non-loopback peers.
    #[arg(long)]
    pub(crate) allow_cleartext: bool,
    /// Log line format.
    #[arg(long, value_enum)]
    pub(crate) log_format: Option<LogFormat>,
    /// Where maildrops are kept; replaces the file's `store`.
    #[arg(long, value_enum)]
    pub(crate) store: Option<StoreKind>,
    /// PostgreSQL URL; replaces the file's `database_url`.
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// Check the configuration, certificates and users file, then exit.
    #[arg(long)]
    pub(crate) check_config: bool,
}

impl ServeArgs {
    pub(crate) fn overrides(&self) -> Overrides {
        Overrides {
            listen: self.listen.clone(),
            tls_listen: self.tls_listen.clone(),
            cert: self.cert.clone(),
            key: self.key.clone(),
            users: self.users.clone(),
            maildir: self.maildir.clone(),
            allow_cleartext: self.allow_cleartext,
            log_format: self.log_format,
            store: self.store,
            database_url: self.database_url.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print a users-file password entry for a password read from the
    /// terminal (without echo) or from standard input.
    HashPassword {
        /// The password scheme.
        #[arg(long, value_enum, default_value = "argon2id")]
        scheme: SchemeArg,
    },
    /// Create or update the PostgreSQL schema (`database_url`).
    Migrate(StoreArgs),
    /// Store one message, read from standard input, in a user's maildrop
    /// (either store). Usable as Postfix's `mailbox_command`; exits 75
    /// (try again later) on temporary failures.
    Deliver {
        /// The maildrop's owner.
        #[arg(long)]
        user: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Copy users' Maildirs into PostgreSQL, keeping each message's
    /// unique-id so clients do not fetch everything again. Can be run
    /// again: messages already imported are skipped.
    ImportMaildir {
        /// A user to import (repeatable).
        #[arg(long = "user", required = true)]
        users: Vec<String>,
        /// Remove the imported messages from the Maildir afterwards.
        #[arg(long)]
        remove: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Where the subcommands find the store: the configuration file, with
/// flags that replace its keys.
#[derive(Debug, clap::Args)]
pub(crate) struct StoreArgs {
    /// Configuration file (TOML).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Maildir path template, `%u` standing for the user name.
    #[arg(long, value_name = "TEMPLATE")]
    pub(crate) maildir: Option<String>,
    /// Where maildrops are kept.
    #[arg(long, value_enum)]
    pub(crate) store: Option<StoreKind>,
    /// PostgreSQL URL.
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
}

impl StoreArgs {
    /// The file (if any) and the flags as overrides.
    pub(crate) fn load(
        &self,
    ) -> Result<(pop3_server_tokio::config::FileConfig, Overrides), String> {
        let file = match &self.config {
            Some(path) => {
                pop3_server_tokio::config::FileConfig::load(path).map_err(|e| e.to_string())?
            }
            None => pop3_server_tokio::config::FileConfig::default(),
        };
        let over = Overrides {
            maildir: self.maildir.clone(),
            store: self.store,
            database_url: self.database_url.clone(),
            ..Overrides::default()
        };
        Ok((file, over))
    }
}

/// Schemes `hash-password` can produce.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum SchemeArg {
    /// Argon2id (recommended): USER/PASS, PLAIN, LOGIN.
    Argon2id,
    /// SHA-512 crypt: USER/PASS, PLAIN, LOGIN.
    Sha512Crypt,
    /// bcrypt: USER/PASS, PLAIN, LOGIN.
    BlfCrypt,
    /// SCRAM-SHA-256 verifier: also allows AUTH SCRAM-SHA-256.
    ScramSha256,
    /// Plaintext: allows every method (APOP, CRAM-MD5 too) but the file
    /// then holds the password itself.
    Plain,
}
