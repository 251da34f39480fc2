//! Retries: which failures are retried, how often, after how long, and what the final error
//! says.
#![cfg(feature = "ureq")]

use crate::common;

use std::io::Write;
use std::time::Duration;

use acronis_reports::clock::Clock;
use acronis_reports::{Client, Error, RetryPolicy};
use acronis_reports_emulator::{CLIENT_ID, CLIENT_SECRET, Emulator, MONTHLY_REPORT_ID, TOKEN};
use common::emulator_client;
use common::raw::{RawServer, read_request};

/// A policy like the default, but with millisecond waits to keep the suite fast.
fn quick(retries: u32) -> RetryPolicy {
    RetryPolicy::new()
        .max_retries(retries)
        .base_delay(Duration::from_millis(5))
}

#[test]
fn a_503_then_success_takes_one_retry() {
    let emulator = Emulator::start().unwrap();
    emulator.fail_next(1, 503, None);
    let report = emulator_client(&emulator, quick(2))
        .disable_report(MONTHLY_REPORT_ID)
        .unwrap();
    assert!(!report.schedule.enabled);
    let methods: Vec<_> = emulator
        .requests()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(methods, ["PUT", "PUT"]);
}

#[test]
fn each_retryable_status_is_retried() {
    for status in [429, 500, 502, 503, 504] {
        let emulator = Emulator::start().unwrap();
        emulator.fail_next(1, status, None);
        emulator_client(&emulator, quick(1))
            .get_report(MONTHLY_REPORT_ID)
            .unwrap();
        assert_eq!(emulator.requests().len(), 2, "{status}");
    }
}

#[test]
fn other_errors_are_not_retried() {
    for status in [400, 401, 403, 404, 501, 505] {
        let emulator = Emulator::start().unwrap();
        emulator.fail_next(1, status, None);
        let err = emulator_client(&emulator, quick(3))
            .get_report(MONTHLY_REPORT_ID)
            .unwrap_err();
        assert_eq!(err.status(), Some(status));
        let Error::Api(api) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(api.attempts, 1);
        assert_eq!(emulator.requests().len(), 1, "{status}");
    }
}

/// [`emulator_client`] on a manual clock: its waits are recorded, and return at once.
fn timed_client(emulator: &Emulator, policy: RetryPolicy, clock: &Clock) -> Client {
    common::emulator_builder(emulator)
        .retry_policy(policy)
        .clock(clock.clone())
        .build()
        .unwrap()
}

#[test]
fn retry_after_is_waited_for() {
    let emulator = Emulator::start().unwrap();
    emulator.fail_next(1, 429, Some("1"));
    let clock = Clock::manual();
    timed_client(&emulator, quick(2), &clock)
        .enable_report(MONTHLY_REPORT_ID)
        .unwrap();
    // The policy's own wait would be 5-10 ms; the server asked for a second, and the
    // throttling pause it set is over by then.
    assert_eq!(clock.waits(), [Duration::from_secs(1)]);
    assert_eq!(emulator.requests().len(), 2);
}

#[test]
fn a_retry_after_beyond_the_cap_is_not_waited_for() {
    let emulator = Emulator::start().unwrap();
    emulator.fail_next(1, 503, Some("3600"));
    let err = emulator_client(&emulator, quick(2))
        .get_report(MONTHLY_REPORT_ID)
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.retry_after, Some(Duration::from_secs(3600)));
    assert_eq!(api.attempts, 1);
    assert_eq!(emulator.requests().len(), 1);
}

#[test]
fn exhausted_retries_report_the_attempt_count() {
    let emulator = Emulator::start().unwrap();
    emulator.fail_next(10, 503, None);
    let err = emulator_client(&emulator, quick(2))
        .disable_report(MONTHLY_REPORT_ID)
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((api.status, api.attempts), (503, 3));
    assert!(
        err.to_string().ends_with("(gave up after 3 attempts)"),
        "{err}"
    );
    assert_eq!(emulator.requests().len(), 3);
}

#[test]
fn the_client_uses_the_default_policy_unless_told() {
    let emulator = Emulator::start().unwrap();
    let c = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    assert!(
        format!("{c:?}").contains(&format!("retry: {:?}", RetryPolicy::new())),
        "{c:?}"
    );
    let c = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .retries(5)
        .build()
        .unwrap();
    assert!(
        format!("{c:?}").contains(&format!("retry: {:?}", RetryPolicy::new().max_retries(5))),
        "{c:?}"
    );
}

/// Ends connection 0 with no response, by a reset (`reset`: closed with the request unread,
/// so the kernel answers RST) or an orderly close; answers every later one with 200 and
/// `body`.
fn fail_first_connection(reset: bool, body: String) -> RawServer {
    RawServer::start(4, move |n, mut stream| {
        if n == 0 && reset {
            let mut first = [0u8; 1];
            let _ = std::io::Read::read(&mut stream, &mut first);
            return;
        }
        read_request(&mut stream);
        if n == 0 {
            return;
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body.as_bytes());
    })
}

#[test]
fn a_connection_reset_before_any_response_is_retried_for_put() {
    let mut report = common::report_json(common::ID, false);
    report["id"] = serde_json::json!(common::ID);
    let server = fail_first_connection(true, report.to_string());
    let c = Client::builder()
        .base_url(format!("{}/api/2", server.url()))
        .bearer_token(TOKEN)
        .retry_policy(quick(2))
        .build()
        .unwrap();
    let report = c.disable_report(common::ID).unwrap();
    assert!(!report.schedule.enabled);
    assert_eq!(server.connections(), 2);
}

#[test]
fn a_closed_connection_without_retries_is_a_retryable_transport_error() {
    let server = fail_first_connection(false, String::new());
    let c = Client::builder()
        .base_url(format!("{}/api/2", server.url()))
        .bearer_token(TOKEN)
        .retries(0)
        .build()
        .unwrap();
    let err = c.disable_report(common::ID).unwrap_err();
    assert!(
        matches!(err, Error::Transport { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

#[test]
fn a_failed_token_request_is_retried_with_the_call() {
    // Issuing a token changes nothing on the server, so a 503 from the token endpoint is
    // retried as part of the call it serves.
    let emulator = Emulator::start().unwrap();
    emulator.fail_next_token_requests(1, 503);
    let c = Client::builder()
        .base_url(emulator.base_url())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .retry_policy(quick(3))
        .build()
        .unwrap();
    c.get_report(MONTHLY_REPORT_ID).unwrap();
    let methods: Vec<_> = emulator
        .requests()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(methods, ["POST", "POST", "GET"]);

    // Without retries, the token endpoint's answer is the error.
    let emulator = Emulator::start().unwrap();
    emulator.fail_next_token_requests(1, 503);
    let c = Client::builder()
        .base_url(emulator.base_url())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .retries(0)
        .build()
        .unwrap();
    let err = c.get_report(MONTHLY_REPORT_ID).unwrap_err();
    let Error::Auth(auth) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((auth.status, auth.attempts), (503, 1));
    assert!(err.is_retryable());
    assert_eq!(emulator.requests().len(), 1);
}

#[test]
fn a_500_to_a_get_is_retried_as_often_as_asked() {
    let emulator = Emulator::start().unwrap();
    emulator.fail_next(5, 500, None);
    let report = emulator_client(&emulator, quick(5))
        .get_report(MONTHLY_REPORT_ID)
        .unwrap();
    assert_eq!(report.id.to_string(), MONTHLY_REPORT_ID);
    assert_eq!(emulator.requests().len(), 6);
}

#[test]
fn a_429_holds_back_every_call_of_the_client() {
    let emulator = Emulator::start().unwrap();
    // The first call is refused with 429 and is not retried; the client's next call, from
    // another clone on another thread, still waits out the Retry-After.
    emulator.fail_next(1, 429, Some("1"));
    let clock = Clock::manual();
    let client = timed_client(&emulator, RetryPolicy::none(), &clock);
    let err = client.get_report(MONTHLY_REPORT_ID).unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert!(
        clock.waits().is_empty(),
        "the refused call itself does not wait"
    );
    let other = client.clone();
    std::thread::spawn(move || other.get_report(MONTHLY_REPORT_ID).unwrap())
        .join()
        .unwrap();
    // The other clone held back for exactly the second the server asked for.
    assert_eq!(clock.waits(), [Duration::from_secs(1)]);
    assert_eq!(emulator.requests().len(), 2);
}

#[test]
fn the_retry_budget_bounds_the_retries_of_many_calls() {
    let emulator = Emulator::start().unwrap();
    emulator.outage_after(0, 503, None);
    let client = emulator_client(
        &emulator,
        quick(2).budget(acronis_reports::RetryBudget::new().capacity(20)),
    );
    for _ in 0..10 {
        assert_eq!(
            client.get_report(MONTHLY_REPORT_ID).unwrap_err().status(),
            Some(503)
        );
    }
    // 20 tokens pay for 4 retries: 10 first attempts and 4 retries.
    assert_eq!(emulator.outage_answers(), 14);
}
