//! Signed notes, checkpoints and verifier keys parse without panicking on any text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use translog::checkpoint::Checkpoint;
use translog::note::{Note, NoteSigner, NoteVerifier};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = NoteVerifier::parse(text);
    let _ = NoteSigner::parse(text);
    let _ = Checkpoint::parse_body(text);
    if let Ok(note) = Note::parse(text) {
        let key = NoteSigner::from_seed("fuzz.test", [7; 32]).map(|s| s.verifier());
        if let Ok(k) = key {
            let _ = note.verify(&[k]);
        }
    }
});
