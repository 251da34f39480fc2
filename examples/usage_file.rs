//! A large, realistic usage file on standard output (`LargeUsageFile` of the emulator): 5,000
//! tenants, partners and customers, the vendor's usage names, storage on three backends, made
//! from a fixed seed, so the same arguments give the same bytes. `benches/usage_peers.sh`
//! bills it with the CLI, Python and pandas.
//!
//! ```text
//! cargo run --release --example usage_file -- 3000000 > usage.csv            # 3 million rows
//! cargo run --release --example usage_file -- 3000000 json_v2_0 > usage.json
//! cargo run --release --example usage_file -- 20000 csv_v2_0 50 > small.csv   # 50 tenants
//! ```

use std::io::{self, Write};

use acronis_reports_emulator::LargeUsageFile;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(3_000_000);
    let mut file = match args.next().as_deref() {
        None | Some("csv_v2_0") => LargeUsageFile::csv(rows),
        Some("json_v2_0") => LargeUsageFile::json(rows),
        Some(other) => return Err(format!("{other}: expected csv_v2_0 or json_v2_0").into()),
    };
    if let Some(tenants) = args.next() {
        file = file.tenants(tenants.parse()?);
    }
    let mut out = io::stdout().lock();
    io::copy(&mut file, &mut out)?;
    out.flush()?;
    Ok(())
}
