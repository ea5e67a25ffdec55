//! Every SASL decoder on arbitrary messages, and whole SCRAM exchanges.
//!
//! The first byte picks the decoder; see `pop3_fuzz::sasl` for the
//! invariants of each.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pop3_fuzz::sasl::check(data);
});
