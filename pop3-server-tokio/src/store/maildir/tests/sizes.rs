//! Sizes equal what RETR sends, and the size cache.

use pop3_proto::body::wire_size;

use super::super::cache::CACHE_FILE;
use super::*;

/// Dovecot's name for a message: `S=` the length, `W=` the length with
/// LF counted as CRLF.
fn dovecot_name(stem: &str, body: &[u8], flags: &str) -> String {
    let lf = body.iter().filter(|&&b| b == b'\n').count();
    let crlf = body.windows(2).filter(|w| w == b"\r\n").count();
    let w = body.len() + lf - crlf;
    format!("{stem},S={},W={w}:2,{flags}", body.len())
}

#[tokio::test]
async fn sizes_equal_the_wire_size_of_the_stored_bytes() {
    let fx = Fixture::new();
    let bodies: Vec<Vec<u8>> = vec![
        postfix_message("first"),
        postfix_message("second").replace_lf_with_crlf(),
        b"Subject: no final newline\n\nbody".to_vec(),
        b"Subject: mixed\r\n\nbare\r\nend\n".to_vec(),
        Vec::new(),
    ];
    for (i, body) in bodies.iter().enumerate() {
        let name = format!("17325500{i:02}.V801I2a3bM12345{i}.host");
        fx.deliver("alice", "new", &name, body, 100 + i as u64);
    }
    let open = fx.open("alice").await.unwrap();
    let expected: Vec<u64> = bodies.iter().map(|b| wire_size(b)).collect();
    assert_eq!(sizes(&open), expected);
}

#[tokio::test]
async fn dovecot_w_sizes_equal_the_wire_size() {
    let fx = Fixture::new();
    let body = postfix_message("dovecot");
    let unterminated = b"Subject: x\n\nlast line open".to_vec();
    let crlf = postfix_message("crlf").replace_lf_with_crlf();
    for (i, body) in [&body, &unterminated, &crlf].into_iter().enumerate() {
        let name = dovecot_name(&format!("1732550{i}.M20P300.mx"), body, "S");
        fx.deliver("alice", "cur", &name, body, 100 + i as u64);
    }
    let open = fx.open("alice").await.unwrap();
    assert_eq!(
        sizes(&open),
        [wire_size(&body), wire_size(&unterminated), wire_size(&crlf)]
    );
}

/// Rewrites every size in the cache file to `size`, keeping the rest.
fn forge_cache_sizes(maildir: &Path, size: u64) {
    let path = maildir.join(CACHE_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let mut forged = format!("{}\n", lines.next().unwrap());
    for line in lines {
        let (_, rest) = line.split_once(' ').unwrap();
        forged.push_str(&format!("{size} {rest}\n"));
    }
    std::fs::write(&path, forged).unwrap();
}

#[tokio::test]
async fn measured_sizes_are_cached_and_reused() {
    let fx = Fixture::new();
    let body = postfix_message("cached");
    fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", &body, 100);
    let first = sizes(&fx.open("alice").await.unwrap());
    assert_eq!(first, [wire_size(&body)]);
    let maildir = fx.maildir("alice");
    assert!(maildir.join(CACHE_FILE).is_file());
    assert_eq!(sizes(&fx.open("alice").await.unwrap()), first);

    // A size only the cache holds shows the cache is what was read.
    forge_cache_sizes(&maildir, 4242);
    assert_eq!(sizes(&fx.open("alice").await.unwrap()), [4242]);
}

#[tokio::test]
async fn edited_message_is_measured_again() {
    let fx = Fixture::new();
    let path = fx.deliver(
        "alice",
        "new",
        "1732550000.V801I2a3bM1.host",
        b"short\n",
        100,
    );
    fx.open("alice").await.unwrap();
    forge_cache_sizes(&fx.maildir("alice"), 4242);
    let edited = b"a longer body\nthan before\n";
    std::fs::write(&path, edited).unwrap();
    set_mtime(&path, 100);
    assert_eq!(sizes(&fx.open("alice").await.unwrap()), [wire_size(edited)]);
}

#[tokio::test]
async fn renamed_message_keeps_its_cached_size() {
    let fx = Fixture::new();
    let path = fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", b"x\n", 100);
    fx.open("alice").await.unwrap();
    forge_cache_sizes(&fx.maildir("alice"), 4242);
    let moved = fx
        .maildir("alice")
        .join("cur/1732550000.V801I2a3bM1.host:2,S");
    std::fs::rename(&path, &moved).unwrap();
    assert_eq!(sizes(&fx.open("alice").await.unwrap()), [4242]);
}

#[tokio::test]
async fn corrupt_cache_is_rebuilt() {
    let fx = Fixture::new();
    let body = postfix_message("rebuilt");
    fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", &body, 100);
    let cache = fx.maildir("alice").join(CACHE_FILE);
    std::fs::write(&cache, b"\xff\xfe not a cache\n1 2 3").unwrap();
    assert_eq!(sizes(&fx.open("alice").await.unwrap()), [wire_size(&body)]);
    let text = std::fs::read_to_string(&cache).unwrap();
    assert!(text.starts_with("pop3d-size-cache 2 1 "), "{text:?}");
    assert!(text.contains("1732550000.V801I2a3bM1.host"), "{text:?}");
}

#[tokio::test]
async fn cache_forgets_removed_messages() {
    let fx = Fixture::new();
    let gone = fx.deliver("alice", "new", "gone.host", b"x\n", 100);
    fx.deliver("alice", "new", "kept.host", b"y\n", 101);
    fx.open("alice").await.unwrap();
    std::fs::remove_file(gone).unwrap();
    fx.open("alice").await.unwrap();
    let text = std::fs::read_to_string(fx.maildir("alice").join(CACHE_FILE)).unwrap();
    assert!(!text.contains("gone.host"), "{text:?}");
    assert!(text.contains("kept.host"), "{text:?}");
}

trait CrLf {
    fn replace_lf_with_crlf(self) -> Vec<u8>;
}

impl CrLf for Vec<u8> {
    fn replace_lf_with_crlf(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len() * 2);
        for b in self {
            if b == b'\n' {
                out.push(b'\r');
            }
            out.push(b);
        }
        out
    }
}
