//! Reading and writing election results in the formats people already use.
//!
//! Importers: the Kyrgyz 2020 station files ([`Format::Kg2020`]), the Russian station files
//! scraped from izbirkom.ru ([`Format::Ru`], zipped or plain), and tallyproof's own CSV and
//! JSON formats ([`Format::Csv`], [`Format::Json`], specified in `docs/formats.md`).
//! Exporters: tallyproof CSV and JSON, and the NIST SP 1500-100 Election Results Common Data
//! Format (JSON, results subset) in [`cdf`]. An audit's files (Arlo's manifests, cast-vote
//! records, readings, hand counts) are read for the audit's steps in [`audit_files`].
//!
//! Importers stream: each station's protocol goes to a [`Sink`] as soon as its row is read,
//! so tabulating a national file needs memory for the unit tree only. **Architecture
//! invariant:** importers never panic, whatever the input. Every error names the file, line,
//! column and field. On an error the import has failed as a whole: the caller discards what
//! its sink received (the store does so by rolling back one transaction).
//!
//! This crate reads bytes and writes to `io::Write`; it never opens a file.

pub mod audit_files;
pub mod categories;
pub mod cdf;
mod cdfin;
pub mod contest;
mod csvin;
pub mod cvr;
mod error;
mod json;
mod kg2020;
mod layout;
pub mod manifest;
mod names;
mod records;
pub mod report;
mod ru;
mod tpcsv;

use std::io::BufRead;

use model::{CountSource, Diagnostic, Election, Protocol};

pub use error::{FormatError, Location, Warning};
pub use json::write_json;
pub use tpcsv::{write_csv, Columns, CsvWriter};

/// An input format.
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Kyrgyz 2020 station files (KloopMedia/ParliamentCalculatorV2).
    Kg2020,
    /// Russian station files (Shpilkin's izbirkom.ru scrape, dkobak/elections), zipped or plain.
    Ru,
    /// tallyproof station CSV.
    Csv,
    /// tallyproof election JSON.
    Json,
    /// NIST SP 1500-100 election results (CDF version 2, JSON), precinct level.
    Cdf,
}

impl Format {
    /// Every format.
    pub const ALL: &'static [Format] = <Format as strum::VariantArray>::VARIANTS;

    /// The format's name on the command line.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// Guesses the format from a file's name and first bytes: JSON by `{` (a NIST CDF
    /// election report when it names its `@type` early), a zip archive or
    /// a header with `Число ...` columns as Russian, a header with `form2_percent` as
    /// Kyrgyz 2020, anything else as tallyproof CSV.
    pub fn sniff(name: &str, bytes: &[u8]) -> Format {
        let head = &bytes[..bytes.len().min(8192)];
        let text = String::from_utf8_lossy(head);
        if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
        {
            if text.contains("\"ElectionResults.ElectionReport\"") {
                Format::Cdf
            } else {
                Format::Json
            }
        } else if bytes.starts_with(b"PK\x03\x04")
            || name.ends_with(".zip")
            || text.contains("Число")
        {
            Format::Ru
        } else if text.lines().next().is_some_and(|h| {
            // A column of its own: a tallyproof CSV keeps it as the attribute `attr:form2_percent`.
            h.split(',')
                .any(|f| f.trim().trim_matches('"') == "form2_percent")
        }) {
            Format::Kg2020
        } else {
            Format::Csv
        }
    }
}

/// Options of an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The election's name in the store.
    pub name: String,
    /// The name of the root unit (the country); each format has a default.
    pub country: Option<String>,
    /// The contest's name, where the file does not carry one.
    pub contest: Option<String>,
    /// Whether the counts are a machine or a manual count, where the file does not say.
    pub source: CountSource,
    /// The date of the vote (`YYYY-MM-DD`), over the format's or the file's.
    pub date: Option<String>,
    /// The law preset the election is held under (`seats::preset`), over the format's.
    pub law: Option<String>,
    /// The most bytes a zipped file may expand to ([`ZIP_LIMIT`] by default): a small
    /// archive that expands hugely (a zip bomb) is refused once this much has been unpacked.
    pub zip_limit: u64,
}

/// The default of [`ImportOptions::zip_limit`]: 256 MiB, eight times the largest zipped
/// official file here (Russia 2011, 33 MB unpacked); a plain file of any size is read as a
/// stream instead.
pub const ZIP_LIMIT: u64 = 256 << 20;

impl ImportOptions {
    /// Options with the given election name and the defaults.
    pub fn named(name: &str) -> ImportOptions {
        ImportOptions {
            name: name.to_string(),
            country: None,
            contest: None,
            source: CountSource::Manual,
            date: None,
            law: None,
            zip_limit: ZIP_LIMIT,
        }
    }
}

/// Refuses a date or a law given with the import that the election could not have
/// (`model::check_date`, `record::check_law`), before anything is read.
fn check_options(file: &str, options: &ImportOptions) -> Result<(), FormatError> {
    let given = |what: &str, e: &dyn std::fmt::Display| {
        FormatError::file(file, format!("{what}: {e} (given with the import)"))
    };
    if let Some(d) = &options.date {
        model::check_date(d).map_err(|e| given("date", &e))?;
    }
    if let Some(l) = &options.law {
        record::check_law(l).map_err(|e| given("law", &e))?;
    }
    Ok(())
}

/// Receives an import as it is read.
pub trait Sink {
    /// Called once the election's contests and rules are known, before any protocol.
    fn begin(&mut self, _election: &Election) -> Result<(), BoxError> {
        Ok(())
    }
    /// One station's protocol. Its station, and any new unit above it, is already in
    /// `election.units`. Borrowed: the importer reuses its memory for the next row.
    fn protocol(&mut self, election: &Election, protocol: &Protocol) -> Result<(), BoxError>;
    /// Called after the last row, with the complete unit tree.
    fn finish(&mut self, _election: &Election) -> Result<(), BoxError> {
        Ok(())
    }
    /// Progress: bytes of input consumed so far, of `total`.
    fn progress(&mut self, _done: u64, _total: u64) {}
}

/// A boxed error from a sink.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A sink that keeps every protocol in memory.
#[derive(Debug, Default)]
pub struct Collect(pub Vec<Protocol>);

impl Sink for Collect {
    fn protocol(&mut self, _: &Election, p: &Protocol) -> Result<(), BoxError> {
        self.0.push(p.clone());
        Ok(())
    }
}

/// What an import read.
#[derive(Debug)]
pub struct Imported {
    /// The election: contests, the complete unit tree and the control relations.
    pub election: Election,
    /// Station rows read.
    pub rows: u64,
    /// Protocols passed to the sink.
    pub protocols: u64,
    /// Stations listed without any count: they did not report.
    pub not_reported: u64,
    /// Odd values that did not stop the import.
    pub warnings: Vec<Warning>,
    /// Failed control relations, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Imports one file of the given format, held in memory, into `sink`. `file` names the input
/// in errors.
pub fn import(
    format: Format,
    file: &str,
    bytes: &[u8],
    options: &ImportOptions,
    sink: &mut dyn Sink,
) -> Result<Imported, FormatError> {
    import_reader(format, file, bytes, Some(bytes.len() as u64), options, sink)
}

/// Imports from a reader (a file, streamed: the CSV formats never hold the whole input in
/// memory). `size`, when known, drives progress reports and sizes the unit index.
pub fn import_reader<R: BufRead + Send>(
    format: Format,
    file: &str,
    mut input: R,
    size: Option<u64>,
    options: &ImportOptions,
    sink: &mut dyn Sink,
) -> Result<Imported, FormatError> {
    let read_all = |input: &mut R| -> Result<Vec<u8>, FormatError> {
        let mut v = Vec::with_capacity(size.unwrap_or(0).min(1 << 30) as usize);
        input
            .read_to_end(&mut v)
            .map_err(|e| FormatError::file(file, format!("cannot read: {e}")))?;
        Ok(v)
    };
    check_options(file, options)?;
    let head = input
        .fill_buf()
        .map_err(|e| FormatError::file(file, format!("cannot read: {e}")))?;
    // A local file header, or the end record alone (an empty archive).
    let zipped = head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06");
    if zipped && matches!(format, Format::Kg2020 | Format::Json | Format::Cdf) {
        return Err(FormatError::file(
            file,
            "a zip archive: only Russian and tallyproof CSV files are read zipped; unzip it and import the file inside",
        ));
    }
    let dialect: &dyn layout::Dialect = match format {
        Format::Json => return json::import(file, &read_all(&mut input)?, options, sink),
        Format::Cdf => return cdfin::import(file, &read_all(&mut input)?, options, sink),
        Format::Kg2020 => &kg2020::Kg2020,
        Format::Ru => &ru::Ru,
        Format::Csv => &tpcsv::TallyproofCsv,
    };
    if zipped {
        let data = read_all(&mut input)?;
        return csvin::import_zipped(file, &data, options.zip_limit, dialect, options, sink);
    }
    csvin::import(file, input, size, dialect, options, sink)
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn every_format_has_its_command_line_name() {
        let keys: Vec<&str> = Format::ALL.iter().map(|f| f.key()).collect();
        assert_eq!(keys, ["kg2020", "ru", "csv", "json", "cdf"]);
    }
}
