//! `delete ID [--version N]`: a report deleted, its version read first unless given.

use crate::args::Global;
use crate::connect::{client, is_dry_run};
use crate::failure::{Failure, exit, written};
use crate::json;
use crate::output::Output;

/// `delete ID [--version N]`: the exit code.
pub fn run(global: &Global, id: &str, version: Option<i64>, out: &Output) -> Result<u8, Failure> {
    let client = client(global, 1, out)?;
    let version = match version {
        Some(version) => version,
        // A read: sent in a dry run too, which then prints the DELETE it would send.
        None => client.get_report(id)?.version,
    };
    match client.delete_report(id, version) {
        Err(e) if is_dry_run(&e) => Ok(exit::OK),
        Err(e) => Err(e.into()),
        Ok(()) => {
            written(out.done(
                &format!("deleted  {id}"),
                &json::Deleted {
                    id,
                    outcome: "deleted",
                },
            ))?;
            Ok(exit::OK)
        }
    }
}
