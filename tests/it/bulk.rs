//! Bulk runs: every id accounted for exactly once, on a bounded number of connections; runs
//! that stop by themselves when the service fails or refuses the credentials, or when told.
#![cfg(feature = "ureq")]

use crate::common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use acronis_reports::StopReason;
use acronis_reports::bulk::BulkOptions;
use acronis_reports::{Client, Error, ReportUpdate, RetryPolicy};
use acronis_reports_emulator::{CLIENT_ID, Emulator, ONCE_REPORT_ID, TOKEN};

/// A client of the emulator with the token it accepts and `policy`.
fn emulator_client(emulator: &Emulator, policy: RetryPolicy) -> Client {
    common::emulator_builder(emulator)
        .retry_policy(policy)
        .max_idle_connections_per_host(16)
        .build()
        .unwrap()
}

/// The default retry policy and budget, but waits of 1 ms between retries so that the tests
/// run fast.
fn quick() -> RetryPolicy {
    RetryPolicy::new()
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(1))
}

fn quick_client(emulator: &Emulator) -> Client {
    emulator_client(emulator, quick())
}

/// What a run yielded: each id's result, checked to come once each.
fn collect<T>(
    results: impl Iterator<Item = (String, Result<T, Error>)>,
) -> HashMap<String, Result<T, Error>> {
    let mut seen = HashMap::new();
    for (id, result) in results {
        assert!(seen.insert(id.clone(), result).is_none(), "{id} twice");
    }
    seen
}

/// How many results are `Ok`, failed, and not attempted with `reason`.
fn tally<T>(
    results: &HashMap<String, Result<T, Error>>,
    reason: &StopReason,
) -> (usize, usize, usize) {
    let ok = results.values().filter(|r| r.is_ok()).count();
    let not_attempted = results
        .values()
        .filter(|r| matches!(r, Err(Error::NotAttempted { reason: r, .. }) if r == reason))
        .count();
    (ok, results.len() - ok - not_attempted, not_attempted)
}

#[test]
fn an_outage_stops_the_run_after_a_bounded_number_of_requests() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(2000);
    let client = quick_client(&emulator);
    // 100 good updates, then every request answers 503.
    emulator.outage_after(100, 503, None);
    let run = client.update_many(ids.clone(), &ReportUpdate::disable(), 8);
    let results = collect(run);
    assert_eq!(results.len(), 2000, "every id accounted for");
    let failing = results
        .values()
        .find_map(|r| match r {
            Err(Error::NotAttempted { reason, .. }) => Some(reason.clone()),
            _ => None,
        })
        .expect("the run stopped");
    let StopReason::ServiceFailing { failures } = failing else {
        panic!("{failing:?}")
    };
    assert!(failures >= 5, "{failures}");
    let (changed, failed, not_attempted) = tally(&results, &failing);
    assert_eq!(changed, 100);
    assert!(failed > 0);
    assert_eq!(changed + failed + not_attempted, 2000);
    // The default budget pays for 100 retries: about 50 calls of 3 attempts, and the calls
    // in flight when the run stopped.
    let after_outage = emulator.outage_answers();
    assert!(
        after_outage <= 200,
        "{after_outage} requests during the outage"
    );
    // Each failed call's first attempt, and at most the 100 retries the budget paid for.
    assert!(
        (failed..=failed + 100).contains(&after_outage),
        "{after_outage} requests for {failed} failed calls"
    );
    // Every report the server changed is one reported changed, and no other.
    for (id, result) in &results {
        let enabled =
            emulator.report::<serde_json::Value>(id).unwrap()["schedule"]["enabled"].clone();
        assert_eq!(enabled == false, result.is_ok(), "{id}: {result:?}");
    }
}

#[test]
fn a_refused_token_stops_the_run_at_once() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(1000);
    let client = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token("revoked-token")
        .build()
        .unwrap();
    let results = collect(client.update_many(ids, &ReportUpdate::disable(), 8));
    let (changed, failed, not_attempted) = tally(&results, &StopReason::CredentialsRefused);
    assert_eq!(changed, 0);
    assert_eq!(changed + failed + not_attempted, 1000);
    for r in results.values() {
        if let Err(e) = r {
            assert!(
                e.status() == Some(401) || matches!(e, Error::NotAttempted { .. }),
                "{e}"
            );
        }
    }
    // The calls in flight when the first 401 came, and no more.
    let sent = emulator.requests().len();
    assert_eq!(sent, failed);
    assert!(sent <= 16, "{sent} requests with a refused token");
}

#[test]
fn a_wrong_client_secret_is_asked_for_once() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(1000);
    let client = Client::builder()
        .base_url(emulator.base_url())
        .client_credentials(CLIENT_ID, "wrong-secret")
        .build()
        .unwrap();
    let results = collect(client.update_many(ids, &ReportUpdate::disable(), 8));
    let (changed, failed, not_attempted) = tally(&results, &StopReason::CredentialsRefused);
    assert_eq!((changed, changed + failed + not_attempted), (0, 1000));
    let requests = emulator.requests();
    assert!(requests.iter().all(|r| r.path == "/api/2/idp/token"));
    assert_eq!(
        requests.len(),
        1,
        "one refused token request for the whole run"
    );
}

#[test]
fn a_stopped_run_reports_every_change_it_made_and_lists_the_rest() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(300);
    let client = quick_client(&emulator);
    let mut run = client.update_many(ids.clone(), &ReportUpdate::disable(), 4);
    let mut results = HashMap::new();
    for (id, result) in run.by_ref().take(20) {
        results.insert(id, result);
    }
    run.stop_handle().stop();
    assert_eq!(run.stop_reason(), Some(StopReason::Requested));
    for (id, result) in run {
        assert!(results.insert(id, result).is_none());
    }
    assert_eq!(results.len(), 300);
    let (changed, failed, not_attempted) = tally(&results, &StopReason::Requested);
    assert_eq!(failed, 0);
    assert!(
        changed >= 20 && not_attempted > 0,
        "{changed} {not_attempted}"
    );
    // What the server changed is exactly what was reported changed.
    let changed_on_server: HashSet<&String> = ids
        .iter()
        .filter(|id| {
            emulator.report::<serde_json::Value>(id).unwrap()["schedule"]["enabled"] == false
        })
        .collect();
    let reported: HashSet<&String> = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(id, _)| id)
        .collect();
    assert_eq!(changed_on_server, reported);
}

#[test]
fn a_run_without_retries_stops_after_the_failures_in_a_row() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(500);
    let client = emulator_client(&emulator, RetryPolicy::none());
    emulator.outage_after(0, 502, None);
    let options = BulkOptions::new().concurrency(1).stop_after_failures(3);
    let results = collect(client.update_many(ids, &ReportUpdate::disable(), options));
    let (changed, failed, not_attempted) =
        tally(&results, &StopReason::ServiceFailing { failures: 3 });
    assert_eq!((changed, failed, not_attempted), (0, 3, 497));
    assert_eq!(emulator.outage_answers(), 3);
}

#[test]
fn failures_that_are_not_in_a_row_do_not_stop_the_run() {
    let emulator = std::sync::Arc::new(Emulator::start().unwrap());
    let mut ids = emulator.add_monthly_reports(50);
    let client = emulator_client(&emulator, RetryPolicy::none());
    // Every other job's call is answered 503.
    for n in 0..50 {
        ids.insert(n * 2, format!("fail-{n}"));
    }
    let server = emulator.clone();
    let options = BulkOptions::new().concurrency(1).stop_after_failures(2);
    let results = collect(
        client.for_each_id(ids, options, move |client, id: &String| {
            if id.starts_with("fail-") {
                server.fail_next(1, 503, None);
                client
                    .get_report(acronis_reports_emulator::MONTHLY_REPORT_ID)
                    .map(|_| ())
            } else {
                client.disable_report(id).map(|_| ())
            }
        }),
    );
    assert_eq!(results.len(), 100);
    let failed = results
        .values()
        .filter(|r| matches!(r, Err(e) if e.status() == Some(503)));
    assert_eq!(failed.count(), 50);
    assert_eq!(results.values().filter(|r| r.is_ok()).count(), 50);
}
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

    let client = emulator_client(&emulator, quick());
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
        assert_eq!(
            emulator.report::<serde_json::Value>(id).unwrap()["schedule"]["enabled"],
            false
        );
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
    let client = emulator_client(&emulator, RetryPolicy::new());
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
    let client = emulator_client(&emulator, RetryPolicy::new());
    let ids: Vec<String> = (0..10).map(|n| n.to_string()).collect();
    let mut seen = Vec::new();
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for (id, result) in client.for_each_id(ids, 2, |_, id| {
            if id == "7" {
                panic!("job failed for 7")
            } else {
                Ok(id.len())
            }
        }) {
            seen.push((id, result));
        }
    }));
    let payload = run.expect_err("the job's panic reaches the caller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"job failed for 7"));
    // Every id had its result before the panic was raised, the panicked one included.
    assert_eq!(seen.len(), 10);
    let seven = seen.iter().find(|(id, _)| id == "7").unwrap();
    assert!(
        matches!(
            seven.1,
            Err(acronis_reports::Error::NotAttempted {
                reason: acronis_reports::StopReason::JobPanicked,
                ..
            })
        ),
        "{:?}",
        seven.1
    );
}

#[test]
fn a_wrong_port_stops_the_run_once_the_budget_is_spent() {
    // A port nothing listens on: every connection is refused.
    let client = Client::builder()
        .base_url(format!("{}/api/2", common::raw::closed_url()))
        .bearer_token(TOKEN)
        .retry_policy(
            RetryPolicy::new()
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let ids: Vec<String> = (0..5000)
        .map(|n| format!("00000000-0000-4000-8000-{n:012}"))
        .collect();
    let mut run = client.update_many(ids, &ReportUpdate::disable(), 8);
    let results = collect(run.by_ref());
    let Some(reason @ StopReason::ServiceFailing { .. }) = run.stop_reason() else {
        panic!("{:?}", run.stop_reason())
    };
    let (changed, failed, not_attempted) = tally(&results, &reason);
    assert_eq!((changed, changed + failed + not_attempted), (0, 5000));
    // About 50 calls of 3 attempts spend the 100 retries the budget pays for; the calls in
    // flight then end without retrying.
    assert!(failed <= 70, "{failed} calls made");
    for r in results.values() {
        if let Err(e) = r {
            assert!(
                matches!(e, Error::Transport { .. } | Error::NotAttempted { .. }),
                "{e}"
            );
        }
    }
}

#[test]
fn a_change_sent_before_the_run_stopped_is_checked_and_reported_changed() {
    use acronis_reports::bulk::StopHandle;
    use acronis_reports::transport::{Method, Response, from_fn};
    use std::sync::{Arc, Mutex};

    // The PUT is answered 204, and the run is stopped right then: the client must still
    // fetch the report to check the change, and report it changed, not "not attempted".
    let handle: Arc<Mutex<Option<StopHandle>>> = Arc::default();
    let slot = handle.clone();
    let transport = from_fn(move |request| {
        if request.method() == Method::Put {
            if let Some(h) = slot.lock().unwrap().as_ref() {
                h.stop();
            }
            return Ok(Response::from_bytes(204, vec![], Vec::new()));
        }
        let mut report = common_report(request.url());
        report["schedule"]["enabled"] = serde_json::json!(false);
        Ok(Response::from_bytes(
            200,
            vec![],
            report.to_string().into_bytes(),
        ))
    });
    let client = Client::builder()
        .base_url("https://eu2-cloud.acronis.com/api/2")
        .bearer_token(TOKEN)
        .transport(transport)
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    // The ids come from a channel, so that the handle is in place before the first is sent.
    let mut run = client.update_many(rx, &ReportUpdate::disable(), 1);
    *handle.lock().unwrap() = Some(run.stop_handle());
    let first = "20dffb36-d77b-45c6-b2fa-39276e98d5fc".to_owned();
    tx.send(first.clone()).unwrap();
    tx.send("0d6ba6b9-6f2d-4c42-9c5b-3f1e0a7c2d11".to_owned())
        .unwrap();
    drop(tx);
    let (id, result) = run.next().unwrap();
    assert_eq!(id, first);
    assert!(!result.unwrap().schedule.enabled);
    let (_, second) = run.next().unwrap();
    assert!(
        matches!(
            second,
            Err(Error::NotAttempted {
                reason: StopReason::Requested,
                ..
            })
        ),
        "{second:?}"
    );
    assert!(run.next().is_none());
}

/// A report with the id at the end of `url`.
fn common_report(url: &str) -> serde_json::Value {
    let id = url.rsplit('/').next().unwrap();
    serde_json::json!({
        "id": id, "version": 2, "result_action": "send", "recipients": [],
        "parameters": {"tenant_id": "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc", "kind": "usage_summary",
            "level": "accounts", "formats": ["csv"]},
        "schedule": {"type": "monthly", "enabled": true}
    })
}

#[test]
fn a_panicking_id_iterator_stops_the_run_and_is_raised() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(10);
    let client = quick_client(&emulator);
    let source = ids.clone().into_iter().enumerate().map(|(n, id)| {
        assert!(n != 5, "the id source failed at 5");
        id
    });
    let mut reported = Vec::new();
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for (id, result) in client.update_many(source, &ReportUpdate::disable(), 1) {
            reported.push((id, result.is_ok()));
        }
    }));
    let payload = run.expect_err("the iterator's panic reaches the caller");
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned());
    assert_eq!(message.as_deref(), Some("the id source failed at 5"));
    // The ids before it were each reported once; none after it was taken up.
    assert_eq!(
        reported,
        ids[..5]
            .iter()
            .map(|id| (id.clone(), true))
            .collect::<Vec<_>>()
    );
    assert!(ids[6..].iter().all(
        |id| emulator.report::<serde_json::Value>(id).unwrap()["schedule"]["enabled"] == true
    ));
}

#[test]
fn a_run_throttled_for_longer_than_the_client_waits_stops_as_throttled() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(100);
    let client = emulator_client(
        &emulator,
        quick().max_retry_after(Duration::from_millis(10)),
    );
    emulator.outage_after(0, 429, Some("1"));
    let results = collect(client.update_many(ids, &ReportUpdate::disable(), 1));
    let reason = results
        .values()
        .find_map(|r| match r {
            Err(Error::NotAttempted { reason, .. }) => Some(reason.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(reason, StopReason::Throttled { failures: 5 });
    assert!(reason.to_string().contains("429"), "{reason}");
    assert_eq!(emulator.outage_answers(), 5);
}

#[test]
fn a_run_takes_ids_in_any_form() {
    let emulator = Emulator::start().unwrap();
    let ids: Vec<acronis_reports::ReportId> = emulator
        .add_monthly_reports(20)
        .iter()
        .map(|id| id.parse().unwrap())
        .collect();
    let client = quick_client(&emulator);
    let results = client.update_many(ids.clone(), &ReportUpdate::disable(), 4);
    let mut done: Vec<_> = results.map(|(id, r)| (id, r.unwrap().id)).collect();
    done.sort();
    assert!(done.iter().all(|(asked, got)| asked == got));
    assert_eq!(done.len(), ids.len());
}

#[test]
fn dropping_the_results_does_not_wait_for_a_slow_id_source() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(2);
    let client = quick_client(&emulator);
    // An id source that yields two ids, then waits for more that never come.
    let (more, source) = std::sync::mpsc::channel::<String>();
    for id in &ids {
        more.send(id.clone()).unwrap();
    }
    let mut run = client.update_many(source, &ReportUpdate::disable(), 2);
    assert!(run.next().unwrap().1.is_ok());
    assert!(run.next().unwrap().1.is_ok());
    // Both workers now wait on the source; dropping the run must not.
    let (done, dropped) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        drop(run);
        done.send(()).unwrap();
    });
    // A liveness guard, not a speed limit: the drop returns at once or never.
    dropped
        .recv_timeout(Duration::from_secs(60))
        .expect("the drop returned");
    drop(more);
}

#[test]
fn reading_first_changes_only_what_differs_and_says_so() {
    use acronis_reports::UpdateOutcome;
    use acronis_reports_emulator::MONTHLY_REPORT_ID;
    let emulator = Emulator::start().unwrap();
    let client = quick_client(&emulator);
    let ids = vec![MONTHLY_REPORT_ID.to_owned(), ONCE_REPORT_ID.to_owned()];
    let outcome = |results: Vec<(String, Result<UpdateOutcome, Error>)>| {
        let mut got: Vec<(String, &'static str, bool)> = results
            .into_iter()
            .map(|(id, r)| {
                let r = r.unwrap();
                let kind = match &r {
                    UpdateOutcome::Changed(_) => "changed",
                    UpdateOutcome::Unchanged(_) => "unchanged",
                    UpdateOutcome::OneTime(_) => "one-time",
                    other => panic!("{other:?}"),
                };
                (id, kind, r.report().schedule.enabled)
            })
            .collect();
        got.sort();
        got
    };
    let writes = |e: &Emulator| e.requests().iter().filter(|r| r.method == "PUT").count();
    let first = client
        .update_many_if_needed(ids.clone(), &ReportUpdate::disable(), 2)
        .collect::<Vec<_>>();
    let mut expected = vec![
        (MONTHLY_REPORT_ID.to_owned(), "changed", false),
        (ONCE_REPORT_ID.to_owned(), "one-time", true),
    ];
    expected.sort();
    assert_eq!(outcome(first), expected);
    assert_eq!(writes(&emulator), 1);
    // Run again: the monthly report is as asked now, and nothing more is written.
    let again = client
        .update_many_if_needed(ids, &ReportUpdate::disable(), 2)
        .collect::<Vec<_>>();
    let mut expected = vec![
        (MONTHLY_REPORT_ID.to_owned(), "unchanged", false),
        (ONCE_REPORT_ID.to_owned(), "one-time", true),
    ];
    expected.sort();
    assert_eq!(outcome(again), expected);
    assert_eq!(writes(&emulator), 1);
    let gets = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .count();
    assert_eq!(gets, 4, "one GET per report and run");
}
