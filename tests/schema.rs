//! Every patch `ReportUpdate` can produce conforms to the vendor's `reportPut` schema; the
//! fixtures used elsewhere conform to `report`; and our transcription of those schemas still
//! equals the vendor's OpenAPI description.

mod common;

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
