//! With the `log` feature, requests and retries are logged, and no token or secret is.
#![cfg(all(feature = "log", feature = "ureq"))]

use std::sync::Mutex;
use std::thread::ThreadId;
use std::time::Duration;

use acronis_reports::{Client, RetryPolicy};
use acronis_reports_emulator::{CLIENT_ID, CLIENT_SECRET, Emulator, MONTHLY_REPORT_ID};

/// Every line logged, with the thread that logged it: the other tests of this crate run in
/// the same process and log too, so the test reads only the lines of its own thread (the
/// client logs on the thread that calls it).
struct Capture(Mutex<Vec<(ThreadId, String)>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }

    fn log(&self, record: &log::Record) {
        // Everything but ureq_proto's trace, which dumps raw request bytes (documented).
        if !record.target().starts_with("ureq_proto") {
            let line = format!("{} {} {}", record.target(), record.level(), record.args());
            let thread = std::thread::current().id();
            self.0.lock().unwrap().push((thread, line));
        }
    }

    fn flush(&self) {}
}

static LOGGER: Capture = Capture(Mutex::new(Vec::new()));

#[test]
fn requests_and_retries_are_logged_without_secrets() {
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let emulator = Emulator::start().unwrap();
    let client = Client::builder()
        .base_url(emulator.base_url())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .retry_policy(RetryPolicy::new().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    emulator.fail_next(1, 503, None);
    client.disable_report(MONTHLY_REPORT_ID).unwrap();
    emulator.revoke_tokens();
    client.enable_report(MONTHLY_REPORT_ID).unwrap();

    let me = std::thread::current().id();
    let all: Vec<String> = LOGGER
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(thread, _)| *thread == me)
        .map(|(_, line)| line.clone())
        .collect();
    let lines: Vec<String> = all
        .iter()
        .filter_map(|l| l.strip_prefix("acronis_reports ").map(str::to_owned))
        .collect();
    let path = format!("/reports/{MONTHLY_REPORT_ID}");
    let expected = [
        format!("DEBUG POST /idp/token: got a token for client {CLIENT_ID} that lives 7200 s"),
        format!("DEBUG PUT {path}: 503 after"),
        format!("WARN PUT {path}: the server answered 503"),
        format!("DEBUG PUT {path}: 200 after"),
        format!("DEBUG PUT {path}: 401 after"),
        format!("DEBUG PUT {path}: 401; repeating with a renewed token"),
    ];
    for want in &expected {
        assert!(
            lines.iter().any(|l| l.starts_with(want.as_str())),
            "no line starts with {want:?} in {lines:#?}"
        );
    }
    assert!(all.len() > lines.len(), "ureq's own lines are checked too");
    for line in &all {
        assert!(
            !line.contains("emu-token")
                && !line.contains(CLIENT_SECRET)
                && !line.contains("Basic "),
            "{line}"
        );
    }
}
