//! The usage readers (format told from the bytes, gzip or not): never a panic, never a hang,
//! and every record read sums into totals or is refused with an error.
#![no_main]

use acronis_reports::billing::Totals;
use acronis_reports::usage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(records) = usage::detect(std::io::Cursor::new(data.to_vec())) else { return };
    let mut totals = Totals::new();
    for record in records.take(100_000) {
        if let Ok(record) = record {
            let _ = totals.add(&record);
        }
    }
});
