//! [`SavedPlan`]: a [`Plan`] written down to be applied later, as Terraform's `plan -out`,
//! and the pure check that tells whether it is still the plan to apply ([`Stale`]).
//!
//! A saved plan carries what the plan was made from: the desired reports themselves (so that
//! applying it needs no other file), the SHA-256 of the file they were read from, each
//! planned tenant's monthly reports with their versions, the tenants each selector entry
//! resolved to, and every action with exactly the requests applying it sends.
//! [`Client::check_saved`](crate::Client::check_saved) reads the same again, makes the plan
//! anew, and refuses when anything differs: a report's version, a report that appeared or
//! disappeared, a selector that resolves to other tenants, or another plan (a newer version of
//! this crate that plans otherwise). What was reviewed is then exactly what is applied.
//!
//! Pure, like [`plan`](crate::plan): no I/O.
//!
//! ```
//! use acronis_reports::desired::{DesiredReport, DesiredReports};
//! use acronis_reports::plan::Plan;
//! use acronis_reports::saved_plan::{SavedPlan, Stale};
//! use acronis_reports::{Level, Report, ReportKind};
//!
//! let tenant = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc".parse()?;
//! let mut report = Report::new("20dffb36-d77b-45c6-b2fa-39276e98d5fc".parse()?, tenant);
//! report.version = 3;
//! let file = br#"{"report": [{"tenant": "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc",
//!     "kind": "usage_summary", "level": "all_customers", "result_action": "save"}]}"#;
//! let desired = DesiredReports::from_json(file)?;
//! let plan = Plan::between(&desired, &[report.clone()])?;
//!
//! let saved = SavedPlan::new(&plan, &desired, file);
//! let text = saved.to_json_string();
//! assert!(SavedPlan::is_saved_plan(text.as_bytes()));
//! let read = SavedPlan::from_json(text.as_bytes())?;
//! assert_eq!(read, saved);
//! assert!(read.stale(&plan).is_empty());
//!
//! // Someone changed the report meanwhile.
//! report.version = 4;
//! let now = Plan::between(&desired, &[report])?;
//! assert_eq!(
//!     read.stale(&now)[0].to_string(),
//!     "report 20dffb36-d77b-45c6-b2fa-39276e98d5fc in tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc \
//!      is at version 4, not 3 as the plan read it"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The format
//!
//! JSON, one object (the members below, in this order; `docs/desired-state.md` has an
//! example):
//!
//! - `format`: always `"acronis-reports-plan"` (how a saved plan is told from a
//!   desired-state file: by content, not by its name);
//! - `format_version`: `1`; a reader refuses a version it does not know;
//! - `tool_version`: the version of this crate that made it;
//! - `desired`: `sha256` (of the desired-state file's bytes, lowercase hex) and `reports` (the
//!   desired reports, as [`DesiredReports::to_json_string`] writes them);
//! - `reads`: `tenants` (each `{"tenant", "reports": [{"id", "version"}]}`: its monthly
//!   reports) and `selectors` (each `{"entry", "tenants": [...]}`);
//! - `actions`: each `{"action", "tenant", "entry", "id", "version", "requests"}`, as the plan
//!   orders them (`id` and `version` are the existing report's, `null` for a create; `entry`
//!   is `null` for a report no entry matches), `requests` each `{"method", "path", "body"}`
//!   (the body as JSON, `null` for none).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::desired::{DesiredError, DesiredReports};
use crate::id::{ReportId, TenantId};
use crate::plan::{Action, ActionKind, Plan, PlanError, PlanReads, SelectorReads, TenantReads};
use crate::transport::Method;

/// The value of a saved plan's `format` member.
pub const FORMAT: &str = "acronis-reports-plan";

/// The `format_version` this version writes, and the only one it reads.
pub const FORMAT_VERSION: u64 = 1;

/// The version of this crate, written into each saved plan as `tool_version`.
const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How many reasons an error message names before it counts the rest.
const NAMED: usize = 10;

/// A [`Plan`] with what it was made from, to be applied later: see the [module](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPlan {
    tool_version: String,
    desired_sha256: String,
    desired: DesiredReports,
    reads: PlanReads,
    actions: Vec<SavedAction>,
}

/// One action of a saved plan: what it is about, and exactly what applying it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SavedAction {
    /// The kind of action.
    pub kind: ActionKind,
    /// The entry it comes from, counted from 1; `None` for a report no entry matches.
    pub entry: Option<usize>,
    /// The tenant.
    pub tenant: TenantId,
    /// The existing report it is about, with the version the plan read; `None` for a create.
    pub report: Option<(ReportId, i64)>,
    /// The requests applying it sends, in order (none for unchanged and unmanaged).
    pub requests: Vec<SavedRequest>,
}

/// A request of a [`SavedAction`], as the plan's
/// [`PlannedRequest`](crate::plan::PlannedRequest) gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SavedRequest {
    /// The method.
    pub method: Method,
    /// The path below the base URL, with its query.
    pub path: String,
    /// The body as JSON (compared as JSON: the order of its members does not matter); `None`
    /// for none.
    pub body: Option<Value>,
}

impl SavedAction {
    /// The saved form of `action`.
    pub fn of(action: &Action) -> SavedAction {
        SavedAction {
            kind: action.kind(),
            entry: action.entry(),
            tenant: action.tenant(),
            report: action.current().map(|r| (r.id, r.version)),
            requests: action
                .requests()
                .into_iter()
                .map(|r| SavedRequest {
                    method: r.method,
                    path: r.path,
                    body: r
                        .body
                        .map(|text| serde_json::from_str(&text).unwrap_or(Value::String(text))),
                })
                .collect(),
        }
    }
}

impl fmt::Display for SavedAction {
    /// `update report ID (version 5) in tenant T, entry 1: PUT /reports/ID {"schedule":...}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        if let Some((id, version)) = self.report {
            write!(f, " report {id} (version {version})")?;
        }
        write!(f, " in tenant {}", self.tenant)?;
        if let Some(entry) = self.entry {
            write!(f, ", entry {entry}")?;
        }
        if self.requests.is_empty() {
            return f.write_str(": no request");
        }
        for (i, request) in self.requests.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { ", then " })?;
            write!(f, "{} {}", request.method, request.path)?;
            if let Some(body) = &request.body {
                write!(f, " {body}")?;
            }
        }
        Ok(())
    }
}

impl SavedPlan {
    /// The saved form of `plan`, made from `desired`, which was read from `source` (the
    /// desired-state file's bytes, whose SHA-256 it keeps; for desired reports built in code,
    /// their [JSON text](DesiredReports::to_json_string), say).
    pub fn new(plan: &Plan, desired: &DesiredReports, source: &[u8]) -> SavedPlan {
        SavedPlan {
            tool_version: TOOL_VERSION.to_owned(),
            desired_sha256: sha256_hex(source),
            desired: desired.clone(),
            reads: plan.reads().clone(),
            actions: plan.actions().iter().map(SavedAction::of).collect(),
        }
    }

    /// The version of this crate that made the plan, like `0.1.0`.
    pub fn tool_version(&self) -> &str {
        &self.tool_version
    }

    /// The SHA-256 of the desired-state file the plan was made from, in lowercase hex (as
    /// `sha256sum` prints it).
    pub fn desired_sha256(&self) -> &str {
        &self.desired_sha256
    }

    /// The desired reports the plan was made from.
    pub fn desired(&self) -> &DesiredReports {
        &self.desired
    }

    /// What the plan read.
    pub fn reads(&self) -> &PlanReads {
        &self.reads
    }

    /// The plan's actions, in its order.
    pub fn actions(&self) -> &[SavedAction] {
        &self.actions
    }

    /// Whether `text` is meant as a saved plan: it holds the member `"format":
    /// "acronis-reports-plan"`, which no desired-state file can hold. A plan cut short or
    /// edited wrongly still is one, and [`from_json`](Self::from_json) says what is wrong
    /// with it.
    pub fn is_saved_plan(text: &[u8]) -> bool {
        let key = br#""format""#;
        let mut rest = text;
        while let Some(at) = find(rest, key) {
            let after = skip_blanks(&rest[at + key.len()..]);
            if let Some(value) = after.strip_prefix(b":") {
                let value = skip_blanks(value);
                if value.starts_with(format!("\"{FORMAT}\"").as_bytes()) {
                    return true;
                }
            }
            rest = &rest[at + key.len()..];
        }
        false
    }

    /// The plan as JSON text (see the [format](self#the-format)), over several lines, ending
    /// in a line break.
    pub fn to_json_string(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.to_file()).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The plan as a JSON value.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.to_file()).unwrap_or_default()
    }

    /// Reads a saved plan (a UTF-8 byte-order mark before it is skipped).
    ///
    /// # Errors
    ///
    /// A [`SavedPlanError`] saying what is wrong: not JSON, or cut short; not a saved plan;
    /// a format version this version does not read; a member missing, unknown or of the wrong
    /// kind (named by its path); desired reports that are invalid; or members that contradict
    /// each other (a hand edit).
    pub fn from_json(text: &[u8]) -> Result<SavedPlan, SavedPlanError> {
        let text = text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(text);
        let value: Value = serde_json::from_slice(text).map_err(|e| {
            // The position is said once, before the parser's words.
            let message = e.to_string();
            let at = format!(" at line {} column {}", e.line(), e.column());
            SavedPlanError::Json {
                line: e.line(),
                column: e.column(),
                truncated: e.is_eof(),
                message: message.strip_suffix(&at).unwrap_or(&message).to_owned(),
            }
        })?;
        let Value::Object(members) = &value else {
            return Err(SavedPlanError::NotAPlan);
        };
        if members.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(SavedPlanError::NotAPlan);
        }
        // The version first: a newer format may differ in anything else.
        match members.get("format_version") {
            Some(Value::Number(n)) if n.as_u64() == Some(FORMAT_VERSION) => {}
            Some(Value::Number(n)) if n.as_u64().is_some() => {
                return Err(SavedPlanError::Version {
                    found: n.as_u64().unwrap_or_default(),
                    tool_version: members
                        .get("tool_version")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                });
            }
            _ => {
                return Err(SavedPlanError::Member {
                    path: "format_version".into(),
                    message: "expected a whole number, like 1".into(),
                });
            }
        }
        let file: File = serde_path_to_error::deserialize(&value).map_err(|e| {
            let path = e.path().to_string();
            SavedPlanError::Member {
                path: if path == "." { String::new() } else { path },
                message: e.into_inner().to_string(),
            }
        })?;
        file.into_plan()
    }

    /// What is stale in this plan, compared with `now`, a plan made anew from the same
    /// desired reports: what [`stale_reads`](Self::stale_reads) finds, or when the reads are
    /// the same, the actions that differ (one reason). Empty: the saved plan is still the
    /// plan to apply, and applying `now` sends exactly its requests.
    pub fn stale(&self, now: &Plan) -> Vec<Stale> {
        let stale = self.stale_reads(now.reads());
        if !stale.is_empty() {
            return stale;
        }
        let now: Vec<SavedAction> = now.actions().iter().map(SavedAction::of).collect();
        let differing: Vec<usize> = (0..self.actions.len().max(now.len()))
            .filter(|i| self.actions.get(*i) != now.get(*i))
            .collect();
        match differing.first() {
            None => Vec::new(),
            Some(&first) => vec![Stale::ActionsDiffer {
                differing: differing.len(),
                action: first + 1,
                saved: self.actions.get(first).cloned().map(Box::new),
                now: now.get(first).cloned().map(Box::new),
                saved_by: self.tool_version.clone(),
            }],
        }
    }

    /// What differs between the reads of this plan and `now`'s: each report whose version
    /// changed, that appeared or that disappeared in a planned tenant, each tenant planned on
    /// one side only (unless a selector's change says so already), and each selector that
    /// resolves to another set of tenants. In the saved plan's order of tenants (then those
    /// new), reports by id.
    pub fn stale_reads(&self, now: &PlanReads) -> Vec<Stale> {
        let mut stale = Vec::new();
        let mut moved = BTreeSet::new();
        let selectors_now: BTreeMap<usize, &SelectorReads> =
            now.selectors.iter().map(|s| (s.entry, s)).collect();
        let selectors_then: BTreeMap<usize, &SelectorReads> =
            self.reads.selectors.iter().map(|s| (s.entry, s)).collect();
        let entries: BTreeSet<usize> = selectors_now
            .keys()
            .chain(selectors_then.keys())
            .copied()
            .collect();
        for entry in entries {
            let then: BTreeSet<TenantId> = selectors_then
                .get(&entry)
                .map(|s| s.tenants.iter().copied().collect())
                .unwrap_or_default();
            let resolved: BTreeSet<TenantId> = selectors_now
                .get(&entry)
                .map(|s| s.tenants.iter().copied().collect())
                .unwrap_or_default();
            if then != resolved {
                let added: Vec<TenantId> = resolved.difference(&then).copied().collect();
                let removed: Vec<TenantId> = then.difference(&resolved).copied().collect();
                moved.extend(added.iter().chain(&removed).copied());
                stale.push(Stale::SelectorChanged {
                    entry,
                    tenants: resolved.len(),
                    added,
                    removed,
                });
            }
        }
        let then: BTreeMap<TenantId, &TenantReads> =
            self.reads.tenants.iter().map(|t| (t.tenant, t)).collect();
        let resolved: BTreeMap<TenantId, &TenantReads> =
            now.tenants.iter().map(|t| (t.tenant, t)).collect();
        for saved in &self.reads.tenants {
            let tenant = saved.tenant;
            let Some(current) = resolved.get(&tenant) else {
                if !moved.contains(&tenant) {
                    stale.push(Stale::TenantNotPlanned { tenant });
                }
                continue;
            };
            let before: BTreeMap<ReportId, i64> = saved.reports.iter().copied().collect();
            let after: BTreeMap<ReportId, i64> = current.reports.iter().copied().collect();
            let ids: BTreeSet<ReportId> = before.keys().chain(after.keys()).copied().collect();
            for id in ids {
                match (before.get(&id), after.get(&id)) {
                    (Some(&saved), Some(&now)) if saved != now => {
                        stale.push(Stale::ReportChanged {
                            tenant,
                            id,
                            saved,
                            now,
                        });
                    }
                    (Some(&version), None) => {
                        stale.push(Stale::ReportDisappeared {
                            tenant,
                            id,
                            version,
                        });
                    }
                    (None, Some(&version)) => {
                        stale.push(Stale::ReportAppeared {
                            tenant,
                            id,
                            version,
                        });
                    }
                    _ => {}
                }
            }
        }
        for current in &now.tenants {
            if !then.contains_key(&current.tenant) && !moved.contains(&current.tenant) {
                stale.push(Stale::TenantNotRead {
                    tenant: current.tenant,
                });
            }
        }
        stale
    }

    fn to_file(&self) -> File {
        let desired = serde_json::from_str(&self.desired.to_json_string()).unwrap_or_default();
        File {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            tool_version: self.tool_version.clone(),
            desired: FileDesired {
                sha256: self.desired_sha256.clone(),
                reports: desired,
            },
            reads: FileReads {
                tenants: self
                    .reads
                    .tenants
                    .iter()
                    .map(|t| FileTenant {
                        tenant: t.tenant.to_string(),
                        reports: t
                            .reports
                            .iter()
                            .map(|(id, version)| FileReport {
                                id: id.to_string(),
                                version: *version,
                            })
                            .collect(),
                    })
                    .collect(),
                selectors: self
                    .reads
                    .selectors
                    .iter()
                    .map(|s| FileSelector {
                        entry: s.entry,
                        tenants: s.tenants.iter().map(ToString::to_string).collect(),
                    })
                    .collect(),
            },
            actions: self
                .actions
                .iter()
                .map(|a| FileAction {
                    action: a.kind.as_str().to_owned(),
                    tenant: a.tenant.to_string(),
                    entry: a.entry,
                    id: a.report.map(|(id, _)| id.to_string()),
                    version: a.report.map(|(_, version)| version),
                    requests: a
                        .requests
                        .iter()
                        .map(|r| FileRequest {
                            method: r.method.as_str().to_owned(),
                            path: r.path.clone(),
                            body: r.body.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The SHA-256 of `bytes`, in lowercase hex.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn skip_blanks(text: &[u8]) -> &[u8] {
    let blanks = text.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &text[blanks..]
}

/// What is wrong with a saved plan's file: see [`SavedPlan::from_json`]. Nothing should be
/// sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SavedPlanError {
    /// The text is not JSON, or breaks off.
    #[error(
        "{}: line {line}, column {column}: {message}",
        if *truncated { "the saved plan breaks off (is the file complete?)" } else { "the saved plan is not valid JSON" }
    )]
    Json {
        /// The line of the problem, from 1.
        line: usize,
        /// Its column, from 1.
        column: usize,
        /// Whether the text ends before the JSON does: a file cut short.
        truncated: bool,
        /// What the JSON parser says.
        message: String,
    },
    /// JSON, but not a saved plan: no `"format": "acronis-reports-plan"`.
    #[error("this is not a saved plan of acronis-reports (its \"format\" is not \"{FORMAT}\")")]
    NotAPlan,
    /// A format version this version does not read.
    #[error(
        "the saved plan is of format version {found}{}; this version of acronis-reports ({TOOL_VERSION}) reads version {FORMAT_VERSION}: apply it with the version that made it, or make the plan again",
        tool_version.as_deref().map(|v| format!(", made by acronis-reports {v}")).unwrap_or_default()
    )]
    Version {
        /// The version the file says.
        found: u64,
        /// The version of the crate that made it, when the file says.
        tool_version: Option<String>,
    },
    /// A member is missing, unknown, or of the wrong kind.
    #[error("the saved plan is not as this version writes it: {}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
    Member {
        /// Where, like `actions[2].requests[0].method`; empty for the whole.
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// The desired reports it holds are not valid desired reports.
    #[error("the saved plan's desired reports are invalid")]
    Desired(#[source] DesiredError),
    /// Members that contradict each other (a hand edit).
    #[error("the saved plan does not hold together: {0}")]
    Inconsistent(String),
}

/// Something that changed since a plan was saved: see [`SavedPlan::stale`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stale {
    /// A report's version differs from the one the plan read.
    ReportChanged {
        /// Its tenant.
        tenant: TenantId,
        /// The report.
        id: ReportId,
        /// The version the plan read.
        saved: i64,
        /// Its version now.
        now: i64,
    },
    /// A monthly report that the plan did not read is in a planned tenant now.
    ReportAppeared {
        /// The tenant.
        tenant: TenantId,
        /// The report.
        id: ReportId,
        /// Its version.
        version: i64,
    },
    /// A monthly report the plan read is no longer in its tenant.
    ReportDisappeared {
        /// The tenant.
        tenant: TenantId,
        /// The report.
        id: ReportId,
        /// The version the plan read.
        version: i64,
    },
    /// A selector entry resolves to another set of tenants.
    SelectorChanged {
        /// The entry, counted from 1.
        entry: usize,
        /// How many tenants it resolves to now.
        tenants: usize,
        /// The tenants it resolves to now and did not then, by id.
        added: Vec<TenantId>,
        /// The tenants it resolved to then and does not now, by id.
        removed: Vec<TenantId>,
    },
    /// A tenant the plan read is not planned now.
    TenantNotPlanned {
        /// The tenant.
        tenant: TenantId,
    },
    /// A tenant is planned now that the plan did not read.
    TenantNotRead {
        /// The tenant.
        tenant: TenantId,
    },
    /// The reads are the same, but no plan can be made from them now (another version of the
    /// crate that plans otherwise, say).
    PlanFails(PlanError),
    /// The reads are the same, but the plan made from them now has other actions (another
    /// version of the crate that plans otherwise, say).
    ActionsDiffer {
        /// How many actions differ, by position.
        differing: usize,
        /// The first that differs, counted from 1.
        action: usize,
        /// It, in the saved plan (`None`: the saved plan has fewer actions).
        saved: Option<Box<SavedAction>>,
        /// It, in the plan made now (`None`: that plan has fewer actions).
        now: Option<Box<SavedAction>>,
        /// The version of the crate that made the saved plan.
        saved_by: String,
    },
}

/// `a, b, c and 4 more`.
fn some_of(tenants: &[TenantId]) -> String {
    const SHOWN: usize = 5;
    let mut text = tenants
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if tenants.len() > SHOWN {
        text.push_str(&format!(" and {} more", tenants.len() - SHOWN));
    }
    text
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stale::ReportChanged {
                tenant,
                id,
                saved,
                now,
            } => write!(
                f,
                "report {id} in tenant {tenant} is at version {now}, not {saved} as the plan read it"
            ),
            Stale::ReportAppeared {
                tenant,
                id,
                version,
            } => write!(
                f,
                "report {id} (version {version}) appeared in tenant {tenant}"
            ),
            Stale::ReportDisappeared {
                tenant,
                id,
                version,
            } => write!(
                f,
                "report {id} (version {version}, as the plan read it) is gone from tenant {tenant}"
            ),
            Stale::SelectorChanged {
                entry,
                tenants,
                added,
                removed,
            } => {
                write!(
                    f,
                    "entry {entry}'s selector now resolves to {tenants} tenant{}",
                    if *tenants == 1 { "" } else { "s" }
                )?;
                let mut sep = ": ";
                if !added.is_empty() {
                    write!(f, "{sep}added {}", some_of(added))?;
                    sep = "; ";
                }
                if !removed.is_empty() {
                    write!(f, "{sep}removed {}", some_of(removed))?;
                }
                Ok(())
            }
            Stale::TenantNotPlanned { tenant } => {
                write!(
                    f,
                    "tenant {tenant}, which the plan read, is not planned now"
                )
            }
            Stale::TenantNotRead { tenant } => write!(
                f,
                "tenant {tenant} is planned now, and the saved plan did not read it"
            ),
            Stale::PlanFails(e) => {
                write!(f, "a plan made now fails: {e}")?;
                // Its sources too: this reason is one item of a list, not an error of its own.
                let mut source = std::error::Error::source(e);
                while let Some(s) = source {
                    write!(f, ": {s}")?;
                    source = s.source();
                }
                Ok(())
            }
            Stale::ActionsDiffer {
                differing,
                action,
                saved,
                now,
                saved_by,
            } => {
                let or_none = |a: &Option<Box<SavedAction>>| {
                    a.as_ref()
                        .map_or_else(|| "no such action".to_owned(), |a| a.to_string())
                };
                write!(
                    f,
                    "the plan made now from the same reads differs from the saved one in {differing} action{} (the saved plan was made by acronis-reports {saved_by}, this is {TOOL_VERSION}); the first, action {action}: saved {}; now {}",
                    if *differing == 1 { "" } else { "s" },
                    or_none(saved),
                    or_none(now)
                )
            }
        }
    }
}

/// A saved plan that is no longer the plan to apply: what changed since it was made. Applying
/// it was refused before any write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StalePlan {
    reasons: Vec<Stale>,
}

impl StalePlan {
    /// A stale plan, for these reasons (at least one, to mean anything).
    pub fn new(reasons: Vec<Stale>) -> StalePlan {
        StalePlan { reasons }
    }

    /// What changed, each thing once.
    pub fn reasons(&self) -> &[Stale] {
        &self.reasons
    }
}

impl fmt::Display for StalePlan {
    /// `the saved plan is stale: REASON; REASON; ... and N more; make a new plan`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the saved plan is stale: ")?;
        for (i, reason) in self.reasons.iter().take(NAMED).enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{reason}")?;
        }
        if self.reasons.len() > NAMED {
            write!(f, "; and {} more", self.reasons.len() - NAMED)?;
        }
        f.write_str("; nothing was changed: make a new plan and review it")
    }
}

impl std::error::Error for StalePlan {}

/// The file's shape, as serde reads and writes it. Ids are read as text and parsed
/// afterwards, so that an error names the member.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format: String,
    format_version: u64,
    tool_version: String,
    desired: FileDesired,
    reads: FileReads,
    actions: Vec<FileAction>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDesired {
    sha256: String,
    reports: Value,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileReads {
    tenants: Vec<FileTenant>,
    selectors: Vec<FileSelector>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTenant {
    tenant: String,
    reports: Vec<FileReport>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileReport {
    id: String,
    version: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSelector {
    entry: usize,
    tenants: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAction {
    action: String,
    tenant: String,
    entry: Option<usize>,
    id: Option<String>,
    version: Option<i64>,
    requests: Vec<FileRequest>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRequest {
    method: String,
    path: String,
    body: Option<Value>,
}

/// A member's text parsed, its error naming the member.
fn parse<T: std::str::FromStr>(path: impl Fn() -> String, text: &str) -> Result<T, SavedPlanError>
where
    T::Err: fmt::Display,
{
    text.parse().map_err(|e: T::Err| SavedPlanError::Member {
        path: path(),
        message: e.to_string(),
    })
}

fn action_kind(text: &str) -> Option<ActionKind> {
    Some(match text {
        "create" => ActionKind::Create,
        "update" => ActionKind::Update,
        "replace" => ActionKind::Replace,
        "delete" => ActionKind::Delete,
        "unchanged" => ActionKind::Unchanged,
        "unmanaged" => ActionKind::Unmanaged,
        _ => return None,
    })
}

fn method(text: &str) -> Option<Method> {
    Some(match text {
        "GET" => Method::Get,
        "PUT" => Method::Put,
        "POST" => Method::Post,
        "DELETE" => Method::Delete,
        _ => return None,
    })
}

impl File {
    fn into_plan(self) -> Result<SavedPlan, SavedPlanError> {
        let member = |path: String, message: &str| SavedPlanError::Member {
            path,
            message: message.to_owned(),
        };
        let sha256 = self.desired.sha256;
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(member(
                "desired.sha256".into(),
                "expected 64 lowercase hex digits",
            ));
        }
        let text = serde_json::to_vec(&self.desired.reports).unwrap_or_default();
        let desired = DesiredReports::from_json(&text).map_err(SavedPlanError::Desired)?;

        let mut tenants = Vec::with_capacity(self.reads.tenants.len());
        for (i, t) in self.reads.tenants.iter().enumerate() {
            let tenant = parse(|| format!("reads.tenants[{i}].tenant"), &t.tenant)?;
            let mut reports = Vec::with_capacity(t.reports.len());
            for (j, r) in t.reports.iter().enumerate() {
                let id = parse(|| format!("reads.tenants[{i}].reports[{j}].id"), &r.id)?;
                reports.push((id, r.version));
            }
            tenants.push(TenantReads::new(tenant, reports));
        }
        let mut selectors = Vec::with_capacity(self.reads.selectors.len());
        for (i, s) in self.reads.selectors.iter().enumerate() {
            let mut resolved = Vec::with_capacity(s.tenants.len());
            for (j, t) in s.tenants.iter().enumerate() {
                resolved.push(parse(|| format!("reads.selectors[{i}].tenants[{j}]"), t)?);
            }
            selectors.push(SelectorReads::new(s.entry, resolved));
        }
        let reads = PlanReads::new(tenants, selectors);

        let mut actions = Vec::with_capacity(self.actions.len());
        for (i, a) in self.actions.iter().enumerate() {
            let at = |m: &str| format!("actions[{i}].{m}");
            let kind = action_kind(&a.action).ok_or_else(|| {
                member(
                    at("action"),
                    "expected create, update, replace, delete, unchanged or unmanaged",
                )
            })?;
            let tenant = parse(|| at("tenant"), &a.tenant)?;
            let report = match (&a.id, a.version) {
                (Some(id), Some(version)) => Some((parse(|| at("id"), id)?, version)),
                (None, None) => None,
                _ => {
                    return Err(member(
                        at("version"),
                        "`id` and `version` go together: both set, or both null",
                    ));
                }
            };
            if (kind == ActionKind::Create) != report.is_none() {
                return Err(member(
                    at("id"),
                    "a create has no report yet (`id` null), every other action has one",
                ));
            }
            let mut requests = Vec::with_capacity(a.requests.len());
            for (j, r) in a.requests.iter().enumerate() {
                let method = method(&r.method).ok_or_else(|| {
                    member(
                        at(&format!("requests[{j}].method")),
                        "expected GET, PUT, POST or DELETE",
                    )
                })?;
                requests.push(SavedRequest {
                    method,
                    path: r.path.clone(),
                    body: r.body.clone(),
                });
            }
            actions.push(SavedAction {
                kind,
                entry: a.entry,
                tenant,
                report,
                requests,
            });
        }
        let plan = SavedPlan {
            tool_version: self.tool_version,
            desired_sha256: sha256,
            desired,
            reads,
            actions,
        };
        plan.check()?;
        Ok(plan)
    }
}

impl SavedPlan {
    /// What a hand edit may break and the types do not keep: every tenant the desired reports
    /// name is read, once; every tenant read is named or selected; each report is read once;
    /// selectors and actions name entries of the file; actions name tenants read.
    fn check(&self) -> Result<(), SavedPlanError> {
        let bad = |message: String| Err(SavedPlanError::Inconsistent(message));
        let entries = self.desired.reports.len();
        let mut read = BTreeSet::new();
        let mut reports = BTreeSet::new();
        for t in &self.reads.tenants {
            if !read.insert(t.tenant) {
                return bad(format!("tenant {} is read twice", t.tenant));
            }
            for (id, _) in &t.reports {
                if !reports.insert(*id) {
                    return bad(format!("report {id} is read twice"));
                }
            }
        }
        let mut selected = BTreeSet::new();
        let mut selector_entries = BTreeSet::new();
        for s in &self.reads.selectors {
            if s.entry == 0 || s.entry > entries {
                return bad(format!(
                    "a selector of entry {}, and the desired reports have {entries} entries",
                    s.entry
                ));
            }
            if !selector_entries.insert(s.entry) {
                return bad(format!("entry {}'s selector is read twice", s.entry));
            }
            selected.extend(s.tenants.iter().copied());
        }
        let named = self.desired.tenants();
        if let Some(t) = named.iter().find(|t| !read.contains(*t)) {
            return bad(format!(
                "the desired reports name tenant {t}, whose reports were not read"
            ));
        }
        let named: BTreeSet<TenantId> = named.into_iter().collect();
        if let Some(t) = read
            .iter()
            .find(|t| !named.contains(*t) && !selected.contains(*t))
        {
            return bad(format!(
                "tenant {t} was read, and the desired reports neither name nor select it"
            ));
        }
        for (i, a) in self.actions.iter().enumerate() {
            if let Some(entry) = a.entry.filter(|e| *e == 0 || *e > entries) {
                return bad(format!(
                    "action {} comes from entry {entry}, and the desired reports have {entries} entries",
                    i + 1
                ));
            }
            if !read.contains(&a.tenant) {
                return bad(format!(
                    "action {} is in tenant {}, whose reports were not read",
                    i + 1,
                    a.tenant
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desired::DesiredReport;
    use crate::enums::{Level, ReportKind};
    use crate::model::Report;

    fn t(n: u8) -> TenantId {
        format!("{n:08x}-0000-4000-8000-000000000000")
            .parse()
            .unwrap()
    }

    fn r(n: u8) -> ReportId {
        format!("{n:08x}-1111-4111-8111-111111111111")
            .parse()
            .unwrap()
    }

    /// A monthly report: of kind `usage_summary` for ids below 2, `usage_current` from 2 on
    /// (which no entry matches).
    fn report(id: u8, tenant: u8, version: i64) -> Report {
        let mut report = Report::new(r(id), t(tenant));
        report.version = version;
        if id >= 2 {
            report.parameters.kind = ReportKind::UsageCurrent;
        }
        report
    }

    fn desired() -> DesiredReports {
        DesiredReports::new([
            DesiredReport::new(t(1), Level::AllCustomers, ReportKind::UsageSummary).save(),
            DesiredReport::new(t(2), Level::Itself, ReportKind::UsageDaily).save(),
        ])
    }

    fn saved(actual: &[Report]) -> SavedPlan {
        let desired = desired();
        let plan = Plan::between(&desired, actual).unwrap();
        SavedPlan::new(&plan, &desired, desired.to_json_string().as_bytes())
    }

    #[test]
    fn a_saved_plan_reads_back_as_it_was_written() {
        let actual = [report(1, 1, 3), report(2, 1, 7)];
        let saved = saved(&actual);
        let text = saved.to_json_string();
        assert!(SavedPlan::is_saved_plan(text.as_bytes()));
        assert_eq!(SavedPlan::from_json(text.as_bytes()).unwrap(), saved);
        // With a byte-order mark too, and from its JSON value.
        let bom = format!("\u{feff}{text}");
        assert_eq!(SavedPlan::from_json(bom.as_bytes()).unwrap(), saved);
        let value = saved.to_json().to_string();
        assert_eq!(SavedPlan::from_json(value.as_bytes()).unwrap(), saved);
        assert_eq!(saved.tool_version(), env!("CARGO_PKG_VERSION"));
        assert_eq!(
            saved.desired_sha256(),
            sha256_hex(desired().to_json_string().as_bytes())
        );
        assert_eq!(
            saved.reads().tenants,
            [
                TenantReads::new(t(1), [(r(1), 3), (r(2), 7)]),
                TenantReads::new(t(2), [])
            ]
        );
    }

    #[test]
    fn the_digest_is_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn an_unchanged_world_is_not_stale_and_each_change_is_named() {
        let actual = [report(1, 1, 3), report(2, 1, 7)];
        let saved = saved(&actual);
        let now = |actual: &[Report]| Plan::between(&desired(), actual).unwrap();
        assert!(saved.stale(&now(&actual)).is_empty());

        // One report changed, one gone, one new (in the other tenant).
        let changed = [report(1, 1, 4), report(3, 2, 1)];
        assert_eq!(
            saved.stale(&now(&changed)),
            [
                Stale::ReportChanged {
                    tenant: t(1),
                    id: r(1),
                    saved: 3,
                    now: 4
                },
                Stale::ReportDisappeared {
                    tenant: t(1),
                    id: r(2),
                    version: 7
                },
                Stale::ReportAppeared {
                    tenant: t(2),
                    id: r(3),
                    version: 1
                },
            ]
        );
        let stale = StalePlan::new(saved.stale(&now(&changed))).to_string();
        assert_eq!(
            stale,
            format!(
                "the saved plan is stale: report {} in tenant {} is at version 4, not 3 as the plan read it; \
                 report {} (version 7, as the plan read it) is gone from tenant {}; \
                 report {} (version 1) appeared in tenant {}; nothing was changed: make a new plan and review it",
                r(1),
                t(1),
                r(2),
                t(1),
                r(3),
                t(2)
            )
        );
    }

    #[test]
    fn one_time_reports_do_not_make_a_plan_stale() {
        let actual = [report(1, 1, 3)];
        let saved = saved(&actual);
        let mut once = report(9, 1, 1);
        once.schedule.schedule_type = crate::enums::ScheduleType::Once;
        let now = Plan::between(&desired(), &[report(1, 1, 3), once]).unwrap();
        assert!(saved.stale(&now).is_empty());
    }

    #[test]
    fn selectors_and_tenants_that_changed_are_named() {
        let saved = SavedPlan {
            reads: PlanReads::new(
                [
                    TenantReads::new(t(1), []),
                    TenantReads::new(t(2), []),
                    TenantReads::new(t(3), []),
                    TenantReads::new(t(4), []),
                ],
                [SelectorReads::new(2, [t(3), t(4)])],
            ),
            ..saved(&[])
        };
        let now = PlanReads::new(
            [
                TenantReads::new(t(1), []),
                TenantReads::new(t(2), []),
                TenantReads::new(t(4), []),
                TenantReads::new(t(5), []),
                TenantReads::new(t(6), []),
            ],
            [SelectorReads::new(2, [t(4), t(5)])],
        );
        let stale = saved.stale_reads(&now);
        assert_eq!(
            stale,
            [
                Stale::SelectorChanged {
                    entry: 2,
                    tenants: 2,
                    added: vec![t(5)],
                    removed: vec![t(3)]
                },
                // Neither named nor selected in the saved plan: said on its own.
                Stale::TenantNotRead { tenant: t(6) },
            ]
        );
        assert_eq!(
            stale[0].to_string(),
            format!(
                "entry 2's selector now resolves to 2 tenants: added {}; removed {}",
                t(5),
                t(3)
            )
        );
        // A tenant read then and not now, that no selector accounts for.
        let mut without_1 = now.clone();
        without_1.tenants.remove(0);
        assert_eq!(
            saved.stale_reads(&without_1)[1..],
            [
                Stale::TenantNotPlanned { tenant: t(1) },
                Stale::TenantNotRead { tenant: t(6) }
            ]
        );
        assert_eq!(
            Stale::TenantNotPlanned { tenant: t(1) }.to_string(),
            format!("tenant {}, which the plan read, is not planned now", t(1))
        );
        // Only added.
        let only_added = Stale::SelectorChanged {
            entry: 1,
            tenants: 1,
            added: vec![t(7)],
            removed: vec![],
        };
        assert_eq!(
            only_added.to_string(),
            format!(
                "entry 1's selector now resolves to 1 tenant: added {}",
                t(7)
            )
        );
        // A saved plan with selectors reads back with them.
        let text = saved.to_json_string();
        assert_eq!(SavedPlan::from_json(text.as_bytes()).unwrap(), saved);
    }

    #[test]
    fn other_actions_from_the_same_reads_are_stale() {
        let actual = [report(1, 1, 3)];
        let mut saved = saved(&actual);
        let now = Plan::between(&desired(), &actual).unwrap();
        // As a plan of another version would have it: another body.
        saved.actions[0].requests[0].body = Some(serde_json::json!({"parameters": {}}));
        saved.tool_version = "0.0.9".into();
        let stale = saved.stale(&now);
        assert_eq!(stale.len(), 1);
        let Stale::ActionsDiffer {
            differing, action, ..
        } = &stale[0]
        else {
            panic!("{stale:?}")
        };
        assert_eq!((*differing, *action), (1, 1));
        let text = stale[0].to_string();
        assert!(
            text.starts_with(&format!(
                "the plan made now from the same reads differs from the saved one in 1 action \
                 (the saved plan was made by acronis-reports 0.0.9, this is {TOOL_VERSION}); \
                 the first, action 1: saved update report {} (version 3) in tenant {}, entry 1: \
                 PUT /reports/{} {{\"parameters\":{{}}}}; now update report",
                r(1),
                t(1),
                r(1)
            )),
            "{text}"
        );
        // A missing action, the others as they were.
        let mut saved = self::saved(&actual);
        saved.actions.pop();
        let stale = saved.stale(&now);
        assert!(
            stale[0].to_string().contains("saved no such action; now "),
            "{}",
            stale[0]
        );
        assert_eq!(
            Stale::PlanFails(PlanError::Pinned {
                entry: 1,
                id: r(1),
                problem: crate::plan::PinProblem::NotFound
            })
            .to_string(),
            format!(
                "a plan made now fails: report entry 1: id: report {} is not among the tenant's reports",
                r(1)
            )
        );
    }

    #[test]
    fn many_reasons_are_counted_past_ten() {
        let reasons: Vec<Stale> = (0..13)
            .map(|n| Stale::TenantNotRead { tenant: t(n) })
            .collect();
        let text = StalePlan::new(reasons).to_string();
        assert!(text.contains(&t(9).to_string()), "{text}");
        assert!(!text.contains(&t(10).to_string()), "{text}");
        assert!(text.ends_with("; and 3 more; nothing was changed: make a new plan and review it"));
    }

    fn edited(edit: impl FnOnce(&mut Value)) -> Result<SavedPlan, SavedPlanError> {
        let mut value = saved(&[report(1, 1, 3)]).to_json();
        edit(&mut value);
        SavedPlan::from_json(value.to_string().as_bytes())
    }

    #[test]
    fn every_broken_file_gets_its_own_error() {
        let text = saved(&[report(1, 1, 3)]).to_json_string();
        // Cut short.
        let cut = &text.as_bytes()[..text.len() / 2];
        assert!(SavedPlan::is_saved_plan(cut));
        let e = SavedPlan::from_json(cut).unwrap_err();
        assert!(
            matches!(
                e,
                SavedPlanError::Json {
                    truncated: true,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("the saved plan breaks off (is the file complete?): line "),
            "{e}"
        );
        assert!(!e.to_string().contains(" at line "), "said once: {e}");
        let e = SavedPlan::from_json(b"{\"format\": nope}").unwrap_err();
        assert!(
            matches!(
                e,
                SavedPlanError::Json {
                    truncated: false,
                    line: 1,
                    ..
                }
            ),
            "{e:?}"
        );
        // Not a plan.
        for text in [&b"[]"[..], b"{\"report\": []}", b"{\"format\": \"other\"}"] {
            assert_eq!(
                SavedPlan::from_json(text).unwrap_err(),
                SavedPlanError::NotAPlan
            );
            assert!(!SavedPlan::is_saved_plan(text));
        }
        // A newer version, whatever else it holds.
        let e = SavedPlan::from_json(
            br#"{"format": "acronis-reports-plan", "format_version": 2, "tool_version": "9.0.0", "steps": []}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            SavedPlanError::Version {
                found: 2,
                tool_version: Some("9.0.0".into())
            }
        );
        assert_eq!(
            e.to_string(),
            format!(
                "the saved plan is of format version 2, made by acronis-reports 9.0.0; this version of acronis-reports ({TOOL_VERSION}) reads version 1: apply it with the version that made it, or make the plan again"
            )
        );
        let e = edited(|v| v["format_version"] = Value::from("1")).unwrap_err();
        assert!(
            matches!(&e, SavedPlanError::Member { path, .. } if path == "format_version"),
            "{e:?}"
        );
        // Members missing, unknown, or wrong.
        for (edit, path) in [
            (
                Box::new(|v: &mut Value| {
                    v["reads"].as_object_mut().unwrap().remove("tenants");
                }) as Box<dyn FnOnce(&mut Value)>,
                "reads",
            ),
            (Box::new(|v| v["extra"] = Value::Null), "extra"),
            (
                Box::new(|v| v["actions"][0]["version"] = Value::from("three")),
                "actions[0].version",
            ),
            (
                Box::new(|v| v["actions"][0]["requests"][0]["method"] = Value::from("PATCH")),
                "actions[0].requests[0].method",
            ),
            (
                Box::new(|v| v["actions"][0]["action"] = Value::from("destroy")),
                "actions[0].action",
            ),
            (
                Box::new(|v| v["actions"][0]["version"] = Value::Null),
                "actions[0].version",
            ),
            (
                Box::new(|v| v["reads"]["tenants"][0]["reports"][0]["id"] = Value::from("x")),
                "reads.tenants[0].reports[0].id",
            ),
            (
                Box::new(|v| v["desired"]["sha256"] = Value::from("ABC")),
                "desired.sha256",
            ),
        ] {
            let e = edited(edit).unwrap_err();
            assert!(
                matches!(&e, SavedPlanError::Member { path: p, .. } if p == path),
                "{path}: {e:?}"
            );
        }
        // Desired reports that are not valid.
        let e = edited(|v| v["desired"]["reports"]["report"][0]["kind"] = Value::Null).unwrap_err();
        assert!(matches!(e, SavedPlanError::Desired(_)), "{e:?}");
        // Members that contradict each other.
        for (edit, says) in [
            (
                Box::new(|v: &mut Value| {
                    v["reads"]["tenants"].as_array_mut().unwrap().pop();
                }) as Box<dyn FnOnce(&mut Value)>,
                "whose reports were not read",
            ),
            (
                Box::new(|v| {
                    let first = v["reads"]["tenants"][0].clone();
                    v["reads"]["tenants"].as_array_mut().unwrap().push(first);
                }),
                "is read twice",
            ),
            (
                Box::new(|v| v["actions"][0]["entry"] = Value::from(7)),
                "comes from entry 7",
            ),
            (
                Box::new(|v| {
                    v["reads"]["selectors"] = serde_json::json!([{"entry": 9, "tenants": []}]);
                }),
                "a selector of entry 9",
            ),
            (
                Box::new(|v| {
                    let other = serde_json::json!({"tenant": t(8).to_string(), "reports": []});
                    v["reads"]["tenants"].as_array_mut().unwrap().push(other);
                }),
                "neither name nor select it",
            ),
        ] {
            let e = edited(edit).unwrap_err();
            assert!(
                matches!(&e, SavedPlanError::Inconsistent(m) if m.contains(says)),
                "{says}: {e:?}"
            );
        }
    }

    #[test]
    fn the_documented_example_is_a_saved_plan() {
        let doc = include_str!("../docs/desired-state.md");
        let format = doc.find("### The format").expect("the section");
        let start = doc[format..].find("```json\n").expect("the example") + format + 8;
        let end = doc[start..].find("```\n").expect("its end") + start;
        let example = &doc[start..end];
        let saved = SavedPlan::from_json(example.as_bytes()).unwrap();
        // Written again, it is the same text: the example is as the tool writes it.
        assert_eq!(saved.to_json_string(), example);
        assert_eq!(saved.actions().len(), 2);
    }

    #[test]
    fn a_desired_state_file_is_no_saved_plan() {
        let desired = desired().to_json_string();
        assert!(!SavedPlan::is_saved_plan(desired.as_bytes()));
        assert!(!SavedPlan::is_saved_plan(
            b"[[report]]\nformats = [\"csv\"]\n"
        ));
        assert!(SavedPlan::is_saved_plan(
            b"{ \"tool_version\": \"1\",\n  \"format\" :\n \"acronis-reports-plan\""
        ));
    }
}
