//! Every SASL mechanism's client exchange, from the RFC examples where
//! there are some.

use super::*;
use crate::sasl::SaslError;
use crate::types::{Command, Secret};

const A: SessionState = SessionState::Authorization;
const T: SessionState = SessionState::Transaction;

fn plain() -> SaslCredentials {
    SaslCredentials::Plain {
        authzid: None,
        user: user("alice"),
        password: Secret::new(b"secret".to_vec()),
    }
}

fn scram(nonce: &str) -> SaslCredentials {
    SaslCredentials::ScramSha256 {
        user: user("user"),
        password: Secret::new(b"pencil".to_vec()),
        client_nonce: nonce.into(),
    }
}

fn bearer() -> SaslCredentials {
    SaslCredentials::OAuthBearer {
        user: user("user@example.com"),
        token: Secret::new("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==".into()),
        host: Some("server.example.com".into()),
        port: Some(143),
    }
}

fn xoauth2() -> SaslCredentials {
    SaslCredentials::XOAuth2 {
        user: user("someuser@example.com"),
        token: Secret::new("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg".into()),
    }
}

fn logged_in(id: RequestId) -> Vec<ClientEvent> {
    vec![ok(id, Reply::LoggedIn(text("logged in")))]
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "PLAIN with initial response",
            logged_in: false,
            request: |c| c.authenticate(plain()),
            wire: b"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n",
            server: b"+OK logged in\r\n",
            events: logged_in,
            state: T,
        },
        Case {
            name: "PLAIN with authzid, refused",
            logged_in: false,
            request: |c| {
                c.authenticate(SaslCredentials::Plain {
                    authzid: Some(user("Ursel")),
                    user: user("Kurt"),
                    password: Secret::new(b"xipj3plmq".to_vec()),
                })
            },
            // RFC 4616 section 4's example message.
            wire: b"AUTH PLAIN VXJzZWwAS3VydAB4aXBqM3BsbXE=\r\n",
            server: b"-ERR [AUTH] Authentication failed\r\n",
            events: |id| vec![err(id, Some(ResponseCode::Auth), "Authentication failed")],
            state: A,
        },
        Case {
            name: "LOGIN",
            logged_in: false,
            request: |c| {
                c.authenticate(SaslCredentials::Login {
                    user: user("alice"),
                    password: Secret::new(b"secret".to_vec()),
                })
            },
            wire: b"AUTH LOGIN\r\nYWxpY2U=\r\nc2VjcmV0\r\n",
            server: b"+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n+OK logged in\r\n",
            events: logged_in,
            state: T,
        },
        Case {
            // RFC 2195 section 2's example.
            name: "CRAM-MD5",
            logged_in: false,
            request: |c| {
                c.authenticate(SaslCredentials::CramMd5 {
                    user: user("tim"),
                    secret: Secret::new(b"tanstaaftanstaaf".to_vec()),
                })
            },
            wire: b"AUTH CRAM-MD5\r\ndGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n",
            server: b"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n\
+OK logged in\r\n",
            events: logged_in,
            state: T,
        },
        Case {
            // RFC 7677 section 3, each message base64-encoded.
            name: "SCRAM-SHA-256",
            logged_in: false,
            request: |c| c.authenticate(scram("rOprNGfwEbeRWgbNEkqO")),
            wire: b"AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\r\n\
Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==\r\n\
\r\n",
            server: b"+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n\
+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==\r\n\
+OK logged in\r\n",
            events: logged_in,
            state: T,
        },
        Case {
            name: "SCRAM-SHA-256 with a wrong server signature",
            logged_in: false,
            request: |c| c.authenticate(scram("rOprNGfwEbeRWgbNEkqO")),
            wire: b"AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\r\n\
Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==\r\n\
*\r\n",
            // v= of 32 zero octets.
            server: b"+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n\
+ dj1BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBPQ==\r\n\
-ERR Authentication cancelled\r\n",
            events: |id| {
                vec![ClientEvent::AuthAborted {
                    id,
                    error: SaslError::WrongServerSignature,
                }]
            },
            state: A,
        },
        Case {
            name: "SCRAM-SHA-256 with a server nonce that is not ours",
            logged_in: false,
            request: |c| c.authenticate(scram("rOprNGfwEbeRWgbNEkqO")),
            wire: b"AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\r\n*\r\n",
            // r=abc,s=QQ==,i=4096
            server: b"+ cj1hYmMscz1RUT09LGk9NDA5Ng==\r\n-ERR cancelled\r\n",
            events: |id| {
                vec![ClientEvent::AuthAborted {
                    id,
                    error: SaslError::NonceMismatch,
                }]
            },
            state: A,
        },
        Case {
            // RFC 7628 section 4.1's message.
            name: "OAUTHBEARER",
            logged_in: false,
            request: |c| c.authenticate(bearer()),
            wire: b"AUTH OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB\r\n",
            server: b"+OK logged in\r\n",
            events: logged_in,
            state: T,
        },
        Case {
            // RFC 7628 section 4.3: the error challenge, answered by %x01.
            name: "OAUTHBEARER refused token",
            logged_in: false,
            request: |c| c.authenticate(bearer()),
            wire: b"AUTH OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB\r\n\
AQ==\r\n",
            server: b"+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n-ERR [AUTH] Authentication failed\r\n",
            events: |id| vec![err(id, Some(ResponseCode::Auth), "Authentication failed")],
            state: A,
        },
        Case {
            name: "XOAUTH2",
            logged_in: false,
            request: |c| c.authenticate(xoauth2()),
            wire: b"AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==\r\n",
            server: b"+OK logged in\r\n",
            events: logged_in,
            state: T,
        },
        Case {
            name: "XOAUTH2 refused token: the ack is an empty line",
            logged_in: false,
            request: |c| c.authenticate(xoauth2()),
            wire: b"AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==\r\n\
\r\n",
            server: b"+ eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=\r\n-ERR [AUTH] no\r\n",
            events: |id| vec![err(id, Some(ResponseCode::Auth), "no")],
            state: A,
        },
        Case {
            name: "PLAIN with a second challenge is cancelled",
            logged_in: false,
            request: |c| c.authenticate(plain()),
            wire: b"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n*\r\n",
            server: b"+ \r\n-ERR cancelled\r\n",
            events: |id| {
                vec![ClientEvent::AuthAborted {
                    id,
                    error: SaslError::Malformed("more challenges than the mechanism has"),
                }]
            },
            state: A,
        },
    ]
}

#[test]
fn every_mechanism() {
    for case in &cases() {
        run(case);
    }
}

fn without_initial_response() -> Client {
    let mut client = Client::new(ClientConfig {
        sasl_initial_response: false,
        ..ClientConfig::default()
    });
    client.handle_input(GREETING).unwrap();
    drain(&mut client);
    client
}

#[test]
fn scram_without_initial_response_waits_for_the_prompt() {
    let mut client = without_initial_response();
    let id = client.authenticate(scram("rOprNGfwEbeRWgbNEkqO")).unwrap();
    assert_eq!(sent(&mut client), b"AUTH SCRAM-SHA-256\r\n");
    assert_eq!(
        feed(&mut client, b"+ \r\n"),
        b"biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\r\n"
    );
    let written = feed(
        &mut client,
        b"+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n",
    );
    assert!(written.starts_with(b"Yz1iaXdz"));
    assert_eq!(
        feed(
            &mut client,
            b"+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==\r\n"
        ),
        b"\r\n"
    );
    feed(&mut client, b"+OK\r\n");
    assert_eq!(drain(&mut client), vec![ok(id, Reply::LoggedIn(text("")))]);
}

#[test]
fn plain_and_bearer_without_initial_response() {
    let mut client = without_initial_response();
    client.authenticate(plain()).unwrap();
    assert_eq!(sent(&mut client), b"AUTH PLAIN\r\n");
    // A bare `+` is a continuation too.
    assert_eq!(feed(&mut client, b"+\r\n"), b"AGFsaWNlAHNlY3JldA==\r\n");
    feed(&mut client, b"+OK\r\n");

    // A token too long for a 255-octet AUTH line waits for `+ ` even
    // when initial responses are allowed (RFC 5034 section 4).
    let mut client = session(false, false);
    let token = "a".repeat(300);
    client
        .authenticate(SaslCredentials::XOAuth2 {
            user: user("u"),
            token: Secret::new(token.clone()),
        })
        .unwrap();
    assert_eq!(sent(&mut client), b"AUTH XOAUTH2\r\n");
    let answer = feed(&mut client, b"+ \r\n");
    let message = crate::sasl::decode_base64(answer.strip_suffix(b"\r\n").unwrap()).unwrap();
    assert_eq!(
        message,
        format!("user=u\x01auth=Bearer {token}\x01\x01").as_bytes()
    );
}

#[test]
fn scram_ok_without_server_signature_is_refused() {
    let mut client = session(false, false);
    client.authenticate(scram("rOprNGfwEbeRWgbNEkqO")).unwrap();
    sent(&mut client);
    feed(
        &mut client,
        b"+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n",
    );
    assert!(matches!(
        client.handle_input(b"+OK welcome, trust me\r\n"),
        Err(ClientError::Protocol(ProtocolError::Unverified(_)))
    ));
    assert_eq!(client.state(), SessionState::Failed);
}

#[test]
fn unusable_credentials_are_refused_locally() {
    let mut client = session(false, false);
    let cases = [
        (scram("bad,nonce"), SaslError::NonceMismatch),
        (scram(""), SaslError::NonceMismatch),
        (
            SaslCredentials::Plain {
                authzid: None,
                user: user("a"),
                password: Secret::new(vec![]),
            },
            SaslError::InvalidPassword,
        ),
        (
            SaslCredentials::Login {
                user: user("a"),
                password: Secret::new(b"a\0b".to_vec()),
            },
            SaslError::InvalidPassword,
        ),
        (
            SaslCredentials::XOAuth2 {
                user: user("a"),
                token: Secret::new("not a token".into()),
            },
            SaslError::InvalidToken,
        ),
    ];
    for (credentials, error) in cases {
        assert_eq!(
            client.authenticate(credentials),
            Err(ClientError::Credentials(error))
        );
    }
    assert_eq!(
        client.send(Command::Auth(Some(crate::types::AuthStart {
            mechanism: crate::types::Mechanism::Plain,
            initial_response: None,
        }))),
        Err(ClientError::InvalidArgument(
            "AUTH with a mechanism goes through authenticate()"
        ))
    );
    assert_eq!(sent(&mut client), b"");
    assert!(client.is_idle());
}

#[test]
fn challenge_after_cancel_is_a_protocol_error() {
    let mut client = session(false, false);
    client.authenticate(plain()).unwrap();
    sent(&mut client);
    assert_eq!(feed(&mut client, b"+ \r\n"), b"*\r\n");
    assert_eq!(
        client.handle_input(b"+ \r\n"),
        Err(ClientError::Protocol(ProtocolError::UnexpectedContinuation))
    );
}

#[test]
fn bad_base64_challenge_is_a_protocol_error() {
    let mut client = session(false, false);
    client.authenticate(plain()).unwrap();
    sent(&mut client);
    assert_eq!(
        client.handle_input(b"+ !!!\r\n"),
        Err(ClientError::Protocol(ProtocolError::BadResponse(
            crate::parse::ResponseError::BadContinuation
        )))
    );
}
