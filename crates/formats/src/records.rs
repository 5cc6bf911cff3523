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

/// The bytes of `word` that are a comma or a line break, or a quotation mark when `quotes`:
/// the high bit of each such byte, every other bit clear.
fn specials(word: u64, quotes: bool) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The high bit of each byte of `x` that is zero (exact: no carry crosses a byte).
    let zero = |x: u64| !(((x & LOW) + LOW) | x | LOW);
    let equal = |b: u8| zero(word ^ (u64::from(b) * 0x0101_0101_0101_0101));
    let found = equal(b',') | equal(b'\n') | equal(b'\r');
    if quotes {
        found | equal(b'"')
    } else {
        found
    }
}

/// The number that the first `n` bytes of `word` (1 to 8; the first byte the lowest) write in
/// ASCII digits, if they are all digits. Without a branch per digit: the bytes are checked and
/// combined in pairs, fours and eights (as in simdjson's `parse_eight_digits_unrolled`).
fn eight_digits(word: u64, n: usize) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0xf0 * ONES;
    // The n bytes as digit values, moved to the top of the word: the bytes past them leave
    // it, and zeros (leading zeros) fill the bottom.
    let d = (word ^ (0x30 * ONES)) << (8 * (8 - n));
    // Every byte is 0 to 9: its high half is clear, and stays so when 6 is added.
    if d & HIGH != 0 || (d + 6 * ONES) & HIGH != 0 {
        return None;
    }
    let pairs = d.wrapping_mul(10).wrapping_add(d >> 8);
    let low = (pairs & 0x0000_00ff_0000_00ff).wrapping_mul(100 + (1_000_000 << 32));
    let high = ((pairs >> 16) & 0x0000_00ff_0000_00ff).wrapping_mul(1 + (10_000 << 32));
    Some(low.wrapping_add(high) >> 32)
}

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
    ///
    /// Eight bytes at a time: a word's special bytes are found at once ([`specials`]) and
    /// visited in order, so that the bytes between them cost no branch.
    fn plain(&mut self, data: &[u8], start: usize, line: u64, last: bool, quotes: bool) -> Plain {
        let first = self.spans.len();
        let mut field = start;
        let mut i = start;
        let end = 'record: loop {
            if let Some(word) = data.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
                let mut found = specials(u64::from_le_bytes(word), quotes);
                while found != 0 {
                    let at = i + (found.trailing_zeros() / 8) as usize;
                    found &= found - 1;
                    match data[at] {
                        b',' => {
                            self.spans.push((field as u32, at as u32));
                            field = at + 1;
                        }
                        b'"' => {
                            self.spans.truncate(first);
                            return Plain::Quoted;
                        }
                        _ => break 'record Some(at),
                    }
                }
                i += 8;
                continue;
            }
            // The data's last bytes, one by one.
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

    /// Field `i` as a number, when it is one to eight ASCII digits: read as one word, the
    /// eight bytes from its start with those past it left out. `None` for any other field,
    /// and for one too near the end of the data to read eight bytes (the caller then reads
    /// the field itself).
    pub fn digits(&self, i: usize) -> Option<u64> {
        let &(a, b) = self.spans.get(i)?;
        let (a, n) = (a as usize, (b - a) as usize);
        if n == 0 || n > 8 {
            return None;
        }
        let word = <[u8; 8]>::try_from(self.data.get(a..a + 8)?).ok()?;
        eight_digits(u64::from_le_bytes(word), n)
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
    fn the_special_bytes_of_a_word_are_exactly_those() {
        for quotes in [false, true] {
            for b in 0..=255u8 {
                for at in 0..8 {
                    // Every byte in every place, beside bytes that are special and that are not.
                    for fill in [b'x', b',', 0x80, 0xff, 0] {
                        let mut word = [fill; 8];
                        word[at] = b;
                        let want = word.iter().enumerate().fold(0u64, |m, (i, &c)| {
                            let special =
                                matches!(c, b',' | b'\n' | b'\r') || (quotes && c == b'"');
                            m | (u64::from(special) << (8 * i + 7))
                        });
                        assert_eq!(specials(u64::from_le_bytes(word), quotes), want, "{word:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn eight_digits_read_as_one_word_are_the_numbers_written() {
        let naive = |cell: &[u8]| -> Option<u64> {
            (!cell.is_empty() && cell.iter().all(u8::is_ascii_digit))
                .then(|| std::str::from_utf8(cell).ok()?.parse().ok())
                .flatten()
        };
        let word = |cell: &[u8], tail: u8| {
            let mut w = [tail; 8];
            w[..cell.len()].copy_from_slice(cell);
            u64::from_le_bytes(w)
        };
        // Every number below a million, with leading zeros, whatever follows it.
        for v in 0..1_000_000u64 {
            let text = v.to_string();
            for cell in [text.clone(), format!("0{text}"), format!("00{text}")] {
                for tail in [b',', b'9', 0xff] {
                    let (cell, n) = (cell.as_bytes(), cell.len());
                    assert_eq!(eight_digits(word(cell, tail), n), Some(v), "{cell:?}");
                }
            }
        }
        // Eight digits; and a byte that is not a digit, of every value, in every place.
        for v in [10_000_000, 12_345_678, 99_999_999] {
            let text = v.to_string();
            assert_eq!(eight_digits(word(text.as_bytes(), 0), 8), Some(v));
        }
        for n in 1..=8 {
            for at in 0..n {
                for b in (0..=255u8).filter(|b| !b.is_ascii_digit()) {
                    let mut cell = b"12345678"[..n].to_vec();
                    cell[at] = b;
                    assert_eq!(naive(&cell), None);
                    assert_eq!(eight_digits(word(&cell, b'7'), n), None, "{cell:?}");
                }
            }
        }
    }

    #[test]
    fn long_records_are_those_the_csv_crate_reads() {
        // Records longer than a word, of every mix of fields, quotes and line breaks, from a
        // fixed sequence (xorshift): the eight-byte scan against the `csv` crate.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let alphabet = b"ab1,,,\n\r\" \xc3\xa9";
        for case in 0..2000 {
            let len = 8 + case % 90;
            let mut text = String::from("h1,h2\n");
            let mut bytes = Vec::new();
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Quotes in one case in four; the others take the scan's plain path.
                let pick = (state % alphabet.len() as u64) as usize;
                let c = alphabet[pick];
                if c == b'"' && case % 4 != 0 {
                    continue;
                }
                bytes.push(c);
            }
            text.push_str(&String::from_utf8_lossy(&bytes));
            let want = by_csv(&text);
            for size in [1, 7, 64] {
                let got: Vec<Vec<String>> =
                    records(&text, size).into_iter().map(|(_, f)| f).collect();
                assert_eq!(got, want, "{text:?} in chunks of {size}");
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
