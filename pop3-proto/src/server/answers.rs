//! The application's answers to the core's requests.

use std::time::Instant;

use super::events::{
    BodyDemand, CloseReason, CommitOutcome, CommitRequest, Credentials, LoginError, LoginRequest,
    Misuse, RetrieveError, RetrieveRequest, ScramLookup,
};
use super::maildrop::{Mailbox, Maildrop};
use super::output::{BodyStream, Producer};
use super::session::{Phase, Server, Waiting};
use crate::body::DotStuffer;
use crate::sasl::scram::ScramSecrets;
use crate::types::ResponseCode;

fn misuse<T>(reason: &'static str, value: T) -> Misuse<T> {
    Misuse {
        reason,
        value: Box::new(value),
    }
}

impl Server {
    /// Accepts a login: the credentials were good and the maildrop is
    /// open and locked. The session enters TRANSACTION with `maildrop` as
    /// its fixed snapshot.
    pub fn accept_login(
        &mut self,
        request: LoginRequest,
        maildrop: Maildrop,
    ) -> Result<(), Misuse<LoginRequest>> {
        if !matches!(self.waiting, Waiting::Login { id, .. } if id == request.id) {
            return Err(misuse("no such login is pending", request));
        }
        if request.credentials == Credentials::ScramFailed {
            return Err(misuse(
                "the SCRAM proof failed; the login must be rejected",
                request,
            ));
        }
        self.waiting = Waiting::Nothing;
        let mailbox = Mailbox::new(maildrop);
        let text = format!(
            "maildrop has {} messages ({} octets)",
            mailbox.live_count(),
            mailbox.live_size()
        );
        self.phase = Phase::Transaction(Box::new(mailbox));
        self.username = Some(request.username);
        self.reply_ok(&text);
        self.advance();
        Ok(())
    }

    /// Rejects a login. The session stays in AUTHORIZATION unless too many
    /// logins have failed. Apply any failed-login delay before calling this.
    pub fn reject_login(
        &mut self,
        request: LoginRequest,
        error: LoginError,
    ) -> Result<(), Misuse<LoginRequest>> {
        let Waiting::Login { id, token } = self.waiting else {
            return Err(misuse("no such login is pending", request));
        };
        if id != request.id {
            return Err(misuse("no such login is pending", request));
        }
        self.waiting = Waiting::Nothing;
        self.stats.failed_logins += 1;
        if let (Some(token), LoginError::BadCredentials) = (token, &error) {
            // RFC 7628 3.2.3: the error goes in a challenge, and the final
            // `-ERR` (and any close for too many failures) follows the
            // client's dummy response.
            self.bearer_failed(token);
            self.advance();
            return Ok(());
        }
        let (code, text) = match error {
            LoginError::BadCredentials => (ResponseCode::Auth, "Authentication failed"),
            LoginError::InUse => (ResponseCode::InUse, "Maildrop is locked by another session"),
            LoginError::LoginDelay => (ResponseCode::LoginDelay, "Logged in too recently"),
            LoginError::Utf8Required => (ResponseCode::Utf8, "This maildrop needs UTF8 mode"),
            LoginError::Temporary => (ResponseCode::SysTemp, "Temporary failure; try again later"),
            LoginError::Permanent => (ResponseCode::SysPerm, "Maildrop is unavailable"),
        };
        self.reply_err(Some(code), text);
        self.close_after_too_many_failures();
        self.advance();
        Ok(())
    }

    /// Closes the session once a failed login's answer is out, if that
    /// failure was the last one allowed.
    pub(super) fn close_after_too_many_failures(&mut self) {
        if self.stats.failed_logins >= self.config.max_login_failures {
            self.close(CloseReason::TooManyLoginFailures);
        }
    }

    /// Answers a SCRAM lookup with the user's secrets, or `None` for an
    /// unknown user (the exchange then fails the same way a wrong password
    /// does, so user names cannot be probed).
    pub fn scram_secrets(
        &mut self,
        lookup: ScramLookup,
        secrets: Option<&ScramSecrets>,
    ) -> Result<(), Misuse<ScramLookup>> {
        if self.waiting != (Waiting::Scram { id: lookup.id }) {
            return Err(misuse("no such SCRAM lookup is pending", lookup));
        }
        self.waiting = Waiting::Nothing;
        self.scram_continue(secrets);
        self.advance();
        Ok(())
    }

    /// The message is open: sends `+OK` and starts the body. Stream it with
    /// [`Server::body_data`] while [`Server::body_demand`] says `Wanted`,
    /// then call [`Server::body_end`].
    pub fn retrieve_start(
        &mut self,
        request: RetrieveRequest,
    ) -> Result<(), Misuse<RetrieveRequest>> {
        if self.waiting != (Waiting::Retrieve { id: request.id }) {
            return Err(misuse("no such retrieval is pending", request));
        }
        self.waiting = Waiting::Nothing;
        let (stuffer, expected_size) = match request.top_lines {
            Some(lines) => {
                self.reply_ok("Top of message follows");
                (DotStuffer::top(lines), None)
            }
            None => {
                self.reply_ok(&format!("{} octets", request.size));
                (DotStuffer::new(), Some(request.size))
            }
        };
        self.producer = Producer::Body(Box::new(BodyStream {
            stuffer,
            expected_size,
        }));
        Ok(())
    }

    /// The message could not be opened: answers `-ERR` and carries on.
    pub fn retrieve_failed(
        &mut self,
        request: RetrieveRequest,
        error: RetrieveError,
    ) -> Result<(), Misuse<RetrieveRequest>> {
        if self.waiting != (Waiting::Retrieve { id: request.id }) {
            return Err(misuse("no such retrieval is pending", request));
        }
        self.waiting = Waiting::Nothing;
        match error {
            RetrieveError::Gone => self.reply_err(
                None,
                &format!("Message {} is no longer available", request.number),
            ),
            RetrieveError::Temporary => self.reply_err(
                Some(ResponseCode::SysTemp),
                "Cannot read message; try again later",
            ),
            RetrieveError::Permanent => {
                self.reply_err(Some(ResponseCode::SysPerm), "Cannot read message")
            }
        }
        self.advance();
        Ok(())
    }

    /// Whether the body being sent wants more data now.
    pub fn body_demand(&self) -> BodyDemand {
        match &self.producer {
            Producer::Body(body) if body.stuffer.is_done() => BodyDemand::Complete,
            Producer::Body(_) if self.out.len() >= self.config.output_high_water => {
                BodyDemand::Blocked
            }
            Producer::Body(_) => BodyDemand::Wanted,
            _ => BodyDemand::Idle,
        }
    }

    /// Appends stored message bytes, in any chunking; the core converts
    /// line endings and dot-stuffs. Keep chunks modest (say 16-64 KiB):
    /// each one is encoded whole into the output buffer.
    pub fn body_data(&mut self, chunk: &[u8]) -> Result<(), Misuse<()>> {
        match &mut self.producer {
            Producer::Body(body) => {
                body.stuffer.encode(chunk, &mut self.out);
                Ok(())
            }
            _ => Err(misuse("no message body is being sent", ())),
        }
    }

    /// Ends the body: closes the last line and writes the terminator.
    pub fn body_end(&mut self) -> Result<(), Misuse<()>> {
        let Producer::Body(body) = std::mem::replace(&mut self.producer, Producer::Idle) else {
            return Err(misuse("no message body is being sent", ()));
        };
        let BodyStream {
            stuffer,
            expected_size,
        } = *body;
        let sent = stuffer.wire_octets();
        stuffer.finish(&mut self.out);
        self.stats.retrieved_messages += 1;
        self.stats.retrieved_octets += sent;
        if expected_size.is_some_and(|size| size != sent) {
            self.stats.size_mismatches += 1;
        }
        self.advance();
        Ok(())
    }

    /// Gives up on a body part-way (the file became unreadable). A `+OK`
    /// is already out and a truncated message must not pass for a whole
    /// one, so the session closes without UPDATE.
    pub fn body_abort(&mut self) {
        if matches!(self.producer, Producer::Body(_)) {
            self.close(CloseReason::StorageError);
        }
    }

    /// The STLS handshake succeeded: AUTHORIZATION starts over on TLS.
    pub fn tls_established(&mut self, now: Instant) -> Result<(), Misuse<()>> {
        if self.waiting != Waiting::Tls {
            return Err(misuse("no STLS handshake is pending", ()));
        }
        self.waiting = Waiting::Nothing;
        self.tls_active = true;
        self.input.clear();
        self.discarding_long_line = false;
        self.deadline = self.autologout_from(now);
        Ok(())
    }

    /// Reports how the UPDATE state went; the session then closes.
    pub fn commit_done(
        &mut self,
        request: CommitRequest,
        outcome: CommitOutcome,
    ) -> Result<(), Misuse<CommitRequest>> {
        if self.waiting != (Waiting::Commit { id: request.id }) {
            return Err(misuse("no such commit is pending", request));
        }
        self.waiting = Waiting::Nothing;
        let asked = u32::try_from(request.deletions.len()).unwrap_or(u32::MAX);
        let remaining = match self.phase {
            Phase::Update { remaining } => remaining,
            _ => 0,
        };
        match outcome {
            CommitOutcome::Done if remaining == 0 => {
                self.stats.deleted_messages = asked;
                self.reply_ok("POP3 server signing off (maildrop empty)");
            }
            CommitOutcome::Done => {
                self.stats.deleted_messages = asked;
                self.reply_ok(&format!(
                    "POP3 server signing off ({remaining} messages left)"
                ));
            }
            CommitOutcome::Partial { removed } => {
                self.stats.deleted_messages = removed.min(asked);
                self.reply_err(
                    Some(ResponseCode::SysTemp),
                    &format!(
                        "Only {} of {asked} messages could be deleted",
                        removed.min(asked)
                    ),
                );
            }
            CommitOutcome::Failed => {
                self.reply_err(Some(ResponseCode::SysTemp), "Messages could not be deleted")
            }
        }
        self.close(CloseReason::Quit);
        Ok(())
    }
}
