//! Running the server: settings, listeners, signals.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use pop3_proto::server::{LoginMethod, ServerConfig};
use pop3_proto::types::{Mechanism, Text};
use pop3_server_tokio::auth::postgres::PostgresUsers;
use pop3_server_tokio::auth::{
    Authenticator, PLAIN_SCRAM_ITERATIONS, PasswdFile, SharedPasswdFile,
};
use pop3_server_tokio::config::{AuthSettings, FileConfig, SERVABLE, Settings, StoreSettings};
use pop3_server_tokio::limits::{ConnectionLimits, LoginPenalty, RecentLogins};
use pop3_server_tokio::listener::{Endpoint, ProxyPolicy, StopPolicy, bind, serve};
use pop3_server_tokio::store::{MaildirStore, MaildropStore, PostgresStore};
use pop3_server_tokio::tls::TlsSource;
use pop3_server_tokio::{Services, demo};

use crate::cli::ServeArgs;
use crate::{database, logging, nofile};

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
    nofile::raise_and_check(settings.limits.max_connections);
    let parts = match Parts::load(&settings) {
        Ok(parts) => parts,
        Err(message) => {
            eprintln!("pop3d: {message}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pop3d: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(postgres) = &parts.postgres
        && let Err(message) = runtime.block_on(database::check_schema(postgres))
    {
        eprintln!("pop3d: {message}");
        return ExitCode::FAILURE;
    }
    if args.check_config {
        println!("pop3d: configuration is valid");
        return ExitCode::SUCCESS;
    }
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

/// What is loaded before serving, so `--check-config` checks it.
struct Parts {
    /// The passwd-file, when it is the authenticator.
    users: Option<Arc<SharedPasswdFile>>,
    /// The database, when the store or the authenticator is PostgreSQL
    /// (one pool serves both).
    postgres: Option<PostgresStore>,
    tls: Option<Arc<TlsSource>>,
}

impl Parts {
    fn load(settings: &Settings) -> Result<Self, String> {
        let users = match &settings.auth {
            AuthSettings::PasswdFile(path) => Some(Arc::new(
                SharedPasswdFile::load(path).map_err(|e| e.to_string())?,
            )),
            AuthSettings::Postgres(_) => None,
        };
        let url = match (&settings.store, &settings.auth) {
            (StoreSettings::Postgres(url), _) | (_, AuthSettings::Postgres(url)) => Some(url),
            _ => None,
        };
        let postgres = url
            .map(|url| PostgresStore::new(url).map_err(|e| e.to_string()))
            .transpose()?;
        let tls = match &settings.tls {
            Some((cert, key)) => Some(Arc::new(
                TlsSource::load(cert.clone(), key.clone()).map_err(|e| e.to_string())?,
            )),
            None => None,
        };
        Ok(Self {
            users,
            postgres,
            tls,
        })
    }
}

/// The mechanisms to offer: the configured list, or those some user of
/// the users file can complete (a client shown CRAM-MD5 tends to pick it,
/// and fails if every password is an Argon2 hash). With users in a
/// database, every servable mechanism.
fn mechanisms(settings: &Settings, users: Option<&PasswdFile>) -> Vec<Mechanism> {
    match (&settings.mechanisms, users) {
        (Some(list), _) => list.clone(),
        (None, Some(users)) => SERVABLE
            .iter()
            .filter(|m| users.allows_anyone(&LoginMethod::Sasl((*m).clone())))
            .cloned()
            .collect(),
        (None, None) => SERVABLE.to_vec(),
    }
}

fn protocol_config(
    settings: &Settings,
    users: Option<&PasswdFile>,
) -> Result<ServerConfig, String> {
    if settings.apop && users.is_some_and(|u| !u.allows_anyone(&LoginMethod::Apop)) {
        tracing::warn!("apop is on but no user has a {{PLAIN}} password: APOP cannot succeed");
    }
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
        mechanisms: mechanisms(settings, users),
        user_pass: settings.user_pass,
        autologout: settings.idle_timeout(),
        login_timeout: settings.login_timeout(),
        max_bad_commands: settings.limits.max_bad_commands,
        max_login_failures: settings.limits.max_login_failures,
        login_delay: settings.login_delay,
        expire: settings.expire,
        secret_seed: seed,
        scram_iterations: users.map_or(PLAIN_SCRAM_ITERATIONS, PasswdFile::usual_scram_iterations),
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
    let postgres_users = match (&settings.auth, &parts.postgres) {
        (AuthSettings::Postgres(_), Some(db)) => Some(Arc::new(
            PostgresUsers::new(db.pool().clone()).map_err(|e| e.to_string())?,
        )),
        _ => None,
    };
    let maildir = match &settings.store {
        StoreSettings::Maildir(template) => Some(Arc::new(MaildirStore::new(template.clone()))),
        StoreSettings::Postgres(_) => None,
    };
    let postgres = match &settings.store {
        StoreSettings::Postgres(_) => parts.postgres.clone().map(Arc::new),
        StoreSettings::Maildir(_) => None,
    };
    let users = parts.users.clone();
    match (users, postgres_users, maildir, postgres) {
        (Some(auth), _, Some(store), _) => serve_with(settings, parts, auth, store, announce).await,
        (Some(auth), _, _, Some(store)) => serve_with(settings, parts, auth, store, announce).await,
        (_, Some(auth), Some(store), _) => serve_with(settings, parts, auth, store, announce).await,
        (_, Some(auth), _, Some(store)) => serve_with(settings, parts, auth, store, announce).await,
        _ => Err("no authenticator or store configured".into()),
    }
}

async fn serve_with<A: Authenticator, S: MaildropStore>(
    settings: Settings,
    parts: Parts,
    auth: Arc<A>,
    store: Arc<S>,
    announce: Option<std::path::PathBuf>,
) -> Result<(), String> {
    let services = Services {
        protocol: Arc::new(protocol_config(
            &settings,
            parts.users.as_ref().map(|u| u.current()).as_ref(),
        )?),
        auth,
        store,
        tls: parts.tls.clone(),
        penalty: LoginPenalty::new(
            Duration::from_millis(settings.limits.login_failure_delay_ms),
            Duration::from_millis(settings.limits.login_failure_delay_max_ms),
        ),
        recent_logins: RecentLogins::default(),
        allow_cleartext: settings.allow_cleartext,
        handshake_timeout: Duration::from_secs(settings.limits.tls_handshake_timeout_secs),
    };
    let proxy = Arc::new(ProxyPolicy {
        trusted: settings.proxy_trusted.clone(),
        timeout: Duration::from_secs(settings.limits.proxy_header_timeout_secs),
    });
    let mut endpoints = Vec::new();
    for (addrs, implicit_tls, proxy) in [
        (&settings.listen, false, None),
        (&settings.tls_listen, true, None),
        (&settings.proxy_listen, false, Some(&proxy)),
        (&settings.proxy_tls_listen, true, Some(&proxy)),
    ] {
        for addr in addrs {
            let listener = bind(*addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            tracing::info!(
                %addr,
                protocol = if implicit_tls { "pop3s" } else { "pop3" },
                stls = !implicit_tls && parts.tls.is_some(),
                proxy_protocol = proxy.is_some(),
                "listening"
            );
            endpoints.push(Endpoint {
                listener,
                implicit_tls,
                proxy: proxy.cloned(),
            });
        }
    }
    if let Some(dir) = announce {
        let local = |tls: bool| -> Vec<std::net::SocketAddr> {
            endpoints
                .iter()
                .filter(|e| e.implicit_tls == tls && e.proxy.is_none())
                .filter_map(|e| e.listener.local_addr().ok())
                .collect()
        };
        println!("{}", demo::instructions(&dir, &local(false), &local(true)));
    }
    let reloader = tokio::spawn(reload_on_hangup(parts.users.clone(), parts.tls));
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
async fn reload_on_hangup(users: Option<Arc<SharedPasswdFile>>, tls: Option<Arc<TlsSource>>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangup) = signal(SignalKind::hangup()) else {
        tracing::warn!("SIGHUP handler unavailable; reload by restarting");
        return;
    };
    while hangup.recv().await.is_some() {
        if let Some(users) = &users {
            let reloading = Arc::clone(users);
            match tokio::task::spawn_blocking(move || reloading.reload())
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()))
            {
                Ok(count) => tracing::info!(users = count, "users file reloaded"),
                Err(e) => {
                    tracing::error!(error = %e, "users file not reloaded; keeping the old one")
                }
            }
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
