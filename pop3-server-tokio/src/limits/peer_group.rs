//! Which peers share a limit: one IPv4 address, or one IPv6 /64.

use std::net::{IpAddr, Ipv6Addr};

/// The IPv6 prefix length treated as one peer. A single host or site is
/// routinely given a whole /64, so a limit per IPv6 address would let one
/// peer take as many places, and as many password guesses, as it has
/// addresses to spare.
const IPV6_PREFIX: u32 = 64;

/// The key `peer` is counted under: its IPv4 address (an IPv4-mapped IPv6
/// address counts as the IPv4 one), or its IPv6 address with all but the
/// first [`IPV6_PREFIX`] bits cleared.
pub fn peer_group(peer: IpAddr) -> IpAddr {
    match peer.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let mask = u128::MAX << (128 - IPV6_PREFIX);
            IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & mask))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(s: &str) -> String {
        peer_group(s.parse().unwrap()).to_string()
    }

    #[test]
    fn ipv6_peers_group_by_64_and_ipv4_stays_whole() {
        assert_eq!(group("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::");
        assert_eq!(group("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::");
        assert_ne!(group("2001:db8:1:3::1"), group("2001:db8:1:2::1"));
        assert_eq!(group("192.0.2.7"), "192.0.2.7");
        assert_eq!(group("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(group("::1"), "::");
    }
}
