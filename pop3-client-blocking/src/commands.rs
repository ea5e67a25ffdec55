//! TRANSACTION commands, one at a time.

use std::io::Write;

use pop3_proto::client::{ClientEvent, Reply, RequestId};
use pop3_proto::{MessageNumber, ScanListing, Text, UidListing};

use crate::client::Client;
use crate::error::{Error, Result};

/// What `STAT` says about the maildrop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// Messages not marked deleted.
    pub count: u32,
    /// Their total size in octets.
    pub size: u64,
}

impl Client {
    /// `STAT`.
    pub fn stat(&mut self) -> Result<Stat> {
        let id = self.core.stat()?;
        match self.reply(id)? {
            Reply::Stat { count, size } => Ok(Stat { count, size }),
            _ => Err(self.unexpected()),
        }
    }

    /// `LIST`: number and size of every message.
    pub fn list(&mut self) -> Result<Vec<ScanListing>> {
        let id = self.core.list(None)?;
        match self.reply(id)? {
            Reply::ScanList(list) => Ok(list),
            _ => Err(self.unexpected()),
        }
    }

    /// `LIST msg`.
    pub fn list_one(&mut self, msg: u32) -> Result<ScanListing> {
        let id = self.core.list(Some(number(msg)?))?;
        match self.reply(id)? {
            Reply::Scan(scan) => Ok(scan),
            _ => Err(self.unexpected()),
        }
    }

    /// `UIDL`: number and unique-id of every message.
    pub fn uidl(&mut self) -> Result<Vec<UidListing>> {
        let id = self.core.uidl(None)?;
        match self.reply(id)? {
            Reply::UidList(list) => Ok(list),
            _ => Err(self.unexpected()),
        }
    }

    /// `UIDL msg`.
    pub fn uidl_one(&mut self, msg: u32) -> Result<UidListing> {
        let id = self.core.uidl(Some(number(msg)?))?;
        match self.reply(id)? {
            Reply::Uid(uid) => Ok(uid),
            _ => Err(self.unexpected()),
        }
    }

    /// `RETR msg`: streams the message into `out` as the server sends it
    /// (dot-unstuffed, line endings as sent, CRLF from most servers) and
    /// returns its size. The message is never held in memory whole.
    ///
    /// If `out` fails the connection is abandoned ([`Error::Sink`]).
    pub fn retr(&mut self, msg: u32, out: &mut impl Write) -> Result<u64> {
        let id = self.core.retr(number(msg)?)?;
        self.body(id, out)
    }

    /// `TOP msg lines`: the headers, the blank line and the first `lines`
    /// lines of the body, streamed into `out` like [`Client::retr`].
    pub fn top(&mut self, msg: u32, lines: u32, out: &mut impl Write) -> Result<u64> {
        let id = self.core.top(number(msg)?, lines)?;
        self.body(id, out)
    }

    /// `DELE msg`: marks the message deleted. The server removes it only
    /// at a successful [`Client::quit`].
    pub fn dele(&mut self, msg: u32) -> Result<()> {
        let id = self.core.dele(number(msg)?)?;
        self.simple(id).map(drop)
    }

    /// `RSET`: unmarks every message marked deleted.
    pub fn rset(&mut self) -> Result<()> {
        let id = self.core.rset()?;
        self.simple(id).map(drop)
    }

    fn simple(&mut self, id: RequestId) -> Result<Text> {
        match self.reply(id)? {
            Reply::Ok(text) => Ok(text),
            _ => Err(self.unexpected()),
        }
    }

    /// Reads a body reply into `out`.
    fn body(&mut self, id: RequestId, out: &mut impl Write) -> Result<u64> {
        match self.reply(id)? {
            Reply::BodyStart { .. } => {}
            _ => return Err(self.unexpected()),
        }
        let mut size = 0u64;
        loop {
            match self.next_event()? {
                ClientEvent::BodyChunk { id: got, data } if got == id => {
                    if let Err(e) = out.write_all(&data) {
                        self.abandon();
                        return Err(Error::Sink(e));
                    }
                    size = size.saturating_add(data.len() as u64);
                }
                ClientEvent::BodyEnd { id: got } if got == id => {
                    out.flush().map_err(|e| {
                        self.abandon();
                        Error::Sink(e)
                    })?;
                    return Ok(size);
                }
                _ => {}
            }
        }
    }
}

/// A message number from a caller's `u32`: 0 is not one.
pub(crate) fn number(msg: u32) -> Result<MessageNumber> {
    MessageNumber::new(msg)
        .ok_or_else(|| Error::InvalidArgument("message numbers start at 1".into()))
}
