//! The messages a test maildrop starts with (LF line ends, as Postfix
//! writes them) and the forms a client may store them in.

/// A message: its name (the Maildir base name, which pop3d uses as the
/// unique-id there; PostgreSQL gives its own, see `Pop3d::uid`) and its
/// bytes.
#[derive(Clone, Debug)]
pub struct Message {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Message {
    pub fn new(name: &str, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.to_owned(),
            bytes: bytes.into(),
        }
    }
}

/// Four messages covering what trips clients up: lines starting with a
/// dot (dot-stuffed on the wire), a last line without a newline, 8-bit
/// text, and one of about 1 MiB.
pub fn sample() -> Vec<Message> {
    let dots = "From: Bob <bob@example.org>\n\
                To: Alice <alice@example.org>\n\
                Subject: dots\n\
                Message-ID: <dots@interop.test>\n\
                \n\
                A line starting with a dot follows.\n\
                .leading dot\n\
                ..two dots\n\
                .\n\
                The line above held a single dot.\n";
    let unterminated = "From: Carol <carol@example.org>\n\
                        To: Alice <alice@example.org>\n\
                        Subject: no final newline\n\
                        Message-ID: <unterminated@interop.test>\n\
                        \n\
                        first line\n\
                        last line has no newline";
    let utf8 = "From: Dave <dave@example.org>\n\
                To: Alice <alice@example.org>\n\
                Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n\
                Message-ID: <utf8@interop.test>\n\
                MIME-Version: 1.0\n\
                Content-Type: text/plain; charset=UTF-8\n\
                Content-Transfer-Encoding: 8bit\n\
                \n\
                Grüße, ½ € ✓\n";
    let mut big = String::from(
        "From: Erin <erin@example.org>\n\
         To: Alice <alice@example.org>\n\
         Subject: one mebibyte\n\
         Message-ID: <big@interop.test>\n\
         \n",
    );
    let mut line = 0;
    while big.len() < 1 << 20 {
        if line % 500 == 0 {
            big.push_str(&format!(".line {line} starts with a dot\n"));
        } else {
            big.push_str(&format!(
                "line {line}: the quick brown fox jumps over the lazy dog\n"
            ));
        }
        line += 1;
    }
    vec![
        Message::new("1700000001.M1P101.interop", dots),
        Message::new("1700000002.M2P102.interop", unterminated),
        Message::new("1700000003.M3P103.interop", utf8),
        Message::new("1700000004.M4P104.interop", big),
    ]
}

/// A message that arrives after the first session (for UIDL tests).
pub fn late() -> Message {
    Message::new(
        "1700000100.M9P109.interop",
        "From: Frank <frank@example.org>\n\
         To: Alice <alice@example.org>\n\
         Subject: arrived later\n\
         Message-ID: <late@interop.test>\n\
         \n\
         .dot again\n\
         bye\n",
    )
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let text = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    text.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
}

/// The message as a client that keeps the wire's line ends stores it:
/// CRLF after every line, the last one included, no dot-stuffing.
pub fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    for line in lines(bytes) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The message as RETR sends it, before the terminating line: CRLF line
/// ends, a dot doubled at the start of a line.
pub fn stuffed(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    for line in lines(bytes) {
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The message as a client that converts to Unix line ends stores it:
/// LF after every line, the last one included.
pub fn lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 1);
    for line in lines(bytes) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

/// The header section and the blank line after it, as stored (what
/// `TOP n 0` returns, before line-end conversion).
pub fn header_block(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .windows(2)
        .position(|w| w == b"\n\n")
        .expect("message has a header/body separator");
    &bytes[..end + 2]
}
