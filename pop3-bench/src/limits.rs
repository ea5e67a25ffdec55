//! The open-file limit: one descriptor per connection, so holding 10,000
//! connections needs more than the usual soft limit of 1,024.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Raises the soft `RLIMIT_NOFILE` to at least `wanted`, lifting the hard
/// limit too when allowed (root). Returns the soft limit now in force.
pub fn raise_nofile(wanted: u64) -> u64 {
    let limit = getrlimit(Resource::Nofile);
    let current = limit.current.unwrap_or(u64::MAX);
    if current >= wanted {
        return current;
    }
    let hard = limit.maximum.unwrap_or(u64::MAX);
    if hard < wanted {
        // Needs CAP_SYS_RESOURCE; without it, fall back to the hard limit.
        let both = Rlimit {
            current: Some(wanted),
            maximum: Some(wanted),
        };
        if setrlimit(Resource::Nofile, both).is_ok() {
            return wanted;
        }
    }
    let soft = Rlimit {
        current: Some(wanted.min(hard)),
        maximum: limit.maximum,
    };
    if setrlimit(Resource::Nofile, soft).is_ok() {
        wanted.min(hard)
    } else {
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_already_met_is_kept() {
        let before = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
        assert_eq!(raise_nofile(16), before);
    }

    #[test]
    fn the_soft_limit_rises_up_to_the_hard_one() {
        let hard = getrlimit(Resource::Nofile).maximum.unwrap_or(u64::MAX);
        let wanted = hard.min(4096);
        assert!(raise_nofile(wanted) >= wanted);
        assert!(getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX) >= wanted);
    }
}
