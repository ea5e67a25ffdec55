//! One POP3 connection driven by `pop3_proto::client::Client` over any
//! tokio byte stream (plain TCP or TLS).
//!
//! Requests are issued one at a time and awaited, as a simple mail
//! client does; without a CAPA the core never pipelines, so both servers
//! see the same command-reply rhythm.

use std::io;
use std::time::Duration;

use pop3_proto::client::{
    Client, ClientConfig, ClientError, ClientEvent, Reply, RequestId, ServerError,
};
use pop3_proto::types::{MessageNumber, Username};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Read buffer size: large enough that a 1 MiB message takes few reads.
const READ_BUF: usize = 64 * 1024;
/// How long to wait for the server to close after QUIT.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// Why a session failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The socket failed.
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
    /// The server broke the protocol, or the core refused a request.
    #[error("protocol: {0}")]
    Protocol(#[from] ClientError),
    /// The server answered `-ERR`.
    #[error("server: {0}")]
    Server(#[from] ServerError),
    /// The server closed the connection early.
    #[error("connection closed by the server")]
    Closed,
    /// A request was cancelled or a reply had an unexpected shape.
    #[error("unexpected: {0}")]
    Unexpected(&'static str),
    /// A user name the protocol refuses.
    #[error("bad user name")]
    BadUser,
}

/// A connection and the client machine speaking over it.
pub struct Conn<S> {
    stream: S,
    client: Client,
    buf: Vec<u8>,
    /// Message octets received so far (dot-unstuffed).
    pub body_bytes: u64,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    /// Wraps a connected stream; nothing is read yet.
    pub fn new(stream: S) -> Self {
        Self {
            stream,
            client: Client::new(ClientConfig::default()),
            buf: vec![0; READ_BUF],
            body_bytes: 0,
        }
    }

    /// Writes everything the core has queued.
    async fn flush(&mut self) -> Result<(), Failure> {
        let mut wrote = false;
        while let Some(bytes) = self.client.poll_transmit() {
            self.stream.write_all(&bytes).await?;
            wrote = true;
        }
        if wrote {
            self.stream.flush().await?;
        }
        Ok(())
    }

    /// Reads once from the socket into the core.
    async fn read_some(&mut self) -> Result<(), Failure> {
        let n = self.stream.read(&mut self.buf).await?;
        if n == 0 {
            return Err(Failure::Closed);
        }
        self.client
            .handle_input(self.buf.get(..n).unwrap_or_default())?;
        Ok(())
    }

    /// Waits for the greeting.
    pub async fn greeting(&mut self) -> Result<(), Failure> {
        loop {
            match self.client.poll_event() {
                Some(ClientEvent::Greeting(Ok(_))) => return Ok(()),
                Some(ClientEvent::Greeting(Err(e))) => return Err(e.into()),
                Some(_) => return Err(Failure::Unexpected("event before the greeting")),
                None => self.read_some().await?,
            }
        }
    }

    /// Sends what is queued and waits until request `id` is complete: its
    /// reply, or for RETR the end of the body. Returns the reply.
    async fn complete(&mut self, id: RequestId) -> Result<Reply, Failure> {
        let mut started: Option<Reply> = None;
        loop {
            self.flush().await?;
            while let Some(event) = self.client.poll_event() {
                match event {
                    ClientEvent::Reply { id: got, result } if got == id => match result? {
                        reply @ Reply::BodyStart { .. } => started = Some(reply),
                        reply => return Ok(reply),
                    },
                    ClientEvent::BodyChunk { data, .. } => self.body_bytes += data.len() as u64,
                    ClientEvent::BodyEnd { id: got } if got == id => {
                        return started.ok_or(Failure::Unexpected("body without a reply"));
                    }
                    ClientEvent::Reply { result: Err(e), .. } => return Err(e.into()),
                    ClientEvent::Cancelled { .. } => return Err(Failure::Unexpected("cancelled")),
                    ClientEvent::AuthAborted { .. } => {
                        return Err(Failure::Unexpected("authentication aborted"));
                    }
                    _ => {}
                }
            }
            self.read_some().await?;
        }
    }

    /// Greeting, then USER/PASS.
    pub async fn login(&mut self, user: &str, password: &[u8]) -> Result<(), Failure> {
        self.greeting().await?;
        let user: Username = user.parse().map_err(|_| Failure::BadUser)?;
        let id = self.client.user_pass(user, password)?;
        match self.complete(id).await? {
            Reply::LoggedIn(_) => Ok(()),
            _ => Err(Failure::Unexpected("login reply")),
        }
    }

    /// STAT: (messages, octets).
    pub async fn stat(&mut self) -> Result<(u32, u64), Failure> {
        let id = self.client.stat()?;
        match self.complete(id).await? {
            Reply::Stat { count, size } => Ok((count, size)),
            _ => Err(Failure::Unexpected("STAT reply")),
        }
    }

    /// UIDL: the number of entries listed.
    pub async fn uidl(&mut self) -> Result<usize, Failure> {
        let id = self.client.uidl(None)?;
        match self.complete(id).await? {
            Reply::UidList(list) => Ok(list.len()),
            _ => Err(Failure::Unexpected("UIDL reply")),
        }
    }

    /// NOOP.
    pub async fn noop(&mut self) -> Result<(), Failure> {
        let id = self.client.noop()?;
        self.complete(id).await.map(drop)
    }

    /// RETR of message `n`; the body is counted, not kept.
    pub async fn retr(&mut self, n: u32) -> Result<(), Failure> {
        let msg = MessageNumber::new(n).ok_or(Failure::Unexpected("message 0"))?;
        let id = self.client.retr(msg)?;
        self.complete(id).await.map(drop)
    }

    /// QUIT, then waits for the server to close, so the server side holds
    /// TIME_WAIT and the generator's ephemeral ports are not used up.
    pub async fn quit(mut self) -> Result<(), Failure> {
        let id = self.client.quit()?;
        self.complete(id).await?;
        let drain = async {
            loop {
                match self.stream.read(&mut self.buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        };
        // A server that keeps the socket open is not an error here.
        let _ = tokio::time::timeout(CLOSE_WAIT, drain).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

    /// A scripted server: reads a command line, writes the canned reply.
    async fn serve(mut io: tokio::io::DuplexStream, script: Vec<(&'static str, &'static str)>) {
        io.write_all(b"+OK ready\r\n").await.unwrap();
        let mut pending = Vec::new();
        for (command, reply) in script {
            loop {
                if let Some(end) = pending.windows(2).position(|w| w == b"\r\n") {
                    let line: Vec<u8> = pending.drain(..end + 2).collect();
                    assert_eq!(String::from_utf8_lossy(&line), format!("{command}\r\n"));
                    break;
                }
                let mut buf = [0u8; 256];
                let n = io.read(&mut buf).await.unwrap();
                assert!(n > 0, "client closed before {command}");
                pending.extend_from_slice(&buf[..n]);
            }
            io.write_all(reply.as_bytes()).await.unwrap();
        }
    }

    #[tokio::test]
    async fn a_session_logs_in_lists_retrieves_and_quits() {
        let (client_io, server_io) = duplex(1024);
        let server = tokio::spawn(serve(
            server_io,
            vec![
                ("USER u1", "+OK\r\n"),
                ("PASS pw", "+OK in\r\n"),
                ("STAT", "+OK 2 20\r\n"),
                ("UIDL", "+OK\r\n1 a\r\n2 b\r\n.\r\n"),
                ("RETR 1", "+OK\r\nab\r\n..c\r\n.\r\n"),
                ("QUIT", "+OK bye\r\n"),
            ],
        ));
        let mut conn = Conn::new(client_io);
        conn.login("u1", b"pw").await.unwrap();
        assert_eq!(conn.stat().await.unwrap(), (2, 20));
        assert_eq!(conn.uidl().await.unwrap(), 2);
        conn.retr(1).await.unwrap();
        // "ab\r\n" and the unstuffed ".c\r\n".
        assert_eq!(conn.body_bytes, 8);
        conn.quit().await.unwrap();
        server.await.unwrap();
    }

    #[tokio::test]
    async fn a_refused_password_is_a_server_failure() {
        let (client_io, server_io) = duplex(1024);
        let server = tokio::spawn(serve(
            server_io,
            vec![("USER u1", "+OK\r\n"), ("PASS pw", "-ERR [AUTH] no\r\n")],
        ));
        let mut conn = Conn::new(client_io);
        let err = conn.login("u1", b"pw").await.unwrap_err();
        assert!(matches!(err, Failure::Server(e) if e.is_auth()));
        server.await.unwrap();
    }

    #[tokio::test]
    async fn an_early_close_is_reported() {
        let (client_io, server_io) = duplex(1024);
        drop(server_io);
        let mut conn = Conn::new(client_io);
        assert!(matches!(
            conn.greeting().await,
            Err(Failure::Closed | Failure::Io(_))
        ));
    }
}
