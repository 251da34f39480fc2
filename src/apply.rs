//! Reports as code, over the network: [`Client::plan`] lists the subtrees of a
//! [`DesiredReports`]' selectors ([`Client::resolve`]), fetches the reports of its tenants
//! and computes the [`Plan`]; [`Client::apply`] carries it out on
//! the [bulk](crate::bulk) engine; [`Client::export`] and [`Client::export_under`] describe
//! reports as they are.
//!
//! Applying runs in three phases, each on bounded threads: creates and updates; then
//! replacements (the new report created and verified before the old one is deleted, with its
//! version); then deletes. Every write is verified as the single calls are. A failed action
//! does not stop the others; a run that stops (the service keeps failing, the credentials
//! are refused, [`StopHandle::stop`]) reports every action it did not take up as
//! [`Error::NotAttempted`], in this phase and the next ones.
//!
//! A [`SavedPlan`] is applied with [`Client::apply_saved`] (or checked with
//! [`Client::check_saved`], then applied): the reads are made again, and the plan is refused,
//! before any write, when they differ from the saved ones or give another plan.
//!
//! ```no_run
//! use acronis_reports::desired::DesiredReports;
//! use acronis_reports::Client;
//!
//! # let client = Client::builder().base_url("https://eu2-cloud.acronis.com/api/2").bearer_token("t").build()?;
//! let desired = DesiredReports::from_json(&std::fs::read("reports.json")?)?;
//! let plan = client.plan(&desired, 8)?;
//! println!("{}", plan.summary());
//! for (action, result) in client.apply(&plan, 8) {
//!     match result {
//!         Ok(applied) => println!("{} {}: {applied:?}", action.kind(), action.tenant()),
//!         Err(e) => eprintln!("{} {}: {e}", action.kind(), action.tenant()),
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::Arc;

use crate::bulk::{BulkOptions, BulkResults, StopHandle};
use crate::client::Client;
use crate::desired::{DesiredError, DesiredReports, TenantSelector};
use crate::error::Error;
use crate::id::{ReportId, TenantId};
use crate::model::Report;
use crate::plan::{Action, Plan, PlanError, PlanReads};
use crate::saved_plan::{SavedPlan, Stale, StalePlan};
use crate::stop::StopSignal;

/// What an applied [`Action`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Applied {
    /// The report was created and verified.
    Created(Report),
    /// The report was updated and verified.
    Updated(Report),
    /// The new report was created and verified, and the old one deleted.
    Replaced {
        /// The new report.
        new: Report,
    },
    /// The report was deleted.
    Deleted,
}

/// Why an [`Action`] failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// The action failed, or was not taken up ([`Error::NotAttempted`]); it left nothing
    /// behind.
    #[error(transparent)]
    Failed(Error),
    /// A replacement created its new report, but the old one could not be deleted: both now
    /// exist, and a new plan refuses the entry until one is deleted.
    #[error(
        "the new report {} was created, but deleting report {old}, which it replaces, failed",
        created.id
    )]
    HalfReplaced {
        /// The new report.
        created: Box<Report>,
        /// The report it replaces, still there.
        old: ReportId,
        /// Why the delete failed.
        #[source]
        error: Box<Error>,
    },
}

impl ApplyError {
    /// The error of the call that failed.
    pub fn error(&self) -> &Error {
        match self {
            ApplyError::Failed(e) => e,
            ApplyError::HalfReplaced { error, .. } => error,
        }
    }

    /// The error of the call that failed, owned (a half-done replacement's new report is
    /// dropped: see [`created`](Self::created)).
    pub fn into_error(self) -> Error {
        match self {
            ApplyError::Failed(e) => e,
            ApplyError::HalfReplaced { error, .. } => *error,
        }
    }

    /// The report a half-done replacement created.
    pub fn created(&self) -> Option<&Report> {
        match self {
            ApplyError::HalfReplaced { created, .. } => Some(created),
            ApplyError::Failed(_) => None,
        }
    }
}

impl From<Error> for ApplyError {
    fn from(error: Error) -> Self {
        ApplyError::Failed(error)
    }
}

/// The results of [`Client::apply`]: each change of the plan with its result, as it
/// finishes, phase after phase. Nothing is sent until it is iterated. Dropping it stops the
/// run as dropping [`BulkResults`] does.
#[must_use = "nothing is applied until the results are iterated"]
pub struct Applying {
    client: Client,
    options: BulkOptions,
    signal: Arc<StopSignal>,
    phases: VecDeque<Vec<Action>>,
    current: Option<BulkResults<Action, Result<Applied, ApplyError>>>,
}

impl Applying {
    /// A handle that stops the run from anywhere: see [`StopHandle`]. The results go on
    /// until every action is accounted for.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.signal.clone())
    }
}

impl fmt::Debug for Applying {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Applying")
            .field("phases_left", &self.phases.len())
            .field("stop_reason", &self.signal.reason())
            .finish_non_exhaustive()
    }
}

impl Iterator for Applying {
    type Item = (Action, Result<Applied, ApplyError>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(run) = &mut self.current {
                if let Some((action, result)) = run.next() {
                    return Some((action, result.unwrap_or_else(|e| Err(e.into()))));
                }
            }
            let phase = self.phases.pop_front()?;
            self.current = Some(self.client.for_each_id_until(
                phase,
                self.options,
                self.signal.clone(),
                apply_one,
            ));
        }
    }
}

/// Carries out one action (create, update, replace or delete). The plan has checked its
/// writes, and a value this version does not know in one is held by a report: it is sent as
/// written.
fn apply_one(client: &Client, action: &Action) -> Result<Result<Applied, ApplyError>, Error> {
    Ok(match action {
        Action::Create { report, .. } => client
            .post_report(report)
            .map(Applied::Created)
            .map_err(ApplyError::from),
        Action::Update {
            current, update, ..
        } => client
            .put_report(current.id, update)
            .map(Applied::Updated)
            .map_err(ApplyError::from),
        Action::Replace { current, new, .. } => match client.post_report(new) {
            Err(e) => Err(e.into()),
            // Once the new report exists, the old one goes even if the run stops meanwhile:
            // a stop must not leave both.
            Ok(created) => match client.detached().delete_report(current.id, current.version) {
                Ok(()) => Ok(Applied::Replaced { new: created }),
                Err(error) => Err(ApplyError::HalfReplaced {
                    created: Box::new(created),
                    old: current.id,
                    error: Box::new(error),
                }),
            },
        },
        Action::Delete { current } => client
            .delete_report(current.id, current.version)
            .map(|()| Applied::Deleted)
            .map_err(ApplyError::from),
        // Not changes: `apply` does not give them to the run.
        Action::Unchanged { .. } | Action::Unmanaged { .. } => Err(ApplyError::from(
            Error::invalid_input(crate::error::InputKind::EmptyUpdate, "nothing to apply"),
        )),
    })
}

impl Client {
    /// Every report of `tenants` (each taken once): their ids listed (`GET /tenants/{id}/reports`), then each
    /// fetched, on the threads `options` says (a number will do), ordered by id. A report
    /// deleted between the listing and its fetch is left out.
    ///
    /// # Errors
    ///
    /// The first failure of a listing or a fetch (the run then stops): the reports are all
    /// needed to plan. [`Error::NotAttempted`] when the run was stopped.
    pub fn reports_of_tenants(
        &self,
        tenants: &[TenantId],
        options: impl Into<BulkOptions>,
    ) -> Result<Vec<Report>, Error> {
        let options = options.into();
        let mut seen = std::collections::HashSet::new();
        let tenants: Vec<TenantId> = tenants
            .iter()
            .copied()
            .filter(|t| seen.insert(*t))
            .collect();
        let mut ids: Vec<ReportId> = Vec::new();
        for (_, listed) in self.for_each_id(tenants, options, |client, tenant| {
            client.list_report_ids(*tenant)
        }) {
            ids.extend(listed?);
        }
        // One report listed under two tenants is fetched, planned and written once.
        let mut listed = std::collections::HashSet::new();
        ids.retain(|id| listed.insert(*id));
        let mut reports = Vec::with_capacity(ids.len());
        for (_, fetched) in self.for_each_id(ids, options, |client, id| {
            match client.get_report(*id) {
                // Deleted meanwhile: not one of the tenant's reports any more.
                Err(e) if e.status() == Some(404) => Ok(None),
                other => other.map(Some),
            }
        }) {
            reports.extend(fetched?);
        }
        reports.sort_by_key(|r| r.id);
        Ok(reports)
    }

    /// The plan that brings the monthly reports of `desired`'s tenants to what it says:
    /// `desired` checked (nothing sent if it fails), its selectors [resolved](Self::resolve)
    /// (one listing per subtree), the tenants' reports fetched with
    /// [`reports_of_tenants`](Self::reports_of_tenants), then [`Plan::between`]. Only `GET`
    /// requests are sent: the listing pages, one per tenant, one per report.
    ///
    /// # Errors
    ///
    /// [`Error::Plan`] when the file is wrong or the reports leave it unclear what to do
    /// (several match one entry, say); the errors of
    /// [`reports_of_tenants`](Self::reports_of_tenants).
    pub fn plan(
        &self,
        desired: &DesiredReports,
        options: impl Into<BulkOptions>,
    ) -> Result<Plan, Error> {
        let options = options.into();
        let desired = self.resolve(desired, options)?;
        let actual = self.reports_of_tenants(&desired.tenants(), options)?;
        Plan::between(&desired, &actual).map_err(Error::Plan)
    }

    /// `desired` checked (nothing sent if it fails), then its selectors resolved
    /// ([`DesiredReports::resolve`]): the subtree of each of its
    /// [roots](DesiredReports::subtree_roots) listed once with
    /// [`tenants_under`](Self::tenants_under), every page followed. Desired reports without
    /// selectors come back as they are, and nothing is sent for them.
    ///
    /// # Errors
    ///
    /// [`Error::Plan`] when the file is wrong, or a tenant two entries give the same identity;
    /// the errors of [`tenants_under`](Self::tenants_under) (the first, the run then stops).
    pub fn resolve(
        &self,
        desired: &DesiredReports,
        options: impl Into<BulkOptions>,
    ) -> Result<DesiredReports, Error> {
        let invalid = |e| Error::Plan(PlanError::Invalid(e));
        desired.check().map_err(invalid)?;
        let roots = desired.subtree_roots();
        if roots.is_empty() {
            return Ok(desired.clone());
        }
        let mut listings = BTreeMap::new();
        for (root, listed) in self.for_each_id(roots, options.into(), |client, root| {
            client.tenants_under(*root)
        }) {
            // A root the API does not know is the file's mistake: named by its entry.
            let listed = listed.map_err(|e| match e.status() {
                Some(404) => invalid(DesiredError {
                    entry: desired
                        .reports
                        .iter()
                        .position(|r| r.selector.as_ref().is_some_and(|s| s.under == root))
                        .map(|i| i + 1),
                    key: Some("tenants_under".into()),
                    message: format!("tenant {root} was not found (the API answered 404)"),
                }),
                _ => e,
            })?;
            listings.insert(root, listed);
        }
        desired.resolve(&listings).map_err(invalid)
    }

    /// Applies the changes of `plan` (creates, updates, replacements, deletes; see the
    /// [module](self)) on the threads `options` says, and yields each with its result as it
    /// finishes. A plan applied right after it was made leaves nothing to do: a new plan has
    /// no change.
    ///
    /// A plan is a snapshot: a report changed by someone else since is updated as the plan
    /// says (updates carry no version), and a delete of a report changed since fails with a
    /// 409.
    pub fn apply(&self, plan: &Plan, options: impl Into<BulkOptions>) -> Applying {
        let mut first = Vec::new();
        let mut replaces = Vec::new();
        let mut deletes = Vec::new();
        for action in plan.actions() {
            match action {
                Action::Create { .. } | Action::Update { .. } => first.push(action.clone()),
                Action::Replace { .. } => replaces.push(action.clone()),
                Action::Delete { .. } => deletes.push(action.clone()),
                _ => {}
            }
        }
        Applying {
            client: self.clone(),
            options: options.into(),
            signal: Arc::default(),
            phases: [first, replaces, deletes]
                .into_iter()
                .filter(|phase| !phase.is_empty())
                .collect(),
            current: None,
        }
    }

    /// The plan to apply for a [`SavedPlan`], if it is still the one saved: the reads a plan
    /// makes (its selectors [resolved](Self::resolve), each planned tenant's reports listed and
    /// fetched: `GET` requests only), then
    /// the plan made anew from the saved desired reports. Its actions and their requests are
    /// then exactly the saved ones, and applying it ([`apply`](Self::apply)) sends exactly
    /// the saved requests.
    ///
    /// The reads are compared first, then the actions: see
    /// [`SavedPlan::stale`]. (The check narrows the time in which someone else's change goes
    /// unseen to that between the reads and the writes; a delete still carries the version
    /// read, and the API refuses it for a report changed since.)
    ///
    /// # Errors
    ///
    /// [`Error::Stale`], naming each change, when a report's version differs, a monthly
    /// report appeared or disappeared in a planned tenant, a selector resolves to other
    /// tenants, a plan can no longer be made, or the plan made now has other actions; nothing
    /// was sent but `GET` requests. The errors of
    /// [`reports_of_tenants`](Self::reports_of_tenants).
    pub fn check_saved(
        &self,
        saved: &SavedPlan,
        options: impl Into<BulkOptions>,
    ) -> Result<Plan, Error> {
        let options = options.into();
        saved
            .desired()
            .check()
            .map_err(|e| Error::Plan(PlanError::Invalid(e)))?;
        let stale = |reasons: Vec<Stale>| Error::Stale(StalePlan::new(reasons));
        // The same reads as `plan`'s: the selectors resolved, then the tenants' reports. The
        // saved plan's selectors resolved when it was made: if they cannot now (a tenant two
        // entries give the same identity), the world changed.
        let desired = match self.resolve(saved.desired(), options) {
            Ok(desired) => desired,
            Err(Error::Plan(e)) => return Err(stale(vec![Stale::PlanFails(e)])),
            Err(e) => return Err(e),
        };
        let desired = &desired;
        let actual = self.reports_of_tenants(&desired.tenants(), options)?;
        match Plan::between(desired, &actual) {
            Ok(plan) => {
                let reasons = saved.stale(&plan);
                if reasons.is_empty() {
                    Ok(plan)
                } else {
                    Err(stale(reasons))
                }
            }
            // What changed, if the reads say; otherwise the plan that can no longer be made.
            Err(e) => {
                let reasons = saved.stale_reads(&PlanReads::of(desired, &actual));
                Err(stale(if reasons.is_empty() {
                    vec![Stale::PlanFails(e)]
                } else {
                    reasons
                }))
            }
        }
    }

    /// Applies a [`SavedPlan`] if it is still the one saved ([`check_saved`](Self::check_saved)),
    /// as [`apply`](Self::apply) does, on the threads `options` says.
    ///
    /// # Errors
    ///
    /// The errors of [`check_saved`](Self::check_saved), before any write:
    /// [`Error::Stale`] when the plan is stale.
    pub fn apply_saved(
        &self,
        saved: &SavedPlan,
        options: impl Into<BulkOptions>,
    ) -> Result<Applying, Error> {
        let options = options.into();
        let plan = self.check_saved(saved, options)?;
        Ok(self.apply(&plan, options))
    }

    /// The desired reports that describe the monthly reports of `tenants` as they are now
    /// ([`DesiredReports::describing`]), fetched with
    /// [`reports_of_tenants`](Self::reports_of_tenants): a plan for it has no change.
    ///
    /// # Errors
    ///
    /// The errors of [`reports_of_tenants`](Self::reports_of_tenants).
    pub fn export(
        &self,
        tenants: &[TenantId],
        options: impl Into<BulkOptions>,
    ) -> Result<DesiredReports, Error> {
        let reports = self.reports_of_tenants(tenants, options)?;
        Ok(DesiredReports::describing(tenants, &reports))
    }

    /// The desired reports that describe the monthly reports of the tenants `selector` takes
    /// ([`DesiredReports::describing_under`]; with `group`, alike reports become one entry
    /// with the selector): the subtree listed with [`tenants_under`](Self::tenants_under),
    /// the reports fetched with [`reports_of_tenants`](Self::reports_of_tenants). A plan
    /// for it has no change.
    ///
    /// # Errors
    ///
    /// The errors of [`tenants_under`](Self::tenants_under) and
    /// [`reports_of_tenants`](Self::reports_of_tenants).
    pub fn export_under(
        &self,
        selector: &TenantSelector,
        group: bool,
        options: impl Into<BulkOptions>,
    ) -> Result<DesiredReports, Error> {
        let listing = self.tenants_under(selector.under)?;
        let reports = self.reports_of_tenants(&selector.select(&listing), options)?;
        Ok(DesiredReports::describing_under(
            selector, &listing, &reports, group,
        ))
    }
}
