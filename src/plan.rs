//! [`Plan`]: what it takes to bring a set of tenants' monthly reports to what a
//! [`DesiredReports`] says, computed without I/O from the reports as they are.
//!
//! [`Plan::between`] gives each entry, and each monthly report of the file's tenants, one
//! [`Action`]: create, update (a `PUT` of exactly the differing members), replace (a member a
//! `PUT` cannot change differs: create the new report, then delete the old one), delete (with
//! `prune`), unchanged, or unmanaged. [`Action::requests`] says exactly what applying it
//! sends; [`Client::apply`](crate::Client::apply) sends it.
//!
//! ```
//! use acronis_reports::desired::{DesiredReport, DesiredReports};
//! use acronis_reports::plan::{ActionKind, Plan};
//! use acronis_reports::{Level, Report, ReportKind};
//!
//! let tenant = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc".parse()?;
//! let mut actual = Report::new("20dffb36-d77b-45c6-b2fa-39276e98d5fc".parse()?, tenant);
//! actual.parameters.level = Level::Accounts;
//!
//! let desired = DesiredReports::new([
//!     DesiredReport::new(tenant, Level::AllCustomers, ReportKind::UsageSummary).save(),
//! ]);
//! let plan = Plan::between(&desired, &[actual])?;
//! assert_eq!(plan.actions()[0].kind(), ActionKind::Update);
//! assert_eq!(
//!     plan.actions()[0].requests()[0].body.as_deref(),
//!     Some(r#"{"parameters":{"level":"all_customers"}}"#)
//! );
//! assert_eq!(plan.summary().to_string(), "0 to create, 1 to update, 0 to replace, 0 to delete, 0 unchanged, 0 unmanaged");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde_json::{Value, json};

use crate::desired::{DesiredError, DesiredReport, DesiredReports};
use crate::endpoint::Endpoint;
use crate::enums::{ParseEnumError, ReportKind, ResultAction, ScheduleType};
use crate::id::{ReportId, TenantId};
use crate::model::{Field, Report};
use crate::new_report::{InvalidReport, NewReport};
use crate::patch::ReportUpdate;
use crate::transport::Method;

/// The actions that bring the reports to what a [`DesiredReports`] says; see the
/// [module](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    actions: Vec<Action>,
    selected: Vec<Selected>,
    reads: PlanReads,
}

/// What a [`Plan`] was made from, besides the desired reports: each planned tenant's monthly
/// reports (id and version), and the tenants each selector entry resolved to. A
/// [saved plan](crate::saved_plan::SavedPlan) carries it, so that applying the plan later can
/// tell whether the world it was made for is still there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PlanReads {
    /// Each planned tenant, in the order the plan takes them (the order they first appear in
    /// the file), each once.
    pub tenants: Vec<TenantReads>,
    /// Each entry that selects its tenants (rather than naming them), with the tenants it
    /// resolved to; in the order of the entries.
    pub selectors: Vec<SelectorReads>,
}

/// The monthly reports a plan read in one tenant: see [`PlanReads`].
///
/// Reports are grouped by the tenant their `parameters.tenant_id` names: [`Plan::between`]
/// is given the reports, not which tenant's listing held each (only a broken server lists a
/// report under another tenant than its own). One-time reports, which a plan never matches,
/// changes or deletes, are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TenantReads {
    /// The tenant.
    pub tenant: TenantId,
    /// Its monthly reports' ids and versions, ordered by id.
    pub reports: Vec<(ReportId, i64)>,
}

/// The tenants a selector entry resolved to: see [`PlanReads`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SelectorReads {
    /// The entry, counted from 1 in the file's order.
    pub entry: usize,
    /// The tenants it resolved to, ordered by id.
    pub tenants: Vec<TenantId>,
}

impl PlanReads {
    /// Reads of these tenants and selectors (for a test of your own, say; a plan records its
    /// own).
    pub fn new(
        tenants: impl IntoIterator<Item = TenantReads>,
        selectors: impl IntoIterator<Item = SelectorReads>,
    ) -> PlanReads {
        PlanReads {
            tenants: tenants.into_iter().collect(),
            selectors: selectors.into_iter().collect(),
        }
    }

    /// What a plan between `desired` (its selectors resolved) and `actual` reads: the monthly
    /// reports of each of `desired`'s tenants in `actual`, grouped by their
    /// `parameters.tenant_id`, and the tenants of each selector entry.
    pub(crate) fn of(desired: &DesiredReports, actual: &[Report]) -> PlanReads {
        let tenants = desired
            .tenants()
            .into_iter()
            .map(|tenant| {
                let mut reports: Vec<(ReportId, i64)> = actual
                    .iter()
                    .filter(|r| {
                        r.parameters.tenant_id == tenant
                            && r.schedule.schedule_type == ScheduleType::Monthly
                    })
                    .map(|r| (r.id, r.version))
                    .collect();
                reports.sort_unstable();
                reports.dedup_by_key(|(id, _)| *id);
                TenantReads { tenant, reports }
            })
            .collect();
        // A resolved selector's tenants are its entry's.
        let selectors = desired
            .reports
            .iter()
            .enumerate()
            .filter(|(_, r)| r.selector.is_some())
            .map(|(i, r)| SelectorReads::new(i + 1, r.tenants.iter().copied()))
            .collect();
        PlanReads { tenants, selectors }
    }
}

impl TenantReads {
    /// A tenant's reads: its monthly reports' ids and versions (sorted by id here).
    pub fn new(tenant: TenantId, reports: impl IntoIterator<Item = (ReportId, i64)>) -> Self {
        let mut reports: Vec<(ReportId, i64)> = reports.into_iter().collect();
        reports.sort_unstable();
        TenantReads { tenant, reports }
    }
}

impl SelectorReads {
    /// The tenants entry `entry` (from 1) resolved to (sorted by id here).
    pub fn new(entry: usize, tenants: impl IntoIterator<Item = TenantId>) -> Self {
        let mut tenants: Vec<TenantId> = tenants.into_iter().collect();
        tenants.sort_unstable();
        tenants.dedup();
        SelectorReads { entry, tenants }
    }
}

/// The tenants an entry's [selector](crate::desired::TenantSelector) took when the plan was
/// made: what `plan` reports per selector.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Selected {
    /// The entry, counted from 1.
    pub entry: usize,
    /// The root of the subtree (`tenants_under`).
    pub under: TenantId,
    /// The tenants it took, in the listing's order.
    pub tenants: Vec<TenantId>,
}

/// What to do about one entry of the file, or one monthly report of its tenants.
///
/// `entry` fields count the file's entries from 1, in its order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// No report matches the entry: create this one.
    #[non_exhaustive]
    Create {
        /// The entry.
        entry: usize,
        /// The tenant, one of the entry's.
        tenant: TenantId,
        /// The body of `POST /reports`: a monthly report.
        report: NewReport,
    },
    /// A report matches and differs in members a `PUT` can change.
    #[non_exhaustive]
    Update {
        /// The entry.
        entry: usize,
        /// The report as it is.
        current: Report,
        /// The body of `PUT /reports/{id}`: exactly the differing members.
        update: ReportUpdate,
        /// Each differing member, old and new.
        changes: Vec<Change>,
    },
    /// A report matches but differs in a member a `PUT` cannot change (`formats`): create
    /// the new report, then delete the old one. The new report keeps the old one's values for
    /// the members the entry leaves out.
    #[non_exhaustive]
    Replace {
        /// The entry.
        entry: usize,
        /// The report as it is, deleted once the new one is created.
        current: Report,
        /// The body of `POST /reports` for the new report.
        new: NewReport,
        /// Each differing member, old and new; those that force the replacement say so.
        changes: Vec<Change>,
    },
    /// A monthly report of a tenant in the file that no entry matches, with `prune = true`
    /// (never one holding a kind, level or result action this version does not know).
    #[non_exhaustive]
    Delete {
        /// The report, deleted with its version.
        current: Report,
    },
    /// A report matches the entry and nothing differs.
    #[non_exhaustive]
    Unchanged {
        /// The entry.
        entry: usize,
        /// The report.
        current: Report,
    },
    /// A monthly report of a tenant in the file that no entry matches, with `prune = false`,
    /// or one holding a kind, level or result action this version does not know (which an
    /// entry matches only when it names the same values or pins its `id`): left alone.
    #[non_exhaustive]
    Unmanaged {
        /// The report.
        current: Report,
    },
}

/// The kind of an [`Action`], without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ActionKind {
    /// [`Action::Create`].
    Create,
    /// [`Action::Update`].
    Update,
    /// [`Action::Replace`].
    Replace,
    /// [`Action::Delete`].
    Delete,
    /// [`Action::Unchanged`].
    Unchanged,
    /// [`Action::Unmanaged`].
    Unmanaged,
}

impl ActionKind {
    /// The name, as the command-line tool's JSON gives it: `create`, `update`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Create => "create",
            ActionKind::Update => "update",
            ActionKind::Replace => "replace",
            ActionKind::Delete => "delete",
            ActionKind::Unchanged => "unchanged",
            ActionKind::Unmanaged => "unmanaged",
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One member that differs between a report and its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Change {
    /// The member.
    pub field: Field,
    /// Its value now (`null` when the server does not say).
    pub old: Value,
    /// The value the entry asks for.
    pub new: Value,
    /// Whether a `PUT` cannot change it, so that the report is replaced.
    pub forces_replacement: bool,
}

/// One request applying an [`Action`] sends.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlannedRequest {
    /// The call.
    pub endpoint: Endpoint,
    /// The method.
    pub method: Method,
    /// The path below the base URL, with its query.
    pub path: String,
    /// The body, if any: exactly the JSON text sent.
    pub body: Option<String>,
}

/// The number of actions of each kind: see [`Plan::summary`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Summary {
    /// Reports to create.
    pub create: usize,
    /// Reports to update.
    pub update: usize,
    /// Reports to replace.
    pub replace: usize,
    /// Reports to delete.
    pub delete: usize,
    /// Reports as the file says.
    pub unchanged: usize,
    /// Reports no entry matches, left alone.
    pub unmanaged: usize,
}

impl Summary {
    /// Whether applying the plan would change anything.
    pub fn has_changes(&self) -> bool {
        self.create + self.update + self.replace + self.delete > 0
    }
}

impl fmt::Display for Summary {
    /// `2 to create, 1 to update, 1 to replace, 0 to delete, 5 unchanged, 1 unmanaged`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to create, {} to update, {} to replace, {} to delete, {} unchanged, {} unmanaged",
            self.create, self.update, self.replace, self.delete, self.unchanged, self.unmanaged
        )
    }
}

/// Why no plan can be made: the file, or the reports it would apply to, leave it unclear what
/// to do. Nothing should be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The desired reports themselves are wrong.
    #[error("the desired reports are invalid")]
    Invalid(#[source] DesiredError),
    /// Several monthly reports of the tenant match one entry.
    #[error(
        "report entry {entry}: tenant {tenant} has {} monthly {kind} reports with result_action {result_action} ({}): pin the one the entry describes with `id`",
        ids.len(),
        ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    )]
    Ambiguous {
        /// The entry.
        entry: usize,
        /// The tenant.
        tenant: TenantId,
        /// The entry's kind.
        kind: ReportKind,
        /// The entry's result action.
        result_action: ResultAction,
        /// The reports that match.
        ids: Vec<ReportId>,
    },
    /// An entry pins a report that is not one of its tenant's monthly reports.
    #[error("report entry {entry}: id: report {id} {problem}")]
    Pinned {
        /// The entry.
        entry: usize,
        /// The pinned id.
        id: ReportId,
        /// What is wrong with it.
        problem: PinProblem,
    },
    /// An entry pins a report whose members differ in one a `PUT` cannot change: replacing
    /// the report would give it a new id, and the pin would then point at nothing.
    #[error(
        "report entry {entry}: pins report {id}, whose {} can only change by replacing it with a new report (of another id); remove the pin if no other report of the tenant has the same kind and result action, or change the report by hand",
        fields.iter().map(|f| f.path()).collect::<Vec<_>>().join(" and ")
    )]
    PinnedReplacement {
        /// The entry.
        entry: usize,
        /// The pinned id.
        id: ReportId,
        /// The members that would force the replacement.
        fields: Vec<Field>,
    },
    /// The plan would delete or replace a protected report (`protect = true` on the entry
    /// that matches it, or at the top of the file). Nothing should be sent: edit the file.
    #[error(
        "{}: the plan would {} report {id} of tenant {tenant}{}",
        match entry {
            Some(n) => format!("report entry {n} protects the reports it matches (protect = true)"),
            None => "the file protects every report of its tenants (protect = true)".to_owned(),
        },
        match action {
            ActionKind::Replace => "replace",
            _ => "delete",
        },
        match more {
            0 => String::new(),
            1 => ", and 1 other protected report".to_owned(),
            n => format!(", and {n} other protected reports"),
        }
    )]
    Protected {
        /// The entry that protects it (and that matches it); `None` when the file protects
        /// every report and the report is pruned (no entry matches it).
        entry: Option<usize>,
        /// The report.
        id: ReportId,
        /// Its tenant.
        tenant: TenantId,
        /// What the plan would do: [`ActionKind::Replace`] or [`ActionKind::Delete`].
        action: ActionKind,
        /// How many other protected reports the plan would delete or replace.
        more: usize,
    },
    /// An entry names a value this version of the crate does not know, and no report of the
    /// file's tenants holds it: most likely a typo. (A value some report holds is sent as
    /// written.)
    #[error("report entry {entry}: {key}: no report of the file's tenants holds this value")]
    UnknownValue {
        /// The entry.
        entry: usize,
        /// The member: `kind`, `level`, `result_action` or `formats`.
        key: &'static str,
        /// The value, and the values this version knows.
        #[source]
        error: ParseEnumError,
    },
    /// A report must be created for the entry (no report matches it, or the one that does
    /// must be replaced), and the report it gives would be refused.
    #[error("report entry {entry}: tenant {tenant}: the report to create would be refused")]
    CannotCreate {
        /// The entry.
        entry: usize,
        /// The tenant.
        tenant: TenantId,
        /// Why: a sent report without recipients, say.
        #[source]
        reason: InvalidReport,
    },
}

/// What is wrong with a pinned id: see [`PlanError::Pinned`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PinProblem {
    /// No report of the file's tenants has it.
    NotFound,
    /// It belongs to another tenant than the entry's.
    OtherTenant,
    /// It is a one-time report, which is not managed.
    OneTime,
}

impl fmt::Display for PinProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PinProblem::NotFound => "is not among the tenant's reports",
            PinProblem::OtherTenant => "belongs to another tenant",
            PinProblem::OneTime => "is not a monthly report (one-time reports are not managed)",
        })
    }
}

impl Plan {
    /// The plan that brings the monthly reports of `desired`'s tenants, as `actual` holds
    /// them, to what `desired` says. `actual` must hold every report of those tenants (other
    /// tenants' reports and one-time reports are ignored). Actions come per tenant, in the
    /// order the tenants first appear in the file: the entries' actions in the file's order,
    /// then the unmatched reports by id.
    ///
    /// # Errors
    ///
    /// [`PlanError`] when `desired` fails its [check](DesiredReports::check), several
    /// reports match one entry, a pinned id is not a monthly report of the entry's tenant or
    /// would have to be replaced, or a report to create would be refused (a sent report
    /// without recipients, say).
    pub fn between(desired: &DesiredReports, actual: &[Report]) -> Result<Plan, PlanError> {
        desired.check().map_err(PlanError::Invalid)?;
        if let Some(n) = desired.reports.iter().position(|r| !r.is_resolved()) {
            return Err(PlanError::Invalid(DesiredError::unresolved(n + 1)));
        }
        held_by_a_report(desired, actual)?;
        // Indexes, so that a plan over thousands of tenants stays linear.
        let mut by_tenant: HashMap<TenantId, Vec<&Report>> = HashMap::new();
        for r in actual {
            if r.schedule.schedule_type == ScheduleType::Monthly {
                by_tenant.entry(r.parameters.tenant_id).or_default().push(r);
            }
        }
        let by_id: HashMap<ReportId, &Report> = actual.iter().map(|r| (r.id, r)).collect();
        let mut entries_of: HashMap<TenantId, Vec<usize>> = HashMap::new();
        for (i, entry) in desired.reports.iter().enumerate() {
            let mut seen = HashSet::new();
            for tenant in &entry.tenants {
                if seen.insert(*tenant) {
                    entries_of.entry(*tenant).or_default().push(i);
                }
            }
        }
        let mut actions = Vec::new();
        for tenant in desired.tenants() {
            let monthly: Vec<&Report> = by_tenant.remove(&tenant).unwrap_or_default();
            // A report holding a kind, level or result action this version does not know is
            // never pruned, and matched only by an entry naming the same values (or pinning
            // its id): otherwise it is unmanaged.
            let unknown = |r: &Report| {
                r.parameters.kind.is_unknown()
                    || r.parameters.level.is_unknown()
                    || r.result_action.is_unknown()
            };
            let entries: Vec<(usize, &DesiredReport)> = entries_of
                .get(&tenant)
                .into_iter()
                .flatten()
                .map(|&i| (i + 1, &desired.reports[i]))
                .collect();
            // Pinned entries claim their reports first, so that the others match among the rest.
            let mut claimed = HashSet::new();
            for (n, entry) in &entries {
                let Some(id) = entry.id else { continue };
                let problem = match by_id.get(&id) {
                    None => PinProblem::NotFound,
                    Some(r) if r.parameters.tenant_id != tenant => PinProblem::OtherTenant,
                    Some(r) if r.schedule.schedule_type != ScheduleType::Monthly => {
                        PinProblem::OneTime
                    }
                    Some(_) => {
                        claimed.insert(id);
                        continue;
                    }
                };
                return Err(PlanError::Pinned {
                    entry: *n,
                    id,
                    problem,
                });
            }
            let mut matched = HashSet::new();
            for (n, entry) in entries {
                let found: Vec<&Report> = match entry.id {
                    Some(id) => monthly.iter().copied().filter(|r| r.id == id).collect(),
                    None => monthly
                        .iter()
                        .copied()
                        .filter(|r| {
                            !claimed.contains(&r.id)
                                && r.parameters.kind == entry.kind
                                && r.result_action == entry.result_action
                                && (!r.parameters.level.is_unknown()
                                    || r.parameters.level == entry.level)
                        })
                        .collect(),
                };
                match found.as_slice() {
                    [] => actions.push(create(n, tenant, entry)?),
                    [report] => {
                        matched.insert(report.id);
                        actions.push(compare(n, entry, report)?);
                    }
                    many => {
                        return Err(PlanError::Ambiguous {
                            entry: n,
                            tenant,
                            kind: entry.kind.clone(),
                            result_action: entry.result_action.clone(),
                            ids: many.iter().map(|r| r.id).collect(),
                        });
                    }
                }
            }
            let mut rest: Vec<&Report> = monthly
                .into_iter()
                .filter(|r| !matched.contains(&r.id))
                .collect();
            rest.sort_by_key(|r| r.id);
            for report in rest {
                actions.push(if desired.prune && !unknown(report) {
                    Action::Delete {
                        current: report.clone(),
                    }
                } else {
                    Action::Unmanaged {
                        current: report.clone(),
                    }
                });
            }
        }
        protected(desired, &actions)?;
        let selected = desired
            .reports
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.selector.as_ref().map(|s| Selected {
                    entry: i + 1,
                    under: s.under,
                    tenants: r.tenants.clone(),
                })
            })
            .collect();
        Ok(Plan {
            actions,
            selected,
            reads: PlanReads::of(desired, actual),
        })
    }

    /// What each entry's selector took, in the file's order (empty when no entry has one).
    pub fn selected(&self) -> &[Selected] {
        &self.selected
    }

    /// What the plan was made from: each planned tenant's monthly reports, with their
    /// versions, and the tenants each selector resolved to.
    pub fn reads(&self) -> &PlanReads {
        &self.reads
    }

    /// The actions, in the order [`between`](Self::between) says.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The actions, owned.
    pub fn into_actions(self) -> Vec<Action> {
        self.actions
    }

    /// How many actions of each kind.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for action in &self.actions {
            *match action.kind() {
                ActionKind::Create => &mut s.create,
                ActionKind::Update => &mut s.update,
                ActionKind::Replace => &mut s.replace,
                ActionKind::Delete => &mut s.delete,
                ActionKind::Unchanged => &mut s.unchanged,
                ActionKind::Unmanaged => &mut s.unmanaged,
            } += 1;
        }
        s
    }

    /// Whether applying the plan would change anything.
    pub fn has_changes(&self) -> bool {
        self.actions.iter().any(Action::is_change)
    }
}

impl Action {
    /// The kind of action.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Create { .. } => ActionKind::Create,
            Action::Update { .. } => ActionKind::Update,
            Action::Replace { .. } => ActionKind::Replace,
            Action::Delete { .. } => ActionKind::Delete,
            Action::Unchanged { .. } => ActionKind::Unchanged,
            Action::Unmanaged { .. } => ActionKind::Unmanaged,
        }
    }

    /// Whether applying it sends anything: create, update, replace, delete.
    pub fn is_change(&self) -> bool {
        !matches!(self, Action::Unchanged { .. } | Action::Unmanaged { .. })
    }

    /// The entry it comes from (counted from 1); `None` for reports no entry matches.
    pub fn entry(&self) -> Option<usize> {
        match self {
            Action::Create { entry, .. }
            | Action::Update { entry, .. }
            | Action::Replace { entry, .. }
            | Action::Unchanged { entry, .. } => Some(*entry),
            Action::Delete { .. } | Action::Unmanaged { .. } => None,
        }
    }

    /// The existing report it is about; `None` for a create.
    pub fn current(&self) -> Option<&Report> {
        match self {
            Action::Create { .. } => None,
            Action::Update { current, .. }
            | Action::Replace { current, .. }
            | Action::Delete { current }
            | Action::Unchanged { current, .. }
            | Action::Unmanaged { current } => Some(current),
        }
    }

    /// The tenant.
    pub fn tenant(&self) -> TenantId {
        match self {
            Action::Create { tenant, .. } => *tenant,
            Action::Update { current, .. }
            | Action::Replace { current, .. }
            | Action::Delete { current }
            | Action::Unchanged { current, .. }
            | Action::Unmanaged { current } => current.parameters.tenant_id,
        }
    }

    /// The report's kind: the new report's for a create or replace, the one an update sets.
    pub fn report_kind(&self) -> &ReportKind {
        match self {
            Action::Create { report, .. } | Action::Replace { new: report, .. } => {
                &report.parameters.kind
            }
            Action::Update {
                current, update, ..
            } => update.kind_ref().unwrap_or(&current.parameters.kind),
            Action::Delete { current }
            | Action::Unchanged { current, .. }
            | Action::Unmanaged { current } => &current.parameters.kind,
        }
    }

    /// The members that differ (update and replace; empty otherwise).
    pub fn changes(&self) -> &[Change] {
        match self {
            Action::Update { changes, .. } | Action::Replace { changes, .. } => changes,
            _ => &[],
        }
    }

    /// Exactly the requests applying it sends, in order (none for unchanged and unmanaged).
    /// Each write is also verified, as the client's single calls are: a `PUT` answered
    /// without the report is followed by a `GET`.
    pub fn requests(&self) -> Vec<PlannedRequest> {
        let request = |endpoint: Endpoint, body: Option<String>| PlannedRequest {
            method: endpoint.method(),
            path: endpoint.path(),
            endpoint,
            body,
        };
        let post =
            |report: &NewReport| request(Endpoint::CreateReport, Some(report.to_json_string()));
        let delete = |current: &Report| {
            request(
                Endpoint::DeleteReport {
                    id: current.id,
                    version: current.version,
                },
                None,
            )
        };
        match self {
            Action::Create { report, .. } => vec![post(report)],
            Action::Update {
                current, update, ..
            } => vec![request(
                Endpoint::UpdateReport(current.id),
                Some(update.to_json_string()),
            )],
            Action::Replace { current, new, .. } => vec![post(new), delete(current)],
            Action::Delete { current } => vec![delete(current)],
            Action::Unchanged { .. } | Action::Unmanaged { .. } => Vec::new(),
        }
    }
}

/// Refuses an entry's value this version does not know unless a report in `actual` holds it
/// in the same member: the server knows such a value, a typo it would refuse (or, as a kind,
/// take for a new report while a prune deletes the one meant).
fn held_by_a_report(desired: &DesiredReports, actual: &[Report]) -> Result<(), PlanError> {
    for (i, entry) in desired.reports.iter().enumerate() {
        for (key, error) in entry.unknown_values() {
            let value = error.value();
            let held = actual.iter().any(|r| {
                let p = &r.parameters;
                match key {
                    "kind" => p.kind.as_str() == value,
                    "level" => p.level.as_str() == value,
                    "result_action" => r.result_action.as_str() == value,
                    _ => p.formats.iter().any(|f| f.as_str() == value),
                }
            });
            if !held {
                return Err(PlanError::UnknownValue {
                    entry: i + 1,
                    key,
                    error,
                });
            }
        }
    }
    Ok(())
}

/// Refuses a plan that deletes or replaces a protected report, naming the first.
fn protected(desired: &DesiredReports, actions: &[Action]) -> Result<(), PlanError> {
    let mut hits = actions.iter().filter_map(|action| {
        let (entry, current) = match action {
            Action::Replace { entry, current, .. } => (Some(*entry), current),
            Action::Delete { current } => (None, current),
            _ => return None,
        };
        let by_entry = entry.filter(|n| desired.reports[n - 1].protect);
        (desired.protect || by_entry.is_some()).then(|| (by_entry, action.kind(), current))
    });
    let Some((entry, action, current)) = hits.next() else {
        return Ok(());
    };
    Err(PlanError::Protected {
        entry,
        id: current.id,
        tenant: current.parameters.tenant_id,
        action,
        more: hits.count(),
    })
}

/// The create for an entry no report matches.
fn create(n: usize, tenant: TenantId, entry: &DesiredReport) -> Result<Action, PlanError> {
    let mut report = NewReport::new(tenant, entry.level.clone(), entry.kind.clone())
        .monthly()
        .result_action(
            entry.result_action.clone(),
            dedup(entry.recipients.as_deref().unwrap_or_default()),
        );
    if let Some(formats) = &entry.formats {
        report = report.formats(dedup(formats));
    }
    if let Some(enabled) = entry.enabled {
        report = report.enabled(enabled);
    }
    if let Some(hide) = entry.hide_zero_usage {
        report = report.hide_zero_usage(hide);
    }
    if let Some(show) = entry.show_skus {
        report = report.show_skus(show);
    }
    let report = creatable(n, tenant, report)?;
    Ok(Action::Create {
        entry: n,
        tenant,
        report,
    })
}

/// `report`, if the API would accept it (what can be checked without the network; values
/// this version does not know were checked by [`held_by_a_report`]).
fn creatable(n: usize, tenant: TenantId, report: NewReport) -> Result<NewReport, PlanError> {
    match report.validate_shape() {
        Ok(()) => Ok(report),
        Err(reason) => Err(PlanError::CannotCreate {
            entry: n,
            tenant,
            reason,
        }),
    }
}

/// Whether two lists hold the same items, in any order and number.
fn same_set<T: Eq + std::hash::Hash>(a: &[T], b: &[T]) -> bool {
    a.iter().collect::<HashSet<_>>() == b.iter().collect::<HashSet<_>>()
}

/// The action for an entry and the one report it matches.
fn compare(n: usize, entry: &DesiredReport, current: &Report) -> Result<Action, PlanError> {
    let p = &current.parameters;
    let mut changes = Vec::new();
    let mut update = ReportUpdate::new();
    let mut change = |field, old: Value, new: Value, forces_replacement| {
        changes.push(Change {
            field,
            old,
            new,
            forces_replacement,
        });
    };
    if entry.result_action != current.result_action {
        change(
            Field::ResultAction,
            json!(current.result_action),
            json!(entry.result_action),
            true,
        );
    }
    if let Some(formats) = entry.formats.as_ref().filter(|f| !same_set(f, &p.formats)) {
        change(Field::Formats, json!(p.formats), json!(formats), true);
    }
    if let Some(enabled) = entry.enabled.filter(|e| *e != current.schedule.enabled) {
        change(
            Field::ScheduleEnabled,
            json!(current.schedule.enabled),
            json!(enabled),
            false,
        );
        update = update.enabled(enabled);
    }
    if let Some(recipients) = entry
        .recipients
        .as_ref()
        .filter(|r| !same_set(r, &current.recipients))
    {
        change(
            Field::Recipients,
            json!(current.recipients),
            json!(recipients),
            false,
        );
        update = update.recipients(dedup(recipients));
    }
    if entry.level != p.level {
        change(Field::Level, json!(p.level), json!(entry.level), false);
        update = update.level(entry.level.clone());
    }
    if entry.kind != p.kind {
        change(Field::Kind, json!(p.kind), json!(entry.kind), false);
        update = update.kind(entry.kind.clone());
    }
    if let Some(hide) = entry
        .hide_zero_usage
        .filter(|h| Some(*h) != p.hide_zero_usage)
    {
        change(
            Field::HideZeroUsage,
            json!(p.hide_zero_usage),
            json!(hide),
            false,
        );
        update = update.hide_zero_usage(hide);
    }
    if let Some(show) = entry.show_skus.filter(|s| Some(*s) != p.show_skus) {
        change(Field::ShowSkus, json!(p.show_skus), json!(show), false);
        update = update.show_skus(show);
    }
    let current = current.clone();
    let forcing: Vec<Field> = changes
        .iter()
        .filter(|c| c.forces_replacement)
        .map(|c| c.field)
        .collect();
    Ok(if !forcing.is_empty() {
        if let Some(id) = entry.id {
            return Err(PlanError::PinnedReplacement {
                entry: n,
                id,
                fields: forcing,
            });
        }
        let new = creatable(
            n,
            current.parameters.tenant_id,
            replacement(entry, &current),
        )?;
        Action::Replace {
            entry: n,
            current,
            new,
            changes,
        }
    } else if changes.is_empty() {
        Action::Unchanged { entry: n, current }
    } else {
        Action::Update {
            entry: n,
            current,
            update,
            changes,
        }
    })
}

/// The items of `list`, each once, in their first order.
fn dedup<T: Clone + Eq + std::hash::Hash>(list: &[T]) -> Vec<T> {
    let mut seen = HashSet::new();
    list.iter().filter(|x| seen.insert(*x)).cloned().collect()
}

/// The new report replacing `current`: the entry's members, and `current`'s for those the
/// entry leaves out.
fn replacement(entry: &DesiredReport, current: &Report) -> NewReport {
    let p = &current.parameters;
    // A saved report has no recipients; any other (sent, or a result action this version
    // does not know) keeps the current ones unless the entry names them.
    let recipients = match entry.result_action {
        ResultAction::Save => Vec::new(),
        _ => dedup(entry.recipients.as_deref().unwrap_or(&current.recipients)),
    };
    let mut new = NewReport::new(p.tenant_id, entry.level.clone(), entry.kind.clone())
        .monthly()
        .enabled(entry.enabled.unwrap_or(current.schedule.enabled))
        .result_action(entry.result_action.clone(), recipients);
    let formats = entry.formats.as_deref().unwrap_or(&p.formats);
    if !formats.is_empty() {
        new = new.formats(dedup(formats));
    }
    if let Some(hide) = entry.hide_zero_usage.or(p.hide_zero_usage) {
        new = new.hide_zero_usage(hide);
    }
    if let Some(show) = entry.show_skus.or(p.show_skus) {
        new = new.show_skus(show);
    }
    new
}
