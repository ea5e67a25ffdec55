//! A server session on arbitrary peer input; see `pop3_fuzz::server::check`
//! for the input layout and the invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pop3_fuzz::server::check(data);
});
