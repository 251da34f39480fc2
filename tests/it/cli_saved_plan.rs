//! Saved plans, run for real against the emulator: `plan FILE -o PLAN` writes the documented
//! format (and only a complete one, atomically), `apply PLAN` applies exactly it after the
//! same reads, and refuses with exit 6, sending no write, when a report it read changed,
//! appeared or disappeared; a plan file that cannot be read is exit 2 with nothing sent.
#![cfg(feature = "cli")]

use crate::common;

use acronis_reports::Report;
use acronis_reports::desired::DesiredReports;
use acronis_reports_emulator::{Emulator, MONTHLY_REPORT_ID, TENANT_ID};
use common::cli::{json_lines, run, run_at, stderr, stdout};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const T2: &str = "7c0f2a6e-5b1d-4e8a-9f3c-1d2e3f4a5b6c";
/// The seeded monthly report's version.
const VERSION: i64 = 1_559_561_146_223;

/// The file: the seeded monthly report disabled and shown to all customers (an update), a
/// saved daily report created in tenant 2.
const FILE: &str = r#"# the seeded report, changed; a report created in tenant 2
[[report]]
tenant = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc"
kind = "usage_summary"
level = "all_customers"
enabled = false

[[report]]
tenant = "7c0f2a6e-5b1d-4e8a-9f3c-1d2e3f4a5b6c"
kind = "usage_daily"
level = "accounts"
result_action = "save"
formats = ["csv_v2_0"]
"#;

fn emulator() -> Emulator {
    let emulator = Emulator::start().unwrap();
    emulator.add_tenant(T2);
    emulator
}

/// A directory with the desired-state file; its path, and where the plan goes.
fn setup() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reports.toml");
    std::fs::write(&file, FILE).unwrap();
    let plan = dir.path().join("reports.plan.json");
    (
        dir,
        file.to_string_lossy().into_owned(),
        plan.to_string_lossy().into_owned(),
    )
}

/// `plan FILE -o PLAN`, which must succeed; the number of requests the emulator had then.
fn save_plan(emulator: &Emulator, file: &str, plan: &str) -> usize {
    let o = run_at(emulator, &["plan", file, "-o", plan], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    emulator.requests().len()
}

/// The requests the emulator received from the `from`th on, as `METHOD path?query`.
fn sent_since(emulator: &Emulator, from: usize) -> Vec<String> {
    emulator.requests()[from..]
        .iter()
        .map(|r| {
            let query = r
                .query
                .as_ref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            format!("{} {}{query}", r.method, r.path)
        })
        .collect()
}

/// Asserts that `apply PLAN` was refused as stale: exit 6, a message naming each of `says`,
/// and nothing but `GET`s sent since `from`.
fn assert_stale(emulator: &Emulator, plan: &str, from: usize, says: &[String]) {
    let o = run_at(emulator, &["apply", plan, "--yes"], None);
    assert_eq!(o.status.code(), Some(6), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("error: the saved plan is stale: "), "{err}");
    for said in says {
        assert!(err.contains(said.as_str()), "{said}: {err}");
    }
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let sent = sent_since(emulator, from);
    assert!(!sent.is_empty(), "the reads are made again");
    assert!(sent.iter().all(|r| r.starts_with("GET ")), "{sent:?}");
    assert_eq!(stdout(&o), "", "no plan shown, no outcome");
}

#[test]
fn the_saved_plan_is_the_documented_format_and_apply_plan_applies_exactly_it() {
    let emulator = emulator();
    let (_dir, file, plan) = setup();
    let after_plan = save_plan(&emulator, &file, &plan);
    assert!(
        sent_since(&emulator, 0)
            .iter()
            .all(|r| r.starts_with("GET "))
    );

    // The file, member by member, in the documented order.
    let text = std::fs::read_to_string(&plan).unwrap();
    assert!(text.ends_with("}\n"), "{text}");
    let saved: Value = serde_json::from_str(&text).unwrap();
    let members: Vec<&str> = saved
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = [
        "actions",
        "desired",
        "format",
        "format_version",
        "reads",
        "tool_version",
    ];
    expected.sort_unstable();
    assert_eq!(members, expected);
    let first_lines: Vec<&str> = text.lines().take(4).collect();
    assert_eq!(
        first_lines,
        [
            "{",
            "  \"format\": \"acronis-reports-plan\",",
            "  \"format_version\": 1,",
            &format!("  \"tool_version\": \"{}\",", env!("CARGO_PKG_VERSION")),
        ]
    );
    let digest: String = Sha256::digest(FILE.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(saved["desired"]["sha256"], digest);
    let desired = DesiredReports::from_toml(FILE).unwrap();
    assert_eq!(
        saved["desired"]["reports"],
        serde_json::from_str::<Value>(&desired.to_json_string()).unwrap()
    );
    assert_eq!(
        saved["reads"],
        json!({
            "tenants": [
                {"tenant": TENANT_ID, "reports": [{"id": MONTHLY_REPORT_ID, "version": VERSION}]},
                {"tenant": T2, "reports": []},
            ],
            "selectors": [],
        })
    );
    let put = json!({"parameters": {"level": "all_customers"}, "schedule": {"enabled": false}});
    let post = json!({
        "recipients": [], "result_action": "save",
        "parameters": {"tenant_id": T2, "level": "accounts", "kind": "usage_daily",
            "formats": ["csv_v2_0"]},
        "schedule": {"type": "monthly"},
    });
    assert_eq!(
        saved["actions"],
        json!([
            {"action": "update", "tenant": TENANT_ID, "entry": 1, "id": MONTHLY_REPORT_ID,
             "version": VERSION, "requests": [
                {"method": "PUT", "path": format!("/reports/{MONTHLY_REPORT_ID}"), "body": put}]},
            {"action": "create", "tenant": T2, "entry": 2, "id": null, "version": null,
             "requests": [{"method": "POST", "path": "/reports", "body": post}]},
        ])
    );

    // Applied with the desired-state file gone: the plan carries it.
    std::fs::remove_file(&file).unwrap();
    let o = run_at(&emulator, &["--json", "apply", &plan, "--yes"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o);
    let mut outcomes: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["action"].as_str().unwrap(),
                l["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    outcomes.sort_unstable();
    assert_eq!(outcomes, [("create", "created"), ("update", "updated")]);
    assert!(
        stderr(&o).contains("the saved plan (made by acronis-reports ")
            && stderr(&o).contains(&format!(
                "from a desired-state file of SHA-256 {digest}) is current"
            )),
        "{}",
        stderr(&o)
    );

    // The reads a plan makes (every one a GET), then exactly the saved writes.
    let sent = emulator.requests()[after_plan..].to_vec();
    let reads: Vec<String> = sent
        .iter()
        .take_while(|r| r.method == "GET")
        .map(|r| r.path.clone())
        .collect();
    let mut reads_sorted = reads.clone();
    reads_sorted.sort();
    assert_eq!(
        reads_sorted,
        [
            format!("/api/2/reports/{MONTHLY_REPORT_ID}"),
            format!(
                "/api/2/reports/{}",
                acronis_reports_emulator::ONCE_REPORT_ID
            ),
            format!("/api/2/tenants/{TENANT_ID}/reports"),
            format!("/api/2/tenants/{T2}/reports"),
        ]
    );
    let mut writes: Vec<(String, String, Value)> = sent[reads.len()..]
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.json().unwrap()))
        .collect();
    writes.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        writes,
        [
            ("POST".to_owned(), "/api/2/reports".to_owned(), post),
            (
                "PUT".to_owned(),
                format!("/api/2/reports/{MONTHLY_REPORT_ID}"),
                put
            ),
        ]
    );
    let updated: Report = emulator.report(MONTHLY_REPORT_ID).unwrap();
    assert!(!updated.schedule.enabled);
    assert_eq!(updated.parameters.level.as_str(), "all_customers");
    let created = lines
        .iter()
        .find(|l| l["action"] == "create")
        .and_then(|l| l["report"]["id"].as_str())
        .unwrap();
    let created: Report = emulator.report(created).unwrap();
    assert_eq!(created.parameters.tenant_id.to_string(), T2);

    // Applied, the plan is stale: the report it updated is at another version now.
    let before = emulator.requests().len();
    assert_stale(
        &emulator,
        &plan,
        before,
        &[format!(
            "report {MONTHLY_REPORT_ID} in tenant {TENANT_ID} is at version {}, not {VERSION} as the plan read it",
            updated.version
        )],
    );
}

#[test]
fn a_report_changed_between_plan_and_apply_refuses_the_whole_apply() {
    let emulator = emulator();
    let (_dir, file, plan) = setup();
    let after_plan = save_plan(&emulator, &file, &plan);
    // Someone changes the report, as the API does: its version moves on.
    let mut changed: Report = emulator.report(MONTHLY_REPORT_ID).unwrap();
    changed.parameters.show_skus = Some(true);
    changed.version = VERSION + 5;
    emulator.add_report(&changed).unwrap();
    assert_stale(
        &emulator,
        &plan,
        after_plan,
        &[format!(
            "report {MONTHLY_REPORT_ID} in tenant {TENANT_ID} is at version {}, not {VERSION} as the plan read it",
            VERSION + 5
        )],
    );
    // Nothing was written: the report is as the other party left it, tenant 2 still empty.
    let now: Report = emulator.report(MONTHLY_REPORT_ID).unwrap();
    assert_eq!(now, changed);
    let o = run_at(&emulator, &["list", "--tenant", T2, "--ids-only"], None);
    assert_eq!(stdout(&o), "");

    // With --json: the failure as one line on standard error, its own kind and exit code.
    let o = run_at(&emulator, &["--json", "apply", &plan, "--yes"], None);
    assert_eq!(o.status.code(), Some(6));
    let line: Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(line["error"]["kind"], "stale");
    assert_eq!(line["error"]["exit_code"], 6);
    assert!(
        line["error"]["message"]
            .as_str()
            .unwrap()
            .contains(MONTHLY_REPORT_ID)
    );
    assert_eq!(stdout(&o), "");
}

#[test]
fn a_report_created_in_a_planned_tenant_between_plan_and_apply_refuses_the_apply() {
    let emulator = emulator();
    let (_dir, file, plan) = setup();
    let after_plan = save_plan(&emulator, &file, &plan);
    // A monthly report of another kind in tenant 2: the plan would still create its own, and
    // would list the new one as unmanaged.
    let mut other: Value = emulator.report(MONTHLY_REPORT_ID).unwrap();
    let new_id = "c0ffee00-0000-4000-8000-000000000001";
    other["id"] = json!(new_id);
    other["version"] = json!(3);
    other["parameters"]["tenant_id"] = json!(T2);
    other["parameters"]["kind"] = json!("usage_current");
    emulator.add_report(&other).unwrap();
    let writes = emulator
        .requests()
        .iter()
        .filter(|r| r.method != "GET")
        .count();
    assert_stale(
        &emulator,
        &plan,
        after_plan,
        &[format!(
            "report {new_id} (version 3) appeared in tenant {T2}"
        )],
    );
    assert_eq!(
        emulator
            .requests()
            .iter()
            .filter(|r| r.method != "GET")
            .count(),
        writes
    );
    let seeded: Report = emulator.report(MONTHLY_REPORT_ID).unwrap();
    assert!(seeded.schedule.enabled, "not updated");
}

#[test]
fn a_report_deleted_between_plan_and_apply_refuses_the_apply() {
    let emulator = emulator();
    let (_dir, file, plan) = setup();
    save_plan(&emulator, &file, &plan);
    let o = run_at(&emulator, &["delete", MONTHLY_REPORT_ID], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after_delete = emulator.requests().len();
    assert_stale(
        &emulator,
        &plan,
        after_delete,
        &[format!(
            "report {MONTHLY_REPORT_ID} (version {VERSION}, as the plan read it) is gone from tenant {TENANT_ID}"
        )],
    );
    let o = run_at(&emulator, &["list", "--tenant", T2, "--ids-only"], None);
    assert_eq!(stdout(&o), "", "nothing created");
}

#[test]
fn a_plan_file_that_cannot_be_read_is_exit_2_and_nothing_is_sent() {
    let emulator = emulator();
    let (dir, file, plan) = setup();
    save_plan(&emulator, &file, &plan);
    let text = std::fs::read_to_string(&plan).unwrap();
    let mut newer: Value = serde_json::from_str(&text).unwrap();
    newer["format_version"] = json!(2);
    let mut edited: Value = serde_json::from_str(&text).unwrap();
    edited["actions"][0]["requests"][0]["method"] = json!("PATCH");
    let mut unread: Value = serde_json::from_str(&text).unwrap();
    unread["reads"]["tenants"].as_array_mut().unwrap().pop();
    let before = emulator.requests().len();
    for (content, says) in [
        (
            text[..text.len() / 2].to_owned(),
            "the saved plan breaks off (is the file complete?): line ",
        ),
        (
            newer.to_string(),
            "the saved plan is of format version 2, made by acronis-reports ",
        ),
        (
            edited.to_string(),
            "the saved plan is not as this version writes it: actions[0].requests[0].method: expected GET, PUT, POST or DELETE",
        ),
        (
            unread.to_string(),
            &format!(
                "the saved plan does not hold together: the desired reports name tenant {T2}, whose reports were not read"
            ),
        ),
        // Not a plan, and not a desired-state file either.
        (
            r#"{"format": "something-else"}"#.to_owned(),
            "unknown field `format`",
        ),
    ] {
        let path = dir.path().join("broken.plan.json");
        std::fs::write(&path, &content).unwrap();
        for args in [&["apply", "--yes"][..], &["--json", "apply", "--yes"][..]] {
            let mut args = args.to_vec();
            let p = path.to_string_lossy().into_owned();
            args.insert(args.len() - 1, &p);
            let o = run_at(&emulator, &args, None);
            assert_eq!(o.status.code(), Some(2), "{says}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(err.contains(says), "{says}: {err}");
            assert!(err.contains("nothing was sent"), "{err}");
            if args[0] == "--json" {
                let line: Value = serde_json::from_str(err.trim()).unwrap();
                assert_eq!(line["error"]["kind"], "invalid_input");
                assert_eq!(line["error"]["exit_code"], 2);
            }
        }
    }
    assert_eq!(emulator.requests().len(), before, "nothing sent");

    // A saved plan given to `plan`: refused, with the command that applies it.
    let o = run_at(&emulator, &["plan", &plan], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("this is a saved plan, not a desired-state file: `acronis-reports apply "),
        "{}",
        stderr(&o)
    );
    assert_eq!(emulator.requests().len(), before, "nothing sent");
}

#[test]
fn apply_plan_asks_as_apply_file_does_and_its_dry_run_sends_no_write() {
    let emulator = emulator();
    let (_dir, file, plan) = setup();
    let after_plan = save_plan(&emulator, &file, &plan);
    // No terminal, no --yes: refused before any request.
    let o = run_at(&emulator, &["apply", &plan], Some("yes\n"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert_eq!(emulator.requests().len(), after_plan);
    // From standard input, as a dry run (which asks nothing).
    let text = std::fs::read_to_string(&plan).unwrap();
    let o = run_at(&emulator, &["apply", "-", "--dry-run"], Some(&text));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let base = emulator.base_url();
    assert!(
        stdout(&o).contains(&format!("PUT {base}/reports/{MONTHLY_REPORT_ID}\n")),
        "{}",
        stdout(&o)
    );
    assert!(
        sent_since(&emulator, after_plan)
            .iter()
            .all(|r| r.starts_with("GET "))
    );
}

#[test]
fn plan_out_writes_only_a_complete_plan_and_replaces_the_old_one_atomically() {
    let emulator = emulator();
    let (dir, file, plan) = setup();

    // A directory that does not exist: refused before any request, nothing left behind.
    let missing = dir.path().join("no-such-dir").join("p.json");
    let o = run_at(
        &emulator,
        &["plan", &file, "-o", &missing.to_string_lossy()],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing was sent"), "{}", stderr(&o));
    assert!(emulator.requests().is_empty());
    assert!(!missing.parent().unwrap().exists());
    // The desired-state file itself: refused, the file left as it was.
    let o = run_at(&emulator, &["plan", &file, "-o", &file], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("that is the desired-state file the plan is made from"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), FILE);
    assert!(emulator.requests().is_empty());

    // Over an old file: replaced by the new plan, with nothing else left in the directory.
    std::fs::write(&plan, "old content").unwrap();
    let o = run_at(&emulator, &["plan", &file, "--out", &plan], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("Saved the plan to "), "{}", stderr(&o));
    let saved = std::fs::read(&plan).unwrap();
    assert!(acronis_reports::saved_plan::SavedPlan::from_json(&saved).is_ok());
    let names = |dir: &std::path::Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(dir.path()), ["reports.plan.json", "reports.toml"]);

    // A plan that cannot be made leaves the old plan as it was, and no temporary file.
    let mut twin: Report = emulator.report(MONTHLY_REPORT_ID).unwrap();
    twin.id = "a0000000-0000-4000-8000-000000000009".parse().unwrap();
    emulator.add_report(&twin).unwrap();
    let o = run_at(&emulator, &["plan", &file, "-o", &plan], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read(&plan).unwrap(), saved);
    assert_eq!(names(dir.path()), ["reports.plan.json", "reports.toml"]);

    // --json: the plan's action lines on standard output, as without -o.
    emulator
        .add_report(&{
            let mut gone: Value = serde_json::to_value(&twin).unwrap();
            gone["parameters"]["kind"] = json!("usage_breakdown");
            gone
        })
        .unwrap();
    let o = run_at(&emulator, &["--json", "plan", &file, "-o", &plan], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let actions: Vec<Value> = json_lines(&o)
        .into_iter()
        .map(|l| l["action"].clone())
        .collect();
    assert_eq!(
        actions,
        [json!("update"), json!("unmanaged"), json!("create")]
    );
    let saved: Value = serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    assert_eq!(saved["actions"].as_array().unwrap().len(), 3);
}

#[test]
fn help_and_the_docs_list_the_same_exit_codes() {
    let o = run(&["--help"], &[], None);
    let help = stdout(&o);
    let section = help.split("Exit codes:").nth(1).unwrap();
    let mut in_help: Vec<u32> = section
        .lines()
        .take_while(|l| !l.starts_with("With several"))
        .filter_map(|l| {
            let l = l.strip_prefix("  ")?;
            let code: String = l.chars().take_while(char::is_ascii_digit).collect();
            let mut codes = vec![code.parse().ok()?];
            // `130  interrupted (SIGINT); 143: terminated (SIGTERM); 129: hung up (SIGHUP)`
            for part in l.split("; ").skip(1) {
                if let Some((n, _)) = part.split_once(':') {
                    codes.extend(n.trim().parse::<u32>().ok());
                }
            }
            Some(codes)
        })
        .flatten()
        .collect();
    in_help.sort_unstable();
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/cli.md")).unwrap();
    let table = docs.split("## Exit codes").nth(1).unwrap();
    let mut in_docs: Vec<u32> = table
        .lines()
        .skip_while(|l| !l.starts_with("| code"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| {
            l.trim_start_matches('|')
                .split('|')
                .next()?
                .trim()
                .parse()
                .ok()
        })
        .collect();
    in_docs.sort_unstable();
    assert_eq!(in_help, in_docs);
    assert!(in_help.contains(&6), "{in_help:?}");
    assert!(
        section.contains("6    apply PLAN: the saved plan is stale"),
        "{section}"
    );
}

#[test]
fn a_customer_arriving_under_a_selector_between_plan_and_apply_refuses_the_apply() {
    const ROOT: &str = "f1f1f1f1-0000-4000-8000-000000000001";
    const C1: &str = "c1c1c1c1-0000-4000-8000-000000000001";
    const C2: &str = "c2c2c2c2-0000-4000-8000-000000000002";
    const C3: &str = "c3c3c3c3-0000-4000-8000-000000000003";
    let customer = |id: &str| json!({"id": id, "parent_id": ROOT, "kind": "customer"});
    let emulator = Emulator::builder()
        .tenants([
            json!({"id": ROOT, "kind": "partner", "name": "Provider"}),
            customer(C1),
            customer(C2),
        ])
        .tenant_page_size(2)
        .start()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tree.toml");
    std::fs::write(
        &file,
        format!(
            "[[report]]\ntenants_under = \"{ROOT}\"\nkind = \"usage_summary\"\nlevel = \"itself\"\nresult_action = \"save\"\n"
        ),
    )
    .unwrap();
    let plan = dir.path().join("tree.plan.json");
    let (file, plan) = (file.to_string_lossy(), plan.to_string_lossy());
    let after_plan = save_plan(&emulator, &file, &plan);
    let saved: Value = serde_json::from_slice(&std::fs::read(&*plan).unwrap()).unwrap();
    assert_eq!(
        saved["reads"]["selectors"],
        json!([{"entry": 1, "tenants": [C1, C2]}])
    );
    // The desired reports are saved with their selector, to be resolved again.
    assert_eq!(
        saved["desired"]["reports"]["report"][0]["tenants_under"],
        ROOT
    );

    emulator.add_tenants([customer(C3)]).unwrap();
    assert_stale(
        &emulator,
        &plan,
        after_plan,
        &[format!(
            "entry 1's selector now resolves to 3 tenants: added {C3}"
        )],
    );
    for tenant in [C1, C2, C3] {
        let o = run_at(&emulator, &["list", "--tenant", tenant, "--ids-only"], None);
        assert_eq!(stdout(&o), "", "nothing created in {tenant}");
    }
}
