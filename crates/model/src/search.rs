//! Finding units by what a reader types: a name, a station's number or a path (issue 16,
//! item 5). The one unit search that the public list of units, the staff desk and the
//! observers' forms use.
//!
//! A [`UnitIndex`] is built once from a [`UnitTree`] (units do not change after an import)
//! and answers a [`UnitQuery`] without the tree. Names are compared folded as
//! [`crate::names::skeleton`] folds them (NFKC, case, quotation marks, Latin and Cyrillic
//! look-alikes; digits stay digits: [`crate::names::search_fold`]), so `бишкек` finds `БИШКЕК Г.` and `«Ош»` finds `ОШ Г.`. A query with `/` is a
//! path: its last part is matched against the unit's own name and the parts before it against
//! the unit's ancestors, in order (`Бишкек / 1001`; parts may skip levels); a path that ends
//! with `/` finds every unit under it (`Бишкек /`, in tree order). A query that is a
//! number (`1001`, `№ 1001`, `#1001`) also finds the stations whose name carries that number
//! (`УИК №1001`, `0012` for `12`).
//!
//! Order: exact matches first (the folded name equals the query, a station's number equals
//! the query's, or the caller found the unit another way, by a protocol's reference), then
//! names that start with the query, then names with a later word that starts with it, then
//! names that merely contain it; within each, tree order. The same index and query always
//! give the same list. No I/O, no clock.
//!
//! # Example
//! ```
//! use model::search::{UnitIndex, UnitQuery};
//! use model::{UnitLevel, UnitTree};
//! let mut t = UnitTree::new("KG");
//! let r = t.insert(t.root(), UnitLevel::Region, "БИШКЕК Г.").unwrap();
//! let s = t.insert(r, UnitLevel::Station, "1001").unwrap();
//! let index = UnitIndex::new(&t);
//! let found = index.search(&UnitQuery::new("бишкек / 1001", None).unwrap(), &[], 0, 100);
//! assert_eq!((found.total, found.units), (1, vec![s]));
//! ```

use unicode_normalization::UnicodeNormalization;

use crate::names::search_fold;
use crate::{ModelError, UnitId, UnitLevel, UnitTree};

/// The longest query, in bytes: a path of a few official names fits many times over.
pub const QUERY_MAX_BYTES: usize = 1000;

/// What a reader typed, folded once: the parts of a path (one for a plain name), the number
/// it may be, and the level the units must be at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitQuery {
    text: String,
    parts: Vec<String>,
    /// Whether the query ends with `/`: every unit under the path, whatever its name.
    within: bool,
    number: Option<u32>,
    level: Option<UnitLevel>,
    /// The units the found ones must be in or under, if any ([`UnitQuery::in_units`]).
    scope: Option<Vec<UnitId>>,
}

impl UnitQuery {
    /// The query `text` (empty: every unit, in tree order), for units at `level` (any if
    /// `None`). Refused if longer than [`QUERY_MAX_BYTES`].
    pub fn new(text: &str, level: Option<UnitLevel>) -> Result<UnitQuery, ModelError> {
        if text.len() > QUERY_MAX_BYTES {
            return Err(ModelError::QueryTooLong(text.len()));
        }
        let text = text.trim();
        let raw: Vec<&str> = text.split('/').map(str::trim).collect();
        let parts: Vec<String> = raw
            .iter()
            .map(|p| search_fold(p))
            .filter(|p| !p.is_empty())
            .collect();
        let within = raw.len() > 1 && !parts.is_empty() && raw.last().is_some_and(|p| p.is_empty());
        let last = raw.iter().rev().find(|p| !search_fold(p).is_empty());
        Ok(UnitQuery {
            text: text.to_string(),
            number: last.filter(|_| !within).and_then(|p| typed_number(p)),
            parts,
            within,
            level,
            scope: None,
        })
    }

    /// The query for units in or under one of `roots` only: applied before any limit, so a
    /// user whose units come late in the tree finds them as anyone finds theirs.
    pub fn in_units(mut self, roots: &[UnitId]) -> UnitQuery {
        self.scope = Some(roots.to_vec());
        self
    }

    /// The query as typed, trimmed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The level the units must be at, if any.
    pub fn level(&self) -> Option<UnitLevel> {
        self.level
    }

    /// Whether the query lists every unit (of its level): nothing to match.
    pub fn lists_all(&self) -> bool {
        self.parts.is_empty()
    }
}

/// One page of the units a query found, and how many it found in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Every unit found (a page past the end is empty, with the total).
    pub total: usize,
    /// The units of the page asked for, best first.
    pub units: Vec<UnitId>,
}

/// How well a unit's name matches a query, the best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Closeness {
    /// The folded name is the query, or the station's number is the query's.
    Exact,
    /// The folded name starts with the query.
    Prefix,
    /// A later word of the folded name starts with the query.
    Word,
    /// The folded name contains the query.
    Inside,
}

/// The parent stored for the root.
const NO_PARENT: u32 = u32::MAX;

/// What separates two folded names: [`search_fold`] writes no line end, so no match spans two
/// names.
const SEPARATOR: char = '\n';

/// The units of a tree, folded for searching: each unit's folded name in one string, its
/// level and parent, and the stations' numbers.
#[derive(Debug, Clone)]
pub struct UnitIndex {
    /// The folded names, each followed by [`SEPARATOR`].
    folded: String,
    /// Where each unit's folded name starts in `folded`; one more entry for the end.
    starts: Vec<u32>,
    levels: Vec<UnitLevel>,
    parents: Vec<u32>,
    /// The stations' numbers, (number, unit) in ascending order.
    numbers: Vec<(u32, u32)>,
    /// How many units each level has, by [`UnitLevel`] order.
    per_level: [usize; UnitLevel::ALL.len()],
}

impl UnitIndex {
    /// The index of every unit of `tree`.
    pub fn new(tree: &UnitTree) -> UnitIndex {
        let mut index = UnitIndex {
            folded: String::with_capacity(tree.len() * 8),
            starts: Vec::with_capacity(tree.len() + 1),
            levels: Vec::with_capacity(tree.len()),
            parents: Vec::with_capacity(tree.len()),
            numbers: Vec::new(),
            per_level: [0; UnitLevel::ALL.len()],
        };
        for (id, u) in tree.iter() {
            index.starts.push(index.folded.len() as u32);
            index.folded.push_str(&search_fold(u.name));
            index.folded.push(SEPARATOR);
            index.levels.push(u.level);
            index.parents.push(u.parent.map_or(NO_PARENT, |p| p.0));
            index.per_level[u.level as usize] += 1;
            if u.level == UnitLevel::Station {
                if let Some(n) = name_number(u.name) {
                    index.numbers.push((n, id.0));
                }
            }
        }
        index.starts.push(index.folded.len() as u32);
        index.numbers.sort_unstable();
        index
    }

    /// The number of units indexed.
    pub fn len(&self) -> usize {
        self.levels.len()
    }

    /// Always false: a tree has at least its root.
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    /// The bytes the index holds on the heap (about 20 a unit, plus its folded names).
    pub fn heap_bytes(&self) -> usize {
        self.folded.capacity()
            + self.starts.capacity() * size_of::<u32>()
            + self.levels.capacity() * size_of::<UnitLevel>()
            + self.parents.capacity() * size_of::<u32>()
            + self.numbers.capacity() * size_of::<(u32, u32)>()
    }

    /// The units `query` finds, best first: `limit` of them from `offset` on, and the total.
    /// `also` are units found another way (by a protocol's reference): they count as exact
    /// matches when at the query's level.
    pub fn search(&self, query: &UnitQuery, also: &[UnitId], offset: usize, limit: usize) -> Found {
        let scoped = query.scope.as_ref().map(|roots| self.below(roots));
        let at_level = |u: u32| {
            query.level.is_none_or(|l| self.levels[u as usize] == l)
                && scoped.as_ref().is_none_or(|ok| ok[u as usize])
        };
        let Some((last, before)) = query.parts.split_last() else {
            if scoped.is_none() {
                return self.every(query.level, offset, limit);
            }
            let found = (0..self.len() as u32).filter(|&u| at_level(u));
            return Found {
                total: found.clone().count(),
                units: found.skip(offset).take(limit).map(UnitId).collect(),
            };
        };
        if query.within {
            let under = self.under(&query.parts).unwrap_or_default();
            let found = (0..self.len() as u32).filter(|&u| under[u as usize] && at_level(u));
            return Found {
                total: found.clone().count(),
                units: found.skip(offset).take(limit).map(UnitId).collect(),
            };
        }
        let under = self.under(before);
        let admit = |u: u32| at_level(u) && under.as_ref().is_none_or(|ok| ok[u as usize]);
        let mut by_closeness: [Vec<u32>; 4] = Default::default();
        let part = Part::new(last);
        self.scan(&part, |u, at| {
            if admit(u) {
                by_closeness[self.closeness(u, at, &part) as usize].push(u);
            }
        });
        let mut exact: Vec<u32> = also.iter().map(|u| u.0).filter(|&u| at_level(u)).collect();
        if let Some(n) = query.number {
            let from = self.numbers.partition_point(|&(m, _)| m < n);
            let same = self.numbers[from..].iter().take_while(|&&(m, _)| m == n);
            exact.extend(same.map(|&(_, u)| u).filter(|&u| admit(u)));
        }
        if !exact.is_empty() {
            exact.extend_from_slice(&by_closeness[0]);
            exact.sort_unstable();
            exact.dedup();
            for list in &mut by_closeness[1..] {
                list.retain(|u| exact.binary_search(u).is_err());
            }
            by_closeness[0] = exact;
        }
        Found {
            total: by_closeness.iter().map(Vec::len).sum(),
            units: by_closeness
                .iter()
                .flatten()
                .skip(offset)
                .take(limit)
                .map(|&u| UnitId(u))
                .collect(),
        }
    }

    /// Every unit at `level` (every unit if `None`), in tree order.
    fn every(&self, level: Option<UnitLevel>, offset: usize, limit: usize) -> Found {
        let Some(level) = level else {
            let end = self.len().min(offset.saturating_add(limit));
            return Found {
                total: self.len(),
                units: (offset.min(end)..end).map(|u| UnitId(u as u32)).collect(),
            };
        };
        Found {
            total: self.per_level[level as usize],
            units: (0..self.len())
                .filter(|&u| self.levels[u] == level)
                .skip(offset)
                .take(limit)
                .map(|u| UnitId(u as u32))
                .collect(),
        }
    }

    /// Calls `f` with each unit whose folded name contains `part` (not empty), in tree order,
    /// and where its first occurrence is in the folded names.
    fn scan(&self, part: &Part<'_>, mut f: impl FnMut(u32, usize)) {
        let mut unit = 0usize;
        let mut seen = None;
        for at in part.finder.find_iter(self.folded.as_bytes()) {
            while self.starts[unit + 1] as usize <= at {
                unit += 1;
            }
            if seen != Some(unit) {
                seen = Some(unit);
                f(unit as u32, at);
            }
        }
    }

    /// Which units lie under ancestors that match `parts` in order (a path's parts before the
    /// unit's own; parts may skip levels), by unit; `None` when there are no parts.
    /// Which units are `roots` or under one of them (a parent's id is lower than its
    /// children's: one pass in id order).
    fn below(&self, roots: &[UnitId]) -> Vec<bool> {
        let mut ok = vec![false; self.len()];
        for r in roots {
            if let Some(x) = ok.get_mut(r.index()) {
                *x = true;
            }
        }
        for u in 0..self.len() {
            if let Some(&p) = self.parents.get(u).filter(|&&p| p != NO_PARENT) {
                ok[u] |= ok[p as usize];
            }
        }
        ok
    }

    fn under(&self, parts: &[String]) -> Option<Vec<bool>> {
        if parts.is_empty() {
            return None;
        }
        // A unit has at most one ancestor a level: a longer path finds nothing.
        if parts.len() >= UnitLevel::ALL.len() {
            return Some(vec![false; self.len()]);
        }
        let mut marks = vec![0u8; self.len()];
        for (j, p) in parts.iter().enumerate() {
            self.scan(&Part::new(p), |u, _| marks[u as usize] |= 1 << j);
        }
        // How many of the parts a unit and its ancestors match, in order from the top (the
        // leftmost match is as good as any): a parent's id is lower than its children's, so
        // one pass in id order sees every parent first.
        let wanted = parts.len() as u8;
        let mut matched = vec![0u8; self.len()];
        let mut ok = vec![false; self.len()];
        for u in 0..self.len() {
            let above = match self.parents[u] {
                NO_PARENT => 0,
                p => matched[p as usize],
            };
            ok[u] = above == wanted;
            let next = above < wanted && marks[u] & (1 << above) != 0;
            matched[u] = above + u8::from(next);
        }
        Some(ok)
    }

    /// How `unit`'s folded name matches `part`, which first occurs in it at `at` (an offset
    /// into the folded names).
    fn closeness(&self, unit: u32, at: usize, part: &Part<'_>) -> Closeness {
        let start = self.starts[unit as usize] as usize;
        let end = self.starts[unit as usize + 1] as usize - SEPARATOR.len_utf8();
        if at == start {
            return match end - start == part.text.len() {
                true => Closeness::Exact,
                false => Closeness::Prefix,
            };
        }
        let name = &self.folded[start..end];
        // A word starts after a space or a sign, and where letters turn into digits or back
        // (`№1002` is `no1002`: the number is a word).
        let word_start = |i: usize| {
            name[..i]
                .chars()
                .next_back()
                .is_some_and(|c| !c.is_alphanumeric() || c.is_numeric() != part.digit)
        };
        let mut i = at - start;
        loop {
            if word_start(i) {
                return Closeness::Word;
            }
            let next = i + name[i..].chars().next().map_or(1, char::len_utf8);
            match part.finder.find(&name.as_bytes()[next..]) {
                Some(k) => i = next + k,
                None => return Closeness::Inside,
            }
        }
    }
}

/// A folded part of a query, ready to be looked for.
struct Part<'q> {
    text: &'q str,
    finder: memchr::memmem::Finder<'q>,
    /// Whether it starts with a digit (a number starts a word after letters).
    digit: bool,
}

impl<'q> Part<'q> {
    fn new(text: &'q str) -> Part<'q> {
        Part {
            text,
            finder: memchr::memmem::Finder::new(text.as_bytes()),
            digit: text.chars().next().is_some_and(char::is_numeric),
        }
    }
}

/// The number a station's name carries: its last run of digits (after NFKC, so that
/// full-width digits count), if it fits in 32 bits.
fn name_number(name: &str) -> Option<u32> {
    if name.is_ascii() {
        return last_digits(name);
    }
    last_digits(&name.nfkc().collect::<String>())
}

fn last_digits(s: &str) -> Option<u32> {
    let end = s.rfind(|c: char| c.is_ascii_digit())? + 1;
    let start = s[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    s[start..end].parse().ok()
}

/// The number a typed query stands for: digits, after an optional `№`, `No`, `N` or `#`
/// (and a dot or spaces), if it fits in 32 bits.
fn typed_number(part: &str) -> Option<u32> {
    let n: String = part.nfkc().collect();
    let mut rest = n.trim();
    for sign in ["No", "NO", "no", "N", "n", "#"] {
        if let Some(r) = rest.strip_prefix(sign) {
            rest = r.trim_start_matches(['.', ' ']);
            break;
        }
    }
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_names_and_queries() {
        assert_eq!(name_number("УИК №1001"), Some(1001));
        assert_eq!(name_number("0012"), Some(12));
        assert_eq!(name_number("１２"), Some(12));
        assert_eq!(name_number("Школа 5, кабинет 12"), Some(12));
        assert_eq!(name_number("БИШКЕК Г."), None);
        assert_eq!(name_number("99999999999"), None);
        assert_eq!(typed_number("№ 1001"), Some(1001));
        assert_eq!(typed_number("No.7"), Some(7));
        assert_eq!(typed_number("#7"), Some(7));
        assert_eq!(typed_number("1001"), Some(1001));
        assert_eq!(typed_number("Нарын"), None);
        assert_eq!(typed_number("№"), None);
        assert_eq!(typed_number("10 01"), None);
    }

    /// A tree of two regions, a district and four stations with awkward names.
    fn tree() -> (UnitTree, Vec<UnitId>) {
        let mut t = UnitTree::new("KG");
        let root = t.root();
        let bishkek = t.insert(root, UnitLevel::Region, "БИШКЕК Г.").unwrap();
        let osh = t.insert(root, UnitLevel::Region, "«ОШ» Г.").unwrap();
        let d = t
            .insert(bishkek, UnitLevel::District, "Ленинский район")
            .unwrap();
        let s1 = t.insert(d, UnitLevel::Station, "1001").unwrap();
        let s2 = t.insert(d, UnitLevel::Station, "УИК №1002").unwrap();
        let s3 = t.insert(osh, UnitLevel::Station, "Школа 10010").unwrap();
        let s4 = t.insert(osh, UnitLevel::Station, "21001").unwrap();
        (t, vec![root, bishkek, osh, d, s1, s2, s3, s4])
    }

    fn ids(index: &UnitIndex, q: &str, level: Option<UnitLevel>) -> (usize, Vec<u32>) {
        let f = index.search(&UnitQuery::new(q, level).unwrap(), &[], 0, 100);
        (f.total, f.units.iter().map(|u| u.0).collect())
    }

    /// Issue 17, hostile review: a scope applies before the limit, so a user whose units
    /// come late in the tree finds theirs on the first page.
    #[test]
    fn a_scope_applies_before_the_limit() {
        let (t, u) = tree();
        let index = UnitIndex::new(&t);
        let osh = UnitQuery::new("100", Some(UnitLevel::Station))
            .unwrap()
            .in_units(&[u[2]]);
        // Both of Osh's stations hold "100"; neither of Bishkek's is counted.
        let f = index.search(&osh, &[], 0, 1);
        assert_eq!((f.total, f.units), (2, vec![u[6]]));
        let district = UnitQuery::new("", None).unwrap().in_units(&[u[3]]);
        let f = index.search(&district, &[], 0, 10);
        assert_eq!((f.total, f.units), (3, vec![u[3], u[4], u[5]]));
        // A number names only stations in scope.
        let f = index.search(
            &UnitQuery::new("21001", None).unwrap().in_units(&[u[1]]),
            &[],
            0,
            10,
        );
        assert_eq!(f.total, 0);
    }

    #[test]
    fn exact_then_prefix_then_word_then_inside() {
        let (t, _) = tree();
        let index = UnitIndex::new(&t);
        // 1001 exact, 10010 a later word, 21001 inside (tree order within each).
        assert_eq!(ids(&index, "1001", None), (3, vec![4, 6, 7]));
        // The number finds the station named after it; "100" starts one name and a word
        // (a number after letters) of two others.
        assert_eq!(ids(&index, "№1002", None), (1, vec![5]));
        assert_eq!(ids(&index, "1002", None), (1, vec![5]));
        assert_eq!(ids(&index, "100", None), (4, vec![4, 5, 6, 7]));
    }

    #[test]
    fn names_fold_case_quotes_and_look_alikes() {
        let (t, _) = tree();
        let index = UnitIndex::new(&t);
        assert_eq!(ids(&index, "бишкек", None), (1, vec![1]));
        // Latin O, Cyrillic Ш, in guillemets or not.
        assert_eq!(ids(&index, "Oш", None), (1, vec![2]));
        assert_eq!(ids(&index, "«ош» г.", None), (1, vec![2]));
        assert_eq!(ids(&index, "  ЛЕНИНСКИЙ   РАЙОН ", None), (1, vec![3]));
    }

    #[test]
    fn paths_match_ancestors_in_order_and_may_skip_levels() {
        let (t, _) = tree();
        let index = UnitIndex::new(&t);
        assert_eq!(ids(&index, "Бишкек / 1001", None), (1, vec![4]));
        assert_eq!(ids(&index, "Бишкек/Ленинский/100", None), (2, vec![4, 5]));
        assert_eq!(ids(&index, "Ош / 1001", None), (2, vec![6, 7]));
        // Out of order: nothing.
        assert_eq!(ids(&index, "Ленинский / Бишкек / 1001", None), (0, vec![]));
        // Empty parts are dropped, but for a last one: every unit under the path.
        assert_eq!(ids(&index, "/ 1001", None), (3, vec![4, 6, 7]));
        assert_eq!(ids(&index, "«Ош» /", None), (2, vec![6, 7]));
        assert_eq!(
            ids(&index, "бишкек//", Some(UnitLevel::Station)),
            (2, vec![4, 5])
        );
        assert_eq!(ids(&index, "1001 /", None), (0, vec![]));
    }

    #[test]
    fn levels_pages_and_units_found_another_way() {
        let (t, _) = tree();
        let index = UnitIndex::new(&t);
        assert_eq!(ids(&index, "", None).0, 8);
        assert_eq!(
            ids(&index, "", Some(UnitLevel::Station)),
            (4, vec![4, 5, 6, 7])
        );
        assert_eq!(ids(&index, "г", Some(UnitLevel::Region)), (2, vec![1, 2]));
        let q = UnitQuery::new("", Some(UnitLevel::Station)).unwrap();
        let page = |offset| index.search(&q, &[], offset, 3);
        assert_eq!(page(3).units, vec![UnitId(7)]);
        assert_eq!((page(4).total, page(4).units), (4, vec![]));
        assert_eq!(
            index
                .search(&UnitQuery::new("", None).unwrap(), &[], 9, 3)
                .units,
            vec![]
        );
        // A unit found by its protocol's reference comes first, once.
        let q = UnitQuery::new("10", None).unwrap();
        let f = index.search(&q, &[UnitId(7), UnitId(6)], 0, 100);
        assert_eq!(
            (f.total, f.units[..2].to_vec()),
            (4, vec![UnitId(6), UnitId(7)])
        );
    }

    #[test]
    fn a_query_too_long_is_refused() {
        let long = "a".repeat(QUERY_MAX_BYTES + 1);
        assert_eq!(
            UnitQuery::new(&long, None).unwrap_err().to_string(),
            "a search is at most 1000 bytes long; this one is 1001"
        );
    }
}
