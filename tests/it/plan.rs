//! The pure plan: `Plan::between` over hand-built reports, each action and its exact
//! requests, the errors, and a property: applying a plan to a model of the server leaves a
//! plan with no change.

use acronis_reports::desired::{DesiredReport, DesiredReports};
use acronis_reports::plan::{
    Action, ActionKind, PinProblem, Plan, PlanError, PlanReads, SelectorReads, TenantReads,
};
use acronis_reports::transport::Method;
use acronis_reports::{
    Field, Level, Report, ReportFormat, ReportId, ReportKind, ResultAction, ScheduleType, TenantId,
    UserId,
};
use proptest::prelude::*;
use serde_json::{Value, json};

const T1: &str = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc";
const T2: &str = "7c0f2a6e-5b1d-4e8a-9f3c-1d2e3f4a5b6c";
const U1: &str = "ca451758-b48a-45d9-9ae6-8f1059f67619";
const U2: &str = "0e6f1c2d-3b4a-4c5d-8e9f-a0b1c2d3e4f5";

fn tenant(s: &str) -> TenantId {
    s.parse().unwrap()
}

fn user(s: &str) -> UserId {
    s.parse().unwrap()
}

fn rid(n: u32) -> ReportId {
    format!("{n:08x}-0000-4000-8000-000000000000")
        .parse()
        .unwrap()
}

/// A monthly report `n` of `t`: sent to U1, `accounts`, `usage_summary`, csv, enabled,
/// both flags false, version 7.
fn monthly(n: u32, t: &str) -> Report {
    let mut r = Report::new(rid(n), tenant(t));
    r.version = 7;
    r.result_action = ResultAction::Send;
    r.recipients = vec![user(U1)];
    r.parameters.level = Level::Accounts;
    r.parameters.kind = ReportKind::UsageSummary;
    r.parameters.formats = vec![ReportFormat::Csv];
    r.parameters.hide_zero_usage = Some(false);
    r.parameters.show_skus = Some(false);
    r.schedule.schedule_type = ScheduleType::Monthly;
    r.schedule.enabled = true;
    r
}

/// The entry that describes `monthly(_, t)` exactly.
fn entry(t: &str) -> DesiredReport {
    DesiredReport::new(tenant(t), Level::Accounts, ReportKind::UsageSummary)
        .recipients([user(U1)])
        .formats([ReportFormat::Csv])
        .enabled(true)
        .hide_zero_usage(false)
        .show_skus(false)
}

fn kinds(plan: &Plan) -> Vec<ActionKind> {
    plan.actions().iter().map(Action::kind).collect()
}

fn bodies(action: &Action) -> Vec<(Method, String, Option<Value>)> {
    action
        .requests()
        .into_iter()
        .map(|r| {
            let body = r.body.map(|b| serde_json::from_str(&b).unwrap());
            (r.method, r.path, body)
        })
        .collect()
}

#[test]
fn a_plan_records_the_monthly_reports_it_read_by_tenant_with_their_versions() {
    let mut newer = monthly(3, T1);
    newer.version = 9;
    newer.parameters.kind = ReportKind::UsageDaily;
    let mut once = monthly(4, T1);
    once.schedule.schedule_type = ScheduleType::Once;
    let desired = DesiredReports::new([entry(T2), entry(T1)]);
    let plan = Plan::between(
        &desired,
        &[newer, monthly(2, T2), once, monthly(1, T1), monthly(5, U2)],
    )
    .unwrap();
    // The file's order of tenants; each tenant's reports by id; one-time reports and other
    // tenants' reports left out; no selector (no entry selects its tenants).
    assert_eq!(
        *plan.reads(),
        PlanReads::new(
            [
                TenantReads::new(tenant(T2), [(rid(2), 7)]),
                TenantReads::new(tenant(T1), [(rid(1), 7), (rid(3), 9)]),
            ],
            Vec::<SelectorReads>::new()
        )
    );
}

#[test]
fn an_entry_that_matches_exactly_is_unchanged_and_sends_nothing() {
    let plan = Plan::between(&DesiredReports::new([entry(T1)]), &[monthly(1, T1)]).unwrap();
    assert_eq!(kinds(&plan), [ActionKind::Unchanged]);
    assert!(!plan.has_changes());
    assert!(plan.actions()[0].requests().is_empty());
    assert_eq!(
        plan.summary().to_string(),
        "0 to create, 0 to update, 0 to replace, 0 to delete, 1 unchanged, 0 unmanaged"
    );
}

#[test]
fn an_update_sends_exactly_the_differing_members() {
    let mut actual = monthly(1, T1);
    actual.schedule.enabled = false;
    actual.recipients = vec![user(U2), user(U1)];
    let desired = entry(T1)
        .recipients([user(U1), user(U2), user(U1)])
        .show_skus(true);
    let plan = Plan::between(&DesiredReports::new([desired]), &[actual]).unwrap();
    let action = &plan.actions()[0];
    assert_eq!(action.kind(), ActionKind::Update);
    // Recipients are a set: the same users in another order and with a repeat are no change.
    assert_eq!(
        bodies(action),
        [(
            Method::Put,
            format!("/reports/{}", rid(1)),
            Some(json!({"schedule": {"enabled": true}, "parameters": {"show_skus": true}}))
        )]
    );
    let changes: Vec<(Field, Value, Value, bool)> = action
        .changes()
        .iter()
        .map(|c| (c.field, c.old.clone(), c.new.clone(), c.forces_replacement))
        .collect();
    assert_eq!(
        changes,
        [
            (Field::ScheduleEnabled, json!(false), json!(true), false),
            (Field::ShowSkus, json!(false), json!(true), false),
        ]
    );
}

#[test]
fn members_an_entry_leaves_out_are_not_managed() {
    let mut actual = monthly(1, T1);
    actual.schedule.enabled = false;
    actual.recipients = vec![user(U2)];
    actual.parameters.formats = vec![ReportFormat::Html];
    actual.parameters.show_skus = None;
    let bare = DesiredReport::new(tenant(T1), Level::Accounts, ReportKind::UsageSummary);
    let plan = Plan::between(&DesiredReports::new([bare]), &[actual]).unwrap();
    assert_eq!(kinds(&plan), [ActionKind::Unchanged]);
}

#[test]
fn other_formats_replace_the_report_keeping_what_the_entry_leaves_out() {
    let mut actual = monthly(1, T1);
    actual.recipients = vec![user(U2)];
    actual.parameters.show_skus = Some(true);
    let desired = DesiredReport::new(tenant(T1), Level::AllCustomers, ReportKind::UsageSummary)
        .formats([ReportFormat::JsonV2, ReportFormat::Csv]);
    let plan = Plan::between(&DesiredReports::new([desired]), &[actual]).unwrap();
    let action = &plan.actions()[0];
    assert_eq!(action.kind(), ActionKind::Replace);
    assert_eq!(
        bodies(action),
        [
            (
                Method::Post,
                "/reports".to_owned(),
                Some(json!({
                    "recipients": [U2], "result_action": "send",
                    "parameters": {"tenant_id": T1, "level": "all_customers", "kind": "usage_summary",
                        "formats": ["json_v2_0", "csv"], "hide_zero_usage": false, "show_skus": true},
                    "schedule": {"type": "monthly", "enabled": true}
                }))
            ),
            (
                Method::Delete,
                format!("/reports/{}?version=7", rid(1)),
                None
            ),
        ]
    );
    let forced: Vec<Field> = action
        .changes()
        .iter()
        .filter(|c| c.forces_replacement)
        .map(|c| c.field)
        .collect();
    assert_eq!(forced, [Field::Formats]);
    assert!(
        action
            .changes()
            .iter()
            .any(|c| c.field == Field::Level && !c.forces_replacement)
    );
}

#[test]
fn a_missing_report_is_created_monthly_with_the_members_given() {
    let desired = DesiredReport::new(tenant(T2), Level::Itself, ReportKind::UsageDaily)
        .save()
        .enabled(false)
        .formats([ReportFormat::CsvV2]);
    let plan = Plan::between(&DesiredReports::new([desired]), &[monthly(1, T1)]).unwrap();
    let action = &plan.actions()[0];
    assert_eq!(
        (action.kind(), action.tenant(), action.entry()),
        (ActionKind::Create, tenant(T2), Some(1))
    );
    assert_eq!(
        bodies(action),
        [(
            Method::Post,
            "/reports".to_owned(),
            Some(json!({
                "recipients": [], "result_action": "save",
                "parameters": {"tenant_id": T2, "level": "itself", "kind": "usage_daily", "formats": ["csv_v2_0"]},
                "schedule": {"type": "monthly", "enabled": false}
            }))
        )]
    );
}

#[test]
fn unmatched_monthly_reports_are_unmanaged_or_deleted_with_prune() {
    let other = {
        let mut r = monthly(2, T1);
        r.parameters.kind = ReportKind::UsageDaily;
        r
    };
    let mut once = monthly(3, T1);
    once.schedule.schedule_type = ScheduleType::Once;
    let elsewhere = monthly(4, T2);
    let actual = [monthly(1, T1), other, once, elsewhere];

    let kept = Plan::between(&DesiredReports::new([entry(T1)]), &actual).unwrap();
    assert_eq!(
        kinds(&kept),
        [ActionKind::Unchanged, ActionKind::Unmanaged],
        "one-time reports and other tenants' are not in the plan"
    );
    assert_eq!(kept.actions()[1].current().map(|r| r.id), Some(rid(2)));
    assert!(!kept.has_changes());

    let pruned = Plan::between(&DesiredReports::new([entry(T1)]).prune(true), &actual).unwrap();
    assert_eq!(kinds(&pruned), [ActionKind::Unchanged, ActionKind::Delete]);
    assert_eq!(
        bodies(&pruned.actions()[1]),
        [(
            Method::Delete,
            format!("/reports/{}?version=7", rid(2)),
            None
        )]
    );
}

#[test]
fn identity_is_kind_and_result_action() {
    let mut saved = monthly(2, T1);
    saved.result_action = ResultAction::Save;
    saved.recipients = vec![];
    let plan = Plan::between(
        &DesiredReports::new([entry(T1), entry(T1).save().recipients_unmanaged()]),
        &[monthly(1, T1), saved],
    )
    .unwrap();
    assert_eq!(kinds(&plan), [ActionKind::Unchanged, ActionKind::Unchanged]);
    let ids: Vec<_> = plan
        .actions()
        .iter()
        .map(|a| a.current().unwrap().id)
        .collect();
    assert_eq!(ids, [rid(1), rid(2)]);
}

trait Unmanaged {
    fn recipients_unmanaged(self) -> Self;
}

impl Unmanaged for DesiredReport {
    fn recipients_unmanaged(mut self) -> Self {
        self.recipients = None;
        self
    }
}

#[test]
fn two_matching_reports_are_refused_naming_both_and_a_pin_settles_it() {
    let actual = [monthly(1, T1), monthly(2, T1)];
    let err = Plan::between(&DesiredReports::new([entry(T1)]), &actual).unwrap_err();
    assert_eq!(
        err,
        PlanError::Ambiguous {
            entry: 1,
            tenant: tenant(T1),
            kind: ReportKind::UsageSummary,
            result_action: ResultAction::Send,
            ids: vec![rid(1), rid(2)],
        }
    );
    let text = err.to_string();
    assert!(text.contains(&rid(1).to_string()) && text.contains(&rid(2).to_string()));
    assert!(text.contains("pin"), "{text}");

    // Pinning one: it is matched by id, and the unpinned entry matches the other.
    let desired = DesiredReports::new([entry(T1).pin(rid(2)).enabled(false), entry(T1)]);
    let plan = Plan::between(&desired, &actual).unwrap();
    assert_eq!(kinds(&plan), [ActionKind::Update, ActionKind::Unchanged]);
    assert_eq!(plan.actions()[0].current().unwrap().id, rid(2));
    assert_eq!(plan.actions()[1].current().unwrap().id, rid(1));
}

#[test]
fn a_pin_to_no_monthly_report_of_the_tenant_is_refused() {
    let mut once = monthly(3, T1);
    once.schedule.schedule_type = ScheduleType::Once;
    let actual = [monthly(1, T1), once, monthly(4, T2)];
    for (id, problem) in [
        (rid(9), PinProblem::NotFound),
        (rid(3), PinProblem::OneTime),
        (rid(4), PinProblem::OtherTenant),
    ] {
        let err = Plan::between(&DesiredReports::new([entry(T1).pin(id)]), &actual).unwrap_err();
        assert!(
            matches!(&err, PlanError::Pinned { entry: 1, id: pinned, problem: p } if *pinned == id && *p == problem),
            "{err:?}"
        );
    }
}

#[test]
fn a_sent_report_to_create_needs_recipients() {
    let bare = DesiredReport::new(tenant(T1), Level::Accounts, ReportKind::UsageCurrent);
    let err = Plan::between(&DesiredReports::new([bare]), &[]).unwrap_err();
    let PlanError::CannotCreate {
        entry: 1,
        tenant: t,
        reason,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*t, reason.field), (tenant(T1), "recipients"));
}

#[test]
fn a_replacement_that_would_lack_recipients_is_refused() {
    // A sent report with no recipients (the API lets it be so) whose formats change: the new
    // report could not be created.
    let mut actual = monthly(1, T1);
    actual.recipients = vec![];
    let desired = DesiredReport::new(tenant(T1), Level::Accounts, ReportKind::UsageSummary)
        .formats([ReportFormat::Html]);
    let err = Plan::between(&DesiredReports::new([desired]), &[actual]).unwrap_err();
    assert!(
        matches!(&err, PlanError::CannotCreate { entry: 1, reason, .. } if reason.field == "recipients"),
        "{err:?}"
    );
}

#[test]
fn a_pinned_report_is_never_replaced() {
    // Replacing it would give it a new id, and the pin would then point at nothing.
    let actual = [monthly(1, T1), monthly(2, T1)];
    let formats = entry(T1).pin(rid(2)).formats([ReportFormat::Html]);
    let err = Plan::between(&DesiredReports::new([formats]), &actual).unwrap_err();
    assert_eq!(
        err,
        PlanError::PinnedReplacement {
            entry: 1,
            id: rid(2),
            fields: vec![Field::Formats]
        }
    );
    let mut saved = entry(T1).pin(rid(2)).save();
    saved.recipients = None;
    let err = Plan::between(&DesiredReports::new([saved]), &actual).unwrap_err();
    assert!(
        matches!(&err, PlanError::PinnedReplacement { fields, .. } if fields == &[Field::ResultAction]),
        "{err:?}"
    );
    // Another kind is a PUT (the API's reportPut accepts parameters.kind).
    let kind = DesiredReport::new(tenant(T1), Level::Accounts, ReportKind::UsageDaily).pin(rid(2));
    let plan = Plan::between(&DesiredReports::new([kind]), &actual).unwrap();
    assert_eq!(
        bodies(&plan.actions()[0]),
        [(
            Method::Put,
            format!("/reports/{}", rid(2)),
            Some(json!({"parameters": {"kind": "usage_daily"}}))
        )]
    );
    assert_eq!(plan.actions()[0].report_kind(), &ReportKind::UsageDaily);
}

#[test]
fn creates_send_each_recipient_and_format_once() {
    let desired = DesiredReport::new(tenant(T1), Level::Accounts, ReportKind::UsageSummary)
        .recipients([user(U1), user(U1)])
        .formats([ReportFormat::Csv, ReportFormat::Csv]);
    let plan = Plan::between(&DesiredReports::new([desired]), &[]).unwrap();
    let (_, _, body) = bodies(&plan.actions()[0]).remove(0);
    let body = body.unwrap();
    assert_eq!(body["recipients"], json!([U1]));
    assert_eq!(body["parameters"]["formats"], json!(["csv"]));
}

#[test]
fn an_invalid_file_is_a_plan_error() {
    let twice = DesiredReports::new([entry(T1), entry(T1).enabled(false)]);
    let err = Plan::between(&twice, &[]).unwrap_err();
    let PlanError::Invalid(invalid) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (invalid.entry, invalid.key.as_deref()),
        (Some(2), Some("kind"))
    );
}

#[test]
fn one_entry_for_several_tenants_acts_in_each() {
    let desired = DesiredReports::new([entry(T1).for_tenants([tenant(T1), tenant(T2)])]);
    let plan = Plan::between(&desired, &[monthly(1, T1)]).unwrap();
    let got: Vec<(ActionKind, TenantId)> = plan
        .actions()
        .iter()
        .map(|a| (a.kind(), a.tenant()))
        .collect();
    assert_eq!(
        got,
        [
            (ActionKind::Unchanged, tenant(T1)),
            (ActionKind::Create, tenant(T2))
        ]
    );
}

#[test]
fn describing_reports_gives_a_file_with_no_change() {
    let mut daily = monthly(2, T1);
    daily.parameters.kind = ReportKind::UsageDaily;
    daily.parameters.formats = vec![];
    daily.parameters.hide_zero_usage = None;
    let mut saved_a = monthly(3, T1);
    saved_a.result_action = ResultAction::Save;
    saved_a.recipients = vec![];
    let mut saved_b = saved_a.clone();
    saved_b.id = rid(4);
    let mut once = monthly(5, T1);
    once.schedule.schedule_type = ScheduleType::Once;
    // A sent report without recipients: `recipients` is left unmanaged (an empty list is no
    // valid entry). One of a kind this version does not know: written as the server sent it.
    let mut no_one = monthly(7, T1);
    no_one.parameters.kind = ReportKind::UsageCurrent;
    no_one.recipients = vec![];
    let unknown: Report = {
        let mut v = serde_json::to_value(monthly(8, T1)).unwrap();
        v["parameters"]["kind"] = json!("usage_hourly");
        serde_json::from_value(v).unwrap()
    };
    let actual = [
        monthly(1, T1),
        daily,
        saved_a,
        saved_b,
        once,
        monthly(6, T2),
        no_one,
        unknown,
    ];
    // A tenant named twice is described once.
    let described = DesiredReports::describing(&[tenant(T1), tenant(T1)], &actual);
    assert_eq!(described.reports.len(), 6, "{described:?}");
    described.check().unwrap();
    let pins: Vec<Option<ReportId>> = described.reports.iter().map(|r| r.id).collect();
    // Ordered by kind, result action and id: current; daily; hourly; summary saved (twice:
    // pinned); summary sent.
    assert_eq!(pins, [None, None, None, Some(rid(3)), Some(rid(4)), None]);
    assert_eq!(described.reports[0].recipients, None);
    assert_eq!(described.reports[2].kind.as_str(), "usage_hourly");
    let plan = Plan::between(&described, &actual).unwrap();
    assert!(!plan.has_changes(), "{plan:?}");
    assert_eq!((plan.summary().unchanged, plan.summary().unmanaged), (6, 0));
}

// --- The property: after applying a plan to a model of the server, nothing is left to do.

/// The server, as far as plans go: the reports it holds; writes as the API makes them.
#[derive(Debug, Default)]
struct Model {
    reports: Vec<Report>,
    next: u32,
}

impl Model {
    fn create(&mut self, body: &Value) {
        self.next += 1;
        let p = &body["parameters"];
        let report = json!({
            "id": rid(1000 + self.next), "version": 1,
            "result_action": body["result_action"], "recipients": body["recipients"],
            "parameters": {"tenant_id": p["tenant_id"], "level": p["level"], "kind": p["kind"],
                "formats": p.get("formats").cloned().unwrap_or(json!(["csv"])),
                "hide_zero_usage": p.get("hide_zero_usage").cloned().unwrap_or(json!(false)),
                "show_skus": p.get("show_skus").cloned().unwrap_or(json!(false))},
            "schedule": {"type": "monthly",
                "enabled": body["schedule"].get("enabled").cloned().unwrap_or(json!(true))},
        });
        self.reports
            .push(Report::from_json(report.to_string().as_bytes()).unwrap());
    }

    fn put(&mut self, id: ReportId, patch: &Value) {
        let report = self.reports.iter_mut().find(|r| r.id == id).unwrap();
        let mut v = serde_json::to_value(&*report).unwrap();
        if let Some(r) = patch.get("recipients") {
            v["recipients"] = r.clone();
        }
        if let Some(e) = patch.pointer("/schedule/enabled") {
            v["schedule"]["enabled"] = e.clone();
        }
        for (k, val) in patch
            .get("parameters")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            v["parameters"][k] = val.clone();
        }
        v["version"] = json!(report.version + 1);
        *report = serde_json::from_value(v).unwrap();
    }

    fn delete(&mut self, id: ReportId) {
        self.reports.retain(|r| r.id != id);
    }

    fn apply(&mut self, plan: &Plan) {
        for action in plan.actions() {
            for request in action.requests() {
                let id = || {
                    request.path["/reports/".len()..]
                        .split('?')
                        .next()
                        .unwrap()
                        .parse()
                        .unwrap()
                };
                match request.method {
                    Method::Post => self.create(&body(&request.body)),
                    Method::Put => self.put(id(), &body(&request.body)),
                    Method::Delete => self.delete(id()),
                    other => panic!("{other:?}"),
                }
            }
        }
    }
}

fn body(text: &Option<String>) -> Value {
    serde_json::from_str(text.as_deref().unwrap()).unwrap()
}

const TENANTS: [&str; 2] = [T1, T2];
const USERS: [&str; 2] = [U1, U2];

fn arb_report(n: u32) -> impl Strategy<Value = Report> {
    (
        0..2usize,
        prop::sample::select(Level::KNOWN.to_vec()),
        prop::sample::select(vec![ReportKind::UsageSummary, ReportKind::UsageDaily]),
        any::<bool>(),
        prop::sample::subsequence(USERS.to_vec(), 0..=2),
        prop::sample::subsequence(ReportFormat::KNOWN.to_vec(), 0..=2),
        any::<(bool, bool, bool)>(),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            move |(t, level, kind, send, users, formats, (monthly_, enabled, hide), show)| {
                let mut r = monthly(n, TENANTS[t]);
                r.parameters.level = level;
                r.parameters.kind = kind;
                r.result_action = if send {
                    ResultAction::Send
                } else {
                    ResultAction::Save
                };
                r.recipients = users.into_iter().map(user).collect();
                r.parameters.formats = formats;
                r.schedule.schedule_type = if monthly_ {
                    ScheduleType::Monthly
                } else {
                    ScheduleType::Once
                };
                r.schedule.enabled = enabled;
                r.parameters.hide_zero_usage = Some(hide);
                r.parameters.show_skus = show;
                r
            },
        )
}

fn arb_entry() -> impl Strategy<Value = DesiredReport> {
    (
        prop::sample::subsequence(TENANTS.to_vec(), 1..=2),
        prop::sample::select(Level::KNOWN.to_vec()),
        prop::sample::select(vec![ReportKind::UsageSummary, ReportKind::UsageDaily]),
        any::<bool>(),
        prop::option::of(prop::sample::subsequence(USERS.to_vec(), 1..=2)),
        prop::option::of(prop::sample::subsequence(
            ReportFormat::KNOWN.to_vec(),
            1..=2,
        )),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(tenants, level, kind, send, users, formats, enabled, hide, show)| {
                let mut e = DesiredReport::new(tenant(tenants[0]), level, kind)
                    .for_tenants(tenants.into_iter().map(tenant));
                if send {
                    e = e.recipients(users.unwrap_or_else(|| vec![U1]).into_iter().map(user));
                } else {
                    e = e.save();
                }
                e.formats = formats;
                e.enabled = enabled;
                e.hide_zero_usage = hide;
                e.show_skus = show;
                e
            },
        )
}

fn arb_case() -> impl Strategy<Value = (Vec<Report>, DesiredReports)> {
    let reports = (0..6u32)
        .map(arb_report)
        .collect::<Vec<_>>()
        .prop_flat_map(|all| prop::sample::subsequence(all.clone(), 0..=all.len()));
    (
        reports,
        prop::collection::vec((arb_entry(), prop::option::of(0..6usize)), 0..5),
        any::<bool>(),
    )
        .prop_map(|(actual, entries, prune)| {
            // Some entries pin one of the reports, of its own tenant, as a file would.
            let entries: Vec<DesiredReport> = entries
                .into_iter()
                .map(|(mut e, pin)| {
                    if let Some(r) = pin.and_then(|i| actual.get(i)) {
                        e.tenants = vec![r.parameters.tenant_id];
                        e.id = Some(r.id);
                    }
                    e
                })
                .collect();
            (actual, DesiredReports::new(entries).prune(prune))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn after_applying_a_plan_nothing_is_left_to_do((actual, desired) in arb_case()) {
        // Files the check refuses, and states the plan refuses, are other tests' subject.
        let plan = match Plan::between(&desired, &actual) {
            Ok(plan) => plan,
            Err(_) => return Ok(()),
        };
        let mut server = Model { reports: actual.clone(), next: 0 };
        server.apply(&plan);
        let again = Plan::between(&desired, &server.reports).unwrap();
        prop_assert!(!again.has_changes(), "{:?}", again.actions().iter().filter(|a| a.is_change()).collect::<Vec<_>>());
        // One-time reports are never touched.
        for once in actual.iter().filter(|r| r.schedule.schedule_type == ScheduleType::Once) {
            prop_assert!(server.reports.contains(once));
        }
        // Every entry's identity is there once per tenant.
        prop_assert_eq!(again.summary().create, 0);
    }
}

#[test]
fn reports_with_values_this_version_does_not_know_are_never_pruned_or_matched() {
    let unknown_kind = {
        let mut r = monthly(2, T1);
        r.parameters.kind = serde_json::from_value(json!("usage_future")).unwrap();
        r
    };
    let unknown_level = {
        let mut r = monthly(3, T1);
        r.parameters.level = serde_json::from_value(json!("galaxy")).unwrap();
        r
    };
    let unknown_action = {
        let mut r = monthly(4, T1);
        r.result_action = serde_json::from_value(json!("email")).unwrap();
        r
    };
    let known_other = {
        let mut r = monthly(5, T1);
        r.parameters.kind = ReportKind::UsageDaily;
        r
    };
    let actual = [
        monthly(1, T1),
        unknown_kind.clone(),
        unknown_level.clone(),
        unknown_action.clone(),
        known_other.clone(),
    ];
    // The unknown-level report has the entry's kind and result action: it is no second
    // candidate (that was "ambiguous"), and nothing the crate cannot describe is deleted.
    let plan = Plan::between(&DesiredReports::new([entry(T1)]).prune(true), &actual).unwrap();
    let by_id: Vec<(ReportId, ActionKind)> = plan
        .actions()
        .iter()
        .map(|a| {
            let id = match a {
                Action::Unchanged { current, .. }
                | Action::Unmanaged { current, .. }
                | Action::Delete { current, .. } => current.id,
                other => panic!("{other:?}"),
            };
            (id, a.kind())
        })
        .collect();
    assert_eq!(
        by_id,
        [
            (rid(1), ActionKind::Unchanged),
            (rid(2), ActionKind::Unmanaged),
            (rid(3), ActionKind::Unmanaged),
            (rid(4), ActionKind::Unmanaged),
            (rid(5), ActionKind::Delete),
        ]
    );
    // Pinned by its id, such a report is managed: here its level is set.
    let mut pinned = entry(T1);
    pinned.id = Some(rid(3));
    let plan = Plan::between(&DesiredReports::new([pinned]), &[unknown_level]).unwrap();
    assert_eq!(kinds(&plan), [ActionKind::Update]);
}

/// `value` as the open enum `T` reads it from a file or a reply.
fn open<T: serde::de::DeserializeOwned>(value: &str) -> T {
    serde_json::from_value(json!(value)).unwrap()
}

#[test]
fn an_entry_naming_the_unknown_values_a_report_holds_manages_it_as_written() {
    let mut future = monthly(2, T1);
    future.parameters.kind = open("usage_future");
    future.parameters.level = open("galaxy");
    future.result_action = open("email");
    future.parameters.formats = vec![open("parquet")];
    let actual = [monthly(1, T1), future.clone()];
    // Read from a file, as export writes it: the values are kept.
    let file = format!(
        r#"{{"prune": true, "report": [
            {{"tenant": "{T1}", "kind": "usage_summary", "level": "accounts", "recipients": ["{U1}"]}},
            {{"tenant": "{T1}", "kind": "usage_future", "level": "galaxy", "result_action": "email",
              "formats": ["parquet"], "enabled": false}}]}}"#
    );
    let desired = DesiredReports::from_json(file.as_bytes()).unwrap();
    let keys: Vec<(&str, String)> = desired.reports[1]
        .unknown_values()
        .into_iter()
        .map(|(k, e)| (k, e.value().to_owned()))
        .collect();
    assert_eq!(
        keys,
        [
            ("kind", "usage_future".to_owned()),
            ("level", "galaxy".to_owned()),
            ("result_action", "email".to_owned()),
            ("formats", "parquet".to_owned()),
        ]
    );
    let plan = Plan::between(&desired, &actual).unwrap();
    assert_eq!(kinds(&plan), [ActionKind::Unchanged, ActionKind::Update]);
    assert_eq!(
        bodies(&plan.actions()[1]),
        [(
            Method::Put,
            format!("/reports/{}", rid(2)),
            Some(json!({"schedule": {"enabled": false}}))
        )]
    );
    // For a tenant without such a report, the entry creates one, sent as written (another
    // report holds the values, so they are no typo).
    let mut both = desired.clone();
    both.reports[1].tenants.push(tenant(T2));
    let plan = Plan::between(&both, &actual).unwrap();
    let create = plan
        .actions()
        .iter()
        .find(|a| a.kind() == ActionKind::Create)
        .unwrap();
    assert_eq!(
        bodies(create),
        [(
            Method::Post,
            "/reports".to_owned(),
            Some(json!({
                "recipients": [],
                "result_action": "email",
                "parameters": {"tenant_id": T2, "level": "galaxy", "kind": "usage_future",
                               "formats": ["parquet"]},
                "schedule": {"type": "monthly", "enabled": false}
            }))
        )]
    );
}

#[test]
fn an_unknown_value_no_report_holds_is_refused_by_entry_and_key() {
    let actual = [monthly(1, T1)];
    for (key, value) in [
        ("kind", "usage_sumary"),
        ("level", "everyone"),
        ("result_action", "mail"),
        ("formats", "cvs"),
    ] {
        let mut e = json!({"tenant": T1, "kind": "usage_summary", "level": "accounts",
                           "recipients": [U1]});
        e[key] = if key == "formats" {
            json!([value])
        } else {
            json!(value)
        };
        let file = json!({"prune": true, "report": [{"tenant": T1, "kind": "usage_daily",
                          "level": "accounts", "recipients": [U1]}, e]});
        let desired = DesiredReports::from_json(file.to_string().as_bytes()).unwrap();
        match Plan::between(&desired, &actual) {
            Err(
                ref err @ PlanError::UnknownValue {
                    entry: 2,
                    key: k,
                    ref error,
                },
            ) => {
                assert_eq!(k, key);
                assert_eq!(error.value(), value);
                assert!(
                    error.to_string().contains("expected one of"),
                    "{err}: {error}"
                );
            }
            other => panic!("{key}: {other:?}"),
        }
    }
}

#[test]
fn export_then_plan_holds_for_two_reports_of_one_identity_one_with_an_unknown_level() {
    let mut galaxy = monthly(2, T1);
    galaxy.parameters.level = open("galaxy");
    let actual = [monthly(1, T1), galaxy];
    let described = DesiredReports::describing(&[tenant(T1)], &actual);
    let pins: Vec<Option<ReportId>> = described.reports.iter().map(|r| r.id).collect();
    assert_eq!(pins, [Some(rid(1)), Some(rid(2))]);
    // Through the file's text and back, as the command-line tool does.
    let read = DesiredReports::from_json(described.to_json_string().as_bytes()).unwrap();
    assert_eq!(read, described);
    let plan = Plan::between(&read.prune(true), &actual).unwrap();
    assert_eq!(kinds(&plan), [ActionKind::Unchanged, ActionKind::Unchanged]);
}

#[test]
fn a_protected_entry_refuses_a_replacement_of_its_report_but_not_an_update() {
    let html = entry(T1).formats([ReportFormat::Html]).protect(true);
    let err = Plan::between(&DesiredReports::new([html]), &[monthly(1, T1)]).unwrap_err();
    assert_eq!(
        err,
        PlanError::Protected {
            entry: Some(1),
            id: rid(1),
            tenant: tenant(T1),
            action: ActionKind::Replace,
            more: 0,
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "report entry 1 protects the reports it matches (protect = true): the plan would \
             replace report {} of tenant {T1}",
            rid(1)
        )
    );
    // A change a PUT makes keeps the report: allowed.
    let disabled = entry(T1).enabled(false).protect(true);
    let plan = Plan::between(&DesiredReports::new([disabled]), &[monthly(1, T1)]).unwrap();
    assert_eq!(kinds(&plan), [ActionKind::Update]);
    // Without protect, the same edit is a replacement.
    let html = entry(T1).formats([ReportFormat::Html]);
    let plan = Plan::between(&DesiredReports::new([html]), &[monthly(1, T1)]).unwrap();
    assert_eq!(kinds(&plan), [ActionKind::Replace]);
}

#[test]
fn a_protected_file_refuses_every_prune_and_counts_them() {
    let actual = [monthly(1, T1), monthly(2, T2), monthly(3, T2)];
    // T2's entry is for another kind: its two summary reports would be pruned.
    let daily = DesiredReport::new(tenant(T2), Level::Accounts, ReportKind::UsageDaily).save();
    let desired = DesiredReports::new([entry(T1), daily]).prune(true);
    let plan = Plan::between(&desired, &actual).unwrap();
    assert_eq!(plan.summary().delete, 2);
    let err = Plan::between(&desired.clone().protect(true), &actual).unwrap_err();
    assert_eq!(
        err,
        PlanError::Protected {
            entry: None,
            id: rid(2),
            tenant: tenant(T2),
            action: ActionKind::Delete,
            more: 1,
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the file protects every report of its tenants (protect = true): the plan would \
             delete report {} of tenant {T2}, and 1 other protected report",
            rid(2)
        )
    );
    // An entry's protection does not reach the reports it does not match.
    let desired = DesiredReports::new([entry(T1).protect(true), daily_of(T2)]).prune(true);
    assert_eq!(
        Plan::between(&desired, &actual).unwrap().summary().delete,
        2
    );
}

fn daily_of(t: &str) -> DesiredReport {
    DesiredReport::new(tenant(t), Level::Accounts, ReportKind::UsageDaily).save()
}

/// The subtree every selector of the property below is under: its root, the two tenants
/// (customers), and tenants no selector of customers takes (a disabled customer, a unit, a
/// folder).
const ROOT: &str = "f1f1f1f1-0000-4000-8000-000000000001";

fn subtree() -> std::collections::BTreeMap<TenantId, Vec<acronis_reports::tenant::Tenant>> {
    use acronis_reports::TenantKind;
    use acronis_reports::tenant::Tenant;
    let mut disabled = Tenant::new(
        "d1d1d1d1-0000-4000-8000-000000000001".parse().unwrap(),
        TenantKind::Customer,
    );
    disabled.enabled = false;
    let listing = vec![
        Tenant::new(tenant(ROOT), TenantKind::Partner),
        Tenant::new(
            "f0f0f0f0-0000-4000-8000-000000000002".parse().unwrap(),
            TenantKind::Folder,
        ),
        Tenant::new(tenant(T1), TenantKind::Customer),
        disabled,
        Tenant::new(tenant(T2), TenantKind::Customer),
        Tenant::new(
            "a0a0a0a0-0000-4000-8000-000000000003".parse().unwrap(),
            TenantKind::Unit,
        ),
    ];
    std::collections::BTreeMap::from([(tenant(ROOT), listing)])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// An entry whose tenants come from a selector (the subtree's customers, those it does
    /// not name excluded) plans exactly as the same entry naming them, and applying either
    /// leaves nothing to do; with the file protected, no plan deletes or replaces.
    #[test]
    fn a_selector_plans_as_the_tenants_it_takes((actual, desired) in arb_case(), picks in prop::collection::vec(any::<bool>(), 5), protect in any::<bool>()) {
        use acronis_reports::desired::TenantSelector;
        let mut selected = desired.clone();
        for (entry, pick) in selected.reports.iter_mut().zip(picks) {
            if !pick || entry.id.is_some() {
                continue;
            }
            let exclude = TENANTS.iter().map(|t| tenant(t)).filter(|t| !entry.tenants.contains(t));
            let mut under = DesiredReport::under(
                TenantSelector::under(tenant(ROOT)).exclude(exclude),
                entry.level.clone(),
                entry.kind.clone(),
            );
            under.result_action = entry.result_action.clone();
            under.recipients = entry.recipients.clone();
            under.formats = entry.formats.clone();
            under.enabled = entry.enabled;
            under.hide_zero_usage = entry.hide_zero_usage;
            under.show_skus = entry.show_skus;
            *entry = under;
        }
        let resolved = match selected.resolve(&subtree()) {
            Ok(resolved) => resolved,
            // The explicit file is refused the same way.
            Err(_) => {
                prop_assert!(desired.check().is_err());
                return Ok(());
            }
        };
        let explicit = Plan::between(&desired, &actual);
        let by_selector = Plan::between(&resolved, &actual);
        match (&explicit, &by_selector) {
            // Tenants come in another order when a selector names them: compare as sets.
            (Ok(a), Ok(b)) => {
                let set = |p: &Plan| {
                    let mut v: Vec<String> = p.actions().iter().map(|x| format!("{x:?}")).collect();
                    v.sort();
                    v
                };
                prop_assert_eq!(set(a), set(b));
                let mut server = Model { reports: actual.clone(), next: 0 };
                server.apply(b);
                prop_assert!(!Plan::between(&resolved, &server.reports).unwrap().has_changes());
            }
            (Err(_), Err(_)) => {}
            (a, b) => prop_assert!(false, "explicit {a:?}, by selector {b:?}"),
        }
        match Plan::between(&resolved.clone().protect(protect), &actual) {
            Ok(plan) if protect => prop_assert!(plan
                .actions()
                .iter()
                .all(|a| !matches!(a.kind(), ActionKind::Delete | ActionKind::Replace))),
            Err(PlanError::Protected { action, .. }) => {
                prop_assert!(protect);
                prop_assert!(matches!(action, ActionKind::Delete | ActionKind::Replace));
            }
            _ => {}
        }
    }
}
