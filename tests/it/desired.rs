//! Desired-state files: what is read from TOML and JSON, every error naming its entry and key
//! (and the line, for syntax), and the written form read back to the same value.

#![cfg(feature = "toml")]

use acronis_reports::desired::{DesiredError, DesiredReport, DesiredReports};
use acronis_reports::{Level, ReportFormat, ReportKind, ResultAction, TenantId, UserId};

const T1: &str = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc";
const T2: &str = "7c0f2a6e-5b1d-4e8a-9f3c-1d2e3f4a5b6c";
const U1: &str = "ca451758-b48a-45d9-9ae6-8f1059f67619";

fn tenant(s: &str) -> TenantId {
    s.parse().unwrap()
}

#[test]
fn the_documented_file_reads_as_the_same_entries_built_in_code() {
    let text = format!(
        r#"
prune = true

[[report]]
tenant = "{T1}"
kind = "usage_summary"
level = "all_customers"
result_action = "send"
formats = ["csv", "json_v2_0"]
enabled = true
recipients = ["{U1}"]
hide_zero_usage = false
show_skus = true

[[report]]
tenants = ["{T1}", "{T2}"]
kind = "usage_daily"
level = "accounts"
result_action = "save"
"#
    );
    let read = DesiredReports::from_toml(&text).unwrap();
    let u1: UserId = U1.parse().unwrap();
    let built = DesiredReports::new([
        DesiredReport::new(tenant(T1), Level::AllCustomers, ReportKind::UsageSummary)
            .formats([ReportFormat::Csv, ReportFormat::JsonV2])
            .enabled(true)
            .recipients([u1])
            .hide_zero_usage(false)
            .show_skus(true),
        DesiredReport::new(tenant(T1), Level::Accounts, ReportKind::UsageDaily)
            .for_tenants([tenant(T1), tenant(T2)])
            .save(),
    ])
    .prune(true);
    assert_eq!(read, built);
    assert_eq!(read.tenants(), [tenant(T1), tenant(T2)]);
}

#[test]
fn result_action_defaults_to_send_and_prune_to_false() {
    let read = DesiredReports::from_toml(&format!(
        "[[report]]\ntenant = \"{T1}\"\nkind = \"usage_current\"\nlevel = \"itself\"\n"
    ))
    .unwrap();
    assert!(!read.prune);
    assert_eq!(read.reports[0].result_action, ResultAction::Send);
    assert_eq!(read.reports[0].recipients, None);
}

#[test]
fn json_has_the_same_shape() {
    let json = format!(
        r#"{{"prune": true, "report": [{{"tenant": "{T1}", "kind": "usage_daily", "level": "accounts", "result_action": "save"}}]}}"#
    );
    let toml = format!(
        "prune = true\n[[report]]\ntenant = \"{T1}\"\nkind = \"usage_daily\"\nlevel = \"accounts\"\nresult_action = \"save\"\n"
    );
    assert_eq!(
        DesiredReports::from_json(json.as_bytes()).unwrap(),
        DesiredReports::from_toml(&toml).unwrap()
    );
}

fn toml_error(body: &str) -> DesiredError {
    DesiredReports::from_toml(body).unwrap_err()
}

fn entry_with(extra: &str) -> String {
    format!(
        "[[report]]\ntenant = \"{T1}\"\nkind = \"usage_summary\"\nlevel = \"accounts\"\nrecipients = [\"{U1}\"]\n\n[[report]]\ntenant = \"{T2}\"\nkind = \"usage_summary\"\nlevel = \"accounts\"\nresult_action = \"save\"\n{extra}"
    )
}

#[test]
fn an_unknown_key_is_refused_with_its_name_and_line() {
    let e = toml_error(&entry_with("enabeld = true\n"));
    let text = e.to_string();
    assert!(text.contains("enabeld"), "{text}");
    assert!(text.contains("line 12"), "{text}");
    let top = toml_error("purne = true\n");
    assert!(top.to_string().contains("purne"), "{top}");
}

#[test]
fn each_bad_value_names_its_entry_and_key() {
    // Values this version does not know are kept, not refused here: see the next test.
    let cases: [(&str, &str, &str); 5] = [
        ("formats = []", "formats", "is empty"),
        (
            "tenant = \"not-a-uuid\"",
            "tenant",
            "invalid tenant id \"not-a-uuid\"",
        ),
        ("recipients = [\"{U1}\"]", "recipients", "a saved report"),
        ("id = \"42\"", "id", "invalid report id"),
        ("tenants = [\"{T1}\"]", "tenants", "not two of them"),
    ];
    for (line, key, says) in cases {
        // The second entry, with the key set (a later key of the same name would be a TOML
        // duplicate, so the entry is written out here).
        let mut fields = vec![
            format!("tenant = \"{T2}\""),
            "kind = \"usage_summary\"".to_owned(),
            "level = \"accounts\"".to_owned(),
            "result_action = \"save\"".to_owned(),
        ];
        let name = line.split(' ').next().unwrap();
        if name != "tenants" && name != "recipients" && name != "id" && name != "formats" {
            fields.retain(|f| !f.starts_with(&format!("{name} ")));
        }
        fields.push(line.replace("{U1}", U1).replace("{T1}", T1));
        let body = format!(
            "[[report]]\ntenant = \"{T1}\"\nkind = \"usage_summary\"\nlevel = \"accounts\"\nrecipients = [\"{U1}\"]\n\n[[report]]\n{}\n",
            fields.join("\n")
        );
        let e = toml_error(&body);
        assert_eq!(
            (e.entry, e.key.as_deref()),
            (Some(2), Some(key)),
            "{line}: {e}"
        );
        assert!(e.message.contains(says), "{line}: {e}");
        assert!(
            e.to_string()
                .starts_with(&format!("report entry 2: {key}: ")),
            "{e}"
        );
    }
}

#[test]
fn values_this_version_does_not_know_are_read_and_kept_for_the_plan() {
    let body = entry_with(
        "kind = \"usage_hourly\"\nlevel = \"everyone\"\nresult_action = \"print\"\nformats = [\"pdf\", \"csv\"]\n",
    )
    .replace(
        "kind = \"usage_summary\"\nlevel = \"accounts\"\nresult_action = \"save\"\nkind",
        "kind",
    );
    let read = DesiredReports::from_toml(&body).unwrap();
    let second = &read.reports[1];
    let found: Vec<(&str, String)> = second
        .unknown_values()
        .into_iter()
        .map(|(key, e)| (key, e.to_string()))
        .collect();
    assert_eq!(
        found,
        [
            ("kind", "unknown report kind \"usage_hourly\"; expected one of: usage_daily, usage_summary, usage_current, usage_breakdown".to_owned()),
            ("level", "unknown level \"everyone\"; expected one of: itself, direct_partners, all_partners, all_customers, accounts".to_owned()),
            ("result_action", "unknown result action \"print\"; expected one of: save, send".to_owned()),
            ("formats", "unknown report format \"pdf\"; expected one of: csv, html, json_v1, csv_v2_0, json_v2_0".to_owned()),
        ]
    );
    assert_eq!(second.formats.as_ref().unwrap()[1], ReportFormat::Csv);
    assert!(read.reports[0].unknown_values().is_empty());
}

#[test]
fn required_keys_and_recipient_rules() {
    let e = toml_error(&format!(
        "[[report]]\ntenant = \"{T1}\"\nlevel = \"accounts\"\n"
    ));
    assert_eq!((e.entry, e.key.as_deref()), (Some(1), Some("kind")));
    let e = toml_error("[[report]]\nkind = \"usage_summary\"\nlevel = \"accounts\"\n");
    assert_eq!((e.entry, e.key.as_deref()), (Some(1), Some("tenant")));
    let e = toml_error(&format!(
        "[[report]]\ntenant = \"{T1}\"\nkind = \"usage_summary\"\nlevel = \"accounts\"\nrecipients = []\n"
    ));
    assert_eq!(
        (e.key.as_deref(), e.message.contains("at least one")),
        (Some("recipients"), true)
    );
    let e = toml_error(&format!(
        "[[report]]\ntenants = [\"{T1}\", \"{T2}\"]\nkind = \"usage_summary\"\nlevel = \"accounts\"\nid = \"20dffb36-d77b-45c6-b2fa-39276e98d5fc\"\n"
    ));
    assert_eq!(e.key.as_deref(), Some("id"));
    let e = toml_error(&format!(
        "[[report]]\ntenants = [\"{T1}\", \"{T1}\"]\nkind = \"usage_summary\"\nlevel = \"accounts\"\n"
    ));
    assert_eq!(e.key.as_deref(), Some("tenants"));
}

#[test]
fn two_entries_with_one_identity_in_a_tenant_are_refused() {
    // Entry 3 names T2 too, where entry 2 has the same kind and result action.
    let e = toml_error(&entry_with(&format!(
        "\n[[report]]\ntenants = [\"{T1}\", \"{T2}\"]\nkind = \"usage_summary\"\nlevel = \"itself\"\nresult_action = \"save\"\n"
    )));
    assert_eq!((e.entry, e.key.as_deref()), (Some(3), Some("kind")));
    assert!(
        e.message.contains("entry 2") && e.message.contains(T2),
        "{e}"
    );
    // The same pinned id twice.
    let pin = "id = \"20dffb36-d77b-45c6-b2fa-39276e98d5fc\"";
    let e = toml_error(&format!(
        "[[report]]\ntenant = \"{T1}\"\nkind = \"usage_summary\"\nlevel = \"accounts\"\nresult_action = \"save\"\n{pin}\n\
         [[report]]\ntenant = \"{T1}\"\nkind = \"usage_daily\"\nlevel = \"accounts\"\nresult_action = \"save\"\n{pin}\n"
    ));
    assert_eq!((e.entry, e.key.as_deref()), (Some(2), Some("id")));
}

#[test]
fn a_syntax_error_gives_its_line() {
    let e = toml_error("[[report]]\ntenant = \n");
    assert_eq!(e.entry, None);
    assert!(e.to_string().contains("line 2"), "{e}");
    let e = DesiredReports::from_json(b"{\"report\": [}").unwrap_err();
    assert!(e.to_string().contains("line 1"), "{e}");
}

#[test]
fn the_written_file_reads_back_the_same() {
    let u1: UserId = U1.parse().unwrap();
    let desired = DesiredReports::new([
        DesiredReport::new(tenant(T1), Level::AllCustomers, ReportKind::UsageSummary)
            .formats([ReportFormat::Csv, ReportFormat::JsonV2])
            .enabled(false)
            .recipients([u1])
            .show_skus(true),
        DesiredReport::new(tenant(T2), Level::Accounts, ReportKind::UsageDaily)
            .for_tenants([tenant(T2), tenant(T1)])
            .save()
            .hide_zero_usage(true),
        DesiredReport::new(tenant(T2), Level::Accounts, ReportKind::UsageDaily)
            .save()
            .pin("20dffb36-d77b-45c6-b2fa-39276e98d5fc".parse().unwrap()),
    ])
    .prune(true);
    let toml = desired.to_toml_string();
    assert_eq!(DesiredReports::from_toml(&toml).unwrap(), desired, "{toml}");
    let json = desired.to_json_string();
    assert_eq!(
        DesiredReports::from_json(json.as_bytes()).unwrap(),
        desired,
        "{json}"
    );
    assert!(toml.starts_with("prune = true\n\n[[report]]\n"), "{toml}");
}
