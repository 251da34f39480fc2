//! `emulator`: the local emulator of the reports API, for scripts in any language.

use std::path::Path;
use std::time::Duration;

use acronis_reports_emulator::{
    CLIENT_ID, CLIENT_SECRET, Emulator, MONTHLY_REPORT_ID, ONCE_REPORT_ID, TENANT_ID, TOKEN,
};
use serde_json::Value;

use crate::failure::{Failure, exit};
use crate::json;
use crate::output::{Output, clean};

/// Starts the emulator, says where it is and how to authenticate, and serves until the tool
/// is interrupted.
pub fn run(
    port: u16,
    seed: Option<&Path>,
    tenants: &[String],
    delay_ms: u64,
    out: &Output,
) -> Result<u8, Failure> {
    let tenants: Vec<acronis_reports::TenantId> = tenants
        .iter()
        .map(|t| {
            t.parse()
                .map_err(|e| Failure::usage(format!("--tenant: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let mut builder = Emulator::builder()
        .port(port)
        .answer_delay(Duration::from_millis(delay_ms));
    // What the emulator starts with: the seed file's tenants and reports, or its two reports.
    let seeded: Vec<Seeded> = match seed {
        Some(path) => {
            let Seed { reports, tenants } = read_seed(path)?;
            let seeded = reports.iter().map(Seeded::of).collect();
            builder = builder.reports(reports).tenants(tenants);
            seeded
        }
        None => vec![
            Seeded {
                id: MONTHLY_REPORT_ID.to_owned(),
                tenant: TENANT_ID.to_owned(),
                schedule: "monthly".to_owned(),
            },
            Seeded {
                id: ONCE_REPORT_ID.to_owned(),
                tenant: TENANT_ID.to_owned(),
                schedule: "once".to_owned(),
            },
        ],
    };
    let emulator = builder.start().map_err(|e| match (e.kind(), seed) {
        (std::io::ErrorKind::InvalidInput, Some(path)) => {
            Failure::usage(format!("--seed {}: {e}", path.display()))
        }
        _ => Failure::new(
            exit::TROUBLE,
            "other",
            format!("cannot start the emulator on 127.0.0.1:{port}: {e}"),
        ),
    })?;
    for tenant in &tenants {
        emulator.add_tenant(tenant);
    }
    // The tenants: those of the tree, in its order, then those of the reports, in theirs,
    // then those made to exist.
    let tree = emulator.tenant_ids();
    let mut names: Vec<String> = Vec::new();
    for tenant in tree
        .iter()
        .cloned()
        .chain(seeded.iter().map(|r| r.tenant.clone()))
        .chain(tenants.iter().map(ToString::to_string))
    {
        if !tenant.is_empty() && !names.contains(&tenant) {
            names.push(tenant);
        }
    }
    let base_url = emulator.base_url();
    let export = format!("export ACRONIS_BASE_URL={base_url} ACRONIS_TOKEN={TOKEN}");
    let written = if out.json {
        out.json(&json::EmulatorStarted {
            answer_delay_ms: delay_ms,
            base_url: &base_url,
            client_id: CLIENT_ID,
            client_secret: CLIENT_SECRET,
            export: &export,
            reports: seeded.iter().map(|r| r.id.as_str()).collect(),
            tenant_id: names.first().map(String::as_str),
            tenants: names.iter().map(String::as_str).collect(),
            token: TOKEN,
        })
    } else {
        let count = |tenant: &str| seeded.iter().filter(|r| r.tenant == tenant).count();
        // A tenant of the tree says its kind (seed text: cleaned for a terminal).
        let kind = |tenant: &str| {
            emulator
                .tenant::<Value>(tenant)
                .and_then(|t| t["kind"].as_str().map(|k| format!("{}, ", clean(k))))
                .unwrap_or_default()
        };
        let tenant_lines = listed(names.iter().map(|t| match count(t) {
            0 => format!("{t} ({}no reports)", kind(t)),
            1 => format!("{t} ({}1 report)", kind(t)),
            n => format!("{t} ({}{n} reports)", kind(t)),
        }));
        let report_lines = listed(seeded.iter().map(|r| format!("{} ({})", r.id, r.schedule)));
        out.line(&format!(
            "emulator of the Acronis usage-reports API (a test server: not the vendor's)\n\
             base URL:      {base_url}\n\
             token:         {TOKEN}\n\
             client id:     {CLIENT_ID}\n\
             client secret: {CLIENT_SECRET}\n\
             {}{}{}\
             paste this line into a shell to point acronis-reports at it:\n\
             {export}\n\
             interrupt (Ctrl-C) to stop",
            delay_line(delay_ms),
            block("tenants", &tenant_lines),
            block("reports", &report_lines),
        ))
    };
    written.map_err(|e| Failure::output(&e))?;
    let failed = emulator.serve_forever();
    Err(Failure::new(
        exit::TROUBLE,
        "other",
        format!("the emulator stopped serving: {failed}"),
    ))
}

/// The banner's line for `--delay-ms`, if it was given.
fn delay_line(delay_ms: u64) -> String {
    if delay_ms == 0 {
        String::new()
    } else {
        format!(
            "{:<15}{delay_ms} ms before every answer of the API\n",
            "answer delay:"
        )
    }
}

/// A report the emulator starts with, for its banner.
struct Seeded {
    id: String,
    tenant: String,
    schedule: String,
}

impl Seeded {
    /// A seed file's report, as far as it says (the emulator has checked it), its text
    /// cleaned for a terminal.
    fn of(report: &Value) -> Seeded {
        let text = |pointer: &str| {
            clean(
                report
                    .pointer(pointer)
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            )
            .into_owned()
        };
        Seeded {
            id: text("/id"),
            tenant: text("/parameters/tenant_id"),
            schedule: text("/schedule/type"),
        }
    }
}

/// How many lines of tenants or reports the banner shows before it counts the rest.
const SHOWN: usize = 5;

/// At most [`SHOWN`] of `items`, then how many more there are.
fn listed(items: impl Iterator<Item = String>) -> Vec<String> {
    let items: Vec<String> = items.collect();
    let mut shown: Vec<String> = items.iter().take(SHOWN).cloned().collect();
    if items.len() > SHOWN {
        shown.push(format!("... and {} more", items.len() - SHOWN));
    }
    shown
}

/// `name:` and its lines, aligned with the banner's other values; `name: none` for none.
fn block(name: &str, lines: &[String]) -> String {
    let label = format!("{name}:");
    if lines.is_empty() {
        return format!("{label:<15}none\n");
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let label = if i == 0 { label.as_str() } else { "" };
            format!("{label:<15}{line}\n")
        })
        .collect()
}

/// What a seed file holds: reports, and the tenants of a tree.
struct Seed {
    reports: Vec<Value>,
    tenants: Vec<Value>,
}

/// What a seed file may be, for its error.
const SEED_FORMS: &str = "expected an array of reports, the API's {\"items\": [reports]}, or \
                          {\"tenants\": [tenants], \"reports\": [reports]} (either optional)";

/// A seed file: a JSON array of reports, the API's `{"items": [...]}` of reports (its other
/// members ignored), or an object `{"tenants": [...], "reports": [...]}` (either member
/// optional; no other).
fn read_seed(path: &Path) -> Result<Seed, Failure> {
    let bad = |why: String| Failure::usage(format!("--seed {}: {why}", path.display()));
    let text = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let value: Value = serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))?;
    let array = |value: Option<Value>, name: &str| match value {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(bad(format!("`{name}` must be an array; {SEED_FORMS}"))),
    };
    match value {
        Value::Array(reports) => Ok(Seed {
            reports,
            tenants: Vec::new(),
        }),
        // The API's shape: its other members (`paging`, say) are not the seed's business, but
        // the other form's are.
        Value::Object(mut object) if object.contains_key("items") => {
            if let Some(other) = ["tenants", "reports"]
                .into_iter()
                .find(|k| object.contains_key(*k))
            {
                return Err(bad(format!("`{other}` beside `items`: {SEED_FORMS}")));
            }
            Ok(Seed {
                reports: array(object.remove("items"), "items")?,
                tenants: Vec::new(),
            })
        }
        Value::Object(mut object) => {
            if let Some(other) = object.keys().find(|k| *k != "tenants" && *k != "reports") {
                return Err(bad(format!("unknown member `{other}`: {SEED_FORMS}")));
            }
            Ok(Seed {
                reports: array(object.remove("reports"), "reports")?,
                tenants: array(object.remove("tenants"), "tenants")?,
            })
        }
        _ => Err(bad(SEED_FORMS.into())),
    }
}
