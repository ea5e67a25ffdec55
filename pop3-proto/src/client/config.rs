//! Limits and choices for one client session.

/// How a [`super::Client`] reads and what it sends.
///
/// The limits keep a hostile or broken server from making the client
/// buffer without bound; message bodies are never buffered at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Longest response line accepted, line ending included. RFC 2449
    /// allows 512 octets; real servers exceed that (long CAPA lines, SASL
    /// challenges), so the default is a lenient 8 KiB.
    pub max_line: usize,
    /// Most entries accepted in one listing (LIST, UIDL, CAPA, LANG, bare
    /// AUTH). The default of 5,000,000 covers any real maildrop and caps
    /// memory at some hundred megabytes.
    pub max_listing_entries: usize,
    /// Most octets (line endings included) accepted in a CAPA, LANG or
    /// bare AUTH listing. Their entries become many small values, each
    /// costing more memory than the octets it came from (a CAPA line of
    /// one-letter parameters, about 25 times), so these listings are
    /// capped by size too. Real ones stay under 2 KiB; the default is
    /// 64 KiB.
    pub max_capability_octets: usize,
    /// Whether AUTH may carry the client's first message on the command
    /// line (RFC 5034 initial response). It is used only when the line
    /// stays within 255 octets; otherwise the client waits for `+ `.
    /// Turn it off for servers that mishandle it.
    pub sasl_initial_response: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            max_line: 8 * 1024,
            max_listing_entries: 5_000_000,
            max_capability_octets: 64 * 1024,
            sasl_initial_response: true,
        }
    }
}
