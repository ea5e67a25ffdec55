//! Unique-ids from base names.
//!
//! The base name is the unique-id when it already fits the UIDL grammar
//! (1 to 70 octets of 0x21-0x7E), which is the case for every name Postfix,
//! Dovecot and Courier write. Any other base is hashed, so a unique-id is
//! always valid and, like the base, survives flag renames and restarts.

use std::collections::{HashMap, HashSet};

use pop3_proto::types::{Uid, ValueError};
use sha2::{Digest, Sha256};

/// Prefix of a hashed unique-id. Delivery agents never start a base name
/// with it, so a hash does not shadow a literal name.
const HASHED: &str = "sha256-";

/// Prefix of the unique-id given to a later message whose base name (or
/// hash) an earlier message in the snapshot already has.
const REPEATED: &str = "dup";

/// The unique-id of the message with this base name. (The error cannot
/// happen: a hash in hex after a graphic prefix always fits the grammar.)
pub(super) fn uid_for(base: &[u8]) -> Result<Uid, ValueError> {
    match Uid::try_from(base) {
        Ok(uid) => Ok(uid),
        Err(_) => hashed(HASHED, &[base]),
    }
}

/// Unique-ids for messages with these base names, in order: each is
/// [`uid_for`] its base unless an earlier message took that one, in which
/// case it gets a hash of its base and a counter. Deterministic for a
/// given list, so a snapshot never carries a repeated unique-id.
pub(super) fn unique_uids<'a>(
    bases: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<Uid>, ValueError> {
    let bases: Vec<&[u8]> = bases.into_iter().collect();
    let uids = bases
        .iter()
        .map(|base| uid_for(base))
        .collect::<Result<Vec<_>, _>>()?;
    // Repeats are rare: check for them without copying any unique-id.
    let mut seen = HashSet::with_capacity(uids.len());
    if uids.iter().all(|uid| seen.insert(uid.as_str())) {
        return Ok(uids);
    }
    renumber_repeats(&bases)
}

/// [`unique_uids`] for a list with repeats, one message at a time: each
/// takes the first of its base's unique-ids (attempt 0, then `dup1-`,
/// `dup2-`, ...) that no earlier message has.
///
/// Every attempt below the last one a base used is taken (by that base's
/// earlier messages, or by whatever made them skip it), so a repeat
/// starts from there: k messages sharing a base cost k hashes, not k².
fn renumber_repeats(bases: &[&[u8]]) -> Result<Vec<Uid>, ValueError> {
    let mut taken: HashSet<Uid> = HashSet::new();
    let mut last_attempt: HashMap<&[u8], u64> = HashMap::new();
    let mut uids = Vec::with_capacity(bases.len());
    for &base in bases {
        let mut attempt = last_attempt.get(base).copied().unwrap_or(0);
        let mut uid = attempt_uid(base, attempt)?;
        while taken.contains(&uid) {
            attempt += 1;
            uid = attempt_uid(base, attempt)?;
        }
        last_attempt.insert(base, attempt);
        taken.insert(uid.clone());
        uids.push(uid);
    }
    Ok(uids)
}

/// The unique-id `base` gets at `attempt`: its own for 0, else a hash
/// numbered by the attempt.
fn attempt_uid(base: &[u8], attempt: u64) -> Result<Uid, ValueError> {
    if attempt == 0 {
        return uid_for(base);
    }
    let prefix = format!("{REPEATED}{attempt}-");
    hashed(&prefix, &[base, b"\0", &attempt.to_be_bytes()])
}

/// `prefix` followed by as much of the hex SHA-256 of `parts` as fits in
/// a unique-id.
fn hashed(prefix: &str, parts: &[&[u8]]) -> Result<Uid, ValueError> {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut text = String::with_capacity(Uid::MAX_LEN);
    text.push_str(prefix);
    for byte in digest.iter() {
        if text.len() + 2 > Uid::MAX_LEN {
            break;
        }
        text.push(hex_digit(byte >> 4));
        text.push(hex_digit(byte & 0x0f));
    }
    Uid::try_from(text)
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(uid: &Uid) -> bool {
        Uid::validate(uid.as_str().as_bytes()).is_ok()
    }

    #[test]
    fn ordinary_names_are_their_own_uid() {
        let base = b"1732550000.V801I2a3bM123456.host";
        assert_eq!(
            uid_for(base).unwrap().as_str(),
            "1732550000.V801I2a3bM123456.host"
        );
        let dovecot = b"1732550001.M20P300.mx,S=1200,W=1230";
        assert_eq!(
            uid_for(dovecot).unwrap().as_str(),
            "1732550001.M20P300.mx,S=1200,W=1230"
        );
    }

    #[test]
    fn odd_names_hash_to_valid_stable_uids() {
        let long = vec![b'a'; 200];
        let odd: [&[u8]; 6] = [
            b"with space",
            "caf\u{e9}.host".as_bytes(),
            &long,
            b"",
            b"\xff\xfe",
            b"tab\there",
        ];
        for base in odd {
            let uid = uid_for(base).unwrap();
            assert!(valid(&uid), "{uid}");
            assert!(uid.as_str().starts_with(HASHED), "{uid}");
            assert_eq!(uid, uid_for(base).unwrap());
        }
        assert_ne!(
            uid_for(b"with space").unwrap(),
            uid_for(b"with  space").unwrap()
        );
        assert_eq!(uid_for(&long).unwrap().as_str().len(), Uid::MAX_LEN - 1);
    }

    #[test]
    fn seventy_graphic_octets_are_kept_seventy_one_are_hashed() {
        let seventy = vec![b'x'; 70];
        assert_eq!(uid_for(&seventy).unwrap().as_str().as_bytes(), &seventy[..]);
        let seventy_one = vec![b'x'; 71];
        assert!(uid_for(&seventy_one).unwrap().as_str().starts_with(HASHED));
    }

    #[test]
    fn repeats_get_distinct_deterministic_uids() {
        let bases: [&[u8]; 4] = [b"a", b"a", b"b", b"a"];
        let uids = unique_uids(bases).unwrap();
        assert_eq!(uids[0].as_str(), "a");
        assert_eq!(uids[2].as_str(), "b");
        assert!(uids[1].as_str().starts_with("dup1-"));
        assert!(uids[3].as_str().starts_with("dup2-"));
        let set: HashSet<_> = uids.iter().collect();
        assert_eq!(set.len(), 4);
        assert!(uids.iter().all(valid));
        assert_eq!(uids, unique_uids(bases).unwrap());
    }

    /// The unique-ids a repeat gets, by trying every attempt from 0: what
    /// [`renumber_repeats`] must give, faster.
    fn renumbered_from_scratch(bases: &[&[u8]]) -> Vec<Uid> {
        let mut taken = HashSet::new();
        let mut uids = Vec::new();
        for &base in bases {
            let mut attempt = 0;
            let mut uid = attempt_uid(base, attempt).unwrap();
            while taken.contains(&uid) {
                attempt += 1;
                uid = attempt_uid(base, attempt).unwrap();
            }
            taken.insert(uid.clone());
            uids.push(uid);
        }
        uids
    }

    #[test]
    fn many_repeats_of_one_base_stay_distinct_and_unchanged() {
        let dup2 = attempt_uid(b"a", 2).unwrap();
        // A literal name equal to a repeat's hash, between the repeats.
        let mut bases: Vec<&[u8]> = vec![b"a", b"b", dup2.as_str().as_bytes()];
        bases.extend(std::iter::repeat_n(&b"a"[..], 300));
        bases.extend([&b"b"[..], b"b"]);
        let uids = unique_uids(bases.iter().copied()).unwrap();
        assert_eq!(uids, renumbered_from_scratch(&bases));
        let set: HashSet<_> = uids.iter().collect();
        assert_eq!(set.len(), bases.len());
        assert!(uids.iter().all(valid));
    }

    #[test]
    fn literal_name_equal_to_a_hash_does_not_repeat() {
        let hashed_uid = uid_for(b"with space").unwrap();
        let bases: [&[u8]; 2] = [b"with space", hashed_uid.as_str().as_bytes()];
        let uids = unique_uids(bases).unwrap();
        assert_ne!(uids[0], uids[1]);
    }
}
