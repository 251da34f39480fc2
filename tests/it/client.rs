//! The client against mockito servers: what the server sees, and how every answer maps.
#![cfg(feature = "ureq")]

use crate::common;

use acronis_reports::transport::{RootCertificates, TransportErrorKind};
use acronis_reports::{Client, Error, Field, InputKind, Level, ReportKind, ReportUpdate};
use common::{ID, OTHER_ID, TOKEN, USER_A, USER_B, client, report_json};
use mockito::{Matcher, Server};
use serde_json::json;

const PATH: &str = "/api/2/reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc";

/// Disables report `ID` against a server that answers the `PUT` with `status`, `headers`
/// and `body`; returns the error the client gives.
fn disable_answered_with(status: usize, headers: &[(&str, &str)], body: &str) -> Error {
    let mut server = Server::new();
    let mut mock = server.mock("PUT", PATH).with_status(status).with_body(body);
    for (name, value) in headers {
        mock = mock.with_header(*name, value);
    }
    let _mock = mock.create();
    client(&server.url()).disable_report(ID).unwrap_err()
}

/// A client of `server_url` that reads at most `limit` bytes of a body.
fn capped_client(server_url: &str, limit: u64) -> Client {
    common::client_builder(server_url)
        .max_response_bytes(limit)
        .build()
        .unwrap()
}

/// Mocks that fail their `assert` if the server sees any request at all.
fn expect_no_request(server: &mut mockito::ServerGuard) -> Vec<mockito::Mock> {
    ["GET", "PUT", "POST", "DELETE"]
        .map(|m| server.mock(m, Matcher::Any).expect(0).create())
        .into()
}

/// Asserts that neither `Display` nor `Debug` of `err` (with its sources) shows the token.
fn assert_no_token(err: &Error) {
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert!(!text.contains(TOKEN), "token leaked: {text}");
}

#[test]
fn disable_sends_exactly_the_vendor_request() {
    let mut server = Server::new();
    let put = server
        .mock("PUT", PATH)
        .match_header("content-type", "application/json")
        .match_header("accept", "application/json")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header(
            "user-agent",
            concat!("acronis-reports/", env!("CARGO_PKG_VERSION")),
        )
        .match_body(Matcher::Exact(r#"{"schedule":{"enabled":false}}"#.into()))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(report_json(ID, false).to_string())
        .expect(1)
        .create();
    let report = client(&server.url()).disable_report(ID).unwrap();
    put.assert();
    assert_eq!(report.id.to_string(), ID);
    assert!(!report.schedule.enabled);
    assert_eq!(report.version, 1_559_561_146_224);
}

#[test]
fn enable_and_combined_update_send_their_patches() {
    let mut server = Server::new();
    let mut returned = report_json(ID, true);
    returned["recipients"] = json!([USER_B, USER_A]);
    returned["parameters"]["level"] = json!("all_customers");
    returned["parameters"]["kind"] = json!("usage_daily");
    let put = server
        .mock("PUT", PATH)
        .match_body(Matcher::Exact(
            format!(
                r#"{{"recipients":["{USER_A}","{USER_B}"],"parameters":{{"level":"all_customers","kind":"usage_daily","hide_zero_usage":true}},"schedule":{{"enabled":true}}}}"#
            )
        ))
        .with_body(returned.to_string())
        .create();
    let update = ReportUpdate::enable()
        .recipients([USER_A.parse().unwrap(), USER_B.parse().unwrap()])
        .level(Level::AllCustomers)
        .kind(ReportKind::UsageDaily)
        .hide_zero_usage(true);
    let report = client(&server.url()).update_report(ID, &update).unwrap();
    put.assert();
    assert_eq!(report.parameters.level, Level::AllCustomers);
    assert!(report.schedule.enabled);
}

#[test]
fn upper_case_id_is_sent_lowercase() {
    let mut server = Server::new();
    let get = server
        .mock("GET", PATH)
        .with_body(report_json(ID, true).to_string())
        .create();
    let report = client(&server.url()).get_report(ID.to_uppercase()).unwrap();
    get.assert();
    assert_eq!(report.id.to_string(), ID);
}

#[test]
fn a_report_that_does_not_reflect_the_patch_is_a_mismatch() {
    let err = disable_answered_with(200, &[], &report_json(ID, true).to_string());
    let Error::Mismatch { mismatch: m, .. } = &err else {
        panic!("expected Mismatch, got {err:?}")
    };
    assert_eq!(m.fields.len(), 1);
    assert_eq!(m.fields[0].field, Field::ScheduleEnabled);
    assert_eq!(m.fields[0].requested, json!(false));
    assert_eq!(m.fields[0].returned, json!(true));
    assert_eq!(
        err.to_string(),
        format!(
            "PUT /reports/{ID}: the returned report does not match the request: schedule.enabled: requested false, returned true"
        )
    );
    let Error::Mismatch { call, .. } = &err else {
        unreachable!()
    };
    assert_eq!((call.endpoint.method().as_str(), call.status), ("PUT", 200));
    assert!(!err.is_retryable());
}

#[test]
fn another_report_in_the_answer_is_a_mismatch_on_id() {
    let err = disable_answered_with(200, &[], &report_json(OTHER_ID, false).to_string());
    let Error::Mismatch { mismatch: m, .. } = &err else {
        panic!("expected Mismatch, got {err:?}")
    };
    let f = m.field(Field::Id).expect("id mismatch listed");
    assert_eq!(
        (f.requested.clone(), f.returned.clone()),
        (json!(ID), json!(OTHER_ID))
    );
    assert_eq!(m.fields.len(), 1);
}

#[test]
fn a_204_answer_is_checked_by_fetching_the_report() {
    let mut server = Server::new();
    let put = server.mock("PUT", PATH).with_status(204).create();
    let get = server
        .mock("GET", PATH)
        .with_body(report_json(ID, false).to_string())
        .expect(1)
        .create();
    let report = client(&server.url()).disable_report(ID).unwrap();
    put.assert();
    get.assert();
    assert!(!report.schedule.enabled);
}

#[test]
fn an_empty_200_answer_is_checked_by_fetching_the_report() {
    let mut server = Server::new();
    server
        .mock("PUT", PATH)
        .with_status(200)
        .with_body("")
        .create();
    let get = server
        .mock("GET", PATH)
        .with_body(report_json(ID, true).to_string())
        .expect(1)
        .create();
    let err = client(&server.url()).disable_report(ID).unwrap_err();
    get.assert();
    let Error::Mismatch { mismatch: m, .. } = &err else {
        panic!("expected Mismatch, got {err:?}")
    };
    assert_eq!(m.fields[0].field, Field::ScheduleEnabled);
}

#[test]
fn vendor_error_bodies_become_api_errors() {
    for (status, code, message) in [
        (400, json!(400), "The request could not be processed."),
        (401, json!(401), "Unauthorized"),
        (403, json!("forbidden"), "Access denied"),
        (404, json!(404), "Report not found"),
        (415, json!(415), "Unsupported Media Type"),
        (500, json!(500), "Internal error"),
    ] {
        let body = json!({"error": {"code": code, "message": message, "domain": "PlatformAccountServer",
            "details": {"info": "more detail"}, "context": {}, "data": ["x"]}});
        let err = disable_answered_with(
            status,
            &[("content-type", "application/json")],
            &body.to_string(),
        );
        assert_no_token(&err);
        assert_eq!(err.status(), Some(status as u16));
        assert_eq!(err.is_retryable(), status == 500, "{status}");
        let Error::Api(api) = &err else {
            panic!("expected Api, got {err:?}")
        };
        let expected_code = code
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| code.to_string());
        assert_eq!(api.code.as_deref(), Some(expected_code.as_str()));
        assert_eq!(api.message.as_deref(), Some(message));
        assert_eq!(api.domain.as_deref(), Some("PlatformAccountServer"));
        assert_eq!(api.info.as_deref(), Some("more detail"));
        assert_eq!(api.body, None);
        assert_eq!(api.path, "/reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "PUT /reports/{ID}: the server answered {status}: {message} (code {expected_code}, domain PlatformAccountServer, info more detail); "
            )),
            "{text}"
        );
    }
}

#[test]
fn the_request_id_and_retry_after_are_kept() {
    let err = disable_answered_with(
        429,
        &[("x-request-id", "7f1c-42"), ("retry-after", "12")],
        r#"{"error": {"code": 429, "message": "Too many requests", "domain": null, "details": {"info": null}}}"#,
    );
    assert_eq!(err.request_id(), Some("7f1c-42"));
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.retry_after, Some(std::time::Duration::from_secs(12)));
    assert!(err.to_string().contains("(request id 7f1c-42)"), "{err}");
}

#[test]
fn null_members_of_the_error_body_are_none() {
    let mut server = Server::new();
    server
        .mock("GET", PATH)
        .with_status(404)
        .with_body(r#"{"error": {"code": 404, "message": "Not found", "domain": null, "details": {"info": null}}}"#)
        .create();
    let Error::Api(api) = client(&server.url()).get_report(ID).unwrap_err() else {
        panic!()
    };
    assert_eq!((api.domain, api.info, api.body), (None, None, None));
    assert_eq!(api.message.as_deref(), Some("Not found"));
}

#[test]
fn non_json_error_bodies_are_kept_truncated() {
    let page = format!(
        "<html><body><h1>502 Bad Gateway</h1>{}</body></html>",
        "x".repeat(5000)
    );
    let err = disable_answered_with(502, &[("content-type", "text/html")], &page);
    assert!(err.is_retryable());
    let Error::Api(api) = &err else {
        panic!("expected Api, got {err:?}")
    };
    assert_eq!(api.status, 502);
    assert_eq!(api.code, None);
    let body = api.body.as_deref().unwrap();
    assert!(
        body.starts_with("<html><body><h1>502 Bad Gateway</h1>xxx"),
        "{body}"
    );
    assert_eq!(
        body.chars().count(),
        1025,
        "1024 characters and an ellipsis"
    );
    assert!(err.to_string().contains(
        "with a body that is not the API's error JSON: \"<html><body><h1>502 Bad Gateway"
    ));

    // The token endpoint's OAuth shape is not the vendor's error JSON either: kept raw.
    let mut server = Server::new();
    server
        .mock("GET", PATH)
        .with_status(401)
        .with_body(r#"{"error":"access_denied"}"#)
        .create();
    let Error::Api(api) = client(&server.url()).get_report(ID).unwrap_err() else {
        panic!()
    };
    assert_eq!(api.body.as_deref(), Some(r#"{"error":"access_denied"}"#));
}

#[test]
fn an_html_200_is_a_decode_error() {
    let err = disable_answered_with(
        200,
        &[("content-type", "text/html")],
        "<!DOCTYPE html><html><body>Maintenance</body></html>",
    );
    let Error::Decode { error: d, .. } = &err else {
        panic!("expected Decode, got {err:?}")
    };
    assert_eq!(d.what, "report");
    assert_eq!(d.message, "the body is not JSON");
    assert!(d.body.starts_with("<!DOCTYPE html>"));
    assert!(
        err.to_string().starts_with(&format!(
            "PUT /reports/{ID}: the response is not a valid report: the body is not JSON"
        )),
        "{err}"
    );
    assert_eq!(err.status(), Some(200));
}

#[test]
fn a_report_with_a_wrong_member_is_a_decode_error_naming_it() {
    let mut body = report_json(ID, false);
    body["schedule"]["enabled"] = json!("no");
    let Error::Decode { error: d, .. } = disable_answered_with(200, &[], &body.to_string()) else {
        panic!()
    };
    assert_eq!(d.path, "schedule.enabled");
    assert!(
        d.message
            .starts_with("invalid type: string \"no\", expected a boolean"),
        "{}",
        d.message
    );
}

#[test]
fn unknown_members_and_values_in_a_report_are_accepted() {
    let mut server = Server::new();
    let mut body = report_json(ID, false);
    body["new_member"] = json!({"a": 1});
    body["parameters"]["kind"] = json!("usage_hourly");
    body["parameters"]["formats"] = json!(["csv", "xlsx"]);
    body["schedule"]["type"] = json!("weekly");
    server
        .mock("PUT", PATH)
        .with_body(body.to_string())
        .create();
    let report = client(&server.url()).disable_report(ID).unwrap();
    assert_eq!(report.parameters.kind.as_str(), "usage_hourly");
    assert_eq!(report.parameters.formats[1].as_str(), "xlsx");
    assert_eq!(report.schedule.schedule_type.as_str(), "weekly");

    // An update of the kind is checked against the unknown value, not waved through.
    let mut server = Server::new();
    server
        .mock("PUT", PATH)
        .with_body(body.to_string())
        .create();
    let err = client(&server.url())
        .update_report(ID, &ReportUpdate::new().kind(ReportKind::UsageDaily))
        .unwrap_err();
    let Error::Mismatch { mismatch: m, .. } = err else {
        panic!()
    };
    assert_eq!(m.fields[0].returned, json!("usage_hourly"));
}

#[test]
fn bad_ids_and_empty_updates_are_refused_before_sending() {
    let mut server = Server::new();
    let nothing = expect_no_request(&mut server);
    let c = client(&server.url());
    for bad in [
        "20dffb36-d77b-45c6-b2fa/39276e98d5fc",
        "../20dffb36-d77b-45c6-b2fa-39276e98d5",
        "20dffb36-d77b-45c6-b2fa-39276e98d5fc/..",
        "20dffb36-d77b-45c6-b2fa-39276e98d5fc?version=1",
        "20dffb36-d77b-45c6-b2fa-39276e98d5f?",
        "20dffb36 d77b 45c6 b2fa 39276e98d5fc",
        " 20dffb36-d77b-45c6-b2fa-39276e98d5fc",
        "20dffb36-d77b-45c6-b2fa-39276e98d5fc#x",
        "20dffb36-d77b-45c6-b2fa-39276e98d5f%2F",
        "",
        "not-a-uuid",
    ] {
        for result in [
            c.disable_report(bad),
            c.get_report(bad),
            c.update_report(bad, &ReportUpdate::enable()),
        ] {
            let Err(Error::InvalidInput {
                kind: InputKind::Id,
                message,
                ..
            }) = result
            else {
                panic!("{bad:?} not refused: {result:?}")
            };
            assert!(message.starts_with("invalid report id"), "{message}");
        }
    }
    let Err(Error::InvalidInput {
        kind: InputKind::EmptyUpdate,
        message,
        ..
    }) = c.update_report(ID, &ReportUpdate::new())
    else {
        panic!()
    };
    assert_eq!(
        message,
        "the update is empty: set at least one member of the ReportUpdate"
    );
    // A level copied from a server reply that this crate does not know is not sent.
    let galaxy: Level = serde_json::from_value(json!("galaxy")).unwrap();
    let Err(Error::InvalidInput {
        kind: InputKind::UnknownValue,
        message,
        ..
    }) = c.update_report(ID, &ReportUpdate::new().level(galaxy))
    else {
        panic!()
    };
    assert!(
        message.starts_with("the update sets parameters.level to \"galaxy\", a value"),
        "{message}"
    );
    nothing.iter().for_each(mockito::Mock::assert);
}

#[test]
fn redirects_are_errors_and_never_followed() {
    for status in [301, 302, 307, 308] {
        let mut target = Server::new();
        let elsewhere = expect_no_request(&mut target);
        let mut server = Server::new();
        let location = format!("{}{PATH}", target.url());
        server
            .mock("PUT", PATH)
            .with_status(status)
            .with_header("location", &location)
            .create();
        let err = client(&server.url()).disable_report(ID).unwrap_err();
        let Error::Redirect {
            status: s,
            location: l,
            method,
            path,
            ..
        } = &err
        else {
            panic!("{status}: {err:?}")
        };
        assert_eq!(
            (*s, l.as_deref(), method.as_str()),
            (status as u16, Some(location.as_str()), "PUT")
        );
        assert_eq!(path, &format!("/reports/{ID}"));
        assert_eq!(err.status(), Some(status as u16));
        assert!(err.to_string().contains("redirects are not followed"));
        elsewhere.iter().for_each(mockito::Mock::assert);
    }
}

#[test]
fn oversized_bodies_end_in_a_clear_error() {
    let mut server = Server::new();
    server
        .mock("GET", PATH)
        .with_body("x".repeat(10_000))
        .create();
    let c = capped_client(&server.url(), 1000);
    let err = c.get_report(ID).unwrap_err();
    let Error::ResponseTooLarge { limit, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*limit, 1000);
    assert!(
        err.to_string()
            .contains("larger than the limit of 1000 bytes")
    );
}

#[test]
fn an_error_status_survives_a_huge_body() {
    // A gateway's 503 page larger than the cap still reads as a 503, and is retryable.
    let mut server = Server::new();
    server
        .mock("GET", PATH)
        .with_status(503)
        .with_body(format!("<html>{}</html>", "busy ".repeat(200_000)))
        .create();
    let c = capped_client(&server.url(), 1000);
    let err = c.get_report(ID).unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 503);
    assert!(api.body.as_deref().unwrap().starts_with("<html>busy busy"));
    assert!(err.is_retryable());
}

#[test]
fn a_server_that_never_answers_gives_timeout() {
    let listener = common::raw::silent_listener();
    let url = listener.url();
    let c = Client::builder()
        .base_url(format!("{url}/api/2"))
        .bearer_token(TOKEN)
        .retries(0)
        .transport(
            acronis_reports::transport::UreqTransport::builder()
                .proxy_from_env(false)
                .timeout(Some(std::time::Duration::from_millis(300)))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    // The listener accepts into its backlog and never answers.
    let err = c.disable_report(ID).unwrap_err();
    let Error::Timeout {
        method,
        path,
        source,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (method.as_str(), path.as_str()),
        ("PUT", "/reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc")
    );
    assert_eq!(source.kind(), TransportErrorKind::Timeout);
    assert!(err.is_retryable());
    assert_no_token(&err);
    // A write whose answer never came may have been applied: the message says so, and how to
    // find out, in plain words.
    assert_eq!(
        err.to_string(),
        "PUT /reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc: no complete response within the time \
         limit, so the change may have been applied: fetch the report to see before repeating \
         it; check the network, or raise the timeout"
    );
    assert_eq!(source.to_string(), "the request timed out");
    assert_eq!(
        std::error::Error::source(source).unwrap().to_string(),
        "while waiting for the answer"
    );
    drop(listener);
}

#[test]
fn a_base_url_without_a_path_is_used_as_it_is() {
    let mut server = Server::new();
    let put = server
        .mock("PUT", "/reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc")
        .match_body(Matcher::Exact(r#"{"schedule":{"enabled":false}}"#.into()))
        .with_body(report_json(ID, false).to_string())
        .create();
    let c = Client::builder()
        .base_url(server.url())
        .bearer_token(TOKEN)
        .transport(common::loopback_transport())
        .build()
        .unwrap();
    assert_eq!(c.base_url(), server.url());
    assert!(!c.disable_report(ID).unwrap().schedule.enabled);
    put.assert();
}

#[test]
fn a_404_that_is_not_the_apis_hints_at_the_missing_api_path() {
    let mut server = Server::new();
    let _page = server
        .mock("GET", Matcher::Any)
        .with_status(404)
        .with_body("<html>Not Found</html>")
        .create();
    let without_path = Client::builder()
        .base_url(server.url())
        .bearer_token(TOKEN)
        .transport(common::loopback_transport())
        .build()
        .unwrap();
    let err = without_path.get_report(ID).unwrap_err();
    assert!(
        err.to_string().contains("the base URL may lack /api/2"),
        "{err}"
    );
    // With /api/2 in place, the hint is about the data centre instead.
    let err = client(&server.url()).get_report(ID).unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("may lack /api/2"), "{text}");
    assert!(text.contains("names the right data centre"), "{text}");
}

#[test]
fn a_404_hint_names_what_was_not_found() {
    let mut server = Server::new();
    let vendor_404 = r#"{"error": {"code": 404, "message": "Not found", "domain": "PlatformAccountServer", "details": {"info": null}}}"#;
    let _tenant = server
        .mock("GET", Matcher::Regex("^/api/2/tenants/".into()))
        .with_status(404)
        .with_body(vendor_404)
        .create();
    let _delete = server
        .mock("DELETE", Matcher::Any)
        .with_status(409)
        .with_body(r#"{"error": {"code": 409, "message": "Conflict", "domain": "PlatformAccountServer", "details": {"info": null}}}"#)
        .create();
    let c = client(&server.url());
    let text = c.list_report_ids(OTHER_ID).unwrap_err().to_string();
    assert!(text.contains("check the tenant id"), "{text}");
    assert!(!text.contains("report id"), "{text}");
    let text = c.delete_report(ID, 3).unwrap_err().to_string();
    assert!(
        text.contains("the version given is not the report's current one"),
        "{text}"
    );
}

#[test]
fn a_refused_connection_is_a_transport_error() {
    let err = client(&common::raw::closed_url())
        .get_report(ID)
        .unwrap_err();
    let Error::Transport { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(source.kind(), TransportErrorKind::Connect);
    assert!(err.is_retryable());
    assert!(err.to_string().starts_with(&format!(
        "GET /reports/{ID}: no response; check the base URL"
    )));
    assert_eq!(
        std::error::Error::source(&err).unwrap().to_string(),
        "the connection failed"
    );
    assert_no_token(&err);
}

#[test]
fn the_token_never_shows() {
    let mut server = Server::new();
    server
        .mock("PUT", PATH)
        .with_status(401)
        .with_body("denied")
        .create();
    let c = client(&server.url());
    let debug = format!("{c:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("auth: \"bearer token\""), "{debug}");
    let builder = Client::builder().bearer_token(TOKEN);
    assert!(!format!("{builder:?}").contains(TOKEN));
    assert_no_token(&c.disable_report(ID).unwrap_err());
}

#[test]
fn bad_settings_are_refused_by_build() {
    let base = "https://eu2-cloud.acronis.com/api/2";
    let cases: Vec<(acronis_reports::ClientBuilder, &str)> = vec![
        (Client::builder().bearer_token(TOKEN), "no base URL"),
        (Client::builder().base_url(base), "no way to authenticate"),
        (
            Client::builder()
                .base_url("eu2-cloud.acronis.com")
                .bearer_token(TOKEN),
            "invalid base URL",
        ),
        (
            Client::builder()
                .base_url(base)
                .bearer_token(format!("{TOKEN}\r\n")),
            "the bearer token holds characters",
        ),
        (
            Client::builder()
                .base_url(base)
                .bearer_token(format!("Bearer {TOKEN}")),
            "starts with \"Bearer \"",
        ),
        (
            Client::builder()
                .base_url(base)
                .bearer_token(TOKEN)
                .retries(0)
                .user_agent("a\nb"),
            "invalid user agent",
        ),
        (
            Client::builder()
                .base_url(base)
                .bearer_token(TOKEN)
                .retries(0)
                .connect_timeout(std::time::Duration::from_secs(1))
                .transport(common::loopback_transport()),
            "apply to the built-in transport",
        ),
        (
            Client::builder()
                .base_url(base)
                .bearer_token(TOKEN)
                .proxy("::: not a proxy p4ssw0rd"),
            "the proxy is not a proxy URL",
        ),
        (
            Client::builder()
                .base_url(base)
                .bearer_token(TOKEN)
                .root_certificates(RootCertificates::Pem(b"not a certificate".to_vec())),
            "no -----BEGIN CERTIFICATE----- block",
        ),
    ];
    for (builder, expected) in cases {
        let Err(err @ Error::InvalidInput { .. }) = builder.build() else {
            panic!("{expected}: accepted")
        };
        assert!(err.to_string().contains(expected), "{err}");
        assert!(!err.to_string().contains("p4ssw0rd"), "{err}");
        assert_no_token(&err);
    }
}

#[test]
fn the_timeout_reaches_a_transport_of_your_own_with_each_request() {
    use acronis_reports::transport::{Response, from_fn};
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let c = Client::builder()
        .base_url("https://eu2-cloud.acronis.com/api/2")
        .bearer_token(TOKEN)
        .timeout(std::time::Duration::from_millis(1500))
        .transport(from_fn(move |request| {
            record.lock().unwrap().push(request.timeout());
            Ok(Response::from_bytes(
                200,
                vec![],
                report_json(ID, true).to_string().into_bytes(),
            ))
        }))
        .build()
        .unwrap();
    c.get_report(ID).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [Some(std::time::Duration::from_millis(1500))]
    );
}

#[test]
fn a_ureq_agent_of_your_own_is_checked_and_used() {
    use acronis_reports::transport::UreqTransport;
    let mut server = Server::new();
    let get = server
        .mock("GET", PATH)
        .match_header("user-agent", "agent-of-my-own/1.0")
        .with_body(report_json(ID, true).to_string())
        .create();
    let config = || {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .user_agent("agent-of-my-own/1.0")
    };
    // An agent that follows redirects, or turns error statuses into errors, is refused.
    for agent in [
        config().build().new_agent(),
        config()
            .max_redirects(0)
            .http_status_as_error(true)
            .build()
            .new_agent(),
    ] {
        let err = Error::from(UreqTransport::from_agent(agent).unwrap_err());
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    kind: InputKind::Settings,
                    ..
                }
            ),
            "{err}"
        );
    }
    let transport =
        UreqTransport::from_agent(config().max_redirects(0).build().new_agent()).unwrap();
    // The requests go through the agent given (the client still sends its own headers).
    let c = Client::builder()
        .base_url(format!("{}/api/2", server.url()))
        .bearer_token(TOKEN)
        .user_agent("agent-of-my-own/1.0")
        .transport(transport)
        .build()
        .unwrap();
    c.get_report(ID).unwrap();
    get.assert();
}

#[test]
fn a_custom_user_agent_is_sent() {
    let mut server = Server::new();
    let get = server
        .mock("GET", PATH)
        .match_header("user-agent", "billing-job/2.1")
        .with_body(report_json(ID, true).to_string())
        .create();
    Client::builder()
        .base_url(format!("{}/api/2/", server.url()))
        .bearer_token(TOKEN)
        .retries(0)
        .user_agent("billing-job/2.1")
        .transport(common::loopback_transport())
        .build()
        .unwrap()
        .get_report(ID)
        .unwrap();
    get.assert();
}

#[test]
#[allow(clippy::needless_borrows_for_generic_args)] // every form, references included, on purpose
fn every_id_form_names_the_same_report() {
    use acronis_reports::{ReportId, Uuid};
    let mut server = Server::new();
    let get = server
        .mock("GET", PATH)
        .with_body(report_json(ID, true).to_string())
        .expect(8)
        .create();
    let c = client(&server.url());
    let id: ReportId = ID.parse().unwrap();
    let uuid: Uuid = id.into();
    let report = c.get_report(ID).unwrap();
    c.get_report(ID.to_uppercase()).unwrap();
    c.get_report(&ID.to_owned()).unwrap();
    c.get_report(id).unwrap();
    c.get_report(&id).unwrap();
    c.get_report(uuid).unwrap();
    c.get_report(&uuid).unwrap();
    c.get_report(&report).unwrap();
    get.assert();
    assert_eq!(report.id, id);
}

#[test]
fn the_clients_timeout_bounds_a_silent_tls_handshake_through_an_agent_of_your_own() {
    use acronis_reports::transport::UreqTransport;
    // Accepts the connection and never speaks: the TLS handshake stalls.
    let listener = common::raw::silent_listener();
    let base = format!("https://{}/api/2", listener.addr);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .build()
        .new_agent();
    let c = Client::builder()
        .base_url(base)
        .bearer_token(TOKEN)
        .retries(0)
        .timeout(std::time::Duration::from_millis(300))
        .transport(UreqTransport::from_agent(agent).unwrap())
        .build()
        .unwrap();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(c.get_report(ID)).unwrap());
    // A liveness guard, not a speed limit: without the limit the handshake waits forever.
    let err = finished
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the call ended")
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    drop(listener);
}

#[test]
fn a_dry_run_describes_every_request_redacted_and_sends_none() {
    use acronis_reports::endpoint::Endpoint;
    use std::sync::{Arc, Mutex};
    let sent = Arc::new(Mutex::new(0usize));
    let counter = sent.clone();
    let transport = acronis_reports::transport::from_fn(move |_| {
        *counter.lock().unwrap() += 1;
        Err(acronis_reports::transport::TransportError::from_kind(
            TransportErrorKind::Other,
        ))
    });
    let described = Arc::new(Mutex::new(Vec::new()));
    let seen = described.clone();
    let seen_again = described.clone();
    let secret = "s3cret-client-secret";
    let c = Client::builder()
        .base_url("https://eu2-cloud.acronis.com/api/2")
        .client_credentials("client-id", secret)
        .transport(transport)
        .dry_run(move |request| {
            let headers: Vec<String> = request
                .headers()
                .map(|(n, v)| format!("{n}: {v}"))
                .collect();
            let body = request
                .body()
                .map(|b| String::from_utf8_lossy(b).into_owned());
            seen.lock().unwrap().push((
                format!("{} {}", request.method(), request.url()),
                headers,
                body,
            ));
            Ok(())
        })
        .build()
        .unwrap();
    let err = c.disable_report(ID).unwrap_err();
    assert!(
        matches!(err, Error::NotSent { endpoint: Endpoint::UpdateReport(id), .. } if id.to_string() == ID),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("PUT /reports/{ID}: not sent (dry run)")
    );
    assert!(!err.is_retryable());
    assert_eq!(*sent.lock().unwrap(), 0, "nothing reaches the transport");
    let described = described.lock().unwrap();
    // A write needs no token: nothing at all was sent, not even a token request.
    assert_eq!(described.len(), 1, "{described:?}");
    let (put_line, put_headers, put_body) = &described[0];
    assert_eq!(
        put_line,
        &format!("PUT https://eu2-cloud.acronis.com/api/2/reports/{ID}")
    );
    assert!(put_headers.contains(&"authorization: Bearer <redacted>".to_owned()));
    assert_eq!(
        put_body.as_deref(),
        Some(r#"{"schedule":{"enabled":false}}"#)
    );
    assert!(!format!("{described:?}").contains(secret));

    // A bulk run in a dry run does not take NotSent for failures: every id is described.
    drop(described);
    let described = seen_again;
    let ids: Vec<String> = (0..12)
        .map(|n| format!("{n:08x}-0000-4000-8000-000000000000"))
        .collect();
    let results: Vec<_> = c.update_many(ids, &ReportUpdate::disable(), 2).collect();
    assert_eq!(results.len(), 12);
    assert!(
        results
            .iter()
            .all(|(_, r)| matches!(r, Err(Error::NotSent { .. }))),
        "{results:?}"
    );
    assert_eq!(*sent.lock().unwrap(), 0);
    // Reads are sent (here: the token request, then the GET, to a transport that fails).
    let err = c.get_report(ID).unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(*sent.lock().unwrap() >= 1);
    assert_eq!(
        described.lock().unwrap().len(),
        1 + 12,
        "reads are not described"
    );
}
