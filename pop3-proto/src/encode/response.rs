use bytes::{BufMut, BytesMut};

use super::{put_u32, put_u64};
use crate::sasl::encode_base64;
use crate::types::{
    Capability, Expire, LangEntry, Mechanism, MessageNumber, Response, ScanListing, Status, Text,
    Uid, UidListing,
};

/// Writes a status line and its CRLF.
pub fn status_line(status: &Status, out: &mut BytesMut) {
    out.put_slice(if status.ok { b"+OK" } else { b"-ERR" });
    if let Some(code) = &status.code {
        out.put_slice(b" [");
        out.put_slice(code.as_str().as_bytes());
        out.put_u8(b']');
    }
    text(out, &status.text);
    out.put_slice(b"\r\n");
}

fn text(out: &mut BytesMut, text: &Text) {
    if !text.is_empty() {
        out.put_u8(b' ');
        out.put_slice(text.as_str().as_bytes());
    }
}

fn ok_line(out: &mut BytesMut, t: &Text) {
    out.put_slice(b"+OK");
    text(out, t);
    out.put_slice(b"\r\n");
}

/// Writes `msg SP size CRLF`.
pub fn scan_line(entry: &ScanListing, out: &mut BytesMut) {
    put_u32(out, entry.number.get());
    out.put_u8(b' ');
    put_u64(out, entry.size);
    out.put_slice(b"\r\n");
}

/// Writes `msg SP uid CRLF`.
pub fn uid_line(entry: &UidListing, out: &mut BytesMut) {
    put_uid_line(entry.number, &entry.uid, out);
}

/// Writes `msg SP uid CRLF` from borrowed parts.
pub(crate) fn put_uid_line(number: MessageNumber, uid: &Uid, out: &mut BytesMut) {
    put_u32(out, number.get());
    out.put_u8(b' ');
    out.put_slice(uid.as_str().as_bytes());
    out.put_slice(b"\r\n");
}

/// Writes `tag SP description CRLF`.
pub fn lang_line(entry: &LangEntry, out: &mut BytesMut) {
    out.put_slice(entry.tag.as_str().as_bytes());
    text(out, &entry.description);
    out.put_slice(b"\r\n");
}

/// Writes one mechanism name and CRLF (the bare `AUTH` listing).
pub fn mechanism_line(mechanism: &Mechanism, out: &mut BytesMut) {
    out.put_slice(mechanism.as_str().as_bytes());
    out.put_slice(b"\r\n");
}

/// Writes one CAPA line and its CRLF.
pub fn capability_line(capability: &Capability, out: &mut BytesMut) {
    match capability {
        Capability::Top => out.put_slice(b"TOP"),
        Capability::User => out.put_slice(b"USER"),
        Capability::Uidl => out.put_slice(b"UIDL"),
        Capability::RespCodes => out.put_slice(b"RESP-CODES"),
        Capability::AuthRespCode => out.put_slice(b"AUTH-RESP-CODE"),
        Capability::Pipelining => out.put_slice(b"PIPELINING"),
        Capability::Stls => out.put_slice(b"STLS"),
        Capability::Lang => out.put_slice(b"LANG"),
        Capability::Sasl(mechanisms) => {
            out.put_slice(b"SASL");
            for m in mechanisms {
                out.put_u8(b' ');
                out.put_slice(m.as_str().as_bytes());
            }
        }
        Capability::LoginDelay { seconds, per_user } => {
            out.put_slice(b"LOGIN-DELAY ");
            put_u32(out, *seconds);
            user_suffix(out, *per_user);
        }
        Capability::Expire { policy, per_user } => {
            out.put_slice(b"EXPIRE ");
            match policy {
                Expire::Never => out.put_slice(b"NEVER"),
                Expire::Days(days) => put_u32(out, *days),
            }
            user_suffix(out, *per_user);
        }
        Capability::Utf8 { user } => {
            out.put_slice(b"UTF8");
            user_suffix(out, *user);
        }
        Capability::Implementation(name) => {
            out.put_slice(b"IMPLEMENTATION");
            text(out, name);
        }
        Capability::Other { tag, params } => {
            out.put_slice(tag.as_bytes());
            for p in params {
                out.put_u8(b' ');
                out.put_slice(p.as_bytes());
            }
        }
    }
    out.put_slice(b"\r\n");
}

fn user_suffix(out: &mut BytesMut, present: bool) {
    if present {
        out.put_slice(b" USER");
    }
}

/// Writes a SASL challenge `+ base64 CRLF` (`+ ` alone for no data).
pub fn continuation(data: &[u8], out: &mut BytesMut) {
    out.put_slice(b"+ ");
    out.put_slice(encode_base64(data).as_bytes());
    out.put_slice(b"\r\n");
}

/// Writes the `.` line that ends a multi-line response.
pub fn terminator(out: &mut BytesMut) {
    out.put_slice(b".\r\n");
}

/// Writes a whole response, multi-line ones included.
///
/// Listing lines never start with `.` (numbers, tags and mechanism names
/// cannot), except [`Capability::Other`] tags, which are dot-stuffed.
pub fn response(response: &Response, out: &mut BytesMut) {
    match response {
        Response::Status(status) => status_line(status, out),
        Response::Stat { count, size } => {
            out.put_slice(b"+OK ");
            put_u32(out, *count);
            out.put_u8(b' ');
            put_u64(out, *size);
            out.put_slice(b"\r\n");
        }
        Response::Scan(entry) => {
            out.put_slice(b"+OK ");
            scan_line(entry, out);
        }
        Response::Uid(entry) => {
            out.put_slice(b"+OK ");
            uid_line(entry, out);
        }
        Response::ScanList { text, entries } => {
            ok_line(out, text);
            entries.iter().for_each(|e| scan_line(e, out));
            terminator(out);
        }
        Response::UidList { text, entries } => {
            ok_line(out, text);
            entries.iter().for_each(|e| uid_line(e, out));
            terminator(out);
        }
        Response::Capabilities { text, capabilities } => {
            ok_line(out, text);
            for c in capabilities {
                if matches!(c, Capability::Other { tag, .. } if tag.starts_with('.')) {
                    out.put_u8(b'.');
                }
                capability_line(c, out);
            }
            terminator(out);
        }
        Response::Languages { text, entries } => {
            ok_line(out, text);
            entries.iter().for_each(|e| lang_line(e, out));
            terminator(out);
        }
        Response::Mechanisms { text, mechanisms } => {
            ok_line(out, text);
            mechanisms.iter().for_each(|m| mechanism_line(m, out));
            terminator(out);
        }
        Response::Continuation(data) => continuation(data, out),
    }
}
