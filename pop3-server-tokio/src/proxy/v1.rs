//! Version 1: one text line, `PROXY TCP4 <src> <dst> <sport> <dport>\r\n`
//! (or `TCP6`, or `UNKNOWN` with anything after it), at most 107 octets.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::header::{Parsed, ProxyError, ProxyHeader};

/// How a version 1 header starts.
pub(super) const SIGNATURE: &[u8] = b"PROXY ";

/// The longest version 1 header, CRLF included.
pub(super) const MAX_LINE: usize = 107;

/// Parses input that starts with [`SIGNATURE`] and is at least as long
/// as the common prefix.
pub(super) fn parse(input: &[u8]) -> Result<Parsed, ProxyError> {
    let Some(end) = input.windows(2).position(|pair| pair == b"\r\n") else {
        if input.len() >= MAX_LINE {
            return Err(ProxyError::TooLong);
        }
        if input.contains(&b'\n') {
            return Err(ProxyError::Malformed("line feed without carriage return"));
        }
        return Ok(Parsed::Incomplete {
            needed: input.len() + 1,
        });
    };
    let length = end + 2;
    if length > MAX_LINE {
        return Err(ProxyError::TooLong);
    }
    let line = input
        .get(SIGNATURE.len()..end)
        .ok_or(ProxyError::Malformed("short line"))?;
    let line = std::str::from_utf8(line).map_err(|_| ProxyError::Malformed("not ASCII"))?;
    let header = fields(line)?;
    Ok(Parsed::Complete { header, length })
}

/// The fields after `PROXY `.
fn fields(line: &str) -> Result<ProxyHeader, ProxyError> {
    if line == "UNKNOWN" || line.starts_with("UNKNOWN ") {
        return Ok(ProxyHeader::Local);
    }
    let mut parts = line.split(' ');
    let family = parts.next().unwrap_or_default();
    let (Some(src), Some(dst), Some(sport), Some(dport), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(ProxyError::Malformed("wrong number of fields"));
    };
    let (source, destination): (IpAddr, IpAddr) = match family {
        "TCP4" => (ipv4(src)?.into(), ipv4(dst)?.into()),
        "TCP6" => (ipv6(src)?.into(), ipv6(dst)?.into()),
        _ => return Err(ProxyError::Malformed("unknown protocol family")),
    };
    Ok(ProxyHeader::Proxied {
        source: SocketAddr::new(source, port(sport)?),
        destination: SocketAddr::new(destination, port(dport)?),
    })
}

fn ipv4(text: &str) -> Result<Ipv4Addr, ProxyError> {
    text.parse()
        .map_err(|_| ProxyError::Malformed("bad IPv4 address"))
}

fn ipv6(text: &str) -> Result<Ipv6Addr, ProxyError> {
    text.parse()
        .map_err(|_| ProxyError::Malformed("bad IPv6 address"))
}

/// A decimal port: digits only, no sign, no leading zero.
fn port(text: &str) -> Result<u16, ProxyError> {
    let digits_only =
        !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = text.len() > 1 && text.starts_with('0');
    if !digits_only || leading_zero {
        return Err(ProxyError::Malformed("bad port"));
    }
    text.parse()
        .map_err(|_| ProxyError::Malformed("port out of range"))
}
