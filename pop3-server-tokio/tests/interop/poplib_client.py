"""Drives pop3d with every method of Python's poplib and checks the
answers; writes what it downloaded to files for the Rust test to compare
with the store.

Usage: poplib_client.py HOST PLAIN_PORT TLS_PORT CAFILE USER PASSWORD OUTDIR
       UID1,UID2,...

Session 1 (plain port): getwelcome, capa, stls, utf8, user, pass_, stat,
list, uidl, retr (every message), top, noop, dele, rset, rpop (refused),
quit, with the last message deleted at the end.
Session 2 (POP3_SSL): apop, stat, list, uidl, retr, quit.
"""

import os
import poplib
import re
import ssl
import sys


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def write(outdir, name, lines):
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(b"".join(line + b"\r\n" for line in lines))


def ok(response):
    check(response.startswith(b"+OK"), response)
    return response


def listing(pop, count):
    """list() and uidl(), whole and per message; returns sizes and uids."""
    response, lines, _ = pop.list()
    ok(response)
    check(len(lines) == count, lines)
    sizes = []
    for i, line in enumerate(lines, start=1):
        number, size = line.split()
        check(int(number) == i, line)
        sizes.append(int(size))
        check(ok(pop.list(i)) == b"+OK %d %d" % (i, int(size)), "LIST n")
    response, lines, _ = pop.uidl()
    ok(response)
    uids = [line.split()[1].decode() for line in lines]
    for i, uid in enumerate(uids, start=1):
        check(ok(pop.uidl(i)) == b"+OK %d %s" % (i, uid.encode()), "UIDL n")
    return sizes, uids


def retrieve_all(pop, outdir, prefix, sizes):
    for i, size in enumerate(sizes, start=1):
        response, lines, octets = pop.retr(i)
        ok(response)
        # poplib counts the octets of each line and its CRLF, less the
        # stuffing dot: exactly the size LIST announced.
        check(octets == size, "RETR %d: %d octets, LIST said %d" % (i, octets, size))
        write(outdir, "%s-%d" % (prefix, i), lines)


def session_one(host, port, context, user, password, outdir, uids):
    pop = poplib.POP3(host, port, timeout=30)
    welcome = pop.getwelcome()
    check(welcome.startswith(b"+OK"), welcome)
    check(re.search(rb"<[^<>@]+@[^<>]+>", welcome), "no APOP timestamp: %r" % welcome)

    caps = pop.capa()
    for cap in ("STLS", "TOP", "UIDL", "USER", "PIPELINING", "SASL", "RESP-CODES"):
        check(cap in caps, "CAPA lacks %s: %r" % (cap, caps))
    ok(pop.stls(context))
    caps = pop.capa()
    check("STLS" not in caps, "STLS offered again after TLS: %r" % caps)
    check("UTF8" in caps, caps)
    ok(pop.utf8())

    ok(pop.user(user))
    ok(pop.pass_(password))

    count, total = pop.stat()
    check(count == len(uids), "STAT count %d" % count)
    sizes, got_uids = listing(pop, count)
    check(got_uids == uids, "UIDL %r" % got_uids)
    check(total == sum(sizes), "STAT octets %d vs %d" % (total, sum(sizes)))
    retrieve_all(pop, outdir, "stls", sizes)

    response, lines, _ = pop.top(1, 0)
    ok(response)
    write(outdir, "top-1-0", lines)
    response, lines, _ = pop.top(1, 3)
    ok(response)
    write(outdir, "top-1-3", lines)

    ok(pop.noop())
    ok(pop.dele(1))
    check(pop.stat() == (count - 1, total - sizes[0]), "STAT after DELE")
    try:
        pop.retr(1)
        raise AssertionError("RETR of a deleted message succeeded")
    except poplib.error_proto as e:
        check(str(e).startswith("b'-ERR"), e)
    ok(pop.rset())
    check(pop.stat() == (count, total), "STAT after RSET")
    try:
        pop.rpop(user)
        raise AssertionError("RPOP accepted")
    except poplib.error_proto:
        pass
    ok(pop.dele(count))
    ok(pop.quit())
    return count


def session_two(host, port, context, user, password, outdir, uids):
    pop = poplib.POP3_SSL(host, port, context=context, timeout=30)
    check(pop.getwelcome().startswith(b"+OK"), pop.getwelcome())
    check("STLS" not in pop.capa(), "STLS offered on POP3S")
    ok(pop.apop(user, password))
    count, _ = pop.stat()
    check(count == len(uids), "STAT after deletion: %d" % count)
    sizes, got_uids = listing(pop, count)
    check(got_uids == uids, "UIDL after deletion %r" % got_uids)
    retrieve_all(pop, outdir, "pop3s", sizes)
    ok(pop.quit())


def main():
    host, plain, tls, cafile, user, password, outdir, uids = sys.argv[1:]
    uids = uids.split(",")
    context = ssl.create_default_context(cafile=cafile)
    count = session_one(host, int(plain), context, user, password, outdir, uids)
    session_two(host, int(tls), context, user, password, outdir, uids[: count - 1])
    print("poplib: all checks passed")


if __name__ == "__main__":
    main()
