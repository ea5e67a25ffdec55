//! Each scheme against fixed published vectors and against values the
//! hash crates make here.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::*;
use crate::auth::{HashCost, hash_password_with};

const SEED: [u8; 32] = [9; 32];

fn user(name: &str) -> Username {
    Username::try_from(name).unwrap()
}

fn parse(field: &str) -> StoredPassword {
    StoredPassword::parse_field(field, &user("alice"), &SEED)
        .unwrap()
        .unwrap()
}

/// Cheap work factors, so debug-build tests stay quick.
fn cheap() -> HashCost {
    HashCost {
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        argon2_parallelism: 1,
        bcrypt_cost: 4,
        sha_crypt_rounds: 1000,
        scram_iterations: 4096,
    }
}

// Values for the password "test" from Dovecot's own password-scheme test
// suite (src/auth/test-libpassword.c in dovecot/core).
const DOVECOT_ARGON2ID: &str = "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$vBb99oJ12p3WAdYlaMHz1A$jtFOtbo/sYV9OSlTxDo/nVNq3uArHd5GJSEx0ty85Cc";
const DOVECOT_BLF_CRYPT: &str =
    "{BLF-CRYPT}$2y$05$11ipvo5dR6CwkzwmhwM26OXgzXwhV2PyPuLV.Qi31ILcRcThQpEiW";
const DOVECOT_SCRAM: &str = "{SCRAM-SHA-256}4096,LfNGSFqiFykEZ1xDAYlnKQ==,HACNf9CII7cMz3XjRy/Oh3Ae2LHApoDyNw74d3YtFws=,AQH0j7Hf8J12g8eNBadvzlNB2am3PxgNwFCFd3RxEaw=";

// Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512" specification,
// first test vector: key "Hello world!", salt "saltstring", 5000 rounds.
const DREPPER_SHA512: &str = "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";
const DREPPER_SHA256: &str = "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5";

#[test]
fn plain_fixed_vector() {
    let p = parse("{PLAIN}test");
    assert_eq!(p.scheme(), Scheme::Plain);
    assert!(p.verify(b"test"));
    for wrong in [&b"Test"[..], b"tes", b"test ", b""] {
        assert!(!p.verify(wrong), "{wrong:?}");
    }
    assert_eq!(p.plaintext(), Some(&b"test"[..]));
    assert_eq!(parse("{cleartext}test").scheme(), Scheme::Plain);
    assert_eq!(parse("{plain}test").plaintext(), Some(&b"test"[..]));
}

#[test]
fn argon2id_fixed_vector() {
    let p = parse(DOVECOT_ARGON2ID);
    assert_eq!(p.scheme(), Scheme::Argon2id);
    assert!(p.verify(b"test"));
    assert!(!p.verify(b"tset"));
}

#[test]
fn blf_crypt_fixed_vector() {
    let p = parse(DOVECOT_BLF_CRYPT);
    assert_eq!(p.scheme(), Scheme::BlfCrypt);
    assert!(p.verify(b"test"));
    assert!(!p.verify(b"test2"));
    // The same hash without a prefix is CRYPT, resolved by `$2y$`.
    assert_eq!(
        parse(DOVECOT_BLF_CRYPT.trim_start_matches("{BLF-CRYPT}")).scheme(),
        Scheme::BlfCrypt
    );
}

#[test]
fn sha_crypt_fixed_vectors() {
    for (field, scheme) in [
        (
            format!("{{SHA512-CRYPT}}{DREPPER_SHA512}"),
            Scheme::Sha512Crypt,
        ),
        (DREPPER_SHA512.to_owned(), Scheme::Sha512Crypt),
        (format!("{{CRYPT}}{DREPPER_SHA512}"), Scheme::Sha512Crypt),
        (
            format!("{{SHA256-CRYPT}}{DREPPER_SHA256}"),
            Scheme::Sha256Crypt,
        ),
        (DREPPER_SHA256.to_owned(), Scheme::Sha256Crypt),
    ] {
        let p = parse(&field);
        assert_eq!(p.scheme(), scheme, "{field}");
        assert!(p.verify(b"Hello world!"), "{field}");
        assert!(!p.verify(b"Hello world?"), "{field}");
    }
}

#[test]
fn dovecot_scram_fixed_vector() {
    let p = parse(DOVECOT_SCRAM);
    assert_eq!(p.scheme(), Scheme::ScramSha256);
    assert!(p.verify(b"test"));
    assert!(!p.verify(b"test1"));
    assert_eq!(p.plaintext(), None);
    // The stored keys are exactly what RFC 5802's derivation gives for
    // that salt and count, so the field order is read right.
    let secrets = p.scram_secrets().unwrap();
    assert_eq!(secrets.iterations, 4096);
    assert_eq!(
        secrets.salt,
        STANDARD.decode("LfNGSFqiFykEZ1xDAYlnKQ==").unwrap()
    );
    assert_eq!(
        secrets,
        ScramSecrets::derive(b"test", &secrets.salt, secrets.iterations)
    );
}

#[test]
fn generated_values_verify_right_and_refuse_wrong() {
    for scheme in Scheme::ALL {
        let field = hash_password_with(scheme, b"correct horse", &cheap()).unwrap();
        assert!(
            field.starts_with(&format!("{{{}}}", scheme.name())),
            "{field}"
        );
        let p = parse(&field);
        assert_eq!(p.scheme(), scheme);
        assert!(p.verify(b"correct horse"), "{scheme}");
        assert!(!p.verify(b"correct horsf"), "{scheme}");
        assert!(!p.verify(b""), "{scheme}");
    }
}

#[test]
fn generated_values_use_the_expected_forms() {
    let h = |s| hash_password_with(s, b"pw", &cheap()).unwrap();
    assert!(h(Scheme::Argon2id).starts_with("{ARGON2ID}$argon2id$v=19$m=64,t=1,p=1$"));
    assert!(h(Scheme::Sha512Crypt).starts_with("{SHA512-CRYPT}$6$rounds=1000$"));
    assert!(h(Scheme::Sha256Crypt).starts_with("{SHA256-CRYPT}$5$rounds=1000$"));
    assert!(h(Scheme::BlfCrypt).starts_with("{BLF-CRYPT}$2y$04$"));
    assert!(h(Scheme::ScramSha256).starts_with("{SCRAM-SHA-256}4096,"));
    assert_eq!(h(Scheme::Plain), "{PLAIN}pw");
    // Fresh salt each time.
    assert_ne!(h(Scheme::Argon2id), h(Scheme::Argon2id));
}

#[test]
fn plain_users_get_derived_scram_keys_with_a_per_user_salt() {
    let alice = parse("{PLAIN}pencil").scram_secrets().unwrap();
    assert_eq!(alice.iterations, PLAIN_SCRAM_ITERATIONS);
    assert_eq!(alice.salt.len(), 16);
    assert_eq!(
        alice,
        ScramSecrets::derive(b"pencil", &alice.salt, PLAIN_SCRAM_ITERATIONS)
    );
    let again = parse("{PLAIN}pencil").scram_secrets().unwrap();
    assert_eq!(alice, again, "same user and seed, same salt");
    let bob = StoredPassword::parse_field("{PLAIN}pencil", &user("bob"), &SEED)
        .unwrap()
        .unwrap()
        .scram_secrets()
        .unwrap();
    assert_ne!(alice.salt, bob.salt);
    let other_seed = StoredPassword::parse_field("{PLAIN}pencil", &user("alice"), &[1; 32])
        .unwrap()
        .unwrap()
        .scram_secrets()
        .unwrap();
    assert_ne!(alice.salt, other_seed.salt);
}

#[test]
fn one_way_hashes_give_no_plaintext_or_scram_keys() {
    for field in [DOVECOT_BLF_CRYPT, DREPPER_SHA512, DREPPER_SHA256] {
        let p = parse(field);
        assert_eq!(p.plaintext(), None);
        assert_eq!(p.scram_secrets(), None);
    }
}

#[test]
fn debug_shows_the_scheme_only() {
    for field in ["{PLAIN}hunter2", DOVECOT_SCRAM, DREPPER_SHA512] {
        let shown = format!("{:?} {:#?}", parse(field), parse(field));
        assert!(shown.contains("scheme"), "{shown}");
        for secret_part in ["hunter2", "LfNGSF", "saltstring", "svn8", "104"] {
            assert!(!shown.contains(secret_part), "{shown}");
        }
    }
}

#[test]
fn locked_values_parse_to_no_password() {
    for field in ["", "!", "*", "!$6$x$y", "{CRYPT}*", "{crypt}"] {
        let parsed = StoredPassword::parse_field(field, &user("alice"), &SEED);
        assert!(matches!(parsed, Ok(None)), "{field:?}");
    }
}

#[test]
fn bad_fields_are_refused_without_echoing_them() {
    for (field, expect) in [
        ("{MD5}abcdef", "unknown password scheme MD5"),
        (
            "{s3cr3t pass}x",
            "unknown password scheme (unprintable name)",
        ),
        ("{PLAIN}", "empty password"),
        (
            "{ARGON2ID}$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            "$argon2id$",
        ),
        ("{SHA512-CRYPT}$5$saltstring$abc", "wrong $id$ prefix"),
        ("{BLF-CRYPT}$2y$05$tooshort", "60 characters"),
        ("{SCRAM-SHA-256}1000,c2FsdA==,a,b", "iteration count"),
        (
            "{BLF-CRYPT}$2y$19$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234",
            "cost above 18",
        ),
        (
            "{SHA512-CRYPT}$6$rounds=20000001$salt$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "rounds above 20000000",
        ),
        (
            "{ARGON2ID}$argon2id$v=19$m=1048576,t=17,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "m times t",
        ),
        (
            "{ARGON2ID}$argon2id$v=19$m=16777216,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "m is above 1 GiB",
        ),
        ("secretpassword", "{PLAIN} prefix"),
        (
            "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7",
            "yescrypt",
        ),
    ] {
        let err = StoredPassword::parse_field(field, &user("alice"), &SEED)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expect), "{field}: {err}");
        let value = field.split_once('}').map_or(field, |(_, v)| v);
        if !value.is_empty() {
            assert!(!err.contains(value), "{field}: {err}");
        }
    }
}

#[test]
fn hash_password_refuses_what_cannot_be_stored() {
    let cost = cheap();
    assert!(hash_password_with(Scheme::Plain, b"a:b", &cost).is_err());
    assert!(hash_password_with(Scheme::Plain, b"a\nb", &cost).is_err());
    assert!(hash_password_with(Scheme::Plain, b"\xff", &cost).is_err());
    assert!(hash_password_with(Scheme::Argon2id, b"", &cost).is_err());
    assert!(hash_password_with(Scheme::BlfCrypt, &[b'a'; 73], &cost).is_err());
    assert!(hash_password_with(Scheme::BlfCrypt, &[b'a'; 72], &cost).is_ok());
    let too_cheap = HashCost {
        scram_iterations: 100,
        sha_crypt_rounds: 10,
        bcrypt_cost: 3,
        ..cheap()
    };
    let too_dear = HashCost {
        sha_crypt_rounds: 20_000_001,
        bcrypt_cost: 19,
        argon2_memory_kib: 4 << 20,
        argon2_iterations: 5,
        ..cheap()
    };
    let refused = |scheme, cost: &HashCost| {
        let err = hash_password_with(scheme, b"pw", cost).unwrap_err();
        assert!(matches!(err, crate::auth::HashError::Cost { .. }), "{err}");
    };
    for scheme in [Scheme::ScramSha256, Scheme::Sha512Crypt, Scheme::BlfCrypt] {
        refused(scheme, &too_cheap);
    }
    for scheme in [Scheme::Argon2id, Scheme::Sha512Crypt, Scheme::BlfCrypt] {
        refused(scheme, &too_dear);
    }
    // One pass of 2 GiB: cheap in work, too much memory per attempt.
    let too_big = HashCost {
        argon2_memory_kib: 2 << 20,
        argon2_iterations: 1,
        ..cheap()
    };
    refused(Scheme::Argon2id, &too_big);
}
