//! Decoding log entries and replaying them never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = record::decode(0, data);
    let parts: Vec<&[u8]> = data.split(|b| *b == 0xff).collect();
    let _ = record::replay(parts.iter().enumerate().map(|(i, p)| (i as u64, *p)));
});
