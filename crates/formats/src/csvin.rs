//! The row loop shared by the CSV importers.

use std::io::{BufRead, Cursor, Read};

use crate::records::{Chunk, Record, Records, Splitter};

use model::names::shown;
use model::{Contest, CountSource, Election, Protocol, UnitId, UnitLevel};

use crate::layout::{CountSyntax, Dialect, Layout, Target, NEAR_INTEGER};
use crate::names::bad_name;
use crate::{FormatError, ImportOptions, Imported, Sink, Warning};

/// Imports the one CSV file a zip archive holds, of at most `limit` bytes unpacked (whatever
/// size the archive declares for it). The file is unpacked as it is read, on the thread that
/// reads the chunks, so unpacking runs alongside the parsing of the chunks before.
pub(crate) fn import_zipped(
    file: &str,
    bytes: &[u8],
    limit: u64,
    dialect: &dyn Dialect,
    options: &ImportOptions,
    sink: &mut dyn Sink,
) -> Result<Imported, FormatError> {
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
    let too_large = format!("'{name}' in the zip archive expands to more than {limit} bytes: refused (unzip it and import the plain file, which is read as a stream)");
    if entry.size() > limit {
        return Err(FormatError::file(file, too_large));
    }
    let size = entry.size();
    let mut unpacked = Limited {
        inner: entry,
        left: limit,
        refusal: too_large,
    };
    // The first bytes read whole, so that the checks of a file's start see them all.
    let mut first = Vec::new();
    (&mut unpacked)
        .take(FIRST_CHUNK as u64)
        .read_to_end(&mut first)
        .map_err(|e| {
            read_failure(
                file,
                &format!("cannot unpack '{name}' from the zip archive"),
                e,
            )
        })?;
    if first.starts_with(b"PK\x03\x04") {
        return Err(FormatError::file(
            file,
            format!("'{}' in the zip archive is itself a zip archive: unzip it and import the file inside", shown(name)),
        ));
    }
    let input = std::io::BufReader::with_capacity(FIRST_CHUNK, Cursor::new(first).chain(unpacked));
    import(file, input, Some(size), dialect, options, sink)
}

/// A reader that refuses to give more than `left` bytes: past them it fails with
/// [`Refused`], whose message the import reports as it is.
struct Limited<R> {
    inner: R,
    left: u64,
    refusal: String,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        match self.left.checked_sub(n as u64) {
            Some(left) => {
                self.left = left;
                Ok(n)
            }
            None => Err(std::io::Error::other(Refused(self.refusal.clone()))),
        }
    }
}

/// A read refused by the input itself (a zip entry past its limit), with the message to report.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// A failed read: a read the input refused, as it says, and any other as `what` and the error.
fn read_failure(file: &str, what: &str, e: std::io::Error) -> FormatError {
    match e.get_ref().and_then(|x| x.downcast_ref::<Refused>()) {
        Some(Refused(message)) => FormatError::file(file, message.clone()),
        None => FormatError::file(file, format!("{what}: {e}")),
    }
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
    let io = |e: std::io::Error| read_failure(file, "cannot read", e);
    let head = input.fill_buf().map_err(io)?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    let head = input.fill_buf().map_err(io)?;
    if head.len() < 4096 && head.iter().all(u8::is_ascii_whitespace) {
        return Err(FormatError::file(file, "the file is empty: no header line"));
    }
    let total = size.unwrap_or(0);
    let mut splitter = Splitter::new(input);
    let read_error = |e: std::io::Error| read_failure(file, "cannot read CSV", e);
    // The first chunk holds the header and the first row, unless the file ends first.
    let first = splitter
        .next(Vec::new(), FIRST_CHUNK, 2)
        .map_err(read_error)?
        .unwrap_or_default();
    let mut records = Records::default();
    records.split(&first.data, first.line, first.last);
    if records.len() == 0 {
        return Err(FormatError::file(file, "the file is empty: no header line"));
    }
    let raw = records.get(&first.data, 0);
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
    if records.len() < 2 {
        return Err(FormatError::at(
            file,
            Some(2),
            None,
            None,
            "the file has a header but no station rows",
        ));
    }
    let parser = Parser {
        file,
        headers: &headers,
        layout: &layout,
        options,
    };
    let rec = records.get(&first.data, 1);
    parser.fields(&rec)?;
    let contest_name = match layout
        .targets
        .iter()
        .position(|t| *t == Target::ContestName)
    {
        Some(i) => {
            let name = text(file, &rec, i)?;
            if let Some(message) = bad_name("contest", name) {
                return Err(cell_error(file, &headers, rec.line(), i, message));
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

    let mut rows = Rows {
        file,
        headers: &headers,
        layout: &layout,
        units: units_by_level(&layout),
        cache: Default::default(),
        first_line: Vec::new(),
        protocol: Protocol::new(UnitId(0), 0, 0),
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
        let estimate = total / (rec.size() as u64).max(1);
        let estimate = estimate.min(1 << 26) as usize;
        rows.imported.election.units.reserve(estimate);
        rows.first_line.reserve(estimate);
    }
    let mut work = Work {
        records,
        ..Work::default()
    };
    let error = parser.parse_chunk(&first, &mut work, 1);
    rows.merge(&first, work, error, sink)?;
    sink.progress(first.end, total);
    if !first.last {
        pipeline(&parser, splitter, &mut rows, sink, total)?;
    }
    sink.progress(total, total);
    let imported = rows.imported;
    sink.finish(&imported.election)
        .map_err(|e| sink_error(file, 0, e))?;
    Ok(imported)
}

/// The first chunk's size: enough for the header and the first rows.
const FIRST_CHUNK: usize = 64 << 10;
/// Every other chunk's size.
const CHUNK: usize = 128 << 10;

/// A chunk's records and parsed rows, and the memory to reuse for the next.
#[derive(Default)]
struct Work {
    records: Records,
    /// The first record parsed (after the header, in the first chunk).
    from: usize,
    /// Row by row from `from`: what it holds, or why it cannot be read.
    parsed: Vec<Result<Parsed, Box<FormatError>>>,
    /// The lines of every protocol, one after the other.
    lines: Vec<Option<u64>>,
    /// The votes of every protocol, one after the other.
    votes: Vec<u64>,
    /// A protocol while it is read.
    scratch: Option<Protocol>,
}

/// A chunk split and parsed on a worker, to be merged in file order.
struct Done {
    index: usize,
    chunk: Chunk,
    work: Work,
    /// A row that cannot be split (after the parsed ones), or the file that cannot be read.
    error: Option<FormatError>,
}

/// Splits and parses chunks on every core while this thread builds the unit tree, checks
/// control relations and feeds the sink, in file order: the result, and the first error
/// reported, are those of a sequential read.
fn pipeline<R: std::io::Read + Send>(
    parser: &Parser<'_>,
    splitter: Splitter<R>,
    rows: &mut Rows<'_>,
    sink: &mut dyn Sink,
    total: u64,
) -> Result<(), FormatError> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    // Chunks between being read and being merged: each holds its memory until merged.
    let slots = 2 * workers + 1;
    let source = std::sync::Mutex::new((splitter, 0usize, false));
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Done>(slots);
        let (free_tx, free_rx) = std::sync::mpsc::sync_channel::<(Vec<u8>, Work)>(slots);
        for _ in 0..slots {
            let _ = free_tx.send(Default::default());
        }
        // Shared by the workers, and dropped with them when the merge stops early.
        let free_rx = std::sync::Arc::new(std::sync::Mutex::new(free_rx));
        let source = &source;
        for _ in 0..workers {
            let (done_tx, free_rx) = (done_tx.clone(), free_rx.clone());
            scope.spawn(move || loop {
                let free = free_rx.lock().ok().and_then(|r| r.recv().ok());
                let Some((buffer, mut work)) = free else {
                    return;
                };
                let (index, next) = {
                    let Ok(mut source) = source.lock() else {
                        return;
                    };
                    let (splitter, index, stopped) = &mut *source;
                    if *stopped {
                        return;
                    }
                    let next = splitter.next(buffer, CHUNK, 0);
                    *stopped = !matches!(next, Ok(Some(ref c)) if !c.last);
                    *index += 1;
                    (*index - 1, next)
                };
                let (chunk, error) = match next {
                    Ok(Some(chunk)) => {
                        let error = parser.parse_chunk(&chunk, &mut work, 0);
                        (chunk, error)
                    }
                    Ok(None) => (Chunk::default(), None),
                    Err(e) => (
                        Chunk::default(),
                        Some(read_failure(parser.file, "cannot read CSV", e)),
                    ),
                };
                // A closed channel means the merge stopped at an error: stop too.
                if done_tx
                    .send(Done {
                        index,
                        chunk,
                        work,
                        error,
                    })
                    .is_err()
                {
                    return;
                }
            });
        }
        drop(done_tx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        for done in done_rx {
            waiting.insert(done.index, done);
            while let Some(done) = waiting.remove(&next) {
                next += 1;
                let Done {
                    chunk, work, error, ..
                } = done;
                let end = chunk.end;
                let work = rows.merge(&chunk, work, error, sink)?;
                let _ = free_tx.try_send((chunk.data, work));
                if end > 0 {
                    sink.progress(end, total);
                }
            }
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
    /// The row being passed to the sink: its memory serves every row.
    protocol: Protocol,
    imported: Imported,
}

/// A row read without the unit tree. Its protocol's lines and votes are in its chunk's
/// columns ([`Work::lines`], [`Work::votes`]): a small value to pass between threads, and
/// memory allocated on the thread that keeps it.
struct Parsed {
    line: u64,
    /// Where its protocol is in the chunk's columns; `None` for a station that did not
    /// report.
    at: Option<usize>,
    source: CountSource,
    /// Whether every control relation holds on the protocol (or does not apply).
    quiet: bool,
    /// What few rows have.
    rest: Option<Box<Rest>>,
}

/// The parts of a row that few have: extra lines, attributes, a reference, and warnings.
#[derive(Default)]
struct Rest {
    extra: Vec<(String, u64)>,
    attributes: Vec<(String, f64)>,
    reference: Option<String>,
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
    /// Splits a chunk (unless `from` > 0: the first chunk, already split, whose records
    /// before `from` are the header) and parses its rows, up to the first that cannot be
    /// read; a row that cannot be split ends the parsed ones and is returned.
    fn parse_chunk(&self, chunk: &Chunk, work: &mut Work, from: usize) -> Option<FormatError> {
        if from == 0 {
            work.records.clear();
            work.records.split(&chunk.data, chunk.line, chunk.last);
        }
        work.from = from;
        work.parsed.clear();
        work.lines.clear();
        work.votes.clear();
        let mut p = work
            .scratch
            .take()
            .unwrap_or_else(|| Protocol::new(UnitId(0), 0, 0));
        let mut warnings = Vec::new();
        let mut reported = 0;
        for i in from..work.records.len() {
            let rec = work.records.get(&chunk.data, i);
            if let Err(e) = self.fields(&rec) {
                return Some(e);
            }
            match self.parse(&rec, &mut p, &mut warnings) {
                Err(e) => {
                    work.parsed.push(Err(Box::new(e)));
                    break;
                }
                Ok(has) => {
                    let at = has.then(|| {
                        work.lines.extend_from_slice(&p.lines);
                        work.votes.extend_from_slice(&p.votes);
                        reported += 1;
                        reported - 1
                    });
                    let few = !p.extra.is_empty()
                        || !p.attributes.is_empty()
                        || p.reference.is_some()
                        || !warnings.is_empty();
                    let rest = few.then(|| {
                        Box::new(Rest {
                            extra: std::mem::take(&mut p.extra),
                            attributes: std::mem::take(&mut p.attributes),
                            reference: p.reference.take(),
                            warnings: std::mem::take(&mut warnings),
                        })
                    });
                    work.parsed.push(Ok(Parsed {
                        line: rec.line(),
                        at,
                        source: p.source,
                        quiet: !has || self.layout.rules.all_hold(&p),
                        rest,
                    }));
                }
            }
        }
        work.scratch = Some(p);
        None
    }

    /// Checks that a row has as many fields as the header.
    fn fields(&self, rec: &Record<'_>) -> Result<(), FormatError> {
        if rec.len() == self.headers.len() {
            return Ok(());
        }
        Err(FormatError::at(
            self.file,
            Some(rec.line()),
            None,
            None,
            format!(
                "the row has {} fields, the header has {} (is the file truncated, or a delimiter missing?)",
                rec.len(),
                self.headers.len()
            ),
        ))
    }

    /// Reads a row's protocol, its votes in `votes` (memory to reuse).
    /// Reads a row's protocol into `p` (without a station), its warnings into `warnings`;
    /// whether the station reported.
    fn parse(
        &self,
        rec: &Record<'_>,
        p: &mut Protocol,
        warnings: &mut Vec<Warning>,
    ) -> Result<bool, FormatError> {
        let line = rec.line();
        let reported = self.layout.targets.iter().enumerate().any(|(i, t)| {
            matches!(t, Target::Line(_) | Target::Choice(_) | Target::Extra(_))
                && !rec.get(i).unwrap_or_default().is_empty()
        });
        if !reported {
            return Ok(false);
        }
        p.lines = [None; model::Line::COUNT];
        p.votes.clear();
        p.votes.resize(self.layout.choices.len(), 0);
        p.extra.clear();
        p.attributes.clear();
        p.reference = None;
        p.source = self.options.source;
        for (i, t) in self.layout.targets.iter().enumerate() {
            let cell = rec.get(i).unwrap_or_default();
            match *t {
                Target::Line(l) => {
                    if !cell.is_empty() {
                        p.set_line(l, self.count_at(rec, i, cell)?);
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
                    p.votes[c] = self.count_at(rec, i, cell)?;
                }
                Target::Extra(x) => {
                    if !cell.is_empty() {
                        let v = self.count_at(rec, i, cell)?;
                        p.extra.push((self.layout.extra[x].clone(), v));
                    }
                }
                Target::Attribute { index, percent } => {
                    if !cell.is_empty() {
                        let v = self.attribute(cell, line, i, percent, warnings)?;
                        p.attributes
                            .push((self.layout.attributes[index].clone(), v));
                    }
                }
                Target::Source => {
                    if !cell.is_empty() {
                        let s = text(self.file, rec, i)?;
                        p.source = CountSource::from_key(s)
                            .map_err(|e| self.err(line, i, e.to_string()))?;
                    }
                }
                Target::Reference => {
                    if !cell.is_empty() {
                        let r = text(self.file, rec, i)?;
                        if let Some(message) = bad_name("reference", r) {
                            return Err(self.err(line, i, message));
                        }
                        p.reference = Some(r.to_string());
                    }
                }
                Target::Unit(_) | Target::ContestName | Target::Ignore => {}
            }
        }
        Ok(true)
    }

    /// Cell `i` of a record as a count: up to eight digits read as one word (nearly every
    /// cell), any other cell as [`Parser::count`] reads it.
    #[inline(always)]
    fn count_at(&self, rec: &Record<'_>, i: usize, cell: &[u8]) -> Result<u64, FormatError> {
        match rec.digits(i) {
            Some(v) => Ok(v),
            None => self.count(cell, rec.line(), i),
        }
    }

    /// A count cell's value, or what is wrong with it ([`parse_count`]).
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
    /// Applies a chunk's parsed rows in order, then its error if it has one; gives back the
    /// chunk's memory for the next.
    fn merge(
        &mut self,
        chunk: &Chunk,
        mut work: Work,
        error: Option<FormatError>,
        sink: &mut dyn Sink,
    ) -> Result<Work, FormatError> {
        for (i, parsed) in work.parsed.drain(..).enumerate() {
            let rec = work.records.get(&chunk.data, work.from + i);
            self.apply(&rec, parsed, (&work.lines, &work.votes), sink)?;
        }
        match error {
            Some(e) => Err(e),
            None => Ok(work),
        }
    }

    /// Places a parsed row's station in the tree and passes its protocol on.
    fn apply(
        &mut self,
        rec: &Record<'_>,
        parsed: Result<Parsed, Box<FormatError>>,
        (lines, votes): (&[Option<u64>], &[u64]),
        sink: &mut dyn Sink,
    ) -> Result<(), FormatError> {
        let line = rec.line();
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
        let parsed = parsed.map_err(|e| *e)?;
        let p = &mut self.protocol;
        match parsed.rest {
            Some(rest) => {
                let mut rest = *rest;
                self.imported.warnings.append(&mut rest.warnings);
                (p.extra, p.attributes, p.reference) =
                    (rest.extra, rest.attributes, rest.reference);
            }
            None => {
                p.extra.clear();
                p.attributes.clear();
                p.reference = None;
            }
        }
        let Some(at) = parsed.at else {
            self.imported.not_reported += 1;
            return Ok(());
        };
        p.station = station;
        p.lines
            .copy_from_slice(&lines[at * model::Line::COUNT..(at + 1) * model::Line::COUNT]);
        let choices = self.layout.choices.len();
        p.votes.clear();
        p.votes
            .extend_from_slice(&votes[at * choices..(at + 1) * choices]);
        p.source = parsed.source;
        if !parsed.quiet {
            let e = &self.imported.election;
            self.imported.diagnostics.extend(e.rules.check(e, p));
        }
        self.imported.protocols += 1;
        sink.protocol(&self.imported.election, p)
            .map_err(|e| sink_error(self.file, parsed.line, e))
    }

    fn station(&mut self, rec: &Record<'_>, line: u64) -> Result<UnitId, FormatError> {
        let name = if self.layout.station_from_row {
            std::borrow::Cow::Owned(self.imported.rows.to_string())
        } else {
            std::borrow::Cow::Borrowed(self.station_name(rec, line)?)
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
            let name = text(self.file, rec, col)?.trim();
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
    fn station_name<'r>(&self, rec: &Record<'r>, line: u64) -> Result<&'r str, FormatError> {
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
            let name = text(self.file, rec, c)?.trim();
            if !name.is_empty() {
                return match bad_name("station", name) {
                    Some(message) => Err(self.err(line, c, message)),
                    None => Ok(name),
                };
            }
        }
        let Some(c) = self.layout.empty_station_uses.and_then(column) else {
            return Err(empty());
        };
        let name = text(self.file, rec, c)?.trim();
        if name.is_empty() {
            return Err(empty());
        }
        Ok(name)
    }

    fn err(&self, line: u64, col: usize, message: impl Into<String>) -> FormatError {
        cell_error(self.file, self.headers, line, col, message)
    }
}

/// Whether a row repeats the header (its first cell may carry a byte-order mark: a second
/// file pasted after the first).
fn repeats(rec: &Record<'_>, headers: &[String]) -> bool {
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

fn text<'r>(file: &str, rec: &Record<'r>, col: usize) -> Result<&'r str, FormatError> {
    std::str::from_utf8(rec.get(col).unwrap_or_default())
        .map_err(|_| not_utf8(file, rec.line(), col))
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
