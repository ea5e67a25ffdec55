//! The side-by-side table and the targets, as Markdown, from a results
//! file holding runs of `pop3d` and Dovecot in its two modes.

use std::fmt::Write as _;

use crate::results::{Row, lookup};

/// The server under test.
pub const OURS: &str = "pop3d";
/// The servers compared with, by results label and table heading.
pub const THEIRS: [(&str, &str); 2] = [
    ("dovecot", "Dovecot as shipped"),
    ("dovecot-perf", "Dovecot high-perf"),
];

/// A figure shown for a scenario.
struct Metric {
    key: &'static str,
    label: &'static str,
    higher_is_better: bool,
}

const fn m(key: &'static str, label: &'static str, higher_is_better: bool) -> Metric {
    Metric {
        key,
        label,
        higher_is_better,
    }
}

/// Scenarios in table order, and the figures of each.
const LAYOUT: &[(&str, &[Metric])] = &[
    (
        "sessions",
        &[
            m("sessions_per_s", "sessions/s", true),
            m("p99_ms", "p99 session ms", false),
            m("server_cpu_per_session_us", "server CPU µs/session", false),
            m("gen_cpu_pct", "generator CPU %", false),
        ],
    ),
    (
        "small",
        &[
            m("messages_per_s", "messages/s", true),
            m("mb_per_s", "MB/s", true),
            m("p50_ms", "p50 session ms", false),
            m("p99_ms", "p99 session ms", false),
            m("server_cpu_per_message_us", "server CPU µs/message", false),
            m("gen_cpu_pct", "generator CPU %", false),
        ],
    ),
    (
        "large",
        &[
            m("mb_per_s", "MB/s", true),
            m("p99_ms", "p99 session ms", false),
            m("server_cpu_per_message_us", "server CPU µs/message", false),
            m("gen_cpu_pct", "generator CPU %", false),
        ],
    ),
    (
        "large-tls",
        &[
            m("mb_per_s", "MB/s", true),
            m("server_cpu_per_message_us", "server CPU µs/message", false),
            m("gen_cpu_pct", "generator CPU %", false),
        ],
    ),
    (
        "idle",
        &[
            m("rss_per_conn_kib", "RSS KiB/connection", false),
            m("pss_per_conn_kib", "PSS KiB/connection", false),
            m("alive", "connections held", true),
        ],
    ),
    (
        "bigbox",
        &[
            m("first_ms", "1st login+STAT+UIDL ms", false),
            m("second_ms", "later login+STAT+UIDL ms (median)", false),
        ],
    ),
];

/// Concurrencies (or maildrop sizes) present for a scenario, ascending.
fn levels(rows: &[Row], scenario: &str) -> Vec<u64> {
    let mut levels: Vec<u64> = rows
        .iter()
        .filter(|r| r.scenario == scenario)
        .map(|r| r.concurrency)
        .collect();
    levels.sort_unstable();
    levels.dedup();
    levels
}

/// A figure with as many decimals as it is worth; `–` for none.
pub fn number(value: Option<f64>) -> String {
    match value {
        None => "–".to_owned(),
        Some(v) if v.abs() >= 100.0 => format!("{v:.0}"),
        Some(v) if v.abs() >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
    }
}

/// How many times better ours is: above 1 favours pop3d.
fn advantage(ours: Option<f64>, theirs: Option<f64>, higher_is_better: bool) -> Option<f64> {
    let (ours, theirs) = (ours?, theirs?);
    let ratio = if higher_is_better {
        ours / theirs
    } else {
        theirs / ours
    };
    ratio.is_finite().then_some(ratio)
}

fn ratio_text(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "–".to_owned(), |r| format!("{r:.2}×"))
}

/// The table: one line a figure, pop3d beside each Dovecot mode and the
/// ratio (how many times better pop3d is; above 1 favours pop3d).
pub fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = write!(out, "| scenario | conc. | figure | pop3d |");
    for (_, heading) in THEIRS {
        let _ = write!(out, " {heading} | ratio |");
    }
    out.push_str("\n|---|---:|---|---:|");
    for _ in THEIRS {
        out.push_str("---:|---:|");
    }
    out.push('\n');
    if let Some(ceiling) = lookup(rows, "machine", "loopback", 1, "mb_per_s") {
        let _ = writeln!(
            out,
            "| loopback TCP | 1 | MB/s (ceiling) | {} |{}",
            number(Some(ceiling)),
            " | |".repeat(THEIRS.len())
        );
    }
    for (scenario, metrics) in LAYOUT {
        for level in levels(rows, scenario) {
            for metric in *metrics {
                let ours = lookup(rows, OURS, scenario, level, metric.key);
                let theirs: Vec<Option<f64>> = THEIRS
                    .iter()
                    .map(|(label, _)| lookup(rows, label, scenario, level, metric.key))
                    .collect();
                if ours.is_none() && theirs.iter().all(Option::is_none) {
                    continue;
                }
                let _ = write!(
                    out,
                    "| {scenario} | {level} | {} | {} |",
                    metric.label,
                    number(ours)
                );
                for value in theirs {
                    let ratio = if metric.key == "gen_cpu_pct" {
                        None
                    } else {
                        advantage(ours, value, metric.higher_is_better)
                    };
                    let _ = write!(out, " {} | {} |", number(value), ratio_text(ratio));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// Runs where sessions or connections failed, one line each; empty when
/// none did.
pub fn failures(rows: &[Row]) -> String {
    let mut out = String::new();
    for r in rows
        .iter()
        .filter(|r| r.metric == "errors" && r.value > 0.0)
    {
        let _ = writeln!(
            out,
            "- {} {} at {}: {} failed",
            r.server, r.scenario, r.concurrency, r.value
        );
    }
    out
}

/// One target's verdict against one Dovecot mode.
fn verdict(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "met",
        Some(false) => "MISSED",
        None => "not measured",
    }
}

/// A target on the ratio to Dovecot: title, scenario, metric, whether
/// higher is better, the least advantage, the concurrencies it holds at.
type RatioTarget = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    f64,
    &'static [u64],
);

/// The targets, each checked against both Dovecot modes.
pub fn targets(rows: &[Row]) -> String {
    let mut out = String::from("| target | ");
    for (_, heading) in THEIRS {
        let _ = write!(out, "vs {heading} | ");
    }
    out.push_str("\n|---|");
    for _ in THEIRS {
        out.push_str("---|");
    }
    out.push('\n');
    let ratio_at = |theirs: &str, scenario: &str, level: u64, key: &str, higher: bool| {
        advantage(
            lookup(rows, OURS, scenario, level, key),
            lookup(rows, theirs, scenario, level, key),
            higher,
        )
    };
    let ratio_targets: &[RatioTarget] = &[
        (
            "small mail messages/s ≥ 5×, conc. 8 and 64",
            "small",
            "messages_per_s",
            true,
            5.0,
            &[8, 64],
        ),
        (
            "small mail server CPU/message ≤ 1/5, conc. 8 and 64",
            "small",
            "server_cpu_per_message_us",
            false,
            5.0,
            &[8, 64],
        ),
        (
            "sessions/s ≥ 10×, conc. 8 and 64",
            "sessions",
            "sessions_per_s",
            true,
            10.0,
            &[8, 64],
        ),
        (
            "large mail MB/s ≥ 2×, conc. 8 and 64",
            "large",
            "mb_per_s",
            true,
            2.0,
            &[8, 64],
        ),
        (
            "p99 small-mail session latency at conc. 64 ≤ 1/5",
            "small",
            "p99_ms",
            false,
            5.0,
            &[64],
        ),
    ];
    for (title, scenario, key, higher, minimum, at) in ratio_targets {
        let _ = write!(out, "| {title} |");
        for (label, _) in THEIRS {
            let ratios: Vec<Option<f64>> = at
                .iter()
                .map(|&level| ratio_at(label, scenario, level, key, *higher))
                .collect();
            let ok = ratios
                .iter()
                .copied()
                .collect::<Option<Vec<f64>>>()
                .map(|rs| rs.iter().all(|r| r >= minimum));
            let shown: Vec<String> = ratios.into_iter().map(ratio_text).collect();
            let _ = write!(out, " {} ({}) |", verdict(ok), shown.join(", "));
        }
        out.push('\n');
    }
    // Absolute targets, the same for both columns.
    let ceiling = lookup(rows, "machine", "loopback", 1, "mb_per_s");
    let best_large = levels(rows, "large")
        .into_iter()
        .filter_map(|level| lookup(rows, OURS, "large", level, "mb_per_s"))
        .fold(None, |best: Option<f64>, v| {
            Some(best.map_or(v, |b| b.max(v)))
        });
    let share = best_large.zip(ceiling).map(|(b, c)| b / c);
    let line = format!(
        "{} ({} of the loopback ceiling)",
        verdict(share.map(|s| s >= 0.5)),
        share.map_or_else(|| "–".to_owned(), |s| format!("{:.0}%", s * 100.0))
    );
    let _ = writeln!(
        out,
        "| large mail MB/s ≥ 50% of loopback |{}",
        format!(" {line} |").repeat(THEIRS.len())
    );
    let idle_level = levels(rows, "idle").into_iter().max();
    let idle = |key| idle_level.and_then(|level| lookup(rows, OURS, "idle", level, key));
    let (rss, pss) = (idle("rss_per_conn_kib"), idle("pss_per_conn_kib"));
    let line = format!(
        "{} (RSS {} KiB, PSS {} KiB)",
        verdict(rss.zip(pss).map(|(r, p)| r <= 32.0 && p <= 32.0)),
        number(rss),
        number(pss)
    );
    let _ = writeln!(
        out,
        "| idle memory ≤ 32 KiB/connection |{}",
        format!(" {line} |").repeat(THEIRS.len())
    );
    // Big maildrop: second session no slower, at every size.
    let sizes = levels(rows, "bigbox");
    let _ = write!(out, "| big maildrop later login+STAT+UIDL no slower |");
    for (label, _) in THEIRS {
        let ratios: Vec<Option<f64>> = sizes
            .iter()
            .map(|&size| ratio_at(label, "bigbox", size, "second_ms", false))
            .collect();
        let ok = (!ratios.is_empty())
            .then(|| ratios.iter().copied().collect::<Option<Vec<f64>>>())
            .flatten()
            .map(|rs| rs.iter().all(|&r| r >= 1.0));
        let shown: Vec<String> = ratios.into_iter().map(ratio_text).collect();
        let _ = write!(out, " {} ({}) |", verdict(ok), shown.join(", "));
    }
    out.push('\n');
    let line = linear_growth(rows, &sizes);
    let _ = writeln!(
        out,
        "| big maildrop cost grows linearly |{}",
        format!(" {line} |").repeat(THEIRS.len())
    );
    out
}

/// Whether pop3d's second-session time per message at the largest size
/// stays within 1.5× of that at the next smaller size (fixed costs make
/// small maildrops dearer per message, never cheaper).
fn linear_growth(rows: &[Row], sizes: &[u64]) -> String {
    let per_message: Vec<(u64, f64)> = sizes
        .iter()
        .filter_map(|&size| {
            let ms = lookup(rows, OURS, "bigbox", size, "second_ms")?;
            Some((size, ms * 1000.0 / size.max(1) as f64))
        })
        .collect();
    let shown: Vec<String> = per_message
        .iter()
        .map(|(size, us)| format!("{size}: {us:.2} µs/msg"))
        .collect();
    let ok = match per_message.as_slice() {
        [.., (_, smaller), (_, largest)] => Some(*largest <= smaller * 1.5),
        _ => None,
    };
    format!("{} ({})", verdict(ok), shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::parse;

    const SAMPLE: &str = "machine\tloopback\t1\tmb_per_s\t4000\n\
        pop3d\tsmall\t8\tmessages_per_s\t6000\n\
        dovecot\tsmall\t8\tmessages_per_s\t1000\n\
        dovecot-perf\tsmall\t8\tmessages_per_s\t1500\n\
        pop3d\tsmall\t64\tmessages_per_s\t7000\n\
        dovecot\tsmall\t64\tmessages_per_s\t1000\n\
        dovecot-perf\tsmall\t64\tmessages_per_s\t2000\n\
        pop3d\tsmall\t64\tp99_ms\t10\n\
        dovecot\tsmall\t64\tp99_ms\t100\n\
        pop3d\tlarge\t8\tmb_per_s\t2500\n\
        pop3d\tidle\t1000\trss_per_conn_kib\t20\n\
        pop3d\tidle\t1000\tpss_per_conn_kib\t19\n\
        pop3d\tbigbox\t1000\tsecond_ms\t10\n\
        pop3d\tbigbox\t10000\tsecond_ms\t90\n\
        pop3d\tbigbox\t100000\tsecond_ms\t1000\n";

    #[test]
    fn table_shows_figures_and_ratios() {
        let table = table(&parse(SAMPLE));
        assert!(table.contains("| loopback TCP | 1 | MB/s (ceiling) | 4000 |"));
        assert!(table.contains("| small | 8 | messages/s | 6000 | 1000 | 6.00× | 1500 | 4.00× |"));
        // Lower is better: Dovecot's 100 ms against our 10 ms is 10×.
        assert!(table.contains("| small | 64 | p99 session ms | 10.0 | 100 | 10.00× | – | – |"));
    }

    #[test]
    fn failures_are_listed() {
        let rows = parse("pop3d\tsmall\t8\terrors\t0\ndovecot\tidle\t100\terrors\t3\n");
        assert_eq!(failures(&rows), "- dovecot idle at 100: 3 failed\n");
    }

    #[test]
    fn targets_are_judged_per_dovecot_mode() {
        let targets = targets(&parse(SAMPLE));
        let line = targets
            .lines()
            .find(|l| l.starts_with("| small mail messages/s"))
            .unwrap();
        assert!(line.contains("| met (6.00×, 7.00×) |"), "{line}");
        assert!(line.contains("| MISSED (4.00×, 3.50×) |"), "{line}");
        assert!(targets.contains("met (62% of the loopback ceiling)"));
        assert!(targets.contains("met (RSS 20.0 KiB, PSS 19.0 KiB)"));
        // 9 µs/msg at 10k, 10 µs/msg at 100k: linear.
        assert!(targets.contains("| big maildrop cost grows linearly | met ("));
        let sessions = targets
            .lines()
            .find(|l| l.starts_with("| sessions/s"))
            .unwrap();
        assert!(sessions.contains("not measured"));
    }
}
