//! The JSON error challenges a server sends when it refuses a token.

/// The OAUTHBEARER error challenge (RFC 7628 section 3.2.2), such as
/// `{"status":"invalid_token"}`.
///
/// `status` is an RFC 6750 error code (`invalid_token`,
/// `insufficient_scope` or `invalid_request`); `scope` is the
/// space-separated scope the client should ask for, and
/// `openid_configuration` the URL of the issuer's discovery document.
pub fn bearer_error_challenge(
    status: &str,
    scope: Option<&str>,
    openid_configuration: Option<&str>,
) -> Vec<u8> {
    object(&[
        ("status", Some(status)),
        ("scope", scope),
        ("openid-configuration", openid_configuration),
    ])
}

/// The XOAUTH2 error challenge, in the form Google sends:
/// `{"status":"401","schemes":"bearer","scope":"..."}`, where `status` is
/// an HTTP status code such as `400` or `401`.
pub fn xoauth2_error_challenge(status: &str, scope: Option<&str>) -> Vec<u8> {
    object(&[
        ("status", Some(status)),
        ("schemes", Some("bearer")),
        ("scope", scope),
    ])
}

/// A JSON object of string members, skipping absent ones.
fn object(members: &[(&str, Option<&str>)]) -> Vec<u8> {
    let mut out = String::from("{");
    for (name, value) in members {
        if let Some(value) = value {
            if out.len() > 1 {
                out.push(',');
            }
            push_string(&mut out, name);
            out.push(':');
            push_string(&mut out, value);
        }
    }
    out.push('}');
    out.into_bytes()
}

/// Writes `s` as a JSON string (RFC 8259 section 7).
fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_rfc_7628_errors() {
        assert_eq!(
            bearer_error_challenge("invalid_token", None, None),
            br#"{"status":"invalid_token"}"#
        );
        assert_eq!(
            bearer_error_challenge(
                "invalid_token",
                Some("example_scope"),
                Some("https://example.com/.well-known/openid-configuration")
            ),
            br#"{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}"#
        );
    }

    #[test]
    fn writes_xoauth2_errors() {
        assert_eq!(
            xoauth2_error_challenge("401", Some("https://mail.google.com/")),
            br#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#
        );
        assert_eq!(
            xoauth2_error_challenge("400", None),
            br#"{"status":"400","schemes":"bearer"}"#
        );
    }

    #[test]
    fn escapes_strings() {
        assert_eq!(
            bearer_error_challenge("a\"b\\c\nd\u{1}é", None, None),
            "{\"status\":\"a\\\"b\\\\c\\u000ad\\u0001é\"}".as_bytes()
        );
    }
}
