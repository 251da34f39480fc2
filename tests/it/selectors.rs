//! Tenant selectors of desired-state files (`tenants_under`, `tenant_kinds`,
//! `exclude_tenants`, `include_disabled`): what is read, every error naming its entry and key,
//! the resolution over a listed subtree, and the plan over the tenants it gives.

#![cfg(feature = "toml")]

use std::collections::BTreeMap;

use acronis_reports::desired::{DesiredReport, DesiredReports, TenantSelector};
use acronis_reports::plan::{ActionKind, Plan, PlanError};
use acronis_reports::tenant::Tenant;
use acronis_reports::{Level, ReportKind, TenantId, TenantKind};

const ROOT: &str = "f1f1f1f1-0000-4000-8000-000000000001";
const C1: &str = "c1c1c1c1-0000-4000-8000-000000000001";
const C2: &str = "c2c2c2c2-0000-4000-8000-000000000002";
const C3: &str = "c3c3c3c3-0000-4000-8000-000000000003";
const FOLDER: &str = "f0f0f0f0-0000-4000-8000-000000000004";
const UNIT: &str = "a0a0a0a0-0000-4000-8000-000000000005";

fn id(s: &str) -> TenantId {
    s.parse().unwrap()
}

/// The subtree under ROOT: the root itself, a folder, three customers (C3 disabled), a unit.
fn listing() -> Vec<Tenant> {
    let mut disabled = Tenant::new(id(C3), TenantKind::Customer);
    disabled.enabled = false;
    vec![
        Tenant::new(id(ROOT), TenantKind::Partner),
        Tenant::new(id(FOLDER), TenantKind::Folder),
        Tenant::new(id(C1), TenantKind::Customer),
        Tenant::new(id(C2), TenantKind::Customer),
        disabled,
        Tenant::new(id(UNIT), TenantKind::Unit),
    ]
}

fn listings() -> BTreeMap<TenantId, Vec<Tenant>> {
    BTreeMap::from([(id(ROOT), listing())])
}

fn error(text: &str) -> String {
    DesiredReports::from_toml(text).unwrap_err().to_string()
}

const ENTRY: &str = "kind = \"usage_summary\"\nlevel = \"itself\"\nresult_action = \"save\"\n";

#[test]
fn the_issue_s_entry_reads_as_the_selector_built_in_code() {
    let text = format!(
        "protect = true\n\n[[report]]\ntenants_under = \"{ROOT}\"\ntenant_kinds = [\"customer\", \"unit\"]\n\
         exclude_tenants = [\"{C2}\"]\ninclude_disabled = true\nprotect = true\n{ENTRY}"
    );
    let read = DesiredReports::from_toml(&text).unwrap();
    let built = DesiredReports::new([DesiredReport::under(
        TenantSelector::under(id(ROOT))
            .kinds([TenantKind::Customer, TenantKind::Unit])
            .exclude([id(C2)])
            .include_disabled(true),
        Level::Itself,
        ReportKind::UsageSummary,
    )
    .save()
    .protect(true)])
    .protect(true);
    assert_eq!(read, built);
    assert!(!read.is_resolved());
    assert_eq!(read.subtree_roots(), [id(ROOT)]);
    // Written and read back: the same file, the selector as such.
    assert_eq!(
        DesiredReports::from_toml(&read.to_toml_string()).unwrap(),
        read
    );
    assert_eq!(
        DesiredReports::from_json(read.to_json_string().as_bytes()).unwrap(),
        read
    );
}

#[test]
fn customers_and_enabled_ones_are_the_default() {
    let read =
        DesiredReports::from_toml(&format!("[[report]]\ntenants_under = \"{ROOT}\"\n{ENTRY}"))
            .unwrap();
    let selector = read.reports[0].selector.clone().unwrap();
    assert_eq!(selector, TenantSelector::under(id(ROOT)));
    assert_eq!(selector.kinds, [TenantKind::Customer]);
    assert!(!selector.include_disabled && selector.exclude.is_empty());
    // The defaults are not written out.
    let written = read.to_toml_string();
    assert!(
        !written.contains("tenant_kinds") && !written.contains("include_disabled"),
        "{written}"
    );
}

#[test]
fn each_bad_selector_names_its_entry_and_key() {
    let cases = [
        (
            format!("tenant = \"{C1}\"\ntenants_under = \"{ROOT}\"\n"),
            "report entry 1: tenants_under: give `tenant`, `tenants` or `tenants_under`, not two of them",
        ),
        (
            format!("tenant = \"{C1}\"\ntenant_kinds = [\"customer\"]\n"),
            "report entry 1: tenant_kinds: chooses among the tenants of `tenants_under`: give it too",
        ),
        (
            format!("tenant = \"{C1}\"\nexclude_tenants = [\"{C2}\"]\n"),
            "report entry 1: exclude_tenants: chooses among the tenants of `tenants_under`: give it too",
        ),
        (
            format!("tenants_under = \"{ROOT}\"\ntenant_kinds = []\n"),
            "report entry 1: tenant_kinds: is empty: leave it out for customers",
        ),
        (
            format!("tenants_under = \"{ROOT}\"\nid = \"{C2}\"\n"),
            "report entry 1: id: pins one report, of one tenant: give `tenant`, not `tenants_under`",
        ),
        (
            "tenants_under = \"nope\"\n".to_owned(),
            "report entry 1: tenants_under: ",
        ),
        (
            format!("tenants_under = \"{ROOT}\"\nexclude_tenants = [\"x\"]\n"),
            "report entry 1: exclude_tenants: ",
        ),
    ];
    for (keys, expected) in cases {
        let text = error(&format!("[[report]]\n{keys}{ENTRY}"));
        assert!(text.starts_with(expected), "{text}\nexpected: {expected}");
    }
    // A tenant kind this version does not know is refused: no tenant is read yet to hold it.
    let text = error(&format!(
        "[[report]]\ntenants_under = \"{ROOT}\"\ntenant_kinds = [\"custmer\"]\n{ENTRY}"
    ));
    assert!(
        text.starts_with("report entry 1: tenant_kinds: unknown tenant kind \"custmer\"; expected one of: root, partner, folder, customer, unit"),
        "{text}"
    );
}

#[test]
fn a_selector_takes_the_tenants_below_its_root_of_its_kinds_but_the_excluded() {
    let all = listing();
    let select = |s: TenantSelector| s.select(&all);
    assert_eq!(select(TenantSelector::under(id(ROOT))), [id(C1), id(C2)]);
    assert_eq!(
        select(TenantSelector::under(id(ROOT)).include_disabled(true)),
        [id(C1), id(C2), id(C3)]
    );
    assert_eq!(
        select(TenantSelector::under(id(ROOT)).exclude([id(C1)])),
        [id(C2)]
    );
    assert_eq!(
        select(TenantSelector::under(id(ROOT)).kinds([TenantKind::Unit, TenantKind::Folder])),
        [id(FOLDER), id(UNIT)]
    );
    // The root is never its own selection, whatever its kind.
    assert_eq!(
        select(TenantSelector::under(id(ROOT)).kinds([TenantKind::Partner])),
        Vec::<TenantId>::new()
    );
    // A deleted tenant is left out like a disabled one.
    let mut deleted = Tenant::new(id(C1), TenantKind::Customer);
    deleted.deleted_at = Some("2026-11-01T00:00:00Z".parse().unwrap());
    assert_eq!(
        TenantSelector::under(id(ROOT)).select(&[deleted]),
        Vec::<TenantId>::new()
    );
}

#[test]
fn resolving_fills_the_tenants_and_a_plan_creates_a_report_for_each() {
    let desired = DesiredReports::new([DesiredReport::under(
        TenantSelector::under(id(ROOT)),
        Level::Itself,
        ReportKind::UsageSummary,
    )
    .save()]);
    let resolved = desired.resolve(&listings()).unwrap();
    assert!(resolved.is_resolved());
    assert_eq!(resolved.reports[0].tenants, [id(C1), id(C2)]);
    assert_eq!(resolved.tenants(), [id(C1), id(C2)]);
    let plan = Plan::between(&resolved, &[]).unwrap();
    let kinds: Vec<ActionKind> = plan.actions().iter().map(|a| a.kind()).collect();
    assert_eq!(kinds, [ActionKind::Create, ActionKind::Create]);
    let bodies: Vec<serde_json::Value> = plan
        .actions()
        .iter()
        .map(|a| serde_json::from_str(a.requests()[0].body.as_deref().unwrap()).unwrap())
        .collect();
    for (body, tenant) in bodies.iter().zip([C1, C2]) {
        assert_eq!(body["parameters"]["tenant_id"], tenant);
        assert_eq!(body["parameters"]["level"], "itself");
        assert_eq!(body["result_action"], "save");
        assert_eq!(body["schedule"]["type"], "monthly");
    }
    let selected = plan.selected();
    assert_eq!(selected.len(), 1);
    assert_eq!((selected[0].entry, selected[0].under), (1, id(ROOT)));
    assert_eq!(selected[0].tenants, [id(C1), id(C2)]);
}

#[test]
fn a_selector_that_takes_nothing_plans_nothing() {
    let desired = DesiredReports::new([DesiredReport::under(
        TenantSelector::under(id(ROOT)).kinds([TenantKind::Root]),
        Level::Itself,
        ReportKind::UsageSummary,
    )
    .save()]);
    let plan = Plan::between(&desired.resolve(&listings()).unwrap(), &[]).unwrap();
    assert!(plan.actions().is_empty());
    assert_eq!(plan.selected()[0].tenants, Vec::<TenantId>::new());
}

#[test]
fn an_unresolved_selector_is_no_plan() {
    let desired = DesiredReports::new([DesiredReport::under(
        TenantSelector::under(id(ROOT)),
        Level::Itself,
        ReportKind::UsageSummary,
    )]);
    let err = Plan::between(&desired, &[]).unwrap_err();
    let PlanError::Invalid(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (e.entry, e.key.as_deref()),
        (Some(1), Some("tenants_under"))
    );
    // A root whose subtree was not listed cannot be resolved either.
    let e = desired.resolve(&BTreeMap::new()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("report entry 1: tenants_under: the tenants under {ROOT} were not listed")
    );
}

#[test]
fn a_tenant_two_entries_give_one_identity_is_refused_naming_both() {
    let desired = DesiredReports::new([
        DesiredReport::under(
            TenantSelector::under(id(ROOT)),
            Level::Itself,
            ReportKind::UsageSummary,
        )
        .save(),
        DesiredReport::new(id(C2), Level::Accounts, ReportKind::UsageSummary).save(),
    ]);
    let e = desired.resolve(&listings()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "report entry 2: kind: entry 1 already describes tenant {C2}'s usage_summary report \
             with result_action save: leave the tenant out of one of them with \
             `exclude_tenants`, or merge the two"
        )
    );
    // Excluded from the selector, the tenant is the second entry's alone.
    let fixed = DesiredReports::new([
        DesiredReport::under(
            TenantSelector::under(id(ROOT)).exclude([id(C2)]),
            Level::Itself,
            ReportKind::UsageSummary,
        )
        .save(),
        DesiredReport::new(id(C2), Level::Accounts, ReportKind::UsageSummary).save(),
    ]);
    assert_eq!(
        fixed.resolve(&listings()).unwrap().tenants(),
        [id(C1), id(C2)]
    );
}

/// A monthly report `n` of `tenant`, saved, `usage_summary` of `level`, csv, enabled.
fn saved(n: u32, tenant: &str, level: Level) -> acronis_reports::Report {
    use acronis_reports::{ReportFormat, ResultAction, ScheduleType};
    let id = format!("{n:08x}-0000-4000-8000-00000000000a")
        .parse()
        .unwrap();
    let mut r = acronis_reports::Report::new(id, self::id(tenant));
    r.version = 3;
    r.result_action = ResultAction::Save;
    r.parameters.level = level;
    r.parameters.kind = ReportKind::UsageSummary;
    r.parameters.formats = vec![ReportFormat::CsvV2];
    r.schedule.schedule_type = ScheduleType::Monthly;
    r.schedule.enabled = true;
    r
}

#[test]
fn an_export_grouped_under_a_selector_plans_no_change() {
    let selector = TenantSelector::under(id(ROOT)).kinds([TenantKind::Customer, TenantKind::Unit]);
    let mut daily = saved(4, C1, Level::Accounts);
    daily.parameters.kind = ReportKind::UsageDaily;
    let reports = [
        saved(1, C1, Level::Itself),
        saved(2, C2, Level::Itself),
        // The unit's summary differs: it keeps an entry of its own.
        saved(3, UNIT, Level::Accounts),
        // Only C1 has a daily report: its own entry too.
        daily,
    ];
    let grouped = DesiredReports::describing_under(&selector, &listing(), &reports, true);
    assert_eq!(grouped.reports.len(), 3, "{grouped:#?}");
    let first = &grouped.reports[0];
    assert_eq!(first.tenants, Vec::<TenantId>::new());
    assert_eq!(
        first.selector,
        Some(selector.clone().exclude([id(UNIT)])),
        "the tenants that differ are excluded"
    );
    assert_eq!(
        (first.kind.as_str(), first.level.as_str()),
        ("usage_summary", "itself")
    );
    let own: Vec<(Vec<TenantId>, &str)> = grouped.reports[1..]
        .iter()
        .map(|e| (e.tenants.clone(), e.kind.as_str()))
        .collect();
    assert_eq!(
        own,
        [
            (vec![id(C1)], "usage_daily"),
            (vec![id(UNIT)], "usage_summary")
        ]
    );
    // Written, read back, resolved against the same subtree: nothing to do.
    let read = DesiredReports::from_toml(&grouped.to_toml_string()).unwrap();
    let plan = Plan::between(&read.resolve(&listings()).unwrap(), &reports).unwrap();
    assert!(!plan.has_changes(), "{:?}", plan.summary());
    assert_eq!(plan.summary().unchanged, 4);
    // Ungrouped: one entry per report, and no change either.
    let each = DesiredReports::describing_under(&selector, &listing(), &reports, false);
    assert_eq!(each.reports.len(), 4);
    assert!(each.reports.iter().all(|e| e.selector.is_none()));
    assert!(!Plan::between(&each, &reports).unwrap().has_changes());
}

#[test]
fn a_shape_fewer_than_half_the_tenants_share_is_not_grouped() {
    let selector = TenantSelector::under(id(ROOT)).kinds([TenantKind::Customer, TenantKind::Unit]);
    // Three tenants, three different levels: no selector entry.
    let reports = [
        saved(1, C1, Level::Itself),
        saved(2, C2, Level::Accounts),
        saved(3, UNIT, Level::AllCustomers),
    ];
    let grouped = DesiredReports::describing_under(&selector, &listing(), &reports, true);
    assert_eq!(grouped.reports.len(), 3);
    assert!(grouped.reports.iter().all(|e| e.selector.is_none()));
}
