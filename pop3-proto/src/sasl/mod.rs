//! SASL mechanism codecs (filled in by the sasl module work).
