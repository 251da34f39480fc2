//! The content of generated `csv_v2_0` and `json_v2_0` files: the usage of a partner and two
//! customers, as the vendor's formats give it, so that readers and billing are exercised on the
//! real path.
//!
//! The same usages in both formats: storage in bytes (one customer's past 2^53, which a float
//! cannot hold exactly), with a trial part for the other; a partner whose production differs
//! from its total; compute points (in points in CSV, in seconds in JSON, as the vendor says);
//! a quantity; a feature; a column and a member the crate does not know. The `json_v2_0`
//! items are the vendor's documented tenant service usage object, member for member
//! (`range_start` an ISO 8601 date and time, `offering_item` an object with `quota` and
//! `status`), with one member more.

use serde_json::json;

/// The first customer of the usage files: 10^16 bytes of storage (past 2^53), compute points.
pub const CUSTOMER_A: &str = "c0ffee00-0000-4000-8000-00000000000a";
/// The second customer: storage with a trial part, workstations, a feature.
pub const CUSTOMER_B: &str = "c0ffee00-0000-4000-8000-00000000000b";

/// One usage, in the terms of both formats.
struct Usage<'a> {
    tenant: &'a str,
    kind: &'static str,
    number: u64,
    application: &'static str,
    edition: &'static str,
    name: &'static str,
    unit: &'static str,
    usage_type: &'static str,
    infra: Option<(&'static str, &'static str)>,
    /// absolute: production, trial, total.
    absolute: [&'static str; 3],
    /// delta: production, trial, total.
    delta: [&'static str; 3],
    /// The delta in JSON's unit, when it differs from CSV's.
    json_delta: Option<&'static str>,
    sku: &'static str,
}

fn usages(partner: &str) -> Vec<Usage<'_>> {
    vec![
        Usage {
            tenant: partner,
            kind: "partner",
            number: 1001,
            application: "backup",
            edition: "standard",
            name: "storage",
            unit: "bytes",
            usage_type: "infra",
            infra: Some(("b1a5e000-0000-4000-8000-000000000001", "azure")),
            absolute: ["2147483648", "1073741824", "3221225472"],
            delta: ["1024", "0", "1024"],
            json_delta: None,
            sku: "SKU-BACKUP-STORAGE",
        },
        Usage {
            tenant: CUSTOMER_A,
            kind: "customer",
            number: 1002,
            application: "backup",
            edition: "advanced",
            name: "storage",
            unit: "bytes",
            usage_type: "infra",
            infra: Some(("b1a5e000-0000-4000-8000-000000000001", "azure")),
            absolute: ["10000000000000000", "0", "10000000000000000"],
            delta: ["123", "0", "123"],
            json_delta: None,
            sku: "SKU-BACKUP-STORAGE",
        },
        Usage {
            tenant: CUSTOMER_A,
            kind: "customer",
            number: 1002,
            application: "disaster_recovery",
            edition: "standard",
            name: "dre_compute_points",
            unit: "seconds",
            usage_type: "quantity",
            infra: None,
            absolute: ["0", "0", "0"],
            delta: ["2", "0", "2"],
            json_delta: Some("7200"),
            sku: "SKU-DR-POINTS",
        },
        Usage {
            tenant: CUSTOMER_B,
            kind: "customer",
            number: 1003,
            application: "backup",
            edition: "standard",
            name: "storage",
            unit: "bytes",
            usage_type: "infra",
            infra: Some(("b1a5e000-0000-4000-8000-000000000002", "acronis")),
            absolute: ["4294967296", "1073741824", "5368709120"],
            delta: ["0", "0", "0"],
            json_delta: None,
            sku: "SKU-BACKUP-STORAGE",
        },
        Usage {
            tenant: CUSTOMER_B,
            kind: "customer",
            number: 1003,
            application: "backup",
            edition: "standard",
            name: "workstations",
            unit: "quantity",
            usage_type: "quantity",
            infra: None,
            absolute: ["3", "0", "3"],
            delta: ["1", "0", "1"],
            json_delta: None,
            sku: "SKU-BACKUP-WS",
        },
        Usage {
            tenant: CUSTOMER_B,
            kind: "customer",
            number: 1003,
            application: "backup",
            edition: "standard",
            name: "physical_data_shipping",
            unit: "feature",
            usage_type: "feature",
            infra: None,
            absolute: ["1", "0", "1"],
            delta: ["0", "0", "0"],
            json_delta: None,
            sku: "SKU-SHIPPING",
        },
    ]
}

/// The content of a generated file of `format` for a report of `tenant`, when the format is
/// one of the usage formats.
pub(crate) fn content(format: &str, tenant: &str, begin: &str, end: &str) -> Option<Vec<u8>> {
    match format {
        "csv_v2_0" => Some(csv(tenant)),
        "json_v2_0" => Some(json(tenant, begin, end)),
        _ => None,
    }
}

fn csv(partner: &str) -> Vec<u8> {
    let mut out = String::from(
        "tenant.id,tenant.kind,application.id,edition,name,infra.id,infra.backend_type,infra.owner_id,\
         usage.absolute.production,usage.absolute.trial,usage.absolute.total,\
         usage.delta.production,usage.delta.trial,usage.delta.total,\
         usage.effective.production,usage.effective.trial,usage.effective.total,sku.name\n",
    );
    for u in usages(partner) {
        let (infra_id, backend) = u.infra.unwrap_or(("", ""));
        let owner = if u.infra.is_some() { partner } else { "" };
        let [ap, at, aa] = u.absolute;
        let [dp, dt, da] = u.delta;
        out.push_str(&format!(
            "{},{},{},{},{},{infra_id},{backend},{owner},{ap},{at},{aa},{dp},{dt},{da},{ap},{at},{aa},\"{}, monthly\"\n",
            u.tenant, u.kind, u.application, u.edition, u.name, u.sku
        ));
    }
    out.into_bytes()
}

fn json(partner: &str, begin: &str, end: &str) -> Vec<u8> {
    let timestamp = |day: &str| {
        // Days since the epoch of a YYYY-MM-DD date, as seconds.
        let parts: Vec<i64> = day.split('-').filter_map(|p| p.parse().ok()).collect();
        match parts.as_slice() {
            [y, m, d] => days_from_civil(*y, *m, *d) * 86_400,
            _ => 0,
        }
    };
    let tenants: Vec<serde_json::Value> = usages(partner)
        .into_iter()
        .map(|u| {
            let mut item = json!({
                "tenant_uuid": u.tenant,
                "tenant_id": u.number,
                "application_id": u.application,
                "edition": u.edition,
                "measurement_unit": u.unit,
                "name": format!("{}_{}", u.edition, u.name),
                "usage_name": u.name,
                "type": u.usage_type,
                // As the vendor's tenant service usage object: ISO 8601, no zone.
                "range_start": format!("{begin}T00:00:00"),
                "offering_item": {"quota": {"overage": null, "value": null, "version": 0},
                    "status": 1},
                "aggregation": "sum",
            });
            if let Some((infra, _)) = u.infra {
                item["infra_id"] = json!(infra);
            }
            // Numbers written as their text, so that 10^16 stays exact.
            item["value"] = raw(u.json_delta.unwrap_or(u.delta[2]));
            item["absolute_value"] = raw(u.absolute[2]);
            item
        })
        .collect();
    let document = json!({
        "params": {"kind": 5, "report_level": 2, "report_type": 1, "group_id": 42,
            "name": "Usage summary", "gen_date": timestamp(end) + 86_400,
            "begin_date": timestamp(begin), "end_date": timestamp(end)},
        "tenants": tenants,
    });
    serde_json::to_vec_pretty(&document).unwrap_or_default()
}

/// A JSON number from its text (integers only here, which `u64` holds exactly).
fn raw(text: &str) -> serde_json::Value {
    text.parse::<u64>()
        .map_or(serde_json::Value::Null, |n| json!(n))
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
