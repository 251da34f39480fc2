//! The vendor's billing-report recipe in one call: create a one-time usage report of last
//! month, wait for its file, read it, and print what to bill each customer, by usage.
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

use std::env::var;
use std::error::Error;
use std::time::Duration;

use acronis_reports::usage::UsageFormat;
use acronis_reports::{BillingOptions, Client, Date};
use acronis_reports_emulator::{CLIENT_ID, CLIENT_SECRET, Emulator, TENANT_ID};

fn main() -> Result<(), Box<dyn Error>> {
    let mut emulator = None;
    let (client, tenant) = match var("ACRONIS_BASE_URL") {
        Ok(base_url) => {
            let tenant = std::env::args()
                .nth(1)
                .ok_or("give the tenant id as the first argument")?;
            let client = Client::builder()
                .base_url(base_url)
                .client_credentials(var("ACRONIS_CLIENT_ID")?, var("ACRONIS_CLIENT_SECRET")?)
                .build()?;
            (client, tenant)
        }
        Err(_) => {
            let started = emulator.insert(Emulator::start()?);
            println!(
                "local emulator of the reports API at {}",
                started.base_url()
            );
            let client = Client::builder()
                .base_url(started.base_url())
                .client_credentials(CLIENT_ID, CLIENT_SECRET)
                .poll_interval(Duration::from_millis(200))
                .build()?;
            (client, TENANT_ID.to_owned())
        }
    };

    // Last month.
    let today = Date::today_utc();
    let (year, month) = if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    };
    let start = Date::new(year, month, 1).ok_or("no such month")?;
    let end = (28..=31)
        .rev()
        .find_map(|day| Date::new(year, month, day))
        .ok_or("no such month")?;

    // json_v2_0 gives each usage's unit, so storage can be shown in GiB.
    let options = BillingOptions::new().format(UsageFormat::JsonV2);
    let report = match client.billing_report(
        tenant.parse::<acronis_reports::TenantId>()?,
        start,
        end,
        &options,
    ) {
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
    for line in report.totals.lines() {
        let human = line
            .human()
            .map(|(q, unit)| format!(" ({q} {unit})"))
            .unwrap_or_default();
        println!(
            "{}  {:<24} {} {}{human}",
            line.tenant,
            line.usage_name,
            line.quantity,
            line.unit.as_deref().unwrap_or("")
        );
    }
    if let Some(e) = report.delete_error {
        eprintln!("the one-time report could not be deleted: {e}");
    }
    Ok(())
}
