//! Where `tallyproof verify` reads a published log from: a directory, or a URL over HTTP or
//! HTTPS to any host (ureq with rustls and its `ring` provider; the public certificate
//! authorities of `webpki-roots`, or with `--ca-file` only the private CA given).
//!
//! A file that is not there (404, or no such file) is missing, which the verification
//! judges; any other failure (the host cannot be reached, the certificate is not trusted, a
//! status other than 200 or 404, a redirect, a body over [`MAX_BODY`], a read error) is an
//! error naming the URL or the file, never taken for a missing file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use ureq::tls::{PemItem, RootCerts, TlsConfig};

/// The largest response read: a full entry bundle is 256 entries of at most 64 KiB each
/// (16 MiB), a hash tile 8 KiB; a server sending more is refused, not read into memory.
pub const MAX_BODY: u64 = 64 << 20;

/// How long a server may take to accept a connection (TLS handshake included).
const CONNECT: Duration = Duration::from_secs(10);
/// How long it may take to begin its answer.
const ANSWER: Duration = Duration::from_secs(30);
/// How long it may take to send a body, at most [`MAX_BODY`].
const BODY: Duration = Duration::from_secs(120);

/// A published log's location.
pub enum Source {
    /// A directory on this machine.
    Dir(PathBuf),
    /// A URL ending in `/`, under which `checkpoint`, `tile/...` and `content/...` are.
    Remote(Remote),
}

/// A published log at a URL.
pub struct Remote {
    agent: ureq::Agent,
    base: String,
    /// The PEM file of the only CA trusted, if one was given.
    ca_file: Option<PathBuf>,
}

impl Source {
    /// The log at `target` (a directory, or an `http://` or `https://` URL); `ca_file` the
    /// private CA to trust instead of the public ones (for `https://` only).
    pub fn open(target: &str, ca_file: Option<&Path>) -> anyhow::Result<Source> {
        let scheme = target
            .split_once("://")
            .map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            None => {
                if let Some(ca) = ca_file {
                    anyhow::bail!(
                        "--ca-file {} is for https:// URLs; {target} is a directory",
                        ca.display()
                    );
                }
                Ok(Source::Dir(PathBuf::from(target)))
            }
            Some("http") if ca_file.is_some() => {
                anyhow::bail!("--ca-file is for https:// URLs, and {target} is plain http://")
            }
            Some("http" | "https") => Ok(Source::Remote(Remote::new(target, ca_file)?)),
            Some(other) => anyhow::bail!(
                "{target}: only http:// and https:// URLs are fetched, not {other}://"
            ),
        }
    }

    /// The log's name in messages: the directory, or the URL without its last `/`.
    pub fn label(&self) -> String {
        match self {
            Source::Dir(d) => d.display().to_string(),
            Source::Remote(r) => r.base.trim_end_matches('/').to_string(),
        }
    }

    /// Whether the log is read over the network.
    pub fn is_remote(&self) -> bool {
        matches!(self, Source::Remote(_))
    }

    /// The file at `path` under the log's root: `None` when it is not there; an error naming
    /// the file or URL for anything else.
    pub fn get(&self, path: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match self {
            Source::Dir(d) => {
                let file = d.join(path);
                match std::fs::read(&file) {
                    Ok(b) => Ok(Some(b)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e).with_context(|| format!("cannot read {}", file.display())),
                }
            }
            Source::Remote(r) => r.get(path),
        }
    }
}

impl Remote {
    fn new(url: &str, ca_file: Option<&Path>) -> anyhow::Result<Remote> {
        let uri: ureq::http::Uri = url.parse().with_context(|| format!("{url} is not a URL"))?;
        if uri.host().is_none_or(str::is_empty) {
            anyhow::bail!("{url} names no host");
        }
        if uri.query().is_some() || url.contains('#') {
            anyhow::bail!("{url}: a log's URL has no query or fragment");
        }
        let roots = match ca_file {
            Some(ca) => RootCerts::new_with_certs(&ca_certs(ca)?),
            None => RootCerts::WebPki,
        };
        let agent = ureq::Agent::config_builder()
            .tls_config(TlsConfig::builder().root_certs(roots).build())
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(CONNECT))
            .timeout_recv_response(Some(ANSWER))
            .timeout_recv_body(Some(BODY))
            .user_agent(concat!("tallyproof/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        let base = if url.ends_with('/') {
            url.to_string()
        } else {
            format!("{url}/")
        };
        Ok(Remote {
            agent,
            base,
            ca_file: ca_file.map(Path::to_path_buf),
        })
    }

    /// GET `path` under the base URL: the body on 200, `None` on 404.
    fn get(&self, path: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let url = format!("{}{path}", self.base);
        let failed = |e: ureq::Error| anyhow::anyhow!("cannot fetch {url}: {}", self.why(&e));
        let mut answer = self.agent.get(&url).call().map_err(failed)?;
        let status = answer.status();
        match status.as_u16() {
            200 => {}
            404 => return Ok(None),
            300..=399 => {
                let to = answer
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .unwrap_or("nowhere");
                anyhow::bail!(
                    "cannot fetch {url}: the server redirects to {to}, and redirects are not followed (verify the log at its own URL)"
                )
            }
            _ => anyhow::bail!("cannot fetch {url}: the server answered {status}"),
        }
        let body = answer
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(failed)?;
        Ok(Some(body))
    }

    /// POSTs `body` as JSON to `path` on the same host (an absolute path, such as
    /// `/api/elections/NAME/cosignatures`): the status and the answer's text.
    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> anyhow::Result<(u16, String)> {
        let uri: ureq::http::Uri = self.base.parse()?;
        let origin = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or("https"),
            uri.authority().map_or("", |a| a.as_str())
        );
        let url = format!("{origin}{path}");
        let failed = |e: ureq::Error| anyhow::anyhow!("cannot post to {url}: {}", self.why(&e));
        let mut answer = self
            .agent
            .post(&url)
            .header("content-type", "application/json")
            .send(body.to_string())
            .map_err(failed)?;
        let status = answer.status().as_u16();
        let text = answer
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_string()
            .map_err(failed)?;
        Ok((status, text))
    }

    /// What went wrong, in words: above all, a certificate not signed by a trusted CA.
    fn why(&self, e: &ureq::Error) -> String {
        let tls = match e {
            ureq::Error::Rustls(t) => Some(t),
            ureq::Error::Io(io) => io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()),
            _ => None,
        };
        if let Some(t) = tls {
            return self.tls_why(t);
        }
        match e {
            ureq::Error::HostNotFound => "the host is not found (DNS)".into(),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                "the host cannot be reached: connection refused".into()
            }
            ureq::Error::Io(io) => format!("the connection failed: {io}"),
            ureq::Error::ConnectionFailed => "the host cannot be reached".into(),
            ureq::Error::Timeout(t) => format!("no answer in time (the {t} timeout)"),
            ureq::Error::BodyExceedsLimit(_) => {
                format!("the answer is larger than {} MiB", MAX_BODY >> 20)
            }
            ureq::Error::Protocol(p) => format!("the answer is not valid HTTP: {p}"),
            other => other.to_string(),
        }
    }

    fn tls_why(&self, e: &rustls::Error) -> String {
        use rustls::CertificateError as C;
        let trusted = match &self.ca_file {
            Some(ca) => format!("the CA in {}", ca.display()),
            None => "a public certificate authority (for a private CA, pass --ca-file)".into(),
        };
        match e {
            rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => format!(
                "TLS: the server's certificate is not trusted: it is not signed by {trusted}"
            ),
            rustls::Error::InvalidCertificate(
                C::NotValidForName | C::NotValidForNameContext { .. },
            ) => "TLS: the server's certificate is not valid for this host name".into(),
            rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
                "TLS: the server's certificate has expired".into()
            }
            rustls::Error::InvalidCertificate(other) => {
                format!("TLS: the server's certificate is refused ({other:?})")
            }
            other => format!("TLS: the handshake failed ({other})"),
        }
    }
}

/// The certificates in the PEM file `ca`: at least one.
fn ca_certs(ca: &Path) -> anyhow::Result<Vec<ureq::tls::Certificate<'static>>> {
    let pem =
        std::fs::read(ca).with_context(|| format!("cannot read --ca-file {}", ca.display()))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item.with_context(|| format!("--ca-file {} is not PEM", ca.display()))? {
            PemItem::Certificate(c) => certs.push(c),
            _ => anyhow::bail!(
                "--ca-file {} holds a private key: give the CA's certificate only",
                ca.display()
            ),
        }
    }
    if certs.is_empty() {
        anyhow::bail!(
            "--ca-file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            ca.display()
        );
    }
    Ok(certs)
}
