//! Create a one-time usage report, wait until its file is generated, and download it: what
//! every public example of this API does, in a few calls.
//!
//! With no settings it runs against the crate's local emulator of the API:
//!
//! ```text
//! cargo run --example create_and_download
//! ```
//!
//! Against a real data centre, give the base URL, an API client's id and secret, and the
//! tenant whose usage to report (the file is written to `usage-report.csv`; against the
//! emulator, to the temporary directory):
//!
//! ```text
//! ACRONIS_BASE_URL=https://eu2-cloud.acronis.com/api/2 ACRONIS_CLIENT_ID=... ACRONIS_CLIENT_SECRET=... \
//!     cargo run --example create_and_download -- <tenant-id>
//! ```

use std::env::var;
use std::error::Error;
use std::fs::File;
use std::io::BufWriter;
use std::time::Duration;

use acronis_reports::{Client, Date, Level, NewReport, ReportFormat, ReportKind};
use acronis_reports_emulator::{CLIENT_ID, CLIENT_SECRET, Emulator, TENANT_ID};

fn main() -> Result<(), Box<dyn Error>> {
    let mut emulator = None;
    let (client, tenant) = match var("ACRONIS_BASE_URL") {
        Ok(base_url) => {
            let tenant = std::env::args()
                .nth(1)
                .ok_or("give the tenant id as the first argument")?;
            let client = Client::builder()
                .base_url(base_url)
                .client_credentials(var("ACRONIS_CLIENT_ID")?, var("ACRONIS_CLIENT_SECRET")?)
                .build()?;
            (client, tenant)
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
                .poll_interval(Duration::from_millis(200))
                .build()?;
            (client, TENANT_ID.to_owned())
        }
    };

    // Last month's usage, summed per account, as CSV.
    let today = Date::today_utc();
    let (year, month) = if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    };
    let start = Date::new(year, month, 1).ok_or("no such month")?;
    let end = (28..=31)
        .rev()
        .find_map(|day| Date::new(year, month, day))
        .ok_or("no such month")?;
    let request = NewReport::new(tenant.parse()?, Level::Accounts, ReportKind::UsageSummary)
        .formats([ReportFormat::Csv])
        .period(start, end);
    println!("POST /reports  {}", request.to_json_string());

    let report = match client.create_report(&request) {
        Err(e) if e.is_usage_history_not_ready() => {
            return Err(format!("{e}\nusage history is built overnight: try after 6 am").into());
        }
        other => other?,
    };
    println!(
        "created report {} (verified), waiting for its file...",
        report.id
    );

    let stored = client.wait_for_stored_report(&report, Duration::from_secs(300))?;
    println!(
        "saved: {} file, {} bytes compressed",
        stored.report_format,
        stored.size.unwrap_or(0)
    );

    // Against the emulator the file goes to the temporary directory.
    let path = if emulator.is_some() {
        std::env::temp_dir().join("usage-report.csv")
    } else {
        "usage-report.csv".into()
    };
    let written =
        client.download_stored_report(&report, &stored, BufWriter::new(File::create(&path)?))?;
    println!("downloaded {written} bytes to {}", path.display());
    Ok(())
}
