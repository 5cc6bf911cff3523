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
    /// The log's signing key file (PRIVATE+KEY+...): every election's log is signed with it
    /// after each write and served under /elections/NAME/log/. Default: the store's path
    /// with .logkey added (created with a random key, readable by its owner only, if missing;
    /// `tallyproof publish` uses the same default)
    #[arg(long)]
    pub log_key: Option<PathBuf>,
    /// The logs' origin prefix: election NAME's log is called PREFIX/NAME in its checkpoints
    #[arg(long, default_value = "tallyproof.local")]
    pub log_origin: String,
    /// A witness's verifier key (text, or a file holding it) whose cosignatures the service
    /// keeps and serves; repeatable
    #[arg(long)]
    pub witness: Vec<String>,
    /// Serve HTTPS with this certificate (PEM: the server's certificate, then any
    /// intermediates); needs --tls-key. Without both, plain HTTP
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// A directory of audits' large files (cast-vote records beyond an upload's 8 MiB): an
    /// audit names one as `file:NAME`, a path inside it (never outside)
    #[arg(long, value_name = "DIR")]
    pub audit_files: Option<PathBuf>,
    /// An SMS gateway that may post observers' messages to
    /// /api/elections/NAME/pvt/PVT/sms/GATEWAY, as GATEWAY=FILE: FILE holds the secret it
    /// signs requests with (at least 32 bytes; docs/sms.md); repeatable; needs --phone-key
    #[arg(long, value_name = "GATEWAY=FILE", requires = "phone_key")]
    pub sms_gateway: Vec<String>,
    /// The key (a file of at least 32 random bytes, kept outside the store) under which
    /// observers' phone numbers are kept as pseudonyms; the same as `users phone` used
    #[arg(long, value_name = "FILE")]
    pub phone_key: Option<PathBuf>,
    /// The home country's calling code, for numbers a gateway writes without it
    #[arg(long, default_value = "996")]
    pub country: String,
    /// The home trunk prefix that national numbers begin with
    #[arg(long, default_value = "0")]
    pub trunk: String,
    /// The incident categories observers choose from, with their names (TOML;
    /// docs/formats.md, "Incident categories"); without it, the default eight
    #[arg(long, value_name = "FILE")]
    pub incident_categories: Option<PathBuf>,
}

/// The SMS gateways and the phones' key, if `serve` takes SMS reports.
fn sms(a: &Args) -> anyhow::Result<Option<server::SmsConfig>> {
    if a.sms_gateway.is_empty() {
        return Ok(None);
    }
    let key_file = a
        .phone_key
        .as_deref()
        .context("--sms-gateway needs --phone-key")?;
    let key = observe::phone::PhoneKey::new(&read_secret(key_file)?)
        .with_context(|| key_file.display().to_string())?;
    let gateways = a
        .sms_gateway
        .iter()
        .map(|g| {
            let (name, file) = g
                .split_once('=')
                .with_context(|| format!("--sms-gateway {g}: GATEWAY=FILE"))?;
            observe::gateway::Gateway::new(name, &read_secret(Path::new(file))?)
                .with_context(|| format!("--sms-gateway {g}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Some(server::SmsConfig {
        gateways,
        key,
        dialling: observe::phone::Dialling {
            country: a.country.clone(),
            trunk: a.trunk.clone(),
        },
    }))
}

/// The deployment's incident categories, from `file` if given.
fn categories(file: Option<&Path>) -> anyhow::Result<server::Categories> {
    let Some(file) = file else {
        return Ok(server::Categories::Default);
    };
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let list = formats::categories::read(&file.display().to_string(), &text)?;
    Ok(server::Categories::Own(list))
}

/// A secret's bytes, from a file (a trailing line end dropped).
pub(crate) fn read_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut bytes =
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        bytes.pop();
    }
    Ok(bytes)
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let url = a.db.to_string_lossy().starts_with("postgres");
    if !url && !a.db.exists() {
        anyhow::bail!(
            "no store at {} (import an election first, or run tallyproof demo)",
            a.db.display()
        );
    }
    let key_path = match (&a.log_key, url) {
        (Some(k), _) => k.clone(),
        (None, false) => super::publish::default_key_path(&a.db),
        (None, true) => {
            anyhow::bail!("a PostgreSQL store needs --log-key FILE: the key that signs its logs")
        }
    };
    let key = super::publish::signing_key(&key_path, &a.log_origin)?;
    let witnesses = a
        .witness
        .iter()
        .map(|w| super::verify::key_text(w))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let signing = server::log_signing(&key.text(), &a.log_origin, &witnesses)?;
    let tls = match (&a.tls_cert, &a.tls_key) {
        (Some(cert), Some(key)) => Some(tls(cert, key)?),
        _ => None,
    };
    let audit_files = a
        .audit_files
        .as_deref()
        .map(store::AuditDir::open)
        .transpose()?;
    let extras = server::Extras {
        audit_files,
        sms: sms(&a)?,
        categories: categories(a.incident_categories.as_deref())?,
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
        // One write (formatted first: `println!` writes each piece apart): a reader of the
        // first line only (a test, a supervisor) may close the pipe after it.
        let said = format!(
            "serving {scheme}://{local}/ from {} (Ctrl-C stops)\nlog key: {} (from {}; each election's log is under {scheme}://{local}/elections/NAME/log/)\nlog key fingerprint (for readers to check stations against): {}\n",
            a.db.display(),
            key.verifier().text(),
            key_path.display(),
            key.verifier().fingerprint()
        );
        print!("{said}");
        use std::io::Write;
        std::io::stdout().flush()?;
        server::serve(listener, &a.db.to_string_lossy(), signing, tls, extras).await?;
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
