//! APOP digests (RFC 1939 section 7) (filled in by the sasl module work).
