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

mod common;

use std::error::Error;
use std::fs::File;
use std::io::BufWriter;
use std::time::Duration;

use acronis_reports::{Date, Level, NewReport, ReportFormat, ReportKind};

fn main() -> Result<(), Box<dyn Error>> {
    let (client, tenant, emulator) = common::connect()?;

    // Last month's usage, summed per account, as CSV.
    let (start, end) = Date::today_utc()
        .previous_month()
        .ok_or("no month before")?;
    let request = NewReport::new(tenant, Level::Accounts, ReportKind::UsageSummary)
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
