//! A sans-IO POP3 protocol core: bytes in, events and bytes out.
//!
//! This crate never touches a socket, a file, a clock, a thread or an async
//! runtime. Adapters feed it bytes and the current time, act on the events
//! it raises (check a password, open a maildrop, read a message, commit
//! deletions, start TLS) and write the bytes it produces.
#![forbid(unsafe_code)]

pub mod apop;
pub mod body;
pub mod client;
pub mod encode;
pub mod parse;
pub mod sasl;
pub mod server;
pub mod types;

pub use types::*;
