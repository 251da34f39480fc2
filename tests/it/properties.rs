//! Property tests: every patch conforms to the vendor's schema, verification accepts exactly
//! what a faithful server returns, and no input from the network makes the parsers panic.

use crate::common;

use std::sync::LazyLock;

use acronis_reports::transport::{Response, from_fn};
use acronis_reports::{Client, Level, Report, ReportKind, ReportUpdate, UserId, Uuid};
use proptest::prelude::*;
use serde_json::{Value, json};

/// The vendor's schemas for the properties below, compiled once for all their cases:
/// compiling is what takes the time, and a validator is read-only.
static REPORT_PUT: LazyLock<jsonschema::Validator> =
    LazyLock::new(|| common::schema_validator("reportPut"));
static REPORT: LazyLock<jsonschema::Validator> =
    LazyLock::new(|| common::schema_validator("report"));

#[derive(Debug, Clone)]
struct Choices {
    enabled: Option<bool>,
    recipients: Option<Vec<UserId>>,
    level: Option<Level>,
    kind: Option<ReportKind>,
    hide: Option<bool>,
    show: Option<bool>,
}

fn choices() -> impl Strategy<Value = Choices> {
    let uuid = any::<[u8; 16]>().prop_map(|b| UserId::from(Uuid::from_bytes(b)));
    (
        proptest::option::of(any::<bool>()),
        proptest::option::of(proptest::collection::vec(uuid, 0..5)),
        proptest::option::of(proptest::sample::select(Level::KNOWN.to_vec())),
        proptest::option::of(proptest::sample::select(ReportKind::KNOWN.to_vec())),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(enabled, recipients, level, kind, hide, show)| Choices {
            enabled,
            recipients,
            level,
            kind,
            hide,
            show,
        })
}

fn update(c: &Choices) -> ReportUpdate {
    let mut u = ReportUpdate::new();
    if let Some(e) = c.enabled {
        u = u.enabled(e);
    }
    if let Some(r) = &c.recipients {
        u = u.recipients(r.clone());
    }
    if let Some(l) = &c.level {
        u = u.level(l.clone());
    }
    if let Some(k) = &c.kind {
        u = u.kind(k.clone());
    }
    if let Some(h) = c.hide {
        u = u.hide_zero_usage(h);
    }
    if let Some(s) = c.show {
        u = u.show_skus(s);
    }
    u
}

/// What a faithful server holds after applying `patch` to `report`.
fn apply(report: &Value, patch: &Value) -> Value {
    let mut r = report.clone();
    if let Some(rec) = patch.get("recipients") {
        r["recipients"] = rec.clone();
    }
    if let Some(p) = patch.get("parameters").and_then(Value::as_object) {
        for (k, v) in p {
            r["parameters"][k] = v.clone();
        }
    }
    if let Some(e) = patch.pointer("/schedule/enabled") {
        r["schedule"]["enabled"] = e.clone();
    }
    r
}

fn parse(v: &Value) -> Report {
    Report::from_json(v.to_string().as_bytes()).unwrap()
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        Just(json!("accounts")),
        Just(json!("20dffb36-d77b-45c6-b2fa-39276e98d5fc")),
        Just(json!("2017-05-01")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("version".to_owned()),
                    Just("parameters".to_owned()),
                    Just("schedule".to_owned()),
                    Just("recipients".to_owned()),
                    Just("error".to_owned()),
                    Just("enabled".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_patch_conforms_to_report_put(c in choices()) {
        let body: Value = serde_json::from_str(&update(&c).to_json_string()).unwrap();
        prop_assert!(REPORT_PUT.is_valid(&body), "{}", body);
        if let Some(schedule) = body.get("schedule") {
            prop_assert_eq!(schedule, &json!({"enabled": c.enabled.unwrap()}));
        }
        prop_assert_eq!(body.as_object().unwrap().is_empty(), update(&c).is_empty());
    }

    #[test]
    fn verify_accepts_what_a_faithful_server_returns(c in choices(), enabled in any::<bool>()) {
        let base = common::report_json(common::ID, enabled);
        let u = update(&c);
        let returned = parse(&apply(&base, &u.to_json()));
        prop_assert_eq!(u.verify(&returned), Ok(()));
    }

    #[test]
    fn verify_rejects_a_report_that_differs_in_a_patched_field(c in choices(), enabled in any::<bool>()) {
        let base = common::report_json(common::ID, enabled);
        let u = update(&c);
        let faithful = apply(&base, &u.to_json());
        // Spoil each member the patch sets, one at a time.
        let mut spoiled = Vec::new();
        if let Some(e) = c.enabled {
            let mut r = faithful.clone();
            r["schedule"]["enabled"] = json!(!e);
            spoiled.push(("schedule.enabled", r));
        }
        if c.recipients.is_some() {
            let mut r = faithful.clone();
            r["recipients"].as_array_mut().unwrap().push(json!("ffffffff-ffff-4fff-8fff-ffffffffffff"));
            spoiled.push(("recipients", r));
        }
        if let Some(l) = &c.level {
            let mut r = faithful.clone();
            r["parameters"]["level"] = json!(if *l == Level::Itself { "accounts" } else { "itself" });
            spoiled.push(("parameters.level", r));
        }
        if let Some(k) = &c.kind {
            let mut r = faithful.clone();
            r["parameters"]["kind"] = json!(if *k == ReportKind::UsageDaily { "usage_summary" } else { "usage_daily" });
            spoiled.push(("parameters.kind", r));
        }
        if let Some(h) = c.hide {
            let mut r = faithful.clone();
            r["parameters"]["hide_zero_usage"] = json!(!h);
            spoiled.push(("parameters.hide_zero_usage", r));
        }
        if let Some(s) = c.show {
            let mut r = faithful.clone();
            r["parameters"]["show_skus"] = json!(!s);
            spoiled.push(("parameters.show_skus", r));
        }
        for (path, report) in spoiled {
            let m = u.verify(&parse(&report)).unwrap_err();
            prop_assert_eq!(m.fields.len(), 1);
            prop_assert_eq!(m.fields[0].field.path(), path);
        }
    }

    #[test]
    fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Report::from_json(&bytes);
    }

    #[test]
    fn parsing_arbitrary_json_never_panics(value in arb_json()) {
        let _ = Report::from_json(value.to_string().as_bytes());
        let mut report = common::report_json(common::ID, true);
        report["parameters"] = value.clone();
        let _ = Report::from_json(report.to_string().as_bytes());
    }

    #[test]
    fn any_answer_to_a_call_gives_a_result_not_a_panic(
        status in 100u16..600,
        body in prop_oneof![arb_json().prop_map(|v| v.to_string().into_bytes()), proptest::collection::vec(any::<u8>(), 0..256)],
    ) {
        let client = Client::builder()
            .base_url("https://eu2-cloud.acronis.com/api/2")
            .bearer_token("t")
            .retries(0)
            .transport(from_fn(move |_| Ok(Response::from_bytes(status, vec![("location".into(), "x".into())], body.clone()))))
            .build()
            .unwrap();
        let result = client.disable_report(common::ID);
        if !(200..300).contains(&status) {
            prop_assert_eq!(result.unwrap_err().status(), Some(status));
        }
    }
}

/// A report as the vendor's `report` schema allows it: every required member, each optional
/// one present or not, dates of any `\d{4}-\d{2}-\d{2}` text, any integer version.
fn spec_valid_report() -> impl Strategy<Value = Value> {
    let uuid = any::<[u8; 16]>().prop_map(|b| json!(Uuid::from_bytes(b).to_string()));
    let date = "[0-9]{4}-[0-9]{2}-[0-9]{2}";
    let pick = |values: &'static [&'static str]| proptest::sample::select(values.to_vec());
    let parameters = (
        uuid.clone(),
        pick(&[
            "itself",
            "direct_partners",
            "all_partners",
            "all_customers",
            "accounts",
        ]),
        pick(&[
            "usage_daily",
            "usage_summary",
            "usage_current",
            "usage_breakdown",
        ]),
        proptest::sample::subsequence(vec!["csv", "html", "json_v1", "csv_v2_0"], 0..=4),
        (date, date),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(tenant, level, kind, formats, (start, end), hide, show)| {
            let mut p = json!({"tenant_id": tenant, "level": level, "kind": kind,
                "formats": formats, "period": {"start": start, "end": end}});
            if let Some(h) = hide {
                p["hide_zero_usage"] = json!(h);
            }
            if let Some(s) = show {
                p["show_skus"] = json!(s);
            }
            p
        });
    (
        uuid.clone(),
        any::<i64>(),
        pick(&["save", "send"]),
        proptest::collection::vec(uuid, 0..4),
        parameters,
        (pick(&["once", "monthly"]), any::<bool>()),
        date,
    )
        .prop_map(|(id, version, action, recipients, parameters, (kind, enabled), generation)| {
            json!({"id": id, "version": version, "result_action": action, "recipients": recipients,
                "parameters": parameters, "schedule": {"type": kind, "enabled": enabled},
                "generation_date": generation})
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_report_the_vendor_schema_allows_is_read(v in spec_valid_report()) {
        prop_assert!(REPORT.is_valid(&v), "{}", v);
        let report = Report::from_json(v.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{v}: {e}"));
        // Nothing is lost: the report serializes back to what was read.
        let mut back = serde_json::to_value(&report).unwrap();
        for flag in ["hide_zero_usage", "show_skus"] {
            if back["parameters"][flag].is_null() {
                back["parameters"].as_object_mut().unwrap().remove(flag);
            }
        }
        prop_assert_eq!(back, v);
    }
}
