//! Answers to the core's events, from the authenticator and the store.

use std::time::{Duration, Instant};

use pop3_proto::server::{CommitOutcome, Event, LoginError, LoginRequest, Server};

use super::driver::Session;
use crate::auth::Authenticator;
use crate::store::{MaildropStore, OpenError, OpenMaildrop};

/// What the driver must do after an event was answered.
pub(super) enum Pending {
    /// Nothing more.
    Continue,
    /// Flush the output, then run the TLS handshake (STLS).
    StartTls,
}

impl<A: Authenticator, S: MaildropStore> Session<A, S> {
    /// Answers one event. Answers the core refuses as out of order cannot
    /// happen here (each request is answered once, as it comes), so they
    /// are ignored rather than turned into a crash.
    pub(super) async fn answer(&mut self, server: &mut Server, event: Event) -> Pending {
        match event {
            Event::Login(request) => self.login(server, request).await,
            Event::ScramLookup(lookup) => {
                let secrets = self.services.auth.scram_secrets(lookup.username()).await;
                let _ = server.scram_secrets(lookup, secrets.as_ref());
            }
            Event::Retrieve(request) => {
                let opened = match self.maildrop.as_mut() {
                    Some(maildrop) => maildrop.open_message(request.index()).await,
                    None => Err(pop3_proto::server::RetrieveError::Temporary),
                };
                match opened {
                    Ok(reader) => {
                        self.body = Some(reader);
                        let _ = server.retrieve_start(request);
                    }
                    Err(error) => {
                        tracing::info!(peer = %self.peer, uid = %request.uid(), ?error, "message could not be opened");
                        let _ = server.retrieve_failed(request, error);
                    }
                }
            }
            Event::StartTls => return Pending::StartTls,
            Event::Commit(request) => {
                let outcome = match self.maildrop.as_mut() {
                    Some(maildrop) => maildrop.commit(request.deletions()).await,
                    None if request.deletions().is_empty() => CommitOutcome::Done,
                    None => CommitOutcome::Failed,
                };
                if outcome != CommitOutcome::Done {
                    tracing::warn!(peer = %self.peer, ?outcome, "not every deletion was applied");
                }
                let _ = server.commit_done(request, outcome);
            }
            Event::Closed(reason) => {
                self.closed = Some(reason);
                self.maildrop = None;
                self.body = None;
            }
        }
        Pending::Continue
    }

    /// Checks credentials, then opens and locks the maildrop.
    async fn login(&mut self, server: &mut Server, request: LoginRequest) {
        let peer = self.peer.ip().to_canonical();
        let account = match self.services.auth.authenticate(&request).await {
            Ok(account) => account,
            Err(error) => {
                if error == LoginError::BadCredentials {
                    let delay = self.services.penalty.failed(peer, Instant::now());
                    tracing::info!(peer = %self.peer, user = request.username().as_str(), method = ?request.method(), "login failed");
                    tokio::time::sleep(delay).await;
                }
                let _ = server.reject_login(request, error);
                return;
            }
        };
        let login_delay = self.services.protocol.login_delay.map(u64::from);
        let login_delay = login_delay.map(Duration::from_secs);
        let owner = account.maildrop_owner.as_str();
        let logins = &self.services.recent_logins;
        if login_delay.is_some_and(|delay| logins.too_soon(owner, Instant::now(), delay)) {
            tracing::info!(peer = %self.peer, user = owner, "login refused: LOGIN-DELAY");
            let _ = server.reject_login(request, LoginError::LoginDelay);
            return;
        }
        match self.services.store.open(&account.maildrop_owner).await {
            Ok(open) => {
                self.services.penalty.succeeded(peer);
                let snapshot = open.snapshot().clone();
                self.maildrop = Some(open);
                match server.accept_login(request, snapshot) {
                    Ok(()) => {
                        if let Some(delay) = login_delay {
                            logins.logged_in(owner, Instant::now(), delay);
                        }
                    }
                    Err(misuse) => {
                        tracing::warn!(reason = misuse.reason, "login could not be accepted");
                        self.maildrop = None;
                    }
                }
            }
            Err(error) => {
                let code = match &error {
                    OpenError::InUse => LoginError::InUse,
                    OpenError::Temporary(_) => LoginError::Temporary,
                    OpenError::Permanent(_) => LoginError::Permanent,
                };
                if !matches!(error, OpenError::InUse) {
                    tracing::warn!(user = account.maildrop_owner.as_str(), %error, "maildrop could not be opened");
                }
                let _ = server.reject_login(request, code);
            }
        }
    }
}
