//! `list --tenant TENANT_ID`: the ids of a tenant's reports.

use crate::args::Global;
use crate::connect::reader;
use crate::failure::{Failure, exit, written};
use crate::output::Output;

/// `list --tenant TENANT_ID`: the exit code.
pub fn run(global: &Global, tenant: &str, out: &Output) -> Result<u8, Failure> {
    for id in reader(global, out)?.list_report_ids(tenant)? {
        written(out.id(&id.to_string()))?;
    }
    Ok(exit::OK)
}
