//! The fleet table of `bench/scaling.sh`: any setup labels, in the order
//! they were run, each figure shown as the range over repeated runs (a
//! shared machine moves figures between runs; one value would hide it),
//! with the CPU of each named server tree in columns of its own.

use std::fmt::Write as _;

use crate::report::number;
use crate::results::Row;
use crate::run::PART_CPU_PCT;

/// Figures shown for every setup, scenario and concurrency: metric key
/// and heading.
const COLUMNS: &[(&str, &str)] = &[
    ("sessions_per_s", "sessions/s"),
    ("messages_per_s", "messages/s"),
    ("mb_per_s", "MB/s"),
    ("p50_ms", "p50 ms"),
    ("p99_ms", "p99 ms"),
    ("server_cpu_per_session_us", "server CPU µs/session"),
    ("server_cpu_per_message_us", "server CPU µs/message"),
    ("server_cpu_pct", "server CPU %"),
];

/// Values in first-seen order, each once.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen: Vec<&str> = Vec::new();
    for v in values {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen
}

/// Every value of one figure, one per run.
fn values(rows: &[Row], server: &str, scenario: &str, level: u64, metric: &str) -> Vec<f64> {
    rows.iter()
        .filter(|r| {
            r.server == server
                && r.scenario == scenario
                && r.concurrency == level
                && r.metric == metric
        })
        .map(|r| r.value)
        .collect()
}

/// The lowest and highest value, as one number when they print alike.
pub fn range(values: &[f64]) -> String {
    let low = values.iter().copied().reduce(f64::min);
    let high = values.iter().copied().reduce(f64::max);
    let (low, high) = (number(low), number(high));
    if low == high {
        low
    } else {
        format!("{low}–{high}")
    }
}

/// The table: one line per setup, scenario and concurrency.
pub fn table(rows: &[Row]) -> String {
    let rows: Vec<Row> = rows
        .iter()
        .filter(|r| r.server != "machine")
        .cloned()
        .collect();
    let parts = distinct(
        rows.iter()
            .filter_map(|r| r.metric.strip_prefix(PART_CPU_PCT)),
    );
    let mut out = String::from("| setup | scenario | conc. | runs |");
    for (_, heading) in COLUMNS {
        let _ = write!(out, " {heading} |");
    }
    for part in &parts {
        let _ = write!(out, " {part} CPU % |");
    }
    out.push_str(" generator CPU % |\n|---|---|---:|---:|");
    out.push_str(&"---:|".repeat(COLUMNS.len() + parts.len() + 1));
    out.push('\n');
    for server in distinct(rows.iter().map(|r| r.server.as_str())) {
        let of_server: Vec<&Row> = rows.iter().filter(|r| r.server == server).collect();
        for scenario in distinct(of_server.iter().map(|r| r.scenario.as_str())) {
            let of_scenario: Vec<&Row> = of_server
                .iter()
                .copied()
                .filter(|r| r.scenario == scenario)
                .collect();
            let mut levels: Vec<u64> = of_scenario.iter().map(|r| r.concurrency).collect();
            levels.sort_unstable();
            levels.dedup();
            for level in levels {
                let get = |metric: &str| values(&rows, server, scenario, level, metric);
                // Each run writes each of its figures once.
                let runs = distinct(
                    of_scenario
                        .iter()
                        .filter(|r| r.concurrency == level)
                        .map(|r| r.metric.as_str()),
                )
                .into_iter()
                .map(|metric| get(metric).len())
                .max()
                .unwrap_or(0);
                let _ = write!(out, "| {server} | {scenario} | {level} | {runs} |");
                for (key, _) in COLUMNS {
                    let _ = write!(out, " {} |", range(&get(key)));
                }
                for part in &parts {
                    let _ = write!(out, " {} |", range(&get(&format!("{PART_CPU_PCT}{part}"))));
                }
                let _ = writeln!(out, " {} |", range(&get("gen_cpu_pct")));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::parse;

    const SAMPLE: &str = "machine\tloopback\t1\tmb_per_s\t4000\n\
        haproxy-1\tsessions\t8\tsessions_per_s\t1000\n\
        haproxy-1\tsessions\t8\tpart_cpu_pct_pop3d\t40\n\
        haproxy-1\tsessions\t8\tpart_cpu_pct_haproxy\t20\n\
        haproxy-1\tsessions\t8\tgen_cpu_pct\t30\n\
        haproxy-1\tsessions\t8\tsessions_per_s\t1200\n\
        haproxy-1\tsessions\t8\tpart_cpu_pct_pop3d\t40.2\n\
        haproxy-1\tsessions\t1\tsessions_per_s\t300\n\
        direct-1\tsmall\t64\tmessages_per_s\t9000\n\
        direct-1\tsmall\t64\tp99_ms\t12.5\n";

    #[test]
    fn repeats_become_ranges_and_setups_keep_their_order() {
        let table = table(&parse(SAMPLE));
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "| setup | scenario | conc. | runs | sessions/s | messages/s | MB/s | p50 ms | p99 ms \
             | server CPU µs/session | server CPU µs/message | server CPU % | pop3d CPU % \
             | haproxy CPU % | generator CPU % |"
        );
        assert_eq!(lines.len(), 5, "{table}");
        // Levels ascending within a setup; the loopback row is not a setup.
        assert!(lines[2].starts_with("| haproxy-1 | sessions | 1 | 1 | 300 |"));
        // Two runs: the range, and equal-looking values shown once.
        assert_eq!(
            lines[3],
            "| haproxy-1 | sessions | 8 | 2 | 1000–1200 | – | – | – | – | – | – | – | 40.0–40.2 | 20.0 | 30.0 |"
        );
        assert!(lines[4].starts_with("| direct-1 | small | 64 | 1 | – | 9000 |"));
        assert!(lines[4].contains("| 12.5 |"));
    }

    #[test]
    fn a_range_of_nothing_is_a_dash() {
        assert_eq!(range(&[]), "–");
        assert_eq!(range(&[2.0, 1.0, 3.0]), "1.00–3.00");
        assert_eq!(range(&[1500.2, 1499.9]), "1500");
    }
}
