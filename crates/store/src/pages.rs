//! A stored log read a page at a time: publishing or replaying a log of any length holds one
//! page of it, not the whole.

use crate::{Store, StoreError};

/// Entries read at once by [`each_log_entry`]'s callers: 16 entry bundles of the published
/// tiles.
pub const LOG_PAGE: u64 = 4096;

/// What [`each_log_entry`] calls with each entry: (index, bytes).
pub type EachEntry<'a, E> = dyn FnMut(u64, &[u8]) -> Result<(), E> + 'a;

/// Calls `each` with every entry of `name`'s log in order (index, bytes), reading `page`
/// entries at a time (`log_range`: one query a page, resumed after the previous page's last
/// index); returns how many there were. A page shorter than `page` is the last.
pub fn each_log_entry<S: Store + ?Sized, E: From<StoreError>>(
    store: &S,
    name: &str,
    page: u64,
    each: &mut EachEntry<E>,
) -> Result<u64, E> {
    let page = page.max(1);
    let mut from = 0u64;
    loop {
        let entries = store.log_range(name, from, from.saturating_add(page))?;
        let got = entries.len() as u64;
        for (k, e) in entries.iter().enumerate() {
            each(from + k as u64, e)?;
        }
        from += got;
        if got < page {
            return Ok(from);
        }
    }
}
