//! `pop3-bench`: a POP3 load generator on the sans-IO client of
//! `pop3-proto`, and the tools of `bench/compare.sh` and
//! `bench/scaling.sh` (test mail, certificates, the tables, the plot).

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use pop3_bench::cli::{Cli, Command, Layout, LoopbackArgs, PopulateArgs, RunArgs};
use pop3_bench::populate::{Group, Owner};
use pop3_bench::results::{self, Sink};
use pop3_bench::{certs, cli, limits, loopback, plot, populate, report, run, scaling};

/// Descriptors the generator asks for: enough for 10,000+ connections.
const NOFILE: u64 = 1 << 20;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(&args),
        Command::Loopback(args) => loopback(&args),
        Command::Populate(args) => populate(&args),
        Command::Certs { dir } => certs::write(&dir),
        Command::Report { results, layout } => report(&results, layout),
        Command::Plot {
            results,
            out,
            subtitle,
        } => read_results(&results).and_then(|rows| plot::draw(&rows, &out, &subtitle)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pop3-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &RunArgs) -> Result<(), String> {
    let limit = limits::raise_nofile(NOFILE);
    if matches!(args.scenario, cli::Scenario::Idle) && (limit as usize) < args.connections + 64 {
        return Err(format!(
            "open-file limit {limit} is too low for {} connections",
            args.connections
        ));
    }
    let runtime = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()
    }
    .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let sink = runtime.block_on(run::run(args))?;
    sink.emit(args.results.as_deref())
        .map_err(|e| format!("writing results: {e}"))
}

fn loopback(args: &LoopbackArgs) -> Result<(), String> {
    let copy = loopback::measure(Duration::from_secs_f64(args.seconds.max(0.1)), args.chunk)
        .map_err(|e| format!("loopback copy: {e}"))?;
    let mut sink = Sink::new("machine", "loopback", 1);
    sink.put("mb_per_s", copy.mb_per_s());
    sink.put("bytes", copy.bytes as f64);
    sink.emit(args.results.as_deref())
        .map_err(|e| format!("writing results: {e}"))
}

fn populate(args: &PopulateArgs) -> Result<(), String> {
    let mut groups = vec![
        Group {
            prefix: "s".into(),
            users: args.small_users,
            messages: args.small_messages,
            size: args.small_size,
            shared: true,
        },
        Group {
            prefix: "l".into(),
            users: args.large_users,
            messages: args.large_messages,
            size: args.large_size,
            shared: true,
        },
        Group {
            prefix: "i".into(),
            users: args.idle_users,
            messages: args.idle_messages,
            size: args.small_size,
            shared: true,
        },
    ];
    for &size in &args.big {
        groups.push(Group {
            prefix: format!("big{size}-"),
            users: 1,
            messages: size,
            size: args.big_size,
            shared: false,
        });
    }
    let owner = Owner {
        uid: args.uid,
        gid: args.gid,
    };
    let users = populate::populate(&args.dir, &groups, &args.password, owner)
        .map_err(|e| format!("{}: {e}", args.dir.display()))?;
    println!(
        "{users} users under {}; pop3d maildir template {}",
        args.dir.display(),
        populate::maildir_template(&args.dir).display()
    );
    Ok(())
}

fn read_results(path: &std::path::Path) -> Result<Vec<results::Row>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(results::parse(&text))
}

fn report(path: &std::path::Path, layout: Layout) -> Result<(), String> {
    let rows = read_results(path)?;
    match layout {
        Layout::Compare => {
            println!("{}", report::table(&rows));
            println!("{}", report::targets(&rows));
        }
        Layout::Scaling => println!("{}", scaling::table(&rows)),
    }
    let failures = report::failures(&rows);
    if !failures.is_empty() {
        println!("Failed sessions:\n\n{failures}");
    }
    Ok(())
}
