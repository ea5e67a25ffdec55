use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use proptest::prelude::*;

use super::*;

/// A version 2 header for `source` -> `destination` with `extra` octets
/// of TLVs after the addresses.
fn v2(source: SocketAddr, destination: SocketAddr, extra: &[u8]) -> Vec<u8> {
    let mut block = Vec::new();
    let family = match (source.ip(), destination.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            block.extend_from_slice(&s.octets());
            block.extend_from_slice(&d.octets());
            0x11
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            block.extend_from_slice(&s.octets());
            block.extend_from_slice(&d.octets());
            0x21
        }
        _ => panic!("mixed families"),
    };
    block.extend_from_slice(&source.port().to_be_bytes());
    block.extend_from_slice(&destination.port().to_be_bytes());
    block.extend_from_slice(extra);
    let mut out = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    out.push(0x21);
    out.push(family);
    out.extend_from_slice(&u16::try_from(block.len()).unwrap().to_be_bytes());
    out.extend_from_slice(&block);
    out
}

fn v1(source: SocketAddr, destination: SocketAddr) -> Vec<u8> {
    let family = if source.is_ipv4() { "TCP4" } else { "TCP6" };
    format!(
        "PROXY {family} {} {} {} {}\r\n",
        source.ip(),
        destination.ip(),
        source.port(),
        destination.port()
    )
    .into_bytes()
}

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

fn complete(input: &[u8]) -> (ProxyHeader, usize) {
    match parse(input).unwrap() {
        Parsed::Complete { header, length } => (header, length),
        other => panic!("incomplete: {other:?}"),
    }
}

#[test]
fn v1_tcp4_and_tcp6_lines() {
    let (header, length) = complete(b"PROXY TCP4 192.0.2.7 198.51.100.1 56324 110\r\nUSER x");
    assert_eq!(length, 45);
    assert_eq!(
        header,
        ProxyHeader::Proxied {
            source: addr("192.0.2.7:56324"),
            destination: addr("198.51.100.1:110"),
        }
    );
    let line = v1(addr("[2001:db8::1]:4000"), addr("[2001:db8::2]:995"));
    assert_eq!(
        complete(&line).0.client(addr("127.0.0.1:1")),
        addr("[2001:db8::1]:4000")
    );
}

#[test]
fn v1_unknown_means_the_socket_peer() {
    let peer = addr("127.0.0.1:5000");
    assert_eq!(complete(b"PROXY UNKNOWN\r\n").0.client(peer), peer);
    assert_eq!(
        complete(b"PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n").0,
        ProxyHeader::Local
    );
}

#[test]
fn v1_grammar_is_strict() {
    let bad: [&[u8]; 11] = [
        b"PROXY TCP4 192.0.2.7 198.51.100.1 56324\r\n",
        b"PROXY TCP4 192.0.2.7 198.51.100.1 56324 110 9\r\n",
        b"PROXY TCP4  192.0.2.7 198.51.100.1 56324 110\r\n",
        b"PROXY TCP4 2001:db8::1 198.51.100.1 56324 110\r\n",
        b"PROXY TCP6 192.0.2.7 198.51.100.1 56324 110\r\n",
        b"PROXY TCP4 192.0.2.7 198.51.100.1 65536 110\r\n",
        b"PROXY TCP4 192.0.2.7 198.51.100.1 +80 110\r\n",
        b"PROXY TCP4 192.0.2.7 198.51.100.1 080 110\r\n",
        b"PROXY UDP4 192.0.2.7 198.51.100.1 80 110\r\n",
        b"PROXY TCP4 192.0.2.7 198.51.100.1 80 110\n",
        b"PROXY TCP4 192.0.2.07 198.51.100.1 80 110\r\n",
    ];
    for input in bad {
        assert!(
            matches!(parse(input), Err(ProxyError::Malformed(_))),
            "{:?} -> {:?}",
            String::from_utf8_lossy(input),
            parse(input)
        );
    }
}

#[test]
fn v1_longer_than_107_octets_is_refused() {
    let mut long = b"PROXY UNKNOWN ".to_vec();
    long.resize(106, b'x');
    assert!(matches!(
        parse(&long),
        Ok(Parsed::Incomplete { needed: 107 })
    ));
    long.push(b'x');
    assert_eq!(parse(&long), Err(ProxyError::TooLong));
    let mut exact = b"PROXY UNKNOWN ".to_vec();
    exact.resize(105, b'x');
    exact.extend_from_slice(b"\r\n");
    assert_eq!(complete(&exact).1, 107);
}

#[test]
fn v2_ipv4_ipv6_and_tlvs() {
    let header = v2(addr("203.0.113.9:40000"), addr("127.0.0.1:110"), &[]);
    assert_eq!(header.len(), 28);
    assert_eq!(
        complete(&header),
        (
            ProxyHeader::Proxied {
                source: addr("203.0.113.9:40000"),
                destination: addr("127.0.0.1:110"),
            },
            28
        )
    );
    let tlv = [0x04, 0x00, 0x02, 0xab, 0xcd];
    let six = v2(addr("[2001:db8::9]:1"), addr("[::1]:995"), &tlv);
    let (header, length) = complete(&six);
    assert_eq!(length, 16 + 36 + 5);
    assert_eq!(header.client(addr("127.0.0.1:9")), addr("[2001:db8::9]:1"));
}

#[test]
fn v2_local_unspec_and_unix_mean_the_socket_peer() {
    let mut local = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    local.extend_from_slice(&[0x20, 0x00, 0x00, 0x00]);
    assert_eq!(complete(&local), (ProxyHeader::Local, 16));
    let mut unix = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    unix.extend_from_slice(&[0x21, 0x31, 0x00, 0xd8]);
    unix.resize(16 + 216, 0);
    assert_eq!(complete(&unix).0, ProxyHeader::Local);
}

#[test]
fn v2_refusals() {
    let good = v2(addr("203.0.113.9:40000"), addr("127.0.0.1:110"), &[]);
    let mut version3 = good.clone();
    version3[12] = 0x31;
    assert!(matches!(parse(&version3), Err(ProxyError::Unsupported(_))));
    let mut command = good.clone();
    command[12] = 0x22;
    assert!(matches!(parse(&command), Err(ProxyError::Malformed(_))));
    let mut udp = good.clone();
    udp[13] = 0x12;
    assert!(matches!(parse(&udp), Err(ProxyError::Unsupported(_))));
    let mut short = good.clone();
    short[15] = 4;
    short.truncate(20);
    assert!(matches!(parse(&short), Err(ProxyError::Malformed(_))));
    let mut huge = good;
    huge[14] = 0xff;
    assert_eq!(parse(&huge), Err(ProxyError::TooLong));
}

#[test]
fn other_bytes_are_refused_at_once() {
    assert_eq!(parse(b"U"), Err(ProxyError::NotProxy));
    assert_eq!(parse(b"USER alice\r\n"), Err(ProxyError::NotProxy));
    assert_eq!(parse(b"PROXZ"), Err(ProxyError::NotProxy));
    assert_eq!(parse(b"\x16\x03\x01"), Err(ProxyError::NotProxy));
    assert_eq!(parse(b""), Ok(Parsed::Incomplete { needed: 12 }));
    assert_eq!(parse(b"PRO"), Ok(Parsed::Incomplete { needed: 12 }));
}

#[test]
fn networks_parse_and_match() {
    let loopback: Network = "127.0.0.0/8".parse().unwrap();
    assert!(loopback.contains("127.1.2.3".parse().unwrap()));
    assert!(loopback.contains("::ffff:127.0.0.1".parse().unwrap()));
    assert!(!loopback.contains("128.0.0.1".parse().unwrap()));
    assert!(!loopback.contains("::1".parse().unwrap()));
    let one: Network = "192.0.2.1".parse().unwrap();
    assert_eq!(one.to_string(), "192.0.2.1/32");
    assert!(!one.contains("192.0.2.2".parse().unwrap()));
    let all: Network = "0.0.0.0/0".parse().unwrap();
    assert!(all.contains("8.8.8.8".parse().unwrap()));
    let six: Network = "2001:db8::/32".parse().unwrap();
    assert!(six.contains("2001:db8:ffff::1".parse().unwrap()));
    assert!(!six.contains("2001:db9::1".parse().unwrap()));
    for bad in [
        "127.0.0.1/33",
        "::1/129",
        "127.0.0.1/",
        "x/8",
        "127.0.0.1/+8",
        "10.0.0.0/8/8",
    ] {
        assert!(bad.parse::<Network>().is_err(), "{bad}");
    }
    let trusted = TrustedNetworks::new(vec![one, six]);
    assert!(trusted.trusts("192.0.2.1".parse().unwrap()));
    assert!(!trusted.trusts("127.0.0.1".parse().unwrap()));
    assert!(!TrustedNetworks::default().trusts("127.0.0.1".parse().unwrap()));
}

#[tokio::test]
async fn reader_takes_exactly_the_header() {
    let mut input = v2(
        addr("203.0.113.9:40000"),
        addr("127.0.0.1:110"),
        &[1, 0, 1, 7],
    );
    input.extend_from_slice(b"\x16\x03\x01 client hello");
    let mut stream: &[u8] = &input;
    let header = read_header(&mut stream, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(
        header.client(addr("127.0.0.1:1")),
        addr("203.0.113.9:40000")
    );
    assert_eq!(stream, b"\x16\x03\x01 client hello");

    let mut line = v1(addr("192.0.2.7:9"), addr("192.0.2.8:110"));
    line.extend_from_slice(b"CAPA\r\n");
    let mut stream: &[u8] = &line;
    read_header(&mut stream, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(stream, b"CAPA\r\n");

    let mut cut: &[u8] = b"PROXY TCP4 192.0.2.7";
    assert!(matches!(
        read_header(&mut cut, Duration::from_secs(5)).await,
        Err(ReadError::Io(_))
    ));
}

#[tokio::test]
async fn reader_gives_up_after_the_limit() {
    let (mut client, mut server) = tokio::io::duplex(64);
    tokio::io::AsyncWriteExt::write_all(&mut client, b"PROXY TCP4 ")
        .await
        .unwrap();
    let result = read_header(&mut server, Duration::from_millis(200)).await;
    assert!(matches!(result, Err(ReadError::Timeout(_))), "{result:?}");
}

fn any_addr_pair() -> impl Strategy<Value = (SocketAddr, SocketAddr)> {
    prop_oneof![
        (
            any::<[u8; 4]>(),
            any::<u16>(),
            any::<[u8; 4]>(),
            any::<u16>()
        )
            .prop_map(|(s, sp, d, dp)| (
                SocketAddr::new(IpAddr::from(s), sp),
                SocketAddr::new(IpAddr::from(d), dp)
            )),
        (
            any::<[u8; 16]>(),
            any::<u16>(),
            any::<[u8; 16]>(),
            any::<u16>()
        )
            .prop_map(|(s, sp, d, dp)| (
                SocketAddr::new(IpAddr::from(s), sp),
                SocketAddr::new(IpAddr::from(d), dp)
            )),
    ]
}

proptest! {
    /// Any input: no panic, and a complete header never claims more than
    /// the input or the limits allow; an incomplete one asks for more.
    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..300)) {
        match parse(&input) {
            Ok(Parsed::Complete { length, .. }) => {
                prop_assert!(length <= input.len());
                prop_assert!(length <= MAX_HEADER);
            }
            Ok(Parsed::Incomplete { needed }) => {
                prop_assert!(needed > input.len());
                prop_assert!(needed <= MAX_HEADER);
            }
            Err(_) => {}
        }
    }

    /// Headers survive an encode/parse round trip, every prefix of one is
    /// incomplete and asks for no more than the whole, and trailing
    /// client bytes are not counted.
    #[test]
    fn headers_round_trip((source, destination) in any_addr_pair(),
                          version2 in any::<bool>(),
                          tlvs in proptest::collection::vec(any::<u8>(), 0..64),
                          tail in proptest::collection::vec(any::<u8>(), 0..32)) {
        let header = if version2 { v2(source, destination, &tlvs) } else { v1(source, destination) };
        for cut in 0..header.len() {
            match parse(&header[..cut]) {
                Ok(Parsed::Incomplete { needed }) => prop_assert!(needed > cut && needed <= header.len()),
                other => prop_assert!(false, "prefix {cut}: {other:?}"),
            }
        }
        let mut input = header.clone();
        input.extend_from_slice(&tail);
        prop_assert_eq!(
            parse(&input),
            Ok(Parsed::Complete {
                header: ProxyHeader::Proxied { source, destination },
                length: header.len(),
            })
        );
    }
}
