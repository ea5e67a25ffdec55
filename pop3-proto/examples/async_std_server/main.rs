//! Serves POP3 from the sans-IO core on async-std instead of tokio: the
//! same core, a different runtime, about a hundred lines of glue.
//!
//! async-std is discontinued upstream (RUSTSEC-2025-0052); it is used
//! here, as a dev-dependency only, because it is a runtime with nothing
//! in common with tokio. Use smol or tokio for new code.
//!
//! `cargo run -p pop3-proto --example async_std_server -- 127.0.0.1:2110`
//! then log in as `demo` / `demo`.

mod serve;

use std::sync::Arc;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:2110".into());
    async_std::task::block_on(async {
        let listener = async_std::net::TcpListener::bind(&addr).await?;
        println!(
            "serving POP3 on {}; user demo, password demo",
            listener.local_addr()?
        );
        let store = Arc::new(serve::MemoryStore::sample());
        loop {
            let (stream, peer) = listener.accept().await?;
            let store = Arc::clone(&store);
            async_std::task::spawn(async move {
                if let Err(e) = serve::connection(stream, &store).await {
                    eprintln!("{peer}: {e}");
                }
            });
        }
    })
}
