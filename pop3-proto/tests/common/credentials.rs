//! Short constructors for the client's SASL credentials, so traces read
//! as dialogues rather than struct literals.

use pop3_proto::client::SaslCredentials;
use pop3_proto::{Secret, Username};

pub fn user(name: &str) -> Username {
    Username::try_from(name).unwrap()
}

pub fn plain(name: &str, password: &str) -> SaslCredentials {
    SaslCredentials::Plain {
        authzid: None,
        user: user(name),
        password: Secret::new(password.as_bytes().to_vec()),
    }
}

pub fn login(name: &str, password: &str) -> SaslCredentials {
    SaslCredentials::Login {
        user: user(name),
        password: Secret::new(password.as_bytes().to_vec()),
    }
}

pub fn cram_md5(name: &str, secret: &str) -> SaslCredentials {
    SaslCredentials::CramMd5 {
        user: user(name),
        secret: Secret::new(secret.as_bytes().to_vec()),
    }
}

pub fn scram(name: &str, password: &str, client_nonce: &str) -> SaslCredentials {
    SaslCredentials::ScramSha256 {
        user: user(name),
        password: Secret::new(password.as_bytes().to_vec()),
        client_nonce: client_nonce.into(),
    }
}

pub fn xoauth2(name: &str, token: &str) -> SaslCredentials {
    SaslCredentials::XOAuth2 {
        user: user(name),
        token: Secret::new(token.into()),
    }
}
