//! `export --tenant T...`: the desired-state file that describes the tenants' monthly
//! reports as they are, on the library's `desired` module.

use std::io::{self, Write};
use std::path::Path;

use acronis_reports::TenantId;
use acronis_reports::desired::DesiredReports;

use crate::args::Global;
use crate::connect::{self, client};
use crate::failure::{Failure, exit};
use crate::files::AtomicFile;
use crate::json;
use crate::output::{self, Output, note};

/// `export --tenant T...`: the exit code.
pub fn run(
    global: &Global,
    tenants: &[String],
    output: Option<&Path>,
    concurrency: u16,
    out: &Output,
) -> Result<u8, Failure> {
    connect::read_only(global)?;
    let mut tenants: Vec<TenantId> = tenants
        .iter()
        .map(|t| {
            t.parse()
                .map_err(|e| Failure::usage(format!("--tenant: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let mut seen = std::collections::HashSet::new();
    tenants.retain(|t| seen.insert(*t));
    // Refused before any request: a file that cannot be written.
    let file = output
        .map(|path| {
            AtomicFile::create(path).map_err(|e| {
                Failure::usage(format!(
                    "cannot write {}: {e}; nothing was sent",
                    path.display()
                ))
            })
        })
        .transpose()?;
    let client = client(global, concurrency, out)?;
    let reports = client.reports_of_tenants(&tenants, usize::from(concurrency))?;
    let desired = DesiredReports::describing(&tenants, &reports);
    let unknown = desired
        .reports
        .iter()
        .filter(|r| !r.unknown_values().is_empty())
        .count();
    if unknown > 0 {
        output::notice(format_args!(
            "{unknown} report(s) hold values this version does not know; they are written as the server sent them"
        ));
    }
    let text = match (out.json, output) {
        // A file to edit: the library's JSON, over several lines.
        (true, Some(_)) => desired.to_json_string() + "\n",
        // Standard output holds one JSON object per line.
        (true, None) => json::compact(&desired.to_json_string()) + "\n",
        (false, _) => {
            format!(
                "# The monthly reports of {} tenant(s), as they were when exported by acronis-reports.\n\
             # Edit, then `acronis-reports plan FILE` and `acronis-reports apply FILE`.\n\n{}",
                tenants.len(),
                desired.to_toml_string().trim_end()
            ) + "\n"
        }
    };
    match (file, output) {
        (Some(mut file), Some(path)) => {
            let failed = |e: io::Error| {
                Failure::write(format!(
                    "cannot write {}: {e}; it was left as it was",
                    path.display()
                ))
            };
            file.file().write_all(text.as_bytes()).map_err(failed)?;
            file.commit().map_err(failed)?;
            note(format_args!(
                "{} reports written to {}",
                desired.reports.len(),
                path.display()
            ));
        }
        _ => {
            let mut stdout = out.stdout;
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Failure::output(&e))?;
        }
    }
    Ok(exit::OK)
}
