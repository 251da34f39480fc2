//! Reports as code: [`DesiredReports`], the monthly reports a set of tenants should have, read
//! from a file (TOML with the `toml` feature, or JSON) or built in code.
//!
//! Pure, like [`patch`](crate::patch): no I/O. [`Plan::between`](crate::plan::Plan::between)
//! compares desired reports with the actual ones; [`Client::plan`](crate::Client::plan) and
//! [`Client::apply`](crate::Client::apply) fetch and change them;
//! [`DesiredReports::describing`] writes the file that describes reports as they are (the
//! command-line tool's `export`).
//!
//! # The file
//!
//! ```toml
//! prune = false            # optional: delete the tenants' monthly reports no entry matches
//! protect = false          # optional: refuse any plan that deletes or replaces a report
//!
//! [[report]]
//! tenant = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc"   # or: tenants = ["...", "..."]
//! kind = "usage_summary"        # required
//! level = "all_customers"       # required
//! result_action = "send"        # optional, default "send"
//! formats = ["csv", "json_v2_0"] # optional
//! enabled = true                # optional
//! recipients = ["ca451758-b48a-45d9-9ae6-8f1059f67619"]  # optional
//! hide_zero_usage = false       # optional
//! show_skus = true              # optional
//! # id = "..."                  # optional: pin this entry to one existing report
//! protect = true                # optional: refuse a plan that deletes or replaces its report
//!
//! [[report]]                    # the tenants of a subtree, looked up when planning:
//! tenants_under = "f1f1f1f1-0000-4000-8000-000000000001"  # every tenant below (not itself)
//! tenant_kinds = ["customer"]   # optional, default ["customer"]: partner, folder, customer, unit
//! exclude_tenants = ["c2c2c2c2-0000-4000-8000-000000000002"]  # optional
//! include_disabled = false      # optional: disabled and deleted tenants too
//! kind = "usage_summary"
//! level = "itself"
//! result_action = "save"
//! ```
//!
//! - Only **monthly** reports are managed; one-time reports are never matched, changed or
//!   deleted.
//! - A member an entry leaves out is not managed: an existing report keeps its value, a
//!   created one gets the API's default.
//! - **Identity**: an entry matches its tenant's monthly report of the same `kind` and
//!   `result_action`, or the report its `id` pins.
//! - **Selectors** (`tenants_under`): the entry's tenants are those of a subtree
//!   ([`TenantSelector`]), listed when planning and [resolved](DesiredReports::resolve); a
//!   tenant two entries give the same identity is an error naming both.
//! - **Protection** (`protect`): a plan that would delete or replace a protected report is
//!   refused ([`PlanError::Protected`](crate::plan::PlanError::Protected)): edit the file.
//! - A **value this version does not know** (a kind, level, result action or format the
//!   vendor added later) may be named: a plan sends it as written when a report of the
//!   file's tenants holds it, and refuses it otherwise (a typo). A report holding one is
//!   matched only by an entry naming the same values, and never pruned.
//!
//! The same shape in JSON is read by [`DesiredReports::from_json`]:
//! `{"prune": false, "report": [{"tenant": "...", "kind": "usage_summary", ...}]}`.
//!
//! ```
//! use acronis_reports::desired::{DesiredReport, DesiredReports};
//! use acronis_reports::{Level, ReportKind};
//!
//! let desired = DesiredReports::from_json(br#"{"report": [{
//!     "tenant": "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc", "kind": "usage_summary",
//!     "level": "all_customers", "result_action": "save", "enabled": true}]}"#)?;
//! let in_code = DesiredReports::new([DesiredReport::new(
//!     "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc".parse()?,
//!     Level::AllCustomers,
//!     ReportKind::UsageSummary,
//! )
//! .save()
//! .enabled(true)]);
//! assert_eq!(desired, in_code);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::enums::{
    Level, ParseEnumError, ReportFormat, ReportKind, ResultAction, ScheduleType, TenantKind,
};
use crate::id::{ReportId, TenantId, UserId};
use crate::model::Report;
use crate::tenant::Tenant;

/// The monthly reports some tenants should have: the content of a desired-state file.
///
/// Build one in code with [`new`](Self::new) or read one with [`from_json`](Self::from_json)
/// or `from_toml` (feature `toml`); both check it with [`check`](Self::check), which
/// [`Plan::between`](crate::plan::Plan::between) calls again.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DesiredReports {
    /// Whether the monthly reports of the file's tenants that no entry matches are deleted
    /// (`true`) or left alone and reported as unmanaged (`false`, the default).
    pub prune: bool,
    /// Whether every report of the file's tenants is protected (`protect = true` at the top
    /// of the file): a plan that would delete or replace one is refused. Default `false`.
    pub protect: bool,
    /// The entries, in the file's order (`[[report]]` tables).
    pub reports: Vec<DesiredReport>,
}

/// One entry of a [`DesiredReports`]: a monthly report each of its tenants should have.
///
/// `None` members are not managed: an existing report keeps its value, a created one gets
/// the API's default.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DesiredReport {
    /// The tenants that should have the report: the file's `tenant` or `tenants`, or the
    /// tenants its [`selector`](Self::selector) resolved to (empty until
    /// [resolved](DesiredReports::resolve)).
    pub tenants: Vec<TenantId>,
    /// The file's `tenants_under` (with `tenant_kinds`, `exclude_tenants`,
    /// `include_disabled`): the tenants are those of a subtree, looked up when planning.
    pub selector: Option<TenantSelector>,
    /// `parameters.kind`; part of the entry's identity.
    pub kind: ReportKind,
    /// `parameters.level`.
    pub level: Level,
    /// `result_action`; part of the entry's identity. Default: `send`.
    pub result_action: ResultAction,
    /// `parameters.formats`, compared as a set. A report can only get other formats by being
    /// replaced (created anew, then the old one deleted).
    pub formats: Option<Vec<ReportFormat>>,
    /// `schedule.enabled`.
    pub enabled: Option<bool>,
    /// `recipients`, compared as a set; only for `result_action = send`.
    pub recipients: Option<Vec<UserId>>,
    /// `parameters.hide_zero_usage`.
    pub hide_zero_usage: Option<bool>,
    /// `parameters.show_skus`.
    pub show_skus: Option<bool>,
    /// Pins the entry to this existing report, whatever its kind and result action.
    pub id: Option<ReportId>,
    /// Whether the reports the entry matches are protected (`protect = true`): a plan that
    /// would delete or replace one is refused. Default `false`.
    pub protect: bool,
    /// Whether `selector` has been resolved into `tenants` (a subtree may hold none).
    resolved: bool,
}

/// The tenants of a subtree an entry applies to: every tenant below `under` (not `under`
/// itself) of one of `kinds`, but those in `exclude`; disabled and deleted tenants only with
/// `include_disabled`. The file's `tenants_under`, `tenant_kinds`, `exclude_tenants` and
/// `include_disabled`.
///
/// ```
/// use acronis_reports::desired::TenantSelector;
/// use acronis_reports::tenant::Tenant;
/// use acronis_reports::TenantKind;
///
/// let root = "f1f1f1f1-0000-4000-8000-000000000001".parse()?;
/// let customer = "c2c2c2c2-0000-4000-8000-000000000002".parse()?;
/// let folder = "f3f3f3f3-0000-4000-8000-000000000003".parse()?;
/// let listing = [
///     Tenant::new(root, TenantKind::Partner),
///     Tenant::new(folder, TenantKind::Folder),
///     Tenant::new(customer, TenantKind::Customer),
/// ];
/// assert_eq!(TenantSelector::under(root).select(&listing), vec![customer]);
/// # Ok::<(), acronis_reports::ParseIdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TenantSelector {
    /// The root of the subtree (`tenants_under`); not itself selected.
    pub under: TenantId,
    /// The kinds selected (`tenant_kinds`); default: customers.
    pub kinds: Vec<TenantKind>,
    /// Tenants left out (`exclude_tenants`).
    pub exclude: Vec<TenantId>,
    /// Whether disabled and deleted tenants are selected too (`include_disabled`).
    pub include_disabled: bool,
}

impl TenantSelector {
    /// The customers below `root`, enabled ones only.
    pub fn under(root: TenantId) -> TenantSelector {
        TenantSelector {
            under: root,
            kinds: vec![TenantKind::Customer],
            exclude: Vec::new(),
            include_disabled: false,
        }
    }

    /// Selects these kinds instead of customers only.
    pub fn kinds(mut self, kinds: impl IntoIterator<Item = TenantKind>) -> TenantSelector {
        self.kinds = kinds.into_iter().collect();
        self
    }

    /// Leaves these tenants out.
    pub fn exclude(mut self, tenants: impl IntoIterator<Item = TenantId>) -> TenantSelector {
        self.exclude = tenants.into_iter().collect();
        self
    }

    /// Selects disabled and deleted tenants too (default: only enabled ones).
    pub fn include_disabled(mut self, include: bool) -> TenantSelector {
        self.include_disabled = include;
        self
    }

    /// The tenants of `listing` (the subtree under [`under`](Self::under), as
    /// `GET /tenants?subtree_root_id=` lists it, the root included) the selector takes, in
    /// the listing's order, each once.
    pub fn select(&self, listing: &[Tenant]) -> Vec<TenantId> {
        let mut seen = BTreeSet::new();
        listing
            .iter()
            .filter(|t| {
                t.id != self.under
                    && self.kinds.contains(&t.kind)
                    && !self.exclude.contains(&t.id)
                    && (self.include_disabled || t.is_active())
            })
            .map(|t| t.id)
            .filter(|id| seen.insert(*id))
            .collect()
    }
}

/// A TOML error as `TOML: line L, column C: MESSAGE`, without the file's line that `toml`
/// quotes: a file given by mistake (`.env`) may hold a secret on it. The message is cut short.
#[cfg(feature = "toml")]
fn toml_message(text: &str, e: &toml::de::Error) -> String {
    const MAX: usize = 320;
    let mut message: String = e.message().trim().chars().take(MAX).collect();
    if e.message().trim().chars().count() > MAX {
        message.push_str("...");
    }
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("TOML: line {line}, column {column}: {message}")
        }
        None => format!("TOML: {message}"),
    }
}

impl DesiredReports {
    /// Desired reports with these entries, and `prune` off.
    pub fn new(reports: impl IntoIterator<Item = DesiredReport>) -> DesiredReports {
        DesiredReports {
            prune: false,
            protect: false,
            reports: reports.into_iter().collect(),
        }
    }

    /// Sets [`protect`](Self::protect) for every report of the file's tenants (default
    /// `false`).
    pub fn protect(mut self, protect: bool) -> DesiredReports {
        self.protect = protect;
        self
    }

    /// The roots of the entries' selectors, each once, in the file's order: the subtrees to
    /// list before [`resolve`](Self::resolve).
    pub fn subtree_roots(&self) -> Vec<TenantId> {
        let mut seen = BTreeSet::new();
        self.reports
            .iter()
            .filter_map(|r| r.selector.as_ref().map(|s| s.under))
            .filter(|t| seen.insert(*t))
            .collect()
    }

    /// Whether every selector has been resolved (true when there is none).
    pub fn is_resolved(&self) -> bool {
        self.reports.iter().all(DesiredReport::is_resolved)
    }

    /// The same desired reports with each entry's selector resolved into its tenants:
    /// `listings` holds, for each of [`subtree_roots`](Self::subtree_roots), the subtree as
    /// `GET /tenants?subtree_root_id=` lists it ([`Client::plan`](crate::Client::plan) fetches
    /// them). The result is [checked](Self::check) again: a tenant two entries give the same
    /// identity is an error naming both.
    ///
    /// # Errors
    ///
    /// A [`DesiredError`] when a root has no listing, or the check fails.
    pub fn resolve(
        &self,
        listings: &BTreeMap<TenantId, Vec<Tenant>>,
    ) -> Result<DesiredReports, DesiredError> {
        let mut resolved = self.clone();
        for (i, entry) in resolved.reports.iter_mut().enumerate() {
            let Some(selector) = &entry.selector else {
                continue;
            };
            let listing = listings.get(&selector.under).ok_or_else(|| DesiredError {
                entry: Some(i + 1),
                key: Some("tenants_under".into()),
                message: format!("the tenants under {} were not listed", selector.under),
            })?;
            entry.tenants = selector.select(listing);
            entry.resolved = true;
        }
        resolved.check()?;
        Ok(resolved)
    }

    /// Sets [`prune`](Self::prune) (default `false`).
    pub fn prune(mut self, prune: bool) -> DesiredReports {
        self.prune = prune;
        self
    }

    /// Reads the JSON form of the file and [checks](Self::check) it.
    ///
    /// # Errors
    ///
    /// A [`DesiredError`] naming what is wrong: the JSON (with its line), an unknown key, a
    /// malformed id, or a problem [`check`](Self::check) finds. (An enum value this version
    /// does not know is kept; a [plan](crate::plan::Plan::between) refuses it unless a report
    /// holds it.)
    pub fn from_json(text: &[u8]) -> Result<DesiredReports, DesiredError> {
        let file: File = serde_json::from_slice(text).map_err(|e| DesiredError {
            entry: None,
            key: None,
            message: e.to_string(),
        })?;
        file.into_desired()
    }

    /// Reads the TOML form of the file and [checks](Self::check) it.
    ///
    /// # Errors
    ///
    /// A [`DesiredError`] naming what is wrong: the TOML (with its line), an unknown key, a
    /// malformed id, or a problem [`check`](Self::check) finds. (An enum value this version
    /// does not know is kept; a [plan](crate::plan::Plan::between) refuses it unless a report
    /// holds it.)
    #[cfg(feature = "toml")]
    #[cfg_attr(docsrs, doc(cfg(feature = "toml")))]
    pub fn from_toml(text: &str) -> Result<DesiredReports, DesiredError> {
        let file: File = toml::from_str(text).map_err(|e| DesiredError {
            entry: None,
            key: None,
            message: toml_message(text, &e),
        })?;
        file.into_desired()
    }

    /// The JSON form of the file, pretty-printed.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(&File::from(self)).unwrap_or_default()
    }

    /// The TOML form of the file.
    #[cfg(feature = "toml")]
    #[cfg_attr(docsrs, doc(cfg(feature = "toml")))]
    pub fn to_toml_string(&self) -> String {
        toml::to_string(&File::from(self)).unwrap_or_default()
    }

    /// The file that describes the monthly reports of `tenants` among `reports` as they are:
    /// one entry per report with every member set (`recipients` for sent reports that have
    /// some), ids pinned only where two reports of a tenant share a kind and result action. A
    /// plan between it and the same reports has no change. One-time reports and other
    /// tenants' reports are left out. Values this version of the crate does not know (a kind,
    /// level, result action or format) are written as the server sent them: a plan accepts
    /// them because the reports hold them. Entries are ordered by tenant (as given), kind,
    /// result action and id.
    pub fn describing(tenants: &[TenantId], reports: &[Report]) -> DesiredReports {
        let mut entries = Vec::new();
        let mut seen = BTreeSet::new();
        for tenant in tenants {
            if !seen.insert(*tenant) {
                continue;
            }
            let mut mine: Vec<&Report> = reports
                .iter()
                .filter(|r| {
                    r.parameters.tenant_id == *tenant
                        && r.schedule.schedule_type == ScheduleType::Monthly
                })
                .collect();
            mine.sort_by(|a, b| {
                let key = |r: &Report| {
                    (
                        r.parameters.kind.as_str().to_owned(),
                        r.result_action.as_str().to_owned(),
                        r.id,
                    )
                };
                key(a).cmp(&key(b))
            });
            let mut per_identity: BTreeMap<(&str, &str), usize> = BTreeMap::new();
            for r in &mine {
                *per_identity
                    .entry((r.parameters.kind.as_str(), r.result_action.as_str()))
                    .or_default() += 1;
            }
            for r in mine {
                let p = &r.parameters;
                let shared = per_identity[&(p.kind.as_str(), r.result_action.as_str())] > 1;
                entries.push(DesiredReport {
                    tenants: vec![*tenant],
                    kind: p.kind.clone(),
                    level: p.level.clone(),
                    result_action: r.result_action.clone(),
                    formats: (!p.formats.is_empty()).then(|| p.formats.clone()),
                    enabled: Some(r.schedule.enabled),
                    recipients: (r.result_action != ResultAction::Save && !r.recipients.is_empty())
                        .then(|| r.recipients.clone()),
                    hide_zero_usage: p.hide_zero_usage,
                    show_skus: p.show_skus,
                    id: shared.then_some(r.id),
                    selector: None,
                    protect: false,
                    resolved: false,
                });
            }
        }
        DesiredReports::new(entries)
    }

    /// The file that describes the monthly reports of the tenants `selector` takes from
    /// `listing` (the subtree, as [`TenantSelector::select`] reads it) among `reports`.
    ///
    /// Without `group`, it is [`describing`](Self::describing) those tenants: one entry per
    /// report. With `group`, each identity (kind and result action) that at least half of
    /// the tenants, and at least two, have alike gets one entry with the selector, the
    /// tenants that lack it or differ excluded (`exclude_tenants`); those tenants' reports
    /// get entries of their own, as do reports two of a tenant share an identity with. Either
    /// way a plan between it and the same tenants and reports has no change.
    pub fn describing_under(
        selector: &TenantSelector,
        listing: &[Tenant],
        reports: &[Report],
        group: bool,
    ) -> DesiredReports {
        let tenants = selector.select(listing);
        let each = DesiredReports::describing(&tenants, reports);
        if !group || tenants.len() < 2 {
            return each;
        }
        // Each tenant's entries by identity; an identity pinned in a tenant (two reports
        // share it) stays that tenant's own.
        type Identity = (String, String);
        let identity = |e: &DesiredReport| {
            (
                e.kind.as_str().to_owned(),
                e.result_action.as_str().to_owned(),
            )
        };
        let mut identities: Vec<Identity> = Vec::new();
        let mut shapes: BTreeMap<Identity, Vec<(TenantId, DesiredReport)>> = BTreeMap::new();
        for entry in &each.reports {
            if entry.id.is_some() {
                continue;
            }
            let key = identity(entry);
            if !identities.contains(&key) {
                identities.push(key.clone());
            }
            let mut shape = entry.clone();
            shape.tenants.clear();
            shapes
                .entry(key)
                .or_default()
                .push((entry.tenants[0], shape));
        }
        let mut grouped: Vec<DesiredReport> = Vec::new();
        let mut covered: BTreeSet<(TenantId, Identity)> = BTreeSet::new();
        for key in identities {
            let held = &shapes[&key];
            // The most common shape, the first to appear on a tie.
            let mut best: Option<(&DesiredReport, usize)> = None;
            for (_, shape) in held {
                let n = held.iter().filter(|(_, s)| s == shape).count();
                if best.is_none_or(|(_, m)| n > m) {
                    best = Some((shape, n));
                }
            }
            let Some((shape, n)) = best else { continue };
            if n < 2 || n * 2 < tenants.len() {
                continue;
            }
            let alike: BTreeSet<TenantId> = held
                .iter()
                .filter(|(_, s)| s == shape)
                .map(|(t, _)| *t)
                .collect();
            let mut entry = shape.clone();
            let mut exclude = selector.exclude.clone();
            exclude.extend(tenants.iter().filter(|t| !alike.contains(t)));
            entry.selector = Some(TenantSelector {
                exclude,
                ..selector.clone()
            });
            grouped.push(entry);
            covered.extend(alike.into_iter().map(|t| (t, key.clone())));
        }
        // What no selector entry covers, as `describing` wrote it.
        grouped.extend(
            each.reports
                .into_iter()
                .filter(|e| e.id.is_some() || !covered.contains(&(e.tenants[0], identity(e)))),
        );
        DesiredReports::new(grouped)
    }

    /// The tenants the entries name, each once, in the order they first appear.
    pub fn tenants(&self) -> Vec<TenantId> {
        let mut seen = BTreeSet::new();
        self.reports
            .iter()
            .flat_map(|r| r.tenants.iter().copied())
            .filter(|t| seen.insert(*t))
            .collect()
    }

    /// Checks what the types cannot: every entry names a tenant or a selector, not both (and
    /// a pinned one exactly one tenant), no tenant twice; no empty `formats` or
    /// `tenant_kinds`; no
    /// `recipients` with `result_action = save`, and not an empty list with `send`; no two
    /// entries of a tenant with the same identity (kind and result action, or pinned id),
    /// counting the tenants of [resolved](Self::resolve) selectors.
    ///
    /// # Errors
    ///
    /// The first problem, naming the entry (counted from 1, in the file's order) and the key.
    pub fn check(&self) -> Result<(), DesiredError> {
        let mut identities: BTreeMap<(TenantId, String, String), usize> = BTreeMap::new();
        let mut pinned: BTreeMap<ReportId, usize> = BTreeMap::new();
        for (i, entry) in self.reports.iter().enumerate() {
            let n = i + 1;
            let bad = |key: &str, message: String| {
                Err(DesiredError {
                    entry: Some(n),
                    key: Some(key.to_owned()),
                    message,
                })
            };
            if let Some(selector) = &entry.selector {
                if !entry.resolved && !entry.tenants.is_empty() {
                    return bad(
                        "tenants_under",
                        "give `tenant`, `tenants` or `tenants_under`, not two of them".into(),
                    );
                }
                if entry.id.is_some() {
                    return bad(
                        "id",
                        "pins one report, of one tenant: give `tenant`, not `tenants_under`".into(),
                    );
                }
                if selector.kinds.is_empty() {
                    return bad(
                        "tenant_kinds",
                        "is empty: leave it out for customers".into(),
                    );
                }
            } else if entry.tenants.is_empty() {
                return bad(
                    "tenant",
                    "no tenant: give `tenant`, `tenants` or `tenants_under`".into(),
                );
            }
            let mut tenants = BTreeSet::new();
            if let Some(t) = entry.tenants.iter().find(|t| !tenants.insert(**t)) {
                return bad("tenants", format!("{t} is named twice"));
            }
            if entry.formats.as_ref().is_some_and(Vec::is_empty) {
                return bad(
                    "formats",
                    "is empty: leave it out for the API's default".into(),
                );
            }
            match (&entry.result_action, &entry.recipients) {
                (ResultAction::Save, Some(_)) => {
                    return bad(
                        "recipients",
                        "a saved report (result_action = \"save\") has no recipients: leave them out".into(),
                    );
                }
                (ResultAction::Send, Some(r)) if r.is_empty() => {
                    return bad(
                        "recipients",
                        "is empty: a sent report needs at least one recipient".into(),
                    );
                }
                _ => {}
            }
            if let Some(id) = entry.id {
                if entry.tenants.len() > 1 {
                    return bad(
                        "id",
                        "pins one report, of one tenant: give `tenant`, not several `tenants`"
                            .into(),
                    );
                }
                if let Some(first) = pinned.insert(id, n) {
                    return bad("id", format!("report {id} is pinned by entry {first} too"));
                }
                continue;
            }
            for tenant in &entry.tenants {
                let identity = (
                    *tenant,
                    entry.kind.as_str().to_owned(),
                    entry.result_action.as_str().to_owned(),
                );
                if let Some(first) = identities.insert(identity, n) {
                    let selected =
                        entry.selector.is_some() || self.reports[first - 1].selector.is_some();
                    return bad(
                        "kind",
                        format!(
                            "entry {first} already describes tenant {tenant}'s {} report with result_action {}: {}",
                            entry.kind,
                            entry.result_action,
                            if selected {
                                "leave the tenant out of one of them with `exclude_tenants`, or merge the two"
                            } else {
                                "merge the two, or pin each to its report with `id`"
                            }
                        ),
                    );
                }
            }
        }
        Ok(())
    }
}

impl DesiredReport {
    /// An entry for `tenant`'s monthly report at `level`, of `kind`, sent (result action
    /// `send`), every other member left unmanaged.
    pub fn new(tenant: TenantId, level: Level, kind: ReportKind) -> DesiredReport {
        DesiredReport {
            tenants: vec![tenant],
            kind,
            level,
            result_action: ResultAction::Send,
            formats: None,
            enabled: None,
            recipients: None,
            hide_zero_usage: None,
            show_skus: None,
            id: None,
            selector: None,
            protect: false,
            resolved: false,
        }
    }

    /// An entry for the monthly report at `level`, of `kind`, that each tenant `selector`
    /// takes should have, sent, every other member left unmanaged. Its tenants are looked up
    /// when planning ([`DesiredReports::resolve`]).
    pub fn under(selector: TenantSelector, level: Level, kind: ReportKind) -> DesiredReport {
        let mut entry = DesiredReport::new(selector.under, level, kind);
        entry.tenants.clear();
        entry.selector = Some(selector);
        entry
    }

    /// Whether its tenants are known: it has no selector, or the selector was
    /// [resolved](DesiredReports::resolve).
    pub fn is_resolved(&self) -> bool {
        self.selector.is_none() || self.resolved
    }

    /// Protects the reports the entry matches: a plan that would delete or replace one is
    /// refused (default `false`).
    pub fn protect(mut self, protect: bool) -> DesiredReport {
        self.protect = protect;
        self
    }

    /// The same entry for each of these tenants (replaces the tenant given to
    /// [`new`](Self::new)).
    pub fn for_tenants(mut self, tenants: impl IntoIterator<Item = TenantId>) -> DesiredReport {
        self.tenants = tenants.into_iter().collect();
        self
    }

    /// Saved rather than sent: `result_action = "save"` (default: `send`).
    pub fn save(mut self) -> DesiredReport {
        self.result_action = ResultAction::Save;
        self
    }

    /// Manages `formats` (default: unmanaged).
    pub fn formats(mut self, formats: impl IntoIterator<Item = ReportFormat>) -> DesiredReport {
        self.formats = Some(formats.into_iter().collect());
        self
    }

    /// Manages `schedule.enabled` (default: unmanaged).
    pub fn enabled(mut self, enabled: bool) -> DesiredReport {
        self.enabled = Some(enabled);
        self
    }

    /// Manages `recipients` (default: unmanaged).
    pub fn recipients(mut self, recipients: impl IntoIterator<Item = UserId>) -> DesiredReport {
        self.recipients = Some(recipients.into_iter().collect());
        self
    }

    /// Manages `parameters.hide_zero_usage` (default: unmanaged).
    pub fn hide_zero_usage(mut self, hide: bool) -> DesiredReport {
        self.hide_zero_usage = Some(hide);
        self
    }

    /// Manages `parameters.show_skus` (default: unmanaged).
    pub fn show_skus(mut self, show: bool) -> DesiredReport {
        self.show_skus = Some(show);
        self
    }

    /// Pins the entry to one existing report (default: matched by kind and result action).
    pub fn pin(mut self, id: ReportId) -> DesiredReport {
        self.id = Some(id);
        self
    }

    /// The members holding a value this version of the crate does not know (read from a file
    /// or copied from a report), each with the error parsing it as a known one gives: the
    /// key (`kind`, `level`, `result_action`, `formats`) and, in the error, the value. A
    /// [plan](crate::plan::Plan::between) sends such a value as written when a report of the
    /// file's tenants holds it, and refuses it otherwise (a typo, most likely).
    pub fn unknown_values(&self) -> Vec<(&'static str, ParseEnumError)> {
        let mut found = Vec::new();
        found.extend(self.kind.unknown_error().map(|e| ("kind", e)));
        found.extend(self.level.unknown_error().map(|e| ("level", e)));
        found.extend(
            self.result_action
                .unknown_error()
                .map(|e| ("result_action", e)),
        );
        for format in self.formats.iter().flatten() {
            found.extend(format.unknown_error().map(|e| ("formats", e)));
        }
        found
    }
}

/// What is wrong with a desired-state file or a [`DesiredReports`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DesiredError {
    /// The entry at fault, counted from 1 in the file's order (`None`: the file as a whole,
    /// or a syntax error whose message gives the line).
    pub entry: Option<usize>,
    /// The key at fault, like `recipients`.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DesiredError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.entry, &self.key) {
            (Some(n), Some(key)) => write!(f, "report entry {n}: {key}: {}", self.message),
            (Some(n), None) => write!(f, "report entry {n}: {}", self.message),
            (None, Some(key)) => write!(f, "{key}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DesiredError {}

impl DesiredError {
    /// An entry whose selector was not resolved, given to a plan.
    pub(crate) fn unresolved(entry: usize) -> DesiredError {
        DesiredError {
            entry: Some(entry),
            key: Some("tenants_under".into()),
            message: "its tenants were not looked up: resolve the desired reports first \
                      (DesiredReports::resolve; Client::plan does)"
                .into(),
        }
    }
}

/// The file's shape, as serde reads and writes it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    prune: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    protect: bool,
    #[serde(default)]
    report: Vec<Entry>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One `[[report]]` table. Values are read as text and parsed afterwards, so that an error
/// names the entry and the key. Enum values this version does not know are kept:
/// [`Plan::between`](crate::plan::Plan::between) accepts them only when a report holds them.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenants: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenants_under: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant_kinds: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exclude_tenants: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    include_disabled: Option<bool>,
    kind: Option<String>,
    level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result_action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    formats: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recipients: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hide_zero_usage: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    show_skus: Option<bool>,
    #[serde(default, skip_serializing_if = "is_false")]
    protect: bool,
}

impl File {
    fn into_desired(self) -> Result<DesiredReports, DesiredError> {
        let mut reports = Vec::with_capacity(self.report.len());
        for (i, entry) in self.report.into_iter().enumerate() {
            reports.push(entry.into_desired(i + 1)?);
        }
        let desired = DesiredReports {
            prune: self.prune,
            protect: self.protect,
            reports,
        };
        desired.check()?;
        Ok(desired)
    }
}

impl Entry {
    fn into_desired(self, n: usize) -> Result<DesiredReport, DesiredError> {
        fn parse<T: FromStr>(n: usize, key: &str, text: &str) -> Result<T, DesiredError>
        where
            T::Err: fmt::Display,
        {
            text.parse().map_err(|e: T::Err| DesiredError {
                entry: Some(n),
                key: Some(key.to_owned()),
                message: e.to_string(),
            })
        }
        fn list<T: FromStr>(n: usize, key: &str, texts: &[String]) -> Result<Vec<T>, DesiredError>
        where
            T::Err: fmt::Display,
        {
            texts.iter().map(|t| parse(n, key, t)).collect()
        }
        let missing = |key: &str| DesiredError {
            entry: Some(n),
            key: Some(key.to_owned()),
            message: "is required".into(),
        };
        let given = [
            self.tenant.is_some(),
            self.tenants.is_some(),
            self.tenants_under.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(DesiredError {
                entry: Some(n),
                key: Some(
                    if self.tenants_under.is_some() {
                        "tenants_under"
                    } else {
                        "tenants"
                    }
                    .into(),
                ),
                message: "give `tenant`, `tenants` or `tenants_under`, not two of them".into(),
            });
        }
        if self.tenants_under.is_none() {
            for (key, given) in [
                ("tenant_kinds", self.tenant_kinds.is_some()),
                ("exclude_tenants", self.exclude_tenants.is_some()),
                ("include_disabled", self.include_disabled.is_some()),
            ] {
                if given {
                    return Err(DesiredError {
                        entry: Some(n),
                        key: Some(key.into()),
                        message: "chooses among the tenants of `tenants_under`: give it too".into(),
                    });
                }
            }
        }
        let tenants = match (&self.tenant, &self.tenants) {
            (Some(t), _) => vec![parse(n, "tenant", t)?],
            (None, Some(ts)) => list(n, "tenants", ts)?,
            (None, None) if self.tenants_under.is_some() => Vec::new(),
            (None, None) => return Err(missing("tenant")),
        };
        let selector = match &self.tenants_under {
            None => None,
            Some(root) => Some(TenantSelector {
                under: parse(n, "tenants_under", root)?,
                kinds: match &self.tenant_kinds {
                    None => vec![TenantKind::Customer],
                    // A kind this version does not know is a typo here: no tenant is read yet
                    // to hold it.
                    Some(kinds) => list(n, "tenant_kinds", kinds)?,
                },
                exclude: self
                    .exclude_tenants
                    .as_deref()
                    .map(|t| list(n, "exclude_tenants", t))
                    .transpose()?
                    .unwrap_or_default(),
                include_disabled: self.include_disabled.unwrap_or(false),
            }),
        };
        Ok(DesiredReport {
            tenants,
            kind: ReportKind::from_text(self.kind.as_deref().ok_or_else(|| missing("kind"))?),
            level: Level::from_text(self.level.as_deref().ok_or_else(|| missing("level"))?),
            result_action: self
                .result_action
                .as_deref()
                .map_or(ResultAction::Send, ResultAction::from_text),
            formats: self
                .formats
                .as_deref()
                .map(|f| f.iter().map(|t| ReportFormat::from_text(t)).collect()),
            enabled: self.enabled,
            recipients: self
                .recipients
                .as_deref()
                .map(|r| list(n, "recipients", r))
                .transpose()?,
            hide_zero_usage: self.hide_zero_usage,
            show_skus: self.show_skus,
            id: self
                .id
                .as_deref()
                .map(|id| parse(n, "id", id))
                .transpose()?,
            selector,
            protect: self.protect,
            resolved: false,
        })
    }
}

impl From<&DesiredReports> for File {
    fn from(desired: &DesiredReports) -> File {
        fn texts<T: ToString>(items: &[T]) -> Vec<String> {
            items.iter().map(ToString::to_string).collect()
        }
        File {
            prune: desired.prune,
            protect: desired.protect,
            report: desired
                .reports
                .iter()
                .map(|r| {
                    // A selector is written as such, resolved or not: the file says where
                    // its tenants come from.
                    let (tenant, tenants) = match (&r.selector, r.tenants.as_slice()) {
                        (Some(_), _) => (None, None),
                        (None, [one]) => (Some(one.to_string()), None),
                        (None, many) => {
                            (None, Some(many.iter().map(ToString::to_string).collect()))
                        }
                    };
                    let selector = r.selector.as_ref();
                    Entry {
                        id: r.id.map(|id| id.to_string()),
                        tenant,
                        tenants,
                        kind: Some(r.kind.to_string()),
                        level: Some(r.level.to_string()),
                        result_action: Some(r.result_action.to_string()),
                        formats: r
                            .formats
                            .as_deref()
                            .map(|f| f.iter().map(ToString::to_string).collect()),
                        enabled: r.enabled,
                        recipients: r.recipients.as_deref().map(texts::<UserId>),
                        hide_zero_usage: r.hide_zero_usage,
                        show_skus: r.show_skus,
                        tenants_under: selector.map(|s| s.under.to_string()),
                        // Customers, the default, are not written.
                        tenant_kinds: selector
                            .filter(|s| s.kinds != [TenantKind::Customer])
                            .map(|s| texts(&s.kinds)),
                        exclude_tenants: selector
                            .filter(|s| !s.exclude.is_empty())
                            .map(|s| texts(&s.exclude)),
                        include_disabled: selector.filter(|s| s.include_disabled).map(|_| true),
                        protect: r.protect,
                    }
                })
                .collect(),
        }
    }
}
