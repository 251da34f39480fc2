//! How fast the usage readers go, and in how much memory: a generated usage file of the
//! given size (1 GB by default) in each format, read from a stream that makes its rows as they
//! are read (nothing is held but what the reader holds) into one record, reused
//! (`UsageRecords::next_into`), then the peak memory of the process. The stream's own making of
//! rows (a `format!` each) is part of the time.
//!
//! ```text
//! cargo run --release --example usage_throughput            # 1 GB of each format
//! cargo run --release --example usage_throughput -- 200     # 200 MB of each
//! ```
//!
//! Peak memory is the process's high-water mark (`VmHWM` in `/proc/self/status`; Linux).

use std::io::Read;
use std::time::Instant;

use acronis_reports::billing::Totals;
use acronis_reports::usage::{UsageFormat, UsageRecord, UsageRecords};

/// A usage file of `size` bytes, made row by row as it is read.
struct Generated {
    format: UsageFormat,
    size: u64,
    made: u64,
    row: u64,
    pending: Vec<u8>,
    at: usize,
    closed: bool,
}

impl Generated {
    fn new(format: UsageFormat, size: u64) -> Generated {
        let head = match format {
            UsageFormat::CsvV2 => "tenant.id,tenant.kind,application.id,edition,name,infra.id,infra.backend_type,infra.owner_id,\
                usage.absolute.production,usage.absolute.trial,usage.absolute.total,\
                usage.delta.production,usage.delta.trial,usage.delta.total,\
                usage.effective.production,usage.effective.trial,usage.effective.total,sku.name\n"
                .to_owned(),
            _ => "{\"params\": {\"kind\": 5, \"report_level\": 2}, \"tenants\": [\n".to_owned(),
        };
        Generated {
            format,
            size,
            made: 0,
            row: 0,
            pending: head.into_bytes(),
            at: 0,
            closed: false,
        }
    }

    fn refill(&mut self) {
        self.pending.clear();
        self.at = 0;
        if self.made >= self.size {
            if !self.closed && self.format == UsageFormat::JsonV2 {
                self.pending.extend_from_slice(b"\n]}\n");
            }
            self.closed = true;
            return;
        }
        let n = self.row;
        self.row += 1;
        let tenant = format!("c0ffee00-0000-4000-8000-{:012x}", n % 5000);
        let bytes = 10_000_000_000_000_000u64 + n * 4096;
        let line = match self.format {
            UsageFormat::CsvV2 => format!(
                "{tenant},customer,backup,standard,storage,b1a5e000-0000-4000-8000-000000000001,azure,{tenant},\
                 {bytes},0,{bytes},1024,0,1024,{bytes},0,{bytes},\"SKU-{n}, monthly\"\n"
            ),
            _ => format!(
                "{}{{\"tenant_uuid\": \"{tenant}\", \"tenant_id\": {n}, \"application_id\": \"backup\", \
                 \"edition\": \"standard\", \"measurement_unit\": \"bytes\", \"name\": \"standard_storage\", \
                 \"usage_name\": \"storage\", \"type\": \"infra\", \"infra_id\": \"b1a5e000-0000-4000-8000-000000000001\", \
                 \"range_start\": \"2026-10-01T00:00:00\", \"value\": 1024, \"absolute_value\": {bytes}, \"offering_item\": {{\"quota\": {{\"overage\": null, \"value\": null, \"version\": {n}}}, \"status\": 1}}}}",
                if n == 0 { "" } else { ",\n" }
            ),
        };
        self.made += line.len() as u64;
        self.pending.extend_from_slice(line.as_bytes());
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            if self.closed {
                return Ok(0);
            }
            self.refill();
        }
        let n = (self.pending.len() - self.at).min(buf.len());
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The process's peak resident memory, in MiB, where the system says (Linux).
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mb: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1000);
    let size = mb * 1_000_000;
    println!(
        "peak memory before: {:.1} MiB",
        peak_mib().unwrap_or(f64::NAN)
    );
    for format in [UsageFormat::CsvV2, UsageFormat::JsonV2] {
        let mut source = Generated::new(format, size);
        let started = Instant::now();
        let mut totals = Totals::new();
        let mut records = 0u64;
        // One record, reused: no allocation per record.
        let mut reader = UsageRecords::new(&mut source, format)?;
        let mut record = UsageRecord::default();
        while let Some(read) = reader.next_into(&mut record) {
            read?;
            totals.add(&record)?;
            records += 1;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{format}: {records} records, {:.0} MB in {secs:.2} s: {:.0} MB/s, {:.0} records/s; {} billing lines; peak memory so far {:.1} MiB",
            source.made as f64 / 1e6,
            source.made as f64 / 1e6 / secs,
            records as f64 / secs,
            totals.len(),
            peak_mib().unwrap_or(f64::NAN),
        );
    }
    Ok(())
}
