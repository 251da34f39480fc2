//! `stored ID`: the files a report produced.

use crate::args::Global;
use crate::connect::reader;
use crate::failure::{Failure, exit, written};
use crate::output::{Output, note};

/// `stored ID`: the exit code.
pub fn run(global: &Global, id: &str, out: &Output) -> Result<u8, Failure> {
    let files = reader(global, out)?.stored_reports(id)?;
    if files.is_empty() && !out.json {
        note(format_args!("report {id} has no stored files"));
        return Ok(exit::OK);
    }
    written(out.stored(&files))?;
    Ok(exit::OK)
}
