//! Shared parts of the fuzz targets: a decision tape, builders of valid
//! protocol values from fuzz bytes, and the in-memory applications that
//! drive a server or client session while checking its invariants.
//!
//! The body, SASL and session targets in `fuzz_targets/` are thin
//! `fuzz_target!` wrappers around a `check` function here; the parser
//! targets are short enough to live in their own files.

pub mod body;
pub mod client;
pub mod lines;
pub mod sasl;
pub mod server;
pub mod tape;
pub mod values;
