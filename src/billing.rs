//! Billing: the quantity of each [`UsageRecord`] a service provider bills, by the vendor's
//! rule, and [`Totals`] by tenant and usage. Pure: no I/O.
//!
//! The rule, as the vendor's own billing module (`acronis/acronis-cyber-cloud-whmcs`) applies
//! it:
//!
//! - **which amount**: the amount used during the period (`delta`) for compute points
//!   (`compute_points`, `pw_compute_points`, `dre_compute_points`, `p_dre_compute_points`),
//!   the amount at the end of the period (`absolute`) for every other usage;
//! - **which split** (`csv_v2_0`): `total` for customer tenants (`tenant.kind` is
//!   `customer`), `production` for every other kind (partners, resellers, folders, units).
//!   `json_v2_0` gives one number, which is taken as it is;
//! - **which line**: usages are summed by tenant and *metric*: the usage name, followed by
//!   `_` and the infrastructure's backend type when the record has one (`storage_azure`), so
//!   that storage on different backends is billed apart.
//!
//! `json_v2_0` has neither tenant kinds nor backend types, so the rule can be applied to it only
//! in part; [`Totals::gaps`] says so. Bill from `csv_v2_0`, as the vendor's module does.
//!
//! Quantities are in the usage's unit. [`Line::human`] converts bytes to GiB (1024³ bytes)
//! and seconds to hours (3600 s: disaster-recovery compute points are given in seconds in
//! `json_v2_0`).
//!
//! ```
//! use acronis_reports::billing::{Totals, billable};
//! use acronis_reports::usage::{Split, UsageRecord, UsageValues};
//!
//! let tenant = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc".parse()?;
//! let n = |s: &str| s.parse().unwrap();
//! let storage = UsageRecord::new(tenant, "backup", "storage", UsageValues::Split {
//!     absolute: Split::new(n("1073741824"), n("0"), n("1073741824")),
//!     delta: Split::new(n("5"), n("0"), n("5")),
//!     effective: Split::default(),
//! });
//! assert_eq!(billable(&storage).to_string(), "1073741824"); // absolute, total
//!
//! let mut totals = Totals::new();
//! totals.add(&storage)?;
//! totals.add(&storage)?;
//! let line = totals.lines().next().unwrap();
//! assert_eq!((line.metric.as_str(), line.quantity.to_string()), ("storage", "2147483648".into()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::Serialize;

use crate::id::TenantId;
use crate::usage::{Decimal, UsageRecord, UsageValues};

/// The usages billed by the amount used during the period (`delta`); the others are billed by
/// the amount at the end of it (`absolute`).
pub const BILLED_BY_DELTA: [&str; 4] = [
    "compute_points",
    "pw_compute_points",
    "dre_compute_points",
    "p_dre_compute_points",
];

/// The quantity of `record` a service provider bills: see the [module](self).
pub fn billable(record: &UsageRecord) -> Decimal {
    let by_delta = BILLED_BY_DELTA.contains(&record.usage_name.as_str());
    match record.values {
        UsageValues::Split {
            absolute, delta, ..
        } => {
            let split = if by_delta { delta } else { absolute };
            if record.tenant_kind.as_deref() == Some("customer") {
                split.total
            } else {
                split.production
            }
        }
        UsageValues::Single { value, absolute } => {
            if by_delta {
                value
            } else {
                absolute
            }
        }
    }
}

/// The metric a record is billed under: its usage name, and `_` and its infrastructure's
/// backend type when it has one (`storage_azure`), as the vendor's billing module names them.
pub fn metric(record: &UsageRecord) -> String {
    match record
        .infra
        .as_ref()
        .and_then(|i| i.backend_type.as_deref())
    {
        Some(backend) => format!("{}_{backend}", record.usage_name),
        None => record.usage_name.clone(),
    }
}

/// How `metric` is ordered against the metric of a record of `usage_name` and `backend` (see
/// [`metric`]), as strings are, without building that metric.
fn compare_metric(metric: &str, usage_name: &str, backend: Option<&str>) -> Ordering {
    let (metric, name) = (metric.as_bytes(), usage_name.as_bytes());
    let common = metric.len().min(name.len());
    let (head, rest) = metric.split_at(common);
    match head.cmp(&name[..common]) {
        Ordering::Equal if metric.len() < name.len() => Ordering::Less,
        Ordering::Equal => match backend {
            None => rest.len().cmp(&0),
            Some(backend) => match rest.split_first() {
                None => Ordering::Less,
                Some((&first, rest)) => first.cmp(&b'_').then_with(|| rest.cmp(backend.as_bytes())),
            },
        },
        other => other,
    }
}

/// What the records summed did not tell, so that the vendor's rule could be applied only in
/// part: see [`Totals::gaps`]. `json_v2_0` files have [`NoSplit`](Gap::NoSplit), and
/// [`NoBackendType`](Gap::NoBackendType) when they hold infrastructure usages; `csv_v2_0`
/// files as the vendor's billing module reads them have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Gap {
    /// Records with one number per usage, without the tenant's kind and without a production
    /// and trial split (`json_v2_0`): each tenant is billed its whole amount, where the rule
    /// bills partners (every kind but customers) their production only.
    NoSplit,
    /// Records split by production and trial but without the tenant's kind (an empty
    /// `tenant.kind`): billed their production, as partners are, where a customer would be
    /// billed its total.
    NoTenantKind,
    /// Records on an infrastructure without its backend type (`json_v2_0` gives only
    /// `infra_id`; a `csv_v2_0` row may leave `infra.backend_type` empty): their storage is
    /// billed under the usage's name alone (`storage`), where the rule bills each backend
    /// apart (`storage_azure`, `storage_acronis`).
    NoBackendType,
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Gap::NoSplit => {
                "records give no tenant kind and no production and trial split: each tenant is billed its total, where the vendor's rule bills partners their production (csv_v2_0 has both)"
            }
            Gap::NoTenantKind => {
                "records give no tenant kind: they are billed their production, as partners are, where a customer is billed its total"
            }
            Gap::NoBackendType => {
                "records on an infrastructure give no backend type: their storage is billed under one metric, where the vendor's rule bills each backend apart (csv_v2_0 has them)"
            }
        })
    }
}

/// Billable quantities summed by tenant and metric: see [`Totals::add`].
///
/// Keyed by tenant, then by metric among the tenant's lines, so that adding a record looks
/// its line up without building the metric's name (nor any string): a file's rows add at the
/// speed they are read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Each tenant's lines, in the order of their metrics; never an empty list.
    lines: HashMap<TenantId, Vec<Line>>,
    gaps: std::collections::BTreeSet<Gap>,
}

/// The billable quantity of one metric of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Line {
    /// The tenant.
    pub tenant: TenantId,
    /// What is billed: see [`metric`].
    pub metric: String,
    /// The usage, like `storage`.
    pub usage_name: String,
    /// The unit of [`quantity`](Self::quantity), when the file says (`json_v2_0` does).
    pub unit: Option<String>,
    /// The sum of the records' billable quantities, exact.
    pub quantity: Decimal,
    /// How many records were summed.
    pub records: u64,
    /// How many of them had a negative billable quantity (a usage should have none: worth a
    /// look before billing).
    pub negative_records: u64,
}

/// A sum that a [`Decimal`] cannot hold exactly (past 28 significant digits): it is refused
/// rather than rounded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "tenant {tenant}, {metric}: the sum cannot be held exactly (more than 28 significant digits); nothing was added"
)]
#[non_exhaustive]
pub struct SumError {
    /// The tenant.
    pub tenant: TenantId,
    /// The metric.
    pub metric: String,
}

impl Line {
    /// The quantity in a unit for people, when there is one: bytes in GiB (1024³), seconds in
    /// hours; rounded to 3 decimals (to 3 significant digits when that would show 0 for
    /// something).
    pub fn human(&self) -> Option<(Decimal, &'static str)> {
        let (divisor, unit) = match self.unit.as_deref()? {
            "bytes" => (Decimal::from(1024u64 * 1024 * 1024), "GiB"),
            "seconds" => (Decimal::from(3600u32), "hours"),
            _ => return None,
        };
        let exact = self.quantity.checked_div(divisor)?;
        let mut shown = exact.round_dp(3);
        if shown.is_zero() && !exact.is_zero() {
            // A few bytes are not "0 GiB": three significant digits instead.
            shown = exact.round_sf(3)?;
        }
        Some((shown.normalize(), unit))
    }
}

impl Totals {
    /// No lines yet.
    pub fn new() -> Totals {
        Totals::default()
    }

    /// Adds `record`'s [`billable`] quantity to its tenant and [`metric`], and notes what the
    /// record does not tell ([`gaps`](Self::gaps)).
    ///
    /// # Errors
    ///
    /// [`SumError`] when the sum would not be exact; the totals are left as they were.
    pub fn add(&mut self, record: &UsageRecord) -> Result<(), SumError> {
        let backend = record
            .infra
            .as_ref()
            .and_then(|i| i.backend_type.as_deref());
        let name = record.usage_name.as_str();
        let quantity = billable(record);
        let lines = self.lines.get_mut(&record.tenant);
        let found = lines.as_ref().map_or(Err(0), |lines| {
            lines.binary_search_by(|line| compare_metric(&line.metric, name, backend))
        });
        let before = match (&lines, found) {
            (Some(lines), Ok(i)) => lines[i].quantity,
            _ => Decimal::ZERO,
        };
        // A sum past 28 significant digits loses decimals (its scale drops) or overflows. A
        // zero added is exact whatever its scale (the sum is the other number, with its own
        // scale: `1 + 0.00` is `1`).
        let exact = before.checked_add(quantity).filter(|sum| {
            before.is_zero()
                || quantity.is_zero()
                || sum.scale() >= before.scale().max(quantity.scale())
        });
        let Some(sum) = exact else {
            return Err(SumError {
                tenant: record.tenant,
                metric: metric(record),
            });
        };
        let new_line = || Line {
            tenant: record.tenant,
            metric: metric(record),
            usage_name: record.usage_name.clone(),
            unit: record.unit.clone(),
            quantity: Decimal::ZERO,
            records: 0,
            negative_records: 0,
        };
        let line = match (lines, found) {
            (Some(lines), Ok(i)) => &mut lines[i],
            (Some(lines), Err(i)) => {
                lines.insert(i, new_line());
                &mut lines[i]
            }
            (None, _) => {
                let lines = self.lines.entry(record.tenant).or_default();
                lines.push(new_line());
                &mut lines[0]
            }
        };
        line.quantity = sum;
        line.records += 1;
        if quantity.is_sign_negative() && !quantity.is_zero() {
            line.negative_records += 1;
        }
        if line.unit.is_none() {
            line.unit.clone_from(&record.unit);
        }
        match record.values {
            UsageValues::Single { .. } => {
                self.gaps.insert(Gap::NoSplit);
            }
            _ if record.tenant_kind.is_none() => {
                self.gaps.insert(Gap::NoTenantKind);
            }
            _ => {}
        }
        if record
            .infra
            .as_ref()
            .is_some_and(|i| i.id.is_some() && i.backend_type.is_none())
        {
            self.gaps.insert(Gap::NoBackendType);
        }
        Ok(())
    }

    /// What the records added so far did not tell, so that the vendor's rule was applied only
    /// in part, in the order of [`Gap`]: [`Gap::NoSplit`] (and [`Gap::NoBackendType`] with
    /// infrastructure usages) for `json_v2_0` files, none for `csv_v2_0` files with every
    /// tenant kind and backend type. Bill from `csv_v2_0`, as the vendor's billing module
    /// does.
    pub fn gaps(&self) -> impl Iterator<Item = Gap> + '_ {
        self.gaps.iter().copied()
    }

    /// The lines, by tenant, then metric.
    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        let mut tenants: Vec<(&TenantId, &Vec<Line>)> = self.lines.iter().collect();
        tenants.sort_unstable_by_key(|(tenant, _)| **tenant);
        tenants.into_iter().flat_map(|(_, lines)| lines)
    }

    /// The lines, owned, by tenant, then metric.
    pub fn into_lines(self) -> Vec<Line> {
        let mut tenants: Vec<(TenantId, Vec<Line>)> = self.lines.into_iter().collect();
        tenants.sort_unstable_by_key(|(tenant, _)| *tenant);
        tenants.into_iter().flat_map(|(_, lines)| lines).collect()
    }

    /// How many lines.
    pub fn len(&self) -> usize {
        self.lines.values().map(Vec::len).sum()
    }

    /// Whether no record was added.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}
