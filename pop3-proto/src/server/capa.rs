use super::session::Server;
use crate::types::{Capability, Mechanism};

impl Server {
    /// The SASL mechanisms offered now: configured, implemented here, and
    /// for those that expose a reusable secret, only where cleartext
    /// credentials are allowed.
    pub(super) fn offered_mechanisms(&self) -> Vec<Mechanism> {
        let mut offered: Vec<Mechanism> = Vec::new();
        for m in &self.config.mechanisms {
            let implemented = !matches!(m, Mechanism::Other(_));
            let exposes_secret = m.is_cleartext() || m.is_bearer_token();
            if implemented && (!exposes_secret || self.cleartext_allowed()) && !offered.contains(m)
            {
                offered.push(m.clone());
            }
        }
        offered
    }

    /// Whether USER/PASS is offered now.
    pub(super) fn user_pass_offered(&self) -> bool {
        self.config.user_pass && self.cleartext_allowed()
    }

    /// Whether STLS may be issued now.
    pub(super) fn stls_offered(&self) -> bool {
        self.params.tls == super::TlsMode::StlsAvailable && !self.tls_active
    }

    /// The CAPA listing (RFC 2449 section 5). What AUTHORIZATION offers is
    /// announced in both states, as section 5 requires; what changes with
    /// the connection is told as it is now (no STLS once on TLS; USER and
    /// the cleartext mechanisms only where they may be used).
    pub(super) fn capabilities(&self) -> Vec<Capability> {
        let mut caps = vec![
            Capability::Top,
            Capability::Uidl,
            Capability::RespCodes,
            Capability::AuthRespCode,
            Capability::Pipelining,
        ];
        if self.user_pass_offered() {
            caps.push(Capability::User);
        }
        let mechanisms = self.offered_mechanisms();
        if !mechanisms.is_empty() {
            caps.push(Capability::Sasl(mechanisms));
        }
        if self.stls_offered() {
            caps.push(Capability::Stls);
        }
        if self.config.utf8 {
            caps.push(Capability::Utf8 { user: true });
            caps.push(Capability::Lang);
        }
        if let Some(seconds) = self.config.login_delay {
            caps.push(Capability::LoginDelay {
                seconds,
                per_user: false,
            });
        }
        if let Some(policy) = self.config.expire {
            caps.push(Capability::Expire {
                policy,
                per_user: false,
            });
        }
        if let Some(name) = &self.config.implementation {
            caps.push(Capability::Implementation(name.clone()));
        }
        caps
    }
}
