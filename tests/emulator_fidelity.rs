//! The emulator behaves like the vendor's API where the reference describes it, checked with
//! raw HTTP (no SDK in between), so the SDK's tests against it mean something.
#![cfg(feature = "ureq")]

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
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build(),
    );
    let mut request = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", emulator.base_url()));
    if let Some(token) = auth {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    let mut response = agent.run(request.body(body.to_owned()).unwrap()).unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    (
        status,
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        },
    )
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
