//! Results as tab-separated rows, one figure a row, appended by each run
//! and read back by `report` and `plot`:
//!
//! ```text
//! server  scenario  concurrency  metric  value
//! pop3d   small     8            messages_per_s  12345.6
//! ```

use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

/// One measured figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The server (or `machine` for the loopback ceiling).
    pub server: String,
    /// The scenario.
    pub scenario: String,
    /// Concurrent sessions, or the maildrop size for `bigbox`.
    pub concurrency: u64,
    /// What was measured, with its unit in the name.
    pub metric: String,
    /// The figure.
    pub value: f64,
}

/// Rows of one run, all for one server, scenario and concurrency.
#[derive(Debug)]
pub struct Sink {
    server: String,
    scenario: String,
    concurrency: u64,
    rows: Vec<Row>,
}

impl Sink {
    /// An empty set of rows for one run.
    pub fn new(server: &str, scenario: &str, concurrency: u64) -> Self {
        Self {
            server: server.to_owned(),
            scenario: scenario.to_owned(),
            concurrency,
            rows: Vec::new(),
        }
    }

    /// Adds a figure; NaN and infinities (nothing to divide by) are skipped.
    pub fn put(&mut self, metric: &str, value: f64) {
        if value.is_finite() {
            self.rows.push(Row {
                server: self.server.clone(),
                scenario: self.scenario.clone(),
                concurrency: self.concurrency,
                metric: metric.to_owned(),
                value,
            });
        }
    }

    /// The rows as TSV lines.
    pub fn to_tsv(&self) -> String {
        let mut out = String::new();
        for r in &self.rows {
            let _ = writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                r.server, r.scenario, r.concurrency, r.metric, r.value
            );
        }
        out
    }

    /// Prints the rows and appends them to `path`, if given.
    pub fn emit(&self, path: Option<&Path>) -> io::Result<()> {
        let text = self.to_tsv();
        print!("{text}");
        if let Some(path) = path {
            let mut file = OpenOptions::new().create(true).append(true).open(path)?;
            file.write_all(text.as_bytes())?;
        }
        Ok(())
    }
}

/// Parses a results file; malformed lines are skipped.
pub fn parse(text: &str) -> Vec<Row> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.split('\t');
            let server = f.next()?.to_owned();
            let scenario = f.next()?.to_owned();
            let concurrency = f.next()?.parse().ok()?;
            let metric = f.next()?.to_owned();
            let value = f.next()?.parse().ok()?;
            Some(Row {
                server,
                scenario,
                concurrency,
                metric,
                value,
            })
        })
        .collect()
}

/// The value of one figure; the last one wins when a run was repeated.
pub fn lookup(
    rows: &[Row],
    server: &str,
    scenario: &str,
    concurrency: u64,
    metric: &str,
) -> Option<f64> {
    rows.iter()
        .rev()
        .find(|r| {
            r.server == server
                && r.scenario == scenario
                && r.concurrency == concurrency
                && r.metric == metric
        })
        .map(|r| r.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_survive_a_round_trip() {
        let mut sink = Sink::new("pop3d", "small", 8);
        sink.put("messages_per_s", 1234.5);
        sink.put("p99_ms", f64::NAN);
        let rows = parse(&sink.to_tsv());
        assert_eq!(rows.len(), 1);
        assert_eq!(
            lookup(&rows, "pop3d", "small", 8, "messages_per_s"),
            Some(1234.5)
        );
        assert_eq!(lookup(&rows, "pop3d", "small", 8, "p99_ms"), None);
    }

    #[test]
    fn the_last_repeat_wins_and_junk_is_skipped() {
        let text = "a\tb\t1\tm\t1\nnot a row\na\tb\t1\tm\t2\n";
        let rows = parse(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(lookup(&rows, "a", "b", 1, "m"), Some(2.0));
    }
}
