use bytes::BufMut;

use super::session::{Phase, Server};
use crate::body::DotStuffer;
use crate::encode;
use crate::types::{ResponseCode, ScanListing, Status, Text};

/// Longest status text the server writes, leaving room within RFC 2449's
/// 512-octet response limit for `-ERR [CODE] ` and CRLF.
pub(super) const MAX_TEXT: usize = 480;

/// Output the core generates a piece at a time as the adapter drains it.
#[derive(Debug)]
pub(super) enum Producer {
    Idle,
    /// A LIST listing; the next message index to consider.
    ScanList {
        next: usize,
    },
    /// A UIDL listing; the next message index to consider.
    UidList {
        next: usize,
    },
    /// A message body the application is streaming in.
    Body(Box<BodyStream>),
}

#[derive(Debug)]
pub(super) struct BodyStream {
    pub(super) stuffer: DotStuffer,
    /// The listed size, to compare with what was sent (RETR only).
    pub(super) expected_size: Option<u64>,
}

impl Producer {
    pub(super) fn is_idle(&self) -> bool {
        matches!(self, Self::Idle)
    }
}

impl Server {
    pub(super) fn greet(&mut self) {
        let text = match self.apop_timestamp() {
            Some(timestamp) => format!("{} {timestamp}", self.config.greeting),
            None => self.config.greeting.to_string(),
        };
        self.reply_ok(&text);
    }

    pub(super) fn reply_ok(&mut self, text: &str) {
        let status = Status::ok(Text::truncated(text, MAX_TEXT));
        encode::status_line(&status, &mut self.out);
    }

    pub(super) fn reply_err(&mut self, code: Option<ResponseCode>, text: &str) {
        let status = Status::err(code, Text::truncated(text, MAX_TEXT));
        encode::status_line(&status, &mut self.out);
    }

    /// Writes more of a listing, up to the high-water mark.
    pub(super) fn fill_output(&mut self) {
        let high_water = self.config.output_high_water;
        let Phase::Transaction(mailbox) = &self.phase else {
            if matches!(
                self.producer,
                Producer::ScanList { .. } | Producer::UidList { .. }
            ) {
                self.producer = Producer::Idle;
            }
            return;
        };
        let (next, scan) = match &mut self.producer {
            Producer::ScanList { next } => (next, true),
            Producer::UidList { next } => (next, false),
            Producer::Idle | Producer::Body(_) => return,
        };
        while self.out.len() < high_water {
            if *next >= mailbox.len() {
                self.out.put_slice(b".\r\n");
                self.producer = Producer::Idle;
                return;
            }
            if let Some((number, entry)) = mailbox.live_at(*next) {
                if scan {
                    encode::scan_line(
                        &ScanListing {
                            number,
                            size: entry.size,
                        },
                        &mut self.out,
                    );
                } else {
                    encode::put_uid_line(number, &entry.uid, &mut self.out);
                }
            }
            *next += 1;
        }
    }
}
