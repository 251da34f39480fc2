//! The main job end to end: disable a monthly report, then enable it again (or the other way
//! round, for a report that starts disabled), each change verified against the report the
//! server returns.
//!
//! With no settings it runs against the crate's local emulator of the API (no credentials):
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Against a real data centre, give the base URL, a bearer token and a report id:
//!
//! ```text
//! ACRONIS_BASE_URL=https://eu2-cloud.acronis.com/api/2 ACRONIS_TOKEN=... \
//!     cargo run --example quickstart -- 20dffb36-d77b-45c6-b2fa-39276e98d5fc
//! ```

use std::error::Error;

use acronis_reports::{Client, Report, ReportUpdate};
use acronis_reports_emulator::{Emulator, MONTHLY_REPORT_ID, TOKEN};

fn main() -> Result<(), Box<dyn Error>> {
    // Keep the emulator alive for the whole run when it is used.
    let (_emulator, base_url, token, report_id) = match std::env::var("ACRONIS_BASE_URL") {
        Ok(base_url) => {
            let token = std::env::var("ACRONIS_TOKEN")
                .map_err(|_| "set ACRONIS_TOKEN to a bearer token")?;
            let id = std::env::args()
                .nth(1)
                .ok_or("give the report id as the first argument")?;
            (None, base_url, token, id)
        }
        Err(_) => {
            let emulator = Emulator::start()?;
            println!(
                "local emulator of the reports API at {}",
                emulator.base_url()
            );
            let base_url = emulator.base_url();
            (
                Some(emulator),
                base_url,
                TOKEN.to_owned(),
                MONTHLY_REPORT_ID.to_owned(),
            )
        }
    };

    let client = Client::builder()
        .base_url(base_url)
        .bearer_token(token)
        .build()?;

    let before = client.get_report(&report_id)?;
    println!("report {}: {}", report_id, describe(&before));

    // Switch it, then back, so the report ends as it started.
    let was_enabled = before.schedule.enabled;
    for update in [
        ReportUpdate::new().enabled(!was_enabled),
        ReportUpdate::new().enabled(was_enabled),
    ] {
        println!(
            "PUT {}/reports/{report_id}  {}",
            client.base_url(),
            update.to_json_string()
        );
        let report = client.update_report(&report_id, &update)?;
        println!("  verified: {}", describe(&report));
    }
    Ok(())
}

fn describe(r: &Report) -> String {
    format!(
        "version {}, {} {} report of tenant {} at level {}, {} schedule, enabled: {}",
        r.version,
        r.result_action,
        r.parameters.kind,
        r.parameters.tenant_id,
        r.parameters.level,
        r.schedule.schedule_type,
        r.schedule.enabled
    )
}
