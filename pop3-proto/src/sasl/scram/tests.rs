//! Exchange tests: the RFC 7677 example and client/server round trips.

use proptest::prelude::*;

use super::*;
use crate::sasl::{SaslError, decode_base64};
use crate::types::Username;

const CLIENT_FIRST: &[u8] = b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
const SERVER_SUFFIX: &str = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
const SERVER_FIRST: &[u8] =
    b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const CLIENT_FINAL: &[u8] = b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const SERVER_FINAL: &[u8] = b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

fn user(name: &str) -> Username {
    Username::try_from(name).unwrap()
}

fn rfc_secrets() -> ScramSecrets {
    let salt = decode_base64(b"W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
    ScramSecrets::derive(b"pencil", &salt, 4096)
}

fn server_after_first(client_first: &[u8]) -> ScramServerAwaitingFinal {
    let (server, _) = ScramServer::start(client_first, SERVER_SUFFIX).unwrap();
    server.server_first(&rfc_secrets()).0
}

#[test]
fn rfc_7677_client_side() {
    let (client, first) =
        ScramClient::start(&user("user"), b"pencil", "rOprNGfwEbeRWgbNEkqO").unwrap();
    assert_eq!(first, CLIENT_FIRST);
    let (client, last) = client.handle_server_first(SERVER_FIRST).unwrap();
    assert_eq!(last, CLIENT_FINAL);
    client.verify_server_final(SERVER_FINAL).unwrap();
}

#[test]
fn rfc_7677_server_side() {
    let (server, info) = ScramServer::start(CLIENT_FIRST, SERVER_SUFFIX).unwrap();
    assert_eq!(
        info,
        ScramClientFirstInfo {
            username: user("user"),
            authzid: None
        }
    );
    let (server, first) = server.server_first(&rfc_secrets());
    assert_eq!(first, SERVER_FIRST);
    assert_eq!(server.finish(CLIENT_FINAL).unwrap(), SERVER_FINAL);
}

#[test]
fn server_refuses_bad_client_first() {
    let cases: &[(&[u8], SaslError)] = &[
        (
            b"p=tls-unique,,n=user,r=abc",
            SaslError::UnsupportedChannelBinding,
        ),
        (b"n,,m=ext,n=user,r=abc", SaslError::UnsupportedExtension),
        (
            b"n,,n=user,r=a,b",
            SaslError::Malformed("bad SCRAM extension"),
        ),
        (b"n,,n=user", SaslError::Malformed("missing SCRAM nonce")),
        (b"n,,n=user,r=", SaslError::Malformed("missing SCRAM nonce")),
        (
            b"n,,r=abc,n=user",
            SaslError::Malformed("missing SCRAM user name"),
        ),
        (
            b"n,,n=,r=abc",
            SaslError::Malformed("missing SCRAM user name"),
        ),
        (
            b"n,,n=us=2cer,r=abc",
            SaslError::Malformed("bad escape in a SASL name"),
        ),
        (b"n,,n=user,r=ab\x7fc", SaslError::NonceMismatch),
        (
            b"n,,n=us\xffer,r=abc",
            SaslError::Malformed("SCRAM message is not UTF-8"),
        ),
        (
            b"n,,n=user,r=abc,",
            SaslError::Malformed("bad SCRAM extension"),
        ),
        (
            b"n,n=user,r=abc",
            SaslError::Malformed("bad GS2 authorization field"),
        ),
        (b"", SaslError::Malformed("missing GS2 header")),
    ];
    for (input, error) in cases {
        assert_eq!(
            ScramServer::start(input, SERVER_SUFFIX).err().as_ref(),
            Some(error),
            "{input:?}"
        );
    }
    assert_eq!(
        ScramServer::start(CLIENT_FIRST, "a,b").err(),
        Some(SaslError::NonceMismatch)
    );
    assert_eq!(
        ScramServer::start(CLIENT_FIRST, "").err(),
        Some(SaslError::NonceMismatch)
    );
    let huge = vec![b'a'; crate::sasl::MAX_MESSAGE_LEN + 1];
    assert_eq!(
        ScramServer::start(&huge, SERVER_SUFFIX).err(),
        Some(SaslError::TooLong)
    );
}

#[test]
fn server_reads_escapes_authzid_and_extensions() {
    let (server, info) =
        ScramServer::start(b"y,a=ad=3Dmin,n=us=2Cer,r=abc,x=ext", SERVER_SUFFIX).unwrap();
    assert_eq!(info.username, user("us,er"));
    assert_eq!(info.authzid, Some(user("ad=min")));
    let (server, first) = server.server_first(&rfc_secrets());
    assert!(first.starts_with(b"r=abc%hvY"));
    // The binding must echo the header actually sent, `y` and all.
    let nonce = format!("abc{SERVER_SUFFIX}");
    let wrong = format!(
        "c=biws,r={nonce},p={}",
        crate::sasl::encode_base64(&[0; 32])
    );
    assert_eq!(
        server.finish(wrong.as_bytes()),
        Err(SaslError::ChannelBindingMismatch)
    );
}

#[test]
fn server_refuses_bad_client_final() {
    let nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    let proof = "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    let zero = crate::sasl::encode_base64(&[0; 32]);
    let cases: Vec<(String, SaslError)> = vec![
        (
            format!("c=eSws,r={nonce},{proof}"),
            SaslError::ChannelBindingMismatch,
        ),
        (
            format!("c=biws,r={nonce}x,{proof}"),
            SaslError::NonceMismatch,
        ),
        (
            format!("c=biws,r=rOprNGfwEbeRWgbNEkqO,{proof}"),
            SaslError::NonceMismatch,
        ),
        (format!("c=biws,r={nonce},p={zero}"), SaslError::WrongProof),
        (
            format!("c=biws,r={nonce}"),
            SaslError::Malformed("missing SCRAM proof"),
        ),
        (
            format!("c=biws,r={nonce},{proof},x=1"),
            SaslError::Malformed("missing SCRAM proof"),
        ),
        (
            format!("r={nonce},{proof}"),
            SaslError::Malformed("missing SCRAM channel binding"),
        ),
        (
            format!("c=biws,{proof}"),
            SaslError::Malformed("missing SCRAM nonce"),
        ),
        (
            format!("c=biws,r={nonce},p=AAAA"),
            SaslError::Malformed("SCRAM proof is not 32 octets"),
        ),
        (
            format!("c=biws,r={nonce},p=dHzb ZapW"),
            SaslError::InvalidBase64,
        ),
        (
            format!("c=biws,r={nonce},1=x,{proof}"),
            SaslError::Malformed("bad SCRAM extension"),
        ),
        (
            String::new(),
            SaslError::Malformed("SCRAM client-final is truncated"),
        ),
    ];
    for (input, error) in cases {
        assert_eq!(
            server_after_first(CLIENT_FIRST).finish(input.as_bytes()),
            Err(error),
            "{input}"
        );
    }
    // Extensions before the proof are ignored but are part of the signed text.
    let with_ext = format!("c=biws,r={nonce},x=1,{proof}");
    assert_eq!(
        server_after_first(CLIENT_FIRST).finish(with_ext.as_bytes()),
        Err(SaslError::WrongProof)
    );
}

#[test]
fn client_refuses_bad_server_first() {
    let start = || {
        ScramClient::start(&user("user"), b"pencil", "rOprNGfwEbeRWgbNEkqO")
            .unwrap()
            .0
    };
    let cases: &[(&[u8], SaslError)] = &[
        (
            b"r=XOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            SaslError::NonceMismatch,
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            SaslError::NonceMismatch,
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqO\x7f,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            SaslError::NonceMismatch,
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096",
            SaslError::InvalidBase64,
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqOx,s=,i=4096",
            SaslError::Malformed("missing SCRAM salt"),
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",
            SaslError::IterationCount,
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1048577",
            SaslError::IterationCount,
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999",
            SaslError::IterationCount,
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==",
            SaslError::Malformed("missing SCRAM iteration count"),
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqOx,i=4096",
            SaslError::Malformed("missing SCRAM salt"),
        ),
        (
            b"m=x,r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1",
            SaslError::UnsupportedExtension,
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1,",
            SaslError::Malformed("bad SCRAM extension"),
        ),
        (b"", SaslError::Malformed("missing SCRAM nonce")),
        (
            b"e=other-error",
            SaslError::Malformed("missing SCRAM nonce"),
        ),
    ];
    for (input, error) in cases {
        assert_eq!(
            start().handle_server_first(input).err().as_ref(),
            Some(error),
            "{input:?}"
        );
    }
}

#[test]
fn client_refuses_bad_server_final() {
    let awaiting_final = || {
        let (client, _) =
            ScramClient::start(&user("user"), b"pencil", "rOprNGfwEbeRWgbNEkqO").unwrap();
        client.handle_server_first(SERVER_FIRST).unwrap().0
    };
    let zero = format!("v={}", crate::sasl::encode_base64(&[0; 32]));
    let cases: &[(&[u8], SaslError)] = &[
        (
            b"e=invalid-proof",
            SaslError::ServerError("invalid-proof".to_owned()),
        ),
        (zero.as_bytes(), SaslError::WrongServerSignature),
        (
            b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4",
            SaslError::InvalidBase64,
        ),
        (
            b"v=AAAA",
            SaslError::Malformed("SCRAM verifier is not 32 octets"),
        ),
        (b"", SaslError::Malformed("missing SCRAM verifier")),
        (
            b"x=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
            SaslError::Malformed("missing SCRAM verifier"),
        ),
        (
            b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,",
            SaslError::Malformed("bad SCRAM extension"),
        ),
    ];
    for (input, error) in cases {
        assert_eq!(
            awaiting_final().verify_server_final(input).as_ref(),
            Err(error),
            "{input:?}"
        );
    }
    let with_ext = b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,x=1";
    assert_eq!(awaiting_final().verify_server_final(with_ext), Ok(()));
}

#[test]
fn client_refuses_bad_nonce() {
    for bad in ["", "a,b", "a b", "é"] {
        assert_eq!(
            ScramClient::start(&user("u"), b"p", bad).err(),
            Some(SaslError::NonceMismatch)
        );
    }
}

#[test]
fn client_sends_authzid() {
    let (_, first) =
        ScramClient::start_with_authzid(&user("ad,min"), &user("u=1"), b"p", "abc").unwrap();
    assert_eq!(first, b"n,a=ad=2Cmin,n=u=3D1,r=abc");
}

/// Runs a whole exchange; the server knows `server_password`.
fn exchange(
    authzid: Option<&Username>,
    name: &Username,
    client_password: &[u8],
    server_password: &[u8],
) -> Result<ScramClientFirstInfo, SaslError> {
    let (client, first) = match authzid {
        Some(a) => ScramClient::start_with_authzid(a, name, client_password, "cNonce!~")?,
        None => ScramClient::start(name, client_password, "cNonce!~")?,
    };
    let (server, info) = ScramServer::start(&first, "sNonce")?;
    let (server, server_first) =
        server.server_first(&ScramSecrets::derive(server_password, b"NaCl", 2));
    let (client, client_final) = client.handle_server_first(&server_first)?;
    let server_final = server.finish(&client_final)?;
    client.verify_server_final(&server_final)?;
    Ok(info)
}

#[test]
fn round_trip_and_wrong_password() {
    let name = user("alice");
    let admin = user("admin");
    let info = exchange(
        Some(&admin),
        &name,
        "pässword".as_bytes(),
        "pässword".as_bytes(),
    )
    .unwrap();
    assert_eq!(
        info,
        ScramClientFirstInfo {
            username: name.clone(),
            authzid: Some(admin)
        }
    );
    assert_eq!(
        exchange(None, &name, b"wrong", b"right"),
        Err(SaslError::WrongProof)
    );
    let odd = user("a,b=c =2C");
    assert_eq!(exchange(Some(&odd), &odd, b"", b"").unwrap().username, odd);
}

#[test]
fn server_accepts_the_y_flag_when_the_binding_echoes_it() {
    use super::secrets::{client_key, salted_password, server_key, sign, xor};
    use crate::sasl::encode_base64;

    let (server, _) =
        ScramServer::start(b"y,,n=user,r=rOprNGfwEbeRWgbNEkqO", SERVER_SUFFIX).unwrap();
    let (server, first) = server.server_first(&rfc_secrets());
    let server_first = std::str::from_utf8(&first).unwrap();
    let nonce = format!("rOprNGfwEbeRWgbNEkqO{SERVER_SUFFIX}");
    let without_proof = format!("c=eSws,r={nonce}");
    let auth_message = [
        "n=user,r=rOprNGfwEbeRWgbNEkqO",
        server_first,
        &without_proof,
    ];
    let salted = salted_password(
        b"pencil",
        &decode_base64(b"W22ZaJ0SNY7soEsUEjb6gQ==").unwrap(),
        4096,
    );
    let key = client_key(&salted);
    let proof = xor(&key, &sign(&crate::sasl::mac::sha256(&key), auth_message));
    let client_final = format!("{without_proof},p={}", encode_base64(&proof));
    let expected = format!(
        "v={}",
        encode_base64(&sign(&server_key(&salted), auth_message))
    );
    assert_eq!(
        server.finish(client_final.as_bytes()).unwrap(),
        expected.as_bytes()
    );
}

#[test]
fn unknown_user_looks_like_a_known_one_and_fails() {
    let start = || ScramServer::start(CLIENT_FIRST, SERVER_SUFFIX).unwrap().0;
    let (server, first) = start().server_first_unknown_user(b"server seed", 4096);
    let (_, again) = start().server_first_unknown_user(b"server seed", 4096);
    assert_eq!(first, again, "same unknown name, same salt");
    let text = String::from_utf8(first.clone()).unwrap();
    assert!(text.starts_with("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s="));
    assert!(text.ends_with(",i=4096"));
    let (client, _) = ScramClient::start(&user("user"), b"pencil", "rOprNGfwEbeRWgbNEkqO").unwrap();
    let (_, client_final) = client.handle_server_first(&first).unwrap();
    assert_eq!(server.finish(&client_final), Err(SaslError::WrongProof));

    // The real user's proof for this exchange is refused as well.
    let (server, _) = start().server_first_unknown_user(b"server seed", 4096);
    assert_eq!(server.finish(CLIENT_FINAL), Err(SaslError::WrongProof));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trips_any_printable_name_and_password(
        name in "[!-~]([ -~]{0,30}[!-~])?",
        authzid in proptest::option::of("[!-~]{1,20}"),
        password in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let name = user(&name);
        let authzid = authzid.map(|a| user(&a));
        let info = exchange(authzid.as_ref(), &name, &password, &password).unwrap();
        prop_assert_eq!(info.username, name);
        prop_assert_eq!(info.authzid, authzid);
    }

    #[test]
    fn wrong_password_always_fails(
        password in proptest::collection::vec(any::<u8>(), 0..20),
        other in proptest::collection::vec(any::<u8>(), 0..20),
    ) {
        prop_assume!(password != other);
        prop_assert_eq!(exchange(None, &user("u,=x"), &password, &other), Err(SaslError::WrongProof));
    }

    #[test]
    fn parsers_never_panic(input in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok((server, _)) = ScramServer::start(&input, "s") {
            let _ = server.server_first(&ScramSecrets::derive(b"p", b"s", 1)).0.finish(&input);
        }
        let (client, _) = ScramClient::start(&user("u"), b"p", "c").unwrap();
        let _ = client.handle_server_first(&input);
        let (client, _) = ScramClient::start(&user("u"), b"p", "c").unwrap();
        if let Ok((client, _)) = client.handle_server_first(b"r=cs,s=AA==,i=1") {
            let _ = client.verify_server_final(&input);
        }
    }

    #[test]
    fn parsers_never_panic_on_near_misses(tail in "[a-z=,.!~%$0-9+/]{0,60}") {
        let _ = ScramServer::start(format!("n,,n=u,r={tail}").as_bytes(), "s");
        let (server, _) = ScramServer::start(b"n,,n=u,r=c", "s").unwrap();
        let (server, _) = server.server_first(&ScramSecrets::derive(b"p", b"s", 1));
        let _ = server.finish(format!("c=biws,r=cs,{tail}").as_bytes());
        let (client, _) = ScramClient::start(&user("u"), b"p", "c").unwrap();
        let _ = client.handle_server_first(format!("r=cs,{tail}").as_bytes());
    }
}
