//! `export --tenant T...` or `export --under T`: the desired-state file that describes the
//! tenants' monthly reports as they are, on the library's `desired` module.

use std::io::Write;
use std::path::Path;

use acronis_reports::desired::TenantSelector;
use acronis_reports::{TenantId, TenantKind};

use crate::args::Global;
use crate::connect::{self, client};
use crate::failure::{Failure, exit};
use crate::files::AtomicFile;
use crate::json;
use crate::output::{self, Output, note};

/// Which tenants to export.
pub enum Scope {
    /// `--tenant T...`.
    Tenants(Vec<String>),
    /// `--under T [--tenant-kind K...] [--group]`.
    Under {
        /// The subtree's root.
        root: String,
        /// The kinds taken (customers when empty).
        kinds: Vec<String>,
        /// Alike reports as one selector entry.
        group: bool,
    },
}

/// What the ids of a [`Scope`] are, checked before any request.
enum Checked {
    Tenants(Vec<TenantId>),
    Under(TenantSelector, bool),
}

fn check(scope: &Scope) -> Result<Checked, Failure> {
    let id = |flag: &str, t: &str| -> Result<TenantId, Failure> {
        t.parse()
            .map_err(|e| Failure::usage(format!("{flag}: {e}")))
    };
    Ok(match scope {
        Scope::Tenants(tenants) => {
            let mut seen = std::collections::HashSet::new();
            let mut ids = Vec::new();
            for t in tenants {
                let t = id("--tenant", t)?;
                if seen.insert(t) {
                    ids.push(t);
                }
            }
            Checked::Tenants(ids)
        }
        Scope::Under { root, kinds, group } => {
            let mut selector = TenantSelector::under(id("--under", root)?);
            if !kinds.is_empty() {
                let kinds: Vec<TenantKind> = kinds
                    .iter()
                    .map(|k| {
                        k.parse()
                            .map_err(|e| Failure::usage(format!("--tenant-kind: {e}")))
                    })
                    .collect::<Result<_, _>>()?;
                selector = selector.kinds(kinds);
            }
            Checked::Under(selector, *group)
        }
    })
}

/// `export --tenant T...` or `export --under T`: the exit code.
pub fn run(
    global: &Global,
    scope: &Scope,
    output: Option<&Path>,
    concurrency: u16,
    out: &Output,
) -> Result<u8, Failure> {
    connect::read_only(global)?;
    let scope = check(scope)?;
    // Refused before any request: a file that cannot be written.
    let file = output.map(AtomicFile::before_sending).transpose()?;
    let client = client(global, concurrency, out)?;
    let threads = usize::from(concurrency);
    let (desired, whose) = match &scope {
        Checked::Tenants(tenants) => (
            client.export(tenants, threads)?,
            format!("{} tenant(s)", tenants.len()),
        ),
        Checked::Under(selector, group) => (
            client.export_under(selector, *group, threads)?,
            format!("the tenants under {}", selector.under),
        ),
    };
    let unknown = desired
        .reports
        .iter()
        .filter(|r| !r.unknown_values().is_empty())
        .count();
    if desired.reports.is_empty() {
        output::notice(format_args!(
            "{whose} have no monthly report: the file has no entry"
        ));
    }
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
                "# The monthly reports of {whose}, as they were when exported by acronis-reports.\n\
             # Edit, then `acronis-reports plan FILE` and `acronis-reports apply FILE`.\n\n{}",
                desired.to_toml_string().trim_end()
            ) + "\n"
        }
    };
    match (file, output) {
        (Some(file), Some(path)) => {
            file.write_whole(path, text.as_bytes())?;
            // Entries: one describes a report of each tenant a selector takes (--group).
            let n = desired.reports.len();
            note(format_args!(
                "{n} {} written to {}",
                if n == 1 { "entry" } else { "entries" },
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
