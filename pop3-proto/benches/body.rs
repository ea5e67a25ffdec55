//! Throughput of the body codecs against a plain memcpy of the same bytes.
//!
//! The message is ~1 MiB with LF line endings, as Maildir stores it:
//! headers, text lines of 60-78 characters (some starting with `.`), then
//! a base64 attachment of 76-character lines. Each bench's throughput is
//! counted over its own input.

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pop3_proto::body::{DotStuffer, DotUnstuffer, wire_form, wire_size};

const TARGET: usize = 1 << 20;

/// A tiny deterministic generator, so runs are comparable.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn message() -> Vec<u8> {
    const WORDS: &[&str] = &[
        "the", "mail", "server", "protocol", "octet", "line", "message", "of", "and", "client",
        "a", "retrieve", "mailbox", "to", "session", "state", "in", "response", "is", "data",
    ];
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rng = Lcg(0x5eed);
    let mut m = Vec::with_capacity(TARGET + 256);
    for i in 0..20 {
        m.extend_from_slice(
            format!("X-Header-{i}: value number {i} for this message\n").as_bytes(),
        );
    }
    m.extend_from_slice(b"Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n\n");
    while m.len() < TARGET * 2 / 5 {
        let width = 60 + rng.below(19) as usize;
        let start = m.len();
        if rng.below(20) == 0 {
            m.push(b'.');
        }
        while m.len() - start < width {
            let word = WORDS
                .get(rng.below(WORDS.len() as u64) as usize)
                .unwrap_or(&"x");
            m.extend_from_slice(word.as_bytes());
            m.push(b' ');
        }
        m.push(b'\n');
    }
    m.extend_from_slice(b"--b\nContent-Transfer-Encoding: base64\n\n");
    while m.len() < TARGET - 80 {
        for _ in 0..76 {
            m.push(*B64.get(rng.below(64) as usize).unwrap_or(&b'A'));
        }
        m.push(b'\n');
    }
    m.extend_from_slice(b"--b--\n");
    m
}

fn stuff(stored: &[u8], out: &mut BytesMut) {
    out.clear();
    let mut stuffer = DotStuffer::new();
    stuffer.encode(stored, out);
    stuffer.finish(out);
}

fn bench_body(c: &mut Criterion) {
    let stored = message();
    let mut group = c.benchmark_group("body");
    group.throughput(Throughput::Bytes(stored.len() as u64));

    let mut copy = Vec::with_capacity(stored.len());
    group.bench_function("memcpy", |b| {
        b.iter(|| {
            copy.clear();
            copy.extend_from_slice(black_box(&stored));
            black_box(copy.len())
        })
    });

    let mut out = BytesMut::with_capacity(stored.len() * 2);
    group.bench_function("dot_stuff_encode", |b| {
        b.iter(|| {
            stuff(black_box(&stored), &mut out);
            black_box(out.len())
        })
    });

    // The same message stored with CRLF: no CR to insert, copies are long.
    let crlf = wire_form(&stored);
    group.throughput(Throughput::Bytes(crlf.len() as u64));
    group.bench_function("dot_stuff_encode_crlf_stored", |b| {
        b.iter(|| {
            stuff(black_box(&crlf), &mut out);
            black_box(out.len())
        })
    });

    let mut wire = BytesMut::new();
    stuff(&stored, &mut wire);
    let mut decoded = BytesMut::with_capacity(wire.len());
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.bench_function("dot_unstuff_decode", |b| {
        b.iter(|| {
            decoded.clear();
            let result = DotUnstuffer::new().decode(black_box(&wire), &mut decoded);
            black_box(result)
        })
    });

    group.throughput(Throughput::Bytes(stored.len() as u64));
    group.bench_function("wire_size", |b| b.iter(|| wire_size(black_box(&stored))));
    group.finish();
}

criterion_group!(benches, bench_body);
criterion_main!(benches);
