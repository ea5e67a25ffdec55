//! Checks for the SASL message codecs, shared by the `sasl` target.

use pop3_proto::sasl::cram_md5::CramResponse;
use pop3_proto::sasl::oauth::{BearerCredentials, XOAuth2Credentials};
use pop3_proto::sasl::plain::PlainCredentials;
use pop3_proto::sasl::scram::{ScramClient, ScramSecrets, ScramServer};
use pop3_proto::sasl::{MAX_MESSAGE_LEN, SaslError, decode_base64, encode_base64, login};
use pop3_proto::types::Username;

/// The server nonce part used in every exchange here.
const SERVER_NONCE: &str = "3rfcNHYJY1zVWWVs7j";
/// The client nonce of the RFC 7677 example.
const CLIENT_NONCE: &str = "rOprNGfwEbeRWgbNEkqO";
/// SCRAM iteration counts above this are skipped: each costs the client
/// two SHA-256 compressions, and a fuzzer that finds the limit of
/// 2^20 would spend a second per input.
const MAX_FUZZ_ITERATIONS: u64 = 4096;

/// Splits `data` into two messages at a length given by its first two
/// octets.
fn two_parts(data: &[u8]) -> (&[u8], &[u8]) {
    match data {
        [hi, lo, rest @ ..] => {
            let n = usize::from(u16::from_be_bytes([*hi, *lo])) % (rest.len() + 1);
            rest.split_at(n)
        }
        _ => (data, &[]),
    }
}

/// Whether a SCRAM server-first message asks for more iterations than
/// the fuzzer can afford.
pub(crate) fn too_many_iterations(server_first: &[u8]) -> bool {
    let text = String::from_utf8_lossy(server_first);
    text.split(',').any(|field| {
        field.strip_prefix("i=").is_some_and(|n| {
            let digits: String = n.chars().take_while(char::is_ascii_digit).collect();
            digits.len() > 7 || digits.parse::<u64>().unwrap_or(0) > MAX_FUZZ_ITERATIONS
        })
    })
}

/// Strict base64: what decodes re-encodes to the same text, and any
/// message up to the limit survives a round trip.
fn base64(input: &[u8]) {
    if let Ok(data) = decode_base64(input) {
        assert!(data.len() <= MAX_MESSAGE_LEN);
        assert_eq!(encode_base64(&data).as_bytes(), input, "not canonical");
    }
    let encoded = encode_base64(input);
    let decoded = decode_base64(encoded.as_bytes());
    if input.len() <= MAX_MESSAGE_LEN {
        assert_eq!(decoded.as_deref(), Ok(input));
    } else {
        assert_eq!(decoded, Err(SaslError::TooLong));
    }
}

/// PLAIN, LOGIN, CRAM-MD5, OAUTHBEARER and XOAUTH2: a decoded message
/// encodes back to the same octets (CRAM-MD5 up to the case of its hex
/// digits; the bearer mechanisms up to the order and spelling of their
/// fields) and decodes again to the same value.
fn simple_mechanisms(message: &[u8]) {
    if let Ok(c) = PlainCredentials::decode(message) {
        assert_eq!(c.encode(), message);
        assert!(!c.password.expose_secret().contains(&0));
    }
    if let Ok(name) = login::decode_username(message) {
        assert_eq!(name.as_str().as_bytes(), message);
    }
    if let Ok(password) = login::decode_password(message) {
        assert_eq!(password.expose_secret(), message);
    }
    if let Ok(r) = CramResponse::decode(message) {
        assert_eq!(r.encode(), message.to_ascii_lowercase_tail(32));
        assert_eq!(CramResponse::decode(&r.encode()), Ok(r));
    }
    if let Ok(c) = BearerCredentials::decode(message) {
        assert_eq!(BearerCredentials::decode(&c.encode()), Ok(c));
    }
    if let Ok(c) = XOAuth2Credentials::decode(message) {
        assert_eq!(XOAuth2Credentials::decode(&c.encode()), Ok(c));
    }
}

/// Lower-cases the last `n` octets (CRAM-MD5's hex digest).
trait LowerTail {
    fn to_ascii_lowercase_tail(&self, n: usize) -> Vec<u8>;
}

impl LowerTail for [u8] {
    fn to_ascii_lowercase_tail(&self, n: usize) -> Vec<u8> {
        let split = self.len().saturating_sub(n);
        let (head, tail) = self.split_at(split);
        [head, &tail.to_ascii_lowercase()].concat()
    }
}

/// The server side on a hostile client: client-first then client-final.
/// A client-final can never succeed for an unknown user, and an
/// attacker who does not know the password cannot forge a proof.
fn scram_server(client_first: &[u8], client_final: &[u8], known: bool) {
    let Ok((state, info)) = ScramServer::start(client_first, SERVER_NONCE) else {
        return;
    };
    assert!(!info.username.as_str().is_empty());
    let (state, server_first) = if known {
        state.server_first(&ScramSecrets::derive(b"pencil", b"salt", 1))
    } else {
        state.server_first_unknown_user(&[7; 32], 1)
    };
    let first = String::from_utf8(server_first).expect("server-first is text");
    assert!(first.starts_with("r=") && first.contains(SERVER_NONCE));
    let result = state.finish(client_final);
    assert!(result.is_err(), "a forged SCRAM proof was accepted");
}

/// The client side on a hostile server: server-first then server-final.
/// A server that does not know the password can never be verified; the
/// password here is one no seed or published example uses.
fn scram_client(server_first: &[u8], server_final: &[u8]) {
    if too_many_iterations(server_first) {
        return;
    }
    let user = Username::try_from("user").expect("valid name");
    let Ok((state, _)) = ScramClient::start(&user, b"only the client knows", CLIENT_NONCE) else {
        return;
    };
    let Ok((state, client_final)) = state.handle_server_first(server_first) else {
        return;
    };
    let text = String::from_utf8(client_final).expect("client-final is text");
    assert!(text.starts_with("c=biws,r=") && text.contains(",p="));
    assert!(
        state.verify_server_final(server_final).is_err(),
        "a server that does not know the password was verified"
    );
}

/// A whole exchange with fuzz-chosen names, password and nonce must
/// succeed on both sides, with the names read back as sent.
fn scram_exchange(data: &[u8]) {
    let (names, rest) = two_parts(data);
    let (password, nonce) = two_parts(rest);
    let (user, authzid) = two_parts(names);
    let (Ok(user), Ok(nonce)) = (Username::try_from(user), std::str::from_utf8(nonce)) else {
        return;
    };
    let authzid = Username::try_from(authzid).ok();
    let started = match &authzid {
        Some(a) => ScramClient::start_with_authzid(a, &user, password, nonce),
        None => ScramClient::start(&user, password, nonce),
    };
    let Ok((client, client_first)) = started else {
        return;
    };
    let (server, info) =
        ScramServer::start(&client_first, SERVER_NONCE).expect("server reads client-first");
    assert_eq!(info.username, user);
    assert_eq!(info.authzid, authzid);
    let secrets = ScramSecrets::derive(password, b"fuzz salt", 1);
    let (server, server_first) = server.server_first(&secrets);
    let (client, client_final) = client
        .handle_server_first(&server_first)
        .expect("client reads server-first");
    let server_final = server
        .finish(&client_final)
        .expect("server accepts the right proof");
    client
        .verify_server_final(&server_final)
        .expect("client verifies the server");
}

/// Runs the decoder the first octet picks on the rest of `data`.
pub fn check(data: &[u8]) {
    let Some((&which, message)) = data.split_first() else {
        return;
    };
    match which % 6 {
        0 => base64(message),
        1 => simple_mechanisms(message),
        2 => {
            let (first, last) = two_parts(message);
            scram_server(first, last, which & 0x80 == 0);
        }
        3 => {
            let (first, last) = two_parts(message);
            scram_client(first, last);
        }
        4 => scram_exchange(message),
        _ => {
            // A SASL line as the server reads it: `*` or strict base64,
            // then the decoders on what it carried.
            if let Ok(pop3_proto::types::SaslResponse::Data(data)) =
                pop3_proto::parse::sasl_response(message)
            {
                simple_mechanisms(data.expose_secret());
            }
        }
    }
}
