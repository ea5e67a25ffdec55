//! A sans-IO POP3 protocol core: bytes in, events and bytes out.
//!
//! This crate never touches a socket, a file, a clock, a thread or an async
//! runtime. Adapters feed it bytes and the current time, act on the events
//! it raises (check a password, open a maildrop, read a message, commit
//! deletions, start TLS) and write the bytes it produces.
//!
//! | module | what it holds |
//! |---|---|
//! | [`types`] | validated values: message numbers, unique-ids, user names, commands, responses |
//! | [`parse`] / [`encode`] | both directions of the wire format, for both sides |
//! | [`body`] | message bodies: wire size, dot-stuffing and unstuffing, streamed |
//! | [`sasl`], [`apop`] | the authentication mechanisms' messages and digests |
//! | [`server`] | the server session: AUTHORIZATION, TRANSACTION, UPDATE |
//!
//! The workspace README shows a whole server session driven in memory.
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

/// The workspace README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
