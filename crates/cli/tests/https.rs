//! Verification from anywhere (issue 15, item 4): `tallyproof verify https://HOST/PREFIX/`
//! against a TLS server on loopback whose certificates are made here by a CA generated in the
//! test (rcgen); a certificate that CA did not sign is refused; `--cache` fetches only what
//! changed and catches a corrupted cached tile; `tallyproof serve --tls-cert --tls-key`
//! serves HTTPS.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};

use crate::{run, stderr, stdout};

/// A certificate authority made for one test.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Ca { issuer }
    }

    /// The CA's certificate (PEM).
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `names` signed by this CA, and its key (PEM).
    pub fn leaf(&self, names: &[&str]) -> (String, String) {
        self.leaf_with(names, |_| {})
    }

    /// [`Ca::leaf`] with its parameters changed by `edit` (an expired validity).
    pub fn leaf_with(
        &self,
        names: &[&str],
        edit: impl Fn(&mut CertificateParams),
    ) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params = leaf_params(names);
        edit(&mut params);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

fn leaf_params(names: &[&str]) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    CertificateParams::new(names).unwrap()
}

/// A self-signed server certificate for `names`, and its key (PEM).
fn self_signed(names: &[&str]) -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let cert = leaf_params(names).self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// A static file server on a loopback port for a published directory under `/site/`, over
/// TLS with `tls` (certificate and key, PEM), else plain HTTP; `asked` lists every path
/// requested, relative to `/site/`. It serves until the test process ends.
pub struct FileServer {
    pub port: u16,
    pub asked: Arc<Mutex<Vec<String>>>,
}

impl FileServer {
    /// The paths asked since the last call.
    pub fn take_asked(&self) -> Vec<String> {
        std::mem::take(&mut *self.asked.lock().unwrap())
    }
}

pub fn file_server(root: PathBuf, tls: Option<(String, String)>) -> FileServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = tls.map(|(cert, key)| server_config(&cert, &key));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(tcp) = stream else { continue };
            let _ = tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)));
            let answered = match &config {
                None => answer(tcp, &root, &log),
                Some(c) => {
                    let conn = rustls::ServerConnection::new(c.clone()).unwrap();
                    let mut tls = rustls::StreamOwned::new(conn, tcp);
                    let done = answer(&mut tls, &root, &log);
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                    done
                }
            };
            // A client that refused the certificate closes during the handshake.
            let _ = answered;
        }
    });
    FileServer { port, asked }
}

/// A rustls server configuration (ring) for a certificate and key in PEM.
fn server_config(cert: &str, key: &str) -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_slice_iter(cert.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    Arc::new(config)
}

/// Reads one request from `s` and answers it from `root` (200 with the file, or 404).
fn answer(
    mut s: impl Read + Write,
    root: &Path,
    asked: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let (mut head, mut buf) = (Vec::new(), [0u8; 1024]);
    while !head.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let path = head
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches("/site/")
        .to_string();
    asked.lock().unwrap().push(path.clone());
    match std::fs::read(root.join(&path)) {
        Ok(body) => {
            write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            s.write_all(&body)?;
        }
        Err(_) => write!(
            s,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?,
    }
    s.flush()
}

/// A generated election of `stations` stations, imported as `kg` into `dir/s.db` and
/// published to `dir/pub` with the key `dir/log.key`.
fn published(dir: &Path, stations: u32) {
    let ok = |args: &[&str]| {
        let o = run(dir, args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    };
    let n = stations.to_string();
    ok(&["gen", "--stations", &n, "--seed", "3", "-o", "g.csv"]);
    ok(&["import", "g.csv", "--db", "s.db", "--name", "kg"]);
    ok(&[
        "publish", "--db", "s.db", "--out", "pub", "--key", "log.key",
    ]);
}

/// A published election of `stations` stations in a temporary folder, with a test CA whose
/// certificate is `ca.pem` there.
fn published_with_ca(stations: u32) -> (tempfile::TempDir, Ca) {
    let dir = tempfile::tempdir().unwrap();
    published(dir.path(), stations);
    let ca = Ca::new("tallyproof test CA");
    put(dir.path(), "ca.pem", &ca.pem());
    (dir, ca)
}

/// Writes `text` to `dir/name`.
fn put(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn a_log_is_verified_over_https_and_says_what_the_directory_says() {
    let (dir, ca) = published_with_ca(300);
    let d = dir.path();
    let server = file_server(d.join("pub"), Some(ca.leaf(&["127.0.0.1", "localhost"])));
    let local = run(d, &["verify", "pub", "--key", "pub/log.pub"]);
    assert_eq!(local.status.code(), Some(0), "{}", stderr(&local));
    for host in ["127.0.0.1", "localhost"] {
        let url = format!("https://{host}:{}/site/", server.port);
        let o = run(
            d,
            &[
                "verify",
                &url,
                "--key",
                "pub/log.pub",
                "--ca-file",
                "ca.pem",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
        assert_eq!(stdout(&o), stdout(&local));
        assert!(stdout(&o).ends_with("\nVALID\n"), "{}", stdout(&o));
    }
    // Without --key, the log's own log.pub is fetched (and the note says what that proves).
    let url = format!("https://127.0.0.1:{}/site", server.port);
    let o = run(d, &["verify", &url, "--ca-file", "ca.pem"]);
    assert_eq!(stdout(&o), stdout(&local));
    assert!(
        stderr(&o).contains(&format!("note: using {url}/log.pub; this only shows")),
        "{}",
        stderr(&o)
    );
}

/// Each server certificate below is refused: the message says why and names the URL; the exit
/// code is 5 (input/output) and nothing is printed on standard output.
#[test]
fn a_certificate_the_ca_did_not_sign_is_refused() {
    let (dir, ca) = published_with_ca(12);
    let d = dir.path();
    let other = Ca::new("another CA");
    let expired = |p: &mut CertificateParams| {
        p.not_before = rcgen::date_time_ymd(2000, 1, 1);
        p.not_after = rcgen::date_time_ymd(2001, 1, 1);
    };
    let not_ours =
        "TLS: the server's certificate is not trusted: it is not signed by the CA in ca.pem";
    let (with_ca, public): (&[&str], &[&str]) = (&["--ca-file", "ca.pem"], &[]);
    let cases = [
        ("signed by another CA", other.leaf(&["127.0.0.1"]), with_ca, not_ours),
        ("self-signed", self_signed(&["127.0.0.1"]), with_ca, not_ours),
        (
            "signed by the test CA, which the public roots do not hold",
            ca.leaf(&["127.0.0.1"]),
            public,
            "TLS: the server's certificate is not trusted: it is not signed by a public certificate authority (for a private CA, pass --ca-file)",
        ),
        (
            "for another host",
            ca.leaf(&["results.example"]),
            with_ca,
            "TLS: the server's certificate is not valid for this host name",
        ),
        (
            "expired",
            ca.leaf_with(&["127.0.0.1"], expired),
            with_ca,
            "TLS: the server's certificate has expired",
        ),
    ];
    for (case, identity, extra, told) in cases {
        let server = file_server(d.join("pub"), Some(identity));
        let url = format!("https://127.0.0.1:{}/site/", server.port);
        let mut args = vec!["verify", &url, "--key", "pub/log.pub"];
        args.extend_from_slice(extra);
        let o = run(d, &args);
        assert_eq!(
            o.status.code(),
            Some(5),
            "{case}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert_eq!(stdout(&o), "", "{case}");
        assert_eq!(
            stderr(&o),
            format!("error: cannot fetch {url}checkpoint: {told}\n"),
            "{case}"
        );
    }
}

/// `--cache`: the first run fetches every file and keeps the full tiles; a re-run fetches
/// only the checkpoint, the partial tiles and the contents, and checks that the log still holds
/// the checkpoint it verified; after the log grows past a tile's end, only the tiles completed
/// are fetched beside those; a corrupted cached tile is caught, fetched again and replaced.
#[test]
fn a_cache_fetches_only_what_changed_and_catches_a_corrupted_tile() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 766 entries: two entries short of a third full tile.
    published(d, 760);
    assert_eq!(checkpoint_size(&d.join("pub")), 766);
    let server = file_server(d.join("pub"), None);
    let url = format!("http://127.0.0.1:{}/site/", server.port);
    let verify = |cache: &[&str]| {
        let mut args = vec!["verify", &url, "--key", "pub/log.pub"];
        args.extend_from_slice(cache);
        let o = run(d, &args);
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).ends_with("\nVALID\n"), "{}", stdout(&o));
        (stdout(&o), stderr(&o), server.take_asked())
    };
    let cached = || verify(&["--cache", "c"]);
    let full = |paths: &BTreeSet<String>, want: bool| -> BTreeSet<String> {
        paths
            .iter()
            .filter(|p| (p.starts_with("tile/") && !p.contains(".p/")) == want)
            .cloned()
            .collect()
    };
    let (_, _, asked) = cached();
    let all = set(&asked);
    let mut published = published_files(&d.join("pub"));
    published.remove("log.pub");
    assert_eq!(all, published);
    assert_eq!(
        published_files(&d.join("c")),
        &full(&all, true) | &set(&["checkpoint".into()])
    );
    // A re-run: only what may have changed is fetched, each file once.
    let (out, err, asked) = cached();
    assert_eq!(set(&asked), full(&all, false));
    assert_eq!(asked.len(), full(&all, false).len(), "{asked:?}");
    assert!(
        out.contains("ok: consistent with the saved checkpoint of size 766\n"),
        "{out}"
    );
    assert!(
        err.contains("note: checking that the log still holds the checkpoint verified last time"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "; {} full tile(s) from the cache c\n",
            full(&all, true).len()
        )),
        "{err}"
    );
    // The log grows to 770 entries: the third entry bundle and level-0 tile are now full.
    grow(d);
    let (_, _, asked) = verify(&[]);
    let now = set(&asked);
    let (out, _, asked) = cached();
    assert!(
        out.contains("ok: consistent with the saved checkpoint of size 766\n"),
        "{out}"
    );
    let completed = &full(&now, true) - &full(&all, true);
    assert_eq!(
        completed,
        set(&["tile/0/002".into(), "tile/entries/002".into()])
    );
    assert_eq!(set(&asked), &completed | &full(&now, false));
    // A cached tile changed on disk: caught, everything fetched again, the tile replaced.
    let tile = d.join("c/tile/entries/000");
    let good = std::fs::read(&tile).unwrap();
    let mut bad = good.clone();
    let at = bad.windows(9).position(|w| w == b"\"votes\":[").unwrap() + 9;
    bad[at] = if bad[at] == b'9' { b'8' } else { b'9' };
    std::fs::write(&tile, &bad).unwrap();
    let (_, err, asked) = cached();
    assert!(
        err.contains(
            "note: with the tiles cached in c the log is rejected (tile rejected: tile/0/000: leaf "
        ),
        "{err}"
    );
    assert!(err.contains("; fetching every tile again\n"), "{err}");
    assert_eq!(set(&asked), now);
    assert_eq!(std::fs::read(&tile).unwrap(), good);
}

/// Adds a complaint to the store and publishes again to `pub` (the same key): the log grows.
fn grow(d: &Path) {
    for args in [
        &[
            "complain",
            "--db",
            "s.db",
            "--election",
            "kg",
            "--unit",
            "Region 01",
            "--by",
            "An observer",
            "--text",
            "Late opening",
        ][..],
        &[
            "publish", "--db", "s.db", "--out", "pub", "--key", "log.key",
        ],
    ] {
        let o = run(d, args);
        assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), stderr(&o));
    }
}

fn set(paths: &[String]) -> BTreeSet<String> {
    paths.iter().cloned().collect()
}

/// Every file under `root`, as a path relative to it with `/`.
fn published_files(root: &Path) -> BTreeSet<String> {
    crate::files_under(root)
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy();
            rel.replace('\\', "/")
        })
        .collect()
}

/// The size in the checkpoint of the published directory `root`.
fn checkpoint_size(root: &Path) -> u64 {
    let text = std::fs::read_to_string(root.join("checkpoint")).unwrap();
    text.lines().nth(1).unwrap().parse().unwrap()
}

/// `tallyproof serve --tls-cert --tls-key` serves HTTPS: the printed URL says https://, the
/// pages answer to a client that trusts the CA, and the login cookie is `Secure`.
#[test]
fn serve_answers_over_https() {
    let dir = crate::store_with("data/kg2020/stations_by_region_2413.csv");
    let d = dir.path();
    let ca = Ca::new("tallyproof test CA");
    let (cert, key) = ca.leaf(&["127.0.0.1"]);
    put(d, "cert.pem", &cert);
    put(d, "key.pem", &key);
    let server = crate::serve::serve(d, &["--tls-cert", "cert.pem", "--tls-key", "key.pem"]);
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let certs: Vec<_> = ureq::tls::parse_pem(ca.pem().as_bytes())
        .filter_map(|i| match i.unwrap() {
            ureq::tls::PemItem::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    let agent = ureq::Agent::config_builder()
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&certs))
                .build(),
        )
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut page = agent.get(&server.url).call().unwrap();
    assert_eq!(page.status(), 200);
    let html = page.body_mut().read_to_string().unwrap();
    assert!(html.contains("<html"), "{html}");
    // Plain HTTP to the TLS port gets no HTTP answer.
    let plain = crate::serve::request(&server.addr, "GET", "/", &[], b"");
    assert!(!matches!(plain, Ok((200, _))), "{plain:?}");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_tallyproof"))
        .args([
            "users", "add", "clerk", "--role", "operator", "--db", "s.db",
        ])
        .env("TALLYPROOF_PASSWORD", "password-1234")
        .current_dir(d)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let login = agent
        .post(&format!("{}api/login", server.url))
        .header("content-type", "application/json")
        .send(r#"{"name":"clerk","password":"password-1234"}"#)
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

/// What `serve` says when its certificate or key cannot be used.
#[test]
fn serve_refuses_a_certificate_or_key_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(d, &["gen", "--stations", "9", "-o", "g.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(d, &["import", "g.csv", "--db", "s.db"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ca = Ca::new("tallyproof test CA");
    let (cert, key) = ca.leaf(&["127.0.0.1"]);
    let (_, other_key) = ca.leaf(&["127.0.0.1"]);
    put(d, "cert.pem", &cert);
    put(d, "key.pem", &key);
    put(d, "other.pem", &other_key);
    put(d, "empty.pem", "");
    for (args, told) in [
        (
            &["--tls-cert", "cert.pem", "--tls-key", "other.pem"][..],
            "error: --tls-cert cert.pem --tls-key other.pem: the private key is not the certificate's key\n",
        ),
        (
            &["--tls-cert", "missing.pem", "--tls-key", "key.pem"],
            "error: cannot read the TLS certificate missing.pem: No such file or directory (os error 2)\n",
        ),
        (
            &["--tls-cert", "empty.pem", "--tls-key", "key.pem"],
            "error: --tls-cert empty.pem --tls-key key.pem: the certificate file holds no PEM certificate (-----BEGIN CERTIFICATE-----)\n",
        ),
        (
            &["--tls-cert", "cert.pem", "--tls-key", "cert.pem"],
            "error: --tls-cert cert.pem --tls-key cert.pem: the key file holds no PEM private key (-----BEGIN PRIVATE KEY-----)\n",
        ),
    ] {
        let mut all = vec!["serve", "--db", "s.db", "--addr", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let o = run(d, &all);
        assert_eq!(o.status.code(), Some(5), "{args:?}");
        assert_eq!(stdout(&o), "", "{args:?}");
        assert_eq!(stderr(&o), told, "{args:?}");
    }
    let o = run(d, &["serve", "--db", "s.db", "--tls-cert", "cert.pem"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--tls-key <FILE>"), "{}", stderr(&o));
}
