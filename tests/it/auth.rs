//! Authentication: client credentials against the emulator's token endpoint, renewal, the
//! 401 retry, token endpoint refusals, custom token sources, and secrets kept out of output.
#![cfg(feature = "ureq")]

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use acronis_reports::auth::{AccessToken, TokenSource};
use acronis_reports::{Client, Error, InputKind};
use acronis_reports_emulator::{CLIENT_ID, CLIENT_SECRET, Emulator, MONTHLY_REPORT_ID};

fn credentials_client(emulator: &Emulator, secret: &str) -> Client {
    Client::builder()
        .base_url(emulator.base_url())
        .client_credentials(CLIENT_ID, secret)
        .retries(0)
        .build()
        .unwrap()
}

/// Every text a value can show: `Display`, `Debug`, and those of its sources.
fn all_text(err: &Error) -> String {
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    text
}

#[test]
fn the_token_request_is_the_vendors() {
    let emulator = Emulator::start().unwrap();
    credentials_client(&emulator, CLIENT_SECRET)
        .get_report(MONTHLY_REPORT_ID)
        .unwrap();
    let requests = emulator.requests();
    let token_request = &requests[0];
    assert_eq!(
        (token_request.method.as_str(), token_request.path.as_str()),
        ("POST", "/api/2/idp/token")
    );
    assert_eq!(
        token_request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(token_request.header("accept"), Some("application/json"));
    // base64("0b5c3f2e-8d3a-4a57-9e61-2f4c7d9a1b03:emulator-client-secret")
    assert_eq!(
        token_request.header("authorization"),
        Some(
            "Basic MGI1YzNmMmUtOGQzYS00YTU3LTllNjEtMmY0YzdkOWExYjAzOmVtdWxhdG9yLWNsaWVudC1zZWNyZXQ="
        )
    );
    assert_eq!(token_request.body, b"grant_type=client_credentials");
    assert_eq!(
        requests[1].header("authorization"),
        Some("Bearer emu-token-1")
    );
}

#[test]
fn one_token_serves_every_call_and_thread() {
    let emulator = Emulator::start().unwrap();
    let client = credentials_client(&emulator, CLIENT_SECRET);
    // All threads make their first call at once, before any token exists.
    let start = Barrier::new(8);
    std::thread::scope(|s| {
        for i in 0..8 {
            let (client, start) = (client.clone(), &start);
            s.spawn(move || {
                start.wait();
                for _ in 0..5 {
                    if i % 2 == 0 {
                        client.get_report(MONTHLY_REPORT_ID).unwrap();
                    } else {
                        client.enable_report(MONTHLY_REPORT_ID).unwrap();
                    }
                }
            });
        }
    });
    assert_eq!(emulator.tokens_issued(), 1);
    let requests = emulator.requests();
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.path == "/api/2/idp/token")
            .count(),
        1
    );
    assert_eq!(requests.len(), 41);
}

#[test]
fn a_token_that_expires_as_it_arrives_is_no_token_and_is_asked_for_once() {
    let emulator = Emulator::start().unwrap();
    emulator.set_token_lifetime(0);
    let client = credentials_client(&emulator, CLIENT_SECRET);
    for _ in 0..3 {
        let err = client.get_report(MONTHLY_REPORT_ID).unwrap_err();
        let Error::Decode { error, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(error.path, "expires_in", "{err}");
        assert!(err.to_string().contains("token response"), "{err}");
        assert!(!err.is_unverified_write());
    }
    // The same answer would come again: it is given for a while without asking.
    assert_eq!(emulator.tokens_issued(), 1);
    assert_eq!(
        emulator.requests().len(),
        1,
        "no call went out without a token"
    );
}

#[test]
fn a_401_renews_the_token_and_repeats_the_call_once() {
    let emulator = Emulator::start().unwrap();
    let client = credentials_client(&emulator, CLIENT_SECRET);
    client.get_report(MONTHLY_REPORT_ID).unwrap();
    emulator.revoke_tokens();
    let report = client.disable_report(MONTHLY_REPORT_ID).unwrap();
    assert!(!report.schedule.enabled);
    let seen: Vec<_> = emulator
        .requests()
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.header("authorization").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let basic = seen[0].1.clone();
    let expect = |m: &str, a: &str| (m.to_owned(), a.to_owned());
    assert_eq!(
        seen,
        [
            expect("POST", &basic),
            expect("GET", "Bearer emu-token-1"),
            expect("PUT", "Bearer emu-token-1"),
            expect("POST", &basic),
            expect("PUT", "Bearer emu-token-2"),
        ]
    );
}

#[test]
fn a_token_refused_twice_is_an_error_after_one_renewal() {
    let emulator = Emulator::start().unwrap();
    let client = credentials_client(&emulator, CLIENT_SECRET);
    emulator.fail_next(2, 401, None);
    let err = client.get_report(MONTHLY_REPORT_ID).unwrap_err();
    assert_eq!(err.status(), Some(401));
    let seen: Vec<_> = emulator
        .requests()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(seen, ["POST", "GET", "POST", "GET"]);
    assert_eq!(emulator.tokens_issued(), 2);
}

#[test]
fn a_fixed_token_refused_is_not_repeated() {
    let emulator = Emulator::start().unwrap();
    let client = common::client_with_token(
        emulator.base_url().trim_end_matches("/api/2"),
        "not-the-token",
    );
    let err = client.get_report(MONTHLY_REPORT_ID).unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(emulator.requests().len(), 1);
}

#[test]
fn a_bad_secret_is_an_auth_error_with_the_description() {
    let emulator = Emulator::start().unwrap();
    let wrong = "wrong-secret-value";
    let err = credentials_client(&emulator, wrong)
        .get_report(MONTHLY_REPORT_ID)
        .unwrap_err();
    let Error::Auth(auth) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(auth.status, 401);
    assert_eq!(auth.error.as_deref(), Some("access_denied"));
    assert_eq!(
        auth.description.as_deref(),
        Some("Invalid client credentials")
    );
    assert_eq!(auth.attempts, 1);
    assert_eq!(err.status(), Some(401));
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "POST /idp/token: no token was issued (401): access_denied: Invalid client credentials; \
         check the API client's id and secret, and that the client is enabled"
    );
    let text = all_text(&err);
    assert!(
        !text.contains(wrong) && !text.contains(CLIENT_SECRET),
        "{text}"
    );
    // Nothing but the token request was sent.
    assert_eq!(emulator.requests().len(), 1);
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let emulator = Emulator::start().unwrap();
    let client = credentials_client(&emulator, CLIENT_SECRET);
    client.get_report(MONTHLY_REPORT_ID).unwrap();
    let builder = Client::builder()
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .bearer_token("tok-en");
    for text in [format!("{client:?}"), format!("{builder:?}")] {
        assert!(
            !text.contains(CLIENT_SECRET)
                && !text.contains("emu-token")
                && !text.contains("tok-en"),
            "{text}"
        );
    }
    assert!(
        format!("{client:?}").contains(CLIENT_ID),
        "the client id is not secret"
    );
    emulator.fail_next(1, 404, None);
    let text = all_text(&client.get_report(MONTHLY_REPORT_ID).unwrap_err());
    assert!(
        !text.contains("emu-token") && !text.contains(CLIENT_SECRET),
        "{text}"
    );
    let text = all_text(&client.get_report("nope").unwrap_err());
    assert!(!text.contains("emu-token"), "{text}");
}

#[test]
fn bad_credentials_are_refused_by_build() {
    for (id, secret) in [
        ("", "s3cret-value"),
        ("id:with:colons", "s3cret-value"),
        ("id", ""),
        ("id", "s3cret\nvalue"),
    ] {
        let err = Client::builder()
            .base_url("https://eu2-cloud.acronis.com/api/2")
            .client_credentials(id, secret)
            .build()
            .unwrap_err();
        common::assert_invalid_input(&err, InputKind::Token);
        assert!(!format!("{err} {err:?}").contains("s3cret"), "{err}");
    }
}

/// A token source that hands out `source-1`, `source-2`, ... and records invalidations.
#[derive(Default)]
struct Counting {
    next: AtomicUsize,
    invalidated: Mutex<Vec<String>>,
}

impl TokenSource for Counting {
    fn token(&self) -> Result<AccessToken, Error> {
        let n = self.next.load(Ordering::SeqCst).max(1);
        self.next.store(n, Ordering::SeqCst);
        AccessToken::new(format!("source-{n}"))
    }

    fn invalidate(&self, rejected: &AccessToken) {
        self.invalidated
            .lock()
            .unwrap()
            .push(rejected.expose_secret().to_owned());
        self.next.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_custom_token_source_is_asked_and_told_of_refusals() {
    let mut server = mockito::Server::new();
    let path = format!("/api/2/reports/{MONTHLY_REPORT_ID}");
    let refused = server
        .mock("GET", path.as_str())
        .match_header("authorization", "Bearer source-1")
        .with_status(401)
        .create();
    let accepted = server
        .mock("GET", path.as_str())
        .match_header("authorization", "Bearer source-2")
        .with_body(common::report_json(MONTHLY_REPORT_ID, true).to_string())
        .create();
    let source = Arc::new(Counting::default());
    let client = Client::builder()
        .base_url(format!("{}/api/2", server.url()))
        .token_source(source.clone())
        .transport(common::loopback_transport())
        .build()
        .unwrap();
    client.get_report(MONTHLY_REPORT_ID).unwrap();
    refused.assert();
    accepted.assert();
    assert_eq!(*source.invalidated.lock().unwrap(), ["source-1"]);
}
