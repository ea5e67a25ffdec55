//! The open-file limit. Each session holds about two descriptors (its
//! socket and its maildrop's lock file), so the usual soft limit of 1,024
//! caps a daemon at a few hundred sessions whatever `max_connections`
//! says; the hard limit is usually far higher.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Descriptors each session may hold.
const PER_SESSION: u64 = 2;
/// Descriptors besides the sessions': listeners, logs, the database pool,
/// files opened while a session logs in.
const RESERVE: u64 = 64;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit, logs the limit in
/// force, and warns if it is too low for `max_connections` sessions.
pub(crate) fn raise_and_check(max_connections: usize) {
    let limit = raise_soft_to_hard();
    let needed = needed_for(max_connections);
    match limit {
        Some(limit) if limit < needed => tracing::warn!(
            limit,
            needed,
            max_connections,
            "open-file limit too low for max_connections: logins will fail with \
             \"Too many open files\" before it is reached (raise the hard limit, \
             e.g. LimitNOFILE= in a systemd unit)"
        ),
        Some(limit) => tracing::info!(limit, "open-file limit"),
        None => tracing::info!("open-file limit: unlimited"),
    }
}

/// Descriptors `max_connections` sessions may need.
fn needed_for(max_connections: usize) -> u64 {
    u64::try_from(max_connections)
        .unwrap_or(u64::MAX)
        .saturating_mul(PER_SESSION)
        .saturating_add(RESERVE)
}

/// Lifts the soft limit to the hard one; the soft limit now in force
/// (`None`: unlimited).
fn raise_soft_to_hard() -> Option<u64> {
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if let Err(err) = setrlimit(Resource::Nofile, raised) {
            tracing::warn!(error = %err, "cannot raise the open-file limit");
        }
    }
    getrlimit(Resource::Nofile).current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_descriptors_a_session_and_a_reserve() {
        assert_eq!(needed_for(1024), 2112);
        assert_eq!(needed_for(10_000), 20_064);
        assert_eq!(needed_for(usize::MAX), u64::MAX);
    }

    #[test]
    fn the_soft_limit_ends_at_the_hard_one() {
        let hard = getrlimit(Resource::Nofile).maximum;
        assert_eq!(raise_soft_to_hard(), hard);
        assert_eq!(getrlimit(Resource::Nofile).current, hard);
    }
}
