//! Large usage files, made as they are read: a partner's `accounts`-level month, for the
//! speed and exactness of readers and billing at scale.

use std::fmt::Write as _;
use std::io::{self, Read};

/// The usages: application, usage name, and whether it is on an infrastructure (storage).
const USAGES: [(&str, &str, bool); 9] = [
    ("backup", "storage", true),
    ("backup", "workstations", false),
    ("backup", "servers", false),
    ("backup", "vms", false),
    ("backup", "mobiles", false),
    ("backup", "o365_mailboxes", false),
    ("backup", "compute_points", false),
    ("disaster_recovery", "dre_compute_points", false),
    ("physical_data_shipping", "physical_data_shipping", false),
];

const BACKENDS: [&str; 3] = ["acronis", "azure", "google"];

/// The seed of every file: the same arguments give the same bytes, on every machine.
const SEED: u64 = 0x0ac2_0915_5eed_0019;

/// A large usage file in `csv_v2_0` or `json_v2_0`, made row by row as it is read (memory
/// holds one row), from a fixed seed: the same arguments give the same bytes.
///
/// Its rows come tenant by tenant, as the vendor's files have them: 5,000 tenants by default
/// ([`tenants`](Self::tenants)), one in ten a partner and the others customers; the vendor's
/// usage names (storage, in bytes, a third of the rows, on three backends, `acronis`,
/// `azure` and `google`; workstations, servers, virtual machines, mobiles and mailboxes;
/// compute points and disaster-recovery compute points, billed by their delta; physical
/// data shipping); partners and one customer in eight with a trial part, so that
/// production differs from the total. Every number is a whole number, one storage row in a
/// thousand past 2^53 (which a float does not hold exactly, and a 64-bit integer does). The
/// CSV has an SKU column (`sku.name`, half of it quoted, with a comma), as with `show_skus`.
///
/// The `json_v2_0` file holds the same usages, with one number per usage (the total,
/// disaster-recovery compute points in seconds) and no backend types, as the vendor gives
/// them.
///
/// ```
/// use std::io::Read;
/// use acronis_reports::usage::{UsageFormat, UsageRecords};
/// use acronis_reports_emulator::LargeUsageFile;
///
/// let mut csv = String::new();
/// LargeUsageFile::csv(1000).tenants(10).read_to_string(&mut csv)?;
/// assert_eq!(csv.lines().count(), 1001);
/// let records = UsageRecords::new(LargeUsageFile::json(1000), UsageFormat::JsonV2)?;
/// assert_eq!(records.count(), 1000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct LargeUsageFile {
    json: bool,
    rows: u64,
    tenants: u64,
    row: u64,
    rng: Rng,
    pending: Vec<u8>,
    at: usize,
    state: Stage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Head,
    Rows,
    Done,
}

impl LargeUsageFile {
    /// A `csv_v2_0` file of `rows` rows after its header.
    pub fn csv(rows: u64) -> LargeUsageFile {
        LargeUsageFile::new(false, rows)
    }

    /// A `json_v2_0` file of `rows` items in `tenants`.
    pub fn json(rows: u64) -> LargeUsageFile {
        LargeUsageFile::new(true, rows)
    }

    fn new(json: bool, rows: u64) -> LargeUsageFile {
        LargeUsageFile {
            json,
            rows,
            tenants: 5_000,
            row: 0,
            rng: Rng(SEED),
            pending: Vec::with_capacity(1024),
            at: 0,
            state: Stage::Head,
        }
    }

    /// Spreads the rows over `n` tenants (5,000 by default; at least one, and never more than
    /// there are rows).
    pub fn tenants(mut self, n: u64) -> LargeUsageFile {
        self.tenants = n.max(1);
        self
    }

    /// The tenant id of the `n`-th tenant (from 0) of every file.
    pub fn tenant_id(n: u64) -> String {
        uuid(1, n)
    }

    fn head(&mut self) {
        self.pending.extend_from_slice(if self.json {
            b"{\"params\": {\"kind\": 5, \"report_level\": 3, \"report_type\": 1, \"name\": \"Usage summary\", \
              \"begin_date\": 1790812800, \"end_date\": 1793404800, \"gen_date\": 1793491200}, \"tenants\": ["
                .as_slice()
        } else {
            b"tenant.id,tenant.kind,application.id,edition,name,infra.id,infra.backend_type,infra.owner_id,\
              usage.absolute.production,usage.absolute.trial,usage.absolute.total,\
              usage.delta.production,usage.delta.trial,usage.delta.total,\
              usage.effective.production,usage.effective.trial,usage.effective.total,sku.name\n"
                .as_slice()
        });
    }

    /// Appends the next row to `pending`.
    fn next_row(&mut self) {
        let row = self.row;
        self.row += 1;
        let tenants = self.tenants.min(self.rows).max(1);
        // Tenant by tenant: tenant t has the rows from t * rows / tenants on.
        let t = u64::try_from(u128::from(row) * u128::from(tenants) / u128::from(self.rows))
            .unwrap_or(0);
        let partner = t % 10 == 0;
        let tenant = uuid(1, t);
        let rng = &mut self.rng;
        // Storage is a third of the rows; the other usages share the rest.
        let usage = if rng.below(3) == 0 {
            0
        } else {
            1 + rng.below(8)
        };
        let (application, name, on_infra) = USAGES[usize::try_from(usage).unwrap_or(0)];
        let edition = if rng.below(4) == 0 {
            "advanced"
        } else {
            "standard"
        };
        let backend = on_infra.then(|| rng.below(3));
        let q = quantities(rng, name, partner);
        let sku_quoted = rng.below(2) == 0;
        let infra_id = |b: u64| uuid(2 + b, t % 20 + 20 * b);
        let mut line = String::with_capacity(256);
        if self.json {
            let unit = match name {
                "storage" => "bytes",
                "dre_compute_points" => "seconds",
                "physical_data_shipping" => "feature",
                _ => "quantity",
            };
            // One number per usage: the total (disaster-recovery points in seconds).
            let seconds = if name == "dre_compute_points" {
                3600
            } else {
                1
            };
            let _ = write!(
                line,
                "{}{{\"tenant_uuid\": \"{tenant}\", \"tenant_id\": {}, \"application_id\": \"{application}\", \
                 \"edition\": \"{edition}\", \"measurement_unit\": \"{unit}\", \"name\": \"{edition}_{name}\", \
                 \"usage_name\": \"{name}\", \"type\": \"{}\", ",
                if row == 0 { "\n" } else { ",\n" },
                1_000_000 + t,
                if on_infra { "infra" } else { "quantity" },
            );
            if let Some(b) = backend {
                let _ = write!(line, "\"infra_id\": \"{}\", ", infra_id(b));
            }
            let _ = write!(
                line,
                "\"range_start\": \"2026-10-01T00:00:00\", \"value\": {}, \"absolute_value\": {}, \
                 \"offering_item\": {{\"quota\": {{\"overage\": null, \"value\": null, \"version\": 0}}, \"status\": 1}}}}",
                q[5] * seconds,
                q[2],
            );
        } else {
            let kind = if partner { "partner" } else { "customer" };
            let (infra, backend, owner) = match backend {
                Some(b) => (
                    infra_id(b),
                    BACKENDS[usize::try_from(b).unwrap_or(0)],
                    uuid(1, t - t % 10),
                ),
                None => (String::new(), "", String::new()),
            };
            let _ = write!(
                line,
                "{tenant},{kind},{application},{edition},{name},{infra},{backend},{owner}"
            );
            for n in q {
                let _ = write!(line, ",{n}");
            }
            let sku = 100 + usage;
            let _ = if sku_quoted {
                writeln!(line, ",\"SKU-{sku}, monthly\"")
            } else {
                writeln!(line, ",SKU-{sku}")
            };
        }
        self.pending.extend_from_slice(line.as_bytes());
    }

    fn refill(&mut self) {
        self.pending.clear();
        self.at = 0;
        match self.state {
            Stage::Head => {
                self.head();
                self.state = Stage::Rows;
            }
            Stage::Rows if self.row < self.rows => {
                // A few rows at a time, so that reads are not one row each.
                while self.row < self.rows && self.pending.len() < 8192 {
                    self.next_row();
                }
            }
            Stage::Rows => {
                if self.json {
                    self.pending.extend_from_slice(b"\n]}\n");
                }
                self.state = Stage::Done;
            }
            Stage::Done => {}
        }
    }
}

impl Read for LargeUsageFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.pending.len() {
            if self.state == Stage::Done {
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

/// One usage's quantities: absolute, delta and effective, each production, trial, total.
fn quantities(rng: &mut Rng, name: &str, partner: bool) -> [u64; 9] {
    let (absolute, delta) = match name {
        "storage" => {
            // Up to 16 TiB; one row in a thousand past 2^53 (8 PiB).
            let total = if rng.below(1000) == 0 {
                10_000_000_000_000_000 + rng.below(1 << 40)
            } else {
                rng.below(1 << 44)
            };
            (total, rng.below(1 << 34))
        }
        "compute_points" | "dre_compute_points" => (0, rng.below(100_000)),
        "physical_data_shipping" => (rng.below(2), rng.below(2)),
        _ => {
            let n = rng.below(500);
            (n, rng.below(n + 1))
        }
    };
    let mut trial_of = |total: u64| {
        if (partner || rng.below(8) == 0) && total > 0 {
            rng.below(total / 4 + 1)
        } else {
            0
        }
    };
    let absolute_trial = trial_of(absolute);
    let delta_trial = trial_of(delta);
    // The effective amount (after deduplication, for storage) is at most the absolute one.
    let effective = absolute - rng.below(absolute / 3 + 1);
    let effective_trial = absolute_trial.min(effective);
    [
        absolute - absolute_trial,
        absolute_trial,
        absolute,
        delta - delta_trial,
        delta_trial,
        delta,
        effective - effective_trial,
        effective_trial,
        effective,
    ]
}

/// SplitMix64: a small, fixed pseudo-random sequence.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (not 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A random-looking version 4 UUID, the `n`-th of `kind`, the same on every run.
fn uuid(kind: u64, n: u64) -> String {
    let mut rng = Rng(kind << 32 | n);
    let (a, b) = (rng.next(), rng.next());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}
