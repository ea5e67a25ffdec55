//! Timed load: `concurrency` workers, each running whole sessions back to
//! back until the deadline, every worker on its own user (a maildrop is
//! locked by its session on some servers).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite};

use crate::conn::{Conn, Failure};
use crate::target::{Target, server_name};

/// What a session does after logging in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// STAT, QUIT.
    Stat,
    /// STAT, RETR of every message, QUIT.
    RetrieveAll,
}

/// What one session moved.
#[derive(Debug, Clone, Copy, Default)]
struct Outcome {
    messages: u64,
    bytes: u64,
}

/// Sums over all workers.
#[derive(Debug, Default)]
pub struct Totals {
    /// Sessions completed.
    pub sessions: u64,
    /// Messages retrieved.
    pub messages: u64,
    /// Message octets received.
    pub bytes: u64,
    /// Sessions that failed.
    pub errors: u64,
    /// The first failure, for the operator.
    pub first_error: Option<String>,
    /// Latency of each completed session, connect to close.
    pub latencies: Vec<Duration>,
}

impl Totals {
    fn merge(&mut self, other: Totals) {
        self.sessions += other.sessions;
        self.messages += other.messages;
        self.bytes += other.bytes;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.latencies.extend(other.latencies);
    }

    fn record(&mut self, result: Result<Outcome, Failure>, started: Instant) {
        match result {
            Ok(outcome) => {
                self.sessions += 1;
                self.messages += outcome.messages;
                self.bytes += outcome.bytes;
                self.latencies.push(started.elapsed());
            }
            Err(e) => {
                self.errors += 1;
                if self.first_error.is_none() {
                    self.first_error = Some(e.to_string());
                }
            }
        }
    }
}

/// One session as user `index`, over TLS when the target says so.
async fn session(target: &Target, index: usize, work: Work) -> Result<Outcome, Failure> {
    let tcp = target.tcp().await?;
    let user = target.user(index);
    match &target.tls {
        None => drive(Conn::new(tcp), &user, &target.password, work).await,
        Some(tls) => {
            let stream = tls.connect(server_name(), tcp).await?;
            drive(Conn::new(stream), &user, &target.password, work).await
        }
    }
}

async fn drive<S: AsyncRead + AsyncWrite + Unpin>(
    mut conn: Conn<S>,
    user: &str,
    password: &[u8],
    work: Work,
) -> Result<Outcome, Failure> {
    conn.login(user, password).await?;
    let (count, _) = conn.stat().await?;
    let mut messages = 0;
    if work == Work::RetrieveAll {
        for n in 1..=count {
            conn.retr(n).await?;
            messages += 1;
        }
    }
    let bytes = conn.body_bytes;
    conn.quit().await?;
    Ok(Outcome { messages, bytes })
}

/// One session per worker, not counted: brings each maildrop to its
/// steady state (the server's indexes and caches written, new mail moved
/// to `cur/`). Returns the totals so failures can be shown.
pub async fn warm_up(target: Arc<Target>, work: Work, concurrency: usize) -> Totals {
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let target = Arc::clone(&target);
        tasks.push(tokio::spawn(async move {
            let mut totals = Totals::default();
            let started = Instant::now();
            totals.record(session(&target, worker, work).await, started);
            totals
        }));
    }
    join(tasks).await
}

/// Runs `concurrency` workers until `duration` has passed; sessions in
/// progress at the deadline are finished and counted.
pub async fn timed(
    target: Arc<Target>,
    work: Work,
    concurrency: usize,
    duration: Duration,
) -> Totals {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let target = Arc::clone(&target);
        tasks.push(tokio::spawn(async move {
            let mut totals = Totals::default();
            while Instant::now() < deadline {
                let started = Instant::now();
                let result = session(&target, worker, work).await;
                let failed = result.is_err();
                totals.record(result, started);
                if failed {
                    // Do not spin on a server that refuses.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            totals
        }));
    }
    join(tasks).await
}

async fn join(tasks: Vec<tokio::task::JoinHandle<Totals>>) -> Totals {
    let mut all = Totals::default();
    for task in tasks {
        match task.await {
            Ok(totals) => all.merge(totals),
            Err(e) => {
                all.errors += 1;
                all.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    all
}
