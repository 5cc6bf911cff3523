//! Cutting a CSV stream into records, in chunks that can be split on any thread.
//!
//! [`Splitter`] reads the stream in chunks that each start where a record starts and end
//! right after a line break outside quotes, so that every chunk can be split into records on
//! its own ([`Records::split`]). A record without a quotation mark is split at its commas
//! with `memchr`; a record with one goes through `csv_core`, so quoting follows RFC 4180 as
//! the `csv` crate reads it. Lines end with `\n`, `\r\n` or a lone `\r`; blank lines are
//! skipped; a record's line is the line of the file where it starts.

use std::io::Read;
use std::ops::Range;

use memchr::{memchr, memchr_iter, memrchr};

/// A piece of the file that starts where a record starts and ends where one ends.
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    /// The chunk's bytes.
    pub data: Vec<u8>,
    /// The line of the file where the chunk starts (the first is 1).
    pub line: u64,
    /// The byte offset of the chunk's end in the file.
    pub end: u64,
    /// Whether the chunk ends the file.
    pub last: bool,
}

/// Reads a stream chunk by chunk.
pub(crate) struct Splitter<R> {
    input: R,
    /// Bytes read past the last chunk's end.
    carry: Vec<u8>,
    line: u64,
    offset: u64,
    eof: bool,
}

impl<R: Read> Splitter<R> {
    pub fn new(input: R) -> Splitter<R> {
        Splitter {
            input,
            carry: Vec::new(),
            line: 1,
            offset: 0,
            eof: false,
        }
    }

    /// The next chunk, of at least `size` bytes unless the file ends first, holding at least
    /// `records` whole records unless the file ends first; in `buffer`, a recycled chunk's
    /// memory. `None` at the end of the file.
    pub fn next(
        &mut self,
        buffer: Vec<u8>,
        size: usize,
        records: usize,
    ) -> std::io::Result<Option<Chunk>> {
        let mut data = buffer;
        data.clear();
        data.append(&mut self.carry);
        let mut want = size.max(1);
        let cut = loop {
            if data.len() < want && !self.eof {
                let more = (want - data.len()) as u64;
                if (&mut self.input).take(more).read_to_end(&mut data)? == 0 {
                    self.eof = true;
                }
                continue;
            }
            if self.eof {
                break data.len();
            }
            match boundary(&data, records) {
                Some(cut) => break cut,
                // No record ends in the chunk (or too few): read on.
                None => want = want.saturating_mul(2),
            }
        };
        if data.len() > u32::MAX as usize {
            return Err(std::io::Error::other(
                "a record is longer than 4 GiB: is this a CSV file?",
            ));
        }
        if data.is_empty() {
            return Ok(None);
        }
        self.carry.extend_from_slice(&data[cut..]);
        data.truncate(cut);
        let line = self.line;
        self.line += count_lines(&data, 0..data.len());
        self.offset += data.len() as u64;
        Ok(Some(Chunk {
            data,
            line,
            end: self.offset,
            last: self.eof && self.carry.is_empty(),
        }))
    }
}

/// Where to cut `data` (which starts where a record starts, and is not the end of the file):
/// right after the last line break outside quotes, with at least `records` whole records
/// before it.
fn boundary(data: &[u8], records: usize) -> Option<usize> {
    if records == 0 && memchr(b'"', data).is_none() {
        return memrchr(b'\n', data).map(|i| i + 1);
    }
    let split = Records::default().split(data, 1, false);
    split.cut.filter(|_| split.before_cut >= records)
}

/// How many lines end in `data[range]`: each `\n`, and each `\r` not followed by `\n`.
fn count_lines(data: &[u8], range: Range<usize>) -> u64 {
    let part = &data[range.clone()];
    let feeds = memchr_iter(b'\n', part).count();
    let returns = memchr_iter(b'\r', part)
        .filter(|&i| data.get(range.start + i + 1) != Some(&b'\n'))
        .count();
    (feeds + returns) as u64
}

/// The bytes that end a field or a record, or start quoting.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

/// How [`Records::plain`] ended.
enum Plain {
    /// A record, whose line break (or the end of the file) is at the given position.
    Record(usize),
    /// A record that the data ends before its line break.
    Unfinished,
    /// A record with a quotation mark, for `csv_core`.
    Quoted,
}

/// One record of a chunk.
#[derive(Debug, Clone)]
struct Row {
    line: u64,
    fields: Range<u32>,
    /// Whether its fields are in [`Records::unquoted`] (it had quotes) rather than the chunk.
    quoted: bool,
}

/// The records of a chunk: where their fields are.
#[derive(Debug, Default)]
pub(crate) struct Records {
    spans: Vec<(u32, u32)>,
    rows: Vec<Row>,
    /// The fields of quoted records, without their quotes.
    unquoted: Vec<u8>,
    out: Vec<u8>,
    ends: Vec<usize>,
}

/// What [`Records::split`] found.
pub(crate) struct Split {
    /// Where the last line break outside quotes ends, if the chunk has one.
    pub cut: Option<usize>,
    /// How many records end before it.
    pub before_cut: usize,
}

impl Records {
    /// Forgets every record, keeping the memory.
    pub fn clear(&mut self) {
        self.spans.clear();
        self.rows.clear();
        self.unquoted.clear();
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Record `i` of `data`, the chunk they were split from.
    pub fn get<'a>(&'a self, data: &'a [u8], i: usize) -> Record<'a> {
        let row = &self.rows[i];
        Record {
            data: if row.quoted { &self.unquoted } else { data },
            spans: &self.spans[row.fields.start as usize..row.fields.end as usize],
            line: row.line,
        }
    }

    /// Splits `data`, which starts where a record starts on line `line`, into records (after
    /// those already held). When `last`, the end of `data` ends the file, and its last record;
    /// otherwise a record that does not end within `data` is left out.
    pub fn split(&mut self, data: &[u8], mut line: u64, last: bool) -> Split {
        let (mut cut, mut before_cut, rows) = (None, 0, self.rows.len());
        let mut pos = 0;
        let quotes = memchr(b'"', data).is_some();
        let mut core = None;
        loop {
            // Line breaks between records, and blank lines.
            while let Some(&b) = data.get(pos) {
                match b {
                    b'\n' => {
                        line += 1;
                        cut = Some(pos + 1);
                        before_cut = self.rows.len() - rows;
                    }
                    b'\r' if data.get(pos + 1) != Some(&b'\n') => line += 1,
                    b'\r' => {}
                    _ => break,
                }
                pos += 1;
            }
            if pos == data.len() {
                break;
            }
            let start = pos;
            match self.plain(data, start, line, last, quotes) {
                Plain::Record(end) => {
                    pos = end;
                    continue;
                }
                Plain::Unfinished => break,
                Plain::Quoted => {}
            }
            let core = core.get_or_insert_with(csv_core::Reader::new);
            let Some(used) = self.quoted(core, &data[start..], line, last) else {
                break;
            };
            // The record's own line break, if it ends with one, is left to the loop above.
            let mut stop = start + used;
            if stop > start && matches!(data[stop - 1], b'\n' | b'\r') {
                stop -= 1;
            }
            line += count_lines(data, start..stop);
            pos = stop;
        }
        Split { cut, before_cut }
    }

    /// Splits the record at `start` at its commas, in one pass, if it has no quotation mark.
    /// A record that the end of `data` ends is kept when `last` (`data` ends the file).
    fn plain(&mut self, data: &[u8], start: usize, line: u64, last: bool, quotes: bool) -> Plain {
        let first = self.spans.len();
        let mut field = start;
        let mut i = start;
        let end = loop {
            let Some(&b) = data.get(i) else { break None };
            if SPECIAL[b as usize] {
                match b {
                    b',' => {
                        self.spans.push((field as u32, i as u32));
                        field = i + 1;
                    }
                    b'"' if quotes => {
                        self.spans.truncate(first);
                        return Plain::Quoted;
                    }
                    b'\n' | b'\r' => break Some(i),
                    _ => {}
                }
            }
            i += 1;
        };
        if end.is_none() && !last {
            self.spans.truncate(first);
            return Plain::Unfinished;
        }
        let end = end.unwrap_or(data.len());
        self.spans.push((field as u32, end as u32));
        self.rows.push(Row {
            line,
            fields: first as u32..self.spans.len() as u32,
            quoted: false,
        });
        Plain::Record(end)
    }

    /// Reads one quoted record from the start of `data` with `csv_core`; how many bytes it
    /// took, or `None` if it does not end within `data` (and `data` does not end the file).
    fn quoted(
        &mut self,
        core: &mut csv_core::Reader,
        data: &[u8],
        line: u64,
        last: bool,
    ) -> Option<usize> {
        use csv_core::ReadRecordResult as R;
        core.reset();
        if self.out.len() < 1024 {
            self.out.resize(1024, 0);
        }
        if self.ends.len() < 64 {
            self.ends.resize(64, 0);
        }
        let (mut used, mut written, mut fields) = (0, 0, 0);
        loop {
            let input = &data[used..];
            let (result, n_in, n_out, n_ends) =
                core.read_record(input, &mut self.out[written..], &mut self.ends[fields..]);
            used += n_in;
            written += n_out;
            fields += n_ends;
            match result {
                // Input that ends the file ends the record: read on with none.
                R::InputEmpty if last => {}
                R::InputEmpty => return None,
                R::OutputFull => {
                    let grown = self.out.len() * 2;
                    self.out.resize(grown, 0);
                }
                R::OutputEndsFull => {
                    let grown = self.ends.len() * 2;
                    self.ends.resize(grown, 0);
                }
                R::Record | R::End => break,
            }
        }
        let base = self.unquoted.len() as u32;
        self.unquoted.extend_from_slice(&self.out[..written]);
        let first = self.spans.len() as u32;
        let mut from = 0;
        for &end in &self.ends[..fields] {
            self.spans.push((base + from as u32, base + end as u32));
            from = end;
        }
        self.rows.push(Row {
            line,
            fields: first..self.spans.len() as u32,
            quoted: true,
        });
        Some(used)
    }
}

/// One record: its fields, and the line of the file where it starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    data: &'a [u8],
    spans: &'a [(u32, u32)],
    line: u64,
}

impl<'a> Record<'a> {
    /// The line of the file where the record starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// How many fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Field `i`, if the record has one.
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        let &(a, b) = self.spans.get(i)?;
        Some(&self.data[a as usize..b as usize])
    }

    /// Every field, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let data = self.data;
        self.spans
            .iter()
            .map(move |&(a, b)| &data[a as usize..b as usize])
    }

    /// How many bytes the record's fields take, separators included.
    pub fn size(&self) -> usize {
        self.iter().map(|f| f.len() + 1).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `text` in chunks of `size` bytes at least and lists each record as its line and
    /// fields.
    fn records(text: &str, size: usize) -> Vec<(u64, Vec<String>)> {
        let mut splitter = Splitter::new(text.as_bytes());
        let mut out = Vec::new();
        while let Some(chunk) = splitter.next(Vec::new(), size, 0).unwrap() {
            let mut records = Records::default();
            records.split(&chunk.data, chunk.line, chunk.last);
            for i in 0..records.len() {
                let r = records.get(&chunk.data, i);
                let fields = r
                    .iter()
                    .map(|f| String::from_utf8(f.to_vec()).unwrap())
                    .collect();
                out.push((r.line(), fields));
            }
        }
        out
    }

    /// What the `csv` crate reads, with each record's line counted from the text.
    fn by_csv(text: &str) -> Vec<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn records_are_those_the_csv_crate_reads_at_the_lines_they_start_on() {
        // (text, the line each record starts on)
        let cases: &[(&str, &[u64])] = &[
            ("h,x\na,1\nb,2\n", &[1, 2, 3]),
            ("h,x\r\na,1\r\nb,2\r\n", &[1, 2, 3]),
            ("h,x\n\na,1\n\n\nb,2", &[1, 3, 6]),
            ("h,x\r\n\r\na,1\r\r\nb,2\r", &[1, 3, 5]),
            ("h,x\n\"a\nq\",1\nb,2\n", &[1, 2, 4]),
            ("h,x\n  \nb,2\n", &[1, 2, 3]),
            ("h,x\n\"a,\"\"b\"\"\",1\nc\"d,2\n\"e\"f,3", &[1, 2, 3, 4]),
            ("h,x\n\"unterminated,1\nb,2\n", &[1, 2]),
            ("h,,\n,,\n\n", &[1, 2]),
            ("\n\n\r\nh\n", &[4]),
            ("h,x\ra,1\rb,2", &[1, 2, 3]),
        ];
        for (text, lines) in cases {
            let want = by_csv(text);
            for size in [1, 2, 3, 5, 8, 64] {
                let got = records(text, size);
                let fields: Vec<Vec<String>> = got.iter().map(|(_, f)| f.clone()).collect();
                assert_eq!(fields, want, "{text:?} in chunks of {size}");
                let at: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
                assert_eq!(&at, lines, "{text:?} in chunks of {size}");
            }
        }
    }

    #[test]
    fn chunks_end_after_a_line_break_outside_quotes() {
        let text = "a,\"b\nc\"\nd,e\n\"f\n\n\",g\nh,i\n";
        let mut splitter = Splitter::new(text.as_bytes());
        let mut cuts = Vec::new();
        while let Some(chunk) = splitter.next(Vec::new(), 1, 0).unwrap() {
            cuts.push((chunk.line, chunk.end));
        }
        assert_eq!(cuts, [(1, 8), (3, 12), (4, 20), (7, 24)]);
    }

    #[test]
    fn a_first_chunk_can_be_asked_to_hold_records() {
        let text = "h,x\na,1\nb,2\n";
        let mut splitter = Splitter::new(text.as_bytes());
        let chunk = splitter.next(Vec::new(), 1, 2).unwrap().unwrap();
        assert_eq!(chunk.data, b"h,x\na,1\n");
    }
}
