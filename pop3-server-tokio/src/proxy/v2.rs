//! Version 2: a binary header, a 12-octet signature, version and
//! command, family and transport, a 16-bit length, then the addresses
//! and optional TLVs (which are skipped).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use super::MAX_HEADER;
use super::header::{Parsed, ProxyError, ProxyHeader};

/// How a version 2 header starts.
pub(super) const SIGNATURE: &[u8; 12] = b"\r\n\r\n\0\r\nQUIT\n";

/// The fixed part: signature, version/command, family, length.
const FIXED: usize = 16;

const COMMAND_LOCAL: u8 = 0x0;
const COMMAND_PROXY: u8 = 0x1;

const FAMILY_UNSPEC: u8 = 0x0;
const FAMILY_INET: u8 = 0x1;
const FAMILY_INET6: u8 = 0x2;
const FAMILY_UNIX: u8 = 0x3;

const TRANSPORT_UNSPEC: u8 = 0x0;
const TRANSPORT_STREAM: u8 = 0x1;

/// Parses input that starts with the whole [`SIGNATURE`].
pub(super) fn parse(input: &[u8]) -> Result<Parsed, ProxyError> {
    let Some(&[version_command, family_transport, len_hi, len_lo]) = input
        .get(SIGNATURE.len()..FIXED)
        .and_then(|fixed| <&[u8; 4]>::try_from(fixed).ok())
    else {
        return Ok(Parsed::Incomplete { needed: FIXED });
    };
    if version_command >> 4 != 2 {
        return Err(ProxyError::Unsupported("version other than 2"));
    }
    let command = version_command & 0x0f;
    if command != COMMAND_LOCAL && command != COMMAND_PROXY {
        return Err(ProxyError::Malformed("unknown command"));
    }
    let length = FIXED + usize::from(u16::from_be_bytes([len_hi, len_lo]));
    if length > MAX_HEADER {
        return Err(ProxyError::TooLong);
    }
    let Some(body) = input.get(FIXED..length) else {
        return Ok(Parsed::Incomplete { needed: length });
    };
    let header = if command == COMMAND_LOCAL {
        ProxyHeader::Local
    } else {
        addresses(family_transport, body)?
    };
    Ok(Parsed::Complete { header, length })
}

/// The address block of a PROXY command.
fn addresses(family_transport: u8, body: &[u8]) -> Result<ProxyHeader, ProxyError> {
    let family = family_transport >> 4;
    let transport = family_transport & 0x0f;
    if family == FAMILY_UNSPEC || family == FAMILY_UNIX {
        // The proxy cannot name the client as an IP address: the socket's
        // peer stands, as the specification says.
        return Ok(ProxyHeader::Local);
    }
    if transport != TRANSPORT_STREAM && transport != TRANSPORT_UNSPEC {
        return Err(ProxyError::Unsupported("not a stream connection"));
    }
    match family {
        FAMILY_INET => {
            let Some(&[s0, s1, s2, s3, d0, d1, d2, d3, sp0, sp1, dp0, dp1]) =
                body.get(..12).and_then(|a| <&[u8; 12]>::try_from(a).ok())
            else {
                return Err(ProxyError::Malformed("IPv4 address block too short"));
            };
            Ok(ProxyHeader::Proxied {
                source: SocketAddr::new(
                    Ipv4Addr::new(s0, s1, s2, s3).into(),
                    u16::from_be_bytes([sp0, sp1]),
                ),
                destination: SocketAddr::new(
                    Ipv4Addr::new(d0, d1, d2, d3).into(),
                    u16::from_be_bytes([dp0, dp1]),
                ),
            })
        }
        FAMILY_INET6 => {
            let block = body
                .get(..36)
                .ok_or(ProxyError::Malformed("IPv6 address block too short"))?;
            let (src, rest) = block.split_at(16);
            let (dst, ports) = rest.split_at(16);
            let ip = |octets: &[u8]| -> Result<Ipv6Addr, ProxyError> {
                <[u8; 16]>::try_from(octets)
                    .map(Ipv6Addr::from)
                    .map_err(|_| ProxyError::Malformed("IPv6 address block too short"))
            };
            let port = |at: usize| -> Result<u16, ProxyError> {
                match (ports.get(at), ports.get(at + 1)) {
                    (Some(&hi), Some(&lo)) => Ok(u16::from_be_bytes([hi, lo])),
                    _ => Err(ProxyError::Malformed("IPv6 address block too short")),
                }
            };
            Ok(ProxyHeader::Proxied {
                source: SocketAddr::new(ip(src)?.into(), port(0)?),
                destination: SocketAddr::new(ip(dst)?.into(), port(2)?),
            })
        }
        _ => Err(ProxyError::Unsupported("unknown address family")),
    }
}
