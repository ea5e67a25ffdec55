//! `pop3`: fetch mail into a Maildir, or look at a POP3 maildrop.
//!
//! Exit statuses are listed in [`exit`].

mod cli;
mod exit;
mod fetch;
mod maildir;
mod password;
mod session;
mod state;
mod url;

use std::io::{self, Write};
use std::process::ExitCode;

use bytes::BytesMut;
use clap::Parser;
use pop3_client_blocking::Error;

use crate::cli::{Cli, Cmd};
use crate::exit::Failure;
use crate::session::Session;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("pop3: {failure}");
            failure.exit_code()
        }
    }
}

fn run(command: &Cmd) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match command {
        Cmd::Capa(account) => {
            let mut session = Session::connect(account)?;
            let caps = session.client.capa().map_err(Failure::pop)?;
            let mut line = BytesMut::new();
            for cap in &caps {
                pop3_proto::encode::capability_line(cap, &mut line);
            }
            output(&mut out, &line)?;
            session.client.quit().map_err(Failure::pop)
        }
        Cmd::List { account, msg } => {
            let mut session = Session::open(account)?;
            let lines: Vec<String> = match msg {
                Some(n) => vec![
                    session
                        .client
                        .list_one(*n)
                        .map(scan)
                        .map_err(Failure::pop)?,
                ],
                None => session
                    .client
                    .list()
                    .map_err(Failure::pop)?
                    .iter()
                    .map(|e| scan(*e))
                    .collect(),
            };
            output(&mut out, lines.concat().as_bytes())?;
            session.client.quit().map_err(Failure::pop)
        }
        Cmd::Uidl { account, msg } => {
            let mut session = Session::open(account)?;
            let lines: Vec<String> = match msg {
                Some(n) => vec![
                    session
                        .client
                        .uidl_one(*n)
                        .map(|e| uid(&e))
                        .map_err(Failure::pop)?,
                ],
                None => session
                    .client
                    .uidl()
                    .map_err(Failure::pop)?
                    .iter()
                    .map(uid)
                    .collect(),
            };
            output(&mut out, lines.concat().as_bytes())?;
            session.client.quit().map_err(Failure::pop)
        }
        Cmd::Retr { account, msg } => {
            let mut session = Session::open(account)?;
            session.client.retr(*msg, &mut out).map_err(Failure::pop)?;
            session.client.quit().map_err(Failure::pop)
        }
        Cmd::Top {
            account,
            msg,
            lines,
        } => {
            let mut session = Session::open(account)?;
            session
                .client
                .top(*msg, *lines, &mut out)
                .map_err(Failure::pop)?;
            session.client.quit().map_err(Failure::pop)
        }
        Cmd::Dele { account, msg } => {
            let mut session = Session::open(account)?;
            session.client.dele(*msg).map_err(Failure::pop)?;
            session.client.quit().map_err(|e| match e {
                Error::Server(_) => Failure::pop(e),
                other => {
                    let mut f = Failure::pop(other);
                    f.message = format!("{}; the message was not deleted", f.message);
                    f
                }
            })
        }
        Cmd::Fetch(args) => {
            let s = fetch::run(args)?;
            let mut line = format!(
                "fetched {} message(s), {} octets; {} already seen",
                s.fetched, s.octets, s.already_seen
            );
            if args.delete {
                line.push_str(&format!("; {} deleted on the server", s.deleted));
            }
            if s.refused > 0 {
                line.push_str(&format!("; {} refused by the server", s.refused));
            }
            if s.oversized > 0 {
                line.push_str(&format!(
                    "; {} over --max-size, left on the server",
                    s.oversized
                ));
            }
            line.push('\n');
            output(&mut out, line.as_bytes())
        }
    }
}

fn scan(entry: pop3_client_blocking::ScanListing) -> String {
    format!("{} {}\n", entry.number, entry.size)
}

fn uid(entry: &pop3_client_blocking::UidListing) -> String {
    format!("{} {}\n", entry.number, entry.uid)
}

fn output(out: &mut impl Write, data: &[u8]) -> Result<(), Failure> {
    out.write_all(data)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::local(format!("cannot write output: {e}")))
}
