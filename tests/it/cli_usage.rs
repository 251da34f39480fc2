//! `usage` and `billing`, run for real: files and stored files read, exact JSON numbers,
//! billable totals, the recipe end to end against the emulator, and errors that say where.
#![cfg(feature = "cli")]

use crate::common;

use acronis_reports::usage::Decimal;
use acronis_reports_emulator::{CUSTOMER_A, Emulator, Quirks, TENANT_ID, TOKEN};
use common::cli::{assert_no_secret, json_lines, run, run_at, stderr, stdout};
use serde_json::{Value, json};

fn content(format: &str) -> String {
    String::from_utf8(
        Emulator::usage_content(format, TENANT_ID, "2026-10-01", "2026-10-31").unwrap(),
    )
    .unwrap()
}

#[test]
fn billing_runs_the_recipe_and_prints_exact_totals() {
    let emulator = Emulator::start().unwrap();
    let o = run_at(
        &emulator,
        &[
            "--json", "billing", "--tenant", TENANT_ID, "--month", "2026-10",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The exact number in the output: an integer, past 2^53.
    assert!(
        stdout(&o).contains(&format!(
            r#"{{"tenant":"{CUSTOMER_A}","usage_name":"storage","metric":"storage_azure","quantity":10000000000000000,"#
        )),
        "{}",
        stdout(&o)
    );
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 6);
    let partner = &lines[0];
    assert_eq!(partner["tenant"], TENANT_ID);
    assert_eq!(partner["usage_name"], "storage");
    assert_eq!(
        partner["quantity"],
        json!(2_147_483_648u64),
        "a partner's production"
    );

    // What the server saw: the report created as the recipe says, then deleted.
    let requests = emulator.requests();
    let post = requests.iter().find(|r| r.method == "POST").unwrap();
    let body = post.json().unwrap();
    assert_eq!(
        body["parameters"],
        json!({"tenant_id": TENANT_ID, "level": "all_customers", "kind": "usage_summary",
            "formats": ["csv_v2_0", "json_v2_0"], "show_skus": true,
            "period": {"start": "2026-10-01", "end": "2026-10-31"}})
    );
    assert_eq!(body["schedule"], json!({"type": "once"}));
    assert_eq!(body["result_action"], "save");
    assert!(requests.iter().any(|r| r.method == "DELETE"));
    let created = post.report_id().map(str::to_owned);
    assert!(created.is_none() || !emulator.has_report(created.unwrap()));
    assert!(stderr(&o).contains("was deleted"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("billed in part"), "{}", stderr(&o));
    assert_no_secret(&o, TOKEN);
}

#[test]
fn billing_from_json_gives_units_for_people_and_keep_report_keeps_it() {
    let emulator = Emulator::start().unwrap();
    let o = run_at(
        &emulator,
        &[
            "billing",
            "--tenant",
            TENANT_ID,
            "--month",
            "2026-10",
            "--format",
            "json_v2_0",
            "--keep-report",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("9313225.746 GiB"), "{text}");
    assert!(text.contains("2 hours"), "{text}");
    assert!(!emulator.requests().iter().any(|r| r.method == "DELETE"));
    assert!(stderr(&o).contains("was kept"));
    // What json_v2_0 cannot tell the billing, one note each.
    let err = stderr(&o);
    let notes: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("warning: billed in part: "))
        .collect();
    assert_eq!(notes.len(), 2, "{err}");
    assert!(
        notes[0].contains("no production and trial split")
            && notes[1].contains("give no backend type")
    );
}

#[test]
fn usage_history_not_ready_is_said_plainly() {
    let emulator = Emulator::start().unwrap();
    emulator.set_quirks(Quirks::new().usage_not_ready(true));
    let o = run_at(
        &emulator,
        &["billing", "--tenant", TENANT_ID, "--month", "2026-10"],
        None,
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("try again after 6 am UTC"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_bad_month_or_tenant_sends_nothing() {
    let emulator = Emulator::start().unwrap();
    for args in [
        ["billing", "--tenant", TENANT_ID, "--month", "2026-13"],
        ["billing", "--tenant", TENANT_ID, "--month", "October"],
        ["billing", "--tenant", "nope", "--month", "2026-10"],
    ] {
        let o = run_at(&emulator, &args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    assert!(emulator.requests().is_empty());
}

#[test]
fn usage_reads_a_stored_file_straight_from_the_api() {
    let emulator = Emulator::start().unwrap();
    // A saved report, created with both usage formats.
    let o = run_at(
        &emulator,
        &[
            "--json",
            "create",
            "--tenant",
            TENANT_ID,
            "--level",
            "accounts",
            "--kind",
            "usage_summary",
            "--format",
            "csv_v2_0",
            "--format",
            "json_v2_0",
            "--start",
            "2026-10-01",
            "--end",
            "2026-10-31",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let id = json_lines(&o)[0]["id"].as_str().unwrap().to_owned();
    emulator.set_polls_before_saved(0);
    let _ = run_at(&emulator, &["stored", &id], None);
    let o = run_at(&emulator, &["--json", "stored", &id], None);
    let files = json_lines(&o);
    for file in &files {
        let stored = file["id"].as_str().unwrap();
        let o = run_at(&emulator, &["--json", "usage", &id, stored], None);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let records = json_lines(&o);
        assert_eq!(records.len(), 6, "{}", file["report_format"]);
        assert_eq!(records[1]["tenant"], CUSTOMER_A);
        assert_eq!(records[1]["absolute"], json!(10_000_000_000_000_000u64));
        assert!(stdout(&o).contains(r#""absolute":10000000000000000,"#));
        // The members only json_v2_0 has, as the vendor documents them.
        let (range_start, offering_item) =
            (&records[1]["range_start"], &records[1]["offering_item"]);
        if file["report_format"] == "json_v2_0" {
            assert_eq!(range_start, &json!("2026-10-01T00:00:00"));
            assert_eq!(
                offering_item,
                &json!({"status": 1, "quota": {"value": null, "overage": null, "version": 0}})
            );
        } else {
            assert_eq!((range_start, offering_item), (&Value::Null, &Value::Null));
        }
    }
}

#[test]
fn usage_reads_files_gzip_or_not_and_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("usage.csv");
    std::fs::write(&csv, content("csv_v2_0")).unwrap();
    let gz = dir.path().join("usage.json.gz");
    {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(content("json_v2_0").as_bytes()).unwrap();
        std::fs::write(&gz, e.finish().unwrap()).unwrap();
    }
    let o = run(&["usage", &csv.to_string_lossy(), "--csv"], &[], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with(
        "tenant,tenant_kind,application,edition,usage_name,unit,absolute,delta,billable,infra_id\n"
    ));
    assert!(text.contains(&format!(
        "{TENANT_ID},partner,backup,standard,storage,,3221225472,1024,2147483648,"
    )));
    let o = run(
        &["--json", "usage", &gz.to_string_lossy(), "--billing"],
        &[],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 6);
    assert_eq!(
        lines[1],
        json!({"tenant": CUSTOMER_A, "usage_name": "dre_compute_points", "metric": "dre_compute_points", "quantity": 7200,
            "unit": "seconds", "human": {"quantity": 2, "unit": "hours"}, "records": 1})
    );
    let o = run(&["usage", "-"], &[], Some(&content("csv_v2_0")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 7, "a header and six rows");
}

#[test]
fn a_broken_file_says_where_and_billing_prints_no_totals() {
    let mut broken = content("csv_v2_0");
    broken = broken.replacen("10000000000000000", "lots", 1);
    let o = run(&["usage", "-"], &[], Some(&broken));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("-: csv_v2_0 usage file, row 2 (line 3), usage.absolute.production: \"lots\" is not a number"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        stdout(&o).lines().count(),
        6,
        "the other five rows and the header"
    );
    let o = run(&["usage", "-", "--billing"], &[], Some(&broken));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "", "no totals from a file read in part");
    assert!(
        stderr(&o).contains("no totals are printed"),
        "{}",
        stderr(&o)
    );

    let full = content("json_v2_0");
    let cut = &full[..full.rfind("\"tenant_uuid\"").unwrap() + 30];
    let o = run(&["--json", "usage", "-"], &[], Some(cut));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cut short"), "{}", stderr(&o));
    let lines: Vec<Value> = json_lines(&o)
        .into_iter()
        .filter(|l| l.get("error").is_none())
        .collect();
    assert!(!lines.is_empty(), "the records before the cut");

    let o = run(&["usage", "/nonexistent/usage.csv"], &[], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_bad_last_row_is_not_said_to_have_stopped_the_reading() {
    let csv = content("csv_v2_0");
    let mut lines: Vec<&str> = csv.lines().collect();
    let last = lines
        .pop()
        .unwrap()
        .replacen(",10995116277760,", ",lots,", 1);
    let last = last.replacen(
        "backup,standard,physical_data_shipping,,,,1,",
        "backup,standard,physical_data_shipping,,,,lots,",
        1,
    );
    let broken = format!("{}\n{last}\n", lines.join("\n"));
    let o = run(&["usage", "-"], &[], Some(&broken));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("row 6"), "{err}");
    assert!(!err.contains("the reading stopped"), "{err}");
    // A file cut short does stop it, and says so.
    let json = content("json_v2_0");
    let o = run(&["usage", "-"], &[], Some(&json[..json.len() / 2]));
    assert!(
        stderr(&o).contains("the reading stopped at that error"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_interrupt_while_billing_deletes_the_report_it_made() {
    let emulator = Emulator::start().unwrap();
    // The file never gets ready: the tool waits until it is interrupted.
    emulator.set_polls_before_saved(1_000_000);
    let base = emulator.base_url();
    let mut child = common::cli::command(
        &["billing", "--tenant", TENANT_ID, "--month", "2026-10"],
        &[("ACRONIS_BASE_URL", &base), ("ACRONIS_TOKEN", TOKEN)],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    // Once it has created the report and looked at its files, interrupt it.
    while !emulator
        .requests()
        .iter()
        .any(|r| r.path.ends_with("/stored"))
    {
        assert!(
            child.try_wait().unwrap().is_none(),
            "billing ended before its wait"
        );
        std::thread::yield_now();
    }
    assert!(emulator.requests().iter().any(|r| r.method == "POST"));
    let o = common::cli::signal_after(child, 0, "INT");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(
        err.contains(
            "interrupted: no bill was made; the one-time report it had created was deleted"
        ),
        "{err}"
    );
    let deletes = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(deletes, 1);
    // Only the two seeded reports are left.
    let left: Vec<String> = acronis_reports::Client::builder()
        .base_url(&base)
        .bearer_token(TOKEN)
        .build()
        .unwrap()
        .list_report_ids(TENANT_ID)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}

/// `YYYY-MM` of the month before `day`'s, and that month's first and last days.
fn month_before(day: acronis_reports::Date) -> (String, String, String) {
    let (start, end) = day.previous_month().unwrap();
    (
        format!("{:04}-{:02}", start.year(), start.month()),
        start.to_string(),
        end.to_string(),
    )
}

#[test]
fn billing_defaults_to_the_previous_month_and_says_so() {
    let emulator = Emulator::start().unwrap();
    // The day before and after the run: the same unless the run spans midnight UTC.
    let before = month_before(acronis_reports::Date::today_utc());
    let o = run_at(&emulator, &["billing", "--tenant", TENANT_ID], None);
    let after = month_before(acronis_reports::Date::today_utc());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let post = emulator
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    let period = post.json().unwrap()["parameters"]["period"].clone();
    let (month, start, end) = [before, after]
        .into_iter()
        .find(|(_, start, _)| period["start"] == start.as_str())
        .unwrap_or_else(|| panic!("{period}"));
    assert_eq!(period, json!({"start": start, "end": end}));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!(
            "billing {month}, the previous month (UTC); --month YYYY-MM bills another\n"
        )),
        "{err}"
    );
    assert!(stdout(&o).starts_with("TENANT "), "{}", stdout(&o));
}

#[test]
fn billing_a_month_that_has_not_ended_says_so_in_the_tools_words_and_sends_nothing() {
    let emulator = Emulator::start().unwrap();
    let today = acronis_reports::Date::today_utc();
    let this_month = format!("{:04}-{:02}", today.year(), today.month());
    for month in [this_month.as_str(), "2999-01"] {
        let o = run_at(
            &emulator,
            &["billing", "--tenant", TENANT_ID, "--month", month],
            None,
        );
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!(
                "--month {month}: the month has not ended yet (today is "
            )),
            "{err}"
        );
        assert!(
            err.contains("the API bills only months that have ended; the last one is "),
            "{err}"
        );
        assert!(!err.contains("invalid new report"), "{err}");
    }
    assert!(emulator.requests().is_empty());
}

#[test]
fn help_points_at_the_documents_on_the_web_not_at_local_files() {
    for command in ["usage", "plan", "apply"] {
        let o = run(&[command, "--help"], &[], None);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let text = stdout(&o);
        assert!(
            text.contains("https://github.com/acronis-reports/acronis-reports/blob/main/docs/"),
            "{command}: {text}"
        );
        assert!(
            !text
                .lines()
                .any(|l| l.contains(" docs/") || l.contains("see docs/")),
            "{command}: {text}"
        );
    }
}

#[test]
fn a_file_that_holds_no_records_gets_its_error_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("err.json");
    // What a failed download may leave: the API's error, not a usage file.
    std::fs::write(
        &file,
        r#"{"error": {"code": 403, "message": "Access denied", "domain": "PlatformAccountServer", "details": {"info": null}}}"#,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    for view in [&[][..], &["--csv"], &["--billing"]] {
        let mut args = vec!["usage", path];
        args.extend_from_slice(view);
        let o = run(&args, &[], None);
        assert_eq!(o.status.code(), Some(2), "{view:?}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{view:?}: no table header");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{view:?}: {err}");
        assert!(
            err.contains("err.json: json_v2_0 usage file")
                && err.contains("not a json_v2_0 usage file"),
            "{view:?}: {err}"
        );
        assert!(
            !err.contains("records could not be read"),
            "{view:?}: {err}"
        );
    }
    // A file read whole that holds no record still shows its header.
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, r#"{"tenants": []}"#).unwrap();
    let o = run(&["usage", empty.to_str().unwrap(), "--csv"], &[], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("tenant,tenant_kind,"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn billing_a_realistic_file_prints_every_total_as_before() {
    // The totals `usage --billing` printed before the readers were made faster, byte for
    // byte, from the file compressed.
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    for (format, name, before) in [
        (
            acronis_reports::usage::UsageFormat::CsvV2,
            "usage.csv.gz",
            crate::usage_scale::TOTALS_BEFORE_CSV,
        ),
        (
            acronis_reports::usage::UsageFormat::JsonV2,
            "usage.json.gz",
            crate::usage_scale::TOTALS_BEFORE_JSON,
        ),
    ] {
        let path = dir.path().join(name);
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&crate::usage_scale::golden_file(format))
            .unwrap();
        std::fs::write(&path, e.finish().unwrap()).unwrap();
        let o = run(
            &["--json", "usage", "--billing", &path.to_string_lossy()],
            &[],
            None,
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(stdout(&o), before, "{format}");
    }
}

#[test]
fn the_table_and_json_lines_are_laid_out_as_before() {
    // The table's columns padded as `format!` pads them (by characters, text on the left,
    // numbers on the right, long cells not cut), and exact numbers in JSON at the edges of
    // 64-bit integers.
    let header = "tenant.id,tenant.kind,application.id,edition,name,infra.id,infra.backend_type,infra.owner_id,\
        usage.absolute.production,usage.absolute.trial,usage.absolute.total,\
        usage.delta.production,usage.delta.trial,usage.delta.total,\
        usage.effective.production,usage.effective.trial,usage.effective.total";
    let rows = [
        (
            "customer",
            "backup",
            "standard",
            "storage",
            "18446744073709551615",
            "-9223372036854775808",
        ),
        (
            "partner",
            "sauvegarde-\u{e9}t\u{e9}",
            "\u{e9}dition",
            "stockage",
            "18446744073709551616",
            "-9223372036854775809",
        ),
        (
            "reseller",
            "an-application-with-a-long-name",
            "standard",
            "a-usage-name-longer-than-its-column",
            "0.000",
            "-0.50",
        ),
        (
            "customer",
            "backup",
            "standard",
            "vms",
            "123456789012345678901234567.8",
            "1.5e3",
        ),
    ];
    let mut file = format!("{header}\n");
    for (kind, app, edition, name, absolute, delta) in rows {
        file.push_str(&format!(
            "{TENANT_ID},{kind},{app},{edition},{name},,,,0,0,{absolute},0,0,{delta},0,0,0\n"
        ));
    }
    let o = run(&["usage", "-"], &[], Some(&file));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + rows.len());
    for (line, (kind, app, edition, name, absolute, delta)) in lines[1..].iter().zip(rows) {
        let exact = |n: &str| {
            let plain = match n {
                "1.5e3" => "1500",
                n => n,
            };
            plain.parse::<Decimal>().unwrap().normalize().to_string()
        };
        let expected = format!(
            "{:<36}  {:<9}  {:<18}  {:<10}  {:<24}  {:<8}  {:>20}  {:>14}",
            TENANT_ID,
            kind,
            app,
            edition,
            name,
            "-",
            exact(absolute),
            exact(delta)
        );
        assert_eq!(*line, expected);
    }
    let o = run(&["--json", "usage", "-"], &[], Some(&file));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for (n, number) in [
        "\"absolute\":18446744073709551615,\"delta\":-9223372036854775808,",
        "\"absolute\":18446744073709551616,\"delta\":-9223372036854775809,",
        "\"absolute\":0,\"delta\":-0.5,",
        "\"absolute\":123456789012345678901234567.8,\"delta\":1500,",
    ]
    .iter()
    .enumerate()
    {
        let line = text.lines().nth(n).unwrap();
        assert!(line.contains(number), "{line}");
    }
}
