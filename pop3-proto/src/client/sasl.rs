//! The client's side of AUTH exchanges (RFC 5034), one mechanism at a time.

use crate::sasl::oauth::{
    BearerCredentials, OAUTHBEARER_ERROR_ACK, XOAUTH2_ERROR_ACK, XOAuth2Credentials,
    is_valid_bearer_token,
};
use crate::sasl::plain::PlainCredentials;
use crate::sasl::scram::{
    ScramClient, ScramClientAwaitingServerFinal, ScramClientAwaitingServerFirst,
};
use crate::sasl::{SaslError, cram_md5, login};
use crate::types::{AuthStart, Mechanism, Secret, Username};

/// Credentials for [`super::Client::authenticate`], one variant per
/// mechanism the client speaks. Choose one the server offers (CAPA's
/// `SASL` line, or [`super::Client::auth_list`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaslCredentials {
    /// PLAIN (RFC 4616): the password in clear; use only over TLS.
    Plain {
        /// Who to act as, if not `user` itself.
        authzid: Option<Username>,
        /// Whose password this is.
        user: Username,
        /// 1 to [`crate::sasl::plain::MAX_PASSWORD_LEN`] octets, no NUL.
        password: Secret<Vec<u8>>,
    },
    /// LOGIN: user name and password in two answers; use only over TLS.
    Login {
        /// The user name.
        user: Username,
        /// 1 to [`crate::sasl::login::MAX_PASSWORD_LEN`] octets, no NUL.
        password: Secret<Vec<u8>>,
    },
    /// CRAM-MD5 (RFC 2195): an HMAC of the server's challenge.
    CramMd5 {
        /// The user name.
        user: Username,
        /// The shared secret.
        secret: Secret<Vec<u8>>,
    },
    /// SCRAM-SHA-256 (RFC 7677): both sides prove they know the password;
    /// a server that cannot is refused.
    ScramSha256 {
        /// The user name.
        user: Username,
        /// The password, used as the octets given (no SASLprep).
        password: Secret<Vec<u8>>,
        /// A fresh, unpredictable nonce: printable ASCII without `,`
        /// (the core has no randomness; 18 random bytes in base64 will do).
        client_nonce: String,
    },
    /// OAUTHBEARER (RFC 7628).
    OAuthBearer {
        /// The user to log in as (sent as the GS2 authzid).
        user: Username,
        /// The access token (RFC 6750 `b64token` syntax).
        token: Secret<String>,
        /// The host name connected to, if the server wants it.
        host: Option<String>,
        /// The port connected to, if the server wants it.
        port: Option<u16>,
    },
    /// XOAUTH2 (Google's and Microsoft's form of bearer-token login).
    XOAuth2 {
        /// The user to log in as.
        user: Username,
        /// The access token.
        token: Secret<String>,
    },
}

impl SaslCredentials {
    /// The mechanism these credentials are for.
    pub fn mechanism(&self) -> Mechanism {
        match self {
            Self::Plain { .. } => Mechanism::Plain,
            Self::Login { .. } => Mechanism::Login,
            Self::CramMd5 { .. } => Mechanism::CramMd5,
            Self::ScramSha256 { .. } => Mechanism::ScramSha256,
            Self::OAuthBearer { .. } => Mechanism::OAuthBearer,
            Self::XOAuth2 { .. } => Mechanism::XOAuth2,
        }
    }
}

/// The longest AUTH line, CRLF included, that may carry an initial
/// response (RFC 5034 section 4, after RFC 2449's command limit).
const MAX_AUTH_LINE: usize = 255;

/// Where a mechanism is after what has been sent so far.
#[derive(Debug)]
enum Mech {
    /// PLAIN: one message and done.
    Plain,
    /// LOGIN: `answered` prompts so far.
    Login {
        user: Username,
        password: Secret<Vec<u8>>,
        answered: u8,
    },
    /// CRAM-MD5.
    CramMd5 {
        user: Username,
        secret: Secret<Vec<u8>>,
        answered: bool,
    },
    ScramFirst(Box<ScramClientAwaitingServerFirst>),
    ScramFinal(Box<ScramClientAwaitingServerFinal>),
    /// The server's signature checked out.
    ScramVerified,
    /// A bearer token was sent; a challenge now is the error report,
    /// answered with `ack` once.
    Bearer {
        ack: &'static [u8],
        acked: bool,
    },
    /// Consumed by a failed step.
    Spent,
}

/// One AUTH exchange in progress.
#[derive(Debug)]
pub(super) struct SaslDriver {
    /// The client's first message when it did not go on the AUTH line:
    /// it answers the server's first (empty) challenge.
    unsent_first: Option<Secret<Vec<u8>>>,
    mech: Mech,
    /// Set once the client has sent `*`.
    aborted: Option<SaslError>,
}

/// What to send in answer to a challenge.
pub(super) enum Answer {
    /// This message, base64-encoded.
    Data(Secret<Vec<u8>>),
    /// `*`: give up; the reason is kept in the driver.
    Cancel,
}

impl SaslDriver {
    /// Checks the credentials and builds the AUTH command, with an initial
    /// response when `initial_response` allows one and it fits.
    pub(super) fn start(
        credentials: SaslCredentials,
        initial_response: bool,
    ) -> Result<(Self, AuthStart), SaslError> {
        let mechanism = credentials.mechanism();
        let (first, mech) = match credentials {
            SaslCredentials::Plain {
                authzid,
                user,
                password,
            } => {
                let plain = PlainCredentials::new(authzid, user, password.into_inner())?;
                (Some(plain.encode()), Mech::Plain)
            }
            SaslCredentials::Login { user, password } => {
                let password = login::decode_password(password.expose_secret())?;
                let mech = Mech::Login {
                    user,
                    password,
                    answered: 0,
                };
                (None, mech)
            }
            SaslCredentials::CramMd5 { user, secret } => {
                let mech = Mech::CramMd5 {
                    user,
                    secret,
                    answered: false,
                };
                (None, mech)
            }
            SaslCredentials::ScramSha256 {
                user,
                password,
                client_nonce,
            } => {
                let (state, first) =
                    ScramClient::start(&user, password.expose_secret(), &client_nonce)?;
                (Some(first), Mech::ScramFirst(Box::new(state)))
            }
            SaslCredentials::OAuthBearer {
                user,
                token,
                host,
                port,
            } => {
                check_token(&token)?;
                if host
                    .as_ref()
                    .is_some_and(|h| h.is_empty() || !h.bytes().all(|b| b.is_ascii_graphic()))
                {
                    return Err(SaslError::Malformed("bad OAUTHBEARER host"));
                }
                let message = BearerCredentials {
                    authzid: Some(user),
                    token,
                    host,
                    port,
                }
                .encode();
                let mech = Mech::Bearer {
                    ack: OAUTHBEARER_ERROR_ACK,
                    acked: false,
                };
                (Some(message), mech)
            }
            SaslCredentials::XOAuth2 { user, token } => {
                check_token(&token)?;
                let message = XOAuth2Credentials { user, token }.encode();
                let mech = Mech::Bearer {
                    ack: XOAUTH2_ERROR_ACK,
                    acked: false,
                };
                (Some(message), mech)
            }
        };
        let (unsent_first, initial_response) = match first {
            Some(first) if initial_response && fits_on_auth_line(&mechanism, first.len()) => {
                (None, Some(Secret::new(first)))
            }
            first => (first.map(Secret::new), None),
        };
        let driver = Self {
            unsent_first,
            mech,
            aborted: None,
        };
        let start = AuthStart {
            mechanism,
            initial_response,
        };
        Ok((driver, start))
    }

    /// Whether the client has cancelled the exchange, and why.
    pub(super) fn aborted(&self) -> Option<&SaslError> {
        self.aborted.as_ref()
    }

    /// Answers one decoded server challenge. A `Cancel` answer marks the
    /// exchange aborted.
    pub(super) fn challenge(&mut self, data: &[u8]) -> Answer {
        match self.step(data) {
            Ok(message) => Answer::Data(message),
            Err(error) => {
                self.aborted = Some(error);
                self.mech = Mech::Spent;
                Answer::Cancel
            }
        }
    }

    fn step(&mut self, data: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        if let Some(first) = self.unsent_first.take() {
            // The server's first challenge for these mechanisms is empty;
            // anything it says is ignored, as every client does.
            return Ok(first);
        }
        let unexpected = SaslError::Malformed("more challenges than the mechanism has");
        match std::mem::replace(&mut self.mech, Mech::Spent) {
            Mech::Login {
                user,
                password,
                answered,
            } => {
                // Prompts are answered by position, not by their wording.
                let answer = match answered {
                    0 => user.as_str().as_bytes().to_vec(),
                    1 => password.expose_secret().clone(),
                    _ => return Err(unexpected),
                };
                self.mech = Mech::Login {
                    user,
                    password,
                    answered: answered + 1,
                };
                Ok(Secret::new(answer))
            }
            Mech::CramMd5 {
                user,
                secret,
                answered: false,
            } => {
                let answer = cram_md5::respond(&user, secret.expose_secret(), data);
                self.mech = Mech::CramMd5 {
                    user,
                    secret,
                    answered: true,
                };
                Ok(Secret::new(answer))
            }
            Mech::ScramFirst(state) => {
                let (next, message) = state.handle_server_first(data)?;
                self.mech = Mech::ScramFinal(Box::new(next));
                Ok(Secret::new(message))
            }
            Mech::ScramFinal(state) => {
                state.verify_server_final(data)?;
                self.mech = Mech::ScramVerified;
                Ok(Secret::new(Vec::new()))
            }
            Mech::Bearer { ack, acked: false } => {
                // RFC 7628 section 3.2.3: the challenge is a JSON error
                // report; the client must answer it before the `-ERR`.
                self.mech = Mech::Bearer { ack, acked: true };
                Ok(Secret::new(ack.to_vec()))
            }
            Mech::Plain
            | Mech::CramMd5 { answered: true, .. }
            | Mech::ScramVerified
            | Mech::Bearer { acked: true, .. }
            | Mech::Spent => Err(unexpected),
        }
    }

    /// Whether a `+OK` may be believed: SCRAM's server must have proved
    /// it knows the password first.
    pub(super) fn check_success(&self) -> Result<(), SaslError> {
        if let Some(error) = &self.aborted {
            return Err(error.clone());
        }
        match self.mech {
            Mech::ScramFirst(_) | Mech::ScramFinal(_) => Err(SaslError::Malformed(
                "+OK before the SCRAM server signature",
            )),
            _ => Ok(()),
        }
    }
}

fn check_token(token: &Secret<String>) -> Result<(), SaslError> {
    if is_valid_bearer_token(token.expose_secret()) {
        Ok(())
    } else {
        Err(SaslError::InvalidToken)
    }
}

/// Whether `AUTH mechanism base64(message)` CRLF fits in 255 octets.
fn fits_on_auth_line(mechanism: &Mechanism, message_len: usize) -> bool {
    let encoded = if message_len == 0 {
        1 // `=`
    } else {
        message_len.div_ceil(3).saturating_mul(4)
    };
    let line = "AUTH ".len() + mechanism.as_str().len() + 1 + encoded + 2;
    line <= MAX_AUTH_LINE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_line_limit() {
        // "AUTH PLAIN " is 11 octets; 240 octets of base64 hold 180
        // octets of message: 11 + 240 + 2 = 253.
        assert!(fits_on_auth_line(&Mechanism::Plain, 180));
        assert!(!fits_on_auth_line(&Mechanism::Plain, 181));
        assert!(fits_on_auth_line(&Mechanism::Plain, 0));
    }
}
