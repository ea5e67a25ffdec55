//! Logins driven through a real `pop3_proto::server::Server` in memory,
//! each request answered by the users file.

use std::sync::Arc;
use std::time::Instant;

use pop3_proto::Mechanism;
use pop3_proto::sasl::oauth::BearerCredentials;
use pop3_proto::sasl::scram::ScramClient;
use pop3_proto::sasl::{cram_md5, decode_base64, encode_base64};
use pop3_proto::server::{
    ConnectionParams, Event, LoginError, LoginRequest, Maildrop, Server, ServerConfig, TlsMode,
};

use super::*;
use crate::auth::{HashCost, SharedPasswdFile, hash_password_with};

const TIMESTAMP: &str = "<1896.697170952@dbc.mtview.ca.us>";
const LOGGED_IN: &str = "+OK maildrop has 0 messages (0 octets)\r\n";
const REFUSED: &str = "-ERR [AUTH] Authentication failed\r\n";

fn user(name: &str) -> Username {
    Username::try_from(name).unwrap()
}

/// One user per scheme, each with the password "pw-<name>", plus a locked
/// account.
fn users() -> PasswdFile {
    let cost = HashCost {
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        argon2_parallelism: 1,
        bcrypt_cost: 4,
        sha_crypt_rounds: 1000,
        scram_iterations: 4096,
    };
    let mut text = String::from("# test users\n");
    for (name, scheme) in [
        ("plain", Scheme::Plain),
        ("scram", Scheme::ScramSha256),
        ("argon", Scheme::Argon2id),
        ("sha512", Scheme::Sha512Crypt),
        ("bcrypt", Scheme::BlfCrypt),
    ] {
        let value = hash_password_with(scheme, format!("pw-{name}").as_bytes(), &cost).unwrap();
        text.push_str(&format!("{name}:{value}:1000:1000::/home/{name}::\n"));
    }
    text.push_str("locked:!$6$abc$def\n");
    PasswdFile::parse(&text, "test users").unwrap()
}

/// A server session on a virtual wire.
struct Wire {
    server: Server,
    now: Instant,
}

impl Wire {
    fn new() -> Self {
        let config = ServerConfig {
            apop: true,
            mechanisms: vec![
                Mechanism::ScramSha256,
                Mechanism::CramMd5,
                Mechanism::Plain,
                Mechanism::Login,
                Mechanism::OAuthBearer,
            ],
            ..ServerConfig::default()
        };
        let params = ConnectionParams {
            tls: TlsMode::None,
            cleartext_without_tls: true,
            apop_timestamp: Some(TIMESTAMP.into()),
            random: [7; 32],
        };
        let now = Instant::now();
        let mut wire = Self {
            server: Server::new(Arc::new(config), params, now),
            now,
        };
        wire.output();
        wire
    }

    fn output(&mut self) -> String {
        let mut out = Vec::new();
        while let Some(bytes) = self.server.poll_transmit(self.now) {
            out.extend_from_slice(&bytes);
        }
        String::from_utf8(out).unwrap()
    }

    /// Sends bytes; answers SCRAM lookups from `auth`; returns the output
    /// and the login request, if one is waiting.
    async fn send<A: Authenticator>(
        &mut self,
        auth: &A,
        bytes: &[u8],
    ) -> (String, Option<LoginRequest>) {
        self.server.handle_input(self.now, bytes);
        let mut login = None;
        while let Some(event) = self.server.poll_event() {
            match event {
                Event::ScramLookup(lookup) => {
                    let secrets = auth.scram_secrets(lookup.username()).await;
                    self.server.scram_secrets(lookup, secrets.as_ref()).unwrap();
                }
                Event::Login(request) => login = Some(request),
                other => panic!("unexpected event {other:?}"),
            }
        }
        (self.output(), login)
    }

    /// Sends bytes that must end in a login request.
    async fn login<A: Authenticator>(&mut self, auth: &A, bytes: &[u8]) -> LoginRequest {
        let (out, login) = self.send(auth, bytes).await;
        login.unwrap_or_else(|| panic!("no login request; server said {out:?}"))
    }

    /// Decides the request with `auth`, answers the server, and returns
    /// the verdict with what the server said.
    async fn decide<A: Authenticator>(
        &mut self,
        auth: &A,
        request: LoginRequest,
    ) -> (Result<Account, LoginError>, String) {
        let verdict = auth.authenticate(&request).await;
        match &verdict {
            Ok(_) => self
                .server
                .accept_login(request, Maildrop::new(Vec::new()).unwrap())
                .unwrap(),
            Err(e) => self.server.reject_login(request, e.clone()).unwrap(),
        }
        (verdict, self.output())
    }
}

fn b64_line(data: &[u8]) -> Vec<u8> {
    format!("{}\r\n", encode_base64(data)).into_bytes()
}

fn challenge(line: &str) -> Vec<u8> {
    let data = line.strip_prefix("+ ").unwrap().trim_end_matches("\r\n");
    decode_base64(data.as_bytes()).unwrap()
}

fn account(name: &str) -> Result<Account, LoginError> {
    Ok(Account {
        maildrop_owner: user(name),
    })
}

async fn user_pass<A: Authenticator>(
    auth: &A,
    name: &str,
    password: &str,
) -> (Result<Account, LoginError>, String) {
    let mut wire = Wire::new();
    let input = format!("USER {name}\r\nPASS {password}\r\n");
    let request = wire.login(auth, input.as_bytes()).await;
    assert!(matches!(request.credentials(), Credentials::Password(_)));
    wire.decide(auth, request).await
}

#[tokio::test]
async fn user_pass_verifies_every_scheme() {
    let auth = users();
    for name in ["plain", "scram", "argon", "sha512", "bcrypt"] {
        let (verdict, said) = user_pass(&auth, name, &format!("pw-{name}")).await;
        assert_eq!(verdict, account(name), "{name}");
        assert!(said.ends_with(LOGGED_IN), "{name}: {said}");
        let (verdict, said) = user_pass(&auth, name, "pw-wrong").await;
        assert_eq!(verdict, Err(LoginError::BadCredentials), "{name}");
        assert!(said.ends_with(REFUSED), "{name}: {said}");
    }
}

#[tokio::test]
async fn unknown_and_locked_users_are_refused_even_with_a_real_password() {
    let auth = users();
    // "pw-plain" is the decoy's password: matching it must not let a
    // stranger in.
    for name in ["ghost", "locked"] {
        for password in ["pw-plain", "pw-scram", "anything"] {
            let (verdict, _) = user_pass(&auth, name, password).await;
            assert_eq!(
                verdict,
                Err(LoginError::BadCredentials),
                "{name} {password}"
            );
        }
    }
    let empty = PasswdFile::parse("", "empty").unwrap();
    let (verdict, _) = user_pass(&empty, "ghost", "x").await;
    assert_eq!(verdict, Err(LoginError::BadCredentials));
}

fn plain_message(authzid: &str, authcid: &str, password: &str) -> Vec<u8> {
    format!("{authzid}\0{authcid}\0{password}").into_bytes()
}

#[tokio::test]
async fn sasl_plain_and_login_verify_passwords() {
    let auth = users();
    for (name, password, expected) in [
        ("argon", "pw-argon", account("argon")),
        ("scram", "pw-scram", account("scram")),
        ("bcrypt", "nope", Err(LoginError::BadCredentials)),
    ] {
        let mut wire = Wire::new();
        let mut line = b"AUTH PLAIN ".to_vec();
        line.extend(b64_line(&plain_message("", name, password)));
        let request = wire.login(&auth, &line).await;
        assert_eq!(request.method(), &LoginMethod::Sasl(Mechanism::Plain));
        assert_eq!(
            wire.decide(&auth, request).await.0,
            expected,
            "PLAIN {name}"
        );

        let mut wire = Wire::new();
        wire.send(&auth, b"AUTH LOGIN\r\n").await;
        wire.send(&auth, &b64_line(name.as_bytes())).await;
        let request = wire.login(&auth, &b64_line(password.as_bytes())).await;
        assert_eq!(request.method(), &LoginMethod::Sasl(Mechanism::Login));
        assert_eq!(
            wire.decide(&auth, request).await.0,
            expected,
            "LOGIN {name}"
        );
    }
}

#[tokio::test]
async fn authzid_must_be_absent_or_the_user_itself() {
    let auth = users();
    for (authzid, expected) in [
        ("plain", account("plain")),
        ("sha512", Err(LoginError::BadCredentials)),
        ("ghost", Err(LoginError::BadCredentials)),
    ] {
        let mut wire = Wire::new();
        let mut line = b"AUTH PLAIN ".to_vec();
        line.extend(b64_line(&plain_message(authzid, "plain", "pw-plain")));
        let request = wire.login(&auth, &line).await;
        let (verdict, said) = wire.decide(&auth, request).await;
        assert_eq!(verdict, expected, "authzid {authzid}");
        let ok = verdict.is_ok();
        assert_eq!(said == LOGGED_IN, ok, "{said}");
    }
}

#[tokio::test]
async fn apop_only_for_plain_users() {
    let auth = users();
    for (name, secret, expected) in [
        ("plain", "pw-plain", account("plain")),
        ("plain", "pw-wrong", Err(LoginError::BadCredentials)),
        // Right password, but the stored form cannot check a digest.
        ("scram", "pw-scram", Err(LoginError::BadCredentials)),
        ("argon", "pw-argon", Err(LoginError::BadCredentials)),
        ("ghost", "pw-plain", Err(LoginError::BadCredentials)),
    ] {
        let digest = pop3_proto::apop::digest(TIMESTAMP.as_bytes(), secret.as_bytes());
        let mut wire = Wire::new();
        let request = wire
            .login(&auth, format!("APOP {name} {digest}\r\n").as_bytes())
            .await;
        assert!(matches!(request.credentials(), Credentials::Apop { .. }));
        let (verdict, said) = wire.decide(&auth, request).await;
        assert_eq!(verdict, expected, "{name} {secret}");
        assert_eq!(said == LOGGED_IN, verdict.is_ok(), "{said}");
    }
}

#[tokio::test]
async fn cram_md5_only_for_plain_users() {
    let auth = users();
    for (name, secret, expected) in [
        ("plain", "pw-plain", account("plain")),
        ("plain", "pw-wrong", Err(LoginError::BadCredentials)),
        ("scram", "pw-scram", Err(LoginError::BadCredentials)),
        ("sha512", "pw-sha512", Err(LoginError::BadCredentials)),
        ("ghost", "pw-plain", Err(LoginError::BadCredentials)),
    ] {
        let mut wire = Wire::new();
        let (said, _) = wire.send(&auth, b"AUTH CRAM-MD5\r\n").await;
        let response = cram_md5::respond(&user(name), secret.as_bytes(), &challenge(&said));
        let request = wire.login(&auth, &b64_line(&response)).await;
        assert!(matches!(request.credentials(), Credentials::CramMd5 { .. }));
        assert_eq!(
            wire.decide(&auth, request).await.0,
            expected,
            "{name} {secret}"
        );
    }
}

/// Runs a SCRAM-SHA-256 exchange up to the login request.
async fn scram_request<A: Authenticator>(
    wire: &mut Wire,
    auth: &A,
    name: &str,
    password: &str,
) -> LoginRequest {
    let (state, first) = ScramClient::start(&user(name), password.as_bytes(), "cnonce").unwrap();
    let mut line = b"AUTH SCRAM-SHA-256 ".to_vec();
    line.extend(b64_line(&first));
    let (said, _) = wire.send(auth, &line).await;
    let (state, client_final) = state.handle_server_first(&challenge(&said)).unwrap();
    let (said, request) = wire.send(auth, &b64_line(&client_final)).await;
    if let Some(request) = request {
        return request;
    }
    state.verify_server_final(&challenge(&said)).unwrap();
    wire.login(auth, b"\r\n").await
}

#[tokio::test]
async fn scram_for_plain_and_scram_users_only() {
    let auth = users();
    for (name, password, verified) in [
        ("plain", "pw-plain", true),
        ("scram", "pw-scram", true),
        ("scram", "pw-wrong", false),
        ("argon", "pw-argon", false),
        ("bcrypt", "pw-bcrypt", false),
        ("ghost", "x", false),
    ] {
        let mut wire = Wire::new();
        let request = scram_request(&mut wire, &auth, name, password).await;
        let expected_credentials = if verified {
            Credentials::Verified
        } else {
            Credentials::ScramFailed
        };
        assert_eq!(request.credentials(), &expected_credentials, "{name}");
        let (verdict, said) = wire.decide(&auth, request).await;
        if verified {
            assert_eq!(verdict, account(name));
            assert_eq!(said, LOGGED_IN);
        } else {
            assert_eq!(verdict, Err(LoginError::BadCredentials), "{name}");
            assert_eq!(said, REFUSED);
        }
    }
}

#[tokio::test]
async fn scram_with_a_foreign_authzid_is_refused() {
    let auth = users();
    let mut wire = Wire::new();
    let (state, first) =
        ScramClient::start_with_authzid(&user("plain"), &user("scram"), b"pw-scram", "n1").unwrap();
    let mut line = b"AUTH SCRAM-SHA-256 ".to_vec();
    line.extend(b64_line(&first));
    let (said, _) = wire.send(&auth, &line).await;
    let (state, client_final) = state.handle_server_first(&challenge(&said)).unwrap();
    let (said, _) = wire.send(&auth, &b64_line(&client_final)).await;
    state.verify_server_final(&challenge(&said)).unwrap();
    let request = wire.login(&auth, b"\r\n").await;
    assert_eq!(request.credentials(), &Credentials::Verified);
    assert_eq!(
        wire.decide(&auth, request).await.0,
        Err(LoginError::BadCredentials)
    );
}

#[tokio::test]
async fn bearer_tokens_are_refused() {
    let auth = users();
    let mut wire = Wire::new();
    let creds = BearerCredentials {
        authzid: Some(user("plain")),
        token: pop3_proto::Secret::new("pw-plain".into()),
        host: None,
        port: None,
    };
    let mut line = b"AUTH OAUTHBEARER ".to_vec();
    line.extend(b64_line(&creds.encode()));
    let request = wire.login(&auth, &line).await;
    assert!(matches!(request.credentials(), Credentials::BearerToken(_)));
    assert_eq!(
        wire.decide(&auth, request).await.0,
        Err(LoginError::BadCredentials)
    );
}

#[tokio::test]
async fn scram_secrets_only_for_schemes_that_serve_scram() {
    let auth = users();
    let plain = auth.scram_secrets(&user("plain")).await.unwrap();
    assert_eq!(
        plain,
        pop3_proto::sasl::scram::ScramSecrets::derive(b"pw-plain", &plain.salt, plain.iterations)
    );
    let scram = auth.scram_secrets(&user("scram")).await.unwrap();
    assert_eq!(
        scram,
        pop3_proto::sasl::scram::ScramSecrets::derive(b"pw-scram", &scram.salt, scram.iterations)
    );
    for name in ["argon", "sha512", "bcrypt", "locked", "ghost"] {
        assert!(auth.scram_secrets(&user(name)).await.is_none(), "{name}");
    }
}

#[tokio::test]
async fn the_shared_handle_authenticates_with_the_current_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users");
    std::fs::write(&path, "alice:{PLAIN}old\n").unwrap();
    let shared = SharedPasswdFile::load(&path).unwrap();
    assert_eq!(user_pass(&shared, "alice", "old").await.0, account("alice"));
    std::fs::write(&path, "alice:{PLAIN}new\n").unwrap();
    shared.reload().unwrap();
    assert_eq!(
        user_pass(&shared, "alice", "old").await.0,
        Err(LoginError::BadCredentials)
    );
    assert_eq!(user_pass(&shared, "alice", "new").await.0, account("alice"));
    let mut wire = Wire::new();
    let request = scram_request(&mut wire, &shared, "alice", "new").await;
    assert_eq!(wire.decide(&shared, request).await.0, account("alice"));
}
