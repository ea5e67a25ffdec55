#!/usr/bin/env python3
"""Writes the seed corpus under corpus/<target>/ from the RFC dialogues
(RFC 1939 section 10 and the command examples, RFC 2449, 2595, 5034,
6856) that pop3-proto/tests/rfc_dialogues.rs replays. Run from this
directory; the output is committed, so this only needs rerunning when
the input layout of a target changes."""

import base64
import hashlib
import hmac
import os
import random

CRLF = b"\r\n"
STAMP = b"<1896.697170952@dbc.mtview.ca.us>"

MSG1 = b"Subject: one\r\n\r\nHello\r\n"
MSG2 = b"From: a\r\nTo: b\r\n\r\nl1\r\nl2\r\n.l3\r\nl4\r\n"


def lines(*ls):
    return b"".join(l + CRLF for l in ls)


# Client halves of the dialogues.
CLIENT = {
    "rfc1939_session": lines(
        b"APOP mrose c4c9334bac560ecc979e58001b3e22fb", b"STAT", b"LIST",
        b"RETR 1", b"DELE 1", b"RETR 2", b"DELE 2", b"QUIT"),
    "rfc1939_commands": lines(
        b"USER mrose", b"PASS tanstaaf", b"LIST 2", b"LIST 3", b"UIDL",
        b"UIDL 2", b"UIDL 3", b"TOP 1 1", b"TOP 100 3", b"DELE 1", b"DELE 1",
        b"RETR 1", b"LIST", b"STAT", b"RSET", b"NOOP", b"QUIT"),
    "rfc1939_failed_logins": lines(
        b"PASS tanstaaf", b"USER mrose", b"PASS wrong", b"STAT",
        b"APOP mrose 00000000000000000000000000000000", b"QUIT"),
    "rfc2449_capa": lines(b"CAPA", b"USER mrose", b"PASS tanstaaf", b"CAPA"),
    "rfc2449_pipelining": lines(
        b"USER mrose", b"PASS tanstaaf", b"RETR 2", b"LIST 1", b"RETR 2",
        b"LIST 1", b"QUIT"),
    "rfc2595_stls": lines(
        b"CAPA", b"USER mrose", b"AUTH PLAIN", b"STLS", b"CAPA", b"STLS",
        b"USER mrose", b"PASS tanstaaf"),
    "rfc5034_plain": lines(
        b"AUTH", b"AUTH PLAIN", b"*", b"AUTH PLAIN", b"AG1yb3NlAHdyb25n",
        b"AUTH PLAIN AG1yb3NlAHRhbnN0YWFm", b"AUTH PLAIN AG1yb3NlAHRhbnN0YWFm"),
    "rfc5034_login": lines(
        b"AUTH PLAIN =", b"AUTH LOGIN", b"bXJvc2U=", b"dGFuc3RhYWY="),
    "rfc5034_cram": lines(
        b"AUTH CRAM-MD5", b"bXJvc2UgYjkxM2E2MDJjN2VkYTdhNDk1YjRlNmU3MzM0ZDM4OTA=",
        b"STAT"),
    "rfc7677_scram": lines(
        b"AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=",
        b"Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8scD1kSHpiWmFwV0lrNGpVaE4ydGUyd2ZWUT0=",
        b""),
    "rfc7628_oauthbearer": lines(
        b"AUTH OAUTHBEARER bixhPW1yb3NlLAFhdXRoPUJlYXJlciB0b2sBAQ==", b"AQ==",
        b"AUTH XOAUTH2 dXNlcj1tcm9zZQFhdXRoPUJlYXJlciB0b2sBAQ=="),
    "rfc6856_utf8": lines(
        b"LANG", b"LANG *", b"LANG fr", b"UTF8", "USER jürgen".encode(),
        "PASS pässwörd".encode(), b"UTF8", b"LANG en"),
    "bad_input": b"STAT\rX\r\nRETR 0\r\nRETR -1\r\nRETR 4294967296\r\nRETR 1x\r\n"
                 b"USER\r\n\x00\xff\r\nST\tAT\r\n" + b"A" * 300 + b"\r\nNOOP\n",
}

# Server halves: what a client reads.
SERVER = {
    "rfc1939_session": lines(
        b"+OK POP3 server ready " + STAMP,
        b"+OK maildrop has 2 messages (320 octets)", b"+OK 2 320",
        b"+OK 2 messages (320 octets)", b"1 120", b"2 200", b".",
        b"+OK 120 octets") + MSG1 + lines(b".", b"+OK message 1 deleted",
        b"+OK 200 octets") + MSG2.replace(b"\r\n.l3", b"\r\n..l3") + lines(
        b".", b"+OK message 2 deleted",
        b"+OK POP3 server signing off (maildrop empty)"),
    "rfc1939_commands": lines(
        b"+OK POP3 server ready " + STAMP, b"+OK Send PASS",
        b"+OK maildrop has 2 messages (320 octets)", b"+OK 2 200",
        b"-ERR no such message", b"+OK Unique-ID listing follows",
        b"1 whqtswO00WBw418f9t5JxYwZ", b"2 QhdPYR:00WBw1Ph7x7", b".",
        b"+OK 2 QhdPYR:00WBw1Ph7x7", b"-ERR no such message",
        b"+OK Top of message follows", b"Subject: one", b"", b"Hello", b".",
        b"-ERR no such message", b"+OK message 1 deleted",
        b"-ERR message 1 already deleted", b"-ERR message 1 already deleted",
        b"+OK 1 messages (200 octets)", b"2 200", b".", b"+OK 1 200",
        b"+OK maildrop has 2 messages (320 octets)", b"+OK",
        b"+OK POP3 server signing off (2 messages left)"),
    "rfc2449_capa": lines(
        b"+OK POP3 server ready " + STAMP, b"+OK Capability list follows",
        b"TOP", b"UIDL", b"RESP-CODES", b"AUTH-RESP-CODE", b"PIPELINING",
        b"USER", b"SASL SCRAM-SHA-256 CRAM-MD5 PLAIN LOGIN OAUTHBEARER XOAUTH2",
        b"STLS", b"UTF8 USER", b"LANG", b"LOGIN-DELAY 60", b"EXPIRE NEVER",
        b"IMPLEMENTATION pop3-proto test", b".", b"+OK Send PASS",
        b"+OK maildrop has 2 messages (320 octets)"),
    "rfc2449_codes": lines(
        b"+OK POP3 server ready " + STAMP,
        b"-ERR [IN-USE] Maildrop is locked by another session",
        b"-ERR [LOGIN-DELAY] Logged in too recently", b"-ERR [SYS/TEMP] x",
        b"-ERR [AUTH] Authentication failed", b"-ERR [SYS/PERM]", b"-ERR [UTF8]"),
    "rfc2595_stls": lines(
        b"+OK POP3 server ready", b"+OK Capability list follows", b"STLS",
        b"PIPELINING", b".", b"+OK Begin TLS negotiation now",
        b"+OK injected before TLS"),
    "rfc5034_login": lines(
        b"+OK POP3 server ready " + STAMP, b"+ VXNlcm5hbWU6", b"+ UGFzc3dvcmQ6",
        b"+OK maildrop has 2 messages (320 octets)"),
    "rfc5034_auth_list": lines(
        b"+OK POP3 server ready", b"+OK Supported SASL mechanisms follow",
        b"SCRAM-SHA-256", b"CRAM-MD5", b"PLAIN", b"LOGIN", b"OAUTHBEARER",
        b"XOAUTH2", b".", b"+ ", b"-ERR Authentication cancelled"),
    "rfc7677_scram": lines(
        b"+OK POP3 server ready",
        b"+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=",
        b"+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==",
        b"+OK maildrop has 2 messages (320 octets)"),
    "rfc6856_lang": lines(
        b"+OK POP3 server ready", b"+OK Language listing follows",
        b"en English", b"de Deutsch", b".", b"+OK en English",
        b"-ERR Unsupported language", b"+OK UTF8 enabled"),
    "greeting_err": lines(b"-ERR [SYS/TEMP] not now"),
}

BODIES = {
    "msg1": MSG1,
    "msg2": MSG2,
    "dots": b"..\n.\n...\r\n.\r\n",
    "top": b"Subject: x\n\n.hidden\nlast",
    "bare_cr": b"a\rb\r\r\n\r",
    "nul": b"x\0y\r\n.\r\n.\n",
    "empty_lines": b"\r\n\r\n\r\n",
}


def two(first, second):
    """Two messages as the sasl target splits them: a 2-octet length."""
    return len(first).to_bytes(2, "big") + first + second


def scram(user, password, salt, iterations, client_nonce, server_nonce):
    """A whole SCRAM-SHA-256 exchange (RFC 5802): the client-first,
    server-first, client-final and server-final messages."""
    mac = lambda key, msg: hmac.new(key, msg, hashlib.sha256).digest()
    salted = hashlib.pbkdf2_hmac("sha256", password, salt, iterations)
    client_key = mac(salted, b"Client Key")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = mac(salted, b"Server Key")
    first_bare = b"n=" + user + b",r=" + client_nonce
    server_first = (b"r=" + client_nonce + server_nonce + b",s=" +
                    base64.b64encode(salt) + b",i=" + str(iterations).encode())
    without_proof = b"c=biws,r=" + client_nonce + server_nonce
    auth = first_bare + b"," + server_first + b"," + without_proof
    proof = bytes(a ^ b for a, b in zip(client_key, mac(stored_key, auth)))
    client_final = without_proof + b",p=" + base64.b64encode(proof)
    server_final = b"v=" + base64.b64encode(mac(server_key, auth))
    return b"n,," + first_bare, server_first, client_final, server_final


def server_scram_dialogue():
    """The client side of a SCRAM login that the server_session harness
    accepts: its nonce part is HMAC-SHA-256 keyed with the connection's
    random bytes (all 7 in server_tape) over "scram nonce" and request
    counter 1, and its stored secrets are those of "pencil", salt "salt",
    one iteration."""
    unique = hmac.new(bytes([7] * 32), b"scram nonce" + (1).to_bytes(8, "big"),
                      hashlib.sha256).digest()
    server_nonce = base64.b64encode(unique[:18])
    first, _, final, _ = scram(b"user", b"pencil", b"salt", 1,
                               b"rOprNGfwEbeRWgbNEkqO", server_nonce)
    return lines(b"AUTH SCRAM-SHA-256 " + base64.b64encode(first),
                 base64.b64encode(final), b"", b"STAT", b"QUIT")


def client_scram_dialogue():
    """The server side of a SCRAM login the client_session harness
    completes: user mrose, password pencil, its fixed client nonce."""
    _, server_first, _, server_final = scram(
        b"mrose", b"pencil", b"NaCl", 16, b"rOprNGfwEbeRWgbNEkqO", b"srvNonce")
    return lines(b"+OK POP3 server ready",
                 b"+ " + base64.b64encode(server_first),
                 b"+ " + base64.b64encode(server_final),
                 b"+OK maildrop has 2 messages (320 octets)", b"+OK 2 320")


def write(target, name, data):
    os.makedirs(os.path.join("corpus", target), exist_ok=True)
    with open(os.path.join("corpus", target, name), "wb") as f:
        f.write(data)


def server_tape(count=2, flags=0, bodies=(0, 9)):
    """The 32-octet tape of server_session: flags, limits, mechanisms,
    random, message count, then a body choice and a size flag per
    message; the rest zeros (accept every login, start every body)."""
    tape = [flags, 0, 0, 0, 0, 0, 0, 7, count]
    for body in bodies[:count]:
        tape += [body, 0]
    return bytes(tape + [0] * (32 - len(tape)))


def client_tape(requests, max_line=0):
    """The 16-octet tape of client_session: limits, then how many
    requests to queue, then (message number octet, request kind[, extra])
    per request."""
    body = []
    for r in requests:
        body += r
    tape = [max_line, 0, 0, len(requests) - 1] + body
    tape += [0] * (16 - len(tape))
    return bytes(tape[:16])


def main():
    for name, data in CLIENT.items():
        flags = 0x04 if name == "rfc2595_stls" else 0
        write("server_session", name, server_tape(flags=flags) + data)
        for i, line in enumerate(data.split(CRLF)):
            if line:
                write("command", f"{name}_{i}", line)
    write("server_session", "rfc7677_scram_verified",
          server_tape() + server_scram_dialogue())
    for name, data in SERVER.items():
        write("response", name, b"\x00" + data)
    write("client_session", "rfc7677_scram_verified",
          client_tape([[0, 7], [0, 14]]) + client_scram_dialogue())
    write("client_session", "rfc1939_session",
          client_tape([[0, 3], [0, 14], [0, 15, 0], [0, 17], [0, 19]])
          + SERVER["rfc1939_session"])
    write("client_session", "rfc1939_commands",
          client_tape([[0, 2], [1, 15, 2], [2, 16, 0]]) + SERVER["rfc1939_commands"])
    write("client_session", "rfc2449_capa",
          client_tape([[0, 0], [0, 2]]) + SERVER["rfc2449_capa"])
    write("client_session", "rfc2449_codes",
          client_tape([[0, 2], [0, 3]]) + SERVER["rfc2449_codes"])
    write("client_session", "rfc2595_stls",
          client_tape([[0, 0], [0, 1], [0, 2]]) + SERVER["rfc2595_stls"])
    write("client_session", "rfc5034_login",
          client_tape([[0, 5]]) + SERVER["rfc5034_login"])
    write("client_session", "rfc5034_auth_list",
          client_tape([[0, 10], [0, 4]]) + SERVER["rfc5034_auth_list"])
    write("client_session", "rfc7677_scram",
          client_tape([[0, 7]]) + SERVER["rfc7677_scram"])
    write("client_session", "rfc6856_lang",
          client_tape([[0, 12], [0, 13], [0, 11]]) + SERVER["rfc6856_lang"])
    write("client_session", "greeting_err",
          client_tape([[0, 0]]) + SERVER["greeting_err"])
    for name, data in BODIES.items():
        write("body", name, bytes(8) + data)
        write("body", name + "_top1", bytes([0, 0, 0, 0, 0, 0, 0, 1]) + data)
    stuffed = b"".join(SERVER["rfc1939_session"].split(b"+OK 120 octets\r\n")[1:])
    write("body", "wire", bytes([2] * 8) + stuffed)
    # Structured targets read their input through arbitrary::Unstructured,
    # so their seeds are varied bytes rather than protocol text.
    rng = random.Random(1939)
    for target in ("command_roundtrip", "response_roundtrip"):
        for i in range(24):
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(8, 200)))
            write(target, f"seed_{i:02}", data)
    sasl = {
        "base64": b"\x00AG1yb3NlAHRhbnN0YWFm",
        "plain": b"\x01\x00mrose\x00tanstaaf",
        "plain_authz": b"\x01Ursel\x00Kurt\x00xipj3plmq",
        "cram": b"\x01tim b913a602c7eda7a495b4e6e7334d3890",
        "oauthbearer": b"\x01n,a=user@example.com,\x01host=server.example.com\x01"
                       b"port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
        "xoauth2": b"\x01user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2\x01\x01",
        "scram_server": b"\x02" + two(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
                                      b"c=biws,r=rOprNGfwEbeRWgbNEkqO3rfcNHYJY1zVWWVs7j,"
                                      b"p=dHzbZapWIk4jUhN2Ute2wfVQ="),
        "scram_client": b"\x03" + two(b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                      b"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                                      b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
        "scram_exchange": b"\x04" + two(two(b"user", b""),
                                        two(b"pencil", b"rOprNGfwEbeRWgbNEkqO")),
        "sasl_line": b"\x05AG1yb3NlAHRhbnN0YWFm",
    }
    for name, data in sasl.items():
        write("sasl", name, data)


if __name__ == "__main__":
    main()
