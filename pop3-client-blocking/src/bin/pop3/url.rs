//! POP URLs (RFC 2384): `pop://user;AUTH=mech@host:port`, plus the
//! `pop3`, `pops` and `pop3s` spellings in common use.

use std::fmt;

use pop3_client_blocking::{LoginMethod, Mechanism};

/// An account as a POP URL names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PopUrl {
    /// Implicit TLS (`pops`/`pop3s`) rather than plain (`pop`/`pop3`).
    pub(crate) tls: bool,
    /// The user name, percent-decoded.
    pub(crate) user: String,
    /// `;AUTH=`: `None` for `*` or absent (any method).
    pub(crate) auth: Option<LoginMethod>,
    /// Host name or IP address (IPv6 without brackets).
    pub(crate) host: String,
    /// The port, or the scheme's default (110, 995).
    pub(crate) port: u16,
}

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlError(pub(crate) String);

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad POP URL: {}", self.0)
    }
}

fn bad<T>(why: impl Into<String>) -> Result<T, UrlError> {
    Err(UrlError(why.into()))
}

impl PopUrl {
    pub(crate) fn parse(input: &str) -> Result<Self, UrlError> {
        let Some((scheme, rest)) = input.split_once("://") else {
            return bad("expected pop3://user@host or pop3s://user@host");
        };
        let (tls, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "pop" | "pop3" => (false, 110),
            "pops" | "pop3s" => (true, 995),
            other => return bad(format!("unknown scheme {other:?}")),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return bad("a POP URL has no path, query or fragment");
        }
        // The last `@` ends the user part: people write alice@example.org
        // unencoded in the user name.
        let Some((userinfo, hostport)) = rest.rsplit_once('@') else {
            return bad("no user name (pop3s://USER@host)");
        };
        let (user, auth) = match userinfo.split_once(';') {
            Some((user, param)) => (user, Some(param)),
            None => (userinfo, None),
        };
        if user.contains(':') {
            return bad(
                "passwords are never taken from the command line; use POP3_PASSWORD, --password-file or --password-command",
            );
        }
        let user = percent_decode(user)?;
        if user.is_empty() {
            return bad("empty user name");
        }
        let auth = match auth {
            None => None,
            Some(param) => parse_auth(param)?,
        };
        let (host, port) = split_host_port(hostport)?;
        Ok(Self {
            tls,
            user,
            auth,
            host,
            port: port.unwrap_or(default_port),
        })
    }

    /// `user@host`, naming the maildrop in state files: the same whichever
    /// port or scheme reaches it, so switching from pop3s:// to STLS on
    /// port 110, or going through a tunnel, does not fetch everything
    /// again. The state lives in the Maildir fetched into, so two servers
    /// behind one host name share it only when fetched into one Maildir.
    pub(crate) fn maildrop(&self) -> String {
        format!("{}@{}", self.user, self.host.to_ascii_lowercase())
    }

    /// `user@host:port`, to name the account in messages.
    pub(crate) fn account(&self) -> String {
        if self.host.contains(':') {
            format!("{}@[{}]:{}", self.user, self.host, self.port)
        } else {
            format!("{}@{}:{}", self.user, self.host, self.port)
        }
    }
}

fn parse_auth(param: &str) -> Result<Option<LoginMethod>, UrlError> {
    let Some((key, value)) = param.split_once('=') else {
        return bad(format!("expected ;AUTH=<type>, got {param:?}"));
    };
    if !key.eq_ignore_ascii_case("auth") {
        return bad(format!("unknown parameter {key:?}"));
    }
    let value = percent_decode(value)?;
    match value.as_str() {
        "*" => Ok(None),
        v if v.eq_ignore_ascii_case("+apop") => Ok(Some(LoginMethod::Apop)),
        v if v.eq_ignore_ascii_case("+user") => Ok(Some(LoginMethod::UserPass)),
        v => match v.parse::<Mechanism>() {
            Ok(mechanism) => Ok(Some(LoginMethod::Sasl(mechanism))),
            Err(_) => bad(format!("{v:?} is not a SASL mechanism name")),
        },
    }
}

fn split_host_port(hostport: &str) -> Result<(String, Option<u16>), UrlError> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return bad("unclosed [ in host");
        };
        let port = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(p) => Some(p),
                None => return bad("junk after ]"),
            },
        };
        (host, port)
    } else {
        match hostport.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return bad("empty host");
    }
    if host.contains(['[', ']', ';', '%', '@', ' ']) {
        return bad(format!("bad host {host:?}"));
    }
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(0) | Err(_) => return bad(format!("bad port {p:?}")),
            Ok(p) => Some(p),
        },
    };
    Ok((host.to_owned(), port))
}

/// `%XX` escapes to octets, which must then be UTF-8.
fn percent_decode(s: &str) -> Result<String, UrlError> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next(), bytes.next()];
            let value = match hex {
                [Some(h), Some(l)] => hex_value(h).zip(hex_value(l)).map(|(h, l)| h * 16 + l),
                _ => None,
            };
            match value {
                Some(v) => out.push(v),
                None => return bad(format!("bad %-escape in {s:?}")),
            }
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).or_else(|_| bad(format!("{s:?} is not UTF-8 once decoded")))
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> PopUrl {
        PopUrl::parse(s).unwrap()
    }

    #[test]
    fn schemes_and_default_ports() {
        let u = url("pop3s://alice@mail.example.org");
        assert!(u.tls);
        assert_eq!(
            (u.user.as_str(), u.host.as_str(), u.port),
            ("alice", "mail.example.org", 995)
        );
        assert_eq!(u.auth, None);
        let u = url("pop://bob@host");
        assert!(!u.tls);
        assert_eq!(u.port, 110);
        assert!(url("POPS://a@h").tls);
        assert!(!url("pop3://a@h:1100/").tls);
        assert_eq!(url("pop3://a@h:1100/").port, 1100);
    }

    #[test]
    fn rfc_2384_auth_parameter() {
        let u = url("pop3://alice;AUTH=CRAM-MD5@host:110");
        assert_eq!(u.auth, Some(LoginMethod::Sasl(Mechanism::CramMd5)));
        assert_eq!(
            url("pop://rg;AUTH=+APOP@mail.eudora.com:8110").auth,
            Some(LoginMethod::Apop)
        );
        assert_eq!(url("pop://rg;auth=*@h").auth, None);
        assert_eq!(
            url("pop://rg;Auth=scram-sha-256@h").auth,
            Some(LoginMethod::Sasl(Mechanism::ScramSha256))
        );
        assert!(PopUrl::parse("pop://rg;AUTH=@h").is_err());
        assert!(PopUrl::parse("pop://rg;FOO=bar@h").is_err());
        assert!(PopUrl::parse("pop://rg;AUTH=NOT A MECH@h").is_err());
    }

    #[test]
    fn user_names_with_at_signs_and_escapes() {
        assert_eq!(
            url("pop3s://alice@example.org@mail.example.org").user,
            "alice@example.org"
        );
        assert_eq!(
            url("pop3s://alice%40example.org@mail").user,
            "alice@example.org"
        );
        assert_eq!(url("pop3s://j%C3%BCrgen@mail").user, "jürgen");
        assert!(PopUrl::parse("pop3s://bad%4@mail").is_err());
        assert!(PopUrl::parse("pop3s://bad%ff@mail").is_err());
    }

    #[test]
    fn ipv6_hosts() {
        let u = url("pop3://a@[::1]:2110");
        assert_eq!((u.host.as_str(), u.port), ("::1", 2110));
        assert_eq!(u.account(), "a@[::1]:2110");
        assert_eq!(u.maildrop(), "a@::1");
        assert_eq!(
            url("pop3s://a@Mail.Example.ORG").maildrop(),
            url("pop3://a@mail.example.org:110").maildrop()
        );
        assert_eq!(url("pop3s://a@[2001:db8::1]").port, 995);
        assert!(PopUrl::parse("pop3://a@[::1").is_err());
        assert!(PopUrl::parse("pop3://a@[::1]x").is_err());
    }

    #[test]
    fn refuses_what_is_not_a_pop_url() {
        for bad in [
            "alice@host",
            "imap://alice@host",
            "pop3://host",
            "pop3://@host",
            "pop3://alice@",
            "pop3://alice@host:0",
            "pop3://alice@host:99999",
            "pop3://alice@host:x",
            "pop3://alice@host/INBOX",
            "pop3://alice@host?x",
        ] {
            assert!(PopUrl::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn passwords_in_urls_are_refused() {
        let e = PopUrl::parse("pop3s://alice:secret@host").unwrap_err();
        assert!(e.to_string().contains("never taken from the command line"));
    }
}
