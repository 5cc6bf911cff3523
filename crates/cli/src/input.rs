//! Reading a results file from disk and choosing its format.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::ValueEnum;
use formats::{Format, ImportOptions};
use model::CountSource;

/// The input formats on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// Kyrgyz 2020 station files
    Kg2020,
    /// Russian station files (zipped or plain)
    Ru,
    /// tallyproof CSV
    Csv,
    /// tallyproof JSON
    Json,
    /// NIST SP 1500-100 election results (CDF v2 JSON), precinct level
    Cdf,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Kg2020 => Format::Kg2020,
            FormatArg::Ru => Format::Ru,
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Cdf => Format::Cdf,
        }
    }
}

/// `manual` or `machine`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SourceArg {
    /// The commission's manual count
    Manual,
    /// A ballot scanner's count
    Machine,
}

/// The options shared by every command that reads a results file.
#[derive(Debug, clap::Args)]
pub struct FileArgs {
    /// Input format (guessed from the file when omitted)
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Election name (default: the file name without extensions)
    #[arg(long)]
    pub name: Option<String>,
    /// Contest name, where the file does not carry one
    #[arg(long)]
    pub contest: Option<String>,
    /// Whether the counts are a manual or a machine count
    #[arg(long, value_enum, default_value = "manual")]
    pub source: SourceArg,
}

/// Where an input's bytes are.
pub enum Data {
    /// Compiled into the binary (the demo's files).
    Bytes(&'static [u8]),
    /// A file on disk, streamed, with its size.
    File(PathBuf, u64),
}

/// An input with its format and import options.
pub struct Input {
    pub display: String,
    pub data: Data,
    pub format: Format,
    pub options: ImportOptions,
}

impl Input {
    /// Imports the input into `sink`.
    pub fn import(&self, sink: &mut dyn formats::Sink) -> anyhow::Result<formats::Imported> {
        Ok(match &self.data {
            Data::Bytes(b) => formats::import(self.format, &self.display, b, &self.options, sink)?,
            Data::File(path, size) => {
                let f = std::fs::File::open(path)
                    .with_context(|| format!("cannot read {}", self.display))?;
                let reader = std::io::BufReader::with_capacity(1 << 20, f);
                formats::import_reader(
                    self.format,
                    &self.display,
                    reader,
                    Some(*size),
                    &self.options,
                    sink,
                )?
            }
        })
    }
}

/// The file's name without any extension: `2011.csv.zip` gives `2011`.
pub fn stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    name.split('.').next().unwrap_or_default().to_string()
}

/// Opens a results file: its format (guessed from its first 8 KiB unless given) and options.
pub fn read(path: &PathBuf, args: &FileArgs) -> anyhow::Result<Input> {
    let display = path.display().to_string();
    let mut f = std::fs::File::open(path).with_context(|| format!("cannot read {display}"))?;
    let size = f
        .metadata()
        .with_context(|| format!("cannot read {display}"))?
        .len();
    let mut head = Vec::with_capacity(8192);
    (&mut f)
        .take(8192)
        .read_to_end(&mut head)
        .with_context(|| format!("cannot read {display}"))?;
    let format = args
        .format
        .map_or_else(|| Format::sniff(&display, &head), Format::from);
    let mut options = ImportOptions::named(&args.name.clone().unwrap_or_else(|| {
        if format == Format::Json {
            String::new()
        } else {
            stem(path)
        }
    }));
    options.contest = args.contest.clone();
    options.source = match args.source {
        SourceArg::Manual => CountSource::Manual,
        SourceArg::Machine => CountSource::Machine,
    };
    Ok(Input {
        display,
        data: Data::File(path.clone(), size),
        format,
        options,
    })
}

/// A progress bar over bytes of input, drawn only on a terminal.
pub fn progress(label: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new(0);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})")
    {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(label.to_string());
    pb
}
