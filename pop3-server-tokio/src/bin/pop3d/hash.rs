//! `pop3d hash-password`: a users-file entry for a password.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use pop3_server_tokio::auth::{Scheme, hash_password};

use crate::cli::SchemeArg;

pub(crate) fn run(scheme: SchemeArg) -> ExitCode {
    let password = match read_password() {
        Ok(p) => p,
        Err(message) => {
            eprintln!("pop3d hash-password: {message}");
            return ExitCode::FAILURE;
        }
    };
    let scheme = match scheme {
        SchemeArg::Argon2id => Scheme::Argon2id,
        SchemeArg::Sha512Crypt => Scheme::Sha512Crypt,
        SchemeArg::BlfCrypt => Scheme::BlfCrypt,
        SchemeArg::ScramSha256 => Scheme::ScramSha256,
        SchemeArg::Plain => Scheme::Plain,
    };
    match hash_password(scheme, password.as_bytes()) {
        Ok(entry) => {
            println!("{entry}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pop3d hash-password: {e}");
            ExitCode::FAILURE
        }
    }
}

/// From the terminal without echo (asked twice), or the first line of
/// standard input when it is not a terminal.
fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords differ".into());
        }
        if first.is_empty() {
            return Err("empty password".into());
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        Err("no password on standard input".into())
    } else {
        Ok(password)
    }
}
