//! The client side of a SCRAM-SHA-256 exchange.

use subtle::ConstantTimeEq;

use super::messages::{
    as_text, check_extensions, decode_key, is_valid_nonce, parse_iterations, take, take_first,
};
use super::secrets::{client_key, salted_password, server_key, sign, xor};
use crate::sasl::mac::sha256;
use crate::sasl::{SaslError, decode_base64, encode_base64, gs2, saslname};
use crate::types::{Secret, Username};

/// Entry point for the client side; see [`ScramClient::start`].
#[derive(Debug, Clone, Copy)]
pub struct ScramClient;

/// Waiting for the server-first message.
#[derive(Debug, Clone)]
pub struct ScramClientAwaitingServerFirst {
    gs2_header: String,
    client_first_bare: String,
    client_nonce: String,
    password: Secret<Vec<u8>>,
}

/// Waiting for the server-final message.
#[derive(Debug, Clone)]
pub struct ScramClientAwaitingServerFinal {
    server_signature: Secret<[u8; 32]>,
}

impl ScramClient {
    /// Starts an exchange and returns the client-first message, which goes
    /// on the AUTH line as the initial response.
    ///
    /// `client_nonce` must be fresh and unpredictable, printable ASCII
    /// without `,`; otherwise [`SaslError::NonceMismatch`]. The password is
    /// used as the octets given (no SASLprep).
    pub fn start(
        username: &Username,
        password: &[u8],
        client_nonce: &str,
    ) -> Result<(ScramClientAwaitingServerFirst, Vec<u8>), SaslError> {
        Self::begin(None, username, password, client_nonce)
    }

    /// Like [`ScramClient::start`], asking to act as `authzid`.
    pub fn start_with_authzid(
        authzid: &Username,
        username: &Username,
        password: &[u8],
        client_nonce: &str,
    ) -> Result<(ScramClientAwaitingServerFirst, Vec<u8>), SaslError> {
        Self::begin(Some(authzid), username, password, client_nonce)
    }

    fn begin(
        authzid: Option<&Username>,
        username: &Username,
        password: &[u8],
        client_nonce: &str,
    ) -> Result<(ScramClientAwaitingServerFirst, Vec<u8>), SaslError> {
        if !is_valid_nonce(client_nonce) {
            return Err(SaslError::NonceMismatch);
        }
        let gs2_header = gs2::encode(authzid);
        let client_first_bare =
            format!("n={},r={client_nonce}", saslname::encode(username.as_str()));
        let message = format!("{gs2_header}{client_first_bare}").into_bytes();
        let state = ScramClientAwaitingServerFirst {
            gs2_header,
            client_first_bare,
            client_nonce: client_nonce.to_owned(),
            password: Secret::new(password.to_vec()),
        };
        Ok((state, message))
    }
}

impl ScramClientAwaitingServerFirst {
    /// Reads the server-first message and returns the client-final message
    /// carrying the proof.
    ///
    /// The server's nonce must extend the client's nonce with at least one
    /// character, the salt must be non-empty strict base64 and the
    /// iteration count at most [`super::MAX_ITERATIONS`]. This step runs
    /// PBKDF2 for that many iterations.
    pub fn handle_server_first(
        self,
        server_first: &[u8],
    ) -> Result<(ScramClientAwaitingServerFinal, Vec<u8>), SaslError> {
        let text = as_text(server_first)?;
        let mut fields = text.split(',');
        let nonce = take_first(&mut fields, "r=", "missing SCRAM nonce")?;
        let extends_ours = nonce
            .strip_prefix(self.client_nonce.as_str())
            .is_some_and(|suffix| !suffix.is_empty());
        if !extends_ours || !is_valid_nonce(nonce) {
            return Err(SaslError::NonceMismatch);
        }
        let salt = decode_base64(take(&mut fields, "s=", "missing SCRAM salt")?.as_bytes())?;
        let iterations =
            parse_iterations(take(&mut fields, "i=", "missing SCRAM iteration count")?)?;
        check_extensions(fields)?;

        let salted = salted_password(self.password.expose_secret(), &salt, iterations);
        let client_key = client_key(&salted);
        let without_proof = format!("c={},r={nonce}", encode_base64(self.gs2_header.as_bytes()));
        let auth_message = [
            self.client_first_bare.as_str(),
            text,
            without_proof.as_str(),
        ];
        let proof = xor(&client_key, &sign(&sha256(&client_key), auth_message));
        let server_signature = sign(&server_key(&salted), auth_message);
        let message = format!("{without_proof},p={}", encode_base64(&proof)).into_bytes();
        let next = ScramClientAwaitingServerFinal {
            server_signature: Secret::new(server_signature),
        };
        Ok((next, message))
    }
}

impl ScramClientAwaitingServerFinal {
    /// Checks the server-final message: `v=` must carry the signature only
    /// a server holding the user's keys can make (compared in constant
    /// time); `e=` becomes [`SaslError::ServerError`].
    pub fn verify_server_final(self, server_final: &[u8]) -> Result<(), SaslError> {
        let text = as_text(server_final)?;
        let mut fields = text.split(',');
        let first = fields.next().unwrap_or_default();
        if let Some(error) = first.strip_prefix("e=") {
            return Err(SaslError::ServerError(error.to_owned()));
        }
        let signature = take(&mut std::iter::once(first), "v=", "missing SCRAM verifier")?;
        let signature = decode_key(signature, "SCRAM verifier is not 32 octets")?;
        check_extensions(fields)?;
        if bool::from(signature.ct_eq(self.server_signature.expose_secret())) {
            Ok(())
        } else {
            Err(SaslError::WrongServerSignature)
        }
    }
}
