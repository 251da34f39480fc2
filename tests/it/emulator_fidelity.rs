//! The emulator behaves like the vendor's API where the reference describes it, checked with
//! raw HTTP (no SDK in between), so the SDK's tests against it mean something.
#![cfg(feature = "ureq")]

use crate::common;

use acronis_reports_emulator::{Emulator, MONTHLY_REPORT_ID, ONCE_REPORT_ID, TOKEN};
use serde_json::{Value, json};

/// Sends a raw request; the status and the body as JSON (`null` when empty).
fn raw(
    emulator: &Emulator,
    method: &str,
    path: &str,
    auth: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let bearer = auth.map(|token| format!("Bearer {token}"));
    let mut headers = Vec::new();
    if let Some(bearer) = &bearer {
        headers.push(("authorization", bearer.as_str()));
    }
    if let Some(ct) = content_type {
        headers.push(("content-type", ct));
    }
    common::ask(&emulator.base_url(), method, path, &headers, body)
}

/// Asserts the vendor's error body shape.
fn assert_vendor_error(body: &Value, code: u16) {
    let e = &body["error"];
    assert_eq!(e["code"], code, "{body}");
    assert!(e["message"].is_string(), "{body}");
    assert!(
        e.get("domain").is_some() && e["details"].is_object(),
        "{body}"
    );
}

const PUT_PATH: &str = "/reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc";

#[test]
fn members_outside_report_put_are_refused_with_400() {
    let emulator = Emulator::start().unwrap();
    for body in [
        json!({"schedule": {"enabled": false, "type": "once"}}),
        json!({"id": MONTHLY_REPORT_ID}),
        json!({"version": 3}),
        json!({"parameters": {"tenant_id": "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc"}}),
        json!({"schedule": {}}),
    ] {
        let (status, answer) = raw(
            &emulator,
            "PUT",
            PUT_PATH,
            Some(TOKEN),
            Some("application/json"),
            &body.to_string(),
        );
        assert_eq!(status, 400, "{body}");
        assert_vendor_error(&answer, 400);
    }
    assert_eq!(
        emulator
            .report::<serde_json::Value>(MONTHLY_REPORT_ID)
            .unwrap()["schedule"]["enabled"],
        true,
        "nothing changed"
    );
}

#[test]
fn updates_increment_the_version_and_once_reports_are_refused() {
    let emulator = Emulator::start().unwrap();
    let before = emulator
        .report::<serde_json::Value>(MONTHLY_REPORT_ID)
        .unwrap()["version"]
        .as_i64()
        .unwrap();
    let (status, answer) = raw(
        &emulator,
        "PUT",
        PUT_PATH,
        Some(TOKEN),
        Some("application/json"),
        r#"{"schedule":{"enabled":false}}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(answer["version"], before + 1);
    assert_eq!(answer["schedule"]["enabled"], false);

    let path = format!("/reports/{ONCE_REPORT_ID}");
    let (status, answer) = raw(
        &emulator,
        "PUT",
        &path,
        Some(TOKEN),
        Some("application/json"),
        r#"{"schedule":{"enabled":false}}"#,
    );
    assert_eq!(status, 400);
    assert_vendor_error(&answer, 400);
}

#[test]
fn the_bearer_token_is_checked() {
    let emulator = Emulator::start().unwrap();
    for auth in [None, Some("wrong")] {
        let (status, answer) = raw(&emulator, "GET", PUT_PATH, auth, None, "");
        assert_eq!(status, 401);
        assert_vendor_error(&answer, 401);
    }
}

#[test]
fn unknown_reports_are_404_with_the_error_body() {
    let emulator = Emulator::start().unwrap();
    let (status, answer) = raw(
        &emulator,
        "GET",
        "/reports/00000000-0000-4000-8000-000000000000",
        Some(TOKEN),
        None,
        "",
    );
    assert_eq!(status, 404);
    assert_vendor_error(&answer, 404);
}

#[test]
fn a_body_without_a_json_content_type_is_415() {
    let emulator = Emulator::start().unwrap();
    for content_type in [None, Some("text/plain")] {
        let (status, answer) = raw(
            &emulator,
            "PUT",
            PUT_PATH,
            Some(TOKEN),
            content_type,
            r#"{"schedule":{"enabled":false}}"#,
        );
        assert_eq!(status, 415);
        assert_vendor_error(&answer, 415);
        let (status, _) = raw(
            &emulator,
            "POST",
            "/reports",
            Some(TOKEN),
            content_type,
            "{}",
        );
        assert_eq!(status, 415);
    }
}

/// The rule: the emulator accepts what the vendor's own scripts send. These are the bodies of
/// `reports/create_report_retrieve.py` (and `07.create-report-retrieve.sh`, the same) and
/// `reports/create_sku_report_retrieve.py`, as they send them.
fn vendor_script_bodies() -> [String; 2] {
    let tenant = acronis_reports_emulator::TENANT_ID;
    [
        format!(
            r#"{{"parameters": {{"kind": "usage_current", "tenant_id": "{tenant}", "level": "accounts", "formats": ["csv_v2_0"]}}, "schedule": {{"type": "once"}}, "result_action": "save"}}"#
        ),
        format!(
            r#"{{"parameters": {{"kind": "usage_summary", "tenant_id": "{tenant}", "level": "direct_partners", "formats": ["csv_v2_0"], "show_skus": "true", "hide_zero_usage": "false", "period": {{"start": "2021-10-01", "end": "2021-10-31"}}}}, "schedule": {{"type": "once"}}, "result_action": "save"}}"#
        ),
    ]
}

#[test]
fn the_vendors_script_bodies_are_accepted_and_answered_as_the_schema_has_it() {
    let emulator = Emulator::start().unwrap();
    let report_schema = common::schema_validator("report");
    for (n, body) in vendor_script_bodies().iter().enumerate() {
        let (status, report) = raw(
            &emulator,
            "POST",
            "/reports",
            Some(TOKEN),
            Some("application/json"),
            body,
        );
        assert_eq!(status, 200, "script {n}: {report}");
        // Input as the scripts send it; output as the schema has it.
        assert_eq!(report["recipients"], json!([]), "{report}");
        let flags = (
            &report["parameters"]["show_skus"],
            &report["parameters"]["hide_zero_usage"],
        );
        if n == 1 {
            assert_eq!(flags, (&json!(true), &json!(false)));
        }
        assert!(flags.0.is_boolean() && flags.1.is_boolean(), "{report}");
        let errors: Vec<String> = report_schema
            .iter_errors(&report)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{report}: {errors:?}");
        // Right after the create, the stored list holds the file's entry, as they read it.
        let id = report["id"].as_str().unwrap();
        let (status, stored) = raw(
            &emulator,
            "GET",
            &format!("/reports/{id}/stored"),
            Some(TOKEN),
            None,
            "",
        );
        assert_eq!(
            (status, &stored["items"][0]["status"]),
            (200, &json!("in_progress"))
        );
    }
    // Still refused: a string that is not a boolean, and a sent report without recipients.
    let tenant = acronis_reports_emulator::TENANT_ID;
    for body in [
        vendor_script_bodies()[1].replace(r#""show_skus": "true""#, r#""show_skus": "yes""#),
        format!(
            r#"{{"parameters": {{"kind": "usage_current", "tenant_id": "{tenant}", "level": "accounts"}}, "schedule": {{"type": "once"}}, "result_action": "send"}}"#
        ),
    ] {
        let (status, answer) = raw(
            &emulator,
            "POST",
            "/reports",
            Some(TOKEN),
            Some("application/json"),
            &body,
        );
        assert_eq!(status, 400, "{body}");
        assert_vendor_error(&answer, 400);
    }
}

/// One request without a body over a fresh connection, read to its end: the status line, the
/// headers (names lowercase) and the body bytes, as they came (no decoding).
fn raw_exchange(emulator: &Emulator, head: &str) -> (String, Vec<(String, String)>, Vec<u8>) {
    raw_exchange_parts(emulator, head, "")
}

#[test]
fn a_stored_file_is_content_encoded_for_clients_that_accept_gzip() {
    let emulator = Emulator::start().unwrap();
    emulator.set_polls_before_saved(0);
    let (status, report) = raw(
        &emulator,
        "POST",
        "/reports",
        Some(TOKEN),
        Some("application/json"),
        &vendor_script_bodies()[0],
    );
    assert_eq!(status, 200);
    let id = report["id"].as_str().unwrap();
    let (_, stored) = raw(
        &emulator,
        "GET",
        &format!("/reports/{id}/stored"),
        Some(TOKEN),
        None,
        "",
    );
    let stored_id = stored["items"][0]["id"].as_str().unwrap();
    let path = format!("/api/2/reports/{id}/stored/{stored_id}");
    let expected = Emulator::usage_content(
        "csv_v2_0",
        acronis_reports_emulator::TENANT_ID,
        "2026-10-01",
        "2026-10-31",
    )
    .unwrap();
    let gunzip = |body: &[u8]| {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(body), &mut out).unwrap();
        out
    };
    // (Accept-Encoding sent, Content-Encoding expected): curl --compressed sends
    // "deflate, gzip"; requests "gzip, deflate"; no header or identity gets the bytes as they
    // are stored (gzip, without the header).
    for (accept_encoding, encoded) in [
        (Some("deflate, gzip"), true),
        (Some("gzip, deflate, br, zstd"), true),
        (Some("*"), true),
        (Some("gzip;q=0, identity"), false),
        (Some("gzip;q=0, *"), false),
        (Some("identity"), false),
        // Sent on two lines: read as one list.
        (Some("identity\r\nAccept-Encoding: gzip"), true),
        (None, false),
    ] {
        let extra = accept_encoding.map_or(String::new(), |v| format!("Accept-Encoding: {v}\r\n"));
        let (status, headers, body) = raw_exchange(
            &emulator,
            &format!(
                "GET {path} HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nAccept: */*\r\n{extra}"
            ),
        );
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        let content_encoding = headers
            .iter()
            .find(|(n, _)| n == "content-encoding")
            .map(|(_, v)| v.as_str());
        assert_eq!(
            content_encoding,
            encoded.then_some("gzip"),
            "{accept_encoding:?}"
        );
        assert_eq!(
            &body[..2],
            [0x1f, 0x8b],
            "gzip bytes on the wire either way"
        );
        assert!(gunzip(&body) == expected, "{accept_encoding:?}");
        assert_eq!(
            stored["items"][0]["size"],
            json!(body.len()),
            "size is the compressed size"
        );
    }
}

#[test]
fn every_json_answer_is_one_line_whatever_accept_says() {
    let emulator = Emulator::start().unwrap();
    let get = format!("GET /api/2/reports/{MONTHLY_REPORT_ID} HTTP/1.1\r\n");
    let auth = format!("Authorization: Bearer {TOKEN}\r\n");
    // The vendor ties 415 to Content-Type only: what a client asks for in Accept is not
    // refused (read tolerantly), whatever it is.
    for accept in [
        None,
        Some("application/json"),
        Some("*/*"),
        Some("text/html"),
        Some(""),
    ] {
        let accept_line = accept.map_or(String::new(), |v| format!("Accept: {v}\r\n"));
        let (status, _, _) = raw_exchange(&emulator, &format!("{get}{auth}{accept_line}"));
        assert!(status.starts_with("HTTP/1.1 200"), "{accept:?}: {status}");
    }
    // One line per body: the vendor's Bash scripts read each answer with `read -r`.
    let token = format!(
        "POST /api/2/idp/token HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Authorization: Basic {}\r\nContent-Length: 29\r\n",
        base64_pair()
    );
    let (_, _, token_body) = raw_exchange_parts(&emulator, &token, "grant_type=client_credentials");
    let stored = format!("GET /api/2/reports/{ONCE_REPORT_ID}/stored HTTP/1.1\r\n{auth}");
    let list = format!(
        "GET /api/2/tenants/{}/reports HTTP/1.1\r\n{auth}",
        acronis_reports_emulator::TENANT_ID
    );
    let missing =
        "GET /api/2/reports/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\n".to_owned() + &auth;
    for head in [get.clone() + &auth, stored, list, missing, get.clone()] {
        let (status, _, body) = raw_exchange(&emulator, &head);
        assert!(
            !body.is_empty() && !body.contains(&b'\n'),
            "{status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    assert!(!token_body.contains(&b'\n'));
    let token: Value = serde_json::from_slice(&token_body).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // `expires_on` beside `expires_in`, as the reference lists it and the scripts read it.
    let expires_on = token["expires_on"].as_i64().unwrap();
    assert_eq!(token["expires_in"], 7200);
    assert!(
        (now + 7200 - 5..=now + 7200 + 5).contains(&expires_on),
        "{token}"
    );
}

fn base64_pair() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        acronis_reports_emulator::CLIENT_ID,
        acronis_reports_emulator::CLIENT_SECRET
    ))
}

/// One request over a fresh connection (`head`: the request line and headers, each ending in
/// CRLF; `Host` and `Connection: close` are added), read to its end.
fn raw_exchange_parts(
    emulator: &Emulator,
    head: &str,
    body: &str,
) -> (String, Vec<(String, String)>, Vec<u8>) {
    use std::io::{Read, Write};
    let addr = emulator
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches("/api/2")
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .write_all(format!("{head}Host: {addr}\r\nConnection: close\r\n\r\n{body}").as_bytes())
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let text = String::from_utf8(answer[..end].to_vec()).unwrap();
    let mut lines = text.split("\r\n");
    let status = lines.next().unwrap().to_owned();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect();
    (status, headers, answer[end + 4..].to_vec())
}

/// The address of `emulator`, for raw connections.
fn addr(emulator: &Emulator) -> String {
    emulator
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches("/api/2")
        .to_owned()
}

/// What the server answers on `stream` until it closes it: the status line, or "" for none.
fn status_line(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[test]
fn the_emulator_stands_up_to_hostile_clients() {
    use std::io::Write;
    let emulator = Emulator::builder()
        .idle_timeout(std::time::Duration::from_millis(200))
        .max_recorded_requests(3)
        .start()
        .unwrap();
    let addr = addr(&emulator);
    // A request line that never ends: refused at 64 KiB, not kept growing.
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    let _ = stream.write_all(&vec![b'G'; 100 * 1024]);
    assert!(status_line(&mut stream).starts_with("HTTP/1.1 431"), "431");
    // A body announced past 16 MiB: refused before it is read.
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .write_all(
            format!(
                "PUT /api/2/reports/{MONTHLY_REPORT_ID} HTTP/1.1\r\nHost: x\r\nContent-Length: 17000000\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
    assert!(status_line(&mut stream).starts_with("HTTP/1.1 413"), "413");
    // Idle connections are closed, without an answer.
    let mut idle: Vec<_> = (0..2)
        .map(|_| std::net::TcpStream::connect(&addr).unwrap())
        .collect();
    for stream in &mut idle {
        assert_eq!(
            status_line(stream),
            "",
            "closed when idle, without an answer"
        );
    }
    // While two connections are open, a third is answered 503 and closed.
    let limited = Emulator::builder().max_connections(2).start().unwrap();
    let limited_addr = self::addr(&limited);
    let open: Vec<_> = (0..2)
        .map(|_| std::net::TcpStream::connect(&limited_addr).unwrap())
        .collect();
    while limited.connections() < 2 {
        std::thread::yield_now();
    }
    let mut third = std::net::TcpStream::connect(&limited_addr).unwrap();
    assert!(status_line(&mut third).starts_with("HTTP/1.1 503"));
    drop(open);
    // Served again once they are gone, and only the last requests are kept.
    for _ in 0..5 {
        let (status, _) = raw(
            &emulator,
            "GET",
            &format!("/reports/{MONTHLY_REPORT_ID}"),
            Some(TOKEN),
            None,
            "",
        );
        assert_eq!(status, 200);
    }
    assert_eq!(emulator.requests().len(), 3);
    assert_eq!(emulator.dropped_requests(), 2);
}
