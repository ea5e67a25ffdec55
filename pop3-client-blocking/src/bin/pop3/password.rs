//! Where the password comes from: never the command line, whose
//! arguments any local user can read.

use std::io::IsTerminal;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::exit::Failure;

/// The environment variable read for the password.
pub(crate) const ENV: &str = "POP3_PASSWORD";

/// The password from the first source given: `--password-file`,
/// `--password-command`, `POP3_PASSWORD`, else a prompt on the terminal.
pub(crate) fn obtain(
    file: Option<&Path>,
    command: Option<&str>,
    prompt: &str,
) -> Result<Vec<u8>, Failure> {
    if let Some(path) = file {
        let data = std::fs::read(path).map_err(|e| {
            Failure::local(format!("cannot read password file {}: {e}", path.display()))
        })?;
        return non_empty(first_line(&data), "the password file");
    }
    if let Some(command) = command {
        return run(command);
    }
    if let Some(value) = std::env::var_os(ENV) {
        return non_empty(value.into_encoded_bytes(), ENV);
    }
    if !std::io::stdin().is_terminal() && !std::io::stderr().is_terminal() {
        return Err(Failure::local(format!(
            "no password: set {ENV}, or use --password-file or --password-command"
        )));
    }
    let typed = rpassword::prompt_password(prompt)
        .map_err(|e| Failure::local(format!("cannot read the password from the terminal: {e}")))?;
    non_empty(typed.into_bytes(), "the prompt")
}

/// Runs `command` with the shell and takes the first line it prints.
fn run(command: &str) -> Result<Vec<u8>, Failure> {
    let output = Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Failure::local(format!("cannot run the password command: {e}")))?;
    if !output.status.success() {
        return Err(Failure::local(format!(
            "the password command failed ({})",
            output.status
        )));
    }
    non_empty(first_line(&output.stdout), "the password command")
}

/// Everything up to the first line ending.
fn first_line(data: &[u8]) -> Vec<u8> {
    let end = data
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(data.len());
    data.get(..end).unwrap_or_default().to_vec()
}

fn non_empty(password: Vec<u8>, source: &str) -> Result<Vec<u8>, Failure> {
    if password.is_empty() {
        Err(Failure::local(format!("empty password from {source}")))
    } else {
        Ok(password)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_takes_the_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "s3cret with space\r\nsecond line\n").unwrap();
        assert_eq!(obtain(Some(&path), None, "").unwrap(), b"s3cret with space");
        std::fs::write(&path, "\n").unwrap();
        assert!(obtain(Some(&path), None, "").is_err());
        assert!(obtain(Some(&dir.path().join("missing")), None, "").is_err());
    }

    #[test]
    fn command_output_and_failure() {
        assert_eq!(obtain(None, Some("printf 'pw\\nrest'"), "").unwrap(), b"pw");
        let failed = obtain(None, Some("exit 3"), "").unwrap_err();
        assert!(failed.message.contains("failed"));
    }
}
