//! The usage readers: the emulator's files in both formats, hand-written files that follow the
//! vendor's facts (unknown columns and members, empty infra cells, no edition column, quoted
//! commas, numbers past 2^53), broken files (cut short, not UTF-8, wrong values) with errors
//! naming where, and CSV and JSON written by the test reading back the same.

use std::io::Read;

use acronis_reports::billing::{Gap, Totals, billable};
use acronis_reports::usage::{
    self, Decimal, Position, RangeStart, Split, UsageFormat, UsageRecord, UsageRecords, UsageValues,
};
use acronis_reports_emulator::{CUSTOMER_A, CUSTOMER_B, Emulator, TENANT_ID};
use proptest::prelude::*;

const HEADER: &str = "tenant.id,tenant.kind,application.id,name,infra.id,infra.backend_type,infra.owner_id,\
usage.absolute.production,usage.absolute.trial,usage.absolute.total,\
usage.delta.production,usage.delta.trial,usage.delta.total,\
usage.effective.production,usage.effective.trial,usage.effective.total";

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn read(text: &[u8], format: UsageFormat) -> Vec<Result<UsageRecord, usage::UsageError>> {
    UsageRecords::new(text, format).unwrap().collect()
}

fn emulator_file(format: &str) -> Vec<u8> {
    Emulator::usage_content(format, TENANT_ID, "2026-10-01", "2026-10-31").unwrap()
}

#[test]
fn the_emulators_csv_reads_with_every_member() {
    let records: Vec<UsageRecord> = read(&emulator_file("csv_v2_0"), UsageFormat::CsvV2)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(records.len(), 6);
    let a = &records[1];
    assert_eq!(a.tenant.to_string(), CUSTOMER_A);
    assert_eq!(a.tenant_kind.as_deref(), Some("customer"));
    assert_eq!(
        (a.application.as_str(), a.edition.as_str()),
        ("backup", "advanced")
    );
    assert_eq!(a.usage_name, "storage");
    // 10^16 bytes: past 2^53, exact.
    assert_eq!(a.absolute(), dec("10000000000000000"));
    assert!(a.absolute() > Decimal::from(1u64 << 53));
    let infra = a.infra.as_ref().unwrap();
    assert_eq!(infra.backend_type.as_deref(), Some("azure"));
    assert_eq!(infra.owner_id.as_deref(), Some(TENANT_ID));
    // The column the crate does not know, with the comma its quoted value holds.
    assert_eq!(
        a.extra,
        [(
            "sku.name".to_owned(),
            "SKU-BACKUP-STORAGE, monthly".to_owned()
        )]
    );
    // No infrastructure: empty cells, no infra.
    assert_eq!(records[2].infra, None);
    let UsageValues::Split { absolute, .. } = records[3].values else {
        panic!("{:?}", records[3].values)
    };
    assert_eq!(
        absolute,
        Split::new(dec("4294967296"), dec("1073741824"), dec("5368709120"))
    );
}

#[test]
fn the_emulators_json_reads_the_same_usages() {
    let csv: Vec<UsageRecord> = read(&emulator_file("csv_v2_0"), UsageFormat::CsvV2)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let json_file = emulator_file("json_v2_0");
    let mut records = UsageRecords::new(&json_file[..], UsageFormat::JsonV2).unwrap();
    let json: Vec<UsageRecord> = records.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(json.len(), csv.len());
    for (c, j) in csv.iter().zip(&json) {
        assert_eq!(
            (
                c.tenant,
                &c.application,
                &c.edition,
                &c.usage_name,
                c.absolute()
            ),
            (
                j.tenant,
                &j.application,
                &j.edition,
                &j.usage_name,
                j.absolute()
            )
        );
    }
    let a = &json[1];
    assert_eq!(a.tenant_number, Some(1002));
    assert_eq!(a.unit.as_deref(), Some("bytes"));
    assert_eq!(a.full_name.as_deref(), Some("advanced_storage"));
    assert_eq!(a.usage_type.as_deref(), Some("infra"));
    let item = a.offering_item.as_ref().unwrap();
    assert_eq!(item.status, Some(1));
    assert_eq!(
        item.quota.as_ref().map(|q| (q.value, q.version)),
        Some((None, Some(0)))
    );
    // The vendor's form: ISO 8601 without a zone, read as UTC.
    assert_eq!(
        a.range_start.as_ref().unwrap().to_string(),
        "2026-10-01T00:00:00"
    );
    assert_eq!(
        a.range_start.as_ref().and_then(RangeStart::unix_seconds),
        Some(1_790_812_800)
    );
    assert_eq!(a.extra, [("aggregation".to_owned(), "sum".to_owned())]);
    // Disaster-recovery compute points: seconds in JSON, points in CSV.
    assert_eq!((json[2].delta(), csv[2].delta()), (dec("7200"), dec("2")));
    let params = records.params().unwrap();
    assert_eq!(params["report_level"], 2);
    assert_eq!(params["kind"], 5);
}

#[test]
fn billing_totals_match_a_hand_computed_table() {
    let mut totals = Totals::new();
    for record in read(&emulator_file("json_v2_0"), UsageFormat::JsonV2) {
        totals.add(&record.unwrap()).unwrap();
    }
    let got: Vec<(String, &str, String, Option<String>)> = totals
        .lines()
        .map(|l| {
            (
                l.tenant.to_string(),
                l.usage_name.as_str(),
                l.quantity.to_string(),
                l.human().map(|(q, u)| format!("{q} {u}")),
            )
        })
        .collect();
    let row = |t: &str, u: &'static str, q: &str, h: Option<&str>| {
        (t.to_owned(), u, q.to_owned(), h.map(str::to_owned))
    };
    // By tenant (as ids sort), then usage name. Storage: absolute; compute points: delta.
    assert_eq!(
        got,
        [
            row(TENANT_ID, "storage", "3221225472", Some("3 GiB")),
            row(CUSTOMER_A, "dre_compute_points", "7200", Some("2 hours")),
            row(
                CUSTOMER_A,
                "storage",
                "10000000000000000",
                Some("9313225.746 GiB")
            ),
            row(CUSTOMER_B, "physical_data_shipping", "1", None),
            row(CUSTOMER_B, "storage", "5368709120", Some("5 GiB")),
            row(CUSTOMER_B, "workstations", "3", None),
        ]
    );
    // CSV: the partner is billed its production (2 GiB), not its total (3 GiB).
    let csv: Vec<UsageRecord> = read(&emulator_file("csv_v2_0"), UsageFormat::CsvV2)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(billable(&csv[0]), dec("2147483648"));
    assert_eq!(billable(&csv[3]), dec("5368709120"), "a customer's total");
    assert_eq!(billable(&csv[2]), dec("2"), "compute points: the delta");
    // JSON cannot apply the rule in full, and the totals say why; CSV can.
    assert_eq!(
        totals.gaps().collect::<Vec<_>>(),
        [Gap::NoSplit, Gap::NoBackendType]
    );
    // A CSV row without its tenant's kind, or on an infrastructure without a backend type.
    let row_of = |kind: &str, backend: &str| {
        self::row(&format!(
            "{A},{kind},backup,storage,infra-1,{backend},,1,0,1,0,0,0,1,0,1"
        ))
    };
    for (text, gaps) in [
        (row_of("customer", "azure"), vec![]),
        (row_of("", "azure"), vec![Gap::NoTenantKind]),
        (row_of("customer", ""), vec![Gap::NoBackendType]),
    ] {
        let mut t = Totals::new();
        for record in read(text.as_bytes(), UsageFormat::CsvV2) {
            t.add(&record.unwrap()).unwrap();
        }
        assert_eq!(t.gaps().collect::<Vec<_>>(), gaps, "{text}");
    }
    let mut from_csv = Totals::new();
    for record in &csv {
        from_csv.add(record).unwrap();
    }
    assert_eq!(from_csv.gaps().count(), 0);
    let metrics: Vec<&str> = from_csv.lines().map(|l| l.metric.as_str()).collect();
    assert!(metrics.contains(&"storage_azure"), "{metrics:?}");
}

/// The vendor's example tenant service usage object ("Tenant service usage JSON object
/// structure", the items of a `json_v2_0` file's `tenants`), member for member as published.
/// It names no `tenant_uuid`, which the same page's table lists first.
const VENDOR_USAGE_OBJECT: &str = r#"{
    "absolute_value": 0,
    "application_id": "6e6d758d-8e74-3ae3-ac84-50eb0dff12eb",
    "edition": "standard",
    "infra_id": "019097a6-114f-4418-bd54-e01ef049f209",
    "measurement_unit": "bytes",
    "name": "storage",
    "usage_name": "storage",
    "offering_item": {
        "quota": {
            "overage": null,
            "value": null,
            "version": 0
        },
        "status": 1
    },
    "range_start": "2019-08-01T00:00:00",
    "tenant_id": 1326401,
    "type": "infra",
    "value": 0
}"#;

/// The report data object of a `json_v2_0` file (`params`), with every member the vendor's
/// page "Fetching a service usage using a stored report" lists, of the types it gives.
const VENDOR_PARAMS: &str = r#"{"kind": 5, "gen_date": 1567296000, "begin_date": 1564617600,
    "end_date": 1567209600, "group_id": 1326401, "name": "Partner", "report_level": 2,
    "report_type": 5}"#;

#[test]
fn a_file_of_the_vendors_documented_objects_reads_and_bills() {
    let tenant = "c2c2c2c2-0000-4000-8000-000000000002";
    // The documented object, with the `tenant_uuid` its table lists, and a second of a
    // non-zero usage: what a real file's items are.
    let item = VENDOR_USAGE_OBJECT.replacen('{', &format!(r#"{{"tenant_uuid": "{tenant}","#), 1);
    let second = item
        .replace(r#""absolute_value": 0"#, r#""absolute_value": 1073741824"#)
        .replace(r#""value": 0"#, r#""value": 1024"#);
    let file = format!(r#"{{"params": {VENDOR_PARAMS}, "tenants": [{item}, {second}]}}"#);
    let mut records = UsageRecords::new(file.as_bytes(), UsageFormat::JsonV2).unwrap();
    let read: Vec<UsageRecord> = records.by_ref().collect::<Result<_, _>>().unwrap();
    let r = &read[0];
    assert_eq!(r.tenant.to_string(), tenant);
    assert_eq!(r.tenant_number, Some(1_326_401));
    assert_eq!(r.application, "6e6d758d-8e74-3ae3-ac84-50eb0dff12eb");
    assert_eq!(r.edition, "standard");
    assert_eq!(
        r.infra.as_ref().and_then(|i| i.id.as_deref()),
        Some("019097a6-114f-4418-bd54-e01ef049f209")
    );
    assert_eq!(r.unit.as_deref(), Some("bytes"));
    assert_eq!(
        (r.full_name.as_deref(), r.usage_name.as_str()),
        (Some("storage"), "storage")
    );
    assert_eq!(r.usage_type.as_deref(), Some("infra"));
    let offering = r.offering_item.as_ref().unwrap();
    assert_eq!(offering.status, Some(1));
    let quota = offering.quota.clone().unwrap();
    assert_eq!(
        (quota.value, quota.overage, quota.version),
        (None, None, Some(0))
    );
    assert_eq!(
        r.range_start.as_ref().and_then(RangeStart::unix_seconds),
        Some(1_564_617_600) // 2019-08-01T00:00:00Z
    );
    assert_eq!((r.delta(), r.absolute()), (dec("0"), dec("0")));
    assert!(
        r.extra.is_empty(),
        "every member is a documented one: {:?}",
        r.extra
    );
    let params = records.params().unwrap();
    assert_eq!(
        (params["kind"].as_i64(), params["name"].as_str()),
        (Some(5), Some("Partner"))
    );
    // It bills: storage by its absolute amount, with the gaps of the format said.
    let mut totals = Totals::new();
    for record in &read {
        totals.add(record).unwrap();
    }
    let line = totals.lines().next().unwrap();
    assert_eq!(
        (line.metric.as_str(), line.quantity, line.human()),
        ("storage", dec("1073741824"), Some((dec("1"), "GiB")))
    );
    assert_eq!(totals.gaps().count(), 2);

    // The example as published names no tenant: that item alone is refused, and says why.
    let file = format!(r#"{{"tenants": [{VENDOR_USAGE_OBJECT}, {item}]}}"#);
    let results: Vec<_> = UsageRecords::new(file.as_bytes(), UsageFormat::JsonV2)
        .unwrap()
        .collect();
    let e = results[0].as_ref().unwrap_err();
    assert_eq!(
        (e.field.as_deref(), e.message.as_str()),
        (Some("tenant_uuid"), "is missing")
    );
    assert!(results[1].is_ok(), "the next item is read");
}

fn row(cells: &str) -> String {
    format!("{HEADER}\n{cells}\n")
}

const A: &str = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc";

#[test]
fn a_csv_without_an_edition_column_reads_standard() {
    let text = row(&format!("{A},customer,backup,storage,,,,1,0,1,0,0,0,1,0,1"));
    let record = read(text.as_bytes(), UsageFormat::CsvV2).remove(0).unwrap();
    assert_eq!(record.edition, "standard");
    assert_eq!(record.infra, None);
    assert!(record.extra.is_empty());
}

#[test]
fn quoted_fields_blank_padding_and_a_byte_order_mark_are_read() {
    let text = format!(
        "\u{feff}{HEADER},note\n{A},customer,backup,\"storage\",\"i,1\",,,  7 ,0,7,0,0,0,7,0,7,\"a, \"\"quoted\"\" note\"\n"
    );
    let record = read(text.as_bytes(), UsageFormat::CsvV2).remove(0).unwrap();
    assert_eq!(record.tenant.to_string(), A);
    assert_eq!(record.infra.as_ref().unwrap().id.as_deref(), Some("i,1"));
    assert_eq!(record.absolute(), dec("7"));
    assert_eq!(
        record.extra,
        [("note".to_owned(), "a, \"quoted\" note".to_owned())]
    );
}

#[test]
fn a_csv_missing_a_required_column_is_refused_naming_it() {
    let header = HEADER.replace(",usage.delta.trial", "");
    let Err(e) = UsageRecords::new(format!("{header}\n").as_bytes(), UsageFormat::CsvV2) else {
        panic!("accepted")
    };
    assert_eq!(e.position, Position::Header);
    assert!(e.message.contains("usage.delta.trial"), "{e}");
    assert!(UsageRecords::new(&b""[..], UsageFormat::CsvV2).is_err());
}

#[test]
fn csv_errors_name_the_row_and_column_and_the_next_rows_are_read() {
    let good = format!("{A},customer,backup,storage,,,,1,0,1,0,0,0,1,0,1");
    let text = format!(
        "{HEADER}\n{good}\n{A},customer,backup,storage,,,,1,0,one,0,0,0,1,0,1\n\
         not-a-uuid,customer,backup,storage,,,,1,0,1,0,0,0,1,0,1\n\
         {A},customer,,storage,,,,1,0,1,0,0,0,1,0,1\n\
         {A},customer,backup,storage,,,,1,0,1,0,0,0,1,0,100000000000000000000000000000\n\
         {good}\n"
    );
    let results = read(text.as_bytes(), UsageFormat::CsvV2);
    assert_eq!(results.len(), 6);
    let errors: Vec<(Position, Option<String>)> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| (e.position, e.field.clone()))
        .collect();
    assert_eq!(
        errors,
        [
            (Position::row(2, 3), Some("usage.absolute.total".to_owned())),
            (Position::row(3, 4), Some("tenant.id".to_owned())),
            (Position::row(4, 5), Some("application.id".to_owned())),
            (
                Position::row(5, 6),
                Some("usage.effective.total".to_owned())
            ),
        ]
    );
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(
        e.to_string(),
        "csv_v2_0 usage file, row 2 (line 3), usage.absolute.total: \"one\" is not a number"
    );
    assert!(results[5].is_ok());
}

#[test]
fn a_truncated_csv_ends_in_an_error_naming_its_row() {
    let text = row(&format!("{A},customer,backup,storage,,,,1,0,1,0,0,0,1,0,1"));
    let cut = format!("{text}{A},customer,backup,sto");
    let results = read(cut.as_bytes(), UsageFormat::CsvV2);
    assert_eq!(results.len(), 2);
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.position, Position::row(2, 3));
    assert!(
        e.message.contains("4 fields where the header has 16"),
        "{e}"
    );
}

#[test]
fn bytes_that_are_not_utf8_are_that_rows_error() {
    let mut bad = format!("{A},customer,backXup,storage,,,,1,0,1,0,0,0,1,0,1\n").into_bytes();
    let at = bad.iter().position(|&b| b == b'X').unwrap();
    bad[at] = 0xff;
    let mut file = row(&format!("{A},customer,backup,storage,,,,1,0,1,0,0,0,1,0,1")).into_bytes();
    file.extend_from_slice(&bad);
    file.extend_from_slice(
        format!("{A},customer,backup,storage,,,,2,0,2,0,0,0,2,0,2\n").as_bytes(),
    );
    let results = read(&file, UsageFormat::CsvV2);
    assert_eq!(results.len(), 3);
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.position, Position::row(2, 3));
    assert!(e.message.contains("not UTF-8"), "{e}");
    assert_eq!(results[2].as_ref().unwrap().absolute(), dec("2"));
}

const ITEM: &str = r#"{"tenant_uuid": "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc", "tenant_id": 7,
    "application_id": "backup", "edition": "standard", "measurement_unit": "bytes",
    "name": "standard_storage", "usage_name": "storage", "type": "infra", "infra_id": "i-1",
    "range_start": 1790812800, "value": 5, "absolute_value": 18446744073709551615}"#;

#[test]
fn json_members_in_any_order_params_after_the_items_and_unknown_members_kept() {
    let text = format!(
        r#"{{"tenants": [{ITEM}, {{"usage_name": "seats", "absolute_value": "12.50", "value": 0.125,
            "application_id": "backup", "tenant_uuid": "{A}", "new": {{"a": [1, "]"]}}, "tenant_id": null}}],
           "extra": [1, 2, {{"x": "}}"}}], "params": {{"kind": 5}}}}"#
    );
    let mut records = UsageRecords::new(text.as_bytes(), UsageFormat::JsonV2).unwrap();
    let all: Vec<UsageRecord> = records.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(all.len(), 2);
    // Past u64's 2^64 - 1 exactly, no float on the way.
    assert_eq!(all[0].absolute(), dec("18446744073709551615"));
    assert_eq!(all[0].infra.as_ref().unwrap().id.as_deref(), Some("i-1"));
    assert_eq!(all[1].absolute(), dec("12.50"));
    assert_eq!(all[1].delta(), dec("0.125"));
    assert_eq!(all[1].edition, "standard");
    assert_eq!(all[1].tenant_number, None);
    assert_eq!(
        all[1].extra,
        [("new".to_owned(), r#"{"a": [1, "]"]}"#.to_owned())]
    );
    assert_eq!(records.params().unwrap()["kind"], 5);
}

#[test]
fn json_item_errors_name_the_index_and_member_and_the_next_items_are_read() {
    let text = format!(
        r#"{{"tenants": [{ITEM}, {{"tenant_uuid": "{A}", "application_id": "backup", "usage_name": "x", "value": "lots", "absolute_value": 1}},
            {{"tenant_uuid": "{A}", "usage_name": "x", "value": 1, "absolute_value": 1}}, 42, {ITEM}]}}"#
    );
    let results = read(text.as_bytes(), UsageFormat::JsonV2);
    assert_eq!(results.len(), 5);
    let errors: Vec<(Position, Option<String>)> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| (e.position, e.field.clone()))
        .collect();
    assert_eq!(
        errors,
        [
            (Position::Index(1), Some("value".to_owned())),
            (Position::Index(2), Some("application_id".to_owned())),
            (Position::Index(3), None),
        ]
    );
    assert!(results[4].is_ok());
}

#[test]
fn a_truncated_json_ends_in_an_error_naming_the_item() {
    let text = format!(r#"{{"params": {{}}, "tenants": [{ITEM}, {ITEM}"#);
    let cut = &text[..text.len() - 40];
    let results = read(cut.as_bytes(), UsageFormat::JsonV2);
    assert_eq!(results.len(), 2);
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.position, Position::Index(1));
    assert!(e.message.contains("cut short"), "{e}");
    // Cut after the last item: the document's end is missing.
    let results = read(
        format!(r#"{{"tenants": [{ITEM}]"#).as_bytes(),
        UsageFormat::JsonV2,
    );
    assert!(results[0].is_ok());
    assert!(
        results[1]
            .as_ref()
            .unwrap_err()
            .message
            .contains("cut short")
    );
    // Not JSON at all, and an empty file.
    assert!(read(b"tenant.id,x\n", UsageFormat::JsonV2)[0].is_err());
    assert!(read(b"", UsageFormat::JsonV2)[0].is_err());
}

#[test]
fn json_not_utf8_in_an_item_is_that_items_error() {
    let mut text = format!(r#"{{"tenants": [{ITEM}, "#).into_bytes();
    text.extend_from_slice(
        ITEM.replace("standard_storage", "standardXstorage")
            .as_bytes(),
    );
    let at = text.iter().rposition(|&b| b == b'X').unwrap();
    text[at] = 0xff;
    text.extend_from_slice(format!(", {ITEM}]}}").as_bytes());
    let results = read(&text, UsageFormat::JsonV2);
    assert_eq!(results.len(), 3);
    assert_eq!(
        results[1].as_ref().unwrap_err().position,
        Position::Index(1)
    );
    assert!(results[2].is_ok());
}

#[test]
fn detect_reads_gzip_json_and_csv() {
    let gzip = |data: &[u8]| {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    };
    for (bytes, format) in [
        (emulator_file("csv_v2_0"), UsageFormat::CsvV2),
        (gzip(&emulator_file("csv_v2_0")), UsageFormat::CsvV2),
        (emulator_file("json_v2_0"), UsageFormat::JsonV2),
        (gzip(&emulator_file("json_v2_0")), UsageFormat::JsonV2),
    ] {
        let records = usage::detect(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(records.format(), format);
        assert_eq!(records.count(), 6);
    }
}

#[test]
fn a_reader_that_fails_is_an_io_error_that_ends_the_records() {
    struct Failing(usize);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("disk gone"));
            }
            let text = format!("{{\"tenants\": [{ITEM}, ");
            let n = text.len().min(buf.len()).min(self.0);
            buf[..n].copy_from_slice(&text.as_bytes()[..n]);
            self.0 = 0;
            Ok(n)
        }
    }
    let results: Vec<_> = UsageRecords::new(Failing(10_000), UsageFormat::JsonV2)
        .unwrap()
        .collect();
    assert_eq!(results.len(), 2);
    assert!(results[1].as_ref().unwrap_err().is_io());
}

// --- CSV and JSON written by the test read back the same.

fn arb_number() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (0u64..=u64::MAX).prop_map(Decimal::from),
        (0i64..1_000_000_000, 0u32..6).prop_map(|(m, scale)| Decimal::new(m, scale)),
    ]
}

fn arb_usage() -> impl Strategy<Value = (String, String, String, Decimal, Decimal)> {
    (
        prop::sample::select(vec![A, CUSTOMER_A, CUSTOMER_B]),
        "[a-z_]{1,12}",
        "[a-z_]{1,12}( [a-z,\"]{1,5})?",
        arb_number(),
        arb_number(),
    )
        .prop_map(|(t, app, name, abs, delta)| (t.to_owned(), app, name, abs, delta))
}

proptest! {
    #[test]
    fn records_written_as_csv_and_as_json_read_back_equal(usages in prop::collection::vec(arb_usage(), 0..20)) {
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(HEADER.split(',').chain(["edition"])).unwrap();
        let mut items = Vec::new();
        for (tenant, app, name, abs, delta) in &usages {
            let (a, d) = (abs.to_string(), delta.to_string());
            csv.write_record([
                tenant.as_str(), "customer", app, name, "", "", "",
                &a, "0", &a, &d, "0", &d, &a, "0", &a, "standard",
            ]).unwrap();
            items.push(format!(
                r#"{{"tenant_uuid": {}, "application_id": {}, "usage_name": {}, "edition": "standard", "value": {d}, "absolute_value": {a}}}"#,
                serde_json::to_string(tenant).unwrap(),
                serde_json::to_string(app).unwrap(),
                serde_json::to_string(name).unwrap(),
            ));
        }
        let csv = csv.into_inner().unwrap();
        let json = format!(r#"{{"params": {{}}, "tenants": [{}]}}"#, items.join(",\n"));
        let from_csv: Vec<UsageRecord> = read(&csv, UsageFormat::CsvV2).into_iter().collect::<Result<_, _>>().unwrap();
        let from_json: Vec<UsageRecord> = read(json.as_bytes(), UsageFormat::JsonV2).into_iter().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(from_csv.len(), usages.len());
        prop_assert_eq!(from_json.len(), usages.len());
        for ((c, j), (tenant, app, name, abs, delta)) in from_csv.iter().zip(&from_json).zip(&usages) {
            for r in [c, j] {
                prop_assert_eq!(&r.tenant.to_string(), tenant);
                prop_assert_eq!(&r.application, app);
                prop_assert_eq!(&r.usage_name, name);
                prop_assert_eq!(r.absolute(), *abs);
                prop_assert_eq!(r.delta(), *delta);
                prop_assert_eq!(billable(r), if acronis_reports::billing::BILLED_BY_DELTA.contains(&name.as_str()) { *delta } else { *abs });
            }
        }
    }
}

#[test]
fn the_billable_split_is_total_for_customers_only() {
    // The vendor's module: `total` when the kind is exactly `customer`, `production` for
    // every other kind (partners, resellers, folders, units, none).
    let n = dec;
    let record = |kind: Option<&str>| {
        let mut r = UsageRecord::new(
            A.parse().unwrap(),
            "backup",
            "storage",
            UsageValues::Split {
                absolute: Split::new(n("1"), n("1"), n("2")),
                delta: Split::default(),
                effective: Split::default(),
            },
        );
        r.tenant_kind = kind.map(str::to_owned);
        r
    };
    assert_eq!(billable(&record(Some("customer"))), n("2"));
    for kind in [
        Some("partner"),
        Some("folder"),
        Some("unit"),
        Some("Customer"),
        None,
    ] {
        assert_eq!(billable(&record(kind)), n("1"), "{kind:?}");
    }
}

#[test]
fn totals_bill_each_backend_apart_and_refuse_an_inexact_sum() {
    let text = format!(
        "{HEADER}\n{A},customer,backup,storage,i1,azure,,1,0,1,0,0,0,1,0,1\n\
         {A},customer,backup,storage,i2,acronis,,5,0,5,0,0,0,5,0,5\n\
         {A},customer,backup,storage,i3,azure,,2,0,2,0,0,0,2,0,2\n"
    );
    let mut totals = Totals::new();
    for record in read(text.as_bytes(), UsageFormat::CsvV2) {
        totals.add(&record.unwrap()).unwrap();
    }
    let got: Vec<(&str, String, u64)> = totals
        .lines()
        .map(|l| (l.metric.as_str(), l.quantity.to_string(), l.records))
        .collect();
    assert_eq!(
        got,
        [
            ("storage_acronis", "5".to_owned(), 1),
            ("storage_azure", "3".to_owned(), 2)
        ]
    );

    // Past what a Decimal holds exactly: refused, the totals left as they were.
    let huge = |v: &str| {
        UsageRecord::new(
            A.parse().unwrap(),
            "backup",
            "seats",
            UsageValues::Single {
                value: dec("0"),
                absolute: dec(v),
            },
        )
    };
    let mut totals = Totals::new();
    totals.add(&huge("70000000000000000000000000000")).unwrap();
    let e = totals
        .add(&huge("70000000000000000000000000000"))
        .unwrap_err();
    assert_eq!(e.metric, "seats");
    let mut totals = Totals::new();
    totals.add(&huge("9000000000000000000000000000")).unwrap();
    assert!(totals.add(&huge("0.4")).is_err(), "a sum that would round");
    assert_eq!(
        totals.lines().next().unwrap().quantity,
        dec("9000000000000000000000000000")
    );
}

#[test]
fn a_zero_with_decimals_adds_to_a_total_exactly() {
    // `1 + 0.00` is `1` in rust_decimal: the scale of the sum is not the larger one, yet
    // nothing was rounded. Such a sum used to be refused as inexact.
    let record = |n: &str| {
        UsageRecord::new(
            A.parse().unwrap(),
            "backup",
            "storage",
            UsageValues::Single {
                value: dec(n),
                absolute: dec(n),
            },
        )
    };
    for order in [
        ["1", "0.00", "2.5"],
        ["0.00", "1", "2.5"],
        ["2.5", "0.000", "1"],
    ] {
        let mut totals = Totals::new();
        for n in order {
            totals.add(&record(n)).unwrap();
        }
        let line = totals.lines().next().unwrap();
        assert_eq!((line.quantity, line.records), (dec("3.5"), 3), "{order:?}");
    }
    // A sum that would round is still refused.
    let mut totals = Totals::new();
    totals.add(&record("9000000000000000000000000000")).unwrap();
    assert!(totals.add(&record("0.4")).is_err());
}

#[test]
fn numbers_follow_the_json_grammar() {
    for bad in [
        "46_6._316",
        "+9",
        "19.",
        ".69",
        "0653",
        "1e",
        "--1",
        "0x10",
        "NaN",
        "",
    ] {
        let text = row(&format!(
            "{A},customer,backup,storage,,,,{bad},0,1,0,0,0,1,0,1"
        ));
        let e = read(text.as_bytes(), UsageFormat::CsvV2)
            .remove(0)
            .unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("usage.absolute.production"),
            "{bad}"
        );
    }
    for good in ["0", "-1", "12.50", "1e3", "2E-2", "0.000001"] {
        let text = row(&format!(
            "{A},customer,backup,storage,,,,{good},0,1,0,0,0,1,0,1"
        ));
        assert!(
            read(text.as_bytes(), UsageFormat::CsvV2).remove(0).is_ok(),
            "{good}"
        );
    }
}

#[test]
fn a_json_document_without_tenants_is_an_error_not_an_empty_month() {
    for text in [
        r#"{"error": {"code": 500, "message": "Internal"}}"#,
        r#"{"params": {}}"#,
        r#"{}"#,
    ] {
        let results = read(text.as_bytes(), UsageFormat::JsonV2);
        assert_eq!(results.len(), 1, "{text}");
        let e = results[0].as_ref().unwrap_err();
        assert!(e.message.contains("no tenants member"), "{e}");
    }
    // An unknown member is skipped, but must be JSON; a second tenants is refused.
    let results = read(br#"{"z": {], "tenants": []}"#, UsageFormat::JsonV2);
    assert_eq!(results[0].as_ref().unwrap_err().field.as_deref(), Some("z"));
    let results = read(br#"{"tenants": [], "tenants": []}"#, UsageFormat::JsonV2);
    assert!(results[0].as_ref().unwrap_err().message.contains("twice"));
    // A member's error gives where the member's value starts.
    let results = read(br#"{"params": [1, 2}, "tenants": []}"#, UsageFormat::JsonV2);
    let e = results[0].as_ref().unwrap_err();
    assert_eq!(e.position, Position::Document(11), "{e}");
}

#[test]
fn whole_numbers_are_whole() {
    let text = format!(
        r#"{{"tenants": [{}]}}"#,
        ITEM.replace(r#""tenant_id": 7"#, r#""tenant_id": 1.5"#)
    );
    let e = read(text.as_bytes(), UsageFormat::JsonV2)
        .remove(0)
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("tenant_id"));
}

#[test]
fn offering_item_is_typed_when_documented_and_kept_as_it_is_otherwise() {
    let with = |offering_item: &str| {
        let text = format!(
            r#"{{"tenants": [{}]}}"#,
            ITEM.replace(
                r#""value": 5"#,
                &format!(r#""value": 5, "offering_item": {offering_item}"#)
            )
        );
        read(text.as_bytes(), UsageFormat::JsonV2)
            .remove(0)
            .unwrap()
    };
    // The documented object, with quotas: soft and hard told apart.
    let r = with(r#"{"quota": {"value": 100, "overage": 120.5, "version": 3}, "status": 0}"#);
    let item = r.offering_item.unwrap();
    assert_eq!(item.status, Some(0));
    let quota = item.quota.unwrap();
    assert_eq!(
        (quota.value, quota.overage, quota.version),
        (Some(dec("100")), Some(dec("120.5")), Some(3))
    );
    assert!(r.extra.is_empty());
    assert_eq!(with("null").offering_item, None);
    // Anything else bills nothing and fails nothing: kept in `extra` as its JSON text.
    for other in [
        r#"{"status": 1.5}"#,
        r#"{"status": "active"}"#,
        r#"{"quota": {"version": -0.5}}"#,
        r#"{"quota": {"value": "unlimited"}}"#,
        r#"{"quota": [10]}"#,
        r#"{"status": 1, "locked": false}"#,
        r#""SKU-1""#,
    ] {
        let r = with(other);
        assert_eq!(r.offering_item, None, "{other}");
        assert_eq!(r.extra, [("offering_item".to_owned(), other.to_owned())]);
    }
}

#[test]
fn range_start_is_read_as_documented_and_tolerantly() {
    let with = |value: &str| {
        let text = format!(r#"{{"tenants": [{}]}}"#, ITEM.replace("1790812800", value));
        let mut results = read(text.as_bytes(), UsageFormat::JsonV2);
        results.remove(0).unwrap().range_start
    };
    let documented = with(r#""2019-08-01T00:00:00""#).unwrap();
    assert!(matches!(documented, RangeStart::At(_)), "{documented:?}");
    assert_eq!(documented.unix_seconds(), Some(1_564_617_600));
    let zoned = with(r#""2019-08-01T02:00:00+02:00""#).unwrap();
    assert_eq!(zoned.unix_seconds(), Some(1_564_617_600));
    assert_eq!(with("1790812800"), Some(RangeStart::Unix(1_790_812_800)));
    assert_eq!(with("null"), None);
    // Neither: kept as the file gives it, never an error (it bills nothing).
    assert_eq!(
        with(r#""last month""#),
        Some(RangeStart::Other("last month".into()))
    );
    assert_eq!(with("-1.9"), Some(RangeStart::Other("-1.9".into())));
    assert_eq!(with("[2019]"), Some(RangeStart::Other("[2019]".into())));
    // serde reads back what it wrote, and reads as the file reader does.
    for value in [
        RangeStart::Unix(5),
        RangeStart::from_text("2019-08-01T00:00:00"),
        RangeStart::Other("[2019]".into()),
        RangeStart::Other("soon".into()),
    ] {
        let text = serde_json::to_string(&value).unwrap();
        assert_eq!(
            serde_json::from_str::<RangeStart>(&text).unwrap(),
            value,
            "{text}"
        );
    }
    for (json, read) in [("1.5", "1.5"), ("true", "true"), ("[2019]", "[2019]")] {
        assert_eq!(
            serde_json::from_str::<RangeStart>(json).unwrap(),
            RangeStart::Other(read.into())
        );
    }
}

#[test]
fn detect_waits_for_enough_bytes_however_they_come() {
    /// Gives one byte per read.
    struct Trickle(std::io::Cursor<Vec<u8>>);
    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(1);
            self.0.read(&mut buf[..n])
        }
    }
    let gzip = {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&emulator_file("json_v2_0")).unwrap();
        e.finish().unwrap()
    };
    let mut json = b"\n\n  \n".to_vec();
    json.extend_from_slice(&emulator_file("json_v2_0"));
    for (bytes, format) in [(gzip, UsageFormat::JsonV2), (json, UsageFormat::JsonV2)] {
        let records = usage::detect(Trickle(std::io::Cursor::new(bytes))).unwrap();
        assert_eq!(records.format(), format);
        assert_eq!(records.filter(Result::is_ok).count(), 6);
    }
}

#[test]
fn an_unclosed_quote_is_an_error_in_bounded_memory() {
    // A quote left open swallows the rest: after 16 MiB the reader says so and stops.
    struct Endless(u64);
    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Ok(0);
            }
            let n = (buf.len() as u64).min(self.0) as usize;
            buf[..n].fill(b'x');
            self.0 -= n as u64;
            Ok(n)
        }
    }
    let head = row(&format!("{A},customer,backup,storage,,,,1,0,1,0,0,0,1,0,1"));
    let start = format!("{head}{A},customer,\"backup");
    let reader = std::io::Cursor::new(start.into_bytes()).chain(Endless(64 * 1024 * 1024));
    let results: Vec<_> = UsageRecords::new(reader, UsageFormat::CsvV2)
        .unwrap()
        .collect();
    assert_eq!(results.len(), 2);
    let e = results[1].as_ref().unwrap_err();
    assert!(e.message.contains("quote left open"), "{e}");
}

#[test]
fn numbers_in_exponent_form_are_exact_or_refused_and_members_are_given_once() {
    let json_value = |value: &str| {
        let text = format!(
            r#"{{"tenants": [{}]}}"#,
            ITEM.replace("18446744073709551615", value)
        );
        read(text.as_bytes(), UsageFormat::JsonV2).remove(0)
    };
    let csv_value = |value: &str| {
        let text = row(&format!(
            "{A},customer,backup,storage,,,,{value},0,{value},0,0,0,1,0,1"
        ));
        read(text.as_bytes(), UsageFormat::CsvV2).remove(0)
    };
    for (written, exact) in [
        ("1.5e3", "1500"),
        ("25e-3", "0.025"),
        ("1E2", "100"),
        ("-0.5e1", "-5"),
    ] {
        assert_eq!(
            json_value(written).unwrap().absolute(),
            dec(exact),
            "{written}"
        );
        assert_eq!(
            csv_value(written).unwrap().absolute(),
            dec(exact),
            "{written}"
        );
    }
    // Written plainly, these are refused (more than 28 significant digits, or a scale past
    // 28): in exponent form they are refused too, not rounded.
    for written in [
        "1.00000000000000000000000000001e1",
        "1e-30",
        "1e400",
        "1e99999999999999999999",
    ] {
        let e = json_value(written).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("absolute_value"), "{written}: {e}");
        assert!(e.message.contains("exactly"), "{written}: {e}");
        let e = csv_value(written).unwrap_err();
        assert!(e.message.contains("exactly"), "{written}: {e}");
    }
    // A member given twice is refused, naming it: which value would be billed?
    for (member, twice) in [
        (
            "absolute_value",
            r#""absolute_value": 5, "absolute_value": 500"#,
        ),
        (
            "tenant_uuid",
            &format!(r#""tenant_uuid": "{A}", "tenant_uuid": "{A}""#)[..],
        ),
    ] {
        let text = format!(
            r#"{{"tenants": [{}, {ITEM}]}}"#,
            ITEM.replace(r#""value": 5"#, &format!(r#""value": 5, {twice}"#))
                .replace(r#""absolute_value": 18446744073709551615"#, r#""x": 0"#)
                .replacen(
                    &format!(r#""tenant_uuid": "{A}", "#),
                    "",
                    usize::from(member == "tenant_uuid")
                )
        );
        let results = read(text.as_bytes(), UsageFormat::JsonV2);
        let e = results[0].as_ref().unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (Some(member), "appears twice in the item"),
            "{text}"
        );
        assert!(results[1].is_ok(), "the next item is read");
    }
}

#[test]
fn negative_quantities_are_counted_and_small_ones_are_not_zero_gib() {
    let mut text = row(&format!(
        "{A},customer,backup,storage,,,,-5,0,-5,0,0,0,1,0,1"
    ));
    text.push_str(&format!(
        "{A},customer,backup,storage,,,,7,0,7,0,0,0,1,0,1\n"
    ));
    let mut totals = Totals::new();
    for record in read(text.as_bytes(), UsageFormat::CsvV2) {
        totals.add(&record.unwrap()).unwrap();
    }
    let line = totals.lines().next().unwrap();
    assert_eq!(
        (line.quantity, line.records, line.negative_records),
        (dec("2"), 2, 1)
    );
    // A few kilobytes in GiB: three significant digits, not 0.
    let item = ITEM.replace("18446744073709551615", "2048");
    let text = format!(r#"{{"tenants": [{item}]}}"#);
    let mut totals = Totals::new();
    totals
        .add(
            &read(text.as_bytes(), UsageFormat::JsonV2)
                .remove(0)
                .unwrap(),
        )
        .unwrap();
    let (q, unit) = totals.lines().next().unwrap().human().unwrap();
    assert_eq!((q.to_string().as_str(), unit), ("0.00000191", "GiB"));
}
