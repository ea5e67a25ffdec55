//! A private CA and a server certificate for 127.0.0.1 and localhost,
//! so both servers present a certificate the generator verifies.

use std::fs;
use std::io;
use std::path::Path;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// Writes `ca.pem`, `cert.pem` and `key.pem` (mode 0644: Dovecot reads
/// the key as root before dropping privileges, pop3d as its own user).
pub fn write(dir: &Path) -> Result<(), String> {
    let err = |e: rcgen::Error| e.to_string();
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "pop3-bench CA");
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().map_err(err)?;
    let mut leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .map_err(err)?;
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = leaf.signed_by(&key, &issuer).map_err(err)?;
    let io = |e: io::Error| format!("{}: {e}", dir.display());
    fs::create_dir_all(dir).map_err(io)?;
    fs::write(dir.join("ca.pem"), ca_cert.pem()).map_err(io)?;
    fs::write(dir.join("cert.pem"), cert.pem()).map_err(io)?;
    fs::write(dir.join("key.pem"), key.serialize_pem()).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_loads_into_a_connector() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path()).unwrap();
        assert!(
            fs::read_to_string(dir.path().join("key.pem"))
                .unwrap()
                .contains("PRIVATE KEY")
        );
        assert!(crate::target::connector(&dir.path().join("ca.pem")).is_ok());
    }
}
