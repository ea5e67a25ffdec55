//! Dot-stuffing and unstuffing of message bodies, in arbitrary chunkings.
//!
//! The first 8 bytes are a tape that chooses chunkings and a TOP line
//! count; the rest is a stored message, also read as raw wire input.
//! Invariants, see `pop3_fuzz::body` for the list.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pop3_fuzz::body::check(data);
});
