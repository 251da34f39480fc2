//! `patch [update options]`: the minimal JSON patch for these changes; touches no network.

use super::update_from;
use crate::args::UpdateFields;
use crate::failure::{Failure, exit, written};
use crate::output::Output;

/// `patch`: the exit code.
pub fn run(fields: &UpdateFields, out: &Output) -> Result<u8, Failure> {
    let update = update_from(fields)?;
    written(out.line(&update.to_json_string()))?;
    Ok(exit::OK)
}
