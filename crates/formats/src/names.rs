//! The checks on the names a file gives to units, choices, contests and counts: each must be
//! fit to show ([`model::names::name_fault`]), and no two choices of a contest may look
//! alike ([`model::names::skeleton`]): one choice's votes split over two columns or entries
//! that differ only in case, quotation marks, invisible characters or look-alike letters.

use std::collections::HashMap;

use model::names::{name_fault, shown, skeleton};

/// Why `name`, the name of a `what` (a station, a choice, ...) in a file, is refused, if it
/// is.
pub(crate) fn bad_name(what: &str, name: &str) -> Option<String> {
    name_fault(name).map(|fault| format!("{what} name '{}' {fault}", shown(name)))
}

/// The first pair of `names` that look alike, as (earlier, later) indices.
pub(crate) fn look_alikes<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<(usize, usize)> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, name) in names.into_iter().enumerate() {
        if let Some(j) = seen.insert(skeleton(name), i) {
            return Some((j, i));
        }
    }
    None
}

/// Says that choice `name` looks like `other` (as the file names it: a column, an entry).
pub(crate) fn looks_like(name: &str, other: &str) -> String {
    format!(
        "choice '{}' looks like {other}: one choice given twice? (names are compared without \
         case, quotation marks, invisible characters and look-alike letters)",
        shown(name)
    )
}
