//! A TCP proxy in front of a test server that misbehaves on purpose:
//! cuts the connection, stalls it, or hides STLS.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::Sender;
use std::thread;

/// What the proxy does to the server's side of the conversation.
#[derive(Debug, Clone)]
pub enum Mischief {
    /// Forward this many octets from the server, then drop both sides.
    CutAfter(usize),
    /// Forward this many octets from the server, report it, then forward
    /// nothing more until the client goes away.
    StallAfter(usize, Sender<()>),
    /// Remove the `STLS` line from every CAPA answer (a downgrade attack).
    StripStls,
}

/// A running proxy; it serves until the test process ends.
pub struct Proxy {
    pub port: u16,
}

pub fn start(target: SocketAddr, mischief: Mischief) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let mischief = mischief.clone();
            thread::spawn(move || serve(client, target, mischief));
        }
    });
    Proxy { port }
}

fn serve(client: TcpStream, target: SocketAddr, mischief: Mischief) {
    let Ok(server) = TcpStream::connect(target) else {
        return;
    };
    let (mut c_read, mut s_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    // Client to server: forwarded as is.
    let upstream = thread::spawn(move || {
        let _ = std::io::copy(&mut c_read, &mut s_write);
        let _ = s_write.shutdown(Shutdown::Write);
    });
    let mut to_client = client.try_clone().unwrap();
    match mischief {
        Mischief::CutAfter(limit) => {
            forward(&server, &mut to_client, limit);
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
        }
        Mischief::StallAfter(limit, notify) => {
            forward(&server, &mut to_client, limit);
            let _ = notify.send(());
            // Hold the line open until the client is gone.
            let _ = upstream.join();
            let _ = server.shutdown(Shutdown::Both);
            return;
        }
        Mischief::StripStls => {
            let mut lines = BufReader::new(&server);
            let mut line = Vec::new();
            loop {
                line.clear();
                match lines.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                if line.eq_ignore_ascii_case(b"STLS\r\n") {
                    continue;
                }
                if to_client.write_all(&line).is_err() {
                    break;
                }
            }
            let _ = client.shutdown(Shutdown::Both);
        }
    }
    let _ = upstream.join();
}

/// Copies up to `limit` octets from `from` to `to`.
fn forward(mut from: &TcpStream, to: &mut TcpStream, limit: usize) {
    let mut left = limit;
    let mut buf = [0u8; 4096];
    while left > 0 {
        let want = left.min(buf.len());
        match from.read(&mut buf[..want]) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    return;
                }
                left -= n;
            }
        }
    }
}
