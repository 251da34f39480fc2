//! `emulator`: the local emulator of the reports API, for scripts in any language.

use std::path::Path;

use acronis_reports_emulator::{
    CLIENT_ID, CLIENT_SECRET, Emulator, MONTHLY_REPORT_ID, ONCE_REPORT_ID, TENANT_ID, TOKEN,
};
use serde_json::Value;

use crate::failure::{Failure, exit};
use crate::json;
use crate::output::Output;

/// Starts the emulator, says where it is and how to authenticate, and serves until the tool
/// is interrupted.
pub fn run(
    port: u16,
    seed: Option<&Path>,
    tenants: &[String],
    out: &Output,
) -> Result<u8, Failure> {
    let tenants: Vec<acronis_reports::TenantId> = tenants
        .iter()
        .map(|t| {
            t.parse()
                .map_err(|e| Failure::usage(format!("--tenant: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let mut builder = Emulator::builder().port(port);
    if let Some(path) = seed {
        builder = builder.reports(seed_reports(path)?);
    }
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
    let base_url = emulator.base_url();
    let written = if out.json {
        out.json(&json::EmulatorStarted {
            base_url: &base_url,
            client_id: CLIENT_ID,
            client_secret: CLIENT_SECRET,
            reports: seed
                .is_none()
                .then_some([MONTHLY_REPORT_ID, ONCE_REPORT_ID]),
            tenant_id: TENANT_ID,
            token: TOKEN,
        })
    } else {
        let reports = if seed.is_some() {
            "from the seed file".to_owned()
        } else {
            format!("{MONTHLY_REPORT_ID} (monthly), {ONCE_REPORT_ID} (once)")
        };
        out.line(&format!(
            "emulator of the Acronis usage-reports API (a test server: not the vendor's)\n\
             base URL:      {base_url}\n\
             token:         {TOKEN}\n\
             client id:     {CLIENT_ID}\n\
             client secret: {CLIENT_SECRET}\n\
             tenant:        {TENANT_ID}\n\
             reports:       {reports}\n\
             interrupt (Ctrl-C) to stop"
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

/// The reports of a seed file: a JSON array, or the API's `{"items": [...]}`.
fn seed_reports(path: &Path) -> Result<Vec<Value>, Failure> {
    let bad = |why: String| Failure::usage(format!("--seed {}: {why}", path.display()));
    let text = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let value: Value = serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut object) => match object.remove("items") {
            Some(Value::Array(items)) => items,
            _ => {
                return Err(bad(
                    "expected an array of reports, or {\"items\": [...]}".into()
                ));
            }
        },
        _ => {
            return Err(bad(
                "expected an array of reports, or {\"items\": [...]}".into()
            ));
        }
    };
    Ok(items)
}
