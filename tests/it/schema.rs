//! Every patch `ReportUpdate` can produce conforms to the vendor's `reportPut` schema; the
//! fixtures used elsewhere conform to `report`; the vendor's documented example objects read
//! with the crate; every kind of emulator answer conforms to the vendor's schema for it; and
//! our transcription of those schemas still equals the vendor's OpenAPI description.

use crate::common;

use acronis_reports::{Level, Report, ReportKind, ReportUpdate, UserId};
use common::{USER_A, USER_B, schema_validator};
use serde_json::json;

fn all_updates() -> Vec<ReportUpdate> {
    let a: UserId = USER_A.parse().unwrap();
    let b: UserId = USER_B.to_uppercase().parse().unwrap();
    let bools = [None, Some(false), Some(true)];
    let recipient_lists: [Option<Vec<UserId>>; 4] =
        [None, Some(vec![]), Some(vec![a]), Some(vec![a, b])];
    let levels: Vec<Option<Level>> = std::iter::once(None)
        .chain(Level::KNOWN.iter().cloned().map(Some))
        .collect();
    let kinds: Vec<Option<ReportKind>> = std::iter::once(None)
        .chain(ReportKind::KNOWN.iter().cloned().map(Some))
        .collect();
    let mut out = Vec::new();
    for enabled in bools {
        for recipients in &recipient_lists {
            for level in &levels {
                for kind in &kinds {
                    for hide in bools {
                        for show in bools {
                            let mut u = ReportUpdate::new();
                            if let Some(e) = enabled {
                                u = u.enabled(e);
                            }
                            if let Some(r) = recipients {
                                u = u.recipients(r.clone());
                            }
                            if let Some(l) = level {
                                u = u.level(l.clone());
                            }
                            if let Some(k) = kind {
                                u = u.kind(k.clone());
                            }
                            if let Some(h) = hide {
                                u = u.hide_zero_usage(h);
                            }
                            if let Some(s) = show {
                                u = u.show_skus(s);
                            }
                            out.push(u);
                        }
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_patch_conforms_to_report_put() {
    let validator = schema_validator("reportPut");
    let updates = all_updates();
    assert_eq!(updates.len(), 3 * 4 * 6 * 5 * 3 * 3);
    for update in &updates {
        let body: serde_json::Value = serde_json::from_str(&update.to_json_string()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{body} breaks reportPut: {errors:?}");
    }
}

#[test]
fn the_schema_check_refuses_members_outside_report_put() {
    // The same validator must catch what ReportUpdate cannot produce, or the test above
    // would prove nothing. (The vendor's schema closes only the top level: nested members
    // such as `schedule.type` or `parameters.tenant_id`, refused by the API per the reference,
    // are checked by `patches_never_carry_members_the_api_refuses`.)
    let validator = schema_validator("reportPut");
    for bad in [
        json!({"id": "20dffb36-d77b-45c6-b2fa-39276e98d5fc"}),
        json!({"version": 3}),
        json!({"result_action": "send"}),
        json!({"schedule": {}}),
        json!({"parameters": {"level": "galaxy"}}),
        json!({"recipients": ["CA451758-B48A-45D9-9AE6-8F1059F67619"]}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad} passed reportPut");
    }
}

#[test]
fn patches_never_carry_members_the_api_refuses() {
    // Per the API reference: only these members, at these places, are accepted on update.
    for update in all_updates() {
        let body = update.to_json();
        assert_eq!(
            acronis_reports_emulator::check_report_put(&body),
            Ok(()),
            "{body}"
        );
        // Minimal: no empty `parameters` object.
        assert!(
            body.get("parameters")
                .is_none_or(|p| !p.as_object().unwrap().is_empty()),
            "{body}"
        );
    }
}

#[test]
fn fixtures_conform_to_the_report_schema_and_parse() {
    let validator = schema_validator("report");
    let emulator = acronis_reports_emulator::Emulator::start().unwrap();
    let fixtures = [
        common::report_json(common::ID, true),
        emulator
            .report(acronis_reports_emulator::MONTHLY_REPORT_ID)
            .unwrap(),
        emulator
            .report(acronis_reports_emulator::ONCE_REPORT_ID)
            .unwrap(),
    ];
    for fixture in fixtures {
        let errors: Vec<String> = validator
            .iter_errors(&fixture)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{fixture} breaks report: {errors:?}");
        Report::from_json(fixture.to_string().as_bytes()).unwrap();
    }
}

/// Where the vendor's OpenAPI description lies in this project's workspace: `../shared`
/// beside the checkout. A clone on its own does not have it.
const VENDOR_SPEC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/reference/acronis-reports-openapi.yaml"
);

#[test]
fn the_transcribed_schemas_equal_the_vendors() {
    let text = match std::fs::read_to_string(VENDOR_SPEC) {
        Ok(text) => text,
        // CI sets this, so there the comparison always runs.
        Err(e) if std::env::var_os("ACRONIS_REPORTS_REQUIRE_VENDOR_SPEC").is_some() => {
            panic!("{VENDOR_SPEC}: {e}")
        }
        Err(_) => {
            eprintln!("{VENDOR_SPEC} not found: comparison with the vendor's schemas not made");
            return;
        }
    };
    let spec: serde_json::Value =
        serde_yaml_ng::from_str(&text).expect("the vendor's OpenAPI file is YAML");
    let ours = common::vendor_schemas();
    let ours = ours["components"]["schemas"].as_object().unwrap();
    assert!(ours.contains_key("reportPut") && ours.contains_key("report"));
    for (name, schema) in ours {
        assert_eq!(
            schema, &spec["components"]["schemas"][name],
            "schema {name} differs from the vendor's"
        );
    }
}

/// A validator for the vendor's schema `name`, with the one gap of the vendor's response
/// enums filled: `json_v2_0` in a report's `formats` and a stored file's `report_format` (the
/// request enum and example list it, and the guide documents `json_v2_0` stored files; see
/// docs/testing.md).
fn answer_validator(name: &str) -> jsonschema::Validator {
    let mut components = common::vendor_schemas()["components"].clone();
    let schemas = &mut components["schemas"];
    for pointer in [
        "/report/properties/parameters/properties/formats/items/enum",
        "/storedReportParams/properties/items/items/properties/report_format/enum",
    ] {
        schemas
            .pointer_mut(pointer)
            .and_then(serde_json::Value::as_array_mut)
            .expect("the vendor's enum")
            .push(json!("json_v2_0"));
    }
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": components,
    });
    jsonschema::validator_for(&root).expect("the vendor's schema compiles")
}

#[track_caller]
fn assert_conforms(validator: &jsonschema::Validator, what: &str, answer: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(answer)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: {answer} breaks the schema: {errors:?}"
    );
}

fn ask(
    emulator: &acronis_reports_emulator::Emulator,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, serde_json::Value) {
    common::ask(&emulator.base_url(), method, path, headers, body)
}

#[test]
fn every_kind_of_emulator_answer_conforms_to_the_vendors_schema() {
    use acronis_reports_emulator::{
        CLIENT_ID, CLIENT_SECRET, Emulator, MONTHLY_REPORT_ID, ONCE_REPORT_ID, TENANT_ID, TOKEN,
    };
    let emulator = Emulator::start().unwrap();
    let (report, stored, error) = (
        answer_validator("report"),
        answer_validator("storedReportParams"),
        answer_validator("errorScheme"),
    );
    let bearer = format!("Bearer {TOKEN}");
    let auth = [
        ("authorization", bearer.as_str()),
        ("accept", "application/json"),
    ];
    let json_body = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];

    // Tokens: issued, and refused OAuth-style.
    use base64::Engine as _;
    let pair = |secret: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{secret}"))
        )
    };
    for (secret, status, schema) in [(CLIENT_SECRET, 200, "token"), ("wrong", 401, "tokenError")] {
        let basic = pair(secret);
        let (got, answer) = ask(
            &emulator,
            "POST",
            "/idp/token",
            &[
                ("authorization", basic.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            "grant_type=client_credentials",
        );
        assert_eq!(got, status, "{answer}");
        assert_conforms(&answer_validator(schema), schema, &answer);
    }

    // Reports: read, updated, created (as the vendor's scripts and this crate create them).
    for id in [MONTHLY_REPORT_ID, ONCE_REPORT_ID] {
        let (status, answer) = ask(&emulator, "GET", &format!("/reports/{id}"), &auth, "");
        assert_eq!(status, 200);
        assert_conforms(&report, "GET /reports/{id}", &answer);
    }
    let (status, answer) = ask(
        &emulator,
        "PUT",
        &format!("/reports/{MONTHLY_REPORT_ID}"),
        &json_body,
        r#"{"schedule":{"enabled":false}}"#,
    );
    assert_eq!(status, 200);
    assert_conforms(&report, "PUT /reports/{id}", &answer);
    let mut created = Vec::new();
    for body in [
        format!(
            r#"{{"parameters": {{"kind": "usage_summary", "tenant_id": "{TENANT_ID}", "level": "direct_partners", "formats": ["csv_v2_0"], "show_skus": "true", "hide_zero_usage": "false", "period": {{"start": "2021-10-01", "end": "2021-10-31"}}}}, "schedule": {{"type": "once"}}, "result_action": "save"}}"#
        ),
        format!(
            r#"{{"recipients": [], "result_action": "save", "parameters": {{"tenant_id": "{TENANT_ID}", "level": "all_customers", "kind": "usage_summary", "formats": ["csv_v2_0", "json_v2_0"], "show_skus": true, "period": {{"start": "2026-10-01", "end": "2026-10-31"}}}}, "schedule": {{"type": "once"}}}}"#
        ),
    ] {
        let (status, answer) = ask(&emulator, "POST", "/reports", &json_body, &body);
        assert_eq!(status, 200, "{answer}");
        assert_conforms(&report, "POST /reports", &answer);
        created.push(answer["id"].as_str().unwrap().to_owned());
    }
    // Stored files: in progress, then saved, of both usage formats.
    for _ in 0..2 {
        for id in &created {
            let (status, answer) = ask(
                &emulator,
                "GET",
                &format!("/reports/{id}/stored"),
                &auth,
                "",
            );
            assert_eq!(status, 200);
            assert_conforms(&stored, "GET /reports/{id}/stored", &answer);
            assert!(!answer["items"].as_array().unwrap().is_empty());
        }
    }
    // The list of a tenant's reports: ids only.
    let uuid = common::schema_validator("uuid");
    let (status, answer) = ask(
        &emulator,
        "GET",
        &format!("/tenants/{TENANT_ID}/reports"),
        &auth,
        "",
    );
    assert_eq!(status, 200);
    assert!(
        answer["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|id| uuid.is_valid(id))
    );

    // Every kind of error the emulator gives, in the vendor's error shape.
    let missing = "/reports/00000000-0000-4000-8000-000000000000";
    let once = format!("/reports/{ONCE_REPORT_ID}");
    for (method, path, headers, body, status) in [
        ("GET", missing, &auth[..], "", 404),
        ("GET", missing, &[][..], "", 401),
        (
            "PUT",
            once.as_str(),
            &json_body[..],
            r#"{"schedule":{"enabled":false}}"#,
            400,
        ),
        ("PUT", once.as_str(), &json_body[..], r#"{"id":"x"}"#, 400),
        ("PUT", once.as_str(), &auth[..], "{}", 415),
        ("PATCH", once.as_str(), &auth[..], "", 405),
        ("DELETE", once.as_str(), &auth[..], "", 400),
        ("GET", "/nowhere", &auth[..], "", 404),
    ] {
        let (got, answer) = ask(&emulator, method, path, headers, body);
        assert_eq!(got, status, "{method} {path}: {answer}");
        assert_conforms(&error, &format!("{method} {path}"), &answer);
    }
}

#[cfg(feature = "ureq")]
#[test]
fn the_vendors_documented_examples_read_with_the_crate() {
    use mockito::Matcher;
    let schemas = common::vendor_schemas();
    let example = |name: &str| schemas["components"]["schemas"][name]["example"].clone();
    let (report, token, error) = (example("report"), example("token"), example("errorScheme"));
    // The examples are the vendor's, so they conform to the vendor's schemas.
    for (name, value) in [
        ("report", &report),
        ("token", &token),
        ("errorScheme", &error),
    ] {
        assert_conforms(&common::schema_validator(name), name, value);
    }
    // The report example reads.
    let parsed = Report::from_json(report.to_string().as_bytes()).unwrap();
    assert_eq!(
        parsed.id.to_string(),
        "20dffb36-d77b-45c6-b2fa-39276e98d5fc"
    );
    assert_eq!((parsed.version, parsed.recipients.len()), (2, 2));

    // The token example serves a client's credentials, and the error example is read as the
    // API's error, member by member.
    let mut server = mockito::Server::new();
    let id = parsed.id.to_string();
    let _token = server
        .mock("POST", "/api/2/idp/token")
        .with_body(token.to_string())
        .create();
    let _report = server
        .mock("GET", format!("/api/2/reports/{id}").as_str())
        .match_header("authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
        .with_body(report.to_string())
        .create();
    let _error = server
        .mock("PUT", Matcher::Any)
        .with_status(400)
        .with_body(error.to_string())
        .create();
    let client = acronis_reports::Client::builder()
        .base_url(format!("{}/api/2", server.url()))
        .client_credentials("client", "secret")
        .transport(common::loopback_transport())
        .retries(0)
        .build()
        .unwrap();
    assert_eq!(client.get_report(&id).unwrap(), parsed);
    let err = client
        .update_report(&id, &ReportUpdate::disable())
        .unwrap_err();
    let acronis_reports::Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (
            api.status,
            api.code.as_deref(),
            api.domain.as_deref(),
            api.message.as_deref()
        ),
        (
            400,
            Some("400"),
            Some("PlatformAccountServer"),
            Some("The request could not be processed.")
        )
    );
    assert_eq!(api.info, None);

    // A stored list as the reference gives it, with an item still without an id, and one
    // without items: both are the vendor's `storedReportParams`, and both read.
    let list = json!({"items": [
        {"id": "5c3b9a2e-1f4d-4e6a-8b7c-9d0e1f2a3b4c", "report_format": "csv_v2_0", "size": 1024,
         "created_at": "2026-11-26T10:00:00", "status": "saved"},
        {"report_format": "csv_v2_0", "created_at": "2026-11-26T10:00:00Z", "status": "in_progress"}
    ]});
    let validator = common::schema_validator("storedReportParams");
    for (body, files) in [(list, 2), (json!({}), 0)] {
        assert_conforms(&validator, "stored list", &body);
        let _stored = server
            .mock("GET", format!("/api/2/reports/{id}/stored").as_str())
            .with_body(body.to_string())
            .create();
        assert_eq!(client.stored_reports(&id).unwrap().len(), files);
    }
}
