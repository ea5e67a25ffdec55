//! Message body framing (filled in by the body module work).
