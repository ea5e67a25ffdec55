//! The server side of a SCRAM-SHA-256 exchange.

use subtle::{Choice, ConstantTimeEq};

use super::messages::{as_text, check_extensions, decode_key, is_valid_nonce, take, take_first};
use super::secrets::{ScramSecrets, sign, xor};
use crate::sasl::mac::{hmac_sha256, sha256};
use crate::sasl::{SaslError, encode_base64, gs2, saslname};
use crate::types::{Secret, Username};

/// Entry point for the server side; see [`ScramServer::start`].
#[derive(Debug, Clone, Copy)]
pub struct ScramServer;

/// Who the client says it is, from the client-first message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramClientFirstInfo {
    /// The user whose secrets the server must look up.
    pub username: Username,
    /// The identity the client wants to act as, if it named one.
    pub authzid: Option<Username>,
}

/// Waiting for the caller to look up the user's secrets.
#[derive(Debug, Clone)]
pub struct ScramServerAwaitingSecrets {
    gs2_header: String,
    client_first_bare: String,
    nonce: String,
    username: Username,
}

/// Waiting for the client-final message.
#[derive(Debug, Clone)]
pub struct ScramServerAwaitingFinal {
    channel_binding: String,
    nonce: String,
    client_first_bare: String,
    server_first: String,
    stored_key: Secret<[u8; 32]>,
    server_key: Secret<[u8; 32]>,
    known_user: bool,
}

impl ScramServer {
    /// Reads the client-first message (the initial response) and fixes the
    /// nonce as the client's nonce followed by `server_nonce_suffix`.
    ///
    /// The suffix must be fresh for every exchange, unpredictable, and
    /// printable ASCII without `,` (18 random bytes in base64 will do);
    /// otherwise [`SaslError::NonceMismatch`].
    pub fn start(
        client_first: &[u8],
        server_nonce_suffix: &str,
    ) -> Result<(ScramServerAwaitingSecrets, ScramClientFirstInfo), SaslError> {
        if !is_valid_nonce(server_nonce_suffix) {
            return Err(SaslError::NonceMismatch);
        }
        let text = as_text(client_first)?;
        let (header, bare) = gs2::split(text)?;
        let mut fields = bare.split(',');
        let name = take_first(&mut fields, "n=", "missing SCRAM user name")?;
        let username = saslname::decode(name)?;
        let client_nonce = take(&mut fields, "r=", "missing SCRAM nonce")?;
        if !is_valid_nonce(client_nonce) {
            return Err(SaslError::NonceMismatch);
        }
        check_extensions(fields)?;
        let state = ScramServerAwaitingSecrets {
            gs2_header: header.raw.to_owned(),
            client_first_bare: bare.to_owned(),
            nonce: format!("{client_nonce}{server_nonce_suffix}"),
            username: username.clone(),
        };
        let info = ScramClientFirstInfo {
            username,
            authzid: header.authzid,
        };
        Ok((state, info))
    }
}

impl ScramServerAwaitingSecrets {
    /// Answers with the user's salt and iteration count.
    pub fn server_first(self, secrets: &ScramSecrets) -> (ScramServerAwaitingFinal, Vec<u8>) {
        self.answer(secrets, true)
    }

    /// Answers for a user that does not exist, so that the client cannot
    /// tell: the exchange looks like any other and [`finish`] fails with
    /// [`SaslError::WrongProof`], just as for a wrong password.
    ///
    /// The salt and keys are derived from `server_seed` and the user name,
    /// so the same unknown name gets the same salt every time. The seed
    /// must be a secret fixed for the server's lifetime (or longer);
    /// `iterations` should be the count real users have. If real secrets
    /// are derived from plaintext passwords at login, run
    /// [`ScramSecrets::derive`] here as well to keep the timing equal.
    ///
    /// [`finish`]: ScramServerAwaitingFinal::finish
    pub fn server_first_unknown_user(
        self,
        server_seed: &[u8],
        iterations: u32,
    ) -> (ScramServerAwaitingFinal, Vec<u8>) {
        let name = self.username.as_str().as_bytes();
        let derive = |label: &[u8]| hmac_sha256(server_seed, &[label, b"\0", name]);
        let salt = derive(b"SCRAM dummy salt");
        let dummy = ScramSecrets {
            salt: salt.get(..16).unwrap_or_default().to_vec(),
            iterations: iterations.clamp(1, super::MAX_ITERATIONS),
            stored_key: derive(b"SCRAM dummy stored key"),
            server_key: derive(b"SCRAM dummy server key"),
        };
        self.answer(&dummy, false)
    }

    fn answer(
        self,
        secrets: &ScramSecrets,
        known_user: bool,
    ) -> (ScramServerAwaitingFinal, Vec<u8>) {
        let server_first = format!(
            "r={},s={},i={}",
            self.nonce,
            encode_base64(&secrets.salt),
            secrets.iterations
        );
        let message = server_first.clone().into_bytes();
        let next = ScramServerAwaitingFinal {
            channel_binding: encode_base64(self.gs2_header.as_bytes()),
            nonce: self.nonce,
            client_first_bare: self.client_first_bare,
            server_first,
            stored_key: Secret::new(secrets.stored_key),
            server_key: Secret::new(secrets.server_key),
            known_user,
        };
        (next, message)
    }
}

impl ScramServerAwaitingFinal {
    /// Checks the client-final message and, if the proof is right, returns
    /// the server-final message (`v=...`) to send with the success reply.
    ///
    /// The channel binding must be the base64 of the GS2 header the client
    /// sent first and the nonce must be the combined nonce; the proof is
    /// compared in constant time.
    pub fn finish(self, client_final: &[u8]) -> Result<Vec<u8>, SaslError> {
        let text = as_text(client_final)?;
        let (without_proof, proof) = text
            .rsplit_once(',')
            .ok_or(SaslError::Malformed("SCRAM client-final is truncated"))?;
        let proof = take(&mut std::iter::once(proof), "p=", "missing SCRAM proof")?;
        let proof = decode_key(proof, "SCRAM proof is not 32 octets")?;
        let mut fields = without_proof.split(',');
        let binding = take(&mut fields, "c=", "missing SCRAM channel binding")?;
        if binding != self.channel_binding {
            return Err(SaslError::ChannelBindingMismatch);
        }
        if take(&mut fields, "r=", "missing SCRAM nonce")? != self.nonce {
            return Err(SaslError::NonceMismatch);
        }
        check_extensions(fields)?;

        let auth_message = [
            self.client_first_bare.as_str(),
            self.server_first.as_str(),
            without_proof,
        ];
        let stored_key = self.stored_key.expose_secret();
        let client_key = xor(&proof, &sign(stored_key, auth_message));
        let proof_ok =
            sha256(&client_key).ct_eq(stored_key) & Choice::from(u8::from(self.known_user));
        if !bool::from(proof_ok) {
            return Err(SaslError::WrongProof);
        }
        let signature = sign(self.server_key.expose_secret(), auth_message);
        Ok(format!("v={}", encode_base64(&signature)).into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_user_fails_even_with_a_matching_proof() {
        let secrets = ScramSecrets::derive(b"pw", b"salt", 1);
        let run = |known_user: bool| {
            let (server, _) = ScramServer::start(b"n,,n=u,r=c", "s").unwrap();
            let (server, first) = server.answer(&secrets, known_user);
            let (client, _) = crate::sasl::scram::ScramClient::start(
                &Username::try_from("u").unwrap(),
                b"pw",
                "c",
            )
            .unwrap();
            let (_, client_final) = client.handle_server_first(&first).unwrap();
            server.finish(&client_final).map(|_| ())
        };
        assert_eq!(run(true), Ok(()));
        assert_eq!(run(false), Err(SaslError::WrongProof));
    }
}
