//! The command line.
//!
//! The doc comments are clap's help text, written for a terminal:
//! `[:port]` and `<size>` there are not links or HTML.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Fetch and manage mail on a POP3 server.
///
/// Accounts are POP URLs (RFC 2384): pop3s://alice@mail.example.org for
/// implicit TLS (port 995), pop3://alice;AUTH=CRAM-MD5@host:110 for a
/// plain port (upgraded with STLS). The password comes from
/// POP3_PASSWORD, --password-file, --password-command or a prompt, never
/// from the command line.
///
/// Exit status: 0 ok, 2 usage, 3 network, 4 TLS certificate or
/// handshake, 5 security refusal (STLS missing, cleartext), 6 login
/// refused or impossible, 7 temporary ([IN-USE], [LOGIN-DELAY], [SYS/TEMP]), 8 command
/// refused by the server, 9 server broke the protocol, 10 local failure
/// (Maildir, state, password source), 1 anything else.
#[derive(Debug, Parser)]
#[command(name = "pop3", version)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Cmd,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Cmd {
    /// Print the server's capabilities (before login).
    Capa(Account),
    /// List message numbers and sizes.
    List {
        #[command(flatten)]
        account: Account,
        /// Only this message.
        msg: Option<u32>,
    },
    /// List message numbers and unique ids.
    Uidl {
        #[command(flatten)]
        account: Account,
        /// Only this message.
        msg: Option<u32>,
    },
    /// Write a message to standard output, as the server sends it.
    Retr {
        #[command(flatten)]
        account: Account,
        /// The message number.
        msg: u32,
    },
    /// Write a message's headers and first LINES body lines to standard
    /// output.
    Top {
        #[command(flatten)]
        account: Account,
        /// The message number.
        msg: u32,
        /// Body lines to include.
        lines: u32,
    },
    /// Delete a message on the server.
    Dele {
        #[command(flatten)]
        account: Account,
        /// The message number.
        msg: u32,
    },
    /// Download every message not fetched before into a Maildir.
    Fetch(Fetch),
}

#[derive(Debug, Args)]
pub(crate) struct Fetch {
    #[command(flatten)]
    pub(crate) account: Account,
    /// The Maildir to deliver into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub(crate) maildir: PathBuf,
    /// Leave messages on the server (the default).
    #[arg(long, conflicts_with = "delete")]
    pub(crate) keep: bool,
    /// Delete messages on the server once their local copy is safely on
    /// disk (including ones fetched by earlier runs).
    #[arg(long)]
    pub(crate) delete: bool,
    /// Leave messages larger than SIZE on the server (octets, or with a
    /// K, M or G suffix: 50M). A message that turns out larger while it
    /// downloads, whatever its listed size, is dropped and left there too.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_size: Option<u64>,
}

/// `50M` and the like: octets, or KiB, MiB or GiB with a suffix.
fn parse_size(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text.char_indices().last() {
        Some((at, 'K' | 'k')) => (text.get(..at), 1 << 10),
        Some((at, 'M' | 'm')) => (text.get(..at), 1 << 20),
        Some((at, 'G' | 'g')) => (text.get(..at), 1 << 30),
        _ => (Some(text), 1),
    };
    digits
        .and_then(|digits| digits.parse::<u64>().ok())
        .and_then(|n| n.checked_mul(unit))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("not a size: {text:?} (e.g. 1048576, 512K, 50M, 2G)"))
}

/// How to reach and log in to the account.
#[derive(Debug, Args)]
pub(crate) struct Account {
    /// The account: pop3s://user@host[:port] or pop3://user[;AUTH=mech]@host[:port].
    pub(crate) url: String,
    /// TLS on a plain port (pop3://): `required` refuses servers that do
    /// not offer STLS, `opportunistic` uses it when offered, `never`
    /// stays in clear.
    #[arg(long, value_enum, default_value_t = StartTls::Required)]
    pub(crate) starttls: StartTls,
    /// Read the password from the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "password_command")]
    pub(crate) password_file: Option<PathBuf>,
    /// Run this shell command and use the first line it prints as the
    /// password.
    #[arg(long, value_name = "COMMAND")]
    pub(crate) password_command: Option<String>,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long, value_name = "FILE")]
    pub(crate) ca_file: Option<PathBuf>,
    /// Accept any TLS certificate. Anyone on the path can then read your
    /// password and mail. For testing only.
    #[arg(long)]
    pub(crate) danger_accept_invalid_certs: bool,
    /// Allow sending the password in clear over an unencrypted connection.
    #[arg(long)]
    pub(crate) allow_plaintext_password: bool,
    /// Seconds to wait for the server before giving up.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub(crate) timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StartTls {
    Required,
    Opportunistic,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_and_without_a_suffix() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("50m"), Ok(50 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        for bad in ["", "K", "0", "-1", "1.5M", "12T", "99999999999G", "M5"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
