//! End to end against the local emulator of the API: what reaches the server, byte for byte,
//! what the server keeps, and that one agent reuses one connection.
#![cfg(feature = "ureq")]

use crate::common;

use acronis_reports::{Client, Error, Field, Level, ReportUpdate};
use acronis_reports_emulator::{Emulator, MONTHLY_REPORT_ID, ONCE_REPORT_ID, Quirks, TOKEN};
use serde_json::json;

fn client(emulator: &Emulator) -> Client {
    common::emulator_builder(emulator)
        .transport(common::loopback_transport())
        .build()
        .unwrap()
}

#[test]
fn disable_then_enable_changes_the_stored_report() {
    let emulator = Emulator::start().unwrap();
    let c = client(&emulator);
    let version = emulator
        .report::<serde_json::Value>(MONTHLY_REPORT_ID)
        .unwrap()["version"]
        .as_i64()
        .unwrap();

    let report = c.disable_report(MONTHLY_REPORT_ID.to_uppercase()).unwrap();
    assert!(!report.schedule.enabled);
    assert_eq!(report.version, version + 1);
    assert_eq!(
        emulator
            .report::<serde_json::Value>(MONTHLY_REPORT_ID)
            .unwrap()["schedule"],
        json!({"type": "monthly", "enabled": false})
    );

    let report = c.enable_report(MONTHLY_REPORT_ID).unwrap();
    assert!(report.schedule.enabled);
    assert_eq!(
        emulator
            .report::<serde_json::Value>(MONTHLY_REPORT_ID)
            .unwrap()["schedule"]["enabled"],
        json!(true)
    );

    let requests = emulator.requests();
    let seen: Vec<_> = requests
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.path.as_str(),
                String::from_utf8_lossy(&r.body).into_owned(),
            )
        })
        .collect();
    let target = format!("/api/2/reports/{MONTHLY_REPORT_ID}");
    assert_eq!(
        seen,
        vec![
            (
                "PUT",
                target.as_str(),
                r#"{"schedule":{"enabled":false}}"#.to_owned()
            ),
            (
                "PUT",
                target.as_str(),
                r#"{"schedule":{"enabled":true}}"#.to_owned()
            ),
        ]
    );
    let validator = common::schema_validator("reportPut");
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("accept"), Some("application/json"));
        assert_eq!(
            r.header("content-length"),
            Some(r.body.len().to_string().as_str())
        );
        assert_eq!(
            r.header("user-agent"),
            Some(acronis_reports::client::DEFAULT_USER_AGENT)
        );
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert!(validator.is_valid(&body), "{body}");
    }
}

#[test]
fn a_full_update_is_applied_and_verified() {
    let emulator = Emulator::start().unwrap();
    let user = "0f9e3c1a-5b7d-4e2f-8a6c-1d3b5f7e9a2c";
    let update = ReportUpdate::new()
        .recipients([user.parse().unwrap()])
        .level(Level::DirectPartners)
        .hide_zero_usage(false)
        .show_skus(true);
    let report = client(&emulator)
        .update_report(MONTHLY_REPORT_ID, &update)
        .unwrap();
    assert_eq!(
        report.recipients,
        vec![user.parse::<acronis_reports::Uuid>().unwrap()]
    );
    assert_eq!(report.parameters.level, Level::DirectPartners);
    let stored = emulator
        .report::<serde_json::Value>(MONTHLY_REPORT_ID)
        .unwrap();
    assert_eq!(stored["parameters"]["show_skus"], json!(true));
    assert_eq!(
        stored["parameters"]["kind"],
        json!("usage_summary"),
        "members not in the patch are kept"
    );
}

#[test]
fn one_agent_reuses_one_connection() {
    let emulator = Emulator::start().unwrap();
    // The default transport, as `build()` makes it (its proxy skipped for loopback).
    let c = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    for i in 0..6 {
        if i % 2 == 0 {
            c.disable_report(MONTHLY_REPORT_ID).unwrap();
        } else {
            c.get_report(MONTHLY_REPORT_ID).unwrap();
        }
    }
    // Clones share the agent, and so the connection.
    c.clone().enable_report(MONTHLY_REPORT_ID).unwrap();
    assert_eq!(emulator.requests().len(), 7);
    assert_eq!(emulator.connections(), 1);
}

#[test]
fn the_client_is_shared_across_threads() {
    let emulator = Emulator::start().unwrap();
    let c = client(&emulator);
    std::thread::scope(|s| {
        for _ in 0..4 {
            let c = &c;
            s.spawn(move || {
                for _ in 0..5 {
                    c.get_report(MONTHLY_REPORT_ID).unwrap();
                }
            });
        }
    });
    assert_eq!(emulator.requests().len(), 20);
    assert!(
        emulator.connections() <= 4,
        "{} connections",
        emulator.connections()
    );
}

#[test]
fn a_one_time_report_cannot_be_disabled() {
    let emulator = Emulator::start().unwrap();
    let err = client(&emulator)
        .disable_report(ONCE_REPORT_ID)
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 400);
    assert_eq!(
        api.message.as_deref(),
        Some("Only scheduled reports can be updated")
    );
    assert_eq!(
        emulator
            .report::<serde_json::Value>(ONCE_REPORT_ID)
            .unwrap()["schedule"]["enabled"],
        json!(true)
    );
}

#[test]
fn a_server_that_ignores_the_update_is_caught() {
    let emulator = Emulator::start().unwrap();
    emulator.set_quirks(Quirks::new().ignore_updates(true));
    let err = client(&emulator)
        .disable_report(MONTHLY_REPORT_ID)
        .unwrap_err();
    let Error::Mismatch { mismatch: m, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(m.fields.len(), 1);
    assert_eq!(m.fields[0].field, Field::ScheduleEnabled);
}

#[test]
fn a_204_is_followed_by_a_get_and_verified() {
    let emulator = Emulator::start().unwrap();
    emulator.set_quirks(Quirks::new().put_answers_204(true));
    let report = client(&emulator).disable_report(MONTHLY_REPORT_ID).unwrap();
    assert!(!report.schedule.enabled);
    let methods: Vec<_> = emulator
        .requests()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(methods, ["PUT", "GET"]);
}

#[test]
fn a_wrong_token_is_a_401() {
    let emulator = Emulator::start().unwrap();
    let c = common::client_with_token(
        emulator.base_url().trim_end_matches("/api/2"),
        "wrong-token",
    );
    let err = c.get_report(MONTHLY_REPORT_ID).unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(
        err.to_string()
            .contains("check that the token is valid and not expired"),
        "{err}"
    );
    assert!(!err.to_string().contains("wrong-token"));
}

#[test]
fn an_unknown_report_is_a_404() {
    let emulator = Emulator::start().unwrap();
    let err = client(&emulator)
        .get_report("00000000-0000-4000-8000-000000000000")
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (api.status, api.message.as_deref()),
        (404, Some("Report not found"))
    );
}

#[test]
fn faults_by_report_by_count_and_delays() {
    use acronis_reports::{Error, Report};
    let emulator = Emulator::start().unwrap();
    let client = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .retries(0)
        .timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    // One report fails, the others do not.
    emulator.fail_report(ONCE_REPORT_ID, 403);
    assert_eq!(
        client.get_report(ONCE_REPORT_ID).unwrap_err().status(),
        Some(403)
    );
    client.get_report(MONTHLY_REPORT_ID).unwrap();
    emulator.clear_faults();
    client.get_report(ONCE_REPORT_ID).unwrap();
    // A raw answer: a gateway's page with a 200.
    emulator.answer_next(1, 200, "<html>maintenance</html>");
    assert!(matches!(
        client.get_report(MONTHLY_REPORT_ID).unwrap_err(),
        Error::Decode { .. }
    ));
    // A slow answer: longer than the client waits.
    emulator.delay_next(1, std::time::Duration::from_secs(1));
    assert!(matches!(
        client.get_report(MONTHLY_REPORT_ID).unwrap_err(),
        Error::Timeout { .. }
    ));
    // Typed reads of what it holds.
    let report: Report = emulator.report(MONTHLY_REPORT_ID).unwrap();
    assert_eq!(report.id.to_string(), MONTHLY_REPORT_ID);
    let typed: Option<Report> = emulator.report("00000000-0000-4000-8000-000000000000");
    assert!(typed.is_none());
}

#[test]
fn a_builder_chooses_the_reports_and_the_port() {
    use acronis_reports::Report;
    let seed = Emulator::start().unwrap();
    let mut report: Report = seed.report(MONTHLY_REPORT_ID).unwrap();
    report.schedule.enabled = false;
    // The library's own types seed it.
    let emulator = Emulator::builder().reports([&report]).start().unwrap();
    let client = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    assert!(
        !client
            .get_report(MONTHLY_REPORT_ID)
            .unwrap()
            .schedule
            .enabled
    );
    assert_eq!(
        client.get_report(ONCE_REPORT_ID).unwrap_err().status(),
        Some(404)
    );
    // A fixed port: one found free a moment ago (tried again if another process took it
    // meanwhile).
    let fixed = (0..20)
        .find_map(|_| {
            let port = common::raw::closed_port();
            let emulator = Emulator::builder().port(port).start().ok()?;
            Some((port, emulator))
        })
        .expect("a free port");
    assert_eq!(
        fixed.1.base_url(),
        format!("http://127.0.0.1:{}/api/2", fixed.0)
    );
    // A report that does not serialize to one with an id is refused by start.
    let err = Emulator::builder()
        .reports([serde_json::json!({"no": "id"})])
        .start()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    // Requests are recorded typed.
    let requests = emulator.requests();
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].report_id(), Some(MONTHLY_REPORT_ID));
    assert_eq!(requests[0].query, None);
    assert!(!requests[0].is_token_request());
}
