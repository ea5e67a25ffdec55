//! The machine's raw loopback TCP throughput: one connection, one thread
//! writing and one reading, no protocol. The ceiling for any server's
//! bulk transfer on this machine.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// Octets moved and the time it took.
#[derive(Debug, Clone, Copy)]
pub struct Copy {
    /// Octets the reader received.
    pub bytes: u64,
    /// From the first write to the last read.
    pub elapsed: Duration,
}

impl Copy {
    /// Throughput in MB/s (10^6 octets).
    pub fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Copies through a loopback connection for `duration` with writes of
/// `chunk` octets.
pub fn measure(duration: Duration, chunk: usize) -> io::Result<Copy> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let writer = thread::spawn(move || -> io::Result<()> {
        let mut stream = TcpStream::connect(addr)?;
        let data = vec![b'x'; chunk.max(1)];
        let deadline = Instant::now() + duration;
        while Instant::now() < deadline {
            stream.write_all(&data)?;
        }
        Ok(())
    });
    let (mut stream, _) = listener.accept()?;
    let mut buf = vec![0u8; chunk.max(1)];
    let started = Instant::now();
    let mut bytes = 0u64;
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
    }
    let elapsed = started.elapsed();
    writer
        .join()
        .map_err(|_| io::Error::other("writer thread panicked"))??;
    Ok(Copy { bytes, elapsed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octets_arrive() {
        let copy = measure(Duration::from_millis(50), 4096).unwrap();
        assert!(copy.bytes >= 4096);
        assert!(copy.mb_per_s() > 0.0);
    }
}
