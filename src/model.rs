//! The API's data as typed Rust values: [`Report`] and its parts, and [`Report::from_json`],
//! which turns a response body into one or says exactly what was wrong with it.
//!
//! The structs are passive: public fields, `#[non_exhaustive]` so the crate can add fields as
//! the API grows. Unknown JSON members are ignored; unknown enum values are kept (see
//! [`enums`](crate::enums)). Members the vendor's spec marks required are required here too,
//! except `recipients` and `formats` (an absent or `null` list reads as empty) and the optional
//! ones, which are `Option`s.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::date::ReportDate;
use crate::enums::{Level, ReportFormat, ReportKind, ResultAction, ScheduleType, StoredStatus};
use crate::id::{IntoId, ParseIdError, ReportId, StoredReportId, TenantId, UserId, sealed};
use crate::timestamp::Timestamp;

/// A usage report, as `GET`/`PUT /reports/{id}` return it.
///
/// ```
/// use acronis_reports::{Level, Report, ScheduleType};
///
/// let report = Report::from_json(br#"{
///     "id": "20dffb36-d77b-45c6-b2fa-39276e98d5fc", "version": 1559561146223,
///     "result_action": "send", "recipients": ["ca451758-b48a-45d9-9ae6-8f1059f67619"],
///     "parameters": {"tenant_id": "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc", "kind": "usage_summary",
///         "level": "accounts", "formats": ["csv"], "period": {"start": "2017-05-01", "end": "2017-05-07"}},
///     "schedule": {"type": "monthly", "enabled": true}, "generation_date": "2017-05-08"}"#)?;
/// assert_eq!(report.version, 1_559_561_146_223);
/// assert_eq!(report.parameters.level, Level::Accounts);
/// assert_eq!(report.schedule.schedule_type, ScheduleType::Monthly);
/// assert!(report.schedule.enabled);
/// # Ok::<(), acronis_reports::DecodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// The report's id.
    pub id: ReportId,
    /// The entity version, incremented on every change. It can be as large as a millisecond
    /// timestamp, hence `i64`.
    pub version: i64,
    /// What happens with generated files: saved, or e-mailed to the recipients.
    pub result_action: ResultAction,
    /// The user ids the report is e-mailed to. Empty when the server sends none or `null`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub recipients: Vec<UserId>,
    /// What the report covers and how it is generated.
    pub parameters: Parameters,
    /// When the report runs, and whether it is switched on.
    pub schedule: Schedule,
    /// The day a one-time report is generated; `None` when absent or `null`. A placeholder
    /// such as `0000-00-00` is kept (see [`ReportDate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation_date: Option<ReportDate>,
}

/// The `parameters` of a [`Report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Parameters {
    /// The tenant the report is about.
    pub tenant_id: TenantId,
    /// Which tenants below it the report covers.
    pub level: Level,
    /// What the report contains.
    pub kind: ReportKind,
    /// The file formats generated. Empty when the server sends none or `null`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub formats: Vec<ReportFormat>,
    /// The period covered; `None` when absent or `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// Whether rows with no usage are left out; `None` when the server does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide_zero_usage: Option<bool>,
    /// Whether SKUs are shown; `None` when the server does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_skus: Option<bool>,
}

/// The period a report covers, both days included, as the server sent it (a placeholder
/// such as `0000-00-00` is kept: see [`ReportDate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Period {
    /// The first day.
    pub start: ReportDate,
    /// The last day.
    pub end: ReportDate,
}

/// The `schedule` of a [`Report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Schedule {
    /// `once` or `monthly` (the wire member is `type`).
    #[serde(rename = "type")]
    pub schedule_type: ScheduleType,
    /// Whether the report is switched on (meaningful for monthly reports).
    pub enabled: bool,
}

fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

impl Report {
    /// A monthly report `id` of `tenant_id`, as a test of your own code may want one: version
    /// 1, saved (no recipients), level `itself`, kind `usage_summary`, no formats, no period,
    /// switched on. Change what the test needs: the fields are public.
    ///
    /// ```
    /// use acronis_reports::{Level, Report};
    ///
    /// let mut report = Report::new(
    ///     "20dffb36-d77b-45c6-b2fa-39276e98d5fc".parse()?,
    ///     "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc".parse()?,
    /// );
    /// report.schedule.enabled = false;
    /// report.parameters.level = Level::AllCustomers;
    /// # Ok::<(), acronis_reports::ParseIdError>(())
    /// ```
    pub fn new(id: ReportId, tenant_id: TenantId) -> Report {
        Report {
            id,
            version: 1,
            result_action: ResultAction::Save,
            recipients: Vec::new(),
            parameters: Parameters {
                tenant_id,
                level: Level::Itself,
                kind: ReportKind::UsageSummary,
                formats: Vec::new(),
                period: None,
                hide_zero_usage: None,
                show_skus: None,
            },
            schedule: Schedule {
                schedule_type: ScheduleType::Monthly,
                enabled: true,
            },
            generation_date: None,
        }
    }

    /// Parses a report from a response body.
    ///
    /// Unknown members are ignored and unknown enum values kept.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] that names the member that was wrong (`parameters.level: invalid type:
    /// integer, expected a string`), or says the body is not JSON at all, with its start.
    pub fn from_json(body: &[u8]) -> Result<Report, DecodeError> {
        decode("report", body)
    }
}

impl fmt::Display for Report {
    /// One line: what the report is, for logs and messages:
    /// `report 20dffb36-... (monthly, enabled; usage_summary of accounts under tenant 2a91a14d-...; sent to 1 recipient; version 3)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.parameters;
        write!(
            f,
            "report {} ({}, {}; {} of {} under tenant {}; ",
            self.id,
            self.schedule.schedule_type,
            if self.schedule.enabled {
                "enabled"
            } else {
                "disabled"
            },
            p.kind,
            p.level,
            p.tenant_id
        )?;
        match (&self.result_action, self.recipients.len()) {
            (ResultAction::Send, 1) => f.write_str("sent to 1 recipient")?,
            (ResultAction::Send, n) => write!(f, "sent to {n} recipients")?,
            (ResultAction::Save, _) => f.write_str("saved")?,
            (other, _) => write!(f, "result action {other}")?,
        }
        write!(f, "; version {})", self.version)
    }
}

/// A member of a report, by its path: what verification compares, what a plan changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `id`: the server answered with another report than the one addressed.
    Id,
    /// `schedule.enabled`.
    ScheduleEnabled,
    /// `recipients`, compared as a set.
    Recipients,
    /// `parameters.level`.
    Level,
    /// `parameters.kind`.
    Kind,
    /// `parameters.hide_zero_usage`.
    HideZeroUsage,
    /// `parameters.show_skus`.
    ShowSkus,
    /// `parameters.tenant_id` (created reports).
    TenantId,
    /// `result_action` (created reports).
    ResultAction,
    /// `schedule.type` (created reports).
    ScheduleType,
    /// `parameters.formats`, compared as a set (created reports).
    Formats,
    /// `parameters.period` (created reports).
    Period,
    /// `generation_date` (created reports).
    GenerationDate,
}

impl Field {
    /// The member's path in the report JSON, like `schedule.enabled`.
    pub fn path(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::ScheduleEnabled => "schedule.enabled",
            Field::Recipients => "recipients",
            Field::Level => "parameters.level",
            Field::Kind => "parameters.kind",
            Field::HideZeroUsage => "parameters.hide_zero_usage",
            Field::ShowSkus => "parameters.show_skus",
            Field::TenantId => "parameters.tenant_id",
            Field::ResultAction => "result_action",
            Field::ScheduleType => "schedule.type",
            Field::Formats => "parameters.formats",
            Field::Period => "parameters.period",
            Field::GenerationDate => "generation_date",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

/// A file a report produced, as `GET /reports/{id}/stored` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoredReport {
    /// The file's id, to download it; `None` when the server gives none (a file still being
    /// generated may have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<StoredReportId>,
    /// The file's format.
    pub report_format: ReportFormat,
    /// Its size in bytes, compressed as served; `None` when the server does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// When it was created (RFC 3339; the offset may be missing).
    pub created_at: Timestamp,
    /// Being generated, saved, or failed.
    pub status: StoredStatus,
}

impl sealed::Sealed<ReportId> for &Report {}
impl IntoId<ReportId> for &Report {
    fn into_id(self) -> Result<ReportId, ParseIdError> {
        Ok(self.id)
    }
}

impl sealed::Sealed<StoredReportId> for &StoredReport {}
impl IntoId<StoredReportId> for &StoredReport {
    /// # Errors
    ///
    /// For a file the server listed without an id (one still being generated).
    fn into_id(self) -> Result<StoredReportId, ParseIdError> {
        self.id.ok_or_else(|| ParseIdError::none_yet("stored file"))
    }
}

/// `{"items": [...]}`, the shape of the API's lists. `items` may be missing (the vendor's
/// `storedReportParams` does not require it): no items.
#[derive(Debug, Deserialize)]
pub(crate) struct Items<T> {
    #[serde(default = "Vec::new")]
    pub(crate) items: Vec<T>,
}

/// How many characters of a body a [`DecodeError`] keeps.
pub(crate) const SNIPPET_CHARS: usize = 200;

/// The start of a body as text, at most `max_chars` characters, for error messages.
pub(crate) fn snippet(body: &[u8], max_chars: usize) -> String {
    // A char is at most 4 bytes, so this cut holds the first `max_chars` whole.
    let cut = &body[..body.len().min(max_chars * 4)];
    let text = String::from_utf8_lossy(cut);
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(max_chars).collect();
    if chars.next().is_some() || cut.len() < body.len() {
        out.push('…');
    }
    out
}

/// Decodes `T` from JSON, naming the path of whatever was wrong.
pub(crate) fn decode<'de, T: Deserialize<'de>>(
    what: &'static str,
    body: &'de [u8],
) -> Result<T, DecodeError> {
    let err = |path: String, message: String| DecodeError {
        what,
        path,
        message,
        body: snippet(body, SNIPPET_CHARS),
    };
    let first = body.iter().copied().find(|b| !b.is_ascii_whitespace());
    match first {
        None => return Err(err(String::new(), "the body is empty".into())),
        Some(b'{') => {}
        // Every body of this API is an object; serde would read an array into a struct.
        Some(b'[') => {
            return Err(err(
                String::new(),
                "expected a JSON object, found an array".into(),
            ));
        }
        Some(_) => return Err(err(String::new(), "the body is not JSON".into())),
    }
    // The usual case, a well-formed body, takes the fast path: its UTF-8 checked once, as a
    // whole, rather than string by string; only a body that fails is parsed again with the
    // member's path tracked, for the error message.
    let fast = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    };
    if let Ok(value) = fast {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        err(path, e.into_inner().to_string())
    })?;
    de.end().map_err(|e| err(String::new(), e.to_string()))?;
    Ok(value)
}

/// A response body that is not what the call expects: not JSON, or JSON of the wrong shape.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// What was expected (`"report"`).
    pub what: &'static str,
    /// Where in the JSON the problem is, like `parameters.level`; empty for the whole body.
    pub path: String,
    /// What was wrong there, as the JSON parser says it.
    pub message: String,
    /// The start of the body (at most 200 characters), to see what came instead.
    pub body: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the response is not a valid {}: ", self.what)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.message)?;
        if self.message.starts_with("the body is not JSON") {
            write!(
                f,
                " (it starts with {:?})",
                self.body.chars().take(60).collect::<String>()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// The vendor's error body: `{"error": {"code", "message", "domain", "details": {"info"}}}`.
/// Every member is optional here, so a partial body still yields what it has.
#[derive(Debug, Deserialize)]
pub(crate) struct VendorErrorBody {
    pub(crate) error: VendorError,
}

#[derive(Debug, Deserialize)]
pub(crate) struct VendorError {
    #[serde(default)]
    pub(crate) code: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) domain: Option<String>,
    #[serde(default)]
    pub(crate) details: Option<VendorErrorDetails>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct VendorErrorDetails {
    #[serde(default)]
    pub(crate) info: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec_example() -> serde_json::Value {
        json!({
            "id": "20dffb36-d77b-45c6-b2fa-39276e98d5fc", "version": 2,
            "recipients": ["ca451758-b48a-45d9-9ae6-8f1059f67619", "ab00e527-219b-481b-b01b-311b5be0ed3c"],
            "parameters": {"kind": "usage_summary", "tenant_id": "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc",
                "level": "accounts", "period": {"start": "2017-05-01", "end": "2017-05-07"},
                "formats": ["csv"], "hide_zero_usage": true, "show_skus": false},
            "schedule": {"type": "once", "enabled": true},
            "result_action": "send", "generation_date": "2017-05-08"
        })
    }

    fn parse(v: &serde_json::Value) -> Result<Report, DecodeError> {
        Report::from_json(v.to_string().as_bytes())
    }

    #[test]
    fn parses_the_spec_example_into_typed_fields() {
        let r = parse(&spec_example()).unwrap();
        assert_eq!(r.id.to_string(), "20dffb36-d77b-45c6-b2fa-39276e98d5fc");
        assert_eq!(r.version, 2);
        assert_eq!(r.result_action, ResultAction::Send);
        assert_eq!(r.recipients.len(), 2);
        assert_eq!(
            r.parameters.tenant_id.to_string(),
            "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc"
        );
        assert_eq!(r.parameters.kind, ReportKind::UsageSummary);
        assert_eq!(r.parameters.level, Level::Accounts);
        assert_eq!(r.parameters.formats, vec![ReportFormat::Csv]);
        let period = r.parameters.period.unwrap();
        assert_eq!(
            (period.start.to_string(), period.end.to_string()),
            ("2017-05-01".into(), "2017-05-07".into())
        );
        assert_eq!(r.parameters.hide_zero_usage, Some(true));
        assert_eq!(r.parameters.show_skus, Some(false));
        assert_eq!(r.schedule.schedule_type, ScheduleType::Once);
        assert!(r.schedule.enabled);
        assert_eq!(r.generation_date.unwrap().to_string(), "2017-05-08");
    }

    #[test]
    fn a_report_reads_as_one_line() {
        let r = parse(&spec_example()).unwrap();
        assert_eq!(
            r.to_string(),
            "report 20dffb36-d77b-45c6-b2fa-39276e98d5fc (once, enabled; usage_summary of accounts \
             under tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc; sent to 2 recipients; version 2)"
        );
    }

    #[test]
    fn version_as_large_as_a_millisecond_timestamp() {
        let mut v = spec_example();
        v["version"] = json!(1_559_561_146_223_i64);
        assert_eq!(parse(&v).unwrap().version, 1_559_561_146_223);
    }

    #[test]
    fn unknown_members_are_ignored_and_unknown_values_kept() {
        let mut v = spec_example();
        v["owner"] = json!({"anything": [1, 2]});
        v["parameters"]["kind"] = json!("usage_hourly");
        v["parameters"]["level"] = json!("galaxy");
        v["parameters"]["formats"] = json!(["csv", "parquet"]);
        v["schedule"]["type"] = json!("weekly");
        v["schedule"]["timezone"] = json!("UTC");
        v["result_action"] = json!("archive");
        let r = parse(&v).unwrap();
        assert_eq!(r.parameters.kind.as_str(), "usage_hourly");
        assert!(r.parameters.kind.is_unknown());
        assert_eq!(r.parameters.level.as_str(), "galaxy");
        assert_eq!(r.parameters.formats[1].as_str(), "parquet");
        assert!(r.parameters.formats[1].is_unknown());
        assert_eq!(r.schedule.schedule_type.as_str(), "weekly");
        assert_eq!(r.result_action.as_str(), "archive");
    }

    #[test]
    fn optional_members_may_be_absent_or_null() {
        let mut v = spec_example();
        v["generation_date"] = json!(null);
        v["recipients"] = json!(null);
        let params = v["parameters"].as_object_mut().unwrap();
        params.remove("formats");
        params.remove("period");
        params.remove("hide_zero_usage");
        params.insert("show_skus".into(), json!(null));
        let r = parse(&v).unwrap();
        assert_eq!(r.generation_date, None);
        assert!(r.recipients.is_empty());
        assert!(r.parameters.formats.is_empty());
        assert_eq!(r.parameters.period, None);
        assert_eq!(r.parameters.hide_zero_usage, None);
        assert_eq!(r.parameters.show_skus, None);
    }

    #[test]
    fn a_body_that_is_not_utf8_is_read_and_refused_as_before() {
        // Text, escapes included, is read the same whether its UTF-8 is checked as a whole
        // (the fast path) or string by string.
        let mut v = spec_example();
        v["parameters"]["kind"] = json!("usage_\u{e9}t\u{e9} \"quoted\"");
        let text = v.to_string().replacen('\u{e9}', "\\u00e9", 1);
        let report = Report::from_json(text.as_bytes()).unwrap();
        let by_slice: Report = serde_json::from_slice(text.as_bytes()).unwrap();
        assert_eq!(report, by_slice);
        assert_eq!(
            report.parameters.kind.as_str(),
            "usage_\u{e9}t\u{e9} \"quoted\""
        );
        // A byte that is not UTF-8 in a string: the error of the string-by-string reading,
        // naming the member.
        let mut bytes = spec_example().to_string().into_bytes();
        let at = bytes.windows(6).position(|w| w == b"accoun").unwrap();
        bytes[at] = 0xff;
        let e = Report::from_json(&bytes).unwrap_err();
        assert_eq!(e.path, "parameters.level");
        assert!(
            e.message.starts_with("invalid unicode code point"),
            "{}",
            e.message
        );
    }

    #[test]
    fn decode_errors_name_the_member() {
        let mut v = spec_example();
        v["parameters"]["level"] = json!(3);
        let e = parse(&v).unwrap_err();
        assert_eq!(e.what, "report");
        assert_eq!(e.path, "parameters.level");
        assert!(
            e.message
                .starts_with("invalid type: integer `3`, expected a string"),
            "{}",
            e.message
        );
        assert!(
            e.to_string()
                .starts_with("the response is not a valid report: parameters.level: invalid type")
        );

        let mut v = spec_example();
        v["schedule"].as_object_mut().unwrap().remove("enabled");
        let e = parse(&v).unwrap_err();
        assert_eq!(e.path, "schedule");
        assert!(
            e.message.starts_with("missing field `enabled`"),
            "{}",
            e.message
        );

        let mut v = spec_example();
        v["version"] = json!("2");
        assert_eq!(parse(&v).unwrap_err().path, "version");

        let mut v = spec_example();
        v["recipients"] = json!(["not-a-uuid"]);
        assert_eq!(parse(&v).unwrap_err().path, "recipients[0]");

        let mut v = spec_example();
        v["parameters"]["period"]["end"] = json!("2017-2-3");
        let e = parse(&v).unwrap_err();
        assert_eq!(e.path, "parameters.period.end");
        assert!(
            e.message.contains("invalid date \"2017-2-3\""),
            "{}",
            e.message
        );
    }

    #[test]
    fn dates_the_schema_allows_are_read_even_when_no_calendar_day() {
        for text in ["0000-00-00", "2017-02-30"] {
            let mut v = spec_example();
            v["parameters"]["period"] = json!({"start": text, "end": text});
            v["generation_date"] = json!(text);
            let r = parse(&v).unwrap();
            let period = r.parameters.period.unwrap();
            for day in [period.start, period.end, r.generation_date.unwrap()] {
                assert_eq!((day.date(), day.to_string()), (None, text.to_owned()));
            }
            // And they go back out as they came.
            let back = serde_json::to_value(&r).unwrap();
            assert_eq!(back["generation_date"], text);
            assert_eq!(back["parameters"]["period"]["start"], text);
        }
    }

    #[test]
    fn bodies_that_are_not_a_report_object() {
        let e = Report::from_json(b"<html><body>502 Bad Gateway</body></html>").unwrap_err();
        assert_eq!(e.message, "the body is not JSON");
        assert_eq!(e.body, "<html><body>502 Bad Gateway</body></html>");
        assert_eq!(
            e.to_string(),
            "the response is not a valid report: the body is not JSON (it starts with \"<html><body>502 Bad Gateway</body></html>\")"
        );
        assert_eq!(
            Report::from_json(b"  ").unwrap_err().message,
            "the body is empty"
        );
        assert_eq!(
            Report::from_json(b"[1]").unwrap_err().message,
            "expected a JSON object, found an array"
        );
        let trailing = format!("{} x", spec_example());
        assert!(
            Report::from_json(trailing.as_bytes())
                .unwrap_err()
                .message
                .starts_with("trailing characters")
        );
        let truncated = spec_example().to_string();
        let e = Report::from_json(&truncated.as_bytes()[..40]).unwrap_err();
        assert!(e.message.contains("EOF"), "{}", e.message);
    }

    #[test]
    fn stored_reports_parse_with_unknown_statuses_kept() {
        let list: Items<StoredReport> = decode(
            "stored report list",
            br#"{"items": [
                {"id": "5c3b9a2e-1f4d-4e6a-8b7c-9d0e1f2a3b4c", "report_format": "csv", "size": 1024,
                 "created_at": "2026-11-26T10:00:00", "status": "saved"},
                {"report_format": "json_v2_0", "created_at": "2026-11-26T10:00:00+02:00", "status": "queued"}
            ]}"#,
        )
        .unwrap();
        let [a, b] = list.items.as_slice() else {
            panic!()
        };
        assert_eq!(
            (a.size, &a.status, &a.report_format),
            (Some(1024), &StoredStatus::Saved, &ReportFormat::Csv)
        );
        assert_eq!(a.created_at.to_string(), "2026-11-26T10:00:00");
        assert_eq!(b.created_at.offset_minutes(), Some(120));
        assert_eq!((b.id, b.size), (None, None));
        assert_eq!(b.status.as_str(), "queued");
        assert_eq!(b.report_format, ReportFormat::JsonV2);
        let e = decode::<Items<StoredReport>>(
            "stored report list",
            br#"{"items": [{"status": "saved"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.path, "items[0]");
    }

    #[test]
    fn snippets_are_bounded_and_cut_on_char_boundaries() {
        let long = "é".repeat(1000);
        let s = snippet(long.as_bytes(), SNIPPET_CHARS);
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(snippet(b"short", SNIPPET_CHARS), "short");
    }

    #[test]
    fn serializes_back_to_the_wire_names() {
        let r = parse(&spec_example()).unwrap();
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["schedule"], json!({"type": "once", "enabled": true}));
        assert_eq!(
            v["parameters"]["period"],
            json!({"start": "2017-05-01", "end": "2017-05-07"})
        );
    }
}
