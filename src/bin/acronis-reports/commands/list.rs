//! `list --tenant TENANT_ID`: a tenant's reports, as a table, JSON lines, or (`--ids-only`)
//! their ids.

use acronis_reports::bulk::BulkOptions;
use acronis_reports::{Report, TenantId};

use crate::args::Global;
use crate::connect::reader;
use crate::failure::{Failure, exit, written};
use crate::output::{Output, note};
use crate::progress;

/// `list --tenant TENANT_ID`: the exit code.
pub fn run(
    global: &Global,
    tenant: &str,
    ids_only: bool,
    concurrency: u16,
    out: &Output,
) -> Result<u8, Failure> {
    let tenant: TenantId = super::parse("--tenant", tenant)?;
    let client = reader(global, out)?;
    let ids = client.list_report_ids(tenant)?;
    if ids_only {
        for id in ids {
            written(out.id(&id.to_string()))?;
        }
        return Ok(exit::OK);
    }
    // Each report fetched, on `concurrency` threads; shown in the listing's order.
    let mut slots: Vec<Option<Report>> = vec![None; ids.len()];
    let bar = progress::counting(
        Some(ids.len() as u64),
        "reports read",
        progress::on_terminal(),
    );
    let run = client.for_each_id(
        ids.into_iter().enumerate(),
        BulkOptions::new().concurrency(usize::from(concurrency)),
        |client, (_, id)| match client.get_report(*id) {
            // Deleted since the listing: no longer one of the tenant's reports.
            Err(e) if e.status() == Some(404) => Ok(None),
            other => other.map(Some),
        },
    );
    for ((index, _), fetched) in run {
        bar.inc(1);
        // The first failure is the command's (the run stops as it is dropped).
        slots[index] = fetched.inspect_err(|_| bar.finish_and_clear())?;
    }
    bar.finish_and_clear();
    let reports: Vec<Report> = slots.into_iter().flatten().collect();
    if reports.is_empty() && !out.json {
        note(format_args!("tenant {tenant} has no reports"));
        return Ok(exit::OK);
    }
    written(out.reports(&reports))?;
    Ok(exit::OK)
}
