//! `show ID`: a report.

use crate::args::Global;
use crate::connect::reader;
use crate::failure::{Failure, exit, written};
use crate::output::Output;

/// `show ID`: the exit code.
pub fn run(global: &Global, id: &str, out: &Output) -> Result<u8, Failure> {
    let report = reader(global, out)?.get_report(id)?;
    written(out.report(&report))?;
    Ok(exit::OK)
}
