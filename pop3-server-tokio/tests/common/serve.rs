//! The server in-process: [`serve`] on a task of its own that a test can
//! stop, and the self-signed certificate it loads for TLS.

use std::path::{Path, PathBuf};

use pop3_server_tokio::Services;
use pop3_server_tokio::auth::Authenticator;
use pop3_server_tokio::limits::ConnectionLimits;
use pop3_server_tokio::listener::{Endpoint, StopPolicy, serve};
use pop3_server_tokio::store::MaildropStore;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A server task; asked to stop and aborted when dropped, so a failing
/// test leaves nothing running.
pub struct Serving {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Runs [`serve`] on its own task until the returned handle stops it.
pub fn spawn_serve<A: Authenticator, S: MaildropStore>(
    services: Services<A, S>,
    limits: ConnectionLimits,
    endpoints: Vec<Endpoint>,
    policy: StopPolicy,
) -> Serving {
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stopped.await;
    };
    let task = tokio::spawn(serve(services, limits, endpoints, shutdown, policy));
    Serving {
        stop: Some(stop),
        task: Some(task),
    }
}

impl Serving {
    /// Asks the server to stop and waits until it has.
    pub async fn stop(mut self) {
        if let Some(task) = self.begin_stop() {
            task.await.unwrap();
        }
    }

    /// Asks the server to stop without waiting; the task, the first time.
    pub fn begin_stop(&mut self) -> Option<JoinHandle<()>> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.take()
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(task) = self.begin_stop() {
            task.abort();
        }
    }
}

/// Writes a certificate for `localhost` and its key to `cert.pem` and
/// `key.pem` in `dir`; returns their paths and the certificate's PEM.
pub fn self_signed(dir: &Path) -> (PathBuf, PathBuf, String) {
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let pem = generated.cert.pem();
    std::fs::write(&cert, &pem).unwrap();
    std::fs::write(&key, generated.signing_key.serialize_pem()).unwrap();
    (cert, key, pem)
}
