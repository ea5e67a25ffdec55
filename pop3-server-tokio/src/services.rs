//! What every session of a server shares: policy, the authenticator, the
//! store, TLS and the limits.

use std::sync::Arc;
use std::time::Duration;

use pop3_proto::server::ServerConfig;

use crate::limits::{LoginPenalty, RecentLogins};
use crate::tls::TlsSource;

/// The shared parts a session driver needs, cheap to clone.
#[derive(Debug)]
pub struct Services<A, S> {
    /// Protocol policy for the core.
    pub protocol: Arc<ServerConfig>,
    /// Checks credentials.
    pub auth: Arc<A>,
    /// Opens maildrops.
    pub store: Arc<S>,
    /// Certificates for implicit TLS and STLS; `None` offers neither.
    pub tls: Option<Arc<TlsSource>>,
    /// Failed-login delays, per peer address.
    pub penalty: LoginPenalty,
    /// Last logins per maildrop, to enforce the LOGIN-DELAY that
    /// `protocol` advertises (none is enforced when it advertises none).
    pub recent_logins: RecentLogins,
    /// Whether cleartext credentials are accepted without TLS from peers
    /// that are not on loopback (RFC 8314 says no by default).
    pub allow_cleartext: bool,
    /// Longest a TLS handshake may take.
    pub handshake_timeout: Duration,
}

impl<A, S> Clone for Services<A, S> {
    fn clone(&self) -> Self {
        Self {
            protocol: Arc::clone(&self.protocol),
            auth: Arc::clone(&self.auth),
            store: Arc::clone(&self.store),
            tls: self.tls.clone(),
            penalty: self.penalty.clone(),
            recent_logins: self.recent_logins.clone(),
            allow_cleartext: self.allow_cleartext,
            handshake_timeout: self.handshake_timeout,
        }
    }
}
