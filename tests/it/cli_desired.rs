//! `plan`, `apply` and `export`, run for real against the emulator: the text and JSON plan,
//! exit codes, the confirmation rule, what the server holds afterwards, the export → plan
//! round trip, and file errors that send nothing.
#![cfg(feature = "cli")]

use crate::common;

use acronis_reports::Report;
use acronis_reports_emulator::{
    Emulator, MONTHLY_REPORT_ID, ONCE_REPORT_ID, Quirks, TENANT_ID, TOKEN,
};
use common::cli::{assert_no_secret, json_lines, run, run_at, stderr, stdout};
use serde_json::{Value, json};

const T2: &str = "7c0f2a6e-5b1d-4e8a-9f3c-1d2e3f4a5b6c";
const RECIPIENT: &str = "ca451758-b48a-45d9-9ae6-8f1059f67619";

/// The file: the seeded monthly report disabled and shown to all customers (an update), a
/// saved daily report created in tenant 2.
fn file(dir: &tempfile::TempDir, prune: bool) -> String {
    let path = dir.path().join("reports.toml");
    std::fs::write(
        &path,
        format!(
            r#"prune = {prune}

[[report]]
tenant = "{TENANT_ID}"
kind = "usage_summary"
level = "all_customers"
enabled = false

[[report]]
tenant = "{T2}"
kind = "usage_daily"
level = "accounts"
result_action = "save"
formats = ["csv_v2_0"]
"#
        ),
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

fn emulator() -> Emulator {
    let emulator = Emulator::start().unwrap();
    emulator.add_tenant(T2);
    emulator
}

fn writes(emulator: &Emulator) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.method != "GET")
        .count()
}

#[test]
fn plan_prints_the_changes_with_their_marks_and_exit_code() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let f = file(&dir, false);
    let o = run_at(&emulator, &["plan", &f, "--exit-code"], None);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "tenant {TENANT_ID}\n\
             \x20 ~ update {MONTHLY_REPORT_ID} usage_summary/send (entry 1)\n\
             \x20     schedule.enabled: true → false\n\
             \x20     parameters.level: \"accounts\" → \"all_customers\"\n\
             tenant {T2}\n\
             \x20 + create usage_daily/save (entry 2)\n\
             \x20     POST /reports {{\"recipients\":[],\"result_action\":\"save\",\"parameters\":{{\"tenant_id\":\"{T2}\",\"level\":\"accounts\",\"kind\":\"usage_daily\",\"formats\":[\"csv_v2_0\"]}},\"schedule\":{{\"type\":\"monthly\"}}}}\n\
             Plan: 1 to create, 1 to update, 0 to replace, 0 to delete, 0 unchanged, 0 unmanaged.\n"
        )
    );
    assert_eq!(writes(&emulator), 0);
    // Without --exit-code, changes are no failure.
    let o = run_at(&emulator, &["plan", &f], None);
    assert_eq!(o.status.code(), Some(0));
    assert_no_secret(&o, TOKEN);
}

#[test]
fn plan_json_has_the_exact_patch_of_each_update() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let o = run_at(&emulator, &["--json", "plan", &file(&dir, true)], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 2, "{}", stdout(&o));
    assert_eq!(lines[0]["action"], "update");
    assert_eq!(lines[0]["tenant"], TENANT_ID);
    assert_eq!(lines[0]["id"], MONTHLY_REPORT_ID);
    assert_eq!(lines[0]["kind"], "usage_summary");
    assert_eq!(
        lines[0]["patch"],
        json!({"schedule": {"enabled": false}, "parameters": {"level": "all_customers"}})
    );
    assert_eq!(lines[1]["action"], "create");
    assert_eq!(lines[1]["id"], Value::Null);
    assert_eq!(lines[1]["body"]["schedule"], json!({"type": "monthly"}));
    // The one-time report is in no line.
    assert!(!stdout(&o).contains(ONCE_REPORT_ID));
    assert!(
        stderr(&o).contains("1 to create, 1 to update"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn apply_without_a_terminal_needs_yes_and_sends_nothing() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let o = run_at(&emulator, &["apply", &file(&dir, false)], Some("yes\n"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert!(emulator.requests().is_empty(), "not even the plan's GETs");
}

#[test]
fn apply_changes_the_server_and_a_second_apply_finds_nothing_to_do() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let f = file(&dir, false);
    let o = run_at(&emulator, &["--json", "apply", &f, "--yes"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o);
    let outcomes: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["action"].as_str().unwrap(),
                l["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    let mut sorted = outcomes.clone();
    sorted.sort();
    assert_eq!(sorted, [("create", "created"), ("update", "updated")]);
    assert!(
        stderr(&o).contains("Apply: 1 created, 1 updated, 0 replaced, 0 deleted, 0 failed"),
        "{}",
        stderr(&o)
    );

    let updated: Report = emulator.report(MONTHLY_REPORT_ID).unwrap();
    assert!(!updated.schedule.enabled);
    assert_eq!(updated.parameters.level.as_str(), "all_customers");
    let created_id = lines
        .iter()
        .find(|l| l["action"] == "create")
        .map(|l| l["report"]["id"].as_str().unwrap().to_owned())
        .unwrap();
    let created: Report = emulator.report(&created_id).unwrap();
    assert_eq!(created.parameters.tenant_id.to_string(), T2);
    assert_eq!(created.parameters.formats[0].as_str(), "csv_v2_0");
    assert_eq!(created.schedule.schedule_type.as_str(), "monthly");

    let before = writes(&emulator);
    let o = run_at(&emulator, &["apply", &f, "--yes"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "No changes. 2 unchanged, 0 unmanaged.\n");
    assert_eq!(writes(&emulator), before);
    let o = run_at(&emulator, &["plan", &f, "--exit-code"], None);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn apply_dry_run_prints_the_writes_and_sends_none() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let o = run_at(&emulator, &["apply", &file(&dir, false), "--dry-run"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let base = emulator.base_url();
    assert!(
        stdout(&o).contains(&format!(
            "PUT {base}/reports/{MONTHLY_REPORT_ID}\n{{\"parameters\":{{\"level\":\"all_customers\"}},\"schedule\":{{\"enabled\":false}}}}\n"
        )),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains(&format!("POST {base}/reports\n")));
    assert_eq!(writes(&emulator), 0);
}

#[test]
fn a_refused_write_is_reported_the_rest_applied_and_the_exit_code_says_so() {
    let emulator = emulator();
    // Creates are refused (400, "usage history is not ready yet"); reads and updates work.
    emulator.set_quirks(Quirks::new().usage_not_ready(true));
    let dir = tempfile::tempdir().unwrap();
    let o = run_at(
        &emulator,
        &["--json", "apply", &file(&dir, false), "--yes"],
        None,
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let mut lines = json_lines(&o);
    lines.sort_by_key(|l| l["action"].as_str().unwrap_or_default().to_owned());
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (&lines[0]["action"], &lines[0]["outcome"]),
        (&json!("create"), &json!("failed"))
    );
    assert_eq!(lines[0]["error"]["status"], 400);
    assert_eq!(lines[0]["error"]["exit_code"], 3);
    assert_eq!(lines[0]["tenant"], T2);
    assert_eq!(
        (&lines[1]["action"], &lines[1]["outcome"]),
        (&json!("update"), &json!("updated"))
    );
    let updated: Report = emulator.report(MONTHLY_REPORT_ID).unwrap();
    assert!(!updated.schedule.enabled, "the update was applied");
    assert!(
        stderr(&o).contains("1 updated, 0 replaced, 0 deleted, 1 failed"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn export_then_plan_finds_no_change_and_the_file_is_written_atomically() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("exported.toml");
    std::fs::write(&target, "old content").unwrap();
    let t = target.to_string_lossy().into_owned();
    let o = run_at(
        &emulator,
        &["export", "--tenant", TENANT_ID, "--tenant", T2, "-o", &t],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(
        text.contains(&format!("tenant = \"{TENANT_ID}\"")),
        "{text}"
    );
    assert!(
        text.contains(&format!("recipients = [\"{RECIPIENT}\"]")),
        "{text}"
    );
    assert!(!text.contains(ONCE_REPORT_ID));
    let o = run_at(&emulator, &["plan", &t, "--exit-code"], None);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "No changes. 1 unchanged, 0 unmanaged.\n");

    // JSON, to standard output, reads back the same.
    let o = run_at(
        &emulator,
        &["--json", "export", "--tenant", TENANT_ID],
        None,
    );
    let json_path = dir.path().join("exported.json");
    std::fs::write(&json_path, &o.stdout).unwrap();
    let o = run_at(
        &emulator,
        &["plan", &json_path.to_string_lossy(), "--exit-code"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn export_to_a_file_that_cannot_be_written_sends_nothing() {
    let emulator = emulator();
    let o = run_at(
        &emulator,
        &[
            "export",
            "--tenant",
            TENANT_ID,
            "-o",
            "/nonexistent-dir/x.toml",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(emulator.requests().is_empty());
}

#[test]
fn file_errors_name_the_entry_and_key_and_send_nothing() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    for (body, says) in [
        (
            format!(
                "[[report]]\ntenant = \"{TENANT_ID}\"\nkind = \"usage_summary\"\nlevel = \"accounts\"\nrecipents = []\n"
            ),
            "recipents",
        ),
        (
            format!(
                "[[report]]\ntenant = \"{TENANT_ID}\"\nkind = \"usage_summary\"\nlevel = \"accounts\"\nresult_action = \"save\"\nrecipients = [\"{RECIPIENT}\"]\n"
            ),
            "report entry 1: recipients: a saved report",
        ),
        (
            "[[report]]\ntenant = \"nope\"\n".to_owned(),
            "report entry 1: tenant: invalid tenant id",
        ),
        ("{\"report\": [}".to_owned(), "line 1"),
    ] {
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, &body).unwrap();
        for command in ["plan", "apply"] {
            let o = run_at(
                &emulator,
                &[command, &path.to_string_lossy(), "--yes"]
                    [..if command == "plan" { 2 } else { 3 }],
                None,
            );
            assert_eq!(o.status.code(), Some(2), "{body}");
            assert!(stderr(&o).contains(says), "{body}: {}", stderr(&o));
            assert!(stderr(&o).contains("nothing was sent"), "{}", stderr(&o));
        }
    }
    assert!(emulator.requests().is_empty());
}

#[test]
fn ambiguous_matches_exit_2_naming_both_ids_and_nothing_is_written() {
    let emulator = emulator();
    let mut twin: Report = emulator.report(MONTHLY_REPORT_ID).unwrap();
    twin.id = "a0000000-0000-4000-8000-000000000009".parse().unwrap();
    emulator.add_report(&twin).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = run_at(&emulator, &["apply", &file(&dir, false), "--yes"], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(MONTHLY_REPORT_ID) && e.contains(&twin.id.to_string()),
        "{e}"
    );
    assert!(e.contains("pin"), "{e}");
    assert_eq!(writes(&emulator), 0);
}

#[test]
fn apply_reads_no_file_from_standard_input_without_yes() {
    // The answer to the question would come from the same standard input.
    let emulator = emulator();
    let o = run_at(&emulator, &["apply", "-"], Some("[[report]]\n"));
    assert_eq!(o.status.code(), Some(2));
    assert!(emulator.requests().is_empty());
}

#[test]
fn an_exported_json_file_applies_with_nothing_to_do() {
    let emulator = emulator();
    let o = run_at(
        &emulator,
        &["--json", "export", "--tenant", TENANT_ID],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Read from standard input, with a byte-order mark as some editors write.
    let mut text = "\u{feff}".to_owned();
    text.push_str(&stdout(&o));
    let o = run_at(&emulator, &["--json", "apply", "-", "--yes"], Some(&text));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "no outcome: nothing to do");
    assert!(
        stderr(&o).contains("No changes. 1 unchanged"),
        "{}",
        stderr(&o)
    );
    assert_eq!(writes(&emulator), 0);
}

#[test]
fn a_pin_whose_report_would_be_replaced_exits_2_and_writes_nothing() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pinned.toml");
    std::fs::write(
        &path,
        format!(
            "[[report]]\nid = \"{MONTHLY_REPORT_ID}\"\ntenant = \"{TENANT_ID}\"\nkind = \"usage_summary\"\nlevel = \"accounts\"\nformats = [\"csv\", \"html\"]\n"
        ),
    )
    .unwrap();
    let o = run_at(
        &emulator,
        &["apply", &path.to_string_lossy(), "--yes"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("can only change by replacing it"),
        "{}",
        stderr(&o)
    );
    assert_eq!(writes(&emulator), 0);
}

#[test]
fn a_protected_report_an_edit_would_replace_or_prune_exits_2_and_writes_nothing() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("protected.toml");
    // Other formats: the seeded report would be replaced.
    std::fs::write(
        &path,
        format!(
            "[[report]]\ntenant = \"{TENANT_ID}\"\nkind = \"usage_summary\"\nlevel = \"accounts\"\nformats = [\"csv\", \"html\"]\nprotect = true\n"
        ),
    )
    .unwrap();
    let path = path.to_string_lossy().into_owned();
    for command in ["plan", "apply"] {
        let o = run_at(
            &emulator,
            &[command, &path, "--yes"][..if command == "plan" { 2 } else { 3 }],
            None,
        );
        assert_eq!(o.status.code(), Some(2), "{command}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            format!(
                "error: report entry 1 protects the reports it matches (protect = true): the plan would replace report {MONTHLY_REPORT_ID} of tenant {TENANT_ID}; nothing was changed\n"
            ),
            "{command}"
        );
    }
    // Pruned: the file protects every report, and its entry matches none.
    std::fs::write(
        &path,
        format!(
            "prune = true\nprotect = true\n\n[[report]]\ntenant = \"{TENANT_ID}\"\nkind = \"usage_daily\"\nlevel = \"accounts\"\nresult_action = \"save\"\n"
        ),
    )
    .unwrap();
    let o = run_at(&emulator, &["apply", &path, "--yes"], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "the file protects every report of its tenants (protect = true): the plan would delete report {MONTHLY_REPORT_ID} of tenant {TENANT_ID}"
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(writes(&emulator), 0);
    assert!(emulator.has_report(MONTHLY_REPORT_ID));
}

#[test]
fn the_emulator_command_makes_empty_tenants_exist() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let mut child = common::cli::command(&["--json", "emulator", "--tenant", T2], &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let started: Value = serde_json::from_str(&line).unwrap();
    let base = started["base_url"].as_str().unwrap().to_owned();
    let o = run(
        &["list", "--tenant", T2],
        &[("ACRONIS_BASE_URL", &base), ("ACRONIS_TOKEN", TOKEN)],
        None,
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn a_file_given_by_mistake_is_never_echoed() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let secret = "hunter2-NEVER-SHOWN";
    let long = format!("KEY={}\n", "x".repeat(400_000));
    for body in [
        format!("export ACRONIS_CLIENT_SECRET={secret}\nexport ACRONIS_CLIENT_ID=abc\n"),
        format!("# settings\nACRONIS_CLIENT_SECRET = \"{secret}\"\n"),
        long,
    ] {
        let path = dir.path().join(".env");
        std::fs::write(&path, &body).unwrap();
        let o = run_at(&emulator, &["plan", &path.to_string_lossy()], None);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(!err.contains(secret), "{err}");
        assert!(err.contains("TOML: line "), "{err}");
        assert!(err.len() < 1024, "{} bytes of error", err.len());
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert!(emulator.requests().is_empty());
}

#[test]
fn reports_of_unknown_values_export_plan_and_apply_as_written_and_typos_are_refused() {
    let emulator = emulator();
    let future_id = "f0f0f0f0-0000-4000-8000-00000000000f";
    let mut future: Value =
        serde_json::to_value(emulator.report::<Report>(MONTHLY_REPORT_ID).unwrap()).unwrap();
    future["id"] = json!(future_id);
    future["parameters"]["kind"] = json!("usage_future");
    future["parameters"]["level"] = json!("galaxy");
    future["result_action"] = json!("email");
    emulator.add_report(&future).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reports.toml");
    let t = path.to_string_lossy().into_owned();

    // Export writes the report as the server sent it, and a plan of the file finds nothing
    // to do, even with prune = true.
    let o = run_at(
        &emulator,
        &["export", "--tenant", TENANT_ID, "-o", &t],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 report(s) hold values this version does not know"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("kind = \"usage_future\""), "{text}");
    assert!(text.contains("result_action = \"email\""), "{text}");
    assert!(text.contains("prune = false\n"), "{text}");
    std::fs::write(&path, text.replacen("prune = false\n", "prune = true\n", 1)).unwrap();
    let o = run_at(&emulator, &["plan", &t, "--exit-code"], None);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "No changes. 2 unchanged, 0 unmanaged.\n");
    assert!(
        stderr(&o).contains(
            "kind: \"usage_future\" is a value this version does not know; a report holds it, so it is sent as written"
        ),
        "{}",
        stderr(&o)
    );

    // The entry manages it: disabling it sends exactly that, and the server has it.
    let edited =
        std::fs::read_to_string(&path)
            .unwrap()
            .replacen("enabled = true", "enabled = false", 2);
    std::fs::write(&path, edited).unwrap();
    let before = emulator.requests().len();
    let o = run_at(&emulator, &["apply", &t, "--yes"], None);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let puts: Vec<(String, Value)> = emulator.requests()[before..]
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| (r.path.clone(), r.json().unwrap()))
        .collect();
    assert!(
        puts.contains(&(
            format!("/api/2/reports/{future_id}"),
            json!({"schedule": {"enabled": false}})
        )),
        "{puts:?}"
    );
    let stored: Value = emulator.report(future_id).unwrap();
    assert_eq!(stored["schedule"]["enabled"], json!(false));
    assert_eq!(stored["parameters"]["kind"], json!("usage_future"));

    // A value no report holds is a typo: refused by entry and key, no write sent.
    std::fs::write(
        &path,
        format!(
            "prune = true\n[[report]]\ntenant = \"{TENANT_ID}\"\nkind = \"usage_summary\"\nlevel = \"everyone\"\n"
        ),
    )
    .unwrap();
    let writes_before = writes(&emulator);
    for command in [&["plan", &t][..], &["apply", &t, "--yes"][..]] {
        let o = run_at(&emulator, command, None);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(
                "report entry 1: level: no report of the file's tenants holds this value: unknown level \"everyone\"; expected one of:"
            ),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("nothing was changed"), "{}", stderr(&o));
    }
    assert_eq!(writes(&emulator), writes_before);
    assert!(emulator.has_report(MONTHLY_REPORT_ID) && emulator.has_report(future_id));
}

#[test]
fn apply_dry_run_prints_its_writes_in_the_order_apply_sends_them() {
    // A plan whose order (by tenant: replace, delete; then create) is not apply's (creates and
    // updates, then replacements, then deletes).
    let setup = || {
        let emulator = emulator();
        let mut daily = emulator
            .report::<Value>(MONTHLY_REPORT_ID)
            .expect("the seeded report");
        daily["id"] = json!("3f9a1c2e-4b5d-4e6f-8a7b-9c0d1e2f3a4b");
        daily["parameters"]["kind"] = json!("usage_daily");
        emulator.add_report(&daily).unwrap();
        emulator
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reports.toml");
    std::fs::write(
        &path,
        format!(
            r#"prune = true

[[report]]
tenant = "{TENANT_ID}"
kind = "usage_summary"
level = "accounts"
formats = ["html"]

[[report]]
tenant = "{T2}"
kind = "usage_daily"
level = "accounts"
result_action = "save"
formats = ["csv_v2_0"]
"#
        ),
    )
    .unwrap();
    let f = path.to_str().unwrap();

    let emulator = setup();
    let o = run_at(&emulator, &["--json", "apply", f, "--dry-run"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(writes(&emulator), 0);
    let base = emulator.base_url();
    let printed: Vec<(String, String, Value)> = json_lines(&o)
        .into_iter()
        .map(|l| {
            let url = l["url"].as_str().unwrap();
            (
                l["method"].as_str().unwrap().to_owned(),
                url.strip_prefix(&base).unwrap().to_owned(),
                l["body"].clone(),
            )
        })
        .collect();

    // The same plan applied for real, one action at a time: the writes the server received.
    let emulator = setup();
    let o = run_at(
        &emulator,
        &["apply", f, "--yes", "--concurrency", "1"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sent: Vec<(String, String, Value)> = emulator
        .requests()
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| {
            let path = r.path.strip_prefix("/api/2").unwrap().to_owned();
            let path = match &r.query {
                Some(q) => format!("{path}?{q}"),
                None => path,
            };
            let body = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            (r.method.clone(), path, body)
        })
        .collect();
    assert_eq!(printed, sent);
    let order: Vec<(&str, &str)> = printed
        .iter()
        .map(|(m, p, b)| {
            let about = b["parameters"]["tenant_id"].as_str().unwrap_or(p.as_str());
            (m.as_str(), about)
        })
        .collect();
    assert_eq!(
        order,
        [
            ("POST", T2),
            ("POST", TENANT_ID),
            (
                "DELETE",
                format!("/reports/{MONTHLY_REPORT_ID}?version=1559561146223").as_str()
            ),
            (
                "DELETE",
                "/reports/3f9a1c2e-4b5d-4e6f-8a7b-9c0d1e2f3a4b?version=1559561146223"
            ),
        ]
    );
}

#[test]
fn plan_marks_are_coloured_only_where_colour_is_on() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let f = file(&dir, false);
    let base = emulator.base_url();
    let plan = |extra: &[(&str, &str)]| {
        let mut env = vec![
            ("ACRONIS_BASE_URL", base.as_str()),
            ("ACRONIS_TOKEN", TOKEN),
        ];
        env.extend_from_slice(extra);
        let o = run(&["plan", &f], &env, None);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o)
    };
    // A pipe: no escape at all.
    let plain = plan(&[]);
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    assert!(
        plain.contains("  + create ") && plain.contains("  ~ update "),
        "{plain}"
    );
    // Colour forced (as on a terminal): `+` green, `~` yellow, nothing else changed.
    let coloured = plan(&[("CLICOLOR_FORCE", "1")]);
    assert!(
        coloured.contains("  \u{1b}[32m+\u{1b}[0m create "),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("  \u{1b}[33m~\u{1b}[0m update "),
        "{coloured:?}"
    );
    let stripped = coloured
        .replace("\u{1b}[32m", "")
        .replace("\u{1b}[33m", "")
        .replace("\u{1b}[0m", "");
    assert_eq!(stripped, plain);
    // NO_COLOR wins.
    let off = plan(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert_eq!(off, plain);
}

#[test]
fn the_emulator_delay_is_shown_by_its_banner_and_its_admin_interface() {
    // Short, so that the test does not wait: what is checked is that the setting reaches the
    // emulator (the delay itself is held by the emulator's own tests).
    let (lines, child) = common::cli::emulator_banner(&["emulator", "--delay-ms", "5"]);
    drop(child);
    assert_eq!(
        lines[4],
        format!("client secret: {}", acronis_reports_emulator::CLIENT_SECRET)
    );
    assert_eq!(
        lines[5],
        "answer delay:  5 ms before every answer of the API"
    );
    let (lines, _child) = common::cli::emulator_banner(&["--json", "emulator", "--delay-ms", "5"]);
    let started: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(started["answer_delay_ms"], 5);
    let admin = started["base_url"]
        .as_str()
        .unwrap()
        .replace("/api/2", "/__admin");
    let index: Value = serde_json::from_str(
        &ureq::get(&admin)
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(index["settings"], json!({"answer_delay_ms": 5}));
    // Without it: none, and no banner line.
    let (lines, child) = common::cli::emulator_banner(&["--json", "emulator"]);
    drop(child);
    let started: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(started["answer_delay_ms"], 0);
    let o = run(&["emulator", "--delay-ms", "600001"], &[], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--delay-ms"), "{}", stderr(&o));
}

#[test]
fn the_emulator_banner_gives_a_line_to_paste_and_names_the_seeded_tenants_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    let mut a: Value = serde_json::to_value(
        Emulator::start()
            .unwrap()
            .report::<Value>(MONTHLY_REPORT_ID),
    )
    .unwrap();
    let mut b = a.clone();
    a["id"] = json!("aaaaaaaa-0000-4000-8000-000000000001");
    a["parameters"]["tenant_id"] = json!(T2);
    b["id"] = json!("bbbbbbbb-0000-4000-8000-000000000002");
    b["parameters"]["tenant_id"] = json!("11111111-0000-4000-8000-000000000001");
    b["schedule"] = json!({"type": "once", "enabled": true});
    std::fs::write(&seed, json!([a, b]).to_string()).unwrap();
    let empty = "22222222-0000-4000-8000-000000000002";
    let (lines, child) = common::cli::emulator_banner(&[
        "emulator",
        "--seed",
        seed.to_str().unwrap(),
        "--tenant",
        empty,
    ]);
    let base = lines[1].strip_prefix("base URL:      ").unwrap().to_owned();
    let export = format!("export ACRONIS_BASE_URL={base} ACRONIS_TOKEN={TOKEN}");
    assert_eq!(
        lines[5..],
        [
            format!("tenants:       {T2} (1 report)"),
            "               11111111-0000-4000-8000-000000000001 (1 report)".to_owned(),
            format!("               {empty} (no reports)"),
            "reports:       aaaaaaaa-0000-4000-8000-000000000001 (monthly)".to_owned(),
            "               bbbbbbbb-0000-4000-8000-000000000002 (once)".to_owned(),
            "paste this line into a shell to point acronis-reports at it:".to_owned(),
            export.clone(),
            "interrupt (Ctrl-C) to stop".to_owned(),
        ],
        "{lines:#?}"
    );
    // The line works as pasted: a shell that runs it, then the tool, lists the seeded report.
    let bin = env!("CARGO_BIN_EXE_acronis-reports");
    let o = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("{export} && \"$0\" list --tenant {T2} --ids-only"),
            bin,
        ])
        .env_clear()
        .output()
        .unwrap();
    drop(child);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "aaaaaaaa-0000-4000-8000-000000000001\n");

    // Without --seed: its two reports in the default tenant; the same in JSON.
    let (lines, child) = common::cli::emulator_banner(&["--json", "emulator"]);
    drop(child);
    let started: Value = serde_json::from_str(&lines[0]).unwrap();
    let base = started["base_url"].as_str().unwrap();
    assert_eq!(
        started["export"],
        format!("export ACRONIS_BASE_URL={base} ACRONIS_TOKEN={TOKEN}")
    );
    assert_eq!(
        started["reports"],
        json!([MONTHLY_REPORT_ID, ONCE_REPORT_ID])
    );
    assert_eq!(started["tenants"], json!([TENANT_ID]));
    assert_eq!(started["tenant_id"], TENANT_ID);
}
