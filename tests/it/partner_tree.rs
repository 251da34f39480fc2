//! Reports as code over a partner tree, against the emulator's tenant tree: selectors
//! resolved over several listing pages, kinds and exclusions, a tenant added between plan and
//! apply, `export --under` round trips, and the requests of a plan over 5,000 customers.
#![cfg(all(feature = "cli", feature = "toml"))]

use crate::common;

use acronis_reports::desired::DesiredReports;
use acronis_reports_emulator::{Emulator, PartnerTree, RecordedRequest};
use common::cli::{run_at, stderr, stdout};
use serde_json::json;

/// A tree small enough to read, its listing in pages of 3: the partner at the top, a folder
/// and two partners below it, customers under each (one disabled), a unit in a customer.
struct Tree {
    emulator: Emulator,
}

const TOP: &str = "f1f1f1f1-0000-4000-8000-000000000001";
const FOLDER: &str = "f0f0f0f0-0000-4000-8000-000000000002";
const P2: &str = "f2f2f2f2-0000-4000-8000-000000000003";
const C1: &str = "c1c1c1c1-0000-4000-8000-000000000001";
const C2: &str = "c2c2c2c2-0000-4000-8000-000000000002";
const C3: &str = "c3c3c3c3-0000-4000-8000-000000000003";
const C4: &str = "c4c4c4c4-0000-4000-8000-000000000004";
const OFF: &str = "cfcfcfcf-0000-4000-8000-00000000000f";
const UNIT: &str = "a1a1a1a1-0000-4000-8000-000000000001";
const NEW: &str = "c9c9c9c9-0000-4000-8000-000000000009";

fn tree() -> Tree {
    let emulator = Emulator::builder()
        .tenant_page_size(3)
        .tenants([
            json!({"id": TOP, "kind": "partner", "name": "Provider"}),
            json!({"id": FOLDER, "parent_id": TOP, "kind": "folder", "name": "Folder"}),
            json!({"id": P2, "parent_id": TOP, "kind": "partner", "name": "Reseller"}),
            json!({"id": C1, "parent_id": TOP, "kind": "customer", "name": "One"}),
            json!({"id": C2, "parent_id": FOLDER, "kind": "customer", "name": "Two"}),
            json!({"id": C3, "parent_id": P2, "kind": "customer", "name": "Three"}),
            json!({"id": C4, "parent_id": P2, "kind": "customer", "name": "Four"}),
            json!({"id": OFF, "parent_id": P2, "kind": "customer", "name": "Off", "enabled": false}),
            json!({"id": UNIT, "parent_id": C1, "kind": "unit", "name": "Dept"}),
        ])
        .reports(Vec::<serde_json::Value>::new())
        .start()
        .unwrap();
    Tree { emulator }
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// The monthly saved summary every customer under TOP should have, but C4.
fn selector_file(dir: &tempfile::TempDir) -> String {
    write(
        dir,
        "tree.toml",
        &format!(
            "[[report]]\ntenants_under = \"{TOP}\"\nexclude_tenants = [\"{C4}\"]\n\
             kind = \"usage_summary\"\nlevel = \"itself\"\nresult_action = \"save\"\nformats = [\"csv_v2_0\"]\n"
        ),
    )
}

fn listings(requests: &[RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.path == "/api/2/tenants")
        .map(|r| r.query.clone().unwrap_or_default())
        .collect()
}

fn created_for(requests: &[RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/api/2/reports")
        .map(|r| {
            let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            body["parameters"]["tenant_id"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn a_selector_over_several_pages_creates_a_report_for_each_customer_it_takes() {
    let tree = tree();
    let dir = tempfile::tempdir().unwrap();
    let file = selector_file(&dir);
    let o = run_at(&tree.emulator, &["plan", &file, "--exit-code"], None);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!("note: report entry 1: tenants_under {TOP}: 3 tenants\n")
    );
    let plan = stdout(&o);
    // Customers only (no folder, partner or unit), enabled only, C4 excluded; breadth first.
    for tenant in [C1, C2, C3] {
        assert!(plan.contains(&format!("tenant {tenant}\n")), "{plan}");
    }
    for tenant in [C4, OFF, UNIT, FOLDER, P2, TOP] {
        assert!(!plan.contains(tenant), "{tenant} in {plan}");
    }
    // Nine tenants in pages of three: the first page asks for the subtree, the next ones
    // send only the cursor.
    let requests = tree.emulator.requests();
    let pages = listings(&requests);
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert_eq!(pages[0], format!("subtree_root_id={TOP}&lod=basic"));
    assert!(
        pages[1..].iter().all(|q| q.starts_with("after=")),
        "{pages:?}"
    );
    // Then one listing of each tenant's reports, and nothing else (they have none).
    let rest: Vec<String> = requests
        .iter()
        .filter(|r| r.path != "/api/2/tenants" && r.path != "/api/2/idp/token")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let mut expected: Vec<String> = [C1, C2, C3]
        .iter()
        .map(|t| format!("GET /api/2/tenants/{t}/reports"))
        .collect();
    let mut got = rest.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);

    let o = run_at(&tree.emulator, &["apply", &file, "--yes"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut created = created_for(&tree.emulator.requests());
    created.sort();
    assert_eq!(created, [C1, C2, C3]);
    let o = run_at(&tree.emulator, &["plan", &file, "--exit-code"], None);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn kinds_and_disabled_tenants_are_taken_when_the_file_says_so() {
    let tree = tree();
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "units.toml",
        &format!(
            "[[report]]\ntenants_under = \"{TOP}\"\ntenant_kinds = [\"unit\", \"folder\"]\n\
             kind = \"usage_daily\"\nlevel = \"itself\"\nresult_action = \"save\"\n\n\
             [[report]]\ntenants_under = \"{P2}\"\ninclude_disabled = true\n\
             kind = \"usage_summary\"\nlevel = \"itself\"\nresult_action = \"save\"\n"
        ),
    );
    let o = run_at(&tree.emulator, &["apply", &file, "--yes"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stderr(&o)
            .lines()
            .filter(|l| l.starts_with("note:"))
            .collect::<Vec<_>>(),
        [
            format!("note: report entry 1: tenants_under {TOP}: 2 tenants"),
            format!("note: report entry 2: tenants_under {P2}: 3 tenants"),
        ]
    );
    let mut created = created_for(&tree.emulator.requests());
    created.sort();
    let mut expected = vec![FOLDER, UNIT, C3, C4, OFF];
    expected.sort();
    assert_eq!(created, expected);
}

#[test]
fn a_customer_added_between_plan_and_apply_gets_its_report_from_apply() {
    let tree = tree();
    let dir = tempfile::tempdir().unwrap();
    let file = selector_file(&dir);
    let o = run_at(&tree.emulator, &["plan", &file], None);
    assert!(!stdout(&o).contains(NEW));
    tree.emulator
        .add_tenants([json!({"id": NEW, "parent_id": P2, "kind": "customer", "name": "New"})])
        .unwrap();
    // apply FILE plans again: the new customer is in it.
    let o = run_at(&tree.emulator, &["apply", &file, "--yes"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(NEW), "{}", stdout(&o));
    assert!(created_for(&tree.emulator.requests()).contains(&NEW.to_owned()));
}

#[test]
fn a_tenant_a_selector_and_an_entry_both_describe_exits_2_naming_both_entries() {
    let tree = tree();
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "twice.toml",
        &format!(
            "[[report]]\ntenants_under = \"{TOP}\"\nkind = \"usage_summary\"\nlevel = \"itself\"\nresult_action = \"save\"\n\n\
             [[report]]\ntenant = \"{C2}\"\nkind = \"usage_summary\"\nlevel = \"accounts\"\nresult_action = \"save\"\n"
        ),
    );
    let o = run_at(&tree.emulator, &["plan", &file], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "report entry 2: kind: entry 1 already describes tenant {C2}'s usage_summary report with result_action save"
        )),
        "{}",
        stderr(&o)
    );
    // The listing was read; no tenant's reports, and no write.
    let requests = tree.emulator.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" || r.path.ends_with("/idp/token"))
    );
    assert!(!requests.iter().any(|r| r.path.ends_with("/reports")));
}

#[test]
fn export_under_a_partner_grouped_or_not_plans_no_change() {
    let tree = tree();
    let seeded = tree.emulator.seed_partner_tree(2, 4, 2);
    let root = seeded.root.clone();
    let dir = tempfile::tempdir().unwrap();
    // One customer's daily report differs: it is excluded from that selector entry.
    let odd = &seeded.reports[1];
    let client = common::emulator_client(&tree.emulator, acronis_reports::RetryPolicy::none());
    client
        .update_report(
            odd.as_str(),
            &acronis_reports::ReportUpdate::new().level(acronis_reports::Level::Accounts),
        )
        .unwrap();
    for group in [false, true] {
        let out = dir.path().join(format!("export-{group}.toml"));
        let out = out.to_string_lossy().into_owned();
        let mut args = vec!["export", "--under", &root, "-o", &out];
        if group {
            args.push("--group");
        }
        let o = run_at(&tree.emulator, &args, None);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.starts_with(&format!(
                "# The monthly reports of the tenants under {root}, as they were when exported by acronis-reports.\n"
            )),
            "{text}"
        );
        let desired = DesiredReports::from_toml(&text).unwrap();
        if group {
            // Two selector entries (summary, daily), the odd customer excluded from the
            // second and given its own entry.
            let selectors: Vec<_> = desired
                .reports
                .iter()
                .filter(|e| e.selector.is_some())
                .collect();
            assert_eq!(selectors.len(), 2, "{text}");
            assert_eq!(desired.reports.len(), 3, "{text}");
            assert!(
                text.contains(&format!("exclude_tenants = [\"{}\"]", seeded.customers[0])),
                "{text}"
            );
        } else {
            assert_eq!(desired.reports.len(), 16, "{text}");
        }
        let o = run_at(&tree.emulator, &["plan", &out, "--exit-code"], None);
        assert_eq!(
            o.status.code(),
            Some(0),
            "group {group}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert_eq!(stdout(&o), "No changes. 16 unchanged, 0 unmanaged.\n");
    }
}

/// The scale: 5,000 customers under 50 partners, two monthly reports each. The
/// plan's requests are exactly the listing's pages, one listing per customer and one fetch
/// per report (and a token, none here: the client has a bearer token).
#[test]
fn a_plan_over_5000_customers_reads_each_tenant_and_report_once() {
    let emulator = Emulator::builder()
        .max_recorded_requests(20_000)
        .reports(Vec::<serde_json::Value>::new())
        .start()
        .unwrap();
    let tree: PartnerTree = emulator.seed_partner_tree(50, 100, 2);
    assert_eq!((tree.customers.len(), tree.reports.len()), (5000, 10_000));
    let desired = DesiredReports::from_toml(&format!(
        "[[report]]\ntenants_under = \"{}\"\nkind = \"usage_summary\"\nlevel = \"itself\"\nresult_action = \"save\"\nformats = [\"csv_v2_0\"]\n\n\
         [[report]]\ntenants_under = \"{}\"\nkind = \"usage_daily\"\nlevel = \"itself\"\nresult_action = \"save\"\nformats = [\"csv_v2_0\"]\n",
        tree.root, tree.root
    ))
    .unwrap();
    let client = common::emulator_client(&emulator, acronis_reports::RetryPolicy::none());
    let plan = client.plan(&desired, 8).unwrap();
    assert_eq!(plan.summary().unchanged, 10_000);
    assert!(!plan.has_changes());
    assert_eq!(plan.selected()[0].tenants.len(), 5000);
    let requests = emulator.requests();
    assert_eq!(emulator.dropped_requests(), 0);
    // 1 + 50 + 5,000 tenants in the default page of 5,000: two pages.
    let pages = listings(&requests);
    assert_eq!(pages.len(), 2, "{pages:?}");
    let count =
        |pred: &dyn Fn(&RecordedRequest) -> bool| requests.iter().filter(|r| pred(r)).count();
    assert_eq!(
        count(&|r| r.path.starts_with("/api/2/tenants/") && r.path.ends_with("/reports")),
        5000
    );
    assert_eq!(count(&|r| r.path.starts_with("/api/2/reports/")), 10_000);
    assert_eq!(requests.len(), 2 + 5000 + 10_000);
    assert!(requests.iter().all(|r| r.method == "GET"));
}

/// The walk-through of `docs/desired-state.md` ("A partner tree"), run as it is written there:
/// `acronis-reports emulator` seeded with `examples/seeds/partner-tree.json` (so the example
/// seed stays a seed the emulator takes), `export --under --group` writing exactly the file
/// the document shows, then the document's edits: a saved plan applied, a saved plan refused
/// as stale (exit 6) after a customer arrived and a report changed, and an edit refused
/// because it would replace protected reports (exit 2, nothing written).
#[test]
fn the_documented_partner_tree_walk_through_runs_as_written() {
    const TOP: &str = "f1f1f1f1-0000-4000-8000-000000000001";
    const HARBOR: &str = "a2a2a2a2-0000-4000-8000-000000000002";
    const FJORD: &str = "c6c6c6c6-0000-4000-8000-000000000006";
    const BIRCH_SUMMARY: &str = "b2000000-0000-4000-8000-000000000001";

    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/seeds/partner-tree.json"
    );
    let (lines, serving) = common::cli::emulator_banner(&["--json", "emulator", "--seed", seed]);
    let started: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(started["tenant_id"], TOP, "{started}");
    assert_eq!(started["tenants"].as_array().unwrap().len(), 9);
    assert_eq!(started["reports"].as_array().unwrap().len(), 10);
    let base = started["base_url"].as_str().unwrap().to_owned();
    let env = [
        ("ACRONIS_BASE_URL", base.as_str()),
        ("ACRONIS_TOKEN", acronis_reports_emulator::TOKEN),
    ];
    let tool = |args: &[&str]| common::cli::run(args, &env, None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tree.toml");
    let file = file.to_str().unwrap();
    let plan = dir.path().join("tree.plan");
    let plan = plan.to_str().unwrap();
    let edit = |from: &str, to: &str| {
        let text = std::fs::read_to_string(file).unwrap();
        assert_eq!(text.matches(from).count(), 1, "{from:?} in {text}");
        std::fs::write(file, text.replace(from, to)).unwrap();
    };

    let o = tool(&["export", "--under", TOP, "--group", "-o", file]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = include_str!("../../docs/desired-state.md");
    let walk = &doc[doc.find("## A partner tree").expect("the section")..];
    let shown = walk.find("$ cat tree.toml\n").expect("the export shown") + 16;
    let documented = &walk[shown..=shown + walk[shown..].find("\n$ ").unwrap()];
    assert_eq!(std::fs::read_to_string(file).unwrap(), documented);
    let o = tool(&["plan", file]);
    assert_eq!(stdout(&o), "No changes. 8 unchanged, 0 unmanaged.\n");
    assert_eq!(
        stderr(&o),
        format!(
            "note: report entry 1: tenants_under {TOP}: 4 tenants\n\
             note: report entry 2: tenants_under {TOP}: 3 tenants\n"
        )
    );

    // The daily reports switched off, everything protected: a saved plan, applied.
    edit("prune = false\n", "prune = false\nprotect = true\n");
    edit(
        "kind = \"usage_daily\"\nlevel = \"itself\"\nresult_action = \"save\"\nformats = [\"csv_v2_0\"]\nenabled = true",
        "kind = \"usage_daily\"\nlevel = \"itself\"\nresult_action = \"save\"\nformats = [\"csv_v2_0\"]\nenabled = false",
    );
    let o = tool(&["plan", file, "-o", plan]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "Plan: 0 to create, 4 to update, 0 to replace, 0 to delete, 4 unchanged, 0 unmanaged."
        ),
        "{}",
        stdout(&o)
    );
    let o = tool(&["apply", plan, "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Apply: 0 created, 4 updated, 0 replaced, 0 deleted, 0 failed"),
        "{}",
        stderr(&o)
    );

    // SKUs in the summaries, planned; then a customer arrives and a report changes.
    edit(
        "kind = \"usage_summary\"\nlevel = \"itself\"\nresult_action = \"save\"\nformats = [\"csv_v2_0\"]\nenabled = true\nhide_zero_usage = false\nshow_skus = false",
        "kind = \"usage_summary\"\nlevel = \"itself\"\nresult_action = \"save\"\nformats = [\"csv_v2_0\"]\nenabled = true\nhide_zero_usage = false\nshow_skus = true",
    );
    let o = tool(&["plan", file, "-o", plan]);
    assert!(
        stdout(&o).contains("Plan: 0 to create, 3 to update"),
        "{}",
        stdout(&o)
    );
    let admin = base.strip_suffix("/api/2").unwrap();
    let customer =
        json!({"id": FJORD, "parent_id": HARBOR, "kind": "customer", "name": "Fjord Freight"});
    let (status, _) = common::ask(
        admin,
        "POST",
        "/__admin/tenants",
        &[],
        &customer.to_string(),
    );
    assert_eq!(status, 201);
    let o = tool(&["disable", BIRCH_SUMMARY]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = tool(&["apply", plan, "--yes"]);
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "error: the saved plan is stale: entry 1's selector now resolves to 5 tenants: added {FJORD}; \
             entry 2's selector now resolves to 4 tenants: added {FJORD}; report {BIRCH_SUMMARY} in tenant \
             c2c2c2c2-0000-4000-8000-000000000002 is at version 2, not 1 as the plan read it; nothing was \
             changed: make a new plan and review it\n"
        )
    );
    assert_eq!(stdout(&o), "");
    // Planned again: the new customer's reports created, Birch Books' summary switched on.
    let o = tool(&["plan", file, "-o", plan]);
    assert!(
        stdout(&o).contains("Plan: 2 to create, 3 to update"),
        "{}",
        stdout(&o)
    );
    let o = tool(&["apply", plan, "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // JSON too in the summaries: each would be replaced, and every report is protected.
    edit(
        "kind = \"usage_summary\"\nlevel = \"itself\"\nresult_action = \"save\"\nformats = [\"csv_v2_0\"]",
        "kind = \"usage_summary\"\nlevel = \"itself\"\nresult_action = \"save\"\nformats = [\"csv_v2_0\", \"json_v2_0\"]",
    );
    for args in [vec!["plan", file], vec!["apply", file, "--yes"]] {
        let o = tool(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            "error: the file protects every report of its tenants (protect = true): the plan would \
             replace report b1000000-0000-4000-8000-000000000001 of tenant \
             c1c1c1c1-0000-4000-8000-000000000001, and 3 other protected reports; nothing was \
             changed\n",
            "{args:?}"
        );
    }
    let summary = common::ask(
        &base,
        "GET",
        "/reports/b1000000-0000-4000-8000-000000000001",
        &[("authorization", "Bearer emulator-token")],
        "",
    )
    .1;
    assert_eq!(
        summary["parameters"]["formats"],
        json!(["csv_v2_0"]),
        "not replaced"
    );
    drop(serving);
}

#[test]
fn export_flags_of_a_subtree_need_under_and_an_empty_export_says_so() {
    let tree = tree();
    for args in [
        vec!["export", "--group", "--tenant", C1],
        vec!["export", "--tenant-kind", "unit", "--tenant", C1],
    ] {
        let o = run_at(&tree.emulator, &args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            "error: --group and --tenant-kind choose among the tenants of --under: give --under\n"
        );
    }
    let o = run_at(&tree.emulator, &["export"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("<--tenant <UUID>|--under <UUID>>"),
        "{}",
        stderr(&o)
    );
    assert!(tree.emulator.requests().is_empty());
    // A disabled customer has nothing below it: the file has no entry, and that is said.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("empty.toml");
    let o = run_at(
        &tree.emulator,
        &["export", "--under", OFF, "-o", &out.to_string_lossy()],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "note: the tenants under {OFF} have no monthly report: the file has no entry\n\
             0 entries written to {}\n",
            out.display()
        )
    );
}

#[test]
fn a_root_the_api_does_not_know_is_the_file_s_error_naming_the_entry() {
    let tree = tree();
    let dir = tempfile::tempdir().unwrap();
    let missing = "99999999-0000-4000-8000-000000000009";
    let file = write(
        &dir,
        "missing.toml",
        &format!(
            "[[report]]\ntenant = \"{C1}\"\nkind = \"usage_daily\"\nlevel = \"itself\"\nresult_action = \"save\"\n\n\
             [[report]]\ntenants_under = \"{missing}\"\nkind = \"usage_summary\"\nlevel = \"itself\"\nresult_action = \"save\"\n"
        ),
    );
    let o = run_at(&tree.emulator, &["plan", &file], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "error: the desired reports are invalid: report entry 2: tenants_under: tenant {missing} was not found (the API answered 404); nothing was changed\n"
        )
    );
}
