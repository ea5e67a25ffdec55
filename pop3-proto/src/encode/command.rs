use bytes::{BufMut, BytesMut};

use super::put_u32;
use crate::sasl::encode_base64;
use crate::types::{AuthStart, Command, LangRequest, SaslResponse};

/// Writes `command` and its CRLF.
pub fn command(command: &Command, out: &mut BytesMut) {
    out.put_slice(command.keyword().as_bytes());
    match command {
        Command::User(name) => arg(out, name.as_str().as_bytes()),
        Command::Pass(password) => arg(out, password.expose_secret()),
        Command::Apop { name, digest } => {
            arg(out, name.as_str().as_bytes());
            arg(out, digest.to_string().as_bytes());
        }
        Command::Auth(Some(AuthStart {
            mechanism,
            initial_response,
        })) => {
            arg(out, mechanism.as_str().as_bytes());
            match initial_response.as_ref().map(|r| r.expose_secret()) {
                None => {}
                Some(data) if data.is_empty() => arg(out, b"="),
                Some(data) => arg(out, encode_base64(data).as_bytes()),
            }
        }
        Command::Lang(Some(LangRequest::Tag(tag))) => arg(out, tag.as_str().as_bytes()),
        Command::Lang(Some(LangRequest::Wildcard)) => arg(out, b"*"),
        Command::List(Some(n)) | Command::Uidl(Some(n)) | Command::Retr(n) | Command::Dele(n) => {
            out.put_u8(b' ');
            put_u32(out, n.get());
        }
        Command::Top { msg, lines } => {
            out.put_u8(b' ');
            put_u32(out, msg.get());
            out.put_u8(b' ');
            put_u32(out, *lines);
        }
        Command::Auth(None)
        | Command::Lang(None)
        | Command::List(None)
        | Command::Uidl(None)
        | Command::Capa
        | Command::Stls
        | Command::Utf8
        | Command::Stat
        | Command::Noop
        | Command::Rset
        | Command::Quit => {}
    }
    out.put_slice(b"\r\n");
}

/// Writes a client line inside a SASL exchange.
pub fn sasl_response(response: &SaslResponse, out: &mut BytesMut) {
    match response {
        SaslResponse::Cancel => out.put_u8(b'*'),
        SaslResponse::Data(data) => out.put_slice(encode_base64(data.expose_secret()).as_bytes()),
    }
    out.put_slice(b"\r\n");
}

fn arg(out: &mut BytesMut, value: &[u8]) {
    out.put_u8(b' ');
    out.put_slice(value);
}
