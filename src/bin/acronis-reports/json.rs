//! The lines `--json` prints: one type per kind of line, each documented in `docs/cli.md`
//! (section "JSON lines").
//!
//! A struct serializes its members in the order they are declared. The lines of the
//! commands that change, plan or show reports (and of errors, `list`, `delete`, `download`,
//! `emulator`, the dry runs) have always had their members in alphabetical order, nested
//! objects too (they were built as `serde_json::Value`s, whose maps sort their keys): their
//! members are declared so, and a test keeps them so, since a script may compare lines as
//! text. The records and totals of `usage` and `billing` have their members in the record's
//! order, as declared. A member that is sometimes left out is marked `skip_serializing_if`;
//! any other `Option` is `null` when it has no value.
//!
//! Reports and stored files (`show`, `create`, `stored`) are printed as the library
//! serializes them; `patch` and `export` print the library's JSON text.

use std::borrow::Cow;
use std::collections::BTreeMap;

use acronis_reports::usage::{self, Decimal, UsageValues};
use acronis_reports::{Error, Report};
use serde::{Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// A line for standard output: the compact JSON text of `value`.
///
/// # Errors
///
/// When `value` cannot be serialized (the types here always can).
pub fn to_line(value: &impl Serialize) -> std::io::Result<String> {
    serde_json::to_string(value).map_err(std::io::Error::other)
}

/// JSON text on one line: the whitespace between its tokens removed (strings kept as they
/// are, the members in their order).
pub fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

/// A failure of the command as a whole, on standard error (in place of its text):
/// `{"error": {...}}`, the `error` as bulk outcomes have it.
#[derive(Debug, Serialize)]
pub struct CommandFailure {
    pub error: ErrorJson,
}

/// An error: of the command as a whole ([`CommandFailure`]), or of one report or action
/// (`error` of a bulk outcome or an apply outcome).
#[derive(Debug, Serialize)]
pub struct ErrorJson {
    /// The exit code this error asks for (of a command failure: the command's).
    pub exit_code: u8,
    /// [`acronis_reports::ErrorKind::as_str`]: `api`, `timeout`, ...; or one of the tool's
    /// own (`interrupted`, `other`).
    pub kind: &'static str,
    pub message: String,
    /// The server's request id (`X-Request-Id`), when it sent one.
    pub request_id: Option<String>,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
}

impl ErrorJson {
    /// `e` with its message in the tool's words, and the exit code given.
    pub fn new(e: &Error, exit_code: u8) -> ErrorJson {
        ErrorJson {
            exit_code,
            kind: e.kind().as_str(),
            message: crate::failure::error_text(e),
            request_id: e.request_id().map(str::to_owned),
            status: e.status(),
        }
    }
}

/// One input's outcome in a bulk run (`disable`, `enable`, `update`).
#[derive(Debug, Serialize)]
pub struct BulkOutcome<'a> {
    /// `failed`: what failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorJson>,
    /// The report id; `null` for a line that is none.
    pub id: Option<String>,
    /// The input's line, when it came from a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// `changed`, `skipped`, `failed`, `not_attempted`, `dry_run`, `invalid`, `unreadable`.
    pub outcome: &'static str,
    /// `skipped`, `not_attempted`, `invalid`, `unreadable`: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Cow<'a, str>>,
    /// `changed`: the returned report's schedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule<'a>>,
    /// `changed`: the returned report's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// A report's schedule, in a [`BulkOutcome`].
#[derive(Debug, Serialize)]
pub struct Schedule<'a> {
    pub enabled: bool,
    #[serde(rename = "type")]
    pub schedule_type: &'a str,
}

impl<'a> Schedule<'a> {
    pub fn of(report: &'a Report) -> Schedule<'a> {
        Schedule {
            enabled: report.schedule.enabled,
            schedule_type: report.schedule.schedule_type.as_str(),
        }
    }
}

/// One action of a plan (`plan --json`): what it is about, and exactly what applying it
/// sends.
#[derive(Debug, Serialize)]
pub struct PlanAction<'a> {
    /// `create`, `update`, `replace`, `delete`, `unchanged`, `unmanaged`.
    pub action: &'static str,
    /// A create's or a replacement's `POST` body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The members that differ, when some do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<PlanChange<'a>>>,
    /// The entry's number in the file, from 1; `null` for a report no entry matches.
    pub entry: Option<usize>,
    /// The existing report; `null` for a create.
    pub id: Option<String>,
    pub kind: &'a str,
    /// An update's `PUT` body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<Value>,
    /// Every request applying the action sends, in order.
    pub requests: Vec<PlanRequest>,
    /// The existing report's, or a create's (`null` if its body has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_action: Option<Option<String>>,
    pub tenant: String,
    /// The existing report's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// A member that differs, in a [`PlanAction`].
#[derive(Debug, Serialize)]
pub struct PlanChange<'a> {
    pub forces_replacement: bool,
    /// Its path, like `parameters.level`.
    pub member: &'static str,
    pub new: &'a Value,
    pub old: &'a Value,
}

/// A request of a [`PlanAction`].
#[derive(Debug, Serialize)]
pub struct PlanRequest {
    /// The body as JSON (a body that is not JSON as a string); `null` for none.
    pub body: Option<Value>,
    pub method: &'static str,
    /// The path below the base URL, with its query.
    pub path: String,
}

/// A write `apply --dry-run` would send.
#[derive(Debug, Serialize)]
pub struct PlannedWrite {
    /// The body as JSON (a body that is not JSON as a string); `null` for none.
    pub body: Option<Value>,
    /// Always `true`.
    pub dry_run: bool,
    pub method: &'static str,
    pub url: String,
}

/// A request the dry-run transport did not send (`--dry-run` of the commands that write).
#[derive(Debug, Serialize)]
pub struct DryRunRequest {
    /// The body's text (`<redacted>` for a token request's); `null` for none.
    pub body: Option<String>,
    /// Always `true`.
    pub dry_run: bool,
    /// The headers by name (the `authorization` header's credentials `<redacted>`); a name
    /// sent twice shows its last value.
    pub headers: BTreeMap<String, String>,
    pub method: &'static str,
    pub url: String,
}

/// One action's outcome in `apply --json`.
#[derive(Debug, Serialize)]
pub struct ApplyOutcome<'a> {
    /// As in [`PlanAction`].
    pub action: &'static str,
    /// A replacement that failed after its new report was created: that report (both now
    /// exist).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<ReportRef>,
    pub entry: Option<usize>,
    /// `failed`, `not_attempted`: what failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorJson>,
    /// The existing report; `null` for a create.
    pub id: Option<String>,
    pub kind: &'a str,
    /// `created`, `updated`, `replaced`, `deleted`, `failed`, `not_attempted`.
    pub outcome: &'static str,
    /// `created`, `updated`, `replaced`: the report the server returned (for a replacement,
    /// the new one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportRef>,
    pub tenant: String,
}

/// A report's id and version.
#[derive(Debug, Serialize)]
pub struct ReportRef {
    pub id: String,
    pub version: i64,
}

impl ReportRef {
    pub fn of(report: &Report) -> ReportRef {
        ReportRef {
            id: report.id.to_string(),
            version: report.version,
        }
    }
}

/// One id of `list`.
#[derive(Debug, Serialize)]
pub struct ListedId<'a> {
    pub id: &'a str,
}

/// `delete`: the report deleted.
#[derive(Debug, Serialize)]
pub struct Deleted<'a> {
    pub id: &'a str,
    /// Always `deleted`.
    pub outcome: &'static str,
}

/// `download -o FILE`: the file written.
#[derive(Debug, Serialize)]
pub struct Downloaded<'a> {
    /// How many bytes were written, decompressed.
    pub bytes: u64,
    /// The file, as given (a name that is not UTF-8 with its bad bytes replaced by U+FFFD).
    pub file: Cow<'a, str>,
    pub id: &'a str,
    /// Always `downloaded`.
    pub outcome: &'static str,
    pub stored_id: &'a str,
}

/// `emulator`: where it is, how to authenticate, and what it holds.
#[derive(Debug, Serialize)]
pub struct EmulatorStarted<'a> {
    /// How long after its request every answer of the API is sent (`--delay-ms`; 0: at once).
    pub answer_delay_ms: u64,
    pub base_url: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    /// The shell line that points the tool at it: `export ACRONIS_BASE_URL=… ACRONIS_TOKEN=…`.
    pub export: &'a str,
    /// The ids of the reports it starts with (its two, or the seed file's).
    pub reports: Vec<&'a str>,
    /// The first of `tenants`; `null` when there is none.
    pub tenant_id: Option<&'a str>,
    /// The tenants: those of its reports, then those `--tenant` made exist.
    pub tenants: Vec<&'a str>,
    pub token: &'a str,
}

/// A quantity, exact: its decimal text as a JSON number (an integer when it is integral,
/// however large).
#[derive(Debug, Clone, Copy)]
pub struct Exact(pub Decimal);

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let exact = self.0.normalize();
        // A whole number (nearly every quantity) that fits 64 bits: written as one, its digits
        // the decimal's text.
        if exact.scale() == 0 {
            if let Ok(n) = u64::try_from(exact.mantissa()) {
                return serializer.serialize_u64(n);
            }
            if let Ok(n) = i64::try_from(exact.mantissa()) {
                return serializer.serialize_i64(n);
            }
        }
        let text = exact.to_string();
        // A decimal's text is always a JSON number; were it not, it would be given as a
        // string.
        match serde_json::from_str::<&RawValue>(&text) {
            Ok(raw) => raw.serialize(serializer),
            Err(_) => serializer.serialize_str(&text),
        }
    }
}

/// One record of `usage --json`, its members in the record's order.
#[derive(Debug, Serialize)]
pub struct UsageRecord<'a> {
    pub tenant: acronis_reports::TenantId,
    pub tenant_kind: Option<&'a str>,
    pub tenant_number: Option<u64>,
    pub application: &'a str,
    pub edition: &'a str,
    pub usage_name: &'a str,
    pub full_name: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub usage_type: Option<&'a str>,
    pub infra: Option<&'a usage::Infra>,
    pub range_start: Option<&'a usage::RangeStart>,
    pub offering_item: Option<OfferingItem>,
    pub absolute: Exact,
    pub delta: Exact,
    pub billable: Exact,
    pub metric: String,
    /// Every quantity the file gives, as it gives them.
    pub values: Values,
    /// The file's columns or members this version does not know, by name, as text.
    pub extra: BTreeMap<&'a str, &'a str>,
}

impl<'a> UsageRecord<'a> {
    pub fn of(r: &'a usage::UsageRecord) -> UsageRecord<'a> {
        UsageRecord {
            tenant: r.tenant,
            tenant_kind: r.tenant_kind.as_deref(),
            tenant_number: r.tenant_number,
            application: &r.application,
            edition: &r.edition,
            usage_name: &r.usage_name,
            full_name: r.full_name.as_deref(),
            unit: r.unit.as_deref(),
            usage_type: r.usage_type.as_deref(),
            infra: r.infra.as_ref(),
            range_start: r.range_start.as_ref(),
            offering_item: r.offering_item.as_ref().map(OfferingItem::of),
            absolute: Exact(r.absolute()),
            delta: Exact(r.delta()),
            billable: Exact(acronis_reports::billing::billable(r)),
            metric: acronis_reports::billing::metric(r),
            values: Values::of(&r.values),
            extra: r
                .extra
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
        }
    }
}

/// A record's `offering_item`: `status` and `quota`, with exact numbers.
#[derive(Debug, Serialize)]
pub struct OfferingItem {
    pub quota: Option<Quota>,
    pub status: Option<i64>,
}

impl OfferingItem {
    fn of(item: &usage::OfferingItem) -> OfferingItem {
        OfferingItem {
            quota: item.quota.as_ref().map(|q| Quota {
                overage: q.overage.map(Exact),
                value: q.value.map(Exact),
                version: q.version,
            }),
            status: item.status,
        }
    }
}

/// The `quota` of an [`OfferingItem`].
#[derive(Debug, Serialize)]
pub struct Quota {
    pub overage: Option<Exact>,
    pub value: Option<Exact>,
    pub version: Option<i64>,
}

/// A record's quantities as the file gives them: `csv_v2_0`'s `absolute`, `delta` and
/// `effective` (each split), or `json_v2_0`'s `value` and `absolute_value`.
#[derive(Debug, Default, Serialize)]
pub struct Values {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub absolute: Option<Split>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub absolute_value: Option<Exact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<Split>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective: Option<Split>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Exact>,
}

impl Values {
    fn of(values: &UsageValues) -> Values {
        match values {
            UsageValues::Split {
                absolute,
                delta,
                effective,
            } => Values {
                absolute: Some(Split::of(absolute)),
                delta: Some(Split::of(delta)),
                effective: Some(Split::of(effective)),
                ..Values::default()
            },
            UsageValues::Single { value, absolute } => Values {
                absolute_value: Some(Exact(*absolute)),
                value: Some(Exact(*value)),
                ..Values::default()
            },
            _ => Values::default(),
        }
    }
}

/// A quantity split by production and trial use.
#[derive(Debug, Serialize)]
pub struct Split {
    pub production: Exact,
    pub total: Exact,
    pub trial: Exact,
}

impl Split {
    fn of(s: &usage::Split) -> Split {
        Split {
            production: Exact(s.production),
            total: Exact(s.total),
            trial: Exact(s.trial),
        }
    }
}

/// One billable total of `billing` or `usage --billing`: a tenant and metric.
#[derive(Debug, Serialize)]
pub struct Total<'a> {
    pub tenant: String,
    pub usage_name: &'a str,
    pub metric: &'a str,
    pub quantity: Exact,
    pub unit: Option<&'a str>,
    /// In GiB or hours, when the unit allows.
    pub human: Option<Human>,
    /// How many records were summed.
    pub records: u64,
    /// Present when some records had a negative billable quantity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_records: Option<u64>,
}

impl<'a> Total<'a> {
    pub fn of(line: &'a acronis_reports::billing::Line) -> Total<'a> {
        Total {
            tenant: line.tenant.to_string(),
            usage_name: &line.usage_name,
            metric: &line.metric,
            quantity: Exact(line.quantity),
            unit: line.unit.as_deref(),
            human: line.human().map(|(quantity, unit)| Human {
                quantity: Exact(quantity),
                unit,
            }),
            records: line.records,
            negative_records: (line.negative_records > 0).then_some(line.negative_records),
        }
    }
}

/// The `human` of a [`Total`].
#[derive(Debug, Serialize)]
pub struct Human {
    pub quantity: Exact,
    /// `GiB` or `hours`.
    pub unit: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of `value` is what a `serde_json::Value` of it prints: its members, nested
    /// ones too, in alphabetical order.
    fn sorted(value: &impl Serialize) {
        let text = to_line(value).unwrap();
        let as_value = serde_json::to_value(value).unwrap().to_string();
        assert_eq!(text, as_value);
    }

    fn error() -> ErrorJson {
        ErrorJson::new(
            &Error::invalid_input(acronis_reports::InputKind::Id, "bad"),
            2,
        )
    }

    #[test]
    fn the_lines_of_commands_keep_their_members_in_alphabetical_order() {
        let id = "20dffb36-d77b-45c6-b2fa-39276e98d5fc";
        let value = serde_json::json!({"b": 1, "a": [2]});
        sorted(&CommandFailure { error: error() });
        sorted(&error());
        sorted(&BulkOutcome {
            error: Some(error()),
            id: Some(id.into()),
            line: Some(3),
            outcome: "changed",
            reason: Some("r".into()),
            schedule: Some(Schedule {
                enabled: true,
                schedule_type: "monthly",
            }),
            version: Some(1),
        });
        sorted(&PlanAction {
            action: "replace",
            body: Some(value.clone()),
            changes: Some(vec![PlanChange {
                forces_replacement: true,
                member: "parameters.formats",
                new: &value,
                old: &value,
            }]),
            entry: Some(1),
            id: Some(id.into()),
            kind: "usage_daily",
            patch: Some(value.clone()),
            requests: vec![PlanRequest {
                body: Some(value.clone()),
                method: "POST",
                path: "/reports".into(),
            }],
            result_action: Some(Some("save".into())),
            tenant: id.into(),
            version: Some(3),
        });
        sorted(&PlannedWrite {
            body: None,
            dry_run: true,
            method: "DELETE",
            url: "u".into(),
        });
        sorted(&DryRunRequest {
            body: Some("b".into()),
            dry_run: true,
            headers: [("z".to_owned(), "1".to_owned()), ("a".into(), "2".into())].into(),
            method: "PUT",
            url: "u".into(),
        });
        sorted(&ApplyOutcome {
            action: "replace",
            created: Some(ReportRef {
                id: id.into(),
                version: 1,
            }),
            entry: None,
            error: Some(error()),
            id: Some(id.into()),
            kind: "usage_daily",
            outcome: "failed",
            report: Some(ReportRef {
                id: id.into(),
                version: 2,
            }),
            tenant: id.into(),
        });
        sorted(&ListedId { id });
        sorted(&Deleted {
            id,
            outcome: "deleted",
        });
        sorted(&Downloaded {
            bytes: 1,
            file: "f".into(),
            id,
            outcome: "downloaded",
            stored_id: id,
        });
        sorted(&EmulatorStarted {
            answer_delay_ms: 0,
            base_url: "u",
            client_id: "i",
            client_secret: "s",
            export: "e",
            reports: vec![id, id],
            tenant_id: Some(id),
            tenants: vec![id],
            token: "t",
        });
        // The objects inside a usage record.
        sorted(&OfferingItem {
            quota: Some(Quota {
                overage: Some(Exact(Decimal::ONE)),
                value: None,
                version: Some(0),
            }),
            status: Some(1),
        });
        let split = || Split {
            production: Exact(Decimal::ONE),
            total: Exact(Decimal::TWO),
            trial: Exact(Decimal::ONE),
        };
        sorted(&Values {
            absolute: Some(split()),
            absolute_value: Some(Exact(Decimal::ONE)),
            delta: Some(split()),
            effective: Some(split()),
            value: Some(Exact(Decimal::ONE)),
        });
    }

    #[test]
    fn compact_json_is_one_line_with_its_strings_and_order_kept() {
        let pretty = "{\n  \"prune\": true,\n  \"report\": [\n    {\n      \"b\": \"a \\\" \\\\\",\n      \"a\": [ 1, 2 ]\n    }\n  ]\n}";
        let one = compact(pretty);
        assert_eq!(
            one,
            r#"{"prune":true,"report":[{"b":"a \" \\","a":[1,2]}]}"#
        );
        assert_eq!(
            serde_json::from_str::<Value>(&one).unwrap(),
            serde_json::from_str::<Value>(pretty).unwrap()
        );
    }

    #[test]
    fn exact_numbers_are_their_decimal_text() {
        for (text, json) in [
            ("10000000000000000", "10000000000000000"),
            ("123456789012345678901234", "123456789012345678901234"),
            ("0.000001", "0.000001"),
            ("2.50", "2.5"),
            ("-7", "-7"),
            ("0", "0"),
        ] {
            let d: Decimal = text.parse().unwrap();
            assert_eq!(to_line(&Exact(d)).unwrap(), json, "{text}");
        }
    }
}
