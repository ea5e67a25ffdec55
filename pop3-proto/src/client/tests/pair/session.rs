//! Whole sessions against the real server.

use super::*;

fn scans(pair: &Pair, skip: &[usize]) -> Vec<ScanListing> {
    (0..pair.messages.len())
        .filter(|i| !skip.contains(i))
        .map(|i| ScanListing {
            number: MessageNumber::from_index(i).unwrap(),
            size: wire_size(&pair.messages[i]),
        })
        .collect()
}

fn uids(pair: &Pair) -> Vec<UidListing> {
    (0..pair.messages.len())
        .map(|i| UidListing {
            number: MessageNumber::from_index(i).unwrap(),
            uid: uid(i),
        })
        .collect()
}

#[test]
fn list_uidl_retr_top_dele_rset_quit() {
    let mut pair = logged_in(|c| c.user_pass(alice(), PASSWORD));
    let all = scans(&pair, &[]);
    assert_eq!(
        pair.reply(|c| c.list(None)),
        Ok(Reply::ScanList(all.clone()))
    );
    assert_eq!(pair.reply(|c| c.list(Some(n(2)))), Ok(Reply::Scan(all[1])));
    assert_eq!(
        pair.reply(|c| c.uidl(None)),
        Ok(Reply::UidList(uids(&pair)))
    );
    assert_eq!(
        pair.reply(|c| c.uidl(Some(n(3)))),
        Ok(Reply::Uid(uids(&pair)[2].clone()))
    );
    for i in 1..=3u32 {
        let stored = pair.messages[i as usize - 1].clone();
        assert_eq!(pair.body(|c| c.retr(n(i))), wire_form(&stored), "RETR {i}");
    }
    assert_eq!(pair.body(|c| c.top(n(1), 0)), b"Subject: one\r\n\r\n");
    assert_eq!(
        pair.body(|c| c.top(n(2), 1)),
        b"Subject: two\r\n\r\nbare LF body\r\n"
    );
    assert_eq!(
        pair.body(|c| c.top(n(2), 99_999_999)),
        wire_form(&pair.messages[1].clone())
    );

    assert!(matches!(pair.reply(|c| c.dele(n(2))), Ok(Reply::Ok(_))));
    assert_eq!(
        pair.reply(|c| c.list(None)),
        Ok(Reply::ScanList(scans(&pair, &[1])))
    );
    for request in [Client::dele, Client::retr] {
        let reply = pair.reply(|c| request(c, n(2)));
        assert!(
            matches!(reply, Err(ServerError { code: None, .. })),
            "{reply:?}"
        );
    }
    assert!(pair.reply(|c| c.top(n(2), 0)).is_err());
    assert!(pair.reply(|c| c.list(Some(n(4)))).is_err());
    assert!(matches!(pair.reply(Client::rset), Ok(Reply::Ok(_))));
    assert_eq!(pair.reply(|c| c.list(None)), Ok(Reply::ScanList(all)));
    assert!(matches!(pair.reply(|c| c.dele(n(1))), Ok(Reply::Ok(_))));
    assert!(matches!(pair.reply(Client::noop), Ok(Reply::Ok(_))));
    assert!(matches!(pair.reply(Client::quit), Ok(Reply::Ok(_))));
    assert_eq!(
        pair.commits,
        vec![vec![Deletion {
            number: n(1),
            uid: uid(0),
        }]]
    );
    assert_eq!(pair.closed, Some(CloseReason::Quit));
    assert_eq!(pair.client.state(), SessionState::Closed);
    assert_eq!(pair.server.stats().size_mismatches, 0);
}

#[test]
fn hundred_pipelined_retrs_through_backpressure() {
    let mut pair = logged_in(|c| c.user_pass(alice(), PASSWORD));
    pair.reply(Client::capa).unwrap();
    assert!(pair.client.pipelining_allowed());
    let ids: Vec<(RequestId, usize)> = (0..100)
        .map(|i| (pair.client.retr(n(i % 3 + 1)).unwrap(), i as usize % 3))
        .collect();
    let first = pair.client.poll_transmit().unwrap();
    assert_eq!(first.iter().filter(|b| **b == b'\n').count(), 100);
    pair.server.handle_input(pair.now, &first);
    pair.drive();
    let mut events = std::mem::take(&mut pair.events).into_iter();
    for (id, index) in ids {
        assert_eq!(next_body(&mut events, id), wire_form(&pair.messages[index]));
    }
    assert_eq!(events.next(), None);
    assert_eq!(pair.server.stats().retrieved_messages, 100);
}

#[test]
fn pipelined_session() {
    let mut pair = Pair::new(TlsMode::None);
    pair.greet();
    let capa = pair.reply(Client::capa);
    assert!(matches!(capa, Ok(Reply::Capabilities(_))));
    assert!(pair.client.pipelining_allowed());
    let c = &mut pair.client;
    let ids = [
        c.user_pass(alice(), PASSWORD).unwrap(),
        c.stat().unwrap(),
        c.list(None).unwrap(),
        c.uidl(None).unwrap(),
        c.retr(n(3)).unwrap(),
        c.top(n(1), 0).unwrap(),
        c.dele(n(3)).unwrap(),
        c.retr(n(1)).unwrap(),
        c.quit().unwrap(),
    ];
    // All of it goes out in one write.
    let first = c.poll_transmit().unwrap();
    assert_eq!(first.iter().filter(|b| **b == b'\n').count(), 10);
    pair.server.handle_input(pair.now, &first);
    pair.drive();
    let mut events = std::mem::take(&mut pair.events).into_iter();
    let e = &mut events;
    assert!(matches!(next_reply(e, ids[0]), Ok(Reply::LoggedIn(_))));
    assert!(matches!(
        next_reply(e, ids[1]),
        Ok(Reply::Stat { count: 3, .. })
    ));
    assert!(matches!(next_reply(e, ids[2]), Ok(Reply::ScanList(v)) if v.len() == 3));
    assert!(matches!(next_reply(e, ids[3]), Ok(Reply::UidList(v)) if v.len() == 3));
    assert_eq!(next_body(e, ids[4]), wire_form(&pair.messages[2]));
    assert_eq!(next_body(e, ids[5]), b"Subject: one\r\n\r\n");
    assert!(matches!(next_reply(e, ids[6]), Ok(Reply::Ok(_))));
    assert_eq!(next_body(e, ids[7]), wire_form(&pair.messages[0]));
    assert!(matches!(next_reply(e, ids[8]), Ok(Reply::Ok(_))));
    assert_eq!(e.next(), None);
    assert_eq!(
        pair.commits,
        vec![vec![Deletion {
            number: n(3),
            uid: uid(2)
        }]]
    );
}

fn next_reply(
    events: &mut impl Iterator<Item = ClientEvent>,
    id: RequestId,
) -> Result<Reply, ServerError> {
    match events.next() {
        Some(ClientEvent::Reply { id: got, result }) if got == id => result,
        other => panic!("expected a reply to {id:?}, got {other:?}"),
    }
}

fn next_body(events: &mut impl Iterator<Item = ClientEvent>, id: RequestId) -> Vec<u8> {
    assert!(matches!(
        next_reply(events, id),
        Ok(Reply::BodyStart { .. })
    ));
    let mut data = Vec::new();
    loop {
        match events.next() {
            Some(ClientEvent::BodyChunk { id: got, data: d }) if got == id => {
                data.extend_from_slice(&d)
            }
            Some(ClientEvent::BodyEnd { id: got }) if got == id => return data,
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn failed_logins_carry_codes() {
    let wrong: Vec<Login> = vec![
        Box::new(|c| c.user_pass(alice(), b"wrong")),
        Box::new(|c| c.user_pass(user("mallory"), PASSWORD)),
        Box::new(|c| c.apop(alice(), b"wrong")),
        Box::new(|c| {
            c.authenticate(SaslCredentials::CramMd5 {
                user: alice(),
                secret: secret(b"wrong"),
            })
        }),
        Box::new(|c| {
            c.authenticate(SaslCredentials::ScramSha256 {
                user: alice(),
                password: secret(b"wrong"),
                client_nonce: "abc".into(),
            })
        }),
        Box::new(|c| {
            c.authenticate(SaslCredentials::ScramSha256 {
                user: user("mallory"),
                password: secret(PASSWORD),
                client_nonce: "abc".into(),
            })
        }),
        Box::new(|c| {
            c.authenticate(SaslCredentials::OAuthBearer {
                user: alice(),
                token: Secret::new("expired".into()),
                host: None,
                port: None,
            })
        }),
        Box::new(|c| {
            c.authenticate(SaslCredentials::XOAuth2 {
                user: alice(),
                token: Secret::new("expired".into()),
            })
        }),
    ];
    for (i, login) in wrong.iter().enumerate() {
        let mut pair = Pair::new(TlsMode::None);
        pair.greet();
        let reply = pair.reply(login);
        assert!(
            matches!(&reply, Err(e) if e.is_auth() && !e.is_temporary()),
            "login {i}: {reply:?}"
        );
        assert_eq!(pair.client.state(), SessionState::Authorization);
        // The session goes on: the right password still works.
        let reply = pair.reply(|c| c.user_pass(alice(), PASSWORD));
        assert!(
            matches!(reply, Ok(Reply::LoggedIn(_))),
            "login {i}: {reply:?}"
        );
    }
}

#[test]
fn temporary_failures_are_told_apart() {
    for (error, code) in [
        (LoginError::InUse, ResponseCode::InUse),
        (LoginError::LoginDelay, ResponseCode::LoginDelay),
        (LoginError::Temporary, ResponseCode::SysTemp),
    ] {
        let mut pair = Pair::new(TlsMode::None);
        pair.refuse_with = Some(error);
        pair.greet();
        let reply = pair.reply(|c| c.user_pass(alice(), PASSWORD));
        assert!(
            matches!(&reply, Err(e) if e.is_temporary() && e.code == Some(code.clone())),
            "{reply:?}"
        );
    }
}

#[test]
fn stls_then_login_over_tls() {
    let mut pair = Pair::new(TlsMode::StlsAvailable);
    pair.greet();
    pair.reply(Client::capa).unwrap();
    assert!(
        pair.client
            .capabilities()
            .unwrap()
            .contains(&Capability::Stls)
    );
    let c = &mut pair.client;
    let stls = c.stls().unwrap();
    let capa = c.capa().unwrap();
    let login = c.user_pass(alice(), PASSWORD).unwrap();
    pair.drive();
    let events = std::mem::take(&mut pair.events);
    assert_eq!(events[0], ok(stls, Reply::TlsReady));
    assert!(
        matches!(&events[1], ClientEvent::Reply { id, result: Ok(Reply::Capabilities(caps)) }
            if *id == capa && !caps.contains(&Capability::Stls)),
        "{events:?}"
    );
    assert!(
        matches!(&events[2], ClientEvent::Reply { id, result: Ok(Reply::LoggedIn(_)) } if *id == login)
    );
    assert_eq!(events.len(), 3);
}

#[test]
fn authorization_extras() {
    let mut pair = Pair::new(TlsMode::None);
    pair.greet();
    let mechanisms = pair.reply(Client::auth_list).unwrap();
    assert_eq!(
        mechanisms,
        Reply::Mechanisms(vec![
            Mechanism::ScramSha256,
            Mechanism::CramMd5,
            Mechanism::Plain,
            Mechanism::Login,
            Mechanism::OAuthBearer,
            Mechanism::XOAuth2,
        ])
    );
    let languages = pair.reply(|c| c.lang(None)).unwrap();
    assert!(matches!(languages, Reply::Languages(v) if v.len() == 1 && v[0].tag.as_str() == "en"));
    assert!(matches!(
        pair.reply(|c| c.lang(Some(LangRequest::Wildcard))),
        Ok(Reply::Ok(_))
    ));
    assert!(matches!(pair.reply(Client::utf8), Ok(Reply::Ok(_))));
    let caps = pair.reply(Client::capa).unwrap();
    let Reply::Capabilities(caps) = caps else {
        panic!("{caps:?}")
    };
    for expected in [
        Capability::Top,
        Capability::Uidl,
        Capability::User,
        Capability::Pipelining,
        Capability::RespCodes,
    ] {
        assert!(caps.contains(&expected), "{expected:?} in {caps:?}");
    }
    assert!(matches!(pair.reply(Client::quit), Ok(Reply::Ok(_))));
    assert!(pair.commits.is_empty());
    assert_eq!(pair.closed, Some(CloseReason::Quit));
}
