-- Maildrops, their messages and the users allowed to log in.
--
-- A message is stored once, as delivered (the session turns bare LF into
-- CRLF and dot-stuffs on the way out), with the exact size RETR sends and
-- a unique-id that never changes. The body is kept uncompressed out of
-- line (STORAGE EXTERNAL) so RETR can read it a page at a time with
-- substring() without fetching the rest.

CREATE TABLE mailboxes (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE
);

CREATE TABLE messages (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mailbox_id   bigint NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    uid          text NOT NULL CHECK (octet_length(uid) BETWEEN 1 AND 70),
    wire_size    bigint NOT NULL CHECK (wire_size >= 0),
    body         bytea NOT NULL,
    delivered_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (mailbox_id, uid)
);

ALTER TABLE messages ALTER COLUMN body SET STORAGE EXTERNAL;

-- The session snapshot: one index-only range scan.
CREATE INDEX messages_snapshot ON messages (mailbox_id, id) INCLUDE (uid, wire_size);

-- Users for the PostgreSQL authenticator; `password` is a passwd-file
-- password field ({SCHEME}value); NULL means the account cannot log in.
CREATE TABLE users (
    name     text PRIMARY KEY,
    password text
);
