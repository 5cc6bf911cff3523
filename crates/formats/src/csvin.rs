//! The row loop shared by the CSV importers.

use std::io::{BufRead, Cursor, Read};

use model::names::shown;
use model::{Contest, CountSource, Election, Protocol, UnitId, UnitLevel};

use crate::layout::{CountSyntax, Dialect, Layout, Target, NEAR_INTEGER};
use crate::names::bad_name;
use crate::{FormatError, ImportOptions, Imported, Sink, Warning};

/// Unpacks a zip archive holding one CSV file, of at most `limit` bytes unpacked (whatever
/// size the archive declares for it).
pub(crate) fn unzip(file: &str, bytes: &[u8], limit: u64) -> Result<Vec<u8>, FormatError> {
    let bad = |e: &dyn std::fmt::Display| {
        FormatError::file(file, format!("not a readable zip archive: {e}"))
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let names: Vec<String> = zip
        .file_names()
        .filter(|n| !n.ends_with('/'))
        .map(str::to_string)
        .collect();
    let [name] = names.as_slice() else {
        return Err(FormatError::file(
            file,
            format!(
                "the zip archive must hold exactly one file, it holds {}",
                names.len()
            ),
        ));
    };
    let entry = zip.by_name(name).map_err(|e| bad(&e))?;
    if entry.enclosed_name().is_none() {
        return Err(FormatError::file(
            file,
            format!(
                "'{}' in the zip archive is not a plain file name (an absolute path, or one that climbs out with '..'): refused",
                shown(name)
            ),
        ));
    }
    let too_large = || {
        FormatError::file(
            file,
            format!("'{name}' in the zip archive expands to more than {limit} bytes: refused (unzip it and import the plain file, which is read as a stream)"),
        )
    };
    if entry.size() > limit {
        return Err(too_large());
    }
    let mut out = Vec::with_capacity(entry.size() as usize);
    entry
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| {
            FormatError::file(
                file,
                format!("cannot unpack '{name}' from the zip archive: {e}"),
            )
        })?;
    if out.len() as u64 > limit {
        return Err(too_large());
    }
    if out.starts_with(b"PK\x03\x04") {
        return Err(FormatError::file(
            file,
            format!("'{}' in the zip archive is itself a zip archive: unzip it and import the file inside", shown(name)),
        ));
    }
    Ok(out)
}

/// Imports a station CSV of the given dialect.
pub(crate) fn import<R: BufRead + Send>(
    file: &str,
    mut input: R,
    size: Option<u64>,
    dialect: &dyn Dialect,
    options: &ImportOptions,
    sink: &mut dyn Sink,
) -> Result<Imported, FormatError> {
    let io = |e: std::io::Error| FormatError::file(file, format!("cannot read: {e}"));
    let head = input.fill_buf().map_err(io)?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    let head = input.fill_buf().map_err(io)?;
    if head.len() < 4096 && head.iter().all(u8::is_ascii_whitespace) {
        return Err(FormatError::file(file, "the file is empty: no header line"));
    }
    let total = size.unwrap_or(0);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(input);
    let raw = reader
        .byte_headers()
        .map_err(|e| csv_error(file, &e))?
        .clone();
    let mut headers = Vec::with_capacity(raw.len());
    for (i, h) in raw.iter().enumerate() {
        let h = std::str::from_utf8(h).map_err(|_| not_utf8(file, 1, i))?;
        headers.push(h.trim().to_string());
    }
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            return Err(FormatError::at(
                file,
                Some(1),
                Some(i as u64 + 1),
                None,
                "empty column name",
            ));
        }
        if let Some(j) = headers[..i].iter().position(|g| g == h) {
            return Err(FormatError::at(
                file,
                Some(1),
                Some(i as u64 + 1),
                Some(h),
                format!(
                    "column name appears twice (columns {} and {})",
                    j + 1,
                    i + 1
                ),
            ));
        }
    }
    let layout = dialect.layout(file, &headers)?;
    for (what, name) in [("country", &options.country), ("contest", &options.contest)] {
        if let Some(message) = name.as_deref().and_then(|n| bad_name(what, n)) {
            return Err(FormatError::file(
                file,
                format!("{message} (given with the import)"),
            ));
        }
    }

    let mut election = Election::new(&options.name);
    election.units = model::UnitTree::new(options.country.as_deref().unwrap_or(layout.country));
    election.rules = layout.rules.clone();
    // What the import gives, over what every file of the format is (the Kyrgyz 2020 files).
    let (date, law) = layout.election.unzip();
    election.date = options.date.clone().or(date.map(str::to_string));
    election.law = options.law.clone().or(law.map(str::to_string));
    let mut rec = csv::ByteRecord::new();
    let have = reader
        .read_byte_record(&mut rec)
        .map_err(|e| csv_error(file, &e))?;
    if !have {
        return Err(FormatError::at(
            file,
            Some(2),
            None,
            None,
            "the file has a header but no station rows",
        ));
    }
    let contest_name = match layout
        .targets
        .iter()
        .position(|t| *t == Target::ContestName)
    {
        Some(i) => {
            let name = text(file, &rec, i, &headers)?;
            if let Some(message) = bad_name("contest", name) {
                let line = rec.position().map_or(0, |p| p.line());
                return Err(cell_error(file, &headers, line, i, message));
            }
            name.to_string()
        }
        None => options
            .contest
            .clone()
            .unwrap_or_else(|| layout.contest.to_string()),
    };
    election.contests.push(Contest::new(
        &contest_name,
        layout.contest_kind(),
        layout.choices.clone(),
    ));
    sink.begin(&election).map_err(|e| sink_error(file, 1, e))?;

    let parser = Parser {
        file,
        headers: &headers,
        layout: &layout,
        options,
    };
    let mut rows = Rows {
        file,
        headers: &headers,
        layout: &layout,
        units: units_by_level(&layout),
        cache: Default::default(),
        first_line: Vec::new(),
        imported: Imported {
            election,
            rows: 0,
            protocols: 0,
            not_reported: 0,
            warnings: Vec::new(),
            diagnostics: Vec::new(),
        },
    };
    if total > 0 {
        // Size the unit index for the whole file from the first row's length.
        let row_bytes = rec.as_slice().len() as u64 + rec.len() as u64;
        let estimate = total / row_bytes.max(1);
        rows.imported
            .election
            .units
            .reserve(estimate.min(1 << 26) as usize);
    }
    let first = parser.parse(&rec);
    rows.apply(&rec, first, sink)?;
    pipeline(&parser, reader, &mut rows, sink, total)?;
    sink.progress(total, total);
    let imported = rows.imported;
    sink.finish(&imported.election)
        .map_err(|e| sink_error(file, 0, e))?;
    Ok(imported)
}

/// Rows per message between the two stages.
const BATCH: usize = 2048;

/// One parsed row: the raw record (for the unit cells) and its protocol without a station;
/// or a row the reader could not split.
type Item = Result<(csv::ByteRecord, Result<Parsed, FormatError>), FormatError>;

/// Reads and parses rows on a second thread while this thread builds the unit tree, checks
/// control relations and feeds the sink, in file order: the result, and the first error
/// reported, are those of a sequential read.
fn pipeline<R: std::io::Read + Send>(
    parser: &Parser<'_>,
    mut reader: csv::Reader<R>,
    rows: &mut Rows<'_>,
    sink: &mut dyn Sink,
    total: u64,
) -> Result<(), FormatError> {
    let file = parser.file;
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<Item>, u64)>(2);
        // Records go back to the reading thread for reuse, so that neither thread keeps
        // asking the system for fresh memory.
        let (back_tx, back_rx) = std::sync::mpsc::sync_channel::<Vec<csv::ByteRecord>>(4);
        let mut size = (256, parser.headers.len());
        scope.spawn(move || {
            let mut pool: Vec<csv::ByteRecord> = Vec::new();
            loop {
                while let Ok(mut spare) = back_rx.try_recv() {
                    pool.append(&mut spare);
                }
                let mut batch = Vec::with_capacity(BATCH);
                let mut end = false;
                while batch.len() < BATCH {
                    let mut rec = pool
                        .pop()
                        .unwrap_or_else(|| csv::ByteRecord::with_capacity(size.0, size.1));
                    match reader.read_byte_record(&mut rec) {
                        Ok(true) => {
                            size = (rec.as_slice().len() + 16, rec.len());
                            let parsed = parser.parse(&rec);
                            let failed = parsed.is_err();
                            batch.push(Ok((rec, parsed)));
                            if failed {
                                end = true;
                                break;
                            }
                        }
                        Ok(false) => {
                            end = true;
                            break;
                        }
                        Err(e) => {
                            batch.push(Err(csv_error(file, &e)));
                            end = true;
                            break;
                        }
                    }
                }
                let pos = reader.position().byte();
                // A closed channel means the consumer stopped at an error: stop reading too.
                if tx.send((batch, pos)).is_err() || end {
                    return;
                }
            }
        });
        for (batch, pos) in rx {
            let mut spare = Vec::with_capacity(batch.len());
            for item in batch {
                let (rec, parsed) = item?;
                rows.apply(&rec, parsed, sink)?;
                spare.push(rec);
            }
            let _ = back_tx.try_send(spare);
            sink.progress(pos, total);
        }
        Ok(())
    })
}

fn units_by_level(layout: &Layout) -> Vec<(UnitLevel, usize)> {
    let mut v: Vec<(UnitLevel, usize)> = layout
        .targets
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match t {
            Target::Unit(l) => Some((*l, i)),
            _ => None,
        })
        .collect();
    v.sort();
    v
}

struct Rows<'a> {
    file: &'a str,
    headers: &'a [String],
    layout: &'a Layout,
    units: Vec<(UnitLevel, usize)>,
    /// The unit most recently found at each level, with its parent and its cell's bytes, to
    /// skip the tree's index while consecutive rows share a region or district.
    cache: [Option<(UnitId, Vec<u8>, UnitId)>; 5],
    /// The file line of each station, by unit id, to report duplicates.
    first_line: Vec<u64>,
    imported: Imported,
}

/// A row's counts and attributes, read without the unit tree.
struct Parsed {
    line: u64,
    /// `None` for a station that did not report.
    protocol: Option<Protocol>,
    warnings: Vec<Warning>,
}

/// The part of reading a row that needs no shared state, so it can run on another thread.
struct Parser<'a> {
    file: &'a str,
    headers: &'a [String],
    layout: &'a Layout,
    options: &'a ImportOptions,
}

impl Parser<'_> {
    fn parse(&self, rec: &csv::ByteRecord) -> Result<Parsed, FormatError> {
        let line = rec.position().map_or(0, |p| p.line());
        let mut parsed = Parsed {
            line,
            protocol: None,
            warnings: Vec::new(),
        };
        let reported = self.layout.targets.iter().enumerate().any(|(i, t)| {
            matches!(t, Target::Line(_) | Target::Choice(_) | Target::Extra(_))
                && !rec.get(i).unwrap_or_default().is_empty()
        });
        if !reported {
            return Ok(parsed);
        }
        let mut p = Protocol::new(UnitId(0), 0, self.layout.choices.len());
        p.source = self.options.source;
        for (i, t) in self.layout.targets.iter().enumerate() {
            let cell = rec.get(i).unwrap_or_default();
            match *t {
                Target::Line(l) => {
                    if !cell.is_empty() {
                        p.set_line(l, self.count(cell, line, i)?);
                    }
                }
                Target::Choice(c) => {
                    if cell.is_empty() {
                        return Err(self.err(
                            line,
                            i,
                            "empty vote count in a station that reported",
                        ));
                    }
                    p.votes[c] = self.count(cell, line, i)?;
                }
                Target::Extra(x) => {
                    if !cell.is_empty() {
                        let v = self.count(cell, line, i)?;
                        p.extra.push((self.layout.extra[x].clone(), v));
                    }
                }
                Target::Attribute { index, percent } => {
                    if !cell.is_empty() {
                        let v = self.attribute(cell, line, i, percent, &mut parsed.warnings)?;
                        p.attributes
                            .push((self.layout.attributes[index].clone(), v));
                    }
                }
                Target::Source => {
                    if !cell.is_empty() {
                        let s = text(self.file, rec, i, self.headers)?;
                        p.source = CountSource::from_key(s)
                            .map_err(|e| self.err(line, i, e.to_string()))?;
                    }
                }
                Target::Reference => {
                    if !cell.is_empty() {
                        let r = text(self.file, rec, i, self.headers)?;
                        if let Some(message) = bad_name("reference", r) {
                            return Err(self.err(line, i, message));
                        }
                        p.reference = Some(r.to_string());
                    }
                }
                Target::Unit(_) | Target::ContestName | Target::Ignore => {}
            }
        }
        parsed.protocol = Some(p);
        Ok(parsed)
    }

    fn count(&self, cell: &[u8], line: u64, col: usize) -> Result<u64, FormatError> {
        parse_count(cell, self.layout.counts).map_err(|m| self.err(line, col, m))
    }

    fn attribute(
        &self,
        cell: &[u8],
        line: u64,
        col: usize,
        percent: bool,
        warnings: &mut Vec<Warning>,
    ) -> Result<f64, FormatError> {
        let s = std::str::from_utf8(cell).map_err(|_| not_utf8(self.file, line, col))?;
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| self.err(line, col, format!("'{}' is not a decimal number", shown(s))))?;
        if percent && !(0.0..=100.0).contains(&v) {
            let why = if v.is_finite() {
                "outside 0..100"
            } else {
                "not finite"
            };
            warnings.push(Warning {
                at: crate::Location {
                    file: self.file.to_string(),
                    line: Some(line),
                    column: Some(col as u64 + 1),
                    field: Some(self.headers[col].clone()),
                },
                message: format!("percentage {s} is {why}; kept as given"),
            });
        }
        Ok(v)
    }

    fn err(&self, line: u64, col: usize, message: impl Into<String>) -> FormatError {
        cell_error(self.file, self.headers, line, col, message)
    }
}

impl Rows<'_> {
    /// Places a parsed row's station in the tree and passes its protocol on.
    fn apply(
        &mut self,
        rec: &csv::ByteRecord,
        parsed: Result<Parsed, FormatError>,
        sink: &mut dyn Sink,
    ) -> Result<(), FormatError> {
        let line = rec.position().map_or(0, |p| p.line());
        if parsed.is_err() && repeats(rec, self.headers) {
            return Err(FormatError::at(
                self.file,
                Some(line),
                None,
                None,
                "the header line appears again: two files joined into one? (import them one by one)",
            ));
        }
        self.imported.rows += 1;
        let station = self.station(rec, line)?;
        let parsed = parsed?;
        self.imported.warnings.extend(parsed.warnings);
        let Some(mut p) = parsed.protocol else {
            self.imported.not_reported += 1;
            return Ok(());
        };
        p.station = station;
        let e = &self.imported.election;
        self.imported.diagnostics.extend(e.rules.check(e, &p));
        self.imported.protocols += 1;
        sink.protocol(&self.imported.election, p)
            .map_err(|e| sink_error(self.file, parsed.line, e))
    }

    fn station(&mut self, rec: &csv::ByteRecord, line: u64) -> Result<UnitId, FormatError> {
        let name = if self.layout.station_from_row {
            self.imported.rows.to_string()
        } else {
            self.station_name(rec, line)?
        };
        let tree = &mut self.imported.election.units;
        let mut parent = tree.root();
        for &(level, col) in &self.units {
            if level == UnitLevel::Station {
                continue;
            }
            let raw = rec.get(col).unwrap_or_default();
            let slot = &mut self.cache[level as usize];
            if let Some((p, n, id)) = slot {
                if *p == parent && n.as_slice() == raw {
                    parent = *id;
                    continue;
                }
            }
            let name = text(self.file, rec, col, self.headers)?.trim();
            if name.is_empty() {
                continue;
            }
            if let Some(message) = bad_name(level.key(), name) {
                return Err(cell_error(self.file, self.headers, line, col, message));
            }
            let id = tree.get_or_insert(parent, level, name).map_err(|e| {
                FormatError::at(
                    self.file,
                    Some(line),
                    Some(col as u64 + 1),
                    Some(&self.headers[col]),
                    e.to_string(),
                )
            })?;
            *slot = Some((parent, raw.to_vec(), id));
            parent = id;
        }
        let id = match tree.insert(parent, UnitLevel::Station, &name) {
            Ok(id) => id,
            Err(e) => {
                let Some(dup) = tree.child(parent, &name) else {
                    return Err(FormatError::at(
                        self.file,
                        Some(line),
                        None,
                        None,
                        e.to_string(),
                    ));
                };
                let first = self.first_line.get(dup.index()).copied().unwrap_or(0);
                return Err(FormatError::at(
                    self.file,
                    Some(line),
                    None,
                    None,
                    format!(
                        "station '{}' appears twice under the same key (first at line {first})",
                        tree.path(dup)
                    ),
                ));
            }
        };
        if self.first_line.len() <= id.index() {
            self.first_line
                .resize(tree.len().max(self.first_line.len() * 2), 0);
        }
        self.first_line[id.index()] = line;
        Ok(id)
    }

    /// The station's name: its own cell, or where that is empty (a Russian remote e-voting
    /// row) the cell of [`Layout::empty_station_uses`]'s level, already checked as that
    /// level's name.
    fn station_name(&self, rec: &csv::ByteRecord, line: u64) -> Result<String, FormatError> {
        let column = |level: UnitLevel| {
            self.units
                .iter()
                .find(|(l, _)| *l == level)
                .map(|(_, c)| *c)
        };
        let own = column(UnitLevel::Station);
        let empty = || match own {
            Some(c) => self.err(line, c, "empty station name"),
            None => FormatError::at(self.file, Some(line), None, None, "empty station name"),
        };
        if let Some(c) = own {
            let name = text(self.file, rec, c, self.headers)?.trim();
            if !name.is_empty() {
                return match bad_name("station", name) {
                    Some(message) => Err(self.err(line, c, message)),
                    None => Ok(name.to_string()),
                };
            }
        }
        let Some(c) = self.layout.empty_station_uses.and_then(column) else {
            return Err(empty());
        };
        let name = text(self.file, rec, c, self.headers)?.trim();
        if name.is_empty() {
            return Err(empty());
        }
        Ok(name.to_string())
    }

    fn err(&self, line: u64, col: usize, message: impl Into<String>) -> FormatError {
        cell_error(self.file, self.headers, line, col, message)
    }
}

/// Whether a row repeats the header (its first cell may carry a byte-order mark: a second
/// file pasted after the first).
fn repeats(rec: &csv::ByteRecord, headers: &[String]) -> bool {
    rec.len() == headers.len()
        && rec.iter().zip(headers).enumerate().all(|(i, (cell, h))| {
            let cell = if i == 0 {
                cell.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(cell)
            } else {
                cell
            };
            cell.trim_ascii() == h.as_bytes()
        })
}

/// An error about one cell, named by line, column and header.
fn cell_error(
    file: &str,
    headers: &[String],
    line: u64,
    col: usize,
    message: impl Into<String>,
) -> FormatError {
    FormatError::at(
        file,
        Some(line),
        Some(col as u64 + 1),
        Some(&headers[col]),
        message,
    )
}

/// Parses a count cell: digits, white space around them allowed; in a Kyrgyz file, a float
/// within [`NEAR_INTEGER`] of a whole number.
pub(crate) fn parse_count(cell: &[u8], syntax: CountSyntax) -> Result<u64, String> {
    if let Some(v) = parse_digits(cell) {
        return Ok(v);
    }
    let s = String::from_utf8_lossy(cell);
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u64>().map_err(|_| {
            format!(
                "count {} is too large (the largest is {})",
                shown(s),
                u64::MAX
            )
        });
    }
    if syntax == CountSyntax::NearInteger {
        if let Some(f) = s.parse::<f64>().ok().filter(|f| f.is_finite()) {
            let r = f.round();
            if (f - r).abs() <= NEAR_INTEGER && (0.0..9.0e15).contains(&r) {
                return Ok(r as u64);
            }
            if r < 0.0 {
                return Err(format!("negative count {s}"));
            }
            if r >= 9.0e15 {
                return Err(format!(
                    "count {s} is too large for a decimal count (at most 9e15)"
                ));
            }
            return Err(format!(
                "count {s} is not within {NEAR_INTEGER:e} of a whole number"
            ));
        }
    }
    if s.starts_with('-') && s[1..].bytes().all(|b| b.is_ascii_digit()) && s.len() > 1 {
        return Err(format!("negative count {s}"));
    }
    if s.contains('.') && !s.contains(['e', 'E']) && s.parse::<f64>().is_ok() {
        return Err(format!("count {s} is not a whole number"));
    }
    Err(format!(
        "'{}' is not a count: a count is written in digits only (no sign, exponent or thousands separator)",
        shown(s)
    ))
}

fn parse_digits(cell: &[u8]) -> Option<u64> {
    if cell.is_empty() || cell.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in cell {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as u64;
    }
    Some(v)
}

fn text<'r>(
    file: &str,
    rec: &'r csv::ByteRecord,
    col: usize,
    headers: &[String],
) -> Result<&'r str, FormatError> {
    let line = rec.position().map_or(0, |p| p.line());
    let _ = headers;
    std::str::from_utf8(rec.get(col).unwrap_or_default()).map_err(|_| not_utf8(file, line, col))
}

fn not_utf8(file: &str, line: u64, col: usize) -> FormatError {
    FormatError::at(
        file,
        Some(line),
        Some(col as u64 + 1),
        None,
        "not valid UTF-8 (is the file in another encoding, such as Windows-1251? convert it to UTF-8)",
    )
}

fn csv_error(file: &str, e: &csv::Error) -> FormatError {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => FormatError::at(
            file,
            pos.as_ref().map(|p| p.line()),
            None,
            None,
            format!("the row has {len} fields, the header has {expected_len} (is the file truncated, or a delimiter missing?)"),
        ),
        csv::ErrorKind::Utf8 { pos, err } => FormatError::at(
            file,
            pos.as_ref().map(|p| p.line()),
            Some(err.field() as u64 + 1),
            None,
            "not valid UTF-8",
        ),
        _ => FormatError::file(file, format!("cannot read CSV: {e}")),
    }
}

fn sink_error(file: &str, line: u64, e: crate::BoxError) -> FormatError {
    FormatError::Sink {
        at: crate::Location {
            file: file.to_string(),
            line: (line > 0).then_some(line),
            column: None,
            field: None,
        },
        error: e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        use CountSyntax::*;
        assert_eq!(parse_count(b"83", Integer), Ok(83));
        assert_eq!(parse_count(b"83.00000000000001", NearInteger), Ok(83));
        assert_eq!(parse_count(b"74.99999999999999", NearInteger), Ok(75));
        assert_eq!(parse_count(b"-0.0", NearInteger), Ok(0));
        assert_eq!(
            parse_count(b"12.5", NearInteger),
            Err("count 12.5 is not within 1e-6 of a whole number".into())
        );
        assert_eq!(
            parse_count(b"-3.0", NearInteger),
            Err("negative count -3.0".into())
        );
        assert_eq!(
            parse_count(b"inf", NearInteger),
            Err("'inf' is not a count: a count is written in digits only (no sign, exponent or thousands separator)".into())
        );
        assert_eq!(
            parse_count(b"1e19", NearInteger),
            Err("count 1e19 is too large for a decimal count (at most 9e15)".into())
        );
        assert_eq!(parse_count(b" 12 ", Integer), Ok(12));
        assert_eq!(parse_count(b"18446744073709551615", Integer), Ok(u64::MAX));
        assert_eq!(parse_count(b"000000000000000000000007", Integer), Ok(7));
        assert_eq!(
            parse_count(b"12.0", Integer),
            Err("count 12.0 is not a whole number".into())
        );
        assert_eq!(parse_count(b"-5", Integer), Err("negative count -5".into()));
        assert_eq!(
            parse_count(b"abc", Integer),
            Err("'abc' is not a count: a count is written in digits only (no sign, exponent or thousands separator)".into())
        );
        assert_eq!(
            parse_count(b"18446744073709551616", Integer),
            Err(
                "count 18446744073709551616 is too large (the largest is 18446744073709551615)"
                    .into()
            )
        );
    }
}
