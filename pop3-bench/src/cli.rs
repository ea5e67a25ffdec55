//! Command-line interface of `pop3-bench`.
//!
//! The doc comments are clap's help text, written for a terminal:
//! `<size>` and `<user>` there are not HTML.
#![allow(rustdoc::invalid_html_tags)]

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Load generator for POP3 servers, and the tools around a side-by-side
/// run (test mail, certificates, report, plot).
#[derive(Debug, Parser)]
#[command(name = "pop3-bench", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one scenario against a server and print (and append) results.
    Run(RunArgs),
    /// Measure the raw loopback TCP throughput of this machine.
    Loopback(LoopbackArgs),
    /// Write the test Maildirs and a passwd-file.
    Populate(PopulateArgs),
    /// Write a private CA and a server certificate for 127.0.0.1.
    Certs {
        /// Directory for ca.pem, cert.pem and key.pem.
        #[arg(long)]
        dir: PathBuf,
    },
    /// Print a table from a results file: the side-by-side table and the
    /// targets (`compare.sh`), or the fleet table (`scaling.sh`).
    Report {
        /// The results file.
        #[arg(long)]
        results: PathBuf,
        /// Which table.
        #[arg(long, value_enum, default_value = "compare")]
        layout: Layout,
    },
    /// Draw messages/s against concurrency as a PNG.
    Plot {
        /// The results file.
        #[arg(long)]
        results: PathBuf,
        /// The PNG to write.
        #[arg(long)]
        out: PathBuf,
        /// Shown in the title, e.g. which mode produced the run.
        #[arg(long, default_value = "")]
        subtitle: String,
    },
}

/// The tables `report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Layout {
    /// pop3d beside Dovecot's two modes, and the targets.
    Compare,
    /// One block a setup (any labels), repeated runs shown as ranges, with
    /// the CPU of each named server process.
    Scaling,
}

/// The scenarios of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// Login, STAT, QUIT, over and over.
    Sessions,
    /// Login, STAT, RETR every message, QUIT, on the small-mail users.
    Small,
    /// The same on the large-mail users.
    Large,
    /// The same over implicit TLS.
    LargeTls,
    /// Hold many logged-in connections and read the server's memory.
    Idle,
    /// Login, STAT, UIDL on one big maildrop, twice.
    Bigbox,
}

impl Scenario {
    /// The name used in results files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sessions => "sessions",
            Self::Small => "small",
            Self::Large => "large",
            Self::LargeTls => "large-tls",
            Self::Idle => "idle",
            Self::Bigbox => "bigbox",
        }
    }
}

/// `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Label of the server in the results (pop3d, dovecot, dovecot-perf).
    #[arg(long)]
    pub server: String,
    /// The scenario.
    #[arg(long, value_enum)]
    pub scenario: Scenario,
    /// Address of the server (the POP3S port for large-tls).
    #[arg(long)]
    pub addr: SocketAddr,
    /// CA certificate to trust, for large-tls.
    #[arg(long)]
    pub ca: Option<PathBuf>,
    /// Sessions at once (timed scenarios).
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// Seconds of load (timed scenarios).
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
    /// User names are this prefix and a number; the default is the
    /// scenario's group from `populate` (i, s, l, big<size>-).
    #[arg(long)]
    pub user_prefix: Option<String>,
    /// Users available with that prefix (default: the concurrency, or
    /// the connections for idle).
    #[arg(long)]
    pub users: Option<usize>,
    /// Every user's password.
    #[arg(long, default_value = "bench")]
    pub password: String,
    /// Pid of a server's root process; its whole tree is measured, and
    /// all trees given are summed as the server's CPU. `NAME=PID` also
    /// reports that tree's CPU on its own (trees of one name summed).
    /// Repeatable.
    #[arg(long = "server-pid")]
    pub server_pids: Vec<ServerPid>,
    /// Append results to this file.
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// Generator threads (1: a single-threaded runtime).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Connections to hold (idle).
    #[arg(long, default_value_t = 10_000)]
    pub connections: usize,
    /// Connections opened at once while ramping up (idle).
    #[arg(long, default_value_t = 64)]
    pub parallel: usize,
    /// Seconds to wait with all connections held before reading memory.
    #[arg(long, default_value_t = 2.0)]
    pub settle: f64,
    /// Messages in the big maildrop (bigbox): picks user big<size>-0.
    #[arg(long, default_value_t = 1000)]
    pub size: u64,
    /// Sessions after the first on the big maildrop; the median is
    /// reported as the second session's time (bigbox).
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
}

impl RunArgs {
    /// The pids of every server tree, named or not.
    pub fn pids(&self) -> Vec<u32> {
        self.server_pids.iter().map(|p| p.pid).collect()
    }
}

/// One `--server-pid`: a process tree, with the name its CPU is reported
/// under, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerPid {
    /// Letters, digits, `-` and `_`: it becomes part of a metric name.
    pub name: Option<String>,
    /// The tree's root.
    pub pid: u32,
}

impl std::str::FromStr for ServerPid {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (name, pid) = match text.split_once('=') {
            Some((name, pid)) => (Some(name), pid),
            None => (None, text),
        };
        let pid = pid
            .parse()
            .map_err(|_| format!("{pid:?} is not a process id"))?;
        if let Some(name) = name {
            let usable = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !usable {
                return Err(format!("{name:?}: a name is letters, digits, '-' and '_'"));
            }
        }
        Ok(Self {
            name: name.map(str::to_owned),
            pid,
        })
    }
}

/// `loopback`.
#[derive(Debug, Args)]
pub struct LoopbackArgs {
    /// Seconds to copy for.
    #[arg(long, default_value_t = 3.0)]
    pub seconds: f64,
    /// Octets per write.
    #[arg(long, default_value_t = 65536)]
    pub chunk: usize,
    /// Append results to this file.
    #[arg(long)]
    pub results: Option<PathBuf>,
}

/// `populate`.
#[derive(Debug, Args)]
pub struct PopulateArgs {
    /// Root of the tree: mail/<user>/Maildir and passwd go here.
    #[arg(long)]
    pub dir: PathBuf,
    /// Owner of the mail files (the servers' mail uid).
    #[arg(long)]
    pub uid: u32,
    /// Group of the mail files.
    #[arg(long)]
    pub gid: u32,
    /// Every user's password.
    #[arg(long, default_value = "bench")]
    pub password: String,
    /// Small-mail users (s0...), one per concurrent session.
    #[arg(long, default_value_t = 64)]
    pub small_users: usize,
    /// Messages per small-mail maildrop.
    #[arg(long, default_value_t = 100)]
    pub small_messages: usize,
    /// Octets per small message.
    #[arg(long, default_value_t = 4096)]
    pub small_size: usize,
    /// Large-mail users (l0...).
    #[arg(long, default_value_t = 64)]
    pub large_users: usize,
    /// Messages per large-mail maildrop.
    #[arg(long, default_value_t = 10)]
    pub large_messages: usize,
    /// Octets per large message.
    #[arg(long, default_value_t = 1 << 20)]
    pub large_size: usize,
    /// Users for the session and idle scenarios (i0...).
    #[arg(long, default_value_t = 10_000)]
    pub idle_users: usize,
    /// Messages in each of their maildrops.
    #[arg(long, default_value_t = 10)]
    pub idle_messages: usize,
    /// Big maildrop sizes, one user each (big<size>-0).
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
    pub big: Vec<usize>,
    /// Octets per message in the big maildrops.
    #[arg(long, default_value_t = 4096)]
    pub big_size: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_pids_are_bare_or_named() {
        assert_eq!(
            "42".parse(),
            Ok(ServerPid {
                name: None,
                pid: 42
            })
        );
        assert_eq!(
            "pg_main-2=7".parse(),
            Ok(ServerPid {
                name: Some("pg_main-2".into()),
                pid: 7
            })
        );
        for bad in ["", "x", "=7", "a b=7", "a\tb=7", "pop3d=", "pop3d=-1"] {
            assert!(bad.parse::<ServerPid>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_command_line_takes_several_server_pids() {
        let cli = Cli::try_parse_from([
            "pop3-bench",
            "run",
            "--server",
            "haproxy-2",
            "--scenario",
            "small",
            "--addr",
            "127.0.0.1:1110",
            "--server-pid",
            "pop3d=10",
            "--server-pid",
            "pop3d=11",
            "--server-pid",
            "12",
        ])
        .unwrap();
        let Command::Run(args) = cli.command else {
            panic!("not run: {:?}", cli.command);
        };
        assert_eq!(args.pids(), vec![10, 11, 12]);
        assert_eq!(args.server_pids[1].name.as_deref(), Some("pop3d"));
    }
}
