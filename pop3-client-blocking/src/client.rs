//! The blocking session: a socket, the protocol core, and the loop that
//! moves bytes between them until the reply asked for arrives.

use std::net::{TcpStream, ToSocketAddrs};

use bytes::Bytes;
use pop3_proto::client::{self as core, ClientEvent, Greeting, Reply, RequestId, SessionState};
use pop3_proto::{Capability, Text};

use crate::error::{Error, Result};
use crate::options::ConnectOptions;
use crate::stream::Stream;
use crate::tls;

/// Octets read from the socket at a time.
const READ_CHUNK: usize = 16 * 1024;

/// A POP3 session over a blocking socket.
///
/// Every method sends its command and waits for the answer. A `-ERR`
/// comes back as [`Error::Server`] and the session goes on; network,
/// TLS and protocol errors leave the connection unusable.
///
/// ```no_run
/// use pop3_client_blocking::{Client, ConnectOptions, LoginPolicy};
///
/// # fn main() -> Result<(), pop3_client_blocking::Error> {
/// let mut client = Client::connect_tls("mail.example.org", 995, &ConnectOptions::default())?;
/// client.login_best("alice", b"secret", LoginPolicy::default())?;
/// let stat = client.stat()?;
/// println!("{} messages, {} octets", stat.count, stat.size);
/// client.quit()?;
/// # Ok(())
/// # }
/// ```
pub struct Client {
    pub(crate) core: core::Client,
    stream: Stream,
    pub(crate) host: String,
    pub(crate) port: u16,
    options: ConnectOptions,
    greeting: Greeting,
    buf: Vec<u8>,
}

impl Client {
    /// Connects without TLS, e.g. to port 110. Upgrade with
    /// [`Client::stls`] before logging in with a password.
    pub fn connect(host: &str, port: u16, options: &ConnectOptions) -> Result<Self> {
        let tcp = open(host, port, options)?;
        Self::start(Stream::Plain(tcp), host, port, options)
    }

    /// Connects with implicit TLS (POP3S, port 995; RFC 8314).
    pub fn connect_tls(host: &str, port: u16, options: &ConnectOptions) -> Result<Self> {
        let config = tls::client_config(&options.tls)?;
        let tcp = open(host, port, options)?;
        let stream = Stream::handshake(tcp, config, host)?;
        Self::start(stream, host, port, options)
    }

    /// Reads the greeting over an open stream.
    fn start(stream: Stream, host: &str, port: u16, options: &ConnectOptions) -> Result<Self> {
        let mut client = Self {
            core: core::Client::new(options.protocol.clone()),
            stream,
            host: host.to_owned(),
            port,
            options: options.clone(),
            greeting: Greeting {
                text: Text::empty(),
                apop_timestamp: None,
            },
            buf: vec![0; READ_CHUNK],
        };
        loop {
            match client.next_event()? {
                ClientEvent::Greeting(Ok(greeting)) => {
                    client.greeting = greeting;
                    return Ok(client);
                }
                ClientEvent::Greeting(Err(refused)) => return Err(Error::Server(refused)),
                _ => {}
            }
        }
    }

    /// The server's greeting.
    pub fn greeting(&self) -> &Greeting {
        &self.greeting
    }

    /// Whether the connection is encrypted (implicit TLS or after STLS).
    pub fn is_tls(&self) -> bool {
        self.stream.is_tls()
    }

    /// Whether the session is logged in (RFC 1939 TRANSACTION state).
    pub fn is_logged_in(&self) -> bool {
        self.core.state() == SessionState::Transaction
    }

    /// The capabilities of the last [`Client::capa`], if any was asked
    /// since the connection (or TLS) started.
    pub fn capabilities(&self) -> Option<&[Capability]> {
        self.core.capabilities()
    }

    /// Whether the server's last CAPA listed PIPELINING, so batches go
    /// out without waiting for each reply.
    pub fn pipelining(&self) -> bool {
        self.core.pipelining_allowed()
    }

    /// `CAPA` (RFC 2449): what the server offers now. Ask again after
    /// STLS (done by [`Client::stls`]) and after login.
    pub fn capa(&mut self) -> Result<Vec<Capability>> {
        let id = self.core.capa()?;
        match self.reply(id)? {
            Reply::Capabilities(caps) => Ok(caps),
            _ => Err(self.unexpected()),
        }
    }

    /// Whether the last CAPA listed STLS, asking CAPA first if needed.
    pub fn offers_stls(&mut self) -> Result<bool> {
        if self.core.capabilities().is_none() {
            // A server without CAPA offers no STLS the client can know of.
            match self.capa() {
                Ok(_) => {}
                Err(Error::Server(_)) => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        Ok(self
            .core
            .capabilities()
            .is_some_and(|caps| caps.contains(&Capability::Stls)))
    }

    /// `STLS` (RFC 2595): upgrades the connection to TLS, checking the
    /// certificate as [`ConnectOptions::tls`] says, then asks CAPA again
    /// (what was said in clear may have been forged).
    ///
    /// Fails with [`Error::StlsNotOffered`] if the last CAPA did not list
    /// STLS, without sending anything.
    pub fn stls(&mut self) -> Result<()> {
        if self.is_tls() {
            return Err(Error::Request(core::ClientError::AlreadyTls));
        }
        if !self.offers_stls()? {
            return Err(Error::StlsNotOffered);
        }
        let config = tls::client_config(&self.options.tls)?;
        let id = self.core.stls()?;
        match self.reply(id)? {
            Reply::TlsReady => {}
            _ => return Err(self.unexpected()),
        }
        let Some(tcp) = self.stream.take_plain() else {
            return Err(Error::Abandoned);
        };
        self.stream = Stream::handshake(tcp, config, &self.host)?;
        self.core.tls_established()?;
        self.capa()?;
        Ok(())
    }

    /// `NOOP`: keeps the session alive.
    pub fn noop(&mut self) -> Result<()> {
        let id = self.core.noop()?;
        self.reply(id).map(drop)
    }

    /// `QUIT`: ends the session. From TRANSACTION the server now removes
    /// the messages marked deleted; its `-ERR` here (`[SYS/TEMP]`, ...)
    /// means they were not all removed.
    pub fn quit(mut self) -> Result<()> {
        let id = self.core.quit()?;
        let result = self.reply(id).map(drop);
        self.stream.close();
        result
    }

    /// Writes what the core has to send, then returns the next event,
    /// reading from the server as long as none is ready.
    pub(crate) fn next_event(&mut self) -> Result<ClientEvent> {
        loop {
            while let Some(bytes) = self.core.poll_transmit() {
                self.send(&bytes)?;
            }
            if let Some(event) = self.core.poll_event() {
                return Ok(event);
            }
            let n = match self.stream.read(&mut self.buf) {
                Ok(0) => Err(Error::ConnectionClosed),
                other => other,
            }
            .inspect_err(|_| self.stream.close())?;
            let data = self.buf.get(..n).unwrap_or_default();
            if let Err(e) = self.core.handle_input(data) {
                self.stream.close();
                return Err(e.into());
            }
        }
    }

    fn send(&mut self, bytes: &Bytes) -> Result<()> {
        self.stream
            .write_all(bytes)
            .inspect_err(|_| self.stream.close())
    }

    /// Waits for the reply to `id`. Events of other requests cannot come
    /// first: one request is outstanding outside of batches.
    pub(crate) fn reply(&mut self, id: RequestId) -> Result<Reply> {
        loop {
            match self.next_event()? {
                ClientEvent::Reply { id: got, result } if got == id => {
                    return result.map_err(Error::Server);
                }
                ClientEvent::Cancelled { id: got } if got == id => return Err(Error::Cancelled),
                ClientEvent::AuthAborted { id: got, error } if got == id => {
                    return Err(Error::AuthAborted(error));
                }
                _ => {}
            }
        }
    }

    /// Abandons the connection after a reply that does not fit the
    /// command, which the core's typing makes impossible in practice.
    pub(crate) fn unexpected(&mut self) -> Error {
        self.abandon();
        Error::Abandoned
    }

    /// Closes the connection for good, e.g. after a sink failed
    /// mid-message.
    pub(crate) fn abandon(&mut self) {
        self.stream.close();
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.is_tls())
            .field("state", &self.core.state())
            .finish_non_exhaustive()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.stream.close();
    }
}

/// Opens a TCP connection to the first address of `host` that answers,
/// and sets the read and write timeouts.
fn open(host: &str, port: u16, options: &ConnectOptions) -> Result<TcpStream> {
    let connect_error = |source| Error::Connect {
        host: host.to_owned(),
        port,
        source,
    };
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let addrs = (bare, port).to_socket_addrs().map_err(connect_error)?;
    let mut last = None;
    for addr in addrs {
        let attempt = match options.connect_timeout {
            Some(limit) => TcpStream::connect_timeout(&addr, limit),
            None => TcpStream::connect(addr),
        };
        match attempt {
            Ok(tcp) => {
                let setup = tcp
                    .set_read_timeout(options.read_timeout)
                    .and_then(|()| tcp.set_write_timeout(options.write_timeout))
                    .and_then(|()| tcp.set_nodelay(true));
                setup.map_err(connect_error)?;
                return Ok(tcp);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(connect_error(last.unwrap_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::NotFound, "no address found")
    })))
}
