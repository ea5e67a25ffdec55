//! `pop3d`: the POP3 daemon.

mod cli;
mod database;
mod deliver;
mod hash;
mod import;
mod logging;
mod maildir_delivery;
mod nofile;
mod serve;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        Some(cli::Command::HashPassword { scheme }) => hash::run(scheme),
        Some(cli::Command::Migrate(store)) => database::migrate(&store),
        Some(cli::Command::Deliver { user, store }) => deliver::run(&user, &store),
        Some(cli::Command::ImportMaildir {
            users,
            remove,
            store,
        }) => import::run(&users, remove, &store),
        None => serve::run(&cli.serve),
    }
}
