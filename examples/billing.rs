//! The vendor's billing-report recipe in one call: create a one-time usage report of last
//! month, wait for its file (`csv_v2_0`, as the vendor's billing module reads), read it, and
//! print what to bill each tenant, by metric.
//!
//! With no settings it runs against the crate's local emulator of the API:
//!
//! ```text
//! cargo run --example billing
//! ```
//!
//! Against a real data centre, give the base URL, an API client's id and secret, and the
//! partner tenant whose customers to bill:
//!
//! ```text
//! ACRONIS_BASE_URL=https://eu2-cloud.acronis.com/api/2 ACRONIS_CLIENT_ID=... ACRONIS_CLIENT_SECRET=... \
//!     cargo run --example billing -- <tenant-id>
//! ```

mod common;

use std::error::Error;

use acronis_reports::{BillingOptions, Date};

fn main() -> Result<(), Box<dyn Error>> {
    let (client, tenant, _emulator) = common::connect()?;
    let (start, end) = Date::today_utc()
        .previous_month()
        .ok_or("no month before")?;

    // csv_v2_0 (the default), as the vendor's billing module reads: it has the tenants' kinds
    // (partners are billed their production) and the storage backends (billed apart), which
    // json_v2_0 lacks. `totals.gaps()` says what a file could not tell.
    let options = BillingOptions::new();
    let report = match client.billing_report(tenant, start, end, &options) {
        Err(e) if e.is_usage_history_not_ready() => {
            return Err(
                format!("{e}\nusage history is built overnight: try after 6 am UTC").into(),
            );
        }
        other => other?,
    };
    println!(
        "{} records of {} to {} read from {}; the one-time report was {}",
        report.records,
        start,
        end,
        report.file.report_format,
        if report.deleted { "deleted" } else { "kept" }
    );
    for gap in report.totals.gaps() {
        eprintln!("billed in part: {gap}");
    }
    for line in report.totals.lines() {
        println!("{}  {:<24} {}", line.tenant, line.metric, line.quantity);
    }
    if let Some(e) = report.delete_error {
        eprintln!("the one-time report could not be deleted: {e}");
    }
    Ok(())
}
