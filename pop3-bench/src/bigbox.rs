//! A big maildrop: how long login, STAT and UIDL take, the first time
//! the server sees the maildrop and the time after.

use std::time::{Duration, Instant};

use crate::conn::{Conn, Failure};
use crate::target::Target;

/// One timed session.
#[derive(Debug, Clone, Copy)]
pub struct Listing {
    /// Connect to the end of the UIDL listing.
    pub elapsed: Duration,
    /// Messages STAT counted.
    pub count: u32,
    /// Entries UIDL listed.
    pub uids: usize,
}

/// Connects as `user`, logs in, runs STAT and UIDL (timed), then QUIT.
pub async fn list(target: &Target, user: &str) -> Result<Listing, Failure> {
    let started = Instant::now();
    let mut conn = Conn::new(target.tcp().await?);
    conn.login(user, &target.password).await?;
    let (count, _) = conn.stat().await?;
    let uids = conn.uidl().await?;
    let elapsed = started.elapsed();
    conn.quit().await?;
    Ok(Listing {
        elapsed,
        count,
        uids,
    })
}
