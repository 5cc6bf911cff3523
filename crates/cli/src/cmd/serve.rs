//! `tallyproof serve`: the public results pages and JSON API over a store, over plain HTTP or,
//! given a certificate and its key, HTTPS.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::DEFAULT_DB;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The store file
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// The address to listen on (port 0: any free port; the URL is printed)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Listen on any free port of the same host if the address is taken
    #[arg(long)]
    pub any_port_if_busy: bool,
    /// A published log directory (from `tallyproof publish`) to serve under /log/
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// Serve HTTPS with this certificate (PEM: the server's certificate, then any
    /// intermediates); needs --tls-key. Without both, plain HTTP
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let url = a.db.to_string_lossy().starts_with("postgres");
    if !url && !a.db.exists() {
        anyhow::bail!(
            "no store at {} (import an election first, or run tallyproof demo)",
            a.db.display()
        );
    }
    let tls = match (&a.tls_cert, &a.tls_key) {
        (Some(cert), Some(key)) => Some(tls(cert, key)?),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(&a.addr).await {
            Ok(l) => l,
            Err(e) if a.any_port_if_busy && e.kind() == std::io::ErrorKind::AddrInUse => {
                let host = a.addr.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
                eprintln!("note: {} is taken; listening on another port", a.addr);
                tokio::net::TcpListener::bind(format!("{host}:0")).await?
            }
            Err(e) => return Err(e).with_context(|| format!("cannot listen on {}", a.addr)),
        };
        let local = listener.local_addr()?;
        println!(
            "serving {scheme}://{local}/ from {} (Ctrl-C stops)",
            a.db.display()
        );
        use std::io::Write;
        std::io::stdout().flush()?;
        server::serve(listener, &a.db.to_string_lossy(), a.log.clone(), tls).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The TLS identity in the files `cert` and `key`, each named when it is refused.
fn tls(cert: &Path, key: &Path) -> anyhow::Result<server::Tls> {
    let read = |what: &str, p: &Path| {
        std::fs::read(p).with_context(|| format!("cannot read the TLS {what} {}", p.display()))
    };
    let (chain, secret) = (read("certificate", cert)?, read("key", key)?);
    server::Tls::from_pem(&chain, &secret)
        .with_context(|| format!("--tls-cert {} --tls-key {}", cert.display(), key.display()))
}
