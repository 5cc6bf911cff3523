//! Reading an SMS report never panics, whatever the bytes and however many choices.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choices, text)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(text);
    let book = observe::codes::Codebook::default_for(usize::from(choices % 40) + 1);
    let _ = observe::sms::read(&text, &book);
});
