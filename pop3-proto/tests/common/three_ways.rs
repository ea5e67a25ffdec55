//! One command line fed three ways: whole, one byte at a time, and
//! followed by pipelined input. Shared by the parser's unit tests (which
//! include this file by path) and the integration tests, so it uses only
//! `std`: the caller passes its line framing and its parser.
#![allow(unreachable_pub, clippy::expect_used, clippy::panic)]

use std::fmt::Debug;

/// What follows the line in the trailing-data way: the next pipelined
/// command and the first bytes of one more.
pub const TRAILING: &[u8] = b"NOOP\r\nRET";

/// Splits the first complete line off a buffer: its content and the rest,
/// or `None` while the line is incomplete.
pub type Frame = fn(&[u8]) -> Option<(&[u8], &[u8])>;

/// Frames `wire` (one line and its ending) three ways and parses each
/// framed line; all three outcomes must be equal, and in the third way the
/// trailing bytes must come out untouched: the next command whole, the
/// partial line after it still waiting. Returns the outcome.
pub fn parsed_three_ways<T: PartialEq + Debug>(
    wire: &[u8],
    frame: Frame,
    parse: impl Fn(&[u8]) -> T,
) -> T {
    let shown = String::from_utf8_lossy(wire);
    let (content, rest) = frame(wire).expect("whole: a complete line");
    assert!(rest.is_empty(), "whole: one line: {shown}");
    let whole = parse(content);

    let mut buf = Vec::new();
    let mut bytewise = None;
    for (i, byte) in wire.iter().enumerate() {
        buf.push(*byte);
        if let Some((content, rest)) = frame(&buf) {
            assert_eq!(i + 1, wire.len(), "bytewise: line ended early: {shown}");
            assert!(rest.is_empty());
            bytewise = Some(parse(content));
        }
    }
    let bytewise = bytewise.expect("bytewise: the last byte completes the line");
    assert_eq!(bytewise, whole, "bytewise vs whole: {shown}");

    let chunk = [wire, TRAILING].concat();
    let (content, rest) = frame(&chunk).expect("trailing: the first line is complete");
    assert_eq!(
        parse(content),
        whole,
        "with trailing data vs whole: {shown}"
    );
    assert_eq!(rest, TRAILING, "trailing bytes left intact: {shown}");
    let (next, partial) = frame(rest).expect("the pipelined command is complete");
    assert_eq!(next, b"NOOP", "the pipelined command framed whole: {shown}");
    assert_eq!(frame(partial), None, "the partial line waits: {shown}");
    whole
}
