//! Many RETRs or DELEs at once: pipelined (RFC 2449) when the server's
//! CAPA listed PIPELINING, one after the other otherwise.

use std::collections::VecDeque;
use std::io;

use pop3_proto::client::{ClientEvent, Reply, RequestId, ServerError};

use crate::client::Client;
use crate::commands::number;
use crate::error::{Error, Result};

/// Commands queued ahead of the replies read; mpop sends as many.
/// Bounded so a long batch never buffers without limit.
const WINDOW: usize = 100;

/// Receives the messages of [`Client::retr_many`], in order.
pub trait RetrSink {
    /// The server accepted `RETR msg`; its body follows.
    fn begin(&mut self, msg: u32, size_hint: Option<u64>) -> io::Result<()>;
    /// The next octets of message `msg`.
    fn data(&mut self, msg: u32, data: &[u8]) -> io::Result<()>;
    /// Message `msg` is complete.
    fn end(&mut self, msg: u32) -> io::Result<()>;
    /// The server refused `RETR msg` (e.g. the message vanished); the
    /// batch goes on.
    fn refused(&mut self, msg: u32, error: ServerError) -> io::Result<()>;
}

impl Client {
    /// `RETR` for every message in `msgs`, streamed into `sink`. With
    /// PIPELINING up to 100 commands are on the wire at once, which on a
    /// distant server turns one round trip per message into one per
    /// hundred.
    ///
    /// If the sink fails, the connection is abandoned ([`Error::Sink`]):
    /// replies already on their way cannot be skipped.
    pub fn retr_many(&mut self, msgs: &[u32], sink: &mut impl RetrSink) -> Result<()> {
        let mut next = msgs.iter();
        let mut waiting: VecDeque<(RequestId, u32)> = VecDeque::new();
        loop {
            while waiting.len() < WINDOW {
                let Some(&msg) = next.next() else { break };
                waiting.push_back((self.core.retr(number(msg)?)?, msg));
            }
            let Some(&(head, msg)) = waiting.front() else {
                return Ok(());
            };
            let step = match self.next_event()? {
                ClientEvent::Reply { id, result } if id == head => match result {
                    Ok(Reply::BodyStart { size_hint, .. }) => sink.begin(msg, size_hint),
                    Ok(_) => return Err(self.unexpected()),
                    Err(refused) => {
                        waiting.pop_front();
                        sink.refused(msg, refused)
                    }
                },
                ClientEvent::BodyChunk { id, data } if id == head => sink.data(msg, &data),
                ClientEvent::BodyEnd { id } if id == head => {
                    waiting.pop_front();
                    sink.end(msg)
                }
                ClientEvent::Cancelled { id } if id == head => {
                    self.abandon();
                    return Err(Error::Cancelled);
                }
                _ => Ok(()),
            };
            if let Err(e) = step {
                self.abandon();
                return Err(Error::Sink(e));
            }
        }
    }

    /// `DELE` for every message in `msgs`, pipelined when allowed.
    /// Returns each message's outcome in order; a `-ERR` for one does not
    /// stop the others. Deletion happens at [`Client::quit`].
    pub fn dele_many(&mut self, msgs: &[u32]) -> Result<Vec<(u32, Result<(), ServerError>)>> {
        let mut outcomes = Vec::with_capacity(msgs.len());
        for window in msgs.chunks(WINDOW) {
            let mut ids = Vec::with_capacity(window.len());
            for &msg in window {
                ids.push((self.core.dele(number(msg)?)?, msg));
            }
            for (id, msg) in ids {
                match self.reply(id) {
                    Ok(_) => outcomes.push((msg, Ok(()))),
                    Err(Error::Server(refused)) => outcomes.push((msg, Err(refused))),
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(outcomes)
    }
}
