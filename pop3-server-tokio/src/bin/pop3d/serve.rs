//! Running the server: settings, listeners, signals.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use pop3_proto::server::ServerConfig;
use pop3_proto::types::Text;
use pop3_server_tokio::auth::SharedPasswdFile;
use pop3_server_tokio::config::{FileConfig, Settings};
use pop3_server_tokio::limits::{ConnectionLimits, LoginPenalty};
use pop3_server_tokio::listener::{Endpoint, StopPolicy, bind, serve};
use pop3_server_tokio::store::MaildirStore;
use pop3_server_tokio::tls::TlsSource;
use pop3_server_tokio::{Services, demo};

use crate::cli::ServeArgs;
use crate::logging;

/// Time sessions get, after the grace period, to finish an UPDATE.
const DRAIN: Duration = Duration::from_secs(10);

pub(crate) fn run(args: &ServeArgs) -> ExitCode {
    let config_path = if args.demo {
        match demo::prepare(&args.demo_dir) {
            Ok(path) => Some(path),
            Err(e) => {
                eprintln!("pop3d: preparing the demo: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        args.config.clone()
    };
    let file = match config_path.as_deref().map(FileConfig::load).transpose() {
        Ok(file) => file.unwrap_or_default(),
        Err(e) => {
            eprintln!("pop3d: {e}");
            return ExitCode::FAILURE;
        }
    };
    let settings = match Settings::resolve(file, args.overrides()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pop3d: {e}");
            return ExitCode::FAILURE;
        }
    };
    logging::init(settings.log_format);
    let parts = match Parts::load(&settings) {
        Ok(parts) => parts,
        Err(message) => {
            eprintln!("pop3d: {message}");
            return ExitCode::FAILURE;
        }
    };
    if args.check_config {
        println!("pop3d: configuration is valid");
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pop3d: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let announce = args.demo.then(|| args.demo_dir.clone());
    let result = runtime.block_on(serve_until_stopped(settings, parts, announce));
    match result {
        Ok(()) => {
            if args.demo {
                // The demo's data stays for the next run.
                tracing::info!(dir = %args.demo_dir.display(), "demo data kept");
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("pop3d: {message}");
            ExitCode::FAILURE
        }
    }
}

/// What is loaded from disk before serving, so `--check-config` checks it.
struct Parts {
    users: SharedPasswdFile,
    tls: Option<Arc<TlsSource>>,
}

impl Parts {
    fn load(settings: &Settings) -> Result<Self, String> {
        let users = SharedPasswdFile::load(&settings.users).map_err(|e| e.to_string())?;
        let tls = match &settings.tls {
            Some((cert, key)) => Some(Arc::new(
                TlsSource::load(cert.clone(), key.clone()).map_err(|e| e.to_string())?,
            )),
            None => None,
        };
        Ok(Self { users, tls })
    }
}

fn protocol_config(settings: &Settings) -> Result<ServerConfig, String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("no system randomness: {e}"))?;
    Ok(ServerConfig {
        greeting: Text::truncated(&settings.greeting, 200),
        hostname: settings.hostname.clone(),
        implementation: Some(Text::truncated(
            concat!("pop3d ", env!("CARGO_PKG_VERSION")),
            100,
        )),
        apop: settings.apop,
        mechanisms: settings.mechanisms.clone(),
        user_pass: settings.user_pass,
        autologout: settings.idle_timeout(),
        max_bad_commands: settings.limits.max_bad_commands,
        max_login_failures: settings.limits.max_login_failures,
        secret_seed: seed,
        ..ServerConfig::default()
    })
}

/// Serves until SIGTERM or SIGINT. With `announce` (the demo), prints how
/// to connect once listening.
async fn serve_until_stopped(
    settings: Settings,
    parts: Parts,
    announce: Option<std::path::PathBuf>,
) -> Result<(), String> {
    let users = Arc::new(parts.users);
    let services = Services {
        protocol: Arc::new(protocol_config(&settings)?),
        auth: Arc::clone(&users),
        store: Arc::new(MaildirStore::new(settings.maildir.clone())),
        tls: parts.tls.clone(),
        penalty: LoginPenalty::new(
            Duration::from_millis(settings.limits.login_failure_delay_ms),
            Duration::from_millis(settings.limits.login_failure_delay_max_ms),
        ),
        allow_cleartext: settings.allow_cleartext,
        handshake_timeout: Duration::from_secs(settings.limits.tls_handshake_timeout_secs),
    };
    let mut endpoints = Vec::new();
    for (addrs, implicit_tls) in [(&settings.listen, false), (&settings.tls_listen, true)] {
        for addr in addrs {
            let listener = bind(*addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            tracing::info!(
                %addr,
                protocol = if implicit_tls { "pop3s" } else { "pop3" },
                stls = !implicit_tls && parts.tls.is_some(),
                "listening"
            );
            endpoints.push(Endpoint {
                listener,
                implicit_tls,
                proxy: None,
            });
        }
    }
    if let Some(dir) = announce {
        let local = |tls: bool| -> Vec<std::net::SocketAddr> {
            endpoints
                .iter()
                .filter(|e| e.implicit_tls == tls)
                .filter_map(|e| e.listener.local_addr().ok())
                .collect()
        };
        println!("{}", demo::instructions(&dir, &local(false), &local(true)));
    }
    let reloader = tokio::spawn(reload_on_hangup(Arc::clone(&users), parts.tls));
    let limits = ConnectionLimits::new(
        settings.limits.max_connections,
        settings.limits.max_connections_per_ip,
    );
    let stop_policy = StopPolicy {
        grace: Duration::from_secs(settings.limits.shutdown_grace_secs),
        drain: DRAIN,
    };
    serve(services, limits, endpoints, stop_signal(), stop_policy).await;
    reloader.abort();
    tracing::info!("stopped");
    Ok(())
}

/// Completes on SIGTERM or SIGINT.
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    match (term, int) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM received"),
                _ = int.recv() => tracing::info!("SIGINT received"),
            }
        }
        _ => {
            tracing::warn!("signal handlers unavailable; stopping on Ctrl-C only");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Reloads the users file and the certificates on each SIGHUP; a file
/// that fails to load leaves the old one in use.
async fn reload_on_hangup(users: Arc<SharedPasswdFile>, tls: Option<Arc<TlsSource>>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangup) = signal(SignalKind::hangup()) else {
        tracing::warn!("SIGHUP handler unavailable; reload by restarting");
        return;
    };
    while hangup.recv().await.is_some() {
        let reloading = Arc::clone(&users);
        match tokio::task::spawn_blocking(move || reloading.reload())
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()))
        {
            Ok(count) => tracing::info!(users = count, "users file reloaded"),
            Err(e) => tracing::error!(error = %e, "users file not reloaded; keeping the old one"),
        }
        if let Some(tls) = &tls {
            match tls.reload() {
                Ok(()) => tracing::info!("certificates reloaded"),
                Err(e) => {
                    tracing::error!(error = %e, "certificates not reloaded; keeping the old ones")
                }
            }
        }
    }
}
