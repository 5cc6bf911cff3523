//! `tallyproof verify DIR`: checks a published log from its files alone: the checkpoint's
//! signature (and witness cosignatures), every tile and entry, consistency with a checkpoint
//! saved earlier, and a replay that recomputes every publication.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
pub use published::Verdict;
use translog::note::NoteVerifier;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The published directory (checkpoint, tile/...), or its loopback URL http://127.0.0.1:PORT/PREFIX
    pub dir: PathBuf,
    /// The log's verifier key (text, or a file holding it); default DIR/log.pub, which only
    /// proves self-consistency: get the key from a trusted channel
    #[arg(long)]
    pub key: Option<String>,
    /// A checkpoint saved earlier (a file): the log must still contain it
    #[arg(long)]
    pub saved: Option<PathBuf>,
    /// A witness's verifier key (text or file), repeatable
    #[arg(long)]
    pub witness: Vec<String>,
    /// How many of the witnesses must have cosigned
    #[arg(long, default_value_t = 0)]
    pub quorum: usize,
}

pub fn key_text(arg: &str) -> anyhow::Result<String> {
    let p = Path::new(arg);
    Ok(if p.exists() {
        std::fs::read_to_string(p)
            .with_context(|| format!("cannot read {arg}"))?
            .trim()
            .to_string()
    } else {
        arg.to_string()
    })
}

/// Verifies a published directory.
pub fn verify_dir(
    dir: &Path,
    key: &NoteVerifier,
    saved: Option<&str>,
    witnesses: &[NoteVerifier],
    quorum: usize,
) -> anyhow::Result<Verdict> {
    let fetch = |p: &str| std::fs::read(dir.join(p)).ok();
    Ok(published::verify(
        &fetch,
        &dir.display().to_string(),
        key,
        saved,
        witnesses,
        quorum,
    )?)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let log_key = match &args.key {
        Some(k) => key_text(k)?,
        None => {
            eprintln!("note: using {}/log.pub; this only shows the directory agrees with itself. Pass --key with the log key from a trusted channel.", args.dir.display());
            std::fs::read_to_string(args.dir.join("log.pub"))
                .context("cannot read log.pub: pass --key")?
                .trim()
                .to_string()
        }
    };
    let key = NoteVerifier::parse(&log_key)?;
    let witnesses = args
        .witness
        .iter()
        .map(|w| Ok(NoteVerifier::parse(&key_text(w)?)?))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let saved = args
        .saved
        .as_ref()
        .map(|p| std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display())))
        .transpose()?;
    let target = args.dir.display().to_string();
    let verdict = if let Some(url) = target.strip_prefix("http://") {
        let (host, prefix) = url.split_once('/').unwrap_or((url, ""));
        let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if !(name == "localhost" || name.starts_with("127.") || name == "[::1]") {
            anyhow::bail!("only loopback URLs are fetched here (http://127.0.0.1:PORT/...); download the directory for others");
        }
        let prefix = prefix.trim_end_matches('/').to_string();
        let host = host.to_string();
        let fetch = move |p: &str| {
            let path = if prefix.is_empty() {
                format!("/{p}")
            } else {
                format!("/{prefix}/{p}")
            };
            // A response that is not HTTP as it should be is told, then is a failed read.
            http_get(&host, &path).unwrap_or_else(|why| {
                eprintln!("error: http://{host}{path}: {why}");
                None
            })
        };
        published::verify(
            &fetch,
            &target,
            &key,
            saved.as_deref(),
            &witnesses,
            args.quorum,
        )?
    } else {
        verify_dir(&args.dir, &key, saved.as_deref(), &witnesses, args.quorum)?
    };
    match verdict {
        Verdict::Valid(lines) => {
            for l in lines {
                println!("ok: {l}");
            }
            println!("VALID");
            Ok(ExitCode::SUCCESS)
        }
        Verdict::Rejected(why) => {
            println!("REJECTED: {why}");
            Ok(ExitCode::from(1))
        }
    }
}

/// A minimal HTTP/1.1 GET (no TLS, no redirects): the body on 200, `None` when the server
/// cannot be reached or answers otherwise, an error when its chunked body is malformed.
fn http_get(host: &str, path: &str) -> Result<Option<Vec<u8>>, String> {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(host) else {
        return Ok(None);
    };
    let mut raw = Vec::new();
    let sent = stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .and_then(|()| {
            write!(
                stream,
                "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
            )
        })
        .and_then(|()| stream.read_to_end(&mut raw));
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    if sent.is_err() || head.split_whitespace().nth(1) != Some("200") {
        return Ok(None);
    }
    let body = &raw[split + 4..];
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return Ok(Some(body.to_vec()));
    }
    let truncated = || "the chunked body ends inside a chunk".to_string();
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let nl = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(truncated)?;
        let size = chunk_size(&rest[..nl])?;
        if size == 0 {
            return Ok(Some(out));
        }
        // A chunk size from the response: added with a check (2^64 - 1 overflowed).
        let start = nl + 2;
        let end = start.checked_add(size).ok_or_else(truncated)?;
        out.extend_from_slice(rest.get(start..end).ok_or_else(truncated)?);
        rest = end
            .checked_add(2)
            .and_then(|e| rest.get(e..))
            .ok_or_else(truncated)?;
    }
}

/// A chunk-size line of a chunked body (RFC 9112, section 7.1): hexadecimal digits only,
/// then any chunk extensions after `;`. (`usize::from_str_radix` alone also took `+a`.)
fn chunk_size(line: &[u8]) -> Result<usize, String> {
    let text = String::from_utf8_lossy(line);
    let digits = text.split(';').next().unwrap_or("").trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "the chunk size '{}' is not a hexadecimal number",
            text.trim()
        ));
    }
    usize::from_str_radix(digits, 16).map_err(|_| {
        format!(
            "the chunk size '{digits}' does not fit in {} bits",
            usize::BITS
        )
    })
}
