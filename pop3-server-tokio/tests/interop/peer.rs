//! Finding a real client and running it with a bound on its run time, so
//! a client that hangs fails the test instead of stalling it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long one client run may take before the test fails (a hang guard,
/// not a speed check: every run here takes well under a second).
pub const RUN_LIMIT: Duration = Duration::from_secs(60);

/// The executable `program` on `PATH`; fails the test, naming the Debian
/// package to install, when it is not there.
pub fn require(program: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(program);
        if is_executable(&candidate) {
            return candidate;
        }
    }
    panic!(
        "`{program}` is not installed: install the Debian package `{package}` \
         (apt-get install {package}, or run .ci/install-peers as root)"
    );
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Fails the test, naming the Debian package, unless `perl` can load
/// `module`.
pub fn require_perl_module(module: &str, package: &str) {
    let perl = require("perl", "perl");
    let status = Command::new(perl)
        .arg(format!("-M{module}"))
        .args(["-e", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "Perl module {module} is not installed: install the Debian package `{package}` \
         (apt-get install {package}, or run .ci/install-peers as root)"
    );
}

/// What a client run left behind.
pub struct Outcome {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Outcome {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Everything the client printed, for failure messages.
    pub fn transcript(&self) -> String {
        format!(
            "status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status,
            tail(&self.stdout_text()),
            tail(&self.stderr)
        )
    }

    /// Fails the test with the transcript unless the client exited 0.
    pub fn success(self, what: &str) -> Self {
        assert!(
            self.status.success(),
            "{what} failed: {}",
            self.transcript()
        );
        self
    }
}

/// The last part of a long text (a 1 MiB message in a debug transcript
/// would bury the failure).
fn tail(text: &str) -> &str {
    const KEEP: usize = 6000;
    if text.len() <= KEEP {
        return text;
    }
    let mut start = text.len() - KEEP;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// Runs `command` with its output in files under `scratch` (so a chatty
/// client never blocks on a full pipe) and no standard input; kills it
/// and fails the test if it runs longer than [`RUN_LIMIT`].
pub fn run(command: &mut Command, scratch: &Path) -> Outcome {
    std::fs::create_dir_all(scratch).unwrap();
    let out_path = scratch.join("client.stdout");
    let err_path = scratch.join("client.stderr");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{command:?} did not finish within {RUN_LIMIT:?}; stderr:\n{}",
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Outcome {
        status,
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err_path).unwrap()).into_owned(),
    }
}
