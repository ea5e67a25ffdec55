//! A server on loopback over any store, with the passwd-file users of
//! the suite.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use pop3_proto::server::ServerConfig;
use pop3_server_tokio::Services;
use pop3_server_tokio::auth::{Authenticator, PasswdFile};
use pop3_server_tokio::limits::{ConnectionLimits, LoginPenalty, RecentLogins};
use pop3_server_tokio::listener::{Endpoint, ProxyPolicy, StopPolicy};
use pop3_server_tokio::store::MaildropStore;
use tokio::net::TcpListener;

use crate::common::{Serving, USERS, spawn_serve};

#[derive(Clone)]
pub struct ServerOptions {
    pub autologout: Duration,
    pub max_per_ip: usize,
    /// Connections at once in all.
    pub max_total: usize,
    /// Serve PROXY-protocol connections from these networks.
    pub proxy_trusted: Option<Vec<&'static str>>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            autologout: Duration::from_secs(600),
            max_per_ip: 64,
            max_total: 64,
            proxy_trusted: None,
        }
    }
}

/// A running server; stops when dropped.
pub struct Served {
    pub addr: SocketAddr,
    serving: Serving,
}

pub fn passwd_users() -> PasswdFile {
    PasswdFile::parse(USERS, "suite users").unwrap()
}

impl Served {
    pub async fn start<A: Authenticator, S: MaildropStore>(
        auth: A,
        store: S,
        options: ServerOptions,
    ) -> Self {
        let services = Services {
            protocol: Arc::new(ServerConfig {
                apop: true,
                hostname: "pop3d.test".into(),
                autologout: options.autologout,
                ..ServerConfig::default()
            }),
            auth: Arc::new(auth),
            store: Arc::new(store),
            tls: None,
            penalty: LoginPenalty::new(Duration::ZERO, Duration::ZERO),
            recent_logins: RecentLogins::default(),
            allow_cleartext: false,
            handshake_timeout: Duration::from_secs(10),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let proxy = options.proxy_trusted.map(|nets| {
            Arc::new(ProxyPolicy {
                trusted: pop3_server_tokio::proxy::TrustedNetworks::new(
                    nets.iter().map(|n| n.parse().unwrap()).collect(),
                ),
                timeout: Duration::from_secs(5),
            })
        });
        let endpoints = vec![Endpoint {
            listener,
            implicit_tls: false,
            proxy,
        }];
        let limits = ConnectionLimits::new(options.max_total, options.max_per_ip);
        let policy = StopPolicy {
            grace: Duration::from_secs(2),
            drain: Duration::from_secs(2),
        };
        Self {
            addr,
            serving: spawn_serve(services, limits, endpoints, policy),
        }
    }
}
