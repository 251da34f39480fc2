//! Usage files at scale, and the fast paths of the readers and the totals: every total of a
//! realistic file as the crate computed it on 2026-12-03, and as a plain reading of the same
//! file computes it; records read into a reused record equal to new ones; numbers read by the
//! fast path equal to the general parser's; totals keyed without building names, ordered and
//! summed as by the metric's text.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use acronis_reports::TenantId;
use acronis_reports::billing::{self, Totals};
use acronis_reports::usage::{
    self, Decimal, Infra, Split, UsageError, UsageFormat, UsageRecord, UsageRecords, UsageValues,
};
use acronis_reports_emulator::{Emulator, LargeUsageFile, TENANT_ID};
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

/// Totals by the iterator, by `next_into`, and through `detect` of the gzip-compressed file
/// (by `next_into`).
fn totals_all_ways(bytes: &[u8], format: UsageFormat) -> Vec<Totals> {
    let detected = usage::detect(std::io::Cursor::new(gzip(bytes))).unwrap();
    assert_eq!(detected.format(), format);
    vec![
        totals_of(UsageRecords::new(bytes, format).unwrap()),
        totals_into(UsageRecords::new(bytes, format).unwrap()),
        totals_into(detected),
    ]
}

fn totals_into<R: Read>(mut records: UsageRecords<R>) -> Totals {
    let mut totals = Totals::new();
    let mut record = UsageRecord::default();
    while let Some(read) = records.next_into(&mut record) {
        read.unwrap();
        totals.add(&record).unwrap();
    }
    totals
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

// --- A record read into a reused record is the one a new record would be.

/// Errors compared by what they say and where.
fn outcome(r: Result<UsageRecord, UsageError>) -> Result<UsageRecord, (String, bool)> {
    r.map_err(|e| (e.to_string(), e.ends_reading))
}

fn both_ways(bytes: &[u8], format: UsageFormat) {
    let new: Vec<_> = UsageRecords::new(bytes, format)
        .unwrap()
        .map(outcome)
        .collect();
    let mut records = UsageRecords::new(bytes, format).unwrap();
    let mut reused = Vec::new();
    let mut record = UsageRecord::default();
    while let Some(read) = records.next_into(&mut record) {
        reused.push(outcome(read.map(|()| record.clone())));
    }
    assert!(new.iter().any(Result::is_ok) && new.iter().any(Result::is_err));
    assert_eq!(new, reused);
}

#[test]
fn a_reused_record_reads_as_a_new_one_rows_and_errors_alike() {
    let csv = format!(
        "tenant.id,tenant.kind,application.id,edition,name,infra.id,infra.backend_type,infra.owner_id,\
         usage.absolute.production,usage.absolute.trial,usage.absolute.total,\
         usage.delta.production,usage.delta.trial,usage.delta.total,\
         usage.effective.production,usage.effective.trial,usage.effective.total,sku.name,note\n\
         {TENANT_ID},partner,backup,advanced,storage,i1,azure,o1,1,2,3,4,5,6,7,8,9,SKU-1,\"a, note\"\n\
         {TENANT_ID},,backup,,workstations,,,,1,0,1,0,0,0,1,0,1,,\n\
         {TENANT_ID},customer,backup,standard,storage,i2,,,1.50,0,1.50,0,0,0,1,0,1,SKU-2,x\n\
         {TENANT_ID},customer,backup,standard,storage,,,,one,0,1,0,0,0,1,0,1,SKU-3,x\n\
         {TENANT_ID},customer,backup,standard,storage,i3,google,,1,0,1,0,0,0,1,0,1\n\
         {TENANT_ID},customer,backup,standard,storage,i4,acronis,o4,2,0,2,0,0,0,2,0,2,SKU-4,y\n\
         ,customer,backup,standard,storage,,,,1,0,1,0,0,0,1,0,1,SKU-5,x\n\
         {TENANT_ID},customer,backup,standard,vms,,,,1e2,0,100,0,0,0,1,0,1,SKU-6,z\n"
    );
    let mut bytes = csv.into_bytes();
    // Not UTF-8, in a column this version does not know.
    bytes.extend_from_slice(
        format!("{TENANT_ID},customer,backup,standard,vms,,,,1,0,1,0,0,0,1,0,1,SKU-7,").as_bytes(),
    );
    bytes.extend_from_slice(b"\xff\n");
    bytes.extend_from_slice(
        format!("{TENANT_ID},customer,backup,standard,vms,,,,3,0,3,0,0,0,3,0,3,SKU-8,w\n")
            .as_bytes(),
    );
    both_ways(&bytes, UsageFormat::CsvV2);

    let item = |extra: &str| {
        format!(
            r#"{{"tenant_uuid": "{TENANT_ID}", "tenant_id": 7, "application_id": "backup", "usage_name": "storage", "value": 1, "absolute_value": 2{extra}}}"#
        )
    };
    let items = [
        item(
            r#", "edition": "advanced", "infra_id": "i1", "name": "advanced_storage", "measurement_unit": "bytes", "type": "infra", "range_start": "2026-10-01T00:00:00", "offering_item": {"status": 1, "quota": {"value": 5, "overage": null, "version": 2}}, "aggregation": "sum""#,
        ),
        item(r#", "edition": null, "infra_id": null"#),
        item(r#", "usage_name": "twice""#),
        item(
            r#", "offering_item": {"status": "on"}, "colour": "r\u00e9d", "range_start": 1564617600"#,
        ),
        item(r#", "edition": "st\"and\"ard", "tenant_id": 1.5"#),
        item(r#", "\u0061ggregation": "max""#),
        r#"{"application_id": "backup"}"#.to_owned(),
        item(r#", "value": "12.50""#).replace(r#""value": 1, "#, ""),
        item(""),
    ];
    let json = format!(r#"{{"params": {{}}, "tenants": [{}]}}"#, items.join(", "));
    both_ways(json.as_bytes(), UsageFormat::JsonV2);

    // And the emulator's files, and the realistic one, read whole.
    for format in [UsageFormat::CsvV2, UsageFormat::JsonV2] {
        let file = golden_file(format);
        let new: Vec<UsageRecord> = UsageRecords::new(&file[..], format)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut records = UsageRecords::new(&file[..], format).unwrap();
        let mut record = UsageRecord::default();
        let mut n = 0;
        while let Some(read) = records.next_into(&mut record) {
            read.unwrap();
            assert_eq!(record, new[n]);
            n += 1;
        }
        assert_eq!(n, new.len());
        let emulator =
            Emulator::usage_content(format.as_str(), TENANT_ID, "2026-10-01", "2026-10-31")
                .unwrap();
        let new: Vec<UsageRecord> = UsageRecords::new(&emulator[..], format)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut records = UsageRecords::new(&emulator[..], format).unwrap();
        for expected in &new {
            records.next_into(&mut record).unwrap().unwrap();
            assert_eq!(&record, expected);
        }
        assert!(records.next_into(&mut record).is_none());
    }
}

// --- Numbers read by the fast path are the general parser's, scale and all.

fn csv_with_total(number: &str) -> String {
    format!(
        "tenant.id,tenant.kind,application.id,name,infra.id,infra.backend_type,infra.owner_id,\
         usage.absolute.production,usage.absolute.trial,usage.absolute.total,\
         usage.delta.production,usage.delta.trial,usage.delta.total,\
         usage.effective.production,usage.effective.trial,usage.effective.total\n\
         {TENANT_ID},customer,backup,storage,,,,0,0,{number},0,0,0,0,0,0\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn numbers_are_read_as_from_str_exact_reads_them(
        number in "-?(0|[1-9][0-9]{0,29})(\\.[0-9]{1,29})?",
    ) {
        let read = UsageRecords::new(csv_with_total(&number).as_bytes(), UsageFormat::CsvV2)
            .unwrap()
            .next()
            .unwrap();
        match (read, Decimal::from_str_exact(&number)) {
            (Ok(record), Ok(exact)) => {
                let got = record.absolute();
                prop_assert_eq!(
                    (got.mantissa(), got.scale(), got.is_sign_negative()),
                    (exact.mantissa(), exact.scale(), exact.is_sign_negative()),
                    "{}", number
                );
            }
            (Err(e), Err(_)) => {
                prop_assert_eq!(e.field.as_deref(), Some("usage.absolute.total"));
                prop_assert!(e.message.contains("can hold exactly"), "{}", e);
            }
            (read, exact) => prop_assert!(false, "{}: read {:?}, exact {:?}", number, read, exact),
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
