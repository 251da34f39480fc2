//! The main job end to end: disable a monthly report, then enable it again (or the other way
//! round, for a report that starts disabled), each change verified against the report the
//! server returns.
//!
//! With no settings it runs against the crate's local emulator of the API, authenticating
//! with the emulator's API client (no real credentials):
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Against a real data centre, give the base URL, an API client's id and secret (or a bearer
//! token in `ACRONIS_TOKEN`), and a report id:
//!
//! ```text
//! ACRONIS_BASE_URL=https://eu2-cloud.acronis.com/api/2 ACRONIS_CLIENT_ID=... ACRONIS_CLIENT_SECRET=... \
//!     cargo run --example quickstart -- 20dffb36-d77b-45c6-b2fa-39276e98d5fc
//! ```

use std::env::var;
use std::error::Error;

use acronis_reports::{Client, Report, ReportUpdate};
use acronis_reports_emulator::{CLIENT_ID, CLIENT_SECRET, Emulator, MONTHLY_REPORT_ID};

fn main() -> Result<(), Box<dyn Error>> {
    // The emulator, when used, lives until the end of main.
    let mut emulator = None;
    let (client, report_id) = match var("ACRONIS_BASE_URL") {
        Ok(base_url) => {
            let id = std::env::args()
                .nth(1)
                .ok_or("give the report id as the first argument")?;
            let builder = Client::builder().base_url(base_url);
            let builder = match (
                var("ACRONIS_CLIENT_ID"),
                var("ACRONIS_CLIENT_SECRET"),
                var("ACRONIS_TOKEN"),
            ) {
                (Ok(client_id), Ok(secret), _) => builder.client_credentials(client_id, secret),
                (_, _, Ok(token)) => builder.bearer_token(token),
                _ => {
                    return Err(
                        "set ACRONIS_CLIENT_ID and ACRONIS_CLIENT_SECRET, or ACRONIS_TOKEN".into(),
                    );
                }
            };
            (builder.build()?, id)
        }
        Err(_) => {
            let started = emulator.insert(Emulator::start()?);
            println!(
                "local emulator of the reports API at {}",
                started.base_url()
            );
            let client = Client::builder()
                .base_url(started.base_url())
                .client_credentials(CLIENT_ID, CLIENT_SECRET)
                .build()?;
            (client, MONTHLY_REPORT_ID.to_owned())
        }
    };
    println!("client: {client:?}");

    let before = client.get_report(&report_id)?;
    println!("report {report_id}: {}", describe(&before));

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
    if let Some(emulator) = &emulator {
        println!(
            "({} token request(s) for {} calls)",
            emulator.tokens_issued(),
            emulator.requests().len() - emulator.tokens_issued()
        );
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
