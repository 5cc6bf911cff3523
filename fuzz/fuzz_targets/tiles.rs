//! Reading tiles never panics: arbitrary bytes stand for every tile and bundle.
#![no_main]
use libfuzzer_sys::fuzz_target;
use translog::tiles::read_tiles;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let size = u64::from(data[0]) * 3 + u64::from(data[1]);
    let body = data[2..].to_vec();
    let fetch = |p: &str| if p.contains("entries") || p.starts_with("tile/") { Some(body.clone()) } else { None };
    let _ = read_tiles(&fetch, size);
});
