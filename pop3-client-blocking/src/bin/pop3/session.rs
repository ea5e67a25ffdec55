//! Opening a session for an account: connect, TLS, password, login.

use std::time::Duration;

use pop3_client_blocking::{Client, ConnectOptions, Error, LoginPolicy, TlsOptions};

use crate::cli::{Account, StartTls};
use crate::exit::{Failure, USAGE};
use crate::password;
use crate::url::PopUrl;

/// An open session, not yet logged in, and what it needs to log in.
pub(crate) struct Session {
    pub(crate) client: Client,
    pub(crate) url: PopUrl,
}

impl Session {
    /// Connects as the account says, with TLS as `--starttls` demands.
    pub(crate) fn connect(account: &Account) -> Result<Self, Failure> {
        let url = parse(account)?;
        let limit = Some(Duration::from_secs(account.timeout.max(1)));
        let options = ConnectOptions {
            connect_timeout: limit,
            read_timeout: limit,
            write_timeout: limit,
            tls: TlsOptions {
                extra_ca_file: account.ca_file.clone(),
                danger_accept_invalid_certificates: account.danger_accept_invalid_certs,
                ..TlsOptions::default()
            },
            ..ConnectOptions::default()
        };
        let client = if url.tls {
            Client::connect_tls(&url.host, url.port, &options)
        } else {
            Client::connect(&url.host, url.port, &options)
        }
        .map_err(Failure::pop)?;
        let mut session = Self { client, url };
        if !session.url.tls {
            session.starttls(account.starttls)?;
        }
        Ok(session)
    }

    fn starttls(&mut self, mode: StartTls) -> Result<(), Failure> {
        let result = match mode {
            StartTls::Never => Ok(()),
            StartTls::Required => self.client.stls(),
            StartTls::Opportunistic => match self.client.offers_stls() {
                Ok(true) => self.client.stls(),
                Ok(false) => Ok(()),
                Err(e) => Err(e),
            },
        };
        result.map_err(|e| match e {
            Error::StlsNotOffered => Failure::new(
                crate::exit::SECURITY,
                format!(
                    "{} does not offer STLS and --starttls=required: refusing to continue \
                     without TLS (someone may be stripping STLS; use pop3s:// or \
                     --starttls=never if you trust the network)",
                    self.url.account()
                ),
            ),
            other => Failure::pop(other),
        })
    }

    /// Logs in with the best method allowed.
    fn login(&mut self, account: &Account, password: &[u8]) -> Result<(), Failure> {
        let policy = LoginPolicy {
            allow_cleartext_without_tls: account.allow_plaintext_password,
            only: self.url.auth.clone(),
            ..LoginPolicy::default()
        };
        self.client
            .login_best(&self.url.user, password, policy)
            .map(drop)
            .map_err(Failure::login)
    }

    /// Obtains the password (before connecting, so a slow typist does
    /// not meet a server timeout), connects and logs in.
    pub(crate) fn open(account: &Account) -> Result<Self, Failure> {
        let url = parse(account)?;
        let password = password::obtain(
            account.password_file.as_deref(),
            account.password_command.as_deref(),
            &format!("Password for {}: ", url.account()),
        )?;
        let mut session = Self::connect(account)?;
        session.login(account, &password)?;
        Ok(session)
    }
}

/// The account's URL; a bad one is a usage error.
pub(crate) fn parse(account: &Account) -> Result<PopUrl, Failure> {
    PopUrl::parse(&account.url).map_err(|e| Failure::new(USAGE, e.to_string()))
}
