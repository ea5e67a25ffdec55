use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::dispatch::PLAINTEXT_REFUSED;
use super::events::{Credentials, Event, LoginMethod, ScramLookup};
use super::session::{Phase, Server, TokenMechanism, Waiting};
use crate::encode;
use crate::parse;
use crate::sasl::scram::{ScramServer, ScramServerAwaitingFinal, ScramServerAwaitingSecrets};
use crate::sasl::{cram_md5, encode_base64, login, oauth, plain};
use crate::types::{AuthStart, Mechanism, ResponseCode, SaslResponse, Secret, Username};

/// An AUTH exchange in progress: what the next client line answers.
#[derive(Debug)]
pub(super) enum SaslExchange {
    /// `+ ` sent; the PLAIN message comes next.
    Plain,
    /// LOGIN's user-name prompt sent.
    LoginUsername,
    /// LOGIN's password prompt sent.
    LoginPassword(Username),
    /// The CRAM-MD5 challenge sent.
    CramMd5 { challenge: String },
    /// `+ ` sent; SCRAM's client-first message comes next.
    ScramClientFirst,
    /// Waiting for the application's SCRAM secrets.
    ScramLookup {
        state: Box<ScramServerAwaitingSecrets>,
        username: Username,
        authzid: Option<Username>,
    },
    /// server-first sent; client-final comes next.
    ScramClientFinal {
        state: Box<ScramServerAwaitingFinal>,
        username: Username,
        authzid: Option<Username>,
    },
    /// server-final (`v=`) sent; the client's empty acknowledgement next.
    ScramAck {
        username: Username,
        authzid: Option<Username>,
    },
    /// `+ ` sent; the bearer-token message comes next.
    Bearer(Mechanism),
    /// A bearer-token error sent as a challenge (RFC 7628 section 3.2.3);
    /// the client's dummy response comes next, then `-ERR`.
    BearerFailed,
}

impl Server {
    /// Starts `AUTH mechanism [initial-response]`.
    pub(super) fn start_sasl(&mut self, start: AuthStart) {
        let AuthStart {
            mechanism,
            initial_response,
        } = start;
        if !self.offered_mechanisms().contains(&mechanism) {
            let configured = self.config.mechanisms.contains(&mechanism);
            if configured && (mechanism.is_cleartext() || mechanism.is_bearer_token()) {
                self.reply_err(Some(ResponseCode::Auth), PLAINTEXT_REFUSED);
            } else {
                self.refuse("Unsupported authentication mechanism");
            }
            return;
        }
        let initial = initial_response.map(Secret::into_inner);
        let exchange = match (&mechanism, initial) {
            (Mechanism::CramMd5, Some(_)) => {
                self.refuse("CRAM-MD5 does not take an initial response");
                return;
            }
            (Mechanism::CramMd5, None) => {
                let challenge = self.cram_challenge();
                encode::continuation(challenge.as_bytes(), &mut self.out);
                SaslExchange::CramMd5 { challenge }
            }
            (Mechanism::Login, Some(name)) if !name.is_empty() => {
                self.set_sasl(SaslExchange::LoginUsername);
                return self.sasl_step(name);
            }
            (Mechanism::Login, _) => {
                encode::continuation(login::USERNAME_PROMPT, &mut self.out);
                SaslExchange::LoginUsername
            }
            (mechanism, initial) => {
                let exchange = match mechanism {
                    Mechanism::Plain => SaslExchange::Plain,
                    Mechanism::ScramSha256 => SaslExchange::ScramClientFirst,
                    other => SaslExchange::Bearer(other.clone()),
                };
                match initial {
                    Some(data) => {
                        self.set_sasl(exchange);
                        return self.sasl_step(data);
                    }
                    None => {
                        encode::continuation(b"", &mut self.out);
                        exchange
                    }
                }
            }
        };
        self.set_sasl(exchange);
    }

    fn set_sasl(&mut self, exchange: SaslExchange) {
        if let Phase::Authorization { sasl, .. } = &mut self.phase {
            *sasl = Some(exchange);
        }
    }

    fn take_sasl(&mut self) -> Option<SaslExchange> {
        match &mut self.phase {
            Phase::Authorization { sasl, .. } => sasl.take(),
            _ => None,
        }
    }

    /// Reads one client line of an exchange in progress.
    pub(super) fn sasl_line(&mut self, line: &[u8]) {
        if matches!(
            self.phase,
            Phase::Authorization {
                sasl: Some(SaslExchange::BearerFailed),
                ..
            }
        ) {
            // Whatever the dummy response says, the failure stands.
            self.abandon_sasl();
            return;
        }
        match parse::sasl_response(line) {
            Ok(SaslResponse::Cancel) => {
                if !self.abandon_sasl() {
                    self.reply_err(None, "Authentication cancelled");
                }
            }
            Ok(SaslResponse::Data(data)) => self.sasl_step(data.into_inner()),
            Err(error) => {
                if !self.abandon_sasl() {
                    self.bad_command(error);
                }
            }
        }
    }

    /// Ends any exchange in progress, as a client's `*` or a line that is
    /// no response does. When the application has already looked up a
    /// SCRAM user for it, the end is a failed login, so that a client
    /// cannot make the server look users up again and again without
    /// meeting the failed-login delay and limit. After a refused bearer
    /// token, the end is that failure's final `-ERR` (RFC 7628 3.2.3),
    /// and the close if it was one failure too many. Returns whether the
    /// end was answered here or by a login's rejection.
    pub(super) fn abandon_sasl(&mut self) -> bool {
        match self.take_sasl() {
            Some(SaslExchange::BearerFailed) => {
                self.reply_err(Some(ResponseCode::Auth), "Authentication failed");
                self.close_after_too_many_failures();
                true
            }
            Some(SaslExchange::ScramClientFinal {
                username, authzid, ..
            }) => {
                self.scram_failed(username, authzid);
                true
            }
            _ => false,
        }
    }

    /// Advances the exchange with one decoded client message.
    fn sasl_step(&mut self, data: Vec<u8>) {
        let Some(exchange) = self.take_sasl() else {
            return;
        };
        let method = |m| LoginMethod::Sasl(m);
        match exchange {
            SaslExchange::Plain => match plain::PlainCredentials::decode(&data) {
                Ok(c) => self.request_login(
                    c.authcid,
                    c.authzid,
                    method(Mechanism::Plain),
                    Credentials::Password(c.password),
                ),
                Err(e) => self.sasl_malformed(&e),
            },
            SaslExchange::LoginUsername => match login::decode_username(&data) {
                Ok(name) => {
                    encode::continuation(login::PASSWORD_PROMPT, &mut self.out);
                    self.set_sasl(SaslExchange::LoginPassword(name));
                }
                Err(e) => self.sasl_malformed(&e),
            },
            SaslExchange::LoginPassword(name) => match login::decode_password(&data) {
                Ok(password) => self.request_login(
                    name,
                    None,
                    method(Mechanism::Login),
                    Credentials::Password(password),
                ),
                Err(e) => self.sasl_malformed(&e),
            },
            SaslExchange::CramMd5 { challenge } => match cram_md5::CramResponse::decode(&data) {
                Ok(r) => self.request_login(
                    r.username,
                    None,
                    method(Mechanism::CramMd5),
                    Credentials::CramMd5 {
                        challenge,
                        digest: r.digest,
                    },
                ),
                Err(e) => self.sasl_malformed(&e),
            },
            SaslExchange::ScramClientFirst => {
                let suffix = self.scram_nonce_suffix();
                match ScramServer::start(&data, &suffix) {
                    Ok((state, info)) => {
                        let id = self.next_request_id();
                        self.waiting = Waiting::Scram { id };
                        let username = info.username;
                        let lookup = ScramLookup {
                            id,
                            username: username.clone(),
                        };
                        self.events.push_back(Event::ScramLookup(lookup));
                        self.set_sasl(SaslExchange::ScramLookup {
                            state: Box::new(state),
                            username,
                            authzid: info.authzid,
                        });
                    }
                    Err(e) => self.sasl_malformed(&e),
                }
            }
            SaslExchange::ScramClientFinal {
                state,
                username,
                authzid,
            } => match state.finish(&data) {
                Ok(server_final) => {
                    encode::continuation(&server_final, &mut self.out);
                    self.set_sasl(SaslExchange::ScramAck { username, authzid });
                }
                // A wrong proof, or a message that is not one, after the
                // user was looked up: a failed login either way.
                Err(_) => self.scram_failed(username, authzid),
            },
            SaslExchange::ScramAck { username, authzid } => {
                if data.is_empty() {
                    self.request_login(
                        username,
                        authzid,
                        method(Mechanism::ScramSha256),
                        Credentials::Verified,
                    );
                } else {
                    self.refuse("Expected an empty response");
                }
            }
            SaslExchange::Bearer(mechanism) => {
                let decoded = match mechanism {
                    Mechanism::XOAuth2 => {
                        oauth::XOAuth2Credentials::decode(&data).map(|c| (c.user, None, c.token))
                    }
                    _ => oauth::BearerCredentials::decode(&data).and_then(|c| {
                        let user = c.authzid.ok_or(crate::sasl::SaslError::Malformed(
                            "OAUTHBEARER needs a user name (a=)",
                        ))?;
                        Ok((user, None, c.token))
                    }),
                };
                match decoded {
                    Ok((user, authzid, token)) => self.request_login(
                        user,
                        authzid,
                        method(mechanism),
                        Credentials::BearerToken(token),
                    ),
                    Err(e) => self.sasl_malformed(&e),
                }
            }
            SaslExchange::ScramLookup { .. } | SaslExchange::BearerFailed => {}
        }
    }

    /// Fails a SCRAM exchange whose user was looked up, through the
    /// application like any failed login, so it is logged and throttled.
    fn scram_failed(&mut self, username: Username, authzid: Option<Username>) {
        self.request_login(
            username,
            authzid,
            LoginMethod::Sasl(Mechanism::ScramSha256),
            Credentials::ScramFailed,
        );
    }

    /// Ends an exchange whose client message could not be read. It counts
    /// as a bad command, like a malformed PASS line, so it cannot be
    /// repeated without end.
    fn sasl_malformed(&mut self, error: &crate::sasl::SaslError) {
        self.refuse(&format!("Authentication failed: {error}"));
    }

    /// Continues SCRAM once the application has looked the user up.
    pub(super) fn scram_continue(&mut self, secrets: Option<&crate::sasl::scram::ScramSecrets>) {
        let Some(SaslExchange::ScramLookup {
            state,
            username,
            authzid,
        }) = self.take_sasl()
        else {
            return;
        };
        let (state, server_first) = match secrets {
            Some(secrets) => state.server_first(secrets),
            None => state
                .server_first_unknown_user(&self.config.secret_seed, self.config.scram_iterations),
        };
        encode::continuation(&server_first, &mut self.out);
        self.set_sasl(SaslExchange::ScramClientFinal {
            state: Box::new(state),
            username,
            authzid,
        });
    }

    /// Sends the bearer-token error challenge after a refused token.
    pub(super) fn bearer_failed(&mut self, mechanism: TokenMechanism) {
        let challenge = match mechanism {
            TokenMechanism::OAuthBearer => {
                oauth::bearer_error_challenge("invalid_token", None, None)
            }
            TokenMechanism::XOAuth2 => oauth::xoauth2_error_challenge("401", None),
        };
        encode::continuation(&challenge, &mut self.out);
        self.set_sasl(SaslExchange::BearerFailed);
    }

    /// A fresh value derived from the connection's random bytes: the
    /// core has no randomness of its own.
    fn derive_unique(&mut self, label: &[u8]) -> [u8; 32] {
        let counter = self.next_request_id();
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.params.random)
            .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
        mac.update(label);
        mac.update(&counter.to_be_bytes());
        mac.finalize().into_bytes().into()
    }

    fn scram_nonce_suffix(&mut self) -> String {
        let unique = self.derive_unique(b"scram nonce");
        encode_base64(unique.get(..18).unwrap_or_default())
    }

    fn cram_challenge(&mut self) -> String {
        let unique = self.derive_unique(b"cram challenge");
        let digits: String = unique.iter().take(8).map(|b| format!("{b:02x}")).collect();
        cram_md5::challenge(&digits, &self.config.hostname)
    }
}
