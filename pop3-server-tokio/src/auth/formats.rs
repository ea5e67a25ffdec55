//! Shape checks for each scheme's stored value, run when the users file is
//! read, so that a damaged entry stops the load with its line number
//! instead of failing every login later. None of the errors quote the
//! value: it is secret material.

use argon2::PasswordHash;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT};
use pop3_proto::sasl::scram::{MAX_ITERATIONS, ScramSecrets};
use thiserror::Error;

use super::scheme::Scheme;

/// The smallest SCRAM iteration count Dovecot accepts in a stored value
/// (RFC 7677 asks for at least 4096).
pub const MIN_SCRAM_ITERATIONS: u32 = 4096;

/// The costliest values a login will verify. Each is hundreds of times
/// the usual setting, and about 10 to 30 seconds of one core per attempt:
/// above them a typo in a users file would let anyone who knows the user
/// name hold the server's hashing slots for minutes to days per guess.
///
/// bcrypt cost (usual: 10 to 12).
pub(crate) const MAX_BCRYPT_COST: u32 = 18;
/// SHA-crypt rounds (usual: 5000).
pub(crate) const MAX_SHA_CRYPT_ROUNDS: u32 = 20_000_000;
/// Argon2id memory in KiB times passes (usual: 19 MiB x 2).
const MAX_ARGON2_WORK_KIB: u64 = 1 << 24;
/// Argon2id memory in KiB: each verification allocates it, one per core
/// at a time.
const MAX_ARGON2_MEMORY_KIB: u32 = 1 << 20;

/// Why a password field could not be used. The messages name the scheme
/// and the fault, never the value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PasswordFormatError {
    /// `{NAME}` is not a scheme this server knows.
    #[error("unknown password scheme {}", name.as_deref().unwrap_or("(unprintable name)"))]
    UnknownScheme {
        /// The name, when it looks like a scheme name (short, letters,
        /// digits, `-`, `.`, `_`); `None` otherwise, so that a stray `{`
        /// in a secret is never echoed.
        name: Option<String>,
    },
    /// The value does not have the scheme's form.
    #[error("malformed {scheme} value: {reason}")]
    Malformed {
        /// The scheme the value was read as.
        scheme: Scheme,
        /// What is wrong.
        reason: &'static str,
    },
    /// A CRYPT value (no `{SCHEME}` prefix, or `{CRYPT}`) of a kind this
    /// server cannot verify.
    #[error(
        "CRYPT value is {kind}, which this server cannot verify; \
         set a new password with `pop3d hash-password`"
    )]
    UnsupportedCrypt {
        /// What the value looks like, e.g. "yescrypt ($y$)".
        kind: &'static str,
    },
}

fn malformed(scheme: Scheme, reason: &'static str) -> PasswordFormatError {
    PasswordFormatError::Malformed { scheme, reason }
}

/// What a CRYPT value turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CryptKind {
    /// A hash one of the supported schemes verifies.
    Hash(Scheme),
    /// An empty value, or one starting with `!` or `*`: the conventional
    /// marks of an account that must not log in.
    Locked,
}

/// Sorts a CRYPT value by its `$id$` prefix, as libc's `crypt()` would.
pub(crate) fn resolve_crypt(value: &str) -> Result<CryptKind, PasswordFormatError> {
    if value.is_empty() || value.starts_with('!') || value.starts_with('*') {
        return Ok(CryptKind::Locked);
    }
    let unsupported = |kind| Err(PasswordFormatError::UnsupportedCrypt { kind });
    let known = [
        ("$6$", Some(Scheme::Sha512Crypt), ""),
        ("$5$", Some(Scheme::Sha256Crypt), ""),
        ("$2y$", Some(Scheme::BlfCrypt), ""),
        ("$2b$", Some(Scheme::BlfCrypt), ""),
        ("$2a$", Some(Scheme::BlfCrypt), ""),
        (
            "$2x$",
            None,
            "bcrypt with the $2x$ bug-compatibility prefix",
        ),
        ("$1$", None, "MD5-crypt ($1$)"),
        ("$y$", None, "yescrypt ($y$)"),
        ("$gy$", None, "gost-yescrypt ($gy$)"),
        ("$7$", None, "scrypt ($7$)"),
        (
            "$argon2",
            None,
            "an Argon2 hash: write it as {ARGON2ID}$argon2id$...",
        ),
    ];
    for (prefix, scheme, kind) in known {
        if value.starts_with(prefix) {
            return match scheme {
                Some(scheme) => Ok(CryptKind::Hash(scheme)),
                None => unsupported(kind),
            };
        }
    }
    let crypt_alphabet = |s: &str| s.bytes().all(is_crypt_char);
    if value.starts_with('$') {
        unsupported("a $id$ hash of an unknown kind")
    } else if value.len() == 13 && crypt_alphabet(value) {
        unsupported("traditional DES crypt")
    } else if value.len() == 20 && value.starts_with('_') {
        unsupported("BSDi extended DES crypt")
    } else {
        unsupported("not a crypt hash (a plaintext password needs the {PLAIN} prefix)")
    }
}

/// The characters of crypt's base64 alphabet.
fn is_crypt_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'/'
}

/// Checks `$argon2id$v=19$m=...,t=...,p=...$salt$hash`.
pub(crate) fn check_argon2id(value: &str) -> Result<(), PasswordFormatError> {
    let bad = |reason| malformed(Scheme::Argon2id, reason);
    if !value.starts_with("$argon2id$") {
        return Err(bad("expected a PHC string starting with $argon2id$"));
    }
    let hash = PasswordHash::new(value).map_err(|_| bad("not a valid PHC string"))?;
    if hash.salt.is_none() || hash.hash.is_none() {
        return Err(bad("salt or hash missing"));
    }
    let params =
        argon2::Params::try_from(&hash).map_err(|_| bad("invalid m, t or p parameters"))?;
    if let Some(reason) = argon2_too_costly(params.m_cost(), params.t_cost()) {
        return Err(bad(reason));
    }
    Ok(())
}

/// Why Argon2id with this memory (KiB) and these passes is too costly to
/// verify at login, if it is.
pub(crate) fn argon2_too_costly(memory_kib: u32, passes: u32) -> Option<&'static str> {
    if memory_kib > MAX_ARGON2_MEMORY_KIB {
        Some("m is above 1 GiB: too much memory to verify at login")
    } else if u64::from(memory_kib) * u64::from(passes) > MAX_ARGON2_WORK_KIB {
        Some("m times t is above 16 GiB: too slow to verify at login")
    } else {
        None
    }
}

/// Checks `$6$[rounds=N$]salt$hash` (or `$5$` for SHA-256 crypt).
pub(crate) fn check_sha_crypt(value: &str, scheme: Scheme) -> Result<(), PasswordFormatError> {
    let bad = |reason| malformed(scheme, reason);
    let (prefix, hash_len) = match scheme {
        Scheme::Sha256Crypt => ("$5$", 43),
        _ => ("$6$", 86),
    };
    let rest = value
        .strip_prefix(prefix)
        .ok_or_else(|| bad("wrong $id$ prefix for this scheme"))?;
    let fields: Vec<&str> = rest.split('$').collect();
    let (salt, hash) = match fields.as_slice() {
        [rounds, salt, hash] => {
            let n = rounds
                .strip_prefix("rounds=")
                .and_then(|n| n.parse::<u32>().ok())
                .ok_or_else(|| bad("expected rounds=N before the salt"))?;
            if sha_crypt::Params::new(n).is_err() {
                return Err(bad("rounds must be between 1000 and 999999999"));
            }
            if n > MAX_SHA_CRYPT_ROUNDS {
                return Err(bad("rounds above 20000000: too slow to verify at login"));
            }
            (*salt, *hash)
        }
        [salt, hash] if !salt.starts_with("rounds=") => (*salt, *hash),
        _ => return Err(bad("expected salt$hash after the prefix")),
    };
    if salt.is_empty() || salt.contains(':') {
        return Err(bad("empty or invalid salt"));
    }
    if hash.len() != hash_len || !hash.bytes().all(is_crypt_char) {
        return Err(bad("hash part has the wrong length or characters"));
    }
    sha_crypt::PasswordHashRef::new(value).map_err(|_| bad("not a valid crypt string"))?;
    Ok(())
}

/// Checks `$2y$NN$` + 53 characters (also `$2b$` and `$2a$`).
pub(crate) fn check_bcrypt(value: &str) -> Result<(), PasswordFormatError> {
    let bad = |reason| malformed(Scheme::BlfCrypt, reason);
    let prefix_ok = ["$2y$", "$2b$", "$2a$"]
        .iter()
        .any(|p| value.starts_with(p));
    if !prefix_ok {
        return Err(bad("expected a $2y$, $2b$ or $2a$ prefix"));
    }
    if value.len() != 60 || !value.is_ascii() {
        return Err(bad("a bcrypt hash is 60 characters"));
    }
    let cost = value
        .get(4..6)
        .and_then(|c| c.parse::<u32>().ok())
        .ok_or_else(|| bad("cost is not a number"))?;
    if !(4..=31).contains(&cost) {
        return Err(bad("cost must be between 04 and 31"));
    }
    if cost > MAX_BCRYPT_COST {
        return Err(bad("cost above 18: too slow to verify at login"));
    }
    let tail_ok = value.get(6..7) == Some("$")
        && value.get(7..).is_some_and(|t| t.bytes().all(is_crypt_char));
    if !tail_ok {
        return Err(bad("salt and hash must follow the cost"));
    }
    value
        .parse::<bcrypt::HashParts>()
        .map_err(|_| bad("salt or hash does not decode"))?;
    Ok(())
}

/// Reads Dovecot's SCRAM-SHA-256 form:
/// `iterations,base64 salt,base64 StoredKey,base64 ServerKey`.
pub(crate) fn parse_dovecot_scram(value: &str) -> Result<ScramSecrets, PasswordFormatError> {
    let bad = |reason| malformed(Scheme::ScramSha256, reason);
    let fields: Vec<&str> = value.split(',').collect();
    let [iterations, salt, stored_key, server_key] = fields.as_slice() else {
        return Err(bad("expected iterations,salt,StoredKey,ServerKey"));
    };
    let iterations: u32 = iterations
        .parse()
        .map_err(|_| bad("iteration count is not a number"))?;
    if !(MIN_SCRAM_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
        return Err(bad("iteration count must be between 4096 and 1048576"));
    }
    let salt = STANDARD_PAD_INDIFFERENT
        .decode(salt)
        .map_err(|_| bad("salt is not base64"))?;
    if salt.is_empty() {
        return Err(bad("salt is empty"));
    }
    let key = |text: &str, reason| {
        STANDARD_PAD_INDIFFERENT
            .decode(text)
            .ok()
            .and_then(|k| <[u8; 32]>::try_from(k).ok())
            .ok_or_else(|| bad(reason))
    };
    Ok(ScramSecrets {
        salt,
        iterations,
        stored_key: key(stored_key, "StoredKey is not 32 octets of base64")?,
        server_key: key(server_key, "ServerKey is not 32 octets of base64")?,
    })
}

/// Writes SCRAM-SHA-256 keys in Dovecot's form (without the `{...}`).
pub(crate) fn format_dovecot_scram(secrets: &ScramSecrets) -> String {
    format!(
        "{},{},{},{}",
        secrets.iterations,
        STANDARD.encode(&secrets.salt),
        STANDARD.encode(secrets.stored_key),
        STANDARD.encode(secrets.server_key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA512: &str = "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";
    const BCRYPT: &str = "$2y$05$11ipvo5dR6CwkzwmhwM26OXgzXwhV2PyPuLV.Qi31ILcRcThQpEiW";

    #[test]
    fn crypt_values_resolve_by_prefix() {
        assert_eq!(
            resolve_crypt(SHA512),
            Ok(CryptKind::Hash(Scheme::Sha512Crypt))
        );
        assert_eq!(
            resolve_crypt("$5$x$y"),
            Ok(CryptKind::Hash(Scheme::Sha256Crypt))
        );
        for p in ["$2y$", "$2b$", "$2a$"] {
            assert_eq!(
                resolve_crypt(&format!("{p}05$x")),
                Ok(CryptKind::Hash(Scheme::BlfCrypt))
            );
        }
        for locked in ["", "!", "*", "!$6$abc$def", "*LK*"] {
            assert_eq!(resolve_crypt(locked), Ok(CryptKind::Locked), "{locked:?}");
        }
    }

    #[test]
    fn unsupported_crypt_values_are_named_without_the_value() {
        for (value, word) in [
            ("$y$j9T$abc$def", "yescrypt"),
            ("$1$abcdefgh$0123456789012345678901", "MD5-crypt"),
            ("//EsnG9FLTKjo", "DES"),
            ("$argon2id$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "ARGON2ID"),
            ("$9$whatever", "unknown kind"),
            ("hunter2", "{PLAIN}"),
        ] {
            let err = resolve_crypt(value).unwrap_err().to_string();
            assert!(err.contains(word), "{err}");
            assert!(!err.contains(value), "{err}");
        }
    }

    #[test]
    fn sha_crypt_shapes() {
        assert_eq!(check_sha_crypt(SHA512, Scheme::Sha512Crypt), Ok(()));
        let with_rounds = SHA512.replace("$6$", "$6$rounds=5000$");
        assert_eq!(check_sha_crypt(&with_rounds, Scheme::Sha512Crypt), Ok(()));
        for bad in [
            SHA512.replace("$6$", "$6$rounds=10$"),
            SHA512.replace("$6$", "$6$rounds=x$"),
            SHA512.replace("saltstring", ""),
            format!("{SHA512}x"),
            format!("{SHA512}$extra"),
            SHA512.replace("svn8", "sv*8"),
            "$6$".to_owned(),
        ] {
            assert!(check_sha_crypt(&bad, Scheme::Sha512Crypt).is_err(), "{bad}");
        }
        assert!(check_sha_crypt(SHA512, Scheme::Sha256Crypt).is_err());
    }

    #[test]
    fn bcrypt_shapes() {
        assert_eq!(check_bcrypt(BCRYPT), Ok(()));
        assert_eq!(check_bcrypt(&BCRYPT.replace("$2y$", "$2b$")), Ok(()));
        for bad in [
            BCRYPT.replace("$2y$", "$2x$"),
            BCRYPT.replace("$05$", "$03$"),
            BCRYPT.replace("$05$", "$xx$"),
            format!("{BCRYPT}A"),
            BCRYPT.replace('1', "é"),
            BCRYPT.replace("$05$", "$05*"),
        ] {
            assert!(check_bcrypt(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn argon2id_shapes() {
        let good = "$argon2id$v=19$m=65536,t=3,p=1$vBb99oJ12p3WAdYlaMHz1A$jtFOtbo/sYV9OSlTxDo/nVNq3uArHd5GJSEx0ty85Cc";
        assert_eq!(check_argon2id(good), Ok(()));
        for bad in [
            good.replace("argon2id", "argon2i"),
            good.replace("m=65536", "m=zz"),
            good.replace("$jtFOtbo/sYV9OSlTxDo/nVNq3uArHd5GJSEx0ty85Cc", ""),
            "$argon2id$".to_owned(),
        ] {
            assert!(check_argon2id(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dovecot_scram_round_trips_and_checks_fields() {
        let secrets = ScramSecrets::derive(b"pw", b"0123456789abcdef", 4096);
        let text = format_dovecot_scram(&secrets);
        assert_eq!(parse_dovecot_scram(&text), Ok(secrets));
        let key = STANDARD.encode([7u8; 32]);
        let short = STANDARD.encode([7u8; 31]);
        for bad in [
            format!("4095,c2FsdA==,{key},{key}"),
            format!("1048577,c2FsdA==,{key},{key}"),
            format!("x,c2FsdA==,{key},{key}"),
            format!("4096,,{key},{key}"),
            format!("4096,***,{key},{key}"),
            format!("4096,c2FsdA==,{short},{key}"),
            format!("4096,c2FsdA==,{key},{short}"),
            format!("4096,c2FsdA==,{key}"),
            format!("4096,c2FsdA==,{key},{key},extra"),
        ] {
            let err = parse_dovecot_scram(&bad).unwrap_err();
            assert!(!err.to_string().contains(&key), "{err}");
        }
    }
}
