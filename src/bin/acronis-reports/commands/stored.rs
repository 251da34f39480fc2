//! `stored ID`: the files a report produced.

use crate::args::Global;
use crate::connect::reader;
use crate::failure::{Failure, exit, written};
use crate::output::Output;

/// `stored ID`: the exit code.
pub fn run(global: &Global, id: &str, out: &Output) -> Result<u8, Failure> {
    for file in reader(global, out)?.stored_reports(id)? {
        written(out.stored(&file))?;
    }
    Ok(exit::OK)
}
