//! The admin interface under `/__admin/`, over raw HTTP on loopback (no client library in
//! between), as a script in another language drives it: each endpoint's answers, faults
//! taking effect on API requests, secrets redacted, malformed bodies refused with nothing
//! changed.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use acronis_reports_emulator::{
    CLIENT_ID, CLIENT_SECRET, Emulator, MONTHLY_REPORT_ID, ONCE_REPORT_ID, TOKEN,
};
use base64::Engine as _;
use serde_json::{Value, json};

/// An answer as it came over the wire.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request on its own connection (`Connection: close`), read to its end.
fn send(
    emulator: &Emulator,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let host = emulator
        .admin_url()
        .trim_start_matches("http://")
        .trim_end_matches("/__admin")
        .to_owned();
    let mut stream = TcpStream::connect(&host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

fn parse(raw: &[u8]) -> Answer {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a whole head");
    let head = String::from_utf8(raw[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_owned(), value.trim().to_owned())
        })
        .collect();
    Answer {
        status: status.parse().unwrap(),
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

/// An admin request with a JSON body (or none, for `Value::Null`).
fn admin(emulator: &Emulator, method: &str, path: &str, body: &Value) -> Answer {
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    send(
        emulator,
        method,
        &format!("/__admin{path}"),
        &[("Content-Type", "application/json")],
        &body,
    )
}

fn fault(emulator: &Emulator, body: Value) -> Answer {
    admin(emulator, "POST", "/faults", &body)
}

/// `GET /api/2/reports/{id}` with the bearer token.
fn get_report(emulator: &Emulator, id: &str) -> Answer {
    let bearer = format!("Bearer {TOKEN}");
    send(
        emulator,
        "GET",
        &format!("/api/2/reports/{id}"),
        &[("Authorization", &bearer)],
        b"",
    )
}

fn put_report(emulator: &Emulator, id: &str, body: &Value) -> Answer {
    let bearer = format!("Bearer {TOKEN}");
    send(
        emulator,
        "PUT",
        &format!("/api/2/reports/{id}"),
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    )
}

fn basic() -> String {
    let pair = format!("{CLIENT_ID}:{CLIENT_SECRET}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

fn ask_token(emulator: &Emulator) -> Answer {
    send(
        emulator,
        "POST",
        "/api/2/idp/token",
        &[
            ("Authorization", &basic()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        b"grant_type=client_credentials",
    )
}

fn assert_vendor_error(answer: &Answer, status: u16) {
    assert_eq!(answer.status, status, "{}", answer.text());
    let body = answer.json();
    assert_eq!(body["error"]["code"], status, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
}

#[test]
fn a_fault_by_count_answers_the_next_requests_then_the_api_does() {
    let emulator = Emulator::start().unwrap();
    let registered = fault(&emulator, json!({"status": 503, "times": 2}));
    assert_eq!(registered.status, 201, "{}", registered.text());
    assert_eq!(registered.header("content-type"), Some("application/json"));
    assert_eq!(
        registered.json(),
        json!({"fault": {"status": 503, "times": 2, "path": null, "method": null,
            "retry_after": null, "delay_ms": null, "body": null, "content_type": null}})
    );
    assert_vendor_error(&get_report(&emulator, MONTHLY_REPORT_ID), 503);
    assert_vendor_error(&get_report(&emulator, MONTHLY_REPORT_ID), 503);
    let third = get_report(&emulator, MONTHLY_REPORT_ID);
    assert_eq!(third.status, 200);
    assert_eq!(third.json()["id"], MONTHLY_REPORT_ID);
}

#[test]
fn a_fault_answers_before_the_token_is_checked_as_a_gateway_would() {
    let emulator = Emulator::start().unwrap();
    fault(&emulator, json!({"status": 502}));
    let path = format!("/api/2/reports/{MONTHLY_REPORT_ID}");
    assert_vendor_error(&send(&emulator, "GET", &path, &[], b""), 502);
    assert_vendor_error(&send(&emulator, "GET", &path, &[], b""), 401);
}

#[test]
fn retry_after_is_sent_as_given_in_seconds_or_as_text() {
    let emulator = Emulator::start().unwrap();
    let registered = fault(&emulator, json!({"status": 429, "retry_after": 7}));
    assert_eq!(registered.json()["fault"]["retry_after"], 7);
    let date = "Wed, 21 Oct 2026 07:28:00 GMT";
    fault(&emulator, json!({"status": 503, "retry_after": date}));
    let first = get_report(&emulator, MONTHLY_REPORT_ID);
    assert_vendor_error(&first, 429);
    assert_eq!(first.header("retry-after"), Some("7"));
    let second = get_report(&emulator, MONTHLY_REPORT_ID);
    assert_vendor_error(&second, 503);
    assert_eq!(second.header("retry-after"), Some(date));
    assert_eq!(get_report(&emulator, MONTHLY_REPORT_ID).status, 200);
}

#[test]
fn path_and_method_limit_a_fault_to_the_requests_they_name() {
    let emulator = Emulator::start().unwrap();
    let registered = fault(
        &emulator,
        json!({"status": 409, "times": 3, "method": "put",
            "path": format!("/api/2/reports/{MONTHLY_REPORT_ID}/")}),
    );
    assert_eq!(registered.status, 201, "{}", registered.text());
    let described = &registered.json()["fault"];
    assert_eq!(described["method"], "PUT");
    assert_eq!(
        described["path"],
        format!("/api/2/reports/{MONTHLY_REPORT_ID}")
    );
    let disable = json!({"schedule": {"enabled": false}});
    // Other methods, other reports: as usual, and they use none of the fault's count.
    assert_eq!(get_report(&emulator, MONTHLY_REPORT_ID).status, 200);
    assert_eq!(put_report(&emulator, ONCE_REPORT_ID, &disable).status, 400);
    assert_vendor_error(&put_report(&emulator, MONTHLY_REPORT_ID, &disable), 409);

    // A path takes the paths below it, not a longer id.
    fault(
        &emulator,
        json!({"status": 500, "path": format!("/api/2/reports/{ONCE_REPORT_ID}")}),
    );
    let bearer = format!("Bearer {TOKEN}");
    let stored = send(
        &emulator,
        "GET",
        &format!("/api/2/reports/{ONCE_REPORT_ID}/stored"),
        &[("Authorization", &bearer)],
        b"",
    );
    assert_vendor_error(&stored, 500);
    assert_eq!(get_report(&emulator, ONCE_REPORT_ID).status, 200);
    let report: Value = emulator.report(MONTHLY_REPORT_ID).unwrap();
    assert_eq!(report["schedule"]["enabled"], true, "the PUT was refused");
}

#[test]
fn a_raw_body_is_answered_as_it_is() {
    let emulator = Emulator::start().unwrap();
    let registered = fault(
        &emulator,
        json!({"status": 200, "body": "<html>maintenance</html>", "content_type": "text/html"}),
    );
    assert_eq!(registered.status, 201, "{}", registered.text());
    let answer = get_report(&emulator, MONTHLY_REPORT_ID);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("text/html"));
    assert_eq!(answer.text(), "<html>maintenance</html>");
}

#[test]
fn a_delay_alone_answers_as_usual_but_late_and_with_a_status_late_too() {
    let emulator = Emulator::start().unwrap();
    let registered = fault(&emulator, json!({"delay_ms": 300}));
    assert_eq!(registered.status, 201, "{}", registered.text());
    assert_eq!(registered.json()["fault"]["status"], Value::Null);
    let began = Instant::now();
    assert_eq!(get_report(&emulator, MONTHLY_REPORT_ID).status, 200);
    assert!(began.elapsed() >= Duration::from_millis(300));

    fault(&emulator, json!({"status": 504, "delay_ms": 200}));
    let began = Instant::now();
    assert_vendor_error(&get_report(&emulator, MONTHLY_REPORT_ID), 504);
    assert!(began.elapsed() >= Duration::from_millis(200));
}

#[test]
fn an_outage_answers_every_request_but_the_admins_until_its_faults_are_cleared() {
    let emulator = Emulator::start().unwrap();
    let registered = fault(
        &emulator,
        json!({"outage": true, "status": 503, "retry_after": 1, "after": 1}),
    );
    assert_eq!(registered.status, 201, "{}", registered.text());
    assert_eq!(
        registered.json(),
        json!({"fault": {"outage": true, "status": 503, "retry_after": 1, "after": 1}})
    );
    assert_eq!(get_report(&emulator, MONTHLY_REPORT_ID).status, 200);
    let down = get_report(&emulator, MONTHLY_REPORT_ID);
    assert_vendor_error(&down, 503);
    assert_eq!(down.header("retry-after"), Some("1"));
    assert_vendor_error(&ask_token(&emulator), 503);
    assert_eq!(emulator.outage_answers(), 2);
    // The admin interface still answers, and its requests are not the outage's.
    assert_eq!(
        admin(&emulator, "GET", "/requests", &Value::Null).status,
        200
    );
    let cleared = admin(&emulator, "DELETE", "/faults", &Value::Null);
    assert_eq!(cleared.status, 200);
    assert_eq!(
        cleared.json(),
        json!({"cleared": {"faults": 0, "outage": true}})
    );
    assert_eq!(get_report(&emulator, MONTHLY_REPORT_ID).status, 200);
    assert_eq!(emulator.requests().len(), 4, "the requests stay");
}

#[test]
fn a_token_fault_refuses_token_requests_only() {
    let emulator = Emulator::start().unwrap();
    let registered = fault(&emulator, json!({"token": true, "status": 401}));
    assert_eq!(registered.status, 201, "{}", registered.text());
    assert_eq!(
        registered.json(),
        json!({"fault": {"token": true, "status": 401, "times": 1, "retry_after": null,
            "delay_ms": null, "body": null, "content_type": null}})
    );
    assert_eq!(get_report(&emulator, MONTHLY_REPORT_ID).status, 200);
    let refused = ask_token(&emulator);
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["error"], "invalid_request");
    let issued = ask_token(&emulator);
    assert_eq!(issued.status, 200, "{}", issued.text());
    assert!(issued.json()["access_token"].is_string());
    assert_eq!(emulator.tokens_issued(), 1);

    // With a Retry-After, and a slow token endpoint.
    fault(
        &emulator,
        json!({"token": true, "status": 503, "retry_after": 2}),
    );
    let busy = ask_token(&emulator);
    assert_eq!(busy.status, 503);
    assert_eq!(busy.header("retry-after"), Some("2"));
    fault(&emulator, json!({"token": true, "delay_ms": 200}));
    let began = Instant::now();
    assert_eq!(ask_token(&emulator).status, 200);
    assert!(began.elapsed() >= Duration::from_millis(200));
}

#[test]
fn admin_faults_and_rust_faults_share_one_queue() {
    let emulator = Emulator::start().unwrap();
    emulator.fail_next(1, 500, None);
    fault(&emulator, json!({"status": 503}));
    assert_vendor_error(&get_report(&emulator, MONTHLY_REPORT_ID), 500);
    assert_vendor_error(&get_report(&emulator, MONTHLY_REPORT_ID), 503);
    fault(&emulator, json!({"status": 503, "times": 5}));
    emulator.clear_faults();
    assert_eq!(get_report(&emulator, MONTHLY_REPORT_ID).status, 200);
    emulator.fail_next(2, 500, None);
    emulator.fail_report(ONCE_REPORT_ID, 403);
    emulator.outage_after(10, 503, None);
    let reset = admin(&emulator, "POST", "/reset", &Value::Null);
    assert_eq!(
        reset.json(),
        json!({"cleared": {"faults": 2, "outage": true, "requests": 3}})
    );
    assert_eq!(get_report(&emulator, MONTHLY_REPORT_ID).status, 200);
    assert_eq!(get_report(&emulator, ONCE_REPORT_ID).status, 200);
}

#[test]
fn requests_shows_what_was_received_with_the_secrets_redacted() {
    let emulator = Emulator::start().unwrap();
    let issued = ask_token(&emulator).json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    put_report(
        &emulator,
        MONTHLY_REPORT_ID,
        &json!({"schedule": {"enabled": false}}),
    );
    let bearer = format!("Bearer {issued}");
    send(
        &emulator,
        "DELETE",
        &format!("/api/2/reports/{ONCE_REPORT_ID}?version=3"),
        &[
            ("Authorization", &bearer),
            ("Cookie", "session=s3cr3t"),
            ("X-Trace", "a"),
            ("X-Trace", "b"),
        ],
        b"",
    );
    send(
        &emulator,
        "POST",
        "/api/2/idp/token?client_secret=in-the-query",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!(
            "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
        )
        .as_bytes(),
    );
    let answer = admin(&emulator, "GET", "/requests", &Value::Null);
    assert_eq!(answer.status, 200);
    let text = answer.text();
    for secret in [
        TOKEN,
        CLIENT_SECRET,
        &issued,
        basic().trim_start_matches("Basic "),
        "s3cr3t",
        "in-the-query",
    ] {
        assert!(!text.contains(secret), "{secret} shows in {text}");
    }
    let seen = answer.json();
    assert_eq!(seen["dropped"], 0);
    let requests = seen["requests"].as_array().unwrap();
    assert_eq!(
        requests.len(),
        4,
        "the admin's own requests are not recorded"
    );
    let token = &requests[0];
    assert_eq!(
        (&token["method"], &token["path"], &token["query"]),
        (&json!("POST"), &json!("/api/2/idp/token"), &Value::Null)
    );
    assert_eq!(token["headers"]["authorization"], "Basic [redacted]");
    assert_eq!(
        token["headers"]["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        (&token["body"], &token["json"]),
        (&json!("[redacted]"), &Value::Null)
    );
    let put = &requests[1];
    assert_eq!(put["method"], "PUT");
    assert_eq!(put["path"], format!("/api/2/reports/{MONTHLY_REPORT_ID}"));
    assert_eq!(put["headers"]["authorization"], "Bearer [redacted]");
    assert_eq!(put["json"], json!({"schedule": {"enabled": false}}));
    assert_eq!(put["body"], r#"{"schedule":{"enabled":false}}"#);
    let delete = &requests[2];
    assert_eq!(delete["query"], "version=3");
    assert_eq!(
        (&delete["body"], &delete["json"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(delete["headers"]["cookie"], "[redacted]");
    assert_eq!(delete["headers"]["x-trace"], "a, b");
    let posted = &requests[3];
    assert_eq!(posted["query"], "[redacted]");
    assert_eq!(posted["body"], "[redacted]");
    // The Rust view agrees: four requests, none of them the admin's.
    assert_eq!(emulator.requests().len(), 4);
}

#[test]
fn requests_counts_those_the_ring_dropped_and_delete_clears_only_them() {
    let emulator = Emulator::builder()
        .max_recorded_requests(2)
        .start()
        .unwrap();
    fault(&emulator, json!({"status": 503, "times": 10}));
    for _ in 0..3 {
        get_report(&emulator, MONTHLY_REPORT_ID);
    }
    let seen = admin(&emulator, "GET", "/requests", &Value::Null).json();
    assert_eq!(seen["requests"].as_array().unwrap().len(), 2);
    assert_eq!(seen["dropped"], 1);
    assert_eq!(emulator.dropped_requests(), 1);
    let cleared = admin(&emulator, "DELETE", "/requests", &Value::Null);
    assert_eq!(cleared.status, 200);
    assert_eq!(cleared.json(), json!({"cleared": {"requests": 2}}));
    let seen = admin(&emulator, "GET", "/requests", &Value::Null).json();
    assert_eq!(seen, json!({"requests": [], "dropped": 0}));
    // The fault is still there.
    assert_vendor_error(&get_report(&emulator, MONTHLY_REPORT_ID), 503);
}

#[test]
fn reset_clears_faults_the_outage_and_requests_but_not_reports_or_tokens() {
    let emulator = Emulator::start().unwrap();
    let issued = ask_token(&emulator).json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    put_report(
        &emulator,
        MONTHLY_REPORT_ID,
        &json!({"schedule": {"enabled": false}}),
    );
    fault(&emulator, json!({"status": 503, "times": 4}));
    fault(&emulator, json!({"delay_ms": 5000}));
    fault(
        &emulator,
        json!({"outage": true, "status": 500, "after": 5}),
    );
    let reset = admin(&emulator, "POST", "/reset", &json!({}));
    assert_eq!(reset.status, 200, "{}", reset.text());
    assert_eq!(
        reset.json(),
        json!({"cleared": {"faults": 2, "outage": true, "requests": 2}})
    );
    assert_eq!(emulator.requests().len(), 0);
    let began = Instant::now();
    let bearer = format!("Bearer {issued}");
    let answer = send(
        &emulator,
        "GET",
        &format!("/api/2/reports/{MONTHLY_REPORT_ID}"),
        &[("Authorization", &bearer)],
        b"",
    );
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "the delay is gone"
    );
    assert_eq!(answer.status, 200, "the issued token still opens");
    assert_eq!(
        answer.json()["schedule"]["enabled"],
        false,
        "the report stays"
    );
}

#[test]
fn reports_are_seeded_as_the_api_shows_them() {
    let emulator = Emulator::start().unwrap();
    let id = "0D6BA6B9-6F2D-4C42-9C5B-3F1E0A7C2D11";
    let lower = id.to_ascii_lowercase();
    let mut report: Value = emulator.report(MONTHLY_REPORT_ID).unwrap();
    report["id"] = json!(id);
    report["generation_date"] = json!("0000-00-00");
    let added = admin(&emulator, "POST", "/reports", &report);
    assert_eq!(added.status, 201, "{}", added.text());
    assert_eq!(added.json(), json!({ "reports": [lower] }));
    let served = get_report(&emulator, &lower);
    assert_eq!(served.status, 200);
    assert_eq!(served.json()["generation_date"], "0000-00-00");
    assert!(emulator.has_report(&lower));

    // An array adds each; the admin reads one back whatever the faults.
    let mut other = report.clone();
    other["id"] = json!("5b1c2d3e-0000-4000-8000-000000000001");
    report["version"] = json!(9);
    let added = admin(&emulator, "POST", "/reports", &json!([report, other]));
    assert_eq!(
        added.json(),
        json!({"reports": [lower, "5b1c2d3e-0000-4000-8000-000000000001"]})
    );
    fault(&emulator, json!({"outage": true, "status": 503}));
    let held = admin(&emulator, "GET", &format!("/reports/{id}"), &Value::Null);
    assert_eq!(held.status, 200);
    assert_eq!(held.json()["version"], 9, "replaced by id");
    let missing = admin(&emulator, "GET", "/reports/nope", &Value::Null);
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"].is_string());
}

#[test]
fn tenants_are_seeded_into_the_tree_all_or_nothing_and_read_back() {
    let emulator = Emulator::start().unwrap();
    let partner = "F1F1F1F1-0000-4000-8000-000000000001";
    let customer = "c1c1c1c1-0000-4000-8000-000000000001";
    let added = admin(
        &emulator,
        "POST",
        "/tenants",
        &json!({"id": partner, "kind": "partner", "name": "Provider"}),
    );
    assert_eq!(added.status, 201, "{}", added.text());
    assert_eq!(
        added.json(),
        json!({"tenants": ["f1f1f1f1-0000-4000-8000-000000000001"]})
    );
    let added = admin(
        &emulator,
        "POST",
        "/tenants",
        &json!([{"id": customer, "parent_id": partner, "enabled": false}]),
    );
    assert_eq!(added.json(), json!({ "tenants": [customer] }));
    // Read back whatever the faults, as the API's `GET /tenants/{id}` answers it.
    fault(&emulator, json!({"outage": true, "status": 503}));
    let held = admin(
        &emulator,
        "GET",
        &format!("/tenants/{customer}"),
        &Value::Null,
    );
    assert_eq!(held.status, 200);
    let held = held.json();
    assert_eq!(
        (&held["parent_id"], &held["kind"], &held["enabled"]),
        (
            &json!("f1f1f1f1-0000-4000-8000-000000000001"),
            &json!("customer"),
            &json!(false)
        )
    );
    // A batch with one tenant that is not one stores nothing.
    let other = "c2c2c2c2-0000-4000-8000-000000000002";
    let refused = admin(
        &emulator,
        "POST",
        "/tenants",
        &json!([{"id": other}, {"id": customer, "parents": partner}]),
    );
    assert_eq!(refused.status, 400, "{}", refused.text());
    let why = refused.json()["error"].as_str().unwrap().to_owned();
    assert!(why.contains("tenant 2: unknown member `parents`"), "{why}");
    assert!(why.contains("nothing was stored"), "{why}");
    assert_eq!(
        admin(&emulator, "GET", &format!("/tenants/{other}"), &Value::Null).status,
        404
    );
    assert_eq!(
        admin(&emulator, "GET", "/tenants", &Value::Null).status,
        405
    );
}

#[test]
fn malformed_faults_are_refused_with_400_and_change_nothing() {
    let emulator = Emulator::start().unwrap();
    let token_path = "/api/2/idp/token";
    for body in [
        "",
        "   ",
        "{\"status\": 503",
        "[{\"status\": 503}]",
        "503",
        "{}",
        r#"{"statuss": 503}"#,
        r#"{"status": 503, "time": 2}"#,
        r#"{"status": "503"}"#,
        r#"{"status": 503.5}"#,
        r#"{"status": 700}"#,
        r#"{"status": 100}"#,
        r#"{"status": 204}"#,
        r#"{"status": 503, "times": 0}"#,
        r#"{"status": 503, "times": -1}"#,
        r#"{"status": 503, "path": "/reports/abc"}"#,
        r#"{"status": 503, "path": "/api/20/reports"}"#,
        r#"{"status": 503, "path": "/api/2/reports?x=1"}"#,
        &format!(r#"{{"status": 503, "path": "{token_path}"}}"#),
        r#"{"status": 503, "method": "G ET"}"#,
        r#"{"status": 503, "method": ""}"#,
        r#"{"status": 503, "retry_after": -1}"#,
        r#"{"status": 503, "retry_after": "1\r\nSet-Cookie: x=y"}"#,
        r#"{"status": 503, "retry_after": ""}"#,
        r#"{"status": 503, "retry_after": true}"#,
        r#"{"status": 503, "delay_ms": 600001}"#,
        r#"{"status": 503, "body": {"a": 1}}"#,
        r#"{"status": 503, "content_type": "text/html"}"#,
        r#"{"status": 503, "body": "x", "content_type": "text/html\nX: y"}"#,
        r#"{"status": 503, "after": 2}"#,
        r#"{"retry_after": 5}"#,
        r#"{"body": "x"}"#,
        r#"{"times": 2}"#,
        r#"{"status": 503, "token": "yes"}"#,
        r#"{"status": 401, "token": true, "path": "/api/2/reports"}"#,
        r#"{"status": 401, "token": true, "method": "POST"}"#,
        r#"{"status": 401, "token": true, "outage": true}"#,
        r#"{"outage": true}"#,
        r#"{"outage": true, "status": 503, "times": 2}"#,
        r#"{"outage": true, "status": 503, "path": "/api/2/reports"}"#,
        r#"{"outage": true, "status": 503, "delay_ms": 5}"#,
        r#"{"outage": true, "status": 503, "after": -1}"#,
    ] {
        let answer = send(
            &emulator,
            "POST",
            "/__admin/faults",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        assert_eq!(answer.status, 400, "{body}: {}", answer.text());
        let error = answer.json();
        assert!(
            error["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}: {error}"
        );
    }
    let unknown = fault(&emulator, json!({"statuss": 503}));
    assert!(
        unknown.json()["error"]
            .as_str()
            .unwrap()
            .contains("unknown member `statuss`"),
        "{}",
        unknown.text()
    );
    // Nothing was registered: the API answers as usual, token requests too.
    for _ in 0..3 {
        assert_eq!(get_report(&emulator, MONTHLY_REPORT_ID).status, 200);
    }
    assert_eq!(ask_token(&emulator).status, 200);
    assert_eq!(emulator.outage_answers(), 0);
    // null is as absent, and the Content-Type is not checked (curl -d sends a form's).
    let lenient = send(
        &emulator,
        "POST",
        "/__admin/faults",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        br#"{"status": 503, "path": null, "token": false, "outage": false}"#,
    );
    assert_eq!(lenient.status, 201, "{}", lenient.text());
}

#[test]
fn malformed_reports_and_reset_bodies_are_refused_and_change_nothing() {
    let emulator = Emulator::start().unwrap();
    let good = json!({"id": "5b1c2d3e-0000-4000-8000-000000000001", "version": 1});
    for body in [
        json!("a report"),
        json!({"version": 1}),
        json!({"id": 5}),
        json!({"id": ""}),
        json!([good, {"version": 1}]),
        json!([good, 7]),
    ] {
        let answer = admin(&emulator, "POST", "/reports", &body);
        assert_eq!(answer.status, 400, "{body}: {}", answer.text());
        assert!(answer.json()["error"].is_string());
    }
    assert!(!emulator.has_report("5b1c2d3e-0000-4000-8000-000000000001"));
    let empty = admin(&emulator, "POST", "/reports", &Value::Null);
    assert_eq!(empty.status, 400);

    fault(&emulator, json!({"status": 503}));
    get_report(&emulator, MONTHLY_REPORT_ID);
    for (method, path) in [
        ("POST", "/reset"),
        ("DELETE", "/faults"),
        ("DELETE", "/requests"),
    ] {
        let answer = admin(&emulator, method, path, &json!({"requests": false}));
        assert_eq!(answer.status, 400, "{method} {path}: {}", answer.text());
    }
    fault(&emulator, json!({"status": 502}));
    assert_eq!(emulator.requests().len(), 1, "the requests stay");
    assert_vendor_error(&get_report(&emulator, MONTHLY_REPORT_ID), 502);
}

#[test]
fn unknown_endpoints_and_methods_are_answered_in_json() {
    let emulator = Emulator::start().unwrap();
    let index = admin(&emulator, "GET", "", &Value::Null);
    assert_eq!(index.status, 200);
    let endpoints = index.json()["endpoints"].as_array().unwrap().clone();
    assert!(endpoints.contains(&json!("POST /__admin/faults")));
    assert_eq!(admin(&emulator, "GET", "/", &Value::Null).status, 200);

    let missing = admin(&emulator, "GET", "/mappings", &Value::Null);
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"].is_string());
    for (method, path, allow) in [
        ("GET", "/faults", "POST, DELETE"),
        ("POST", "/requests", "GET, DELETE"),
        ("GET", "/reset", "POST"),
        ("PUT", "/reports", "POST"),
        ("DELETE", &format!("/reports/{MONTHLY_REPORT_ID}"), "GET"),
    ] {
        let answer = admin(&emulator, method, path, &Value::Null);
        assert_eq!(answer.status, 405, "{method} {path}");
        assert_eq!(answer.header("allow"), Some(allow), "{method} {path}");
        assert!(answer.json()["error"].is_string());
    }
    assert_eq!(emulator.requests().len(), 0, "none of them recorded");
    // Only `/__admin` and below: a look-alike is the API's 404, and recorded.
    let api = send(&emulator, "GET", "/__administrator", &[], b"");
    assert_vendor_error(&api, 404);
    assert_eq!(emulator.requests().len(), 1);
}

#[test]
fn the_servers_limits_hold_for_the_admin_too() {
    let emulator = Emulator::start().unwrap();
    let host = emulator
        .admin_url()
        .trim_start_matches("http://")
        .trim_end_matches("/__admin")
        .to_owned();
    let mut stream = TcpStream::connect(&host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // A body past 16 MiB is refused from its Content-Length, before it is read.
    write!(
        stream,
        "POST /__admin/faults HTTP/1.1\r\nHost: {host}\r\nContent-Length: 16777217\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    assert_eq!(parse(&raw).status, 413);
    assert_eq!(get_report(&emulator, MONTHLY_REPORT_ID).status, 200);
}

#[test]
fn the_admin_url_is_beside_the_base_url() {
    let emulator = Emulator::start().unwrap();
    let base = emulator.base_url();
    assert_eq!(
        emulator.admin_url(),
        format!("{}/__admin", base.trim_end_matches("/api/2"))
    );
}

#[test]
fn the_answer_delay_is_shown_by_the_index_and_changes_no_answer() {
    let plain = Emulator::start().unwrap();
    let index = admin(&plain, "GET", "", &Value::Null).json();
    assert_eq!(index["settings"], json!({"answer_delay_ms": 0}));

    // Short, so that the test does not wait: what is checked is that the setting holds and
    // the answers are the same (the delay itself is held by the unit tests of `serve`).
    let late = Emulator::builder()
        .answer_delay(Duration::from_millis(5))
        .start()
        .unwrap();
    let index = admin(&late, "GET", "", &Value::Null).json();
    assert_eq!(index["settings"], json!({"answer_delay_ms": 5}));
    for emulator in [&plain, &late] {
        let got = get_report(emulator, MONTHLY_REPORT_ID);
        assert_eq!(got.status, 200);
        assert_eq!(got.json()["id"], MONTHLY_REPORT_ID);
        assert_eq!(ask_token(emulator).status, 200);
    }
    assert_eq!(plain.requests().len(), late.requests().len());
    // Longer than ten minutes is ten minutes.
    let longest = Emulator::builder()
        .answer_delay(Duration::from_secs(3600))
        .start()
        .unwrap();
    let index = admin(&longest, "GET", "", &Value::Null).json();
    assert_eq!(index["settings"], json!({"answer_delay_ms": 600_000}));
}
