//! Idle connections: many authenticated sessions held open at once, to
//! see what each costs the server in memory.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio::sync::Semaphore;

use crate::conn::{Conn, Failure};
use crate::procfs::{Memory, tree_memory};
use crate::target::Target;

/// What holding the connections showed.
#[derive(Debug)]
pub struct Held {
    /// Connections logged in and held.
    pub opened: usize,
    /// Connections that failed to open or log in.
    pub errors: usize,
    /// The first failure.
    pub first_error: Option<String>,
    /// Held connections that still answered NOOP after the measurement.
    pub alive: usize,
    /// Server memory with all connections held.
    pub memory: Memory,
    /// Time to open and log in all of them.
    pub setup: Duration,
}

async fn open(target: &Target, index: usize) -> Result<Conn<TcpStream>, Failure> {
    let mut conn = Conn::new(target.tcp().await?);
    conn.login(&target.user(index), &target.password).await?;
    Ok(conn)
}

/// Opens `connections` logged-in sessions, `parallel` at a time, one
/// user each; waits `settle`, reads the memory of the server trees under
/// `roots`, checks every session with NOOP, then closes them all (by
/// dropping them: a client that vanishes, the common case for idle ones).
pub async fn hold(
    target: Arc<Target>,
    connections: usize,
    parallel: usize,
    roots: &[u32],
    settle: Duration,
) -> Held {
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(parallel.max(1)));
    let mut tasks = Vec::with_capacity(connections);
    for index in 0..connections {
        let target = Arc::clone(&target);
        let gate = Arc::clone(&gate);
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.ok();
            open(&target, index).await
        }));
    }
    let mut held = Vec::with_capacity(connections);
    let mut errors = 0;
    let mut first_error = None;
    for task in tasks {
        match task.await {
            Ok(Ok(conn)) => held.push(conn),
            Ok(Err(e)) => {
                errors += 1;
                first_error.get_or_insert_with(|| e.to_string());
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    let setup = started.elapsed();
    tokio::time::sleep(settle).await;
    let memory = tree_memory(roots);
    let mut alive = 0;
    for conn in &mut held {
        if conn.noop().await.is_ok() {
            alive += 1;
        }
    }
    Held {
        opened: held.len(),
        errors,
        first_error,
        alive,
        memory,
        setup,
    }
}
