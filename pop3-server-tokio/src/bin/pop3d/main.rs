//! `pop3d`: the POP3 daemon.

mod cli;
mod hash;
mod logging;
mod serve;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        Some(cli::Command::HashPassword { scheme }) => hash::run(scheme),
        None => serve::run(&cli.serve),
    }
}
