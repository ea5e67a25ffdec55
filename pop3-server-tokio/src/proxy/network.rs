//! Trusted networks: the proxies allowed to send a PROXY header, as
//! CIDR blocks such as `127.0.0.1/32` or `2001:db8::/32`.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// One block of addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

/// Why a network could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a network (address/prefix, e.g. 127.0.0.1/32): {0}")]
pub struct NetworkError(String);

impl Network {
    /// The block of `prefix` leading bits of `base` (bits after the
    /// prefix are ignored). `None` if the prefix is longer than the
    /// address.
    pub fn new(base: IpAddr, prefix: u8) -> Option<Self> {
        let base = base.to_canonical();
        (prefix <= max_prefix(base)).then_some(Self { base, prefix })
    }

    /// Whether `ip` (an IPv4-mapped IPv6 address counts as IPv4) is in
    /// the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip.to_canonical()) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(base) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(base) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

fn max_prefix(ip: IpAddr) -> u8 {
    match ip {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

impl FromStr for Network {
    type Err = NetworkError;

    /// `address/prefix`, or a bare address for a block of one.
    fn from_str(text: &str) -> Result<Self, NetworkError> {
        let bad = || NetworkError(text.to_owned());
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let base: IpAddr = address.parse().map_err(|_| bad())?;
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().map_err(|_| bad())?
            }
            Some(_) => return Err(bad()),
            None => max_prefix(base.to_canonical()),
        };
        Self::new(base, prefix).ok_or_else(bad)
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

/// The networks PROXY headers are accepted from. Empty trusts nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedNetworks(Vec<Network>);

impl TrustedNetworks {
    /// These networks.
    pub fn new(networks: Vec<Network>) -> Self {
        Self(networks)
    }

    /// Whether a connection from `ip` may send a PROXY header.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(ip))
    }

    /// The networks.
    pub fn networks(&self) -> &[Network] {
        &self.0
    }
}
