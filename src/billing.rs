//! Billing: the quantity of each [`UsageRecord`] a service provider bills, by the vendor's
//! rule, and [`Totals`] by tenant and usage. Pure: no I/O.
//!
//! The rule, as the vendor's own billing module (`acronis/acronis-cyber-cloud-whmcs`) applies
//! it:
//!
//! - **which amount**: the amount used during the period (`delta`) for compute points
//!   (`compute_points`, `pw_compute_points`, `dre_compute_points`, `p_dre_compute_points`),
//!   the amount at the end of the period (`absolute`) for every other usage;
//! - **which split** (`csv_v2_0`): `production` for partner tenants, `total` for the others
//!   (customers). `json_v2_0` gives one number, which is taken as it is.
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
//! totals.add(&storage);
//! totals.add(&storage);
//! let line = &totals.lines()[0];
//! assert_eq!((line.usage_name.as_str(), line.quantity.to_string()), ("storage", "2147483648".into()));
//! # Ok::<(), acronis_reports::ParseIdError>(())
//! ```

use std::collections::BTreeMap;

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
            if record.tenant_kind.as_deref() == Some("partner") {
                split.production
            } else {
                split.total
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

/// Billable quantities summed by tenant and usage: see [`Totals::add`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    lines: BTreeMap<(TenantId, String), Line>,
}

/// The billable quantity of one usage of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Line {
    /// The tenant.
    pub tenant: TenantId,
    /// The usage, like `storage`.
    pub usage_name: String,
    /// The unit of [`quantity`](Self::quantity), when the file says (`json_v2_0` does).
    pub unit: Option<String>,
    /// The sum of the records' billable quantities, exact.
    pub quantity: Decimal,
    /// How many records were summed.
    pub records: u64,
}

impl Line {
    /// The quantity in a unit for people, when there is one: bytes in GiB (1024³), seconds in
    /// hours; rounded to 3 decimals.
    pub fn human(&self) -> Option<(Decimal, &'static str)> {
        let (divisor, unit) = match self.unit.as_deref()? {
            "bytes" => (Decimal::from(1024u64 * 1024 * 1024), "GiB"),
            "seconds" => (Decimal::from(3600u32), "hours"),
            _ => return None,
        };
        Some(((self.quantity / divisor).round_dp(3).normalize(), unit))
    }
}

impl Totals {
    /// No lines yet.
    pub fn new() -> Totals {
        Totals::default()
    }

    /// Adds `record`'s [`billable`] quantity to its tenant and usage.
    pub fn add(&mut self, record: &UsageRecord) {
        let line = self
            .lines
            .entry((record.tenant, record.usage_name.clone()))
            .or_insert_with(|| Line {
                tenant: record.tenant,
                usage_name: record.usage_name.clone(),
                unit: record.unit.clone(),
                quantity: Decimal::ZERO,
                records: 0,
            });
        // 79 octillion at most: a sum past it stays there rather than wrapping.
        line.quantity = line.quantity.saturating_add(billable(record));
        line.records += 1;
        if line.unit.is_none() {
            line.unit.clone_from(&record.unit);
        }
    }

    /// The lines, by tenant, then usage name.
    pub fn lines(&self) -> Vec<&Line> {
        self.lines.values().collect()
    }

    /// The lines, owned.
    pub fn into_lines(self) -> Vec<Line> {
        self.lines.into_values().collect()
    }

    /// Whether no record was added.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

impl<'a> Extend<&'a UsageRecord> for Totals {
    fn extend<I: IntoIterator<Item = &'a UsageRecord>>(&mut self, records: I) {
        for record in records {
            self.add(record);
        }
    }
}

impl<'a> FromIterator<&'a UsageRecord> for Totals {
    fn from_iter<I: IntoIterator<Item = &'a UsageRecord>>(records: I) -> Totals {
        let mut totals = Totals::new();
        totals.extend(records);
        totals
    }
}
