//! The response parser on arbitrary bytes: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = acronis_reports::Report::from_json(data);
});
