use super::events::{CloseReason, Credentials, Event, LoginMethod};
use super::output::Producer;
use super::session::{Phase, Server, TokenMechanism, Waiting};
use crate::encode;
use crate::parse::{self, CommandError};
use crate::types::{Command, LangRequest, Mechanism, MessageNumber, ResponseCode, Username};

/// The only language this server's texts are written in.
const LANGUAGE: (&str, &str) = ("en", "English");

impl Server {
    /// Runs one complete input line in the current state.
    pub(super) fn execute_line(&mut self, line: &[u8]) {
        if let Phase::Authorization { sasl: Some(_), .. } = self.phase {
            self.sasl_line(line);
            return;
        }
        match parse::command(line) {
            Ok(command) => self.execute(command),
            Err(error) => self.bad_command(error),
        }
    }

    fn execute(&mut self, command: Command) {
        match command {
            Command::Capa => self.capa(),
            Command::Quit => self.quit(),
            Command::Lang(request) if self.config.utf8 => self.lang(request),
            Command::Lang(_) | Command::Utf8 if !self.config.utf8 => {
                self.bad_command(CommandError::Unknown)
            }
            command if matches!(self.phase, Phase::Authorization { .. }) => {
                self.authorization(command)
            }
            command => self.transaction(command),
        }
    }

    fn capa(&mut self) {
        self.reply_ok("Capability list follows");
        for capability in self.capabilities() {
            encode::capability_line(&capability, &mut self.out);
        }
        encode::terminator(&mut self.out);
    }

    fn quit(&mut self) {
        match std::mem::replace(&mut self.phase, Phase::Update { remaining: 0 }) {
            Phase::Transaction(mailbox) => {
                self.phase = Phase::Update {
                    remaining: mailbox.live_count(),
                };
                let id = self.next_request_id();
                self.waiting = Waiting::Commit { id };
                let deletions = mailbox.deletions();
                self.events
                    .push_back(Event::Commit(super::CommitRequest { id, deletions }));
            }
            other => {
                self.phase = other;
                self.reply_ok("POP3 server signing off");
                self.close(CloseReason::Quit);
            }
        }
    }

    fn lang(&mut self, request: Option<LangRequest>) {
        let (tag, description) = LANGUAGE;
        match request {
            None => {
                self.reply_ok("Language listing follows");
                self.out
                    .extend_from_slice(format!("{tag} {description}\r\n.\r\n").as_bytes());
            }
            Some(LangRequest::Wildcard) => self.reply_ok(&format!("{tag} {description}")),
            Some(LangRequest::Tag(t)) if t.as_str() == tag => {
                self.reply_ok(&format!("{tag} {description}"))
            }
            Some(LangRequest::Tag(_)) => self.reply_err(None, "Unsupported language"),
        }
    }

    fn authorization(&mut self, command: Command) {
        match command {
            Command::User(name) => self.user(name),
            Command::Pass(password) => {
                let Phase::Authorization { user, .. } = &mut self.phase else {
                    return;
                };
                match user.take() {
                    Some(name) => self.request_login(
                        name,
                        None,
                        LoginMethod::UserPass,
                        Credentials::Password(password),
                    ),
                    None => self.reply_err(None, "Send USER first"),
                }
            }
            Command::Apop { name, digest } => match self.apop_timestamp() {
                Some(timestamp) => {
                    let credentials = Credentials::Apop {
                        timestamp: timestamp.into(),
                        digest,
                    };
                    self.request_login(name, None, LoginMethod::Apop, credentials);
                }
                None => self.reply_err(None, "APOP is not available"),
            },
            Command::Auth(None) => {
                self.reply_ok("Supported SASL mechanisms follow");
                for mechanism in self.offered_mechanisms() {
                    encode::mechanism_line(&mechanism, &mut self.out);
                }
                encode::terminator(&mut self.out);
            }
            Command::Auth(Some(start)) => self.start_sasl(start),
            Command::Stls => self.stls(),
            Command::Utf8 => {
                self.utf8 = true;
                self.reply_ok("UTF8 enabled");
            }
            _ => {
                self.refuse("Not logged in");
            }
        }
    }

    fn user(&mut self, name: Username) {
        if !self.config.user_pass {
            self.reply_err(None, "USER/PASS is not available; use AUTH");
            return;
        }
        if !self.cleartext_allowed() {
            self.reply_err(Some(ResponseCode::Auth), PLAINTEXT_REFUSED);
            return;
        }
        if let Phase::Authorization { user, .. } = &mut self.phase {
            *user = Some(name);
        }
        self.reply_ok("Send PASS");
    }

    fn stls(&mut self) {
        if self.tls_active {
            self.refuse("Already using TLS");
        } else if !self.stls_offered() {
            self.reply_err(None, "STLS is not available");
        } else {
            self.reply_ok("Begin TLS negotiation now");
            self.input.clear();
            self.waiting = Waiting::Tls;
            // Nothing said in clear counts after TLS: a UTF8 sent (or
            // injected) before STLS must be sent again over TLS.
            self.utf8 = false;
            self.phase = Phase::Authorization {
                user: None,
                sasl: None,
            };
            self.events.push_back(Event::StartTls);
        }
    }

    fn transaction(&mut self, command: Command) {
        let Phase::Transaction(mailbox) = &mut self.phase else {
            return;
        };
        match command {
            Command::Stat => {
                let (count, size) = (mailbox.live_count(), mailbox.live_size());
                encode::response(&crate::types::Response::Stat { count, size }, &mut self.out);
            }
            Command::List(None) => {
                let text = format!(
                    "{} messages ({} octets)",
                    mailbox.live_count(),
                    mailbox.live_size()
                );
                self.reply_ok(&text);
                self.producer = Producer::ScanList { next: 0 };
            }
            Command::List(Some(n)) => match mailbox.live(n) {
                Some(entry) => {
                    let text = format!("{n} {}", entry.size);
                    self.reply_ok(&text);
                }
                None => self.no_such_message(n),
            },
            Command::Uidl(None) => {
                self.reply_ok("Unique-ID listing follows");
                self.producer = Producer::UidList { next: 0 };
            }
            Command::Uidl(Some(n)) => match mailbox.live(n) {
                Some(entry) => {
                    let text = format!("{n} {}", entry.uid);
                    self.reply_ok(&text);
                }
                None => self.no_such_message(n),
            },
            Command::Retr(n) => self.retrieve(n, None),
            Command::Top { msg, lines } => self.retrieve(msg, Some(lines)),
            Command::Dele(n) => {
                if mailbox.delete(n) {
                    self.reply_ok(&format!("message {n} deleted"));
                } else {
                    self.no_such_message(n);
                }
            }
            Command::Rset => {
                mailbox.reset();
                let text = format!(
                    "maildrop has {} messages ({} octets)",
                    mailbox.live_count(),
                    mailbox.live_size()
                );
                self.reply_ok(&text);
            }
            Command::Noop => self.reply_ok(""),
            _ => {
                self.refuse("Already logged in");
            }
        }
    }

    fn retrieve(&mut self, n: MessageNumber, top_lines: Option<u32>) {
        let Phase::Transaction(mailbox) = &self.phase else {
            return;
        };
        let Some(entry) = mailbox.live(n) else {
            self.no_such_message(n);
            return;
        };
        let (uid, size) = (entry.uid.clone(), entry.size);
        let id = self.next_request_id();
        self.waiting = Waiting::Retrieve { id };
        let request = super::RetrieveRequest {
            id,
            number: n,
            uid,
            size,
            top_lines,
        };
        self.events.push_back(Event::Retrieve(request));
    }

    fn no_such_message(&mut self, n: MessageNumber) {
        let deleted = matches!(&self.phase, Phase::Transaction(m) if m.is_deleted(n));
        if deleted {
            self.reply_err(None, &format!("message {n} already deleted"));
        } else {
            self.reply_err(None, "no such message");
        }
    }

    /// Hands a login attempt to the application and waits for its verdict.
    pub(super) fn request_login(
        &mut self,
        username: Username,
        authzid: Option<Username>,
        method: LoginMethod,
        credentials: Credentials,
    ) {
        let id = self.next_request_id();
        let token = match &method {
            LoginMethod::Sasl(Mechanism::OAuthBearer) => Some(TokenMechanism::OAuthBearer),
            LoginMethod::Sasl(Mechanism::XOAuth2) => Some(TokenMechanism::XOAuth2),
            _ => None,
        };
        self.waiting = Waiting::Login { id, token };
        let request = super::LoginRequest {
            id,
            username,
            authzid,
            method,
            credentials,
            utf8: self.utf8,
        };
        self.events.push_back(Event::Login(request));
    }
}

/// Why USER, PLAIN and LOGIN are refused before TLS (RFC 8314).
pub(super) const PLAINTEXT_REFUSED: &str =
    "Plaintext authentication disallowed on non-secure connections; use STLS or port 995";
