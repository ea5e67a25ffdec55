//! Reading replies: status lines, listings line by line, SASL steps.

use super::queue::{Expect, InFlight, Pending, Queued};
use super::sasl::{Answer, SaslDriver};
use super::session::{Client, TlsState};
use super::{ClientEvent, Greeting, ProtocolError, Reply, RequestId, ServerError, SessionState};
use crate::body::DotUnstuffer;
use crate::parse::{self, ResponseError};
use crate::types::{
    Capability, Command, LangEntry, Mechanism, Response, SaslResponse, ScanListing, Status,
    UidListing,
};
use crate::{apop, encode};

/// What the next input octets are.
#[derive(Debug)]
pub(super) enum Reading {
    /// The first line of the next reply (or the greeting).
    Line,
    /// More lines of a listing.
    Listing(Box<Listing>),
    /// More of a message body.
    Body {
        id: RequestId,
        decoder: Box<DotUnstuffer>,
    },
}

/// A listing being read.
#[derive(Debug)]
pub(super) struct Listing {
    id: RequestId,
    items: Items,
    /// Octets read so far, line endings included.
    octets: usize,
}

#[derive(Debug)]
enum Items {
    Scan(Vec<ScanListing>),
    Uid(Vec<UidListing>),
    Capabilities(Vec<Capability>),
    Languages(Vec<LangEntry>),
    Mechanisms(Vec<Mechanism>),
}

impl Items {
    /// Whether the entries are held as many small values, so the listing
    /// is capped by size as well as by count.
    fn is_small(&self) -> bool {
        matches!(
            self,
            Self::Capabilities(_) | Self::Languages(_) | Self::Mechanisms(_)
        )
    }

    fn len(&self) -> usize {
        match self {
            Self::Scan(v) => v.len(),
            Self::Uid(v) => v.len(),
            Self::Capabilities(v) => v.len(),
            Self::Languages(v) => v.len(),
            Self::Mechanisms(v) => v.len(),
        }
    }

    /// Parses and keeps one (already unstuffed) line.
    fn push(&mut self, line: &[u8]) -> Result<(), ResponseError> {
        match self {
            Self::Scan(v) => v.push(parse::scan_line(line)?),
            Self::Uid(v) => v.push(parse::uid_line(line)?),
            Self::Languages(v) => v.push(parse::lang_line(line)?),
            Self::Mechanisms(v) => v.push(parse::mechanism_line(line)?),
            // A capability line that cannot even be split into a tag is
            // skipped: a client must never fail on a server's extension.
            Self::Capabilities(v) => v.extend(parse::capability_line(line).ok()),
        }
        Ok(())
    }
}

/// Whether a line has the shape of a SASL continuation.
fn is_continuation(line: &[u8]) -> bool {
    line == b"+" || line.starts_with(b"+ ")
}

/// The number a `+OK` text starts with (`120 octets`), if any.
fn leading_number(text: &str) -> Option<u64> {
    let digits = text.split(' ').next()?;
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Client {
    /// Reads one complete line (without its line ending).
    pub(super) fn read_line(&mut self, line: &[u8]) -> Result<(), ProtocolError> {
        if self.state == SessionState::Greeting {
            return self.read_greeting(line);
        }
        if let Reading::Listing(_) = self.reading {
            return self.read_listing_line(line);
        }
        let Some(InFlight { id, expect }) = self.in_flight.pop_front() else {
            return Err(if is_continuation(line) {
                ProtocolError::UnexpectedContinuation
            } else {
                ProtocolError::UnexpectedData
            });
        };
        if let Expect::Auth(driver) = expect {
            return self.read_auth_line(id, driver, line);
        }
        let status = match parse::status_line(line) {
            Ok(status) => status,
            Err(_) if is_continuation(line) => return Err(ProtocolError::UnexpectedContinuation),
            Err(error) => return Err(error.into()),
        };
        if status.ok {
            self.read_ok(id, expect, status, line)
        } else {
            self.read_err(id, expect, status);
            Ok(())
        }
    }

    fn read_greeting(&mut self, line: &[u8]) -> Result<(), ProtocolError> {
        let status = parse::status_line(line)?;
        if !status.ok {
            self.state = SessionState::Closed;
            let error = ServerError::from_status(status);
            self.events.push_back(ClientEvent::Greeting(Err(error)));
            self.cancel_queue();
            return Ok(());
        }
        // From the raw line: the digest covers the exact octets, and a
        // stamp that is not UTF-8 is not offered (mpop refuses those too).
        let apop_timestamp = apop::find_timestamp(line)
            .and_then(|stamp| std::str::from_utf8(stamp).ok())
            .map(str::to_owned);
        self.apop_timestamp.clone_from(&apop_timestamp);
        self.state = SessionState::Authorization;
        self.events.push_back(ClientEvent::Greeting(Ok(Greeting {
            text: status.text,
            apop_timestamp,
        })));
        Ok(())
    }

    fn reply(&mut self, id: RequestId, result: Result<Reply, ServerError>) {
        self.events.push_back(ClientEvent::Reply { id, result });
    }

    fn read_ok(
        &mut self,
        id: RequestId,
        expect: Expect,
        status: Status,
        line: &[u8],
    ) -> Result<(), ProtocolError> {
        let text = status.text;
        let listing = |items| {
            Reading::Listing(Box::new(Listing {
                id,
                items,
                octets: 0,
            }))
        };
        match expect {
            Expect::Simple => self.reply(id, Ok(Reply::Ok(text))),
            Expect::Stat => match parse::stat_line(line)? {
                Response::Stat { count, size } => self.reply(id, Ok(Reply::Stat { count, size })),
                _ => return Err(ResponseError::Malformed.into()),
            },
            Expect::Scan => {
                let entry = parse::scan_line(text.as_str().as_bytes())?;
                self.reply(id, Ok(Reply::Scan(entry)));
            }
            Expect::Uid => {
                let entry = parse::uid_line(text.as_str().as_bytes())?;
                self.reply(id, Ok(Reply::Uid(entry)));
            }
            Expect::ScanList => self.reading = listing(Items::Scan(Vec::new())),
            Expect::UidList => self.reading = listing(Items::Uid(Vec::new())),
            Expect::Capabilities => self.reading = listing(Items::Capabilities(Vec::new())),
            Expect::Languages => self.reading = listing(Items::Languages(Vec::new())),
            Expect::Mechanisms => self.reading = listing(Items::Mechanisms(Vec::new())),
            Expect::User { password } => {
                if let Some(password) = password {
                    // Not pipelined: PASS goes next, ahead of the queue.
                    self.queue.push_front(Queued::Request(Pending {
                        id,
                        command: Command::Pass(password),
                        expect: Expect::Login,
                    }));
                }
            }
            Expect::Login => {
                self.logged_in();
                self.reply(id, Ok(Reply::LoggedIn(text)));
            }
            Expect::Discard => return Err(ProtocolError::Desynchronized),
            Expect::Stls => {
                // Whatever else came in clear is not trusted.
                self.tls = TlsState::Handshake;
                self.input.clear();
                self.reply(id, Ok(Reply::TlsReady));
            }
            Expect::Body => {
                let size_hint = leading_number(text.as_str());
                self.reply(id, Ok(Reply::BodyStart { size_hint, text }));
                self.start_body(id);
            }
            Expect::Quit => {
                self.state = SessionState::Closed;
                self.reply(id, Ok(Reply::Ok(text)));
            }
            Expect::Auth(_) => {}
        }
        Ok(())
    }

    fn read_err(&mut self, id: RequestId, expect: Expect, status: Status) {
        let error = ServerError::from_status(status);
        match expect {
            Expect::Discard => return,
            Expect::User { password: None } => {
                // PASS was pipelined behind the refused USER: its reply
                // comes next and is not news.
                if let Some(pass) = self.in_flight.front_mut() {
                    pass.expect = Expect::Discard;
                }
                // The refusal is reported before the cancellations it
                // causes, so events keep request order.
                self.reply(id, Err(error));
                self.login_failed();
                return;
            }
            Expect::User { password: Some(_) } | Expect::Login | Expect::Auth(_) => {
                self.reply(id, Err(error));
                self.login_failed();
                return;
            }
            Expect::Stls => {
                // Everything queued was meant to go over TLS.
                self.tls = TlsState::None;
                self.reply(id, Err(error));
                self.cancel_queue();
                return;
            }
            Expect::Quit => self.state = SessionState::Closed,
            _ => {}
        }
        self.reply(id, Err(error));
    }

    fn read_listing_line(&mut self, line: &[u8]) -> Result<(), ProtocolError> {
        if line == b"." {
            if let Reading::Listing(listing) = std::mem::replace(&mut self.reading, Reading::Line) {
                let Listing { id, items, .. } = *listing;
                let reply = match items {
                    Items::Scan(v) => Reply::ScanList(v),
                    Items::Uid(v) => Reply::UidList(v),
                    Items::Languages(v) => Reply::Languages(v),
                    Items::Mechanisms(v) => Reply::Mechanisms(v),
                    Items::Capabilities(v) => {
                        self.capabilities = Some(v.clone());
                        Reply::Capabilities(v)
                    }
                };
                self.reply(id, Ok(reply));
            }
            return Ok(());
        }
        let max = self.config.max_listing_entries;
        let Reading::Listing(listing) = &mut self.reading else {
            return Ok(());
        };
        if listing.items.len() >= max {
            return Err(ProtocolError::TooManyEntries { max });
        }
        if listing.items.is_small() {
            let max = self.config.max_capability_octets;
            listing.octets = listing.octets.saturating_add(line.len() + 2);
            if listing.octets > max {
                return Err(ProtocolError::ListingTooLarge { max });
            }
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(line);
        listing.items.push(unstuffed)?;
        Ok(())
    }

    /// Reads a line of an AUTH exchange: a challenge or the outcome.
    fn read_auth_line(
        &mut self,
        id: RequestId,
        mut driver: Box<SaslDriver>,
        line: &[u8],
    ) -> Result<(), ProtocolError> {
        if let Some(challenge) = parse::continuation(line)? {
            if driver.aborted().is_some() {
                return Err(ProtocolError::UnexpectedContinuation);
            }
            let response = match driver.challenge(&challenge) {
                Answer::Data(data) => SaslResponse::Data(data),
                Answer::Cancel => SaslResponse::Cancel,
            };
            encode::sasl_response(&response, &mut self.out);
            self.in_flight.push_front(InFlight {
                id,
                expect: Expect::Auth(driver),
            });
            return Ok(());
        }
        let status = parse::status_line(line)?;
        if status.ok {
            driver.check_success().map_err(ProtocolError::Unverified)?;
            self.logged_in();
            self.reply(id, Ok(Reply::LoggedIn(status.text)));
            return Ok(());
        }
        match driver.aborted() {
            Some(error) => {
                let error = error.clone();
                self.events
                    .push_back(ClientEvent::AuthAborted { id, error });
            }
            None => self.reply(id, Err(ServerError::from_status(status))),
        }
        self.login_failed();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_hints() {
        assert_eq!(leading_number("120 octets"), Some(120));
        assert_eq!(leading_number("120"), Some(120));
        assert_eq!(leading_number("octets follow"), None);
        assert_eq!(leading_number(""), None);
        assert_eq!(leading_number("99999999999999999999 octets"), None);
    }
}
