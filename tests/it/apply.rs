//! Reports as code against the emulator: `Client::plan`, `apply` and `export`, with what the
//! server holds afterwards checked member by member, and what it was sent.
#![cfg(feature = "ureq")]

use crate::common;

use std::time::Duration;

use acronis_reports::apply::{Applied, ApplyError};
use acronis_reports::desired::{DesiredReport, DesiredReports};
use acronis_reports::plan::{ActionKind, PlanError};
use acronis_reports::{
    Client, Error, Level, Report, ReportFormat, ReportId, ReportKind, RetryPolicy, TenantId, UserId,
};
use acronis_reports_emulator::{Emulator, ONCE_REPORT_ID, RECIPIENT_ID, TENANT_ID, TOKEN};
use serde_json::{Value, json};

const T2: &str = "7c0f2a6e-5b1d-4e8a-9f3c-1d2e3f4a5b6c";
const UPDATED: &str = "a0000000-0000-4000-8000-000000000001";
const REPLACED: &str = "a0000000-0000-4000-8000-000000000002";
const UNMATCHED: &str = "a0000000-0000-4000-8000-000000000003";
const SAME: &str = "a0000000-0000-4000-8000-000000000004";

fn t1() -> TenantId {
    TENANT_ID.parse().unwrap()
}

fn t2() -> TenantId {
    T2.parse().unwrap()
}

fn recipient() -> UserId {
    RECIPIENT_ID.parse().unwrap()
}

fn monthly(id: &str, kind: &str, action: &str, formats: Value) -> Value {
    json!({
        "id": id, "version": 5, "result_action": action,
        "recipients": if action == "send" { json!([RECIPIENT_ID]) } else { json!([]) },
        "parameters": {"tenant_id": TENANT_ID, "kind": kind, "level": "accounts",
            "formats": formats, "hide_zero_usage": false, "show_skus": false},
        "schedule": {"type": "monthly", "enabled": true}
    })
}

/// Tenant 1: a report to update, one to replace, one no entry matches, one as the file says,
/// and a one-time report; tenant 2 exists with no report.
fn emulator() -> Emulator {
    let once = json!({
        "id": ONCE_REPORT_ID, "version": 3, "result_action": "save", "recipients": [],
        "parameters": {"tenant_id": TENANT_ID, "kind": "usage_summary", "level": "itself",
            "formats": ["csv"]},
        "schedule": {"type": "once", "enabled": true}
    });
    let emulator = Emulator::builder()
        .reports([
            monthly(UPDATED, "usage_summary", "send", json!(["csv"])),
            monthly(REPLACED, "usage_daily", "save", json!(["csv"])),
            monthly(UNMATCHED, "usage_current", "send", json!(["html"])),
            monthly(SAME, "usage_breakdown", "save", json!(["csv"])),
            once,
        ])
        .start()
        .unwrap();
    emulator.add_tenant(T2);
    emulator
}

fn client(emulator: &Emulator) -> Client {
    common::emulator_client(
        emulator,
        RetryPolicy::new().base_delay(Duration::from_millis(1)),
    )
}

/// A file that needs every kind of action.
fn desired(prune: bool) -> DesiredReports {
    DesiredReports::new([
        // Update: disable, show SKUs.
        DesiredReport::new(t1(), Level::Accounts, ReportKind::UsageSummary)
            .recipients([recipient()])
            .enabled(false)
            .show_skus(true),
        // Replace: another set of formats; hide_zero_usage kept from the old report.
        DesiredReport::new(t1(), Level::AllCustomers, ReportKind::UsageDaily)
            .save()
            .formats([ReportFormat::Csv, ReportFormat::JsonV1]),
        // Unchanged.
        DesiredReport::new(t1(), Level::Accounts, ReportKind::UsageBreakdown)
            .save()
            .formats([ReportFormat::Csv]),
        // Create, in tenant 2.
        DesiredReport::new(t2(), Level::Itself, ReportKind::UsageSummary)
            .recipients([recipient()])
            .formats([ReportFormat::CsvV2])
            .enabled(false),
    ])
    .prune(prune)
}

/// The writes the emulator received, as `METHOD path`.
fn writes(emulator: &Emulator) -> Vec<String> {
    emulator
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| {
            let query = r.query.map(|q| format!("?{q}")).unwrap_or_default();
            format!(
                "{} {}{query}",
                r.method,
                r.path.trim_start_matches("/api/2")
            )
        })
        .collect()
}

fn report(emulator: &Emulator, id: &str) -> Report {
    emulator.report(id).unwrap()
}

#[test]
fn plan_sends_only_gets_and_says_what_apply_will_do() {
    let emulator = emulator();
    let plan = client(&emulator).plan(&desired(false), 4).unwrap();
    let got: Vec<(ActionKind, Option<String>)> = plan
        .actions()
        .iter()
        .map(|a| (a.kind(), a.current().map(|r| r.id.to_string())))
        .collect();
    assert_eq!(
        got,
        [
            (ActionKind::Update, Some(UPDATED.to_owned())),
            (ActionKind::Replace, Some(REPLACED.to_owned())),
            (ActionKind::Unchanged, Some(SAME.to_owned())),
            (ActionKind::Unmanaged, Some(UNMATCHED.to_owned())),
            (ActionKind::Create, None),
        ]
    );
    assert!(writes(&emulator).is_empty());
    assert_eq!(
        plan.summary().to_string(),
        "1 to create, 1 to update, 1 to replace, 0 to delete, 1 unchanged, 1 unmanaged"
    );
}

#[test]
fn apply_makes_the_server_hold_what_the_file_says_and_a_second_run_sends_nothing() {
    let emulator = emulator();
    let c = client(&emulator);
    let plan = c.plan(&desired(true), 4).unwrap();
    let results: Vec<_> = c.apply(&plan, 4).collect();
    assert_eq!(results.len(), 4, "update, create, replace, delete");
    let mut created = None;
    let mut replacement = None;
    for (action, result) in &results {
        match (action.kind(), result) {
            (ActionKind::Create, Ok(Applied::Created(r))) => created = Some(r.id),
            (ActionKind::Replace, Ok(Applied::Replaced { new })) => replacement = Some(new.id),
            (ActionKind::Update, Ok(Applied::Updated(r))) => assert!(!r.schedule.enabled),
            (ActionKind::Delete, Ok(Applied::Deleted)) => {}
            other => panic!("{other:?}"),
        }
    }
    let (created, replacement) = (created.unwrap(), replacement.unwrap());

    // The order of the writes: creates and updates, then the replacement (its new report
    // before the old one goes), then the delete.
    let w = writes(&emulator);
    assert_eq!(w.len(), 5, "{w:?}");
    let position = |s: &str| w.iter().position(|x| x == s).unwrap();
    assert!(w[..2].contains(&format!("PUT /reports/{UPDATED}")), "{w:?}");
    assert!(w[..2].contains(&"POST /reports".to_owned()), "{w:?}");
    assert_eq!(w[2], "POST /reports");
    assert!(
        position(&format!("DELETE /reports/{REPLACED}?version=5")) == 3,
        "{w:?}"
    );
    assert_eq!(w[4], format!("DELETE /reports/{UNMATCHED}?version=5"));

    // Member by member.
    let updated = report(&emulator, UPDATED);
    assert!(!updated.schedule.enabled);
    assert_eq!(updated.parameters.show_skus, Some(true));
    assert_eq!(updated.parameters.hide_zero_usage, Some(false));
    assert_eq!(updated.recipients, [recipient()]);

    assert!(!emulator.has_report(REPLACED));
    let new = report(&emulator, &replacement.to_string());
    assert_eq!(new.parameters.level, Level::AllCustomers);
    assert_eq!(new.parameters.kind, ReportKind::UsageDaily);
    assert_eq!(
        new.parameters.formats,
        [ReportFormat::Csv, ReportFormat::JsonV1]
    );
    assert_eq!(new.parameters.hide_zero_usage, Some(false), "kept");
    assert!(new.schedule.enabled, "kept");
    assert_eq!(new.parameters.tenant_id, t1());

    let made = report(&emulator, &created.to_string());
    assert_eq!(made.parameters.tenant_id, t2());
    assert_eq!(made.parameters.level, Level::Itself);
    assert_eq!(made.parameters.formats, [ReportFormat::CsvV2]);
    assert_eq!(made.recipients, [recipient()]);
    assert!(!made.schedule.enabled);

    assert!(!emulator.has_report(UNMATCHED), "pruned");
    assert_eq!(report(&emulator, SAME).version, 5, "unchanged");
    assert_eq!(
        report(&emulator, ONCE_REPORT_ID).version,
        3,
        "one-time: untouched"
    );

    // Again: nothing to do, and no write sent.
    let before = writes(&emulator).len();
    let again = c.plan(&desired(true), 4).unwrap();
    assert!(!again.has_changes(), "{:?}", again.summary());
    assert_eq!(c.apply(&again, 4).count(), 0);
    assert_eq!(writes(&emulator).len(), before);
}

#[test]
fn without_prune_unmatched_reports_stay() {
    let emulator = emulator();
    let c = client(&emulator);
    let plan = c.plan(&desired(false), 2).unwrap();
    let kinds: Vec<ActionKind> = c.apply(&plan, 2).map(|(a, _)| a.kind()).collect();
    assert!(!kinds.contains(&ActionKind::Delete));
    assert_eq!(report(&emulator, UNMATCHED).version, 5);
    assert_eq!(report(&emulator, ONCE_REPORT_ID).version, 3);
}

#[test]
fn ambiguous_matches_are_refused_before_any_write() {
    let emulator = emulator();
    emulator
        .add_report(&monthly(
            "a0000000-0000-4000-8000-000000000009",
            "usage_summary",
            "send",
            json!(["csv"]),
        ))
        .unwrap();
    let err = client(&emulator).plan(&desired(false), 4).unwrap_err();
    let Error::Plan(PlanError::Ambiguous { ids, .. }) = &err else {
        panic!("{err:?}")
    };
    let expected: Vec<ReportId> = [UPDATED, "a0000000-0000-4000-8000-000000000009"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(ids, &expected);
    assert!(writes(&emulator).is_empty());
}

#[test]
fn an_invalid_file_sends_no_request_at_all() {
    let emulator = emulator();
    let twice = DesiredReports::new([
        DesiredReport::new(t1(), Level::Accounts, ReportKind::UsageSummary).save(),
        DesiredReport::new(t1(), Level::Itself, ReportKind::UsageSummary).save(),
    ]);
    let err = client(&emulator).plan(&twice, 4).unwrap_err();
    assert!(matches!(err, Error::Plan(PlanError::Invalid(_))), "{err:?}");
    assert!(emulator.requests().is_empty());
}

#[test]
fn a_refused_write_leaves_the_other_actions_applied_and_reported() {
    let emulator = emulator();
    let c = client(&emulator);
    let plan = c.plan(&desired(true), 4).unwrap();
    emulator.fail_report(UPDATED, 403);
    let results: Vec<_> = c.apply(&plan, 4).collect();
    assert_eq!(results.len(), 4);
    for (action, result) in &results {
        match action.kind() {
            ActionKind::Update => {
                let e = result.as_ref().unwrap_err();
                assert_eq!(e.error().status(), Some(403));
                assert!(matches!(e, ApplyError::Failed(_)));
            }
            _ => assert!(result.is_ok(), "{action:?}: {result:?}"),
        }
    }
    assert!(report(&emulator, UPDATED).schedule.enabled, "not changed");
    assert!(!emulator.has_report(UNMATCHED));
}

#[test]
fn a_replacement_whose_delete_fails_reports_the_new_report() {
    let emulator = emulator();
    let c = client(&emulator);
    let plan = c.plan(&desired(false), 4).unwrap();
    // Someone changes the report to replace: its version moves on, the delete is refused.
    let mut changed = report(&emulator, REPLACED);
    changed.version += 1;
    emulator.add_report(&changed).unwrap();
    let (_, result) = c
        .apply(&plan, 4)
        .find(|(a, _)| a.kind() == ActionKind::Replace)
        .unwrap();
    let e = result.unwrap_err();
    assert_eq!(e.error().status(), Some(409));
    let ApplyError::HalfReplaced {
        created: new, old, ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(old.to_string(), REPLACED);
    assert!(emulator.has_report(new.id.to_string()));
    assert!(emulator.has_report(REPLACED), "both exist");
    assert!(e.to_string().contains(&new.id.to_string()), "{e}");
}

#[test]
fn a_failing_service_stops_the_apply_and_every_action_is_accounted_for() {
    let emulator = emulator();
    let c = client(&emulator);
    let plan = c.plan(&desired(true), 1).unwrap();
    emulator.outage_after(0, 503, Some("0"));
    let results: Vec<_> = c
        .apply(
            &plan,
            acronis_reports::bulk::BulkOptions::new()
                .concurrency(1)
                .stop_after_failures(1),
        )
        .collect();
    assert_eq!(results.len(), 4);
    let not_attempted = results
        .iter()
        .filter(|(_, r)| matches!(r, Err(e) if matches!(e.error(), Error::NotAttempted { .. })))
        .count();
    assert!(not_attempted >= 2, "{results:?}");
    assert!(results.iter().all(|(_, r)| r.is_err()));
}

#[test]
fn export_describes_the_reports_so_that_a_plan_finds_no_change() {
    let emulator = emulator();
    emulator
        .add_report(&monthly(
            "a0000000-0000-4000-8000-000000000009",
            "usage_summary",
            "send",
            json!(["csv"]),
        ))
        .unwrap();
    let c = client(&emulator);
    let exported = c.export(&[t1(), t2()], 4).unwrap();
    assert_eq!(exported.reports.len(), 5, "the monthly reports of tenant 1");
    let pinned = exported.reports.iter().filter(|r| r.id.is_some()).count();
    assert_eq!(
        pinned, 2,
        "the two usage_summary reports sent share an identity"
    );
    let plan = c.plan(&exported, 4).unwrap();
    assert!(!plan.has_changes(), "{:?}", plan.summary());
    assert_eq!(plan.summary().unchanged, 5);
}

#[test]
fn a_stop_while_a_replacement_creates_its_report_still_deletes_the_old_one() {
    use std::sync::{Arc, Mutex};

    use acronis_reports::bulk::StopHandle;
    use acronis_reports::transport::{Method, UreqTransport, from_fn};

    let emulator = emulator();
    // A transport that stops the run as the replacement's POST goes out (as Ctrl-C would
    // while it is in flight), then sends it.
    let handle: Arc<Mutex<Option<StopHandle>>> = Arc::default();
    let seen = handle.clone();
    let inner = UreqTransport::builder().build().unwrap();
    let c = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .transport(from_fn(move |request| {
            if request.method() == Method::Post {
                if let Some(stop) = seen.lock().unwrap().as_ref() {
                    stop.stop();
                }
            }
            acronis_reports::Transport::send(&inner, request)
        }))
        .build()
        .unwrap();
    let only_the_replacement = DesiredReports::new([DesiredReport::new(
        t1(),
        Level::AllCustomers,
        ReportKind::UsageDaily,
    )
    .save()
    .formats([ReportFormat::Csv, ReportFormat::JsonV1])]);
    let plan = c.plan(&only_the_replacement, 1).unwrap();
    assert_eq!(plan.summary().replace, 1);
    let run = c.apply(&plan, 1);
    *handle.lock().unwrap() = Some(run.stop_handle());
    let results: Vec<_> = run.collect();
    assert_eq!(results.len(), 1);
    let (_, result) = &results[0];
    let Ok(Applied::Replaced { new }) = result else {
        panic!("{result:?}")
    };
    assert!(emulator.has_report(new.id.to_string()));
    assert!(!emulator.has_report(REPLACED), "the old report went too");
}

/// `desired`'s plan, saved and read back as `apply PLAN` reads it.
fn saved_plan(c: &Client, desired: &DesiredReports) -> acronis_reports::saved_plan::SavedPlan {
    use acronis_reports::saved_plan::SavedPlan;
    let plan = c.plan(desired, 4).unwrap();
    let text = SavedPlan::new(&plan, desired, desired.to_json_string().as_bytes()).to_json_string();
    SavedPlan::from_json(text.as_bytes()).unwrap()
}

#[test]
fn a_saved_plan_applies_exactly_its_requests_after_the_reads_a_plan_makes() {
    let emulator = emulator();
    let c = client(&emulator);
    let saved = saved_plan(&c, &desired(true));
    let planned: Vec<String> = saved
        .actions()
        .iter()
        .flat_map(|a| &a.requests)
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let before = emulator.requests().len();
    let results: Vec<_> = c.apply_saved(&saved, 4).unwrap().collect();
    assert_eq!(results.len(), 4);
    assert!(results.iter().all(|(_, r)| r.is_ok()), "{results:?}");

    // First the plan's reads, every one a GET: both tenants listed, each report fetched.
    let sent = emulator.requests()[before..].to_vec();
    let reads = sent.iter().take_while(|r| r.method == "GET").count();
    assert_eq!(reads, 2 + 5, "{sent:?}");
    // Then exactly the saved writes, each once (in apply's order, not the plan's).
    let mut written = writes(&emulator);
    let mut planned = planned;
    written.sort();
    planned.sort();
    assert_eq!(written, planned);
    assert!(!report(&emulator, UPDATED).schedule.enabled);
    assert!(!emulator.has_report(UNMATCHED));
}

#[test]
fn a_saved_plan_whose_report_changed_is_refused_before_any_write() {
    use acronis_reports::saved_plan::Stale;

    let emulator = emulator();
    let c = client(&emulator);
    let saved = saved_plan(&c, &desired(true));
    // Someone else changes a report the plan updates, and one it leaves alone.
    c.update_report(
        UPDATED,
        &acronis_reports::ReportUpdate::new().show_skus(true),
    )
    .unwrap();
    let mut unchanged = report(&emulator, SAME);
    unchanged.version = 8;
    emulator.add_report(&unchanged).unwrap();
    let writes_before = writes(&emulator);
    let err = c.apply_saved(&saved, 4).unwrap_err();
    assert_eq!(err.kind(), acronis_reports::ErrorKind::Stale);
    let Error::Stale(stale) = &err else {
        panic!("{err:?}")
    };
    let now = report(&emulator, UPDATED).version;
    assert_eq!(
        stale.reasons(),
        [
            Stale::ReportChanged {
                tenant: t1(),
                id: UPDATED.parse().unwrap(),
                saved: 5,
                now,
            },
            Stale::ReportChanged {
                tenant: t1(),
                id: SAME.parse().unwrap(),
                saved: 5,
                now: 8,
            },
        ]
    );
    assert!(
        err.to_string().starts_with(&format!(
            "the saved plan is stale: report {UPDATED} in tenant {TENANT_ID} is at version {now}, not 5 as the plan read it; "
        )),
        "{err}"
    );
    assert_eq!(writes(&emulator), writes_before, "no write sent");
    assert!(report(&emulator, UPDATED).schedule.enabled);
    // check_saved says the same, and a new plan saved now is current.
    assert!(matches!(c.check_saved(&saved, 4), Err(Error::Stale(_))));
    let again = saved_plan(&c, &desired(true));
    assert!(c.check_saved(&again, 4).unwrap().has_changes());
}
