//! Limits that protect the server from its peers: how many connections,
//! how fast a peer may guess passwords, and how often a maildrop may be
//! logged in to.

mod connections;
mod peer_group;
mod penalty;
mod recent_logins;
mod swept;

pub use connections::{ConnectionLimits, ConnectionPermit, Refusal};
pub use peer_group::peer_group;
pub use penalty::LoginPenalty;
pub use recent_logins::RecentLogins;
