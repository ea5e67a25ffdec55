//! One POP3 session over a socket: the loop that moves bytes between the
//! connection and the `pop3-proto` core and answers the core's events.

mod driver;
mod events;
mod params;

use std::net::SocketAddr;
use std::time::Duration;

use pop3_proto::server::{CloseReason, SessionStats};

pub use driver::run_session;

/// Why a session ended, for the log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndReason {
    /// The core closed it (QUIT, autologout, too many bad commands or
    /// failed logins, a storage error mid-message).
    Protocol(CloseReason),
    /// The peer closed the connection without QUIT.
    PeerClosed,
    /// The peer stopped reading for longer than the idle timeout.
    WriteTimeout,
    /// Reading or writing the socket failed.
    Io(String),
    /// The TLS handshake failed or took too long.
    Handshake(String),
    /// The server is shutting down.
    Shutdown,
    /// The first bytes on a plain-text connection were a TLS handshake: a
    /// client set up for POP3S (port 995) talking to a POP3 port. Closed
    /// at once rather than left to wait for a line that never comes.
    TlsOnPlainPort,
}

impl EndReason {
    /// A short stable word for logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Protocol(CloseReason::Quit) => "quit",
            Self::Protocol(CloseReason::Timeout) => "idle-timeout",
            Self::Protocol(CloseReason::LoginTimeout) => "login-timeout",
            Self::Protocol(CloseReason::TooManyBadCommands) => "too-many-bad-commands",
            Self::Protocol(CloseReason::TooManyLoginFailures) => "too-many-login-failures",
            Self::Protocol(CloseReason::StorageError) => "storage-error",
            Self::PeerClosed => "peer-closed",
            Self::WriteTimeout => "write-timeout",
            Self::Io(_) => "io-error",
            Self::Handshake(_) => "tls-handshake-failed",
            Self::Shutdown => "shutdown",
            Self::TlsOnPlainPort => "tls-on-plain-port",
        }
    }
}

/// What the session-end log line reports.
#[derive(Debug, Clone)]
pub struct SessionEnd {
    /// The peer.
    pub peer: SocketAddr,
    /// The user that logged in, if any.
    pub user: Option<String>,
    /// Whether the connection ended encrypted.
    pub tls: bool,
    /// The core's counters.
    pub stats: SessionStats,
    /// How long the connection lasted.
    pub duration: Duration,
    /// Why it ended.
    pub reason: EndReason,
}

impl SessionEnd {
    /// Writes the one log line per session.
    pub fn log(&self) {
        let detail = match &self.reason {
            EndReason::Io(e) | EndReason::Handshake(e) => e.as_str(),
            _ => "",
        };
        tracing::info!(
            peer = %self.peer,
            user = self.user.as_deref().unwrap_or("-"),
            tls = self.tls,
            retrieved = self.stats.retrieved_messages,
            octets = self.stats.retrieved_octets,
            deleted = self.stats.deleted_messages,
            bad_commands = self.stats.bad_commands,
            failed_logins = self.stats.failed_logins,
            duration_ms = u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX),
            reason = self.reason.as_str(),
            detail,
            "session ended"
        );
        if self.stats.size_mismatches > 0 {
            tracing::warn!(
                peer = %self.peer,
                mismatches = self.stats.size_mismatches,
                "messages sent with a size other than the one listed"
            );
        }
    }
}
