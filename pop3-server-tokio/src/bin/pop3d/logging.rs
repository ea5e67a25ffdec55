//! Log output: text or JSON lines on standard error, filtered by
//! `RUST_LOG` (default `info`).

use std::io::IsTerminal;

use pop3_server_tokio::config::LogFormat;
use tracing_subscriber::EnvFilter;

pub(crate) fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
