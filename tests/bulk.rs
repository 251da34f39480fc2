//! Bulk runs: every id accounted for exactly once, on a bounded number of connections.
#![cfg(feature = "ureq")]

use std::collections::HashMap;
use std::time::Duration;

use acronis_reports::{Client, Error, ReportUpdate, RetryPolicy};
use acronis_reports_emulator::{Emulator, ONCE_REPORT_ID, TOKEN};

#[test]
fn a_thousand_ids_with_failures_are_each_reported_once() {
    let emulator = Emulator::start().unwrap();
    let mut ids = emulator.add_monthly_reports(700);
    let good: Vec<String> = ids.clone();
    // 200 that do not exist, 50 once-reports the API refuses to change, 50 that are no ids.
    ids.extend((0..200).map(|n| format!("00000000-0000-4000-8000-{n:012}")));
    ids.extend((0..50).map(|_| ONCE_REPORT_ID.to_owned()));
    ids.extend((0..50).map(|n| format!("not-an-id-{n}")));
    assert_eq!(ids.len(), 1000);

    let client = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy::new().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let mut outcomes: HashMap<&str, usize> = HashMap::new();
    let mut seen = 0;
    for (id, result) in client.update_many(ids, &ReportUpdate::disable(), 8) {
        seen += 1;
        let outcome = match &result {
            Ok(report) => {
                assert!(!report.schedule.enabled);
                assert_eq!(report.id.to_string(), id);
                "changed"
            }
            Err(e) if e.status() == Some(404) => "missing",
            Err(e) if e.status() == Some(400) => "refused",
            Err(Error::InvalidInput { .. }) => "invalid",
            Err(e) => panic!("{id}: {e}"),
        };
        *outcomes.entry(outcome).or_default() += 1;
    }
    assert_eq!(seen, 1000);
    assert_eq!(
        outcomes,
        HashMap::from([
            ("changed", 700),
            ("missing", 200),
            ("refused", 50),
            ("invalid", 50)
        ])
    );
    for id in &good {
        assert_eq!(emulator.report(id).unwrap()["schedule"]["enabled"], false);
    }
    assert!(
        emulator.connections() <= 8,
        "{} connections for 8 threads",
        emulator.connections()
    );
}

#[test]
fn dropping_the_results_stops_the_run() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(200);
    let client = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    let mut results = client.update_many(ids, &ReportUpdate::disable(), 2);
    assert!(results.next().unwrap().1.is_ok());
    drop(results);
    // The run stopped: at most the jobs in flight and the queued results were done.
    let done = emulator.requests().len();
    assert!(done < 20, "{done} requests after dropping the results");
}

#[test]
fn a_panicking_job_is_not_lost_silently() {
    let emulator = Emulator::start().unwrap();
    let client = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    let ids: Vec<String> = (0..10).map(|n| n.to_string()).collect();
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        client
            .for_each_id(ids, 2, |_, id| {
                if id == "7" {
                    panic!("job failed for 7")
                } else {
                    id.len()
                }
            })
            .count()
    }));
    let payload = run.expect_err("the job's panic reaches the caller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"job failed for 7"));
}
