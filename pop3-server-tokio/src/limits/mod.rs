//! Limits that protect the server from its peers: how many connections,
//! and how fast a peer may guess passwords.

mod connections;
mod penalty;

pub use connections::{ConnectionLimits, ConnectionPermit, Refusal};
pub use penalty::LoginPenalty;
