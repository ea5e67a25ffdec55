//! Logging in: USER/PASS, APOP, SASL, and choosing among them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pop3_proto::client::{Reply, SaslCredentials};
use pop3_proto::{Capability, Mechanism, Secret, Text, Username};

use crate::client::Client;
use crate::error::{Error, Result};

/// A way of logging in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LoginMethod {
    /// `AUTH` with this SASL mechanism (RFC 5034).
    Sasl(Mechanism),
    /// `APOP` (RFC 1939 section 7): an MD5 digest of the greeting's
    /// timestamp and the password.
    Apop,
    /// `USER` and `PASS`: the password in clear.
    UserPass,
}

impl LoginMethod {
    /// Whether the password (or bearer token) itself crosses the wire, so
    /// it must only be used over TLS.
    pub fn sends_secret(&self) -> bool {
        match self {
            Self::Sasl(m) => m.is_cleartext() || m.is_bearer_token(),
            Self::Apop => false,
            Self::UserPass => true,
        }
    }
}

impl std::fmt::Display for LoginMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sasl(m) => write!(f, "AUTH {m}"),
            Self::Apop => f.write_str("APOP"),
            Self::UserPass => f.write_str("USER/PASS"),
        }
    }
}

/// What [`Client::login_best`] may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginPolicy {
    /// Allow the password (or token) in clear over an unencrypted
    /// connection. Off by default (RFC 8314): anyone on the path could
    /// read it.
    pub allow_cleartext_without_tls: bool,
    /// Allow APOP when the server offers it. MD5-based and weak
    /// (CVE-2007-1558), but it never shows the password to a listener.
    pub allow_apop: bool,
    /// Use only this method, e.g. from a URL's `;AUTH=`.
    pub only: Option<LoginMethod>,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            allow_cleartext_without_tls: false,
            allow_apop: true,
            only: None,
        }
    }
}

/// Strongest first. Bearer-token mechanisms are used only when asked
/// for by name: a password is not a token.
const PREFERENCE: [LoginMethod; 6] = [
    LoginMethod::Sasl(Mechanism::ScramSha256),
    LoginMethod::Sasl(Mechanism::CramMd5),
    LoginMethod::Apop,
    LoginMethod::Sasl(Mechanism::Plain),
    LoginMethod::Sasl(Mechanism::Login),
    LoginMethod::UserPass,
];

impl Client {
    /// `USER` and `PASS` (RFC 1939). The password goes in clear: use TLS.
    pub fn login(&mut self, user: &str, password: &[u8]) -> Result<Text> {
        let id = self.core.user_pass(username(user)?, password)?;
        self.logged_in(id)
    }

    /// `APOP` with the greeting's timestamp (RFC 1939 section 7).
    pub fn apop(&mut self, user: &str, secret: &[u8]) -> Result<Text> {
        let id = self.core.apop(username(user)?, secret)?;
        self.logged_in(id)
    }

    /// `AUTH` with `mechanism` (RFC 5034) for `user`. `secret` is the
    /// password, or for OAUTHBEARER and XOAUTH2 the access token.
    /// PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256, OAUTHBEARER and XOAUTH2 are
    /// spoken; SCRAM also checks that the server knows the password.
    pub fn auth(&mut self, mechanism: &Mechanism, user: &str, secret: &[u8]) -> Result<Text> {
        let credentials = self.credentials(mechanism, username(user)?, secret)?;
        self.authenticate(credentials)
    }

    /// `AUTH` with credentials built by the caller, e.g. PLAIN with an
    /// authorization identity.
    pub fn authenticate(&mut self, credentials: SaslCredentials) -> Result<Text> {
        let id = self.core.authenticate(credentials)?;
        self.logged_in(id)
    }

    /// Logs in with the strongest method the server offers that `policy`
    /// allows, and says which one it used. Asks CAPA first if no CAPA
    /// was read yet. The password never crosses an unencrypted connection
    /// unless the policy allows it: then [`Error::CleartextRefused`].
    pub fn login_best(
        &mut self,
        user: &str,
        password: &[u8],
        policy: LoginPolicy,
    ) -> Result<LoginMethod> {
        let method = self.choose(&policy)?;
        match &method {
            LoginMethod::Sasl(mechanism) => self.auth(mechanism, user, password)?,
            LoginMethod::Apop => self.apop(user, password)?,
            LoginMethod::UserPass => self.login(user, password)?,
        };
        Ok(method)
    }

    /// The method [`Client::login_best`] would use.
    pub fn choose(&mut self, policy: &LoginPolicy) -> Result<LoginMethod> {
        if self.core.capabilities().is_none() {
            match self.capa() {
                // RFC 1939 servers without CAPA still take USER/PASS.
                Ok(_) | Err(Error::Server(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let offered = self.offered();
        let cleartext_ok = self.is_tls() || policy.allow_cleartext_without_tls;
        let allowed = |m: &LoginMethod| {
            (cleartext_ok || !m.sends_secret()) && (policy.allow_apop || *m != LoginMethod::Apop)
        };
        if let Some(only) = &policy.only {
            if !allowed(only) {
                return Err(if only.sends_secret() {
                    Error::CleartextRefused
                } else {
                    Error::NoMechanism
                });
            }
            // A method named by the user is tried even if not listed:
            // some servers offer more than their CAPA says.
            return Ok(only.clone());
        }
        let mut refused_cleartext = false;
        for method in PREFERENCE {
            if !offered.contains(&method) {
                continue;
            }
            if allowed(&method) {
                return Ok(method);
            }
            refused_cleartext |= method.sends_secret();
        }
        Err(if refused_cleartext {
            Error::CleartextRefused
        } else {
            Error::NoMechanism
        })
    }

    /// The login methods the server says it takes now.
    fn offered(&self) -> Vec<LoginMethod> {
        let mut offered = Vec::new();
        match self.core.capabilities() {
            Some(caps) => {
                for cap in caps {
                    match cap {
                        Capability::Sasl(mechs) => {
                            offered.extend(mechs.iter().cloned().map(LoginMethod::Sasl));
                        }
                        Capability::User => offered.push(LoginMethod::UserPass),
                        _ => {}
                    }
                }
            }
            None => offered.push(LoginMethod::UserPass),
        }
        if self.greeting().apop_timestamp.is_some() {
            offered.push(LoginMethod::Apop);
        }
        offered
    }

    fn credentials(
        &self,
        mechanism: &Mechanism,
        user: Username,
        secret: &[u8],
    ) -> Result<SaslCredentials> {
        let password = Secret::new(secret.to_vec());
        let token = || {
            String::from_utf8(secret.to_vec())
                .map(Secret::new)
                .map_err(|_| Error::InvalidArgument("an access token must be ASCII".into()))
        };
        Ok(match mechanism {
            Mechanism::Plain => SaslCredentials::Plain {
                authzid: None,
                user,
                password,
            },
            Mechanism::Login => SaslCredentials::Login { user, password },
            Mechanism::CramMd5 => SaslCredentials::CramMd5 {
                user,
                secret: password,
            },
            Mechanism::ScramSha256 => SaslCredentials::ScramSha256 {
                user,
                password,
                client_nonce: nonce()?,
            },
            Mechanism::OAuthBearer => SaslCredentials::OAuthBearer {
                user,
                token: token()?,
                host: Some(self.host.clone()),
                port: Some(self.port),
            },
            Mechanism::XOAuth2 => SaslCredentials::XOAuth2 {
                user,
                token: token()?,
            },
            Mechanism::Other(name) => {
                return Err(Error::InvalidArgument(format!(
                    "SASL mechanism {name} is not supported"
                )));
            }
        })
    }

    fn logged_in(&mut self, id: pop3_proto::client::RequestId) -> Result<Text> {
        match self.reply(id)? {
            Reply::LoggedIn(text) => Ok(text),
            _ => Err(self.unexpected()),
        }
    }
}

/// A fresh SCRAM client nonce: 18 random octets in base64 (no `,`).
fn nonce() -> Result<String> {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    Ok(STANDARD.encode(bytes))
}

pub(crate) fn username(user: &str) -> Result<Username> {
    user.parse()
        .map_err(|e| Error::InvalidArgument(format!("user name {user:?}: {e}")))
}
