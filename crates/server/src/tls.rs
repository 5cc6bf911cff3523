//! HTTPS served by the service itself (`tallyproof serve --tls-cert FILE --tls-key FILE`):
//! rustls with its `ring` provider, through tokio-rustls, in front of the same hyper
//! connections as plain HTTP, so the read timeouts of [`crate::Timeouts`] hold over TLS too
//! (the handshake must end within the headers' time). Behind a reverse proxy that ends TLS
//! itself, none of this is needed.

use std::sync::Arc;

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::ServerError;

/// The service's TLS identity: a certificate chain and its private key, checked to belong
/// together.
#[derive(Clone)]
pub struct Tls {
    pub(crate) acceptor: TlsAcceptor,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls")
    }
}

impl Tls {
    /// A TLS identity from PEM text: `chain` the server's certificate first, then any
    /// intermediates (as a CA issues them); `key` its private key (PKCS#8, PKCS#1 or SEC1).
    /// Refused: no certificate, no key, and a key that is not the certificate's.
    pub fn from_pem(chain: &[u8], key: &[u8]) -> Result<Tls, ServerError> {
        let refused = |what: String| ServerError::Tls(what);
        let certs = CertificateDer::pem_slice_iter(chain)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| refused(format!("the certificate file is not PEM: {e}")))?;
        if certs.is_empty() {
            return Err(refused(
                "the certificate file holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
                    .into(),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| match e {
            pem::Error::NoItemsFound => refused(
                "the key file holds no PEM private key (-----BEGIN PRIVATE KEY-----)".into(),
            ),
            other => refused(format!("the key file is not PEM: {other}")),
        })?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| refused(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| match e {
                rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                    refused("the private key is not the certificate's key".into())
                }
                other => refused(format!("the certificate and key are refused: {other}")),
            })?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}
