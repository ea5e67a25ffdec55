//! CPU time and memory of a process tree, read from `/proc`.
//!
//! A server may be one process (pop3d) or many that come and go (Dovecot
//! forks a login and a mail process per connection). Everything under
//! the root process counts: the CPU time of the live ones (`utime +
//! stime`) plus what their reaped children used (`cutime + cstime`, added
//! to the parent when it waits), so a process that exits between two
//! readings is still counted once.

use std::collections::HashMap;
use std::fs;
use std::time::Duration;

/// CPU time of a process tree, `utime + stime + cutime + cstime`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTime {
    /// Clock ticks.
    pub ticks: u64,
}

impl CpuTime {
    /// Ticks as a duration.
    pub fn as_duration(self) -> Duration {
        let hz = rustix::param::clock_ticks_per_second().max(1);
        Duration::from_secs_f64(self.ticks as f64 / hz as f64)
    }

    /// The time used since `earlier`.
    pub fn since(self, earlier: Self) -> Duration {
        Self {
            ticks: self.ticks.saturating_sub(earlier.ticks),
        }
        .as_duration()
    }
}

/// Resident and proportional set size of a process tree, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    /// Sum of `Rss` in kB: shared pages count once per process.
    pub rss_kib: u64,
    /// Sum of `Pss` in kB: shared pages split between their users.
    pub pss_kib: u64,
    /// Processes read.
    pub processes: usize,
}

/// The fields of `/proc/<pid>/stat` used here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// Parent process.
    pub ppid: u32,
    /// All CPU ticks: own and reaped children's.
    pub ticks: u64,
}

/// Parses one `/proc/<pid>/stat` line. The command name is in parentheses
/// and may itself hold spaces and parentheses, so fields are counted from
/// the last `)`.
pub fn parse_stat(line: &str) -> Option<Stat> {
    let rest = line.get(line.rfind(')')? + 1..)?;
    let fields: Vec<&str> = rest.split_ascii_whitespace().collect();
    // fields[0] is the state (field 3 of proc(5)); utime is field 14.
    let ppid = fields.get(1)?.parse().ok()?;
    let mut ticks = 0u64;
    for index in 11..=14 {
        let value: i64 = fields.get(index)?.parse().ok()?;
        ticks = ticks.saturating_add(u64::try_from(value).unwrap_or(0));
    }
    Some(Stat { ppid, ticks })
}

/// Sums `Rss:` and `Pss:` of a `smaps_rollup` text, in kB.
pub fn parse_rollup(text: &str) -> (u64, u64) {
    let mut rss = 0;
    let mut pss = 0;
    for line in text.lines() {
        let mut parts = line.split_ascii_whitespace();
        let key = parts.next();
        let value = parts.next().and_then(|v| v.parse::<u64>().ok());
        match (key, value) {
            (Some("Rss:"), Some(v)) => rss = v,
            (Some("Pss:"), Some(v)) => pss = v,
            _ => {}
        }
    }
    (rss, pss)
}

/// Every live process and its stat line, by pid.
fn all_processes() -> HashMap<u32, Stat> {
    let mut table = HashMap::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return table;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(stat) = fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .as_deref()
            .and_then(parse_stat)
        {
            table.insert(pid, stat);
        }
    }
    table
}

/// The pids in the tree under each of `roots`, roots included.
pub fn tree(table: &HashMap<u32, Stat>, roots: &[u32]) -> Vec<u32> {
    table
        .keys()
        .copied()
        .filter(|&pid| {
            let mut current = pid;
            // A chain longer than the table is a cycle from pid reuse.
            for _ in 0..=table.len() {
                if roots.contains(&current) {
                    return true;
                }
                match table.get(&current) {
                    Some(stat) if stat.ppid != 0 && stat.ppid != current => current = stat.ppid,
                    _ => return false,
                }
            }
            false
        })
        .collect()
}

/// CPU time of the trees under `roots`.
pub fn tree_cpu(roots: &[u32]) -> CpuTime {
    let table = all_processes();
    let ticks = tree(&table, roots)
        .iter()
        .filter_map(|pid| table.get(pid))
        .map(|stat| stat.ticks)
        .sum();
    CpuTime { ticks }
}

/// This process's own CPU time.
pub fn own_cpu() -> CpuTime {
    let ticks = fs::read_to_string("/proc/self/stat")
        .ok()
        .as_deref()
        .and_then(parse_stat)
        .map_or(0, |stat| stat.ticks);
    CpuTime { ticks }
}

/// How many processes the trees under `roots` have.
pub fn tree_size(roots: &[u32]) -> usize {
    tree(&all_processes(), roots).len()
}

/// Memory of the trees under `roots`.
pub fn tree_memory(roots: &[u32]) -> Memory {
    let table = all_processes();
    let mut memory = Memory::default();
    for pid in tree(&table, roots) {
        if let Ok(text) = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) {
            let (rss, pss) = parse_rollup(&text);
            memory.rss_kib += rss;
            memory.pss_kib += pss;
            memory.processes += 1;
        }
    }
    memory
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_from_the_last_parenthesis() {
        let line = "4242 (dove (cot) x) S 17 4242 4242 0 -1 4194560 300 0 0 0 \
                    25 7 3 2 20 0 1 0 123 4567 89";
        assert_eq!(
            parse_stat(line),
            Some(Stat {
                ppid: 17,
                ticks: 25 + 7 + 3 + 2
            })
        );
    }

    #[test]
    fn truncated_stat_is_refused() {
        assert_eq!(parse_stat("12 (x) S 1 2 3"), None);
    }

    #[test]
    fn rollup_sums_are_read() {
        let text = "55d0-7ff [rollup]\nRss:                1234 kB\nPss:                 456 kB\n\
                    Pss_Anon:             12 kB\nShared_Clean:        100 kB\n";
        assert_eq!(parse_rollup(text), (1234, 456));
    }

    #[test]
    fn tree_follows_parents() {
        let table: HashMap<u32, Stat> = [(1, 0), (10, 1), (11, 10), (12, 11), (20, 1)]
            .into_iter()
            .map(|(pid, ppid)| (pid, Stat { ppid, ticks: 0 }))
            .collect();
        let mut pids = tree(&table, &[10]);
        pids.sort_unstable();
        assert_eq!(pids, vec![10, 11, 12]);
    }

    #[test]
    fn own_process_is_in_its_tree() {
        let me = std::process::id();
        let table = all_processes();
        assert!(tree(&table, &[me]).contains(&me));
        assert!(tree_size(&[me]) >= 1);
        assert!(tree_memory(&[me]).rss_kib > 0);
    }
}
