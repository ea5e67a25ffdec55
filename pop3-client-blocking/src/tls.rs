//! rustls client configuration (ring provider) from [`TlsOptions`].

use std::fs::File;
use std::io::BufReader;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::error::{Error, Result};
use crate::options::TlsOptions;

/// Builds the rustls configuration the options describe.
pub(crate) fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>> {
    let provider = Arc::new(ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::TlsSetup(e.to_string()))?;
    if options.danger_accept_invalid_certificates {
        let verifier = Arc::new(AcceptAnyCertificate { provider });
        let config = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        return Ok(Arc::new(config));
    }
    let roots = root_store(options)?;
    Ok(Arc::new(
        builder.with_root_certificates(roots).with_no_client_auth(),
    ))
}

/// The system's roots and the extra CA file, as asked.
fn root_store(options: &TlsOptions) -> Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    if options.system_roots {
        // Unreadable entries in the system store are skipped, as every
        // TLS client does; an empty store is reported below.
        let found = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(found.certs);
    }
    if let Some(path) = &options.extra_ca_file {
        let shown = path.display();
        let file = File::open(path)
            .map_err(|e| Error::TlsSetup(format!("cannot open CA file {shown}: {e}")))?;
        let mut added = 0usize;
        for cert in CertificateDer::pem_reader_iter(&mut BufReader::new(file)) {
            let cert =
                cert.map_err(|e| Error::TlsSetup(format!("bad PEM in CA file {shown}: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| Error::TlsSetup(format!("bad certificate in {shown}: {e}")))?;
            added += 1;
        }
        if added == 0 {
            return Err(Error::TlsSetup(format!(
                "no certificate found in CA file {shown}"
            )));
        }
    }
    if roots.is_empty() {
        return Err(Error::TlsSetup(
            "no trusted CA certificates (install ca-certificates or give a CA file)".into(),
        ));
    }
    Ok(roots)
}

/// The TLS server name for `host`: a DNS name or an IP address.
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    ServerName::try_from(bare.to_owned())
        .map_err(|e| Error::TlsSetup(format!("{host:?} cannot be a TLS server name: {e}")))
}

/// Accepts every certificate while still checking the handshake
/// signatures, so the session is encrypted but not authenticated.
#[derive(Debug)]
struct AcceptAnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
