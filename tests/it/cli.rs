//! The `acronis-reports` binary, run for real against mockito servers and the emulator.
#![cfg(feature = "cli")]

use crate::common;

use std::process::Output;

use acronis_reports_emulator::{
    CLIENT_ID, CLIENT_SECRET, Emulator, MONTHLY_REPORT_ID, ONCE_REPORT_ID, TENANT_ID,
};
use common::cli::{assert_no_secret, json_lines, run, stderr, stdout};
use common::{ID, OTHER_ID, TOKEN, report_json};
use mockito::{Matcher, Server};
use serde_json::{Value, json};

const PATH: &str = "/api/2/reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc";

/// Runs against a mockito server with the fixed test token.
fn run_mock(server: &mockito::ServerGuard, args: &[&str]) -> Output {
    let base = format!("{}/api/2", server.url());
    run(
        args,
        &[("ACRONIS_BASE_URL", &base), ("ACRONIS_TOKEN", TOKEN)],
        None,
    )
}

/// Mocks that fail their `assert` if the server sees any request at all.
fn expect_no_request(server: &mut mockito::ServerGuard) -> Vec<mockito::Mock> {
    ["GET", "PUT", "POST", "DELETE"]
        .map(|m| server.mock(m, Matcher::Any).expect(0).create())
        .into()
}

#[test]
fn disable_sends_the_patch_and_says_what_changed() {
    let mut server = Server::new();
    // The report is read first: it is enabled, so the patch is sent.
    let get = server
        .mock("GET", PATH)
        .with_body(report_json(ID, true).to_string())
        .expect(1)
        .create();
    let put = server
        .mock("PUT", PATH)
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_body(Matcher::Exact(r#"{"schedule":{"enabled":false}}"#.into()))
        .with_body(report_json(ID, false).to_string())
        .create();
    let o = run_mock(&server, &["disable", ID]);
    get.assert();
    put.assert();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!("changed  {ID}  monthly schedule, enabled false (version 1559561146224)\n")
    );
    assert_eq!(stderr(&o), "1 changed, 0 unchanged, 0 skipped, 0 failed\n");
    assert_no_secret(&o, TOKEN);
}

#[test]
fn json_output_has_one_object_per_report() {
    let mut server = Server::new();
    server
        .mock("GET", PATH)
        .with_body(report_json(ID, false).to_string())
        .create();
    server
        .mock("PUT", PATH)
        .with_body(report_json(ID, true).to_string())
        .create();
    server
        .mock("GET", format!("/api/2/reports/{OTHER_ID}").as_str())
        .with_status(404)
        .with_body(r#"{"error": {"code": 404, "message": "Report not found", "domain": "PlatformAccountServer", "details": {"info": null}}}"#)
        .create();
    let o = run_mock(
        &server,
        &["--json", "enable", ID, OTHER_ID, "--concurrency", "1"],
    );
    assert_eq!(o.status.code(), Some(3));
    let mut lines = json_lines(&o);
    lines.sort_by_key(|v| v["id"].as_str().unwrap_or_default().to_owned());
    assert_eq!(lines[0]["id"], OTHER_ID);
    assert_eq!(lines[0]["outcome"], "failed");
    assert_eq!(lines[0]["error"]["kind"], "api");
    assert_eq!(lines[0]["error"]["status"], 404);
    assert_eq!(lines[0]["error"]["exit_code"], 3);
    assert!(
        lines[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Report not found")
    );
    assert_eq!(
        lines[1],
        json!({"id": ID, "outcome": "changed", "schedule": {"type": "monthly", "enabled": true}, "version": 1559561146224_i64})
    );
}

#[test]
fn dry_run_sends_nothing_and_shows_the_request() {
    let mut server = Server::new();
    // The report is read (a read changes nothing), and no write is sent.
    let get = server
        .mock("GET", PATH)
        .with_body(report_json(ID, true).to_string())
        .expect(1)
        .create();
    let nothing: Vec<mockito::Mock> = ["PUT", "POST", "DELETE"]
        .map(|m| server.mock(m, Matcher::Any).expect(0).create())
        .into();
    let o = run_mock(
        &server,
        &[
            "--dry-run",
            "update",
            ID,
            "--level",
            "all_customers",
            "--show-skus",
            "true",
        ],
    );
    nothing.iter().for_each(mockito::Mock::assert);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with(&format!("PUT {}{PATH}\n", server.url())),
        "{text}"
    );
    assert!(
        text.contains("authorization: Bearer <redacted>\n"),
        "{text}"
    );
    assert!(text.contains("content-type: application/json\n"), "{text}");
    assert!(
        text.contains(r#"{"parameters":{"level":"all_customers","show_skus":true}}"#),
        "{text}"
    );
    assert_no_secret(&o, TOKEN);

    // JSON form, and client credentials: a write needs no token, so not even the token
    // request is made; the write is shown, its token redacted.
    let base = format!("{}/api/2", server.url());
    let o = run(
        &["--json", "--dry-run", "delete", ID, "--version", "7"],
        &[
            ("ACRONIS_BASE_URL", &base),
            ("ACRONIS_CLIENT_ID", CLIENT_ID),
            ("ACRONIS_CLIENT_SECRET", CLIENT_SECRET),
        ],
        None,
    );
    nothing.iter().for_each(mockito::Mock::assert);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1, "the write, and nothing else: {lines:?}");
    assert_eq!(lines[0]["method"], "DELETE");
    assert_eq!(lines[0]["url"], format!("{base}/reports/{ID}?version=7"));
    assert_eq!(lines[0]["headers"]["authorization"], "Bearer <redacted>");
    assert_no_secret(&o, CLIENT_SECRET);
    get.assert();
}

#[test]
fn exit_codes() {
    // 2: invalid input, nothing sent.
    let mut server = Server::new();
    let nothing = expect_no_request(&mut server);
    assert_eq!(
        run_mock(&server, &["disable", "../etc/passwd"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run_mock(&server, &["update", ID]).status.code(),
        Some(2),
        "no update options"
    );
    assert_eq!(
        run_mock(&server, &["update", ID, "--level", "galaxy"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(
            &["show", ID],
            &[("ACRONIS_BASE_URL", "https://x.example/api/2")],
            None
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        run_mock(&server, &["frobnicate"]).status.code(),
        Some(2),
        "clap usage error"
    );
    nothing.iter().for_each(mockito::Mock::assert);

    // 3: the API refused.
    let mut server = Server::new();
    server
        .mock("GET", PATH)
        .with_status(403)
        .with_body("{}")
        .create();
    assert_eq!(run_mock(&server, &["show", ID]).status.code(), Some(3));

    // 4: accepted, not applied.
    let mut server = Server::new();
    server
        .mock("GET", PATH)
        .with_body(report_json(ID, true).to_string())
        .create();
    server
        .mock("PUT", PATH)
        .with_body(report_json(ID, true).to_string())
        .create();
    let o = run_mock(&server, &["disable", ID]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stdout(&o).contains("schedule.enabled: requested false, returned true"),
        "{}",
        stdout(&o)
    );

    // 5: service trouble after retries, or no network.
    let mut server = Server::new();
    let busy = server
        .mock("GET", PATH)
        .with_status(503)
        .with_body("busy")
        .expect(1)
        .create();
    assert_eq!(
        run_mock(&server, &["--retries", "0", "show", ID])
            .status
            .code(),
        Some(5)
    );
    busy.assert();
    let base = format!("{}/api/2", common::raw::closed_url());
    let o = run(
        &["--retries", "0", "show", ID],
        &[("ACRONIS_BASE_URL", &base), ("ACRONIS_TOKEN", TOKEN)],
        None,
    );
    assert_eq!(o.status.code(), Some(5));
    assert_no_secret(&o, TOKEN);
}

#[test]
fn a_thousand_ids_from_stdin_each_accounted_for_once() {
    let emulator = Emulator::start().unwrap();
    let mut ids = emulator.add_monthly_reports(800);
    ids.extend((0..150).map(|n| format!("00000000-0000-4000-8000-{n:012}")));
    ids.extend((0..50).map(|n| format!("bad-id-{n}")));
    let mut input = String::from("# ids to disable\n\n");
    for id in &ids {
        input.push_str(id);
        input.push('\n');
    }
    let base = emulator.base_url();
    let o = run(
        &["--json", "disable", "--ids-file", "-", "--concurrency", "8"],
        &[
            ("ACRONIS_BASE_URL", &base),
            ("ACRONIS_CLIENT_ID", CLIENT_ID),
            ("ACRONIS_CLIENT_SECRET", CLIENT_SECRET),
        ],
        Some(&input),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1000);
    // Each line of the input ends in one outcome, named by its line number (the ids start
    // on line 3).
    let mut seen: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
    seen.sort_unstable();
    assert_eq!(
        seen,
        (3..1003).collect::<Vec<u64>>(),
        "every line exactly once"
    );
    for l in &lines {
        let n = usize::try_from(l["line"].as_u64().unwrap()).unwrap() - 3;
        match l["outcome"].as_str().unwrap() {
            "invalid" => {
                assert_eq!(l["id"], Value::Null);
                assert!(ids[n].starts_with("bad-id-"));
            }
            _ => assert_eq!(l["id"], ids[n].as_str()),
        }
    }
    let count = |outcome: &str| lines.iter().filter(|l| l["outcome"] == outcome).count();
    assert_eq!(
        (count("changed"), count("failed"), count("invalid")),
        (800, 150, 50)
    );
    assert_eq!(
        stderr(&o),
        "800 changed, 0 unchanged, 0 skipped, 150 failed, 50 invalid lines\n"
    );
    assert!(emulator.connections() <= 9, "{}", emulator.connections());
    assert_eq!(emulator.tokens_issued(), 1);
}

#[test]
fn the_whole_tenant_skips_once_reports() {
    let emulator = Emulator::start().unwrap();
    let base = emulator.base_url();
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_TOKEN", acronis_reports_emulator::TOKEN),
    ];
    let o = run(&["--json", "disable", "--tenant", TENANT_ID], &env, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut lines = json_lines(&o);
    lines.sort_by_key(|v| v["id"].as_str().unwrap_or_default().to_owned());
    assert_eq!(lines[0]["id"], MONTHLY_REPORT_ID);
    assert_eq!(lines[0]["outcome"], "changed");
    assert_eq!(lines[1]["id"], ONCE_REPORT_ID);
    assert_eq!(lines[1]["outcome"], "skipped");
    // Again: now already as asked.
    let o = run(&["disable", "--tenant", TENANT_ID], &env, None);
    assert_eq!(stderr(&o), "0 changed, 1 unchanged, 1 skipped, 0 failed\n");
}

#[test]
fn reading_commands_and_the_report_lifecycle() {
    let emulator = Emulator::start().unwrap();
    let base = emulator.base_url();
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_CLIENT_ID", CLIENT_ID),
        ("ACRONIS_CLIENT_SECRET", CLIENT_SECRET),
    ];
    let o = run(&["list", "--tenant", TENANT_ID, "--ids-only"], &env, None);
    assert_eq!(
        stdout(&o),
        format!("{MONTHLY_REPORT_ID}\n{ONCE_REPORT_ID}\n")
    );

    let o = run(&["--json", "show", MONTHLY_REPORT_ID], &env, None);
    let shown: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(
        shown,
        emulator
            .report::<serde_json::Value>(MONTHLY_REPORT_ID)
            .unwrap()
    );

    let o = run(
        &[
            "--json",
            "create",
            "--tenant",
            TENANT_ID,
            "--level",
            "accounts",
            "--kind",
            "usage_daily",
            "--format",
            "csv",
            "--start",
            "2026-10-01",
            "--end",
            "2026-10-31",
        ],
        &env,
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let created: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let id = created["id"].as_str().unwrap().to_owned();

    let o = run(&["--json", "stored", &id], &env, None);
    let file: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(file["status"], "in_progress");
    let o = run(&["--json", "stored", &id], &env, None);
    let file: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(file["status"], "saved");
    let stored_id = file["id"].as_str().unwrap();

    let o = run(&["download", &id, stored_id], &env, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        o.stdout == Emulator::file_content(&id, 4096),
        "the file, decompressed, on stdout"
    );

    let o = run(&["delete", &id, "--version", "1"], &env, None);
    assert_eq!(
        (o.status.code(), stdout(&o)),
        (Some(0), format!("deleted  {id}\n"))
    );
    assert!(emulator.report::<serde_json::Value>(&id).is_none());
}

#[test]
fn patch_needs_no_network_or_credentials() {
    let o = run(
        &[
            "patch",
            "--enabled",
            "false",
            "--recipient",
            common::USER_A,
            "--kind",
            "usage_current",
        ],
        &[],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!(
            "{{\"recipients\":[\"{}\"],\"parameters\":{{\"kind\":\"usage_current\"}},\"schedule\":{{\"enabled\":false}}}}\n",
            common::USER_A
        )
    );
}

#[test]
fn help_documents_exit_codes_and_hides_secret_values() {
    let o = run(
        &["--help"],
        &[
            ("ACRONIS_TOKEN", TOKEN),
            ("ACRONIS_CLIENT_SECRET", "hunter2-secret"),
        ],
        None,
    );
    let text = stdout(&o);
    assert!(
        text.contains("Exit codes:") && text.contains("4    the server accepted"),
        "{text}"
    );
    assert!(
        text.contains("[env: ACRONIS_TOKEN]") || text.contains("env: ACRONIS_TOKEN"),
        "{text}"
    );
    assert_no_secret(&o, TOKEN);
    assert_no_secret(&o, "hunter2-secret");
}

#[test]
fn command_line_credentials_win_over_the_environment() {
    let mut server = Server::new();
    let get = server
        .mock("GET", PATH)
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .with_body(report_json(ID, true).to_string())
        .expect(2)
        .create();
    let base = format!("{}/api/2", server.url());
    // Client credentials in the environment, a token on the command line: the token is used.
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_CLIENT_ID", "someone"),
        ("ACRONIS_CLIENT_SECRET", "not-used-secret"),
        ("ACRONIS_TOKEN", "not-used-token"),
    ];
    let o = run(&["show", ID, "--token", TOKEN], &env, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A token file on the command line beats the environment too.
    let dir = std::env::temp_dir().join(format!("acronis-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    let o = run(
        &["show", ID, "--token-file", file.to_str().unwrap()],
        &env,
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    get.assert();
    assert_no_secret(&o, TOKEN);
    // Two kinds on the command line: refused.
    let o = run(
        &[
            "show",
            ID,
            "--token",
            TOKEN,
            "--client-id",
            "x",
            "--client-secret",
            "y",
        ],
        &env,
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let o = run(
        &[
            "show",
            ID,
            "--token",
            TOKEN,
            "--token-file",
            file.to_str().unwrap(),
        ],
        &env,
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn update_sends_only_the_members_given() {
    let mut server = Server::new();
    let mut returned = report_json(ID, true);
    returned["parameters"]["level"] = json!("all_customers");
    returned["recipients"] = json!([common::USER_B]);
    let _get = server
        .mock("GET", PATH)
        .with_body(report_json(ID, true).to_string())
        .create();
    let put = server
        .mock("PUT", PATH)
        .match_body(Matcher::Exact(format!(
            r#"{{"recipients":["{}"],"parameters":{{"level":"all_customers"}}}}"#,
            common::USER_B
        )))
        .with_body(returned.to_string())
        .create();
    let o = run_mock(
        &server,
        &[
            "update",
            ID,
            "--level",
            "all_customers",
            "--recipient",
            common::USER_B,
        ],
    );
    put.assert();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn the_highest_exit_code_wins_and_failures_print_json() {
    let mut server = Server::new();
    server
        .mock("GET", PATH)
        .with_body(report_json(ID, true).to_string())
        .create();
    server
        .mock("PUT", PATH)
        .with_body(report_json(ID, true).to_string())
        .create();
    server
        .mock("GET", format!("/api/2/reports/{OTHER_ID}").as_str())
        .with_status(404)
        .with_body("{}")
        .create();
    let o = run_mock(&server, &["disable", ID, OTHER_ID]);
    assert_eq!(o.status.code(), Some(4), "mismatch (4) beats refusal (3)");

    let o = run_mock(&server, &["--json", "show", "not-an-id"]);
    assert_eq!(o.status.code(), Some(2));
    // On standard error: standard output holds results only.
    assert_eq!(stdout(&o), "");
    let line: Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(line["error"]["exit_code"], 2);
    assert!(
        line["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid report id")
    );
}

#[test]
fn a_refused_secret_is_exit_3_and_never_printed() {
    let emulator = Emulator::start().unwrap();
    let base = emulator.base_url();
    let secret = "wrong-but-still-secret";
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_CLIENT_ID", CLIENT_ID),
        ("ACRONIS_CLIENT_SECRET", secret),
    ];
    let o = run(&["--json", "disable", MONTHLY_REPORT_ID], &env, None);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let line: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(line["error"]["kind"], "auth");
    assert_no_secret(&o, secret);
}

#[test]
fn dry_run_with_a_whole_tenant_reads_and_sends_no_write() {
    let emulator = acronis_reports_emulator::Emulator::start().unwrap();
    let base = emulator.base_url();
    let o = run(
        &[
            "--dry-run",
            "disable",
            "--tenant",
            TENANT_ID,
            "--concurrency",
            "1",
        ],
        &[
            ("ACRONIS_BASE_URL", &base),
            ("ACRONIS_TOKEN", acronis_reports_emulator::TOKEN),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let methods: Vec<String> = emulator
        .requests()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert!(
        !methods.is_empty() && methods.iter().all(|m| m == "GET"),
        "{methods:?}"
    );
    let text = stdout(&o);
    // The monthly report would be disabled: its PUT is shown; the one-time report is skipped.
    assert!(
        text.contains(&format!("PUT {base}/reports/{MONTHLY_REPORT_ID}\n")),
        "{text}"
    );
    assert!(text.contains(r#"{"schedule":{"enabled":false}}"#), "{text}");
    assert!(
        text.contains(&format!("dry_run  {MONTHLY_REPORT_ID}  not sent")),
        "{text}"
    );
    assert!(text.contains("one-time report"), "{text}");
    let report: acronis_reports::Report = emulator.report(MONTHLY_REPORT_ID).unwrap();
    assert!(report.schedule.enabled, "nothing was changed");
}

#[test]
fn download_to_a_file() {
    let mut server = Server::new();
    server
        .mock("GET", format!("{PATH}/stored/{OTHER_ID}").as_str())
        .with_body("a,b\n1,2\n")
        .create();
    let dir = std::env::temp_dir().join(format!("acronis-cli-dl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("out.csv");
    let o = run_mock(
        &server,
        &["download", ID, OTHER_ID, "-o", file.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "a,b\n1,2\n");
    assert_eq!(
        stdout(&o),
        format!("downloaded 8 bytes to {}\n", file.display())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn text_from_the_server_cannot_forge_lines_or_drive_the_terminal() {
    let mut server = Server::new();
    // A 403 whose message holds a forged outcome line and an escape sequence.
    let forged = format!(
        "Forbidden\nchanged  {ID}  monthly schedule, enabled false (version 7)\u{1b}]0;pwned\u{7}"
    );
    let body = json!({"error": {"code": 403, "message": forged, "domain": "\u{1b}[2J",
        "details": {"info": "\r\u{1b}[1A"}}});
    let _put = server
        .mock("PUT", PATH)
        .with_status(403)
        .with_body(body.to_string())
        .create();
    let mut report = report_json(ID, true);
    report["parameters"]["level"] = json!("\u{1b}[31mgalaxy\u{7}");
    report["parameters"]["formats"] = json!(["csv\r\nchanged"]);
    let _get = server
        .mock("GET", PATH)
        .with_body(report.to_string())
        .create();
    let o = run_mock(&server, &["disable", ID]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "one line per outcome: {out:?}");
    assert!(out.starts_with("failed"), "{out:?}");
    assert_eq!(out.lines().filter(|l| l.starts_with("changed")).count(), 0);
    let o2 = run_mock(&server, &["show", ID]);
    assert_eq!(o2.status.code(), Some(0), "{}", stderr(&o2));
    for o in [&o, &o2] {
        let all = format!("{}{}", stdout(o), stderr(o));
        assert!(
            !all.chars().any(|c| c.is_control() && c != '\n'),
            "a control character reached the terminal: {all:?}"
        );
    }
    // Shown escaped, not dropped: the user sees what the server sent.
    assert!(
        stdout(&o).contains(r"\u{1b}]0;pwned\u{7}"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o2).contains(r"\u{1b}[31mgalaxy\u{7}"),
        "{}",
        stdout(&o2)
    );
    assert!(stdout(&o2).contains(r"csv\r\nchanged"), "{}", stdout(&o2));
}

#[test]
fn a_token_endpoint_without_a_usable_token_stops_a_run_at_once_and_is_no_unapplied_change() {
    let mut server = Server::new();
    let token = server
        .mock("POST", "/api/2/idp/token")
        .with_header("content-type", "text/html")
        .with_body("<html><body>Sign in</body></html>")
        .expect_at_most(2)
        .create();
    let _reports = server.mock("PUT", Matcher::Any).expect(0).create();
    let base = format!("{}/api/2", server.url());
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_CLIENT_ID", CLIENT_ID),
        ("ACRONIS_CLIENT_SECRET", CLIENT_SECRET),
    ];
    // A read: no change was accepted, so not exit 4.
    let o = run(&["show", ID], &env, None);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    // A bulk run of 200 ids: one or two token requests, then every id not attempted.
    let ids: String = (0..200)
        .map(|n| format!("{n:08x}-0000-4000-8000-000000000000\n"))
        .collect();
    let o = run(
        &["--json", "disable", "--ids-file", "-", "--concurrency", "4"],
        &env,
        Some(&ids),
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 200);
    assert!(
        lines.iter().all(|l| l["outcome"] != "changed"),
        "nothing was changed"
    );
    assert!(
        stderr(&o).contains("the token endpoint answered without a usable token"),
        "{}",
        stderr(&o)
    );
    token.assert();
    assert_no_secret(&o, CLIENT_SECRET);
}

#[test]
fn a_read_answered_with_another_report_is_no_unapplied_change() {
    let mut server = Server::new();
    let _get = server
        .mock("GET", PATH)
        .with_body(report_json(OTHER_ID, true).to_string())
        .create();
    let o = run_mock(&server, &["show", ID]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
}

#[test]
fn a_base_url_that_is_not_the_apis_stops_a_run_soon() {
    let mut server = Server::new();
    // Each report is read first: the GETs meet the web server's page.
    let gets = server
        .mock("GET", Matcher::Any)
        .with_status(404)
        .with_header("content-type", "text/html")
        .with_body("<html><h1>404 Not Found</h1></html>")
        .expect_at_most(20)
        .create();
    // The base URL without /api/2: every path is the web server's 404 page.
    let ids: String = (0..500)
        .map(|n| format!("{n:08x}-0000-4000-8000-000000000000\n"))
        .collect();
    let o = run(
        &["--json", "disable", "--ids-file", "-", "--concurrency", "2"],
        &[
            ("ACRONIS_BASE_URL", &server.url()),
            ("ACRONIS_TOKEN", TOKEN),
        ],
        Some(&ids),
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert_eq!(json_lines(&o).len(), 500, "every id has its outcome");
    assert!(stderr(&o).contains("so the run stopped"), "{}", stderr(&o));
    gets.assert();
}

#[test]
fn help_never_shows_the_environments_values_and_show_json_adds_nothing() {
    let o = run(
        &["--help"],
        &[
            (
                "ACRONIS_BASE_URL",
                "https://user:pw@secret-dc.example/api/2",
            ),
            ("ACRONIS_CLIENT_ID", "client-id-from-env"),
        ],
        None,
    );
    let text = stdout(&o);
    assert!(text.contains("ACRONIS_BASE_URL"), "{text}");
    assert!(
        !text.contains("secret-dc") && !text.contains("client-id-from-env"),
        "{text}"
    );
    // A report without the optional members: --json shows it as sent, no nulls added.
    let mut server = Server::new();
    let mut report = report_json(ID, true);
    report.as_object_mut().unwrap().remove("generation_date");
    for member in ["period", "hide_zero_usage", "show_skus"] {
        report["parameters"].as_object_mut().unwrap().remove(member);
    }
    let _get = server
        .mock("GET", PATH)
        .with_body(report.to_string())
        .create();
    let o = run_mock(&server, &["--json", "show", ID]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stdout(&o).contains("null"), "{}", stdout(&o));
}

#[cfg(target_os = "linux")]
#[test]
fn download_json_names_a_file_whose_name_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let mut server = Server::new();
    server
        .mock("GET", format!("{PATH}/stored/{OTHER_ID}").as_str())
        .with_body("a,b\n")
        .create();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(std::ffi::OsStr::from_bytes(b"out\xff.csv"));
    let base = format!("{}/api/2", server.url());
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_TOKEN", TOKEN),
    ];
    let args = ["--json", "download", ID, OTHER_ID, "-o"];
    let o = common::cli::command(&args, &env)
        .arg(&file)
        .output()
        .unwrap();
    // It panicked once the file was written.
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read(&file).unwrap(), b"a,b\n");
    let line = &json_lines(&o)[0];
    assert_eq!(line["file"], file.to_string_lossy().as_ref());
    assert_eq!(line["bytes"], 4);
}

/// The methods and paths the emulator received, in order, from request `from` on (the token
/// requests left out).
fn requests_since(emulator: &Emulator, from: usize) -> Vec<String> {
    emulator
        .requests()
        .iter()
        .skip(from)
        .filter(|r| !r.path.ends_with("/idp/token"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn the_second_disable_of_a_report_sends_no_put_and_prints_unchanged() {
    let emulator = Emulator::start().unwrap();
    let base = emulator.base_url();
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_TOKEN", acronis_reports_emulator::TOKEN),
    ];
    let path = format!("/api/2/reports/{MONTHLY_REPORT_ID}");
    let o = run(&["disable", MONTHLY_REPORT_ID], &env, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let version = emulator
        .report::<acronis_reports::Report>(MONTHLY_REPORT_ID)
        .unwrap()
        .version;
    assert_eq!(
        stdout(&o),
        format!(
            "changed  {MONTHLY_REPORT_ID}  monthly schedule, enabled false (version {version})\n"
        )
    );
    assert_eq!(
        requests_since(&emulator, 0),
        [format!("GET {path}"), format!("PUT {path}")]
    );

    // Again: read, found as asked, nothing written.
    let seen = emulator.requests().len();
    let o = run(&["disable", MONTHLY_REPORT_ID], &env, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "unchanged  {MONTHLY_REPORT_ID}  already as asked: monthly schedule, enabled false (version {version})\n"
        )
    );
    assert_eq!(stderr(&o), "0 changed, 1 unchanged, 0 skipped, 0 failed\n");
    assert_eq!(requests_since(&emulator, seen), [format!("GET {path}")]);
    let unchanged: acronis_reports::Report = emulator.report(MONTHLY_REPORT_ID).unwrap();
    assert_eq!(unchanged.version, version, "no write, no new version");

    // The same word in JSON, with the report's schedule and version.
    let o = run(&["--json", "disable", MONTHLY_REPORT_ID], &env, None);
    assert_eq!(
        json_lines(&o),
        [json!({"id": MONTHLY_REPORT_ID, "outcome": "unchanged",
            "schedule": {"enabled": false, "type": "monthly"}, "version": version})]
    );
}

#[test]
fn chosen_by_id_a_one_time_report_is_skipped_and_no_read_sends_the_single_put() {
    let emulator = Emulator::start().unwrap();
    let base = emulator.base_url();
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_TOKEN", acronis_reports_emulator::TOKEN),
    ];
    // A one-time report named by its id: skipped as with --tenant, with no PUT.
    let o = run(&["disable", ONCE_REPORT_ID], &env, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!("skipped  {ONCE_REPORT_ID}  one-time report: the API does not change these\n")
    );
    assert_eq!(
        requests_since(&emulator, 0),
        [format!("GET /api/2/reports/{ONCE_REPORT_ID}")]
    );

    // --no-read: the single PUT, each time, even when the report already is as asked.
    let path = format!("/api/2/reports/{MONTHLY_REPORT_ID}");
    for _ in 0..2 {
        let seen = emulator.requests().len();
        let o = run(&["disable", "--no-read", MONTHLY_REPORT_ID], &env, None);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stdout(&o).starts_with(&format!("changed  {MONTHLY_REPORT_ID}  ")),
            "{}",
            stdout(&o)
        );
        assert_eq!(requests_since(&emulator, seen), [format!("PUT {path}")]);
    }
    // It is for reports named one by one: a tenant's must be read to skip its one-time ones.
    let o = run(&["disable", "--no-read", "--tenant", TENANT_ID], &env, None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn failed_ids_keeps_only_what_did_not_end_done() {
    let emulator = Emulator::start().unwrap();
    let base = emulator.base_url();
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_TOKEN", acronis_reports_emulator::TOKEN),
    ];
    let dir = tempfile::tempdir().unwrap();
    let failed = dir.path().join("failed.txt");
    let fresh = emulator.add_monthly_reports(1).remove(0);
    let unknown = "00000000-0000-4000-8000-000000000001";
    // Already disabled: unchanged.
    assert_eq!(
        run(&["disable", MONTHLY_REPORT_ID], &env, None)
            .status
            .code(),
        Some(0)
    );
    let o = run(
        &[
            "disable",
            MONTHLY_REPORT_ID,
            ONCE_REPORT_ID,
            &fresh,
            unknown,
            "--concurrency",
            "1",
            "--failed-ids",
            failed.to_str().unwrap(),
        ],
        &env,
        None,
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let text = stdout(&o);
    let words: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(words, ["unchanged", "skipped", "changed", "failed"]);
    assert_eq!(
        stderr(&o),
        format!(
            "1 changed, 1 unchanged, 1 skipped, 1 failed\n1 ids to run again written to {}\n",
            failed.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&failed).unwrap(),
        format!("{unknown}\n")
    );
}

#[test]
fn json_errors_go_to_standard_error_as_one_line_with_the_members_of_bulk_errors() {
    let mut server = Server::new();
    let _get = server
        .mock("GET", PATH)
        .with_status(403)
        .with_header("x-request-id", "req-42")
        .with_body(r#"{"error": {"code": 403, "message": "Access denied", "domain": "PlatformAccountServer", "details": {"info": null}}}"#)
        .create();
    let o = run_mock(&server, &["--json", "show", ID]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(stdout(&o), "", "standard output holds results only");
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    let line: Value = serde_json::from_str(&err).unwrap();
    let message = line["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("Access denied"), "{message}");
    assert_eq!(
        line,
        json!({"error": {"exit_code": 3, "kind": "api", "message": message,
            "request_id": "req-42", "status": 403}})
    );
    // A bulk outcome's error has the same members.
    let o = run_mock(&server, &["--json", "disable", ID]);
    assert_eq!(o.status.code(), Some(3));
    let outcome = &json_lines(&o)[0];
    assert_eq!(outcome["error"]["request_id"], "req-42");
    let members = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(members(&outcome["error"]), members(&line["error"]));

    // The tool's own failures, before any request: the same shape.
    let o = run(&["--json", "show", ID], &[], None);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    let line: Value = serde_json::from_str(&stderr(&o)).unwrap();
    assert_eq!(
        line,
        json!({"error": {"exit_code": 2, "kind": "invalid_input",
            "message": "no base URL: give --base-url or set ACRONIS_BASE_URL",
            "request_id": null, "status": null}})
    );
    // Without --json, the same failure as text on standard error.
    let o = run(&["show", ID], &[], None);
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("no base URL"), "{}", stderr(&o));
}

#[test]
fn export_json_is_one_line() {
    let emulator = Emulator::start().unwrap();
    let base = emulator.base_url();
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_TOKEN", acronis_reports_emulator::TOKEN),
    ];
    let o = run(&["--json", "export", "--tenant", TENANT_ID], &env, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 1, "{text}");
    let line: Value = serde_json::from_str(&text).unwrap();
    // The same document as the file -o writes (over several lines, to edit).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reports.json");
    let o = run(
        &[
            "--json",
            "export",
            "--tenant",
            TENANT_ID,
            "-o",
            file.to_str().unwrap(),
        ],
        &env,
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.lines().count() > 1, "{written}");
    assert_eq!(line, serde_json::from_str::<Value>(&written).unwrap());
    assert_eq!(line["report"][0]["kind"], "usage_summary");
}

#[test]
fn delete_without_a_version_reads_the_report_and_deletes_that_version() {
    let emulator = Emulator::start().unwrap();
    let base = emulator.base_url();
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_TOKEN", acronis_reports_emulator::TOKEN),
    ];
    let path = format!("/api/2/reports/{MONTHLY_REPORT_ID}");
    let version = emulator
        .report::<acronis_reports::Report>(MONTHLY_REPORT_ID)
        .unwrap()
        .version;
    // A dry run reads the version and prints the DELETE it would send.
    let o = run(&["--dry-run", "delete", MONTHLY_REPORT_ID], &env, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with(&format!(
            "DELETE {base}/reports/{MONTHLY_REPORT_ID}?version={version}\n"
        )),
        "{}",
        stdout(&o)
    );
    assert_eq!(requests_since(&emulator, 0), [format!("GET {path}")]);
    assert!(emulator.report::<Value>(MONTHLY_REPORT_ID).is_some());

    let seen = emulator.requests().len();
    let o = run(&["delete", MONTHLY_REPORT_ID], &env, None);
    assert_eq!(
        (o.status.code(), stdout(&o)),
        (Some(0), format!("deleted  {MONTHLY_REPORT_ID}\n")),
        "{}",
        stderr(&o)
    );
    assert!(emulator.report::<Value>(MONTHLY_REPORT_ID).is_none());
    let sent: Vec<String> = emulator
        .requests()
        .iter()
        .skip(seen)
        .map(|r| {
            format!(
                "{} {}?{}",
                r.method,
                r.path,
                r.query.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            format!("GET {path}?"),
            format!("DELETE {path}?version={version}")
        ]
    );

    // A pinned version that is no longer the report's is refused by the API.
    let o = run(&["delete", ONCE_REPORT_ID, "--version", "1"], &env, None);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(emulator.report::<Value>(ONCE_REPORT_ID).is_some());
}

#[test]
fn list_prints_a_table_of_the_reports_and_ids_only_for_scripts() {
    let emulator = Emulator::start().unwrap();
    let base = emulator.base_url();
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_TOKEN", acronis_reports_emulator::TOKEN),
    ];
    let o = run(&["list", "--tenant", TENANT_ID], &env, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "ID                                    KIND           LEVEL     SCHEDULE  ENABLED  RESULT ACTION  FORMATS\n\
             {MONTHLY_REPORT_ID}  usage_summary  accounts  monthly   true     send           csv\n\
             {ONCE_REPORT_ID}  usage_daily    itself    once      true     save           csv_v2_0,json_v1\n"
        )
    );
    // Each report was read, after the listing.
    let mut paths: Vec<String> = requests_since(&emulator, 0);
    paths.sort();
    assert_eq!(
        paths,
        [
            format!("GET /api/2/reports/{MONTHLY_REPORT_ID}"),
            format!("GET /api/2/reports/{ONCE_REPORT_ID}"),
            format!("GET /api/2/tenants/{TENANT_ID}/reports"),
        ]
    );

    // --json: each report, as `show --json` prints it, one per line in the listing's order.
    let o = run(&["--json", "list", "--tenant", TENANT_ID], &env, None);
    assert_eq!(
        json_lines(&o),
        [
            emulator.report::<Value>(MONTHLY_REPORT_ID).unwrap(),
            emulator.report::<Value>(ONCE_REPORT_ID).unwrap()
        ]
    );
    // --ids-only: the listing alone, no report read.
    let seen = emulator.requests().len();
    let o = run(
        &["--json", "list", "--tenant", TENANT_ID, "--ids-only"],
        &env,
        None,
    );
    assert_eq!(
        json_lines(&o),
        [
            json!({"id": MONTHLY_REPORT_ID}),
            json!({"id": ONCE_REPORT_ID})
        ]
    );
    assert_eq!(
        requests_since(&emulator, seen),
        [format!("GET /api/2/tenants/{TENANT_ID}/reports")]
    );
    // A tenant without reports: no table, a note.
    let empty = "7c0f2a6e-5b1d-4e8a-9f3c-1d2e3f4a5b6c";
    emulator.add_tenant(empty);
    let o = run(&["list", "--tenant", empty], &env, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert_eq!(stderr(&o), format!("tenant {empty} has no reports\n"));
}

#[test]
fn stored_prints_a_header() {
    let emulator = Emulator::start().unwrap();
    let base = emulator.base_url();
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_TOKEN", acronis_reports_emulator::TOKEN),
    ];
    // A one-time report whose file has been saved.
    let client = acronis_reports::Client::builder()
        .base_url(&base)
        .bearer_token(acronis_reports_emulator::TOKEN)
        .poll_interval(std::time::Duration::from_millis(10))
        .build()
        .unwrap();
    let report = client
        .create_report(&acronis_reports::NewReport::new(
            TENANT_ID.parse().unwrap(),
            acronis_reports::Level::Accounts,
            acronis_reports::ReportKind::UsageCurrent,
        ))
        .unwrap();
    let id = report.id.to_string();
    client
        .wait_for_stored_report(&id, std::time::Duration::from_secs(10))
        .unwrap();
    let files = client.stored_reports(&id).unwrap();
    assert!(!files.is_empty());
    let o = run(&["stored", &id], &env, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), files.len() + 1, "{text}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header, ["ID", "STATUS", "FORMAT", "SIZE", "CREATED"]);
    for (line, file) in lines[1..].iter().zip(&files) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[0], file.id.unwrap().to_string());
        assert_eq!(cells[1], file.status.as_str());
        assert_eq!(cells[2], file.report_format.as_str());
        // The columns line up under the header.
        assert_eq!(line.find(cells[1]), lines[0].find("STATUS"), "{text}");
    }
}

#[test]
fn help_puts_global_options_under_their_heading_with_examples_and_single_defaults() {
    let o = run(&["emulator", "--help"], &[("COLUMNS", "100")], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let (own, global) = text.split_once("\nGlobal options:\n").expect(&text);
    // The command's own options first; the ones every command has under their heading.
    assert!(
        own.contains("--port <PORT>") && !own.contains("--token"),
        "{text}"
    );
    assert!(
        global.contains("--token <TOKEN>") && global.contains("--dry-run"),
        "{text}"
    );
    assert!(text.contains("[default: any free one]"), "{text}");
    assert!(!text.contains("[default: 0]"), "{text}");
    assert!(
        global.contains("\nExamples:\n  acronis-reports emulator --port 8080\n"),
        "{text}"
    );
    for command in [
        "disable",
        "enable",
        "update",
        "patch",
        "show",
        "list",
        "create",
        "delete",
        "stored",
        "emulator",
        "plan",
        "apply",
        "export",
        "usage",
        "billing",
        "download",
        "completions",
    ] {
        let o = run(&[command, "--help"], &[], None);
        let text = stdout(&o);
        assert!(
            text.contains(&format!("\nExamples:\n  acronis-reports {command} "))
                || text.contains(&format!("\nExamples:\n  acronis-reports --json {command} ")),
            "{command}: {text}"
        );
    }
    // Wrapped at the width given, not at 80 columns: a URL is not split.
    let o = run(&["--help"], &[("COLUMNS", "120")], None);
    assert!(
        stdout(&o).lines().all(|l| l.chars().count() <= 120),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("https://eu2-cloud.acronis.com/api/2"));
}

#[test]
fn a_usage_error_does_not_name_the_credentials_the_environment_sets() {
    let env = [
        ("ACRONIS_BASE_URL", "https://eu2-cloud.acronis.com/api/2"),
        ("ACRONIS_CLIENT_ID", "client-id-from-env"),
        ("ACRONIS_CLIENT_SECRET", "secret-from-env"),
    ];
    let o = run(&["export"], &env, None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("\nUsage: acronis-reports export <--tenant <UUID>|--under <UUID>>\n"),
        "{err}"
    );
    assert!(
        !err.contains("--client-id") && !err.contains("--base-url"),
        "{err}"
    );
    assert_no_secret(&o, "secret-from-env");
    assert_no_secret(&o, "client-id-from-env");
}

#[test]
fn completions_bash_prints_a_script_for_every_command() {
    let o = run(&["completions", "bash"], &[], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let script = stdout(&o);
    assert!(script.contains("_acronis__reports()"), "{script}");
    assert!(
        script.contains("complete -F _acronis__reports")
            || script.contains("-F _acronis__reports acronis-reports"),
        "{script}"
    );
    for word in [
        "disable",
        "billing",
        "completions",
        "--ids-file",
        "--no-read",
        "--ids-only",
    ] {
        assert!(script.contains(word), "{word}");
    }
    // bash accepts it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acronis-reports.bash");
    std::fs::write(&file, &script).unwrap();
    let bash = std::process::Command::new("bash")
        .args([
            "--norc",
            "-c",
            &format!("source {} && complete -p acronis-reports", file.display()),
        ])
        .output();
    if let Ok(bash) = bash {
        assert!(
            bash.status.success(),
            "{}",
            String::from_utf8_lossy(&bash.stderr)
        );
    }
    for shell in ["zsh", "fish", "powershell"] {
        let o = run(&["completions", shell], &[], None);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        assert!(stdout(&o).contains("acronis-reports"), "{shell}");
    }
    let o = run(&["completions", "tcsh"], &[], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_tools_errors_and_claps_share_one_style() {
    // The tool's own failure and clap's usage error both start `error: `.
    let own = run(&["show", ID], &[], None);
    let clap = run(&["show", ID, "--bogus"], &[], None);
    for o in [&own, &clap] {
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(o).starts_with("error: "), "{}", stderr(o));
        assert!(!stderr(o).contains('\u{1b}'), "no colour in a pipe");
    }
    assert_eq!(
        stderr(&own),
        "error: no base URL: give --base-url or set ACRONIS_BASE_URL\n"
    );
    // In colour, the label is styled alike.
    let force = [("CLICOLOR_FORCE", "1")];
    let own = stderr(&run(&["show", ID], &force, None));
    let clap = stderr(&run(&["show", ID, "--bogus"], &force, None));
    let label = "\u{1b}[1m\u{1b}[31merror:\u{1b}[0m ";
    assert!(own.starts_with(label), "{own:?}");
    assert!(clap.starts_with(label), "{clap:?}");
    let off = stderr(&run(
        &["show", ID],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
        None,
    ));
    assert!(!off.contains('\u{1b}'), "{off:?}");
}
