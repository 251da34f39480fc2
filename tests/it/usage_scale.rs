//! Usage files at scale: every total of a realistic file as the crate computed it on
//! 2026-12-03, and as a plain reading of the same file computes it; totals keyed without
//! building names, ordered and summed as by the metric's text.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use acronis_reports::TenantId;
use acronis_reports::billing::{self, Totals};
use acronis_reports::usage::{
    self, Decimal, Infra, Split, UsageFormat, UsageRecord, UsageRecords, UsageValues,
};
use acronis_reports_emulator::{LargeUsageFile, TENANT_ID};
use proptest::prelude::*;
use serde_json::Value;

/// The totals of `LargeUsageFile::csv(20_000).tenants(40)` and of its `json_v2_0` twin, as
/// `acronis-reports --json usage --billing FILE` printed them (the crate at commit b306a48):
/// one line per tenant and metric. What the readers and the totals give must not change.
pub const TOTALS_BEFORE_CSV: &str = include_str!("../fixtures/billing-totals-csv_v2_0.jsonl");
pub const TOTALS_BEFORE_JSON: &str = include_str!("../fixtures/billing-totals-json_v2_0.jsonl");

/// The file those totals are of.
pub fn golden_file(format: UsageFormat) -> Vec<u8> {
    let mut file = match format {
        UsageFormat::JsonV2 => LargeUsageFile::json(20_000),
        _ => LargeUsageFile::csv(20_000),
    }
    .tenants(40);
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Totals by the iterator, and through `detect` of the gzip-compressed file.
fn totals_all_ways(bytes: &[u8], format: UsageFormat) -> Vec<Totals> {
    let detected = usage::detect(std::io::Cursor::new(gzip(bytes))).unwrap();
    assert_eq!(detected.format(), format);
    vec![
        totals_of(UsageRecords::new(bytes, format).unwrap()),
        totals_of(detected),
    ]
}

fn totals_of<R: Read>(records: UsageRecords<R>) -> Totals {
    let mut totals = Totals::new();
    for record in records {
        totals.add(&record.unwrap()).unwrap();
    }
    totals
}

#[test]
fn every_total_of_a_realistic_file_is_what_it_was_before() {
    for (format, before) in [
        (UsageFormat::CsvV2, TOTALS_BEFORE_CSV),
        (UsageFormat::JsonV2, TOTALS_BEFORE_JSON),
    ] {
        let before: Vec<Value> = before
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let file = golden_file(format);
        for totals in totals_all_ways(&file, format) {
            assert_eq!(totals.len(), before.len(), "{format}");
            for (line, was) in totals.lines().zip(&before) {
                let at = format!("{format}: {was}");
                assert_eq!(line.tenant.to_string(), was["tenant"], "{at}");
                assert_eq!(line.metric, was["metric"], "{at}");
                assert_eq!(line.usage_name, was["usage_name"], "{at}");
                assert_eq!(line.unit.as_deref(), was["unit"].as_str(), "{at}");
                // Exact: the same digits, not merely an equal number.
                assert_eq!(
                    line.quantity.normalize().to_string(),
                    was["quantity"].to_string(),
                    "{at}"
                );
                assert_eq!(Value::from(line.records), was["records"], "{at}");
                assert_eq!(line.negative_records, 0, "{at}");
                let human = line.human().map(|(q, u)| (q.to_string(), u));
                let human_was = was["human"]
                    .as_object()
                    .map(|h| (h["quantity"].to_string(), h["unit"].as_str().unwrap()));
                assert_eq!(human, human_was, "{at}");
            }
        }
    }
}

// --- A plain reading of the same file: by column name, each number by `from_str_exact`.

/// The file, with numbers of other shapes mixed in: fractions (trailing zeros kept, so the
/// scales of sums differ), blank padding, negative quantities, zeros with decimals.
fn decorated(rows: u64) -> Vec<u8> {
    let mut source = Vec::new();
    LargeUsageFile::csv(rows).read_to_end(&mut source).unwrap();
    let mut reader = csv::Reader::from_reader(&source[..]);
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(reader.headers().unwrap()).unwrap();
    for (n, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let fields: Vec<String> = record
            .iter()
            .enumerate()
            .map(|(i, field)| {
                if !(8..17).contains(&i) {
                    return field.to_owned();
                }
                match (n + i) % 23 {
                    0 => format!("{field}.50"),
                    5 => format!(" {field} "),
                    9 => format!("-{field}"),
                    14 if field == "0" => "0.000".to_owned(),
                    17 => format!("{field}.125"),
                    _ => field.to_owned(),
                }
            })
            .collect();
        out.write_record(&fields).unwrap();
    }
    out.into_inner().unwrap()
}

#[derive(Debug, Default, PartialEq)]
struct PlainLine {
    quantity: Decimal,
    scale: u32,
    records: u64,
    negative_records: u64,
}

/// The vendor's rule applied as plainly as it reads: each row by its columns' names, every
/// number by `Decimal::from_str_exact`, lines keyed by the metric's text.
fn plain_totals(bytes: &[u8]) -> BTreeMap<(TenantId, String), PlainLine> {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader.headers().unwrap().clone();
    let mut lines: BTreeMap<(TenantId, String), PlainLine> = BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        let get = |name: &str| {
            let i = headers.iter().position(|h| h == name).unwrap();
            record.get(i).unwrap().trim()
        };
        let number = |name: &str| Decimal::from_str_exact(get(name)).unwrap();
        let name = get("name");
        let split = if billing::BILLED_BY_DELTA.contains(&name) {
            "delta"
        } else {
            "absolute"
        };
        let part = if get("tenant.kind") == "customer" {
            "total"
        } else {
            "production"
        };
        let quantity = number(&format!("usage.{split}.{part}"));
        let metric = match get("infra.backend_type") {
            "" => name.to_owned(),
            backend => format!("{name}_{backend}"),
        };
        let line = lines
            .entry((get("tenant.id").parse().unwrap(), metric))
            .or_default();
        line.quantity = line.quantity.checked_add(quantity).unwrap();
        line.scale = line.quantity.scale();
        line.records += 1;
        if quantity.is_sign_negative() && !quantity.is_zero() {
            line.negative_records += 1;
        }
    }
    lines
}

#[test]
fn totals_are_those_of_a_plain_reading_of_the_same_file() {
    let file = decorated(60_000);
    let plain = plain_totals(&file);
    assert!(plain.len() > 30_000, "5,000 tenants' metrics");
    assert!(
        plain
            .values()
            .any(|l| l.negative_records > 0 && l.scale == 3)
    );
    for totals in totals_all_ways(&file, UsageFormat::CsvV2) {
        let got: Vec<((TenantId, String), PlainLine)> = totals
            .lines()
            .map(|l| {
                (
                    (l.tenant, l.metric.clone()),
                    PlainLine {
                        quantity: l.quantity,
                        scale: l.quantity.scale(),
                        records: l.records,
                        negative_records: l.negative_records,
                    },
                )
            })
            .collect();
        let want: Vec<_> = plain.iter().map(|(k, v)| (k.clone(), v)).collect();
        assert_eq!(got.len(), want.len());
        for (got, want) in got.iter().zip(&want) {
            assert_eq!((&got.0, &got.1), (&want.0, want.1));
        }
    }
}

// --- Totals keyed without building names: as keyed by the metric's text.

fn arb_record() -> impl Strategy<Value = UsageRecord> {
    let tenants = [TENANT_ID, "c0ffee00-0000-4000-8000-00000000000a"];
    (
        prop::sample::select(tenants.to_vec()),
        prop::sample::select(vec![
            "storage",
            "storage_azure",
            "st",
            "storage_",
            "a",
            "b_c",
        ]),
        prop::sample::select(vec![
            None,
            Some(""),
            Some("azure"),
            Some("c"),
            Some("_azure"),
        ]),
        prop::sample::select(vec![None, Some("customer"), Some("partner")]),
        -5i64..100,
        0u32..3,
    )
        .prop_map(|(tenant, name, backend, kind, n, scale)| {
            let q = Decimal::new(n, scale);
            let mut r = UsageRecord::new(
                tenant.parse().unwrap(),
                "backup",
                name,
                UsageValues::Split {
                    absolute: Split::new(q, Decimal::ZERO, q),
                    delta: Split::new(q, Decimal::ZERO, q),
                    effective: Split::default(),
                },
            );
            r.tenant_kind = kind.map(str::to_owned);
            r.infra = backend.map(|b| {
                let mut infra = Infra::default();
                infra.id = Some("i".to_owned());
                infra.backend_type = Some(b.to_owned());
                infra
            });
            r
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn totals_are_keyed_and_ordered_by_the_metrics_text(
        records in prop::collection::vec(arb_record(), 0..60),
    ) {
        let mut totals = Totals::new();
        let mut by_text: BTreeMap<(TenantId, String), (Decimal, u64, u64)> = BTreeMap::new();
        for r in &records {
            totals.add(r).unwrap();
            let q = billing::billable(r);
            let line = by_text.entry((r.tenant, billing::metric(r))).or_default();
            line.0 += q;
            line.1 += 1;
            line.2 += u64::from(q.is_sign_negative() && !q.is_zero());
        }
        let got: Vec<_> = totals
            .lines()
            .map(|l| ((l.tenant, l.metric.clone()), (l.quantity, l.records, l.negative_records)))
            .collect();
        let want: Vec<_> = by_text.into_iter().collect();
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(totals.len(), want.len());
        let owned: Vec<_> = totals.clone().into_lines().into_iter().map(|l| (l.tenant, l.metric)).collect();
        prop_assert_eq!(owned, want.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>());
        // The same records in another order: equal totals.
        let mut reversed = Totals::new();
        for r in records.iter().rev() {
            reversed.add(r).unwrap();
        }
        prop_assert_eq!(reversed.lines().count(), totals.len());
        for (a, b) in reversed.lines().zip(totals.lines()) {
            prop_assert_eq!((a.tenant, &a.metric, a.quantity, a.records), (b.tenant, &b.metric, b.quantity, b.records));
        }
    }
}
