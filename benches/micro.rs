//! Micro-benchmarks of the pure layers: `cargo bench --bench micro`.
//! Targets: patch to bytes under 1 µs; parse + verify of a typical report under 5 µs.

use acronis_reports::{Level, Report, ReportKind, ReportUpdate};
use divan::black_box;

fn main() {
    divan::main();
}

const REPORT: &str = r#"{"id": "20dffb36-d77b-45c6-b2fa-39276e98d5fc", "version": 1559561146224,
 "result_action": "send", "recipients": ["ca451758-b48a-45d9-9ae6-8f1059f67619", "ab00e527-219b-481b-b01b-311b5be0ed3c"],
 "parameters": {"tenant_id": "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc", "kind": "usage_summary",
   "level": "accounts", "formats": ["csv"], "period": {"start": "2017-05-01", "end": "2017-05-07"},
   "hide_zero_usage": true, "show_skus": false},
 "schedule": {"type": "monthly", "enabled": false}, "generation_date": "2017-05-08"}"#;

#[divan::bench]
fn patch_disable_to_bytes() -> String {
    black_box(ReportUpdate::disable()).to_json_string()
}

#[divan::bench]
fn patch_full_to_bytes() -> String {
    ReportUpdate::disable()
        .level(black_box(Level::AllCustomers))
        .kind(ReportKind::UsageDaily)
        .hide_zero_usage(true)
        .show_skus(false)
        .to_json_string()
}

#[divan::bench]
fn parse_report() -> Report {
    Report::from_json(black_box(REPORT.as_bytes())).unwrap()
}

#[divan::bench]
fn parse_and_verify() -> bool {
    let report = Report::from_json(black_box(REPORT.as_bytes())).unwrap();
    ReportUpdate::disable().verify(&report).is_ok()
}
