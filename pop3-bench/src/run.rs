//! `run`: one scenario against one server, with the CPU and memory of
//! the server's process tree and of the generator itself.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cli::{RunArgs, Scenario};
use crate::procfs::{CpuTime, own_cpu, tree_cpu, tree_memory, tree_size};
use crate::results::Sink;
use crate::scenario::{Totals, Work, timed, warm_up};
use crate::stats::percentile;
use crate::target::{Target, connector};
use crate::{bigbox, idle};

/// Metric name prefix of a named server tree's CPU, in % of one core.
pub const PART_CPU_PCT: &str = "part_cpu_pct_";

/// The default user prefix of a scenario, as `populate` names them.
fn default_prefix(args: &RunArgs) -> String {
    match args.scenario {
        Scenario::Sessions | Scenario::Idle => "i".to_owned(),
        Scenario::Small => "s".to_owned(),
        Scenario::Large | Scenario::LargeTls => "l".to_owned(),
        Scenario::Bigbox => format!("big{}-", args.size),
    }
}

fn target(args: &RunArgs) -> Result<Target, String> {
    let tls = match (args.scenario, &args.ca) {
        (Scenario::LargeTls, Some(ca)) => Some(connector(ca)?),
        (Scenario::LargeTls, None) => return Err("large-tls needs --ca".into()),
        _ => None,
    };
    let default_users = match args.scenario {
        Scenario::Idle => args.connections,
        _ => args.concurrency,
    };
    Ok(Target {
        addr: args.addr,
        tls,
        user_prefix: args
            .user_prefix
            .clone()
            .unwrap_or_else(|| default_prefix(args)),
        users: args.users.unwrap_or(default_users).max(1),
        password: args.password.clone().into_bytes(),
    })
}

/// Runs the scenario; returns the results to emit.
pub async fn run(args: &RunArgs) -> Result<Sink, String> {
    let target = Arc::new(target(args)?);
    let level = match args.scenario {
        Scenario::Idle => args.connections as u64,
        Scenario::Bigbox => args.size,
        _ => args.concurrency as u64,
    };
    let mut sink = Sink::new(&args.server, args.scenario.name(), level);
    match args.scenario {
        Scenario::Sessions => timed_run(args, target, Work::Stat, &mut sink).await?,
        Scenario::Small | Scenario::Large | Scenario::LargeTls => {
            timed_run(args, target, Work::RetrieveAll, &mut sink).await?
        }
        Scenario::Idle => idle_run(args, target, &mut sink).await?,
        Scenario::Bigbox => bigbox_run(args, &target, &mut sink).await?,
    }
    Ok(sink)
}

fn report_errors(label: &str, totals: &Totals) {
    if let Some(error) = &totals.first_error {
        eprintln!(
            "pop3-bench: {label}: {} session(s) failed; first: {error}",
            totals.errors
        );
    }
}

/// The named server trees, pids of one name together, names in the
/// order first given (the order of the report's columns).
fn named_trees(args: &RunArgs) -> Vec<(String, Vec<u32>)> {
    let mut named: Vec<(String, Vec<u32>)> = Vec::new();
    for server in &args.server_pids {
        let Some(name) = &server.name else { continue };
        match named.iter_mut().find(|(n, _)| n == name) {
            Some((_, pids)) => pids.push(server.pid),
            None => named.push((name.clone(), vec![server.pid])),
        }
    }
    named
}

/// The CPU time of each named group of trees, in the same order.
fn named_cpu(named: &[(String, Vec<u32>)]) -> Vec<CpuTime> {
    named.iter().map(|(_, pids)| tree_cpu(pids)).collect()
}

async fn timed_run(
    args: &RunArgs,
    target: Arc<Target>,
    work: Work,
    sink: &mut Sink,
) -> Result<(), String> {
    let concurrency = args.concurrency.max(1);
    let warm = warm_up(Arc::clone(&target), work, concurrency).await;
    report_errors("warm-up", &warm);
    if warm.sessions == 0 {
        return Err("no warm-up session succeeded: is the server up?".into());
    }
    let pids = args.pids();
    let named = named_trees(args);
    let server0 = tree_cpu(&pids);
    let named0 = named_cpu(&named);
    let own0 = own_cpu();
    let started = Instant::now();
    let duration = Duration::from_secs_f64(args.duration.max(0.1));
    let mut totals = timed(target, work, concurrency, duration).await;
    let elapsed = started.elapsed().as_secs_f64();
    let server = tree_cpu(&pids).since(server0).as_secs_f64();
    let named1 = named_cpu(&named);
    let own = own_cpu().since(own0).as_secs_f64();
    report_errors("load", &totals);
    let sessions = totals.sessions as f64;
    let messages = totals.messages as f64;
    sink.put("elapsed_s", elapsed);
    sink.put("sessions", sessions);
    sink.put("messages", messages);
    sink.put("bytes", totals.bytes as f64);
    sink.put("errors", totals.errors as f64);
    sink.put("sessions_per_s", sessions / elapsed);
    if messages > 0.0 {
        sink.put("messages_per_s", messages / elapsed);
        sink.put("mb_per_s", totals.bytes as f64 / 1e6 / elapsed);
    }
    let ms = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1e3);
    sink.put("p50_ms", ms(percentile(&mut totals.latencies, 50.0)));
    sink.put("p99_ms", ms(percentile(&mut totals.latencies, 99.0)));
    if !pids.is_empty() {
        sink.put("server_cpu_s", server);
        sink.put("server_cpu_pct", server / elapsed * 100.0);
        sink.put("server_cpu_per_session_us", server * 1e6 / sessions);
        sink.put("server_cpu_per_message_us", server * 1e6 / messages);
    }
    for (((name, _), before), after) in named.iter().zip(named0).zip(named1) {
        let used = after.since(before).as_secs_f64();
        sink.put(&format!("{PART_CPU_PCT}{name}"), used / elapsed * 100.0);
    }
    sink.put("gen_cpu_s", own);
    sink.put("gen_cpu_pct", own / elapsed * 100.0);
    sink.put("gen_cpu_per_message_us", own * 1e6 / messages);
    Ok(())
}

async fn idle_run(args: &RunArgs, target: Arc<Target>, sink: &mut Sink) -> Result<(), String> {
    let pids = args.pids();
    if pids.is_empty() {
        return Err("idle needs --server-pid to read the server's memory".into());
    }
    // One session first, so the baseline has the server's first-use
    // allocations (thread pools, caches) already made.
    let warm = warm_up(Arc::clone(&target), Work::Stat, 1).await;
    report_errors("warm-up", &warm);
    tokio::time::sleep(Duration::from_secs_f64(args.settle.max(0.0))).await;
    let before = tree_memory(&pids);
    let held = idle::hold(
        target,
        args.connections,
        args.parallel,
        &pids,
        Duration::from_secs_f64(args.settle.max(0.0)),
    )
    .await;
    if let Some(error) = &held.first_error {
        eprintln!(
            "pop3-bench: idle: {} connection(s) failed; first: {error}",
            held.errors
        );
    }
    // The connections are closed now; let a forking server reap its
    // processes before the next run measures it.
    let drained = settle_processes(&pids, before.processes, Duration::from_secs(180)).await;
    let n = held.opened.max(1) as f64;
    sink.put("drain_s", drained.as_secs_f64());
    sink.put("opened", held.opened as f64);
    sink.put("errors", held.errors as f64);
    sink.put("alive", held.alive as f64);
    sink.put("setup_s", held.setup.as_secs_f64());
    sink.put("processes_before", before.processes as f64);
    sink.put("processes", held.memory.processes as f64);
    sink.put("rss_before_kib", before.rss_kib as f64);
    sink.put("pss_before_kib", before.pss_kib as f64);
    sink.put("rss_kib", held.memory.rss_kib as f64);
    sink.put("pss_kib", held.memory.pss_kib as f64);
    let per = |after: u64, before: u64| (after as f64 - before as f64) / n;
    sink.put("rss_per_conn_kib", per(held.memory.rss_kib, before.rss_kib));
    sink.put("pss_per_conn_kib", per(held.memory.pss_kib, before.pss_kib));
    Ok(())
}

/// Waits (up to `limit`) until the server trees under `roots` are back
/// to `processes` processes; returns how long that took.
async fn settle_processes(roots: &[u32], processes: usize, limit: Duration) -> Duration {
    let started = Instant::now();
    while started.elapsed() < limit && tree_size(roots) > processes {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    started.elapsed()
}

async fn bigbox_run(args: &RunArgs, target: &Target, sink: &mut Sink) -> Result<(), String> {
    let pids = args.pids();
    let user = target.user(0);
    let mut warm = Vec::new();
    let mut warm_cpu = Vec::new();
    let processes = tree_size(&pids);
    for session in 0..=args.repeat.max(1) {
        let server0 = tree_cpu(&pids);
        let listing = bigbox::list(target, &user)
            .await
            .map_err(|e| format!("{user}: {e}"))?;
        // A forking server's session process counts once it is reaped.
        settle_processes(&pids, processes, Duration::from_secs(10)).await;
        let server = tree_cpu(&pids).since(server0);
        if u64::from(listing.count) != args.size || listing.uids as u64 != args.size {
            return Err(format!(
                "{user}: expected {} messages, STAT said {} and UIDL listed {}",
                args.size, listing.count, listing.uids
            ));
        }
        if session == 0 {
            sink.put("first_ms", listing.elapsed.as_secs_f64() * 1e3);
            if !pids.is_empty() {
                sink.put("first_server_cpu_ms", server.as_secs_f64() * 1e3);
            }
        } else {
            warm.push(listing.elapsed);
            warm_cpu.push(server);
        }
    }
    // Later sessions are alike; the median keeps one slow one (another
    // process on the machine) from standing for all.
    let ms = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1e3);
    sink.put("second_ms", ms(percentile(&mut warm, 50.0)));
    if !pids.is_empty() {
        sink.put("second_server_cpu_ms", ms(percentile(&mut warm_cpu, 50.0)));
    }
    Ok(())
}
